#!/usr/bin/env bash
# Load run on the release build: GET / and GET /healthz (the session layer
# alone, no page), anonymous vs logged in (a real session from a login
# through the local provider), then logged-in GET / with the Redis store.
# With BASELINE_BIN=<another demo-app binary>, the same runs are made first
# against it, so "before" and "after" come from one run on one machine.
#   scripts/load.sh [seconds] [connections]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DUR=${1:-10}; CONNS=${2:-32}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
. scripts/lib.sh

rps() { local u=$1; shift; wrk -t1 -c"$CONNS" -d"${DUR}s" "$@" "$u" | awk '/Requests\/sec/ {print $2}'; }

# Logs in against the running demo and sets COOKIE.
log_in() {
  rm -f "$WORK/jar"
  curl -fsSL -c "$WORK/jar" -b "$WORK/jar" "${URL}auth/login" | grep -q 'Welcome, Test User' || { echo "login failed" >&2; exit 1; }
  COOKIE=$(awk '$6 ~ /^__session/ {printf "%s%s=%s", (n++ ? "; " : ""), $6, $7}' "$WORK/jar")
}

# Restarts the demo from binary $1 with extra environment $2.
restart() {
  kill "$APP_PID" 2>/dev/null; wait "$APP_PID" 2>/dev/null || true
  env $2 RUST_LOG=warn LEPTOS_SITE_ADDR=127.0.0.1:$APP_PORT LEPTOS_SITE_ROOT=target/site "$1" </dev/null >"$WORK/app.log" 2>&1 &
  APP_PID=$!
  for _ in $(seq 1 100); do curl -fsS "${URL}healthz" -o /dev/null 2>/dev/null && return 0; sleep 0.1; done
  cat "$WORK/app.log" >&2; return 1
}

# Measures binary $1 (label $2): GET / and /healthz, anonymous and logged in.
measure() {
  local bin=$1 label=$2
  restart "$bin" ""
  log_in
  echo "[$label] session cookie: ${#COOKIE} bytes; Set-Cookie headers on a logged-in GET / right after login: $(curl -fsS -o /dev/null -D - -H "Cookie: $COOKIE" "$URL" | grep -ci '^set-cookie' || true)"
  curl -fsS -H "Cookie: $COOKIE" "$URL" | grep -q 'Welcome, Test User'
  wrk -t1 -c"$CONNS" -d2s "$URL" >/dev/null   # warm-up
  # An unrelated cookie of the same size: what carrying the bytes costs
  # (client, kernel, HTTP parser) without any session work.
  local junk; junk="other=$(head -c $(( ${#COOKIE} - 6 )) /dev/zero | tr '\0' x)"
  local -a A=() L=() SA=() SL=() SJ=()
  for _ in 1 2; do
    A+=("$(rps "$URL")")
    L+=("$(rps "$URL" -H "Cookie: $COOKIE")")
    SA+=("$(rps "${URL}healthz")")
    SL+=("$(rps "${URL}healthz" -H "Cookie: $COOKIE")")
    SJ+=("$(rps "${URL}healthz" -H "Cookie: $junk")")
  done
  python3 - "$label" "${A[@]}" "${L[@]}" "${SA[@]}" "${SL[@]}" "${SJ[@]}" <<'PY'
import sys
label, v = sys.argv[1], list(map(float, sys.argv[2:]))
def show(what, a, l, other="anonymous"):
    ma, ml = sum(a)/len(a), sum(l)/len(l)
    print(f"[{label}] {what} {other}: {ma:.0f} req/s (runs {', '.join(f'{x:.0f}' for x in a)}); "
          f"logged in: {ml:.0f} req/s (runs {', '.join(f'{x:.0f}' for x in l)}); ratio {ml/ma:.2f}")
show("GET /", v[0:2], v[2:4])
show("GET /healthz (session layer only, no page)", v[4:6], v[6:8])
show("GET /healthz", v[8:10], v[6:8], "anonymous with an unrelated cookie of the same size")
PY
  LOGGED_IN=("${L[@]}")
}

start_demo
[ -n "${BASELINE_BIN:-}" ] && measure "$BASELINE_BIN" baseline
measure "$BIN" current

# The same logged-in GET / with sessions in Redis instead of the cookie.
RPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no </dev/null >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
trap 'kill $REDIS_PID 2>/dev/null; stop_demo' EXIT
restart "$BIN" "SESSION_STORE=redis://127.0.0.1:$RPORT/0"
log_in
echo "session cookie with the Redis store: ${#COOKIE} bytes"
declare -a R
for _ in 1 2; do R+=("$(rps "$URL" -H "Cookie: $COOKIE")"); done
python3 - "${LOGGED_IN[@]}" "${R[@]}" <<'PY'
import sys
v = list(map(float, sys.argv[1:])); l, r = v[:2], v[2:]
ml, mr = sum(l)/len(l), sum(r)/len(r)
print(f"GET / logged in, cookie store: {ml:.0f} req/s; Redis store: {mr:.0f} req/s (runs {', '.join(f'{x:.0f}' for x in r)}); redis/cookie {mr/ml:.2f}")
PY
