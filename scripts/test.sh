#!/usr/bin/env bash
# Every test of the project, from a fresh clone: installs what is missing
# (wasm target, wasm-bindgen CLI, cargo-leptos, sass, wasm-opt, Chromium,
# redis-server, node packages), then runs formatting and lint checks, the
# unit and integration tests (against the local OpenID provider), the
# nextjs-auth0 cookie compatibility tests, the fuzz targets (30 s each), a
# black-box check of the release server, and the browser tests.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
step() { printf '\n==> %s\n' "$*" >&2; }

step "tools"
TOOLS_BIN=$(scripts/install-tools.sh)
export PATH="$TOOLS_BIN:$PATH"
(cd compat/nextjs && { [ -d node_modules/@auth0/nextjs-auth0 ] || npm ci --silent --no-audit --no-fund; })

FEATURES="auth0-leptos/ssr,auth0-leptos/redis,auth0-leptos/testing,demo-app/ssr"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (server, browser, no features)"
cargo clippy --workspace --all-targets --features "$FEATURES" -- -D warnings
# The library alone, without features (the examples would turn `ssr` on).
cargo clippy -p auth0-leptos -p demo-app --all-targets -- -D warnings
cargo clippy -p auth0-leptos -p demo-app -p example-leptos --lib --target wasm32-unknown-unknown --features "auth0-leptos/hydrate,demo-app/hydrate,example-leptos/hydrate" -- -D warnings

step "cargo test (unit, integration against the local provider, nextjs-auth0 compatibility, doc tests)"
cargo test --workspace --features "$FEATURES"

step "docs of every feature (-D warnings) and the package (cargo publish --dry-run)"
RUSTDOCFLAGS="-D warnings" cargo doc -p auth0-leptos --all-features --no-deps
cargo publish --dry-run -p auth0-leptos --allow-dirty

step "fuzzing (every parser of untrusted bytes, 30 s each)"
scripts/fuzz.sh 30

step "examples (an API behind the bearer guard, a worker with a machine-to-machine token, the minimal Leptos app and its Playwright suite)"
scripts/examples.sh

step "release build (server + WASM + CSS), black-box smoke test, two instances sharing Redis"
scripts/build-site.sh release
scripts/smoke.sh
scripts/multi-instance.sh

if [ -d end2end/tests ] && ls end2end/tests/*.spec.ts >/dev/null 2>&1; then
  step "browser tests (Playwright + Chromium)"
  (cd end2end && npx playwright test)
fi
echo "all checks passed" >&2
