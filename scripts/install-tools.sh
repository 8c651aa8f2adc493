#!/usr/bin/env bash
# Installs, only when missing, every tool the demo and the test suite need:
# the wasm32 target, wasm-bindgen CLI (same version as Cargo.lock), cargo-leptos,
# sass + wasm-opt (npm), Chromium and redis-server (Debian), the nightly
# toolchain and cargo-fuzz (for the fuzz targets), and the node
# packages of the local OpenID provider and of the end-to-end tests.
# Safe to run again: every step checks first.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=${AUTH0_LEPTOS_TOOLS:-$HOME/.local/auth0-leptos-tools}
WASM_BINDGEN_VERSION=0.2.130
CARGO_LEPTOS_VERSION=0.3.11
NEED=${1:-all}   # all | server (no browser / wasm tooling)

log() { printf '[install-tools] %s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# cargo install of a pinned version whose Cargo.lock needs one crate re-locked
# to something this registry/toolchain has; tries the normal path first.
cargo_install_relocked() {
  local krate=$1 version=$2 relock_pkg=$3 relock_ver=$4
  if cargo install "$krate" --version "$version" --locked 2>/dev/null; then return 0; fi
  # The failed install above has unpacked the crate's source into the registry.
  local src; src=$(ls -d "$HOME"/.cargo/registry/src/*/"$krate-$version" 2>/dev/null | head -1)
  [ -n "$src" ] || { log "no source for $krate $version"; return 1; }
  local work; work=$(mktemp -d)
  cp -r "$src" "$work/src"
  (cd "$work/src" && rm -f rust-toolchain.toml rust-toolchain \
     && cargo update -p "$relock_pkg" --precise "$relock_ver" \
     && cargo install --path . --locked)
  rm -rf "$work"
}

install_server_tools() {
  command -v node >/dev/null || apt_install nodejs npm
  command -v redis-server >/dev/null || apt_install redis-server
  # The fuzz targets (scripts/fuzz.sh) build with cargo-fuzz on nightly.
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
  if ! cargo fuzz --version >/dev/null 2>&1; then
    log "installing cargo-fuzz"
    cargo install cargo-fuzz --locked || cargo install cargo-fuzz
  fi
  (cd "$ROOT/dev-idp" && [ -d node_modules/oidc-provider ] || npm ci --silent --no-audit --no-fund)
}

install_web_tools() {
  rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  command -v chromium >/dev/null || apt_install chromium
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
    cargo_install_relocked wasm-bindgen-cli "$WASM_BINDGEN_VERSION" webpki-roots 1.0.10
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "installing cargo-leptos $CARGO_LEPTOS_VERSION"
    cargo_install_relocked cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-util-schemas 0.14.0
  fi
  mkdir -p "$TOOLS"
  if [ ! -x "$TOOLS/node_modules/.bin/sass" ] || [ ! -x "$TOOLS/node_modules/.bin/wasm-opt" ]; then
    (cd "$TOOLS" && { [ -f package.json ] || npm init -y >/dev/null; } \
      && npm install --silent --no-audit --no-fund sass@1.108.2 binaryen@132.0.0)
  fi
  # Playwright drives Debian's Chromium: never download a browser of its own.
  (cd "$ROOT/end2end" && [ -d node_modules/@playwright/test ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund)
}

install_server_tools
[ "$NEED" = server ] || install_web_tools
echo "$TOOLS/node_modules/.bin"
