#!/usr/bin/env bash
# Black-box check of the release server binary against the local provider:
# anonymous GET / shows the login links; after a real login through the
# provider (curl follows every redirect), GET / says "Welcome, Test User".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN=${BIN:-target/release/demo-app}
[ -x "$BIN" ] || cargo build --release -p demo-app --features ssr
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
APP_PORT=$(free_port); IDP_PORT=$(free_port)
WORK=$(mktemp -d)
cleanup() { [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null; scripts/dev-idp.sh stop 0 "" "$WORK/idp.pid"; rm -rf "$WORK"; }
trap cleanup EXIT
scripts/dev-idp.sh start "$IDP_PORT" "http://127.0.0.1:$APP_PORT" "$WORK/idp.pid"
. "$WORK/idp.pid.env"
LEPTOS_SITE_ADDR=127.0.0.1:$APP_PORT LEPTOS_SITE_ROOT=target/site "$BIN" </dev/null >"$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$APP_PORT/" -o /dev/null 2>/dev/null && break; sleep 0.1; done
fail() { echo "smoke: FAIL: $*" >&2; cat "$WORK/app.log" >&2; exit 1; }
anon=$(curl -fsS "http://127.0.0.1:$APP_PORT/") || fail "GET / failed"
grep -q 'href="/auth/login"' <<<"$anon" || fail "anonymous home has no login link"
grep -q 'screen_hint=signup' <<<"$anon" || fail "anonymous home has no sign-up link"
page=$(curl -fsSL -c "$WORK/jar" -b "$WORK/jar" "http://127.0.0.1:$APP_PORT/auth/login") || fail "login flow failed"
grep -q 'Welcome, Test User' <<<"$page" || fail "after login, GET / does not greet the user"
grep -q '__session' "$WORK/jar" || fail "no session cookie"
curl -fsS -b "$WORK/jar" "http://127.0.0.1:$APP_PORT/auth/profile" | grep -q '"sub":"auth0|test-user"' || fail "/auth/profile"
echo "smoke: 2 passed, 0 failed"
