#!/usr/bin/env bash
# Builds the browser demo into wasm/www/pkg: the wasm32 target, the exactly matching
# wasm-bindgen-cli (installed from crates.io if missing or of another version), then the bindings.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$version" ] || { echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; }
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $version"; then
  # Not --locked: the CLI's own lock file can name versions the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "=$version"
fi
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
cargo build -p entropic-wasm --target wasm32-unknown-unknown --release
wasm-bindgen --target web --no-typescript --out-dir wasm/www/pkg \
  target/wasm32-unknown-unknown/release/entropic_wasm.wasm
echo "built wasm/www/pkg (wasm-bindgen $version); serve wasm/www over HTTP, e.g. node wasm/www/serve.mjs"
