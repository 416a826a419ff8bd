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
  # Compressed once here at the best levels, so the relay serves these files instead
  # of compressing each response on the fly at a fast level (tower-http's
  # precompressed ServeDir): a first visit's reader and page are 20 % smaller in
  # brotli 11 than in the relay's own brotli.
  for f in "$dist"/*.wasm "$dist"/*.js "$dist"/*.css; do
    brotli -q 11 -f -k -o "$f.br" "$f"
    gzip -9 -n -f -k "$f"
  done
  for f in "$dist"/*.wasm; do
    printf 'page: %s %s bytes, %s brotli 11, %s gzip -9\n' "$(basename "$f")" "$(stat -c %s "$f")" \
      "$(stat -c %s "$f.br")" "$(stat -c %s "$f.gz")" >&2
  done
fi
