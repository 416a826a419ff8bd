#!/usr/bin/env bash
# Installs what the build and the tests need, skipping what is already there:
# the wasm32 target, wasm-bindgen-cli at the exact version of the wasm-bindgen crate in
# Cargo.lock, trunk 0.21.14 (builds the page), Debian's chromium, chromium-driver and
# clang (zstd-sys compiles C for wasm32), brotli (precompresses the shipped page), npm's binaryen (wasm-opt for the shipped page)
# and playwright-core (drives Chromium in tests/browser), and with --tests curl, a
# Python venv with pandas, pyarrow, openpyxl and requests for the read-back and
# user-guide tests, with maturin, polars and PySpark for the Python package's tests,
# and Java for Spark. Everything comes from the package registries; nothing from GitHub or
# a CDN. With --tests also cargo-fuzz (from crates.io) for the fuzzing smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Debian's packages and the Python venv are fetched and unpacked in the background
# while cargo compiles the Rust tools in the foreground, instead of one after the other.
tests=false
[ "${1:-}" = --tests ] && tests=true
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v clang >/dev/null || missing+=(clang)
command -v npm >/dev/null || missing+=(nodejs npm)
# Precompresses the shipped page's wasm at the best brotli level (scripts/build-page.sh).
command -v brotli >/dev/null || missing+=(brotli)
if $tests; then
  command -v curl >/dev/null || missing+=(curl)
  # libFuzzer (cargo fuzz) is C++, built by its crate.
  command -v g++ >/dev/null || missing+=(g++)
  # python3 with venv also builds PyO3 (clippy and the tests compile the Python crate)
  # and makes the fresh venv the wheel is installed into.
  python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3 python3-venv)
  # Spark needs Java 17 or later.
  java_major=$(java -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print v[1]; exit }' || true)
  [ "${java_major:-0}" -lt 17 ] && missing+=(default-jre-headless)
fi

# Python with pandas, pyarrow and openpyxl: a test reads every output format with the
# readers our users' tools use; requests runs the user guide's Python example against
# the relay. The Python package's tests add maturin (builds the wheel), polars (an input
# it takes) and PySpark (a local Spark session). Only `--tests` wants any of it.
py_env=${BYOD_PY_VENV:-$HOME/.cache/byod-py}
fetch_packages() {
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} from Debian"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if $tests && ! "$py_env/bin/python" -c 'import pandas, pyarrow, openpyxl, requests, polars, pyspark, maturin' 2>/dev/null; then
    say "creating $py_env with pandas, pyarrow, openpyxl, requests, polars, pyspark and maturin"
    [ -x "$py_env/bin/python" ] || python3 -m venv "$py_env"
    "$py_env/bin/pip" install -q 'pandas<3' pyarrow openpyxl requests polars 'pyspark>=4,<5' 'maturin>=1.7,<2' >&2
  fi
}
fetch_packages &
packages=$!

# The Rust tools only drive cargo, wasm-bindgen and libFuzzer and copy files: their own
# release profiles (fat LTO, one codegen unit, opt-level 3) made their installs most of
# a new machine's set-up and buy nothing here. One target directory lets the three share
# the dependencies they have in common.
tools_target=$HOME/.cache/byod-tools-target
cargo_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=${TOOL_OPT_LEVEL:-1} CARGO_PROFILE_RELEASE_DEBUG=false \
    cargo install --target-dir "$tools_target" "$@"
}

# The CLI must match the crate exactly, or wasm-bindgen refuses the module.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ] || ! command -v wasm-bindgen-test-runner >/dev/null; then
  say "installing wasm-bindgen-cli $want (about 4 minutes, once)"
  # Without --locked: a locked dependency version is not served by this registry.
  # opt-level 2: it rewrites every wasm module the builds and the wasm tests make.
  TOOL_OPT_LEVEL=2 cargo_install wasm-bindgen-cli --version "$want" >&2
fi

# Trunk builds the page. 0.22 needs a newer rustc than this project's.
if [ "$(trunk --version 2>/dev/null)" != "trunk 0.21.14" ]; then
  say "installing trunk 0.21.14 (a few minutes, once)"
  cargo_install trunk --locked --version 0.21.14 >&2
fi

# cargo fuzz runs the fuzzing smoke of the test command (tests/fuzz/run.sh).
if $tests && ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (a few minutes, once)"
  cargo_install cargo-fuzz --locked >&2
fi
# The tools are installed; their build (1.4 GB) is not needed again.
rm -rf "$tools_target"

if ! wait "$packages"; then
  say "installing Debian's packages or the Python venv failed (see above)"
  exit 1
fi

# playwright-core needs Node 20 or later (Debian 12's own nodejs is 18).
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  say "Node.js $(node --version 2>/dev/null || echo 'is missing') is too old: the browser tests need Node 20 or later"
  say "install nodejs 20 from your Debian mirror (bookworm-backports or a nodejs 20 repository), then run this again"
  exit 1
fi

# npm tools, at the versions package-lock.json pins: wasm-opt (Debian's binaryen is too
# old for rustc's output) and playwright-core (drives Debian's Chromium; it downloads
# no browser).
if ! node -e 'for (const m of ["playwright-core/package.json", "binaryen/package.json"]) require.resolve(m)' 2>/dev/null \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm tools (binaryen, playwright-core)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
