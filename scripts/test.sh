#!/usr/bin/env bash
# Runs every test: formatting, lints, native tests (unit, integration, CLI, the relay
# end to end), the wasm tests in headless Chromium, and the page itself in headless
# Chromium (tests/browser). Installs what is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# Variables that narrow or rewrite suites (golden files, one browser check, node-only
# wasm tests) have no place in the full run: a suite they empty would pass unseen.
unset BLESS ONLY WASM_BINDGEN_TEST_ONLY_NODE WASM_BINDGEN_TEST_ONLY_WEB
. scripts/target-dir.sh
# Each stage's wall time, printed as a table at the end: CI's budget (warm and cold) is
# spent by stage, and the log is the only place a slow one shows.
started=$SECONDS
stage_name="" stage_start=$SECONDS timings=""
stage() {
  [ -n "$stage_name" ] && timings+=$(printf '%6d s  %s' $((SECONDS - stage_start)) "$stage_name")$'\n'
  stage_name=$1 stage_start=$SECONDS
  [ -n "$stage_name" ] && echo "== $stage_name"
  return 0
}
export CARGO_TERM_COLOR=never
stage "set-up (scripts/setup.sh --tests)"
scripts/setup.sh --tests
export BYOD_PYTHON=${BYOD_PYTHON:-${BYOD_PY_VENV:-$HOME/.cache/byod-py}/bin/python}

stage "cargo fmt"
cargo fmt --all -- --check
stage "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
stage "native tests"
log=$(mktemp)
# The Python crate is left out here (tests/python.sh builds and tests it): it turns on
# arrow's pyarrow feature, and features unify over the packages a command builds, so
# every test binary would link PyO3 and libpython.
cargo test --workspace --exclude byod-python --locked 2>&1 | tee "$log"
# Every test binary of ours runs tests (tests/wasm.rs runs only under wasm32).
empty=$(awk '/Running tests\// { bin = $2 } /^running 0 tests/ && bin != "" { print bin } /^running [1-9]/ { bin = "" }' "$log" \
  | grep -v '^tests/wasm.rs$' || true)
rm -f "$log"
if [ -n "$empty" ]; then
  echo "these test binaries ran no test: $empty" >&2
  exit 1
fi
stage "wasm tests (headless Chromium)"
log=$(mktemp)
CHROMEDRIVER=$(command -v chromedriver) \
  cargo test -p shared --target wasm32-unknown-unknown --locked --test wasm 2>&1 | tee "$log"
if ! grep -qE 'test result: ok\. [1-9][0-9]* passed' "$log"; then
  echo "the wasm tests ran no test" >&2
  exit 1
fi
rm -f "$log"
stage "the page's build (dev) and the binaries its checks run beside it"
DIST="$CARGO_TARGET_DIR/dist-test" scripts/build-page.sh --dev
# The CLI (to compare with) and the fake Azure OpenAI the LLM-mode check runs against,
# as the native tests built them (their packages have integration tests). The same
# command, so nothing is rebuilt: a `cargo build -p relay -p e2e` resolves features
# without the test-only dependencies and compiled the core a second time.
cargo test --workspace --exclude byod-python --locked --no-run --quiet
for bin in byod fake_azure; do
  [ -x "$CARGO_TARGET_DIR/debug/$bin" ] || { echo "the native tests did not build $bin" >&2; exit 1; }
done
stage "the page in headless Chromium (tests/browser)"
DIST="$CARGO_TARGET_DIR/dist-test" BYOD_BIN="$CARGO_TARGET_DIR/debug/byod" \
  FAKE_AZURE_BIN="$CARGO_TARGET_DIR/debug/fake_azure" \
  node tests/browser/page.test.mjs
stage "the Python package (tests/python.sh: wheel, fresh venv, API, local Spark)"
BYOD_BIN="$CARGO_TARGET_DIR/debug/byod" tests/python.sh
stage "fuzzing smoke run (every target, a few seconds each; tests/fuzz/run.sh for campaigns)"
tests/fuzz/run.sh "${FUZZ_SMOKE_SECS:-10}"
stage ""
printf "\n== time by stage\n%s%6d s  in all\n" "$timings" $((SECONDS - started))
