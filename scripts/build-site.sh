#!/usr/bin/env bash
# Builds the demo: server binary, hydration WASM + JS, stylesheet, into
# target/site (the layout Leptos.toml names). Uses cargo-leptos.
#   scripts/build-site.sh [release|debug]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
mode=${1:-release}
if [ "$mode" = release ]; then
  cargo leptos build --release
else
  cargo leptos build
fi
