#!/usr/bin/env bash
# Builds the page (frontend/ → dist/) with Trunk, offline.
#   scripts/build-page.sh            the shipped build: wasm-page/wasm-worker profiles
#                                    (LTO) and wasm-opt; prints the compressed sizes
#   scripts/build-page.sh --dev      a quick unoptimised build, for the browser tests
# Expects scripts/setup.sh to have run (trunk, wasm-bindgen, npm's wasm-opt).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/target-dir.sh
# Trunk takes tools from PATH when their versions match Trunk.toml; wasm-opt is npm's.
export PATH="$PWD/node_modules/.bin:$PATH"
dist=${DIST:-dist}
if [ "${1:-}" = --dev ]; then
  trunk build --offline --dist "$dist" >&2
else
  trunk build --release --offline --dist "$dist" >&2
  for f in "$dist"/*.wasm; do
    printf 'page: %s %s bytes, %s gzip -9\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)" >&2
  done
fi
