#!/usr/bin/env bash
# Runs the demo app on http://127.0.0.1:3000.
# With AUTH0_DOMAIN set (in the environment or in .env) it uses that tenant;
# without it, it starts the local OpenID provider from dev-idp/ and uses it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
if [ -f .env ]; then set -a; . ./.env; set +a; fi
TOOLS_BIN=$(scripts/install-tools.sh)
export PATH="$TOOLS_BIN:$PATH"
PORT=${PORT:-3000}
export LEPTOS_SITE_ADDR=${LEPTOS_SITE_ADDR:-127.0.0.1:$PORT}
if [ -z "${AUTH0_DOMAIN:-}" ]; then
  echo "AUTH0_DOMAIN is not set: using the local OpenID provider on 127.0.0.1:4400 (log in as test@example.test)" >&2
  scripts/dev-idp.sh start 4400 "http://127.0.0.1:$PORT" "$ROOT/target/demo-idp.pid"
  . "$ROOT/target/demo-idp.pid.env"
  trap 'scripts/dev-idp.sh stop 0 "" "$ROOT/target/demo-idp.pid"' EXIT INT TERM
fi
scripts/build-site.sh release
echo "demo: http://$LEPTOS_SITE_ADDR" >&2
target/release/demo-app
