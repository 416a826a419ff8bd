#!/usr/bin/env bash
# Runs every test: formatting, lints, native tests (unit, integration, CLI, the relay
# end to end), the wasm tests in headless Chromium, and the page itself in headless
# Chromium (tests/browser). Installs what is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# Build artifacts live outside the clone so repeated runs (and CI on the same machine)
# reuse them; a cold build of everything takes about 10 minutes on 2 cores.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/byod-target}
export CARGO_TERM_COLOR=never
scripts/setup.sh --tests
export BYOD_PYTHON=${BYOD_PYTHON:-${BYOD_PY_VENV:-$HOME/.cache/byod-py}/bin/python}

echo "== cargo fmt"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== native tests"
cargo test --workspace --locked
echo "== wasm tests (headless Chromium)"
CHROMEDRIVER=$(command -v chromedriver) \
  cargo test -p shared --target wasm32-unknown-unknown --locked --test wasm
echo "== the page in headless Chromium (tests/browser)"
DIST="$CARGO_TARGET_DIR/dist-test" scripts/build-page.sh --dev
# The CLI (to compare with) and the fake Azure OpenAI the LLM-mode check runs against.
cargo build -p relay -p e2e --bin byod --bin fake_azure --locked
DIST="$CARGO_TARGET_DIR/dist-test" BYOD_BIN="$CARGO_TARGET_DIR/debug/byod" \
  FAKE_AZURE_BIN="$CARGO_TARGET_DIR/debug/fake_azure" \
  node tests/browser/page.test.mjs
