#!/usr/bin/env bash
# Black-box check of the release server binary against the local provider:
# anonymous GET / shows the login links; after a real login through the
# provider (curl follows every redirect), GET / says "Welcome, Test User".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. scripts/lib.sh
start_demo
fail() { echo "smoke: FAIL: $*" >&2; cat "$WORK/app.log" >&2; exit 1; }
anon=$(curl -fsS "$URL") || fail "GET / failed"
grep -q 'href="/auth/login"' <<<"$anon" || fail "anonymous home has no login link"
grep -q 'screen_hint=signup' <<<"$anon" || fail "anonymous home has no sign-up link"
page=$(curl -fsSL -c "$WORK/jar" -b "$WORK/jar" "${URL}auth/login") || fail "login flow failed"
grep -q 'Welcome, Test User' <<<"$page" || fail "after login, GET / does not greet the user"
grep -q '__session' "$WORK/jar" || fail "no session cookie"
curl -fsS -b "$WORK/jar" "${URL}auth/profile" | grep -q '"sub":"auth0|test-user"' || fail "/auth/profile"
echo "smoke: 2 passed, 0 failed"
