#!/usr/bin/env bash
# Starts the local OpenID provider (dev-idp/) in the background and writes the
# environment that points auth0-leptos at it to PIDFILE.env (a file, not
# stdout: a command substitution would wait for the provider to exit).
#   scripts/dev-idp.sh start PORT APP_BASE_URL PIDFILE && . PIDFILE.env
#   scripts/dev-idp.sh stop  -    -            PIDFILE
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-start}; port=${2:-4400}; app=${3:-http://127.0.0.1:3000}; pidfile=${4:-$ROOT/target/dev-idp.pid}
case "$cmd" in
  start)
    (cd "$ROOT/dev-idp" && { [ -d node_modules/oidc-provider ] || npm ci --silent --no-audit --no-fund >&2; })
    mkdir -p "$(dirname "$pidfile")"
    log="$(dirname "$pidfile")/dev-idp-$port.log"
    # exec: the recorded PID is node's own, so `stop` ends the provider.
    (cd "$ROOT/dev-idp" && IDP_PORT=$port APP_BASE_URL=$app exec node idp-server.mjs) </dev/null >"$log" 2>&1 &
    echo $! >"$pidfile"
    for _ in $(seq 1 100); do
      curl -fsS "http://127.0.0.1:$port/.well-known/openid-configuration" >/dev/null 2>&1 && break
      sleep 0.1
    done
    curl -fsS "http://127.0.0.1:$port/.well-known/openid-configuration" >/dev/null || { cat "$log" >&2; exit 1; }
    cat >"$pidfile.env" <<ENV
export AUTH0_DOMAIN=http://127.0.0.1:$port
export AUTH0_CLIENT_ID=test-client-post
export AUTH0_CLIENT_SECRET=test-client-secret-0123456789abcdef
export AUTH0_SECRET=\${AUTH0_SECRET:-local-demo-secret-change-me-0123456789abcdef}
export AUTH0_ALLOW_INSECURE_REQUESTS=true
export AUTH0_AUDIENCE=https://api.example.test/
export AUTH0_USE_DPOP=\${AUTH0_USE_DPOP:-true}
export APP_BASE_URL=$app
ENV
    ;;
  stop)
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile" "$pidfile.env"
    ;;
esac
