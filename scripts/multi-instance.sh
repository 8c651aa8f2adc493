#!/usr/bin/env bash
# Two instances of the release demo sharing one Redis (SESSION_STORE), against
# the local OpenID provider: a session made on instance A works on instance
# B, and the provider's back-channel logout (RP-initiated logout confirmed at
# the provider, which posts a logout token to A) ends it on B too.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/lib.sh
[ -x "$BIN" ] || cargo build --release -p demo-app --features ssr
WORK=$(mktemp -d)
RPORT=$(free_port); A=$(free_port); B=$(free_port); I=$(free_port)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; scripts/dev-idp.sh stop 0 "" "$WORK/idp.pid"; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "multi-instance: FAIL: $*" >&2; tail -5 "$WORK"/*.log >&2 || true; exit 1; }

redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no </dev/null >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
scripts/dev-idp.sh start "$I" "http://127.0.0.1:$A" "$WORK/idp.pid"
. "$WORK/idp.pid.env"
export SESSION_STORE="redis://127.0.0.1:$RPORT/0" LEPTOS_SITE_ROOT=target/site RUST_LOG=warn
# One DPoP key for both instances: a token bound on A must work from B.
AUTH0_DPOP_PRIVATE_KEY=$(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null)
export AUTH0_DPOP_PRIVATE_KEY
for port in "$A" "$B"; do
  APP_BASE_URL="http://127.0.0.1:$port" LEPTOS_SITE_ADDR="127.0.0.1:$port" "$BIN" </dev/null >"$WORK/app-$port.log" 2>&1 &
  PIDS+=($!)
done
for port in "$A" "$B"; do
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" -o /dev/null 2>/dev/null && break; sleep 0.1; done
done

# Log in through A. The jar's cookies ignore ports, like a browser's.
page=$(curl -fsSL -c "$WORK/jar" -b "$WORK/jar" "http://127.0.0.1:$A/auth/login") || fail "login on A"
grep -q 'Welcome, Test User' <<<"$page" || fail "A does not greet the user after login"
cookie=$(awk '$6 == "__session" {print length($7)}' "$WORK/jar")
[ "${cookie:-9999}" -lt 400 ] || fail "the cookie should carry only an id (got ${cookie:-none} bytes)"

# The same browser on B: the session comes from Redis.
page=$(curl -fsS -b "$WORK/jar" "http://127.0.0.1:$B/") || fail "GET / on B"
grep -q 'Welcome, Test User' <<<"$page" || fail "B does not know the session made on A"

# Log out at the provider (its confirm form, as a browser would submit it).
form=$(curl -fsS -c "$WORK/jar" -b "$WORK/jar" "http://127.0.0.1:$I/oidc/logout?client_id=test-client-post") || fail "provider logout page"
xsrf=$(grep -o 'name="xsrf" value="[^"]*"' <<<"$form" | sed 's/.*value="//; s/"$//')
[ -n "$xsrf" ] || fail "no xsrf in the provider's logout form"
curl -fsS -o /dev/null -c "$WORK/jar" -b "$WORK/jar" --data-urlencode "xsrf=$xsrf" -d logout=yes "http://127.0.0.1:$I/oidc/logout/confirm" || fail "confirm logout"
ended=""
for _ in $(seq 1 50); do
  page=$(curl -fsS -b "$WORK/jar" "http://127.0.0.1:$B/") || fail "GET / on B after logout"
  if grep -q 'href="/auth/login"' <<<"$page" && ! grep -q 'Welcome, Test User' <<<"$page"; then ended=yes; break; fi
  sleep 0.1
done
[ -n "$ended" ] || fail "the back-channel logout did not end the session on B"
echo "multi-instance: 3 passed, 0 failed"
