# Shared by smoke.sh and load.sh: run the release demo against the local
# OpenID provider on free loopback ports. Source it, then call start_demo.
BIN=${BIN:-target/release/demo-app}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts the provider and the demo; sets WORK, APP_PORT, URL, APP_PID and an
# EXIT trap that stops both.
start_demo() {
  [ -x "$BIN" ] || cargo build --release -p demo-app --features ssr
  APP_PORT=$(free_port); local idp_port; idp_port=$(free_port)
  WORK=$(mktemp -d)
  trap stop_demo EXIT
  scripts/dev-idp.sh start "$idp_port" "http://127.0.0.1:$APP_PORT" "$WORK/idp.pid"
  . "$WORK/idp.pid.env"
  RUST_LOG=warn LEPTOS_SITE_ADDR=127.0.0.1:$APP_PORT LEPTOS_SITE_ROOT=target/site "$BIN" </dev/null >"$WORK/app.log" 2>&1 &
  APP_PID=$!
  URL="http://127.0.0.1:$APP_PORT/"
  for _ in $(seq 1 100); do curl -fsS "${URL}healthz" -o /dev/null 2>/dev/null && return 0; sleep 0.1; done
  cat "$WORK/app.log" >&2
  return 1
}

stop_demo() {
  [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null
  scripts/dev-idp.sh stop 0 "" "$WORK/idp.pid"
  rm -rf "$WORK"
}
