#!/usr/bin/env bash
# Load run of GET / on the release build, anonymous vs logged in (a real
# session from a login through the local provider), same run, same settings.
#   scripts/load.sh [seconds] [connections]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DUR=${1:-10}; CONNS=${2:-32}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
. scripts/lib.sh
start_demo
curl -fsSL -c "$WORK/jar" -b "$WORK/jar" "${URL}auth/login" | grep -q 'Welcome, Test User' || { echo "login failed" >&2; exit 1; }
COOKIE=$(awk '$6 ~ /^__session/ {printf "%s%s=%s", (n++ ? "; " : ""), $6, $7}' "$WORK/jar")
echo "session cookie: ${#COOKIE} bytes"
setcookie=$(curl -fsS -o /dev/null -D - -H "Cookie: $COOKIE" "$URL" | grep -ci '^set-cookie' || true)
echo "Set-Cookie headers on a logged-in GET / right after login: $setcookie"

rps() { local u=$1; shift; wrk -t1 -c"$CONNS" -d"${DUR}s" "$@" "$u" | awk '/Requests\/sec/ {print $2}'; }
HEALTH="${URL}healthz"
curl -fsS -H "Cookie: $COOKIE" "$URL" | grep -q 'Welcome, Test User'
wrk -t1 -c"$CONNS" -d2s "$URL" >/dev/null   # warm-up
declare -a A L SA SL
for i in 1 2; do
  A+=("$(rps "$URL")")
  L+=("$(rps "$URL" -H "Cookie: $COOKIE")")
  SA+=("$(rps "$HEALTH")")
  SL+=("$(rps "$HEALTH" -H "Cookie: $COOKIE")")
done
python3 - "${A[@]}" "${L[@]}" "${SA[@]}" "${SL[@]}" <<'PY'
import sys
v = list(map(float, sys.argv[1:]))
def show(label, a, l):
    ma, ml = sum(a)/len(a), sum(l)/len(l)
    print(f"{label} anonymous: {ma:.0f} req/s (runs {', '.join(f'{x:.0f}' for x in a)}); "
          f"logged in: {ml:.0f} req/s (runs {', '.join(f'{x:.0f}' for x in l)}); ratio {ml/ma:.2f}")
show("GET /", v[0:2], v[2:4])
show("GET /healthz (session layer only, no page)", v[4:6], v[6:8])
PY

# The same logged-in GET / with sessions in Redis instead of the cookie.
RPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no </dev/null >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
trap 'kill $REDIS_PID 2>/dev/null; stop_demo' EXIT
kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true
SESSION_STORE="redis://127.0.0.1:$RPORT/0" RUST_LOG=warn LEPTOS_SITE_ADDR=127.0.0.1:$APP_PORT LEPTOS_SITE_ROOT=target/site "$BIN" </dev/null >"$WORK/app-redis.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 100); do curl -fsS "${URL}healthz" -o /dev/null 2>/dev/null && break; sleep 0.1; done
rm -f "$WORK/jar"
curl -fsSL -c "$WORK/jar" -b "$WORK/jar" "${URL}auth/login" | grep -q 'Welcome, Test User' || { echo "login (redis) failed" >&2; exit 1; }
RCOOKIE=$(awk '$6 ~ /^__session/ {printf "%s%s=%s", (n++ ? "; " : ""), $6, $7}' "$WORK/jar")
echo "session cookie with the Redis store: ${#RCOOKIE} bytes"
declare -a R
for i in 1 2; do R+=("$(rps "$URL" -H "Cookie: $RCOOKIE")"); done
python3 - "${L[@]}" "${R[@]}" <<'PY'
import sys
v = list(map(float, sys.argv[1:])); l, r = v[:2], v[2:]
ml, mr = sum(l)/len(l), sum(r)/len(r)
print(f"GET / logged in, cookie store: {ml:.0f} req/s; Redis store: {mr:.0f} req/s (runs {', '.join(f'{x:.0f}' for x in r)}); redis/cookie {mr/ml:.2f}")
PY
