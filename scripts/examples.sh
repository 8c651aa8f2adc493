#!/usr/bin/env bash
# Builds and runs the examples in examples/ against the local provider: the
# bearer-guarded API (no token: 401; a worker's machine-to-machine token:
# 200, three calls with one token request), the worker itself, and the
# minimal Leptos app (server-rendered: the protected page redirects to login,
# after a login it shows the user, its server function needs the session;
# its browser half is compiled for wasm32), and the minimal app's own
# Playwright suite.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/lib.sh
cargo build -q -p example-api -p example-worker
cargo build -q -p example-leptos --features ssr
cargo check -q -p example-leptos --lib --target wasm32-unknown-unknown --features hydrate
WORK=$(mktemp -d)
API_PID=; APP_PID=
cleanup() {
  [ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null
  [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null
  scripts/dev-idp.sh stop 0 "" "$WORK/idp.pid"; rm -rf "$WORK"
}
trap cleanup EXIT
idp_port=$(free_port); api_port=$(free_port); app_port=$(free_port)
scripts/dev-idp.sh start "$idp_port" "http://127.0.0.1:$app_port" "$WORK/idp.pid"
export AUTH0_DOMAIN=http://127.0.0.1:$idp_port AUTH0_ALLOW_INSECURE_REQUESTS=true
fail() { echo "examples: FAIL: $*" >&2; cat "$WORK/api.log" >&2 || true; exit 1; }

AUTH0_AUDIENCE=https://api.example.test/ EXAMPLE_API_ADDR=127.0.0.1:$api_port \
  target/debug/example-api </dev/null >"$WORK/api.log" 2>&1 &
API_PID=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$api_port/health" -o /dev/null 2>/dev/null && break; sleep 0.1; done
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$api_port/messages")
[ "$code" = 401 ] || fail "GET /messages without a token answered $code"
out=$(AUTH0_M2M_CLIENT_ID=test-client-post AUTH0_M2M_CLIENT_SECRET=test-client-secret-0123456789abcdef \
  API_AUDIENCE=https://api.example.test/ API_URL=http://127.0.0.1:$api_port target/debug/example-worker) \
  || fail "the worker failed"
[ "$(grep -c 'Hello, machine' <<<"$out")" = 3 ] || fail "the worker's calls: $out"
grep -q '"for":"test-client-post"' <<<"$out" || fail "the API did not see the worker's client: $out"

# The minimal Leptos app.
AUTH0_CLIENT_ID=test-client-post AUTH0_CLIENT_SECRET=test-client-secret-0123456789abcdef \
  AUTH0_SECRET=examples-secret-0123456789abcdef0123456789 APP_BASE_URL=http://127.0.0.1:$app_port \
  LEPTOS_SITE_ADDR=127.0.0.1:$app_port LEPTOS_OUTPUT_NAME=example-leptos LEPTOS_SITE_ROOT="$WORK/site" \
  target/debug/example-leptos </dev/null >"$WORK/app.log" 2>&1 &
APP_PID=$!
url=http://127.0.0.1:$app_port
for _ in $(seq 1 100); do curl -fsS "$url/" -o /dev/null 2>/dev/null && break; sleep 0.1; done
curl -fsS "$url/" | grep -q 'Log in' || fail "the Leptos app's home has no login link"
loc=$(curl -s -o /dev/null -w '%{redirect_url}' "$url/private")
grep -q '/auth/login?returnTo=' <<<"$loc" || fail "the protected page did not redirect to login: $loc"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/api/secret")
[ "$code" != 200 ] || fail "the server function answered without a session"
page=$(curl -fsSL -c "$WORK/jar" -b "$WORK/jar" "$url/auth/login?returnTo=/private") || fail "login failed"
grep -q "Test User" <<<"$page" || fail "after login the protected page does not show the user"
curl -fsS -b "$WORK/jar" -X POST "$url/api/secret" | grep -q 'A secret for Test User' || fail "the server function"

# The minimal app's own Playwright suite: logged in by cookie, and through
# the local provider (its servers are started by its config).
kill "$APP_PID" 2>/dev/null; APP_PID=
(cd examples/leptos-app/end2end \
  && { [ -d node_modules/@playwright/test ] || npm ci --silent --no-audit --no-fund; } \
  && npx playwright test) || fail "the minimal app's Playwright suite"
echo "examples: 4 passed, 0 failed"
