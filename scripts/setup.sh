#!/usr/bin/env bash
# Installs what the build and the tests need, skipping what is already there:
# the wasm32 target, wasm-bindgen-cli at the exact version of the wasm-bindgen crate in
# Cargo.lock, Debian's chromium, chromium-driver and clang (zstd-sys compiles C for
# wasm32), and with --tests curl and a Python venv with pandas, pyarrow, openpyxl and
# requests for the read-back and user-guide tests. Everything comes from the package registries; nothing from GitHub or a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v clang >/dev/null || missing+=(clang)
[ "${1:-}" = --tests ] && ! command -v curl >/dev/null && missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python with pandas, pyarrow and openpyxl (from PyPI, ~20 s once): a test reads every
# output format with the readers our users' tools use; requests runs the user guide's
# Python example against the relay. Only `--tests` wants it.
py_env=${BYOD_PY_VENV:-$HOME/.cache/byod-py}
if [ "${1:-}" = --tests ] && ! "$py_env/bin/python" -c 'import pandas, pyarrow, openpyxl, requests' 2>/dev/null; then
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    say "installing python3-venv from Debian"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3 python3-venv >/dev/null
  fi
  say "creating $py_env with pandas, pyarrow, openpyxl and requests"
  python3 -m venv "$py_env"
  "$py_env/bin/pip" install -q 'pandas<3' pyarrow openpyxl requests >&2
fi

# The CLI must match the crate exactly, or wasm-bindgen refuses the module.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ] || ! command -v wasm-bindgen-test-runner >/dev/null; then
  say "installing wasm-bindgen-cli $want (about 4 minutes, once)"
  # Without --locked: a locked dependency version is not served by this registry.
  cargo install wasm-bindgen-cli --version "$want" >&2
fi
