#!/usr/bin/env bash
# The Python package's tests: builds the abi3 wheel with maturin, installs it in a
# fresh venv (it must install with pip from nothing but the wheel and PyPI), then runs
# python/tests in the test venv: the API against the CLI ($BYOD_BIN), and byod.spark on
# a local Spark session (local[2]). Set up by scripts/setup.sh --tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/target-dir.sh
py_env=${BYOD_PY_VENV:-$HOME/.cache/byod-py}
: "${BYOD_BIN:?set BYOD_BIN to the byod binary}"

# The dev profile shares the test build's compiled dependencies (the wheel's speed is
# measured with a release wheel: tests/python-bench.py).
wheels="$CARGO_TARGET_DIR/wheels"
rm -rf "$wheels"
"$py_env/bin/maturin" build --quiet --profile dev --manifest-path python/Cargo.toml \
  --interpreter "$py_env/bin/python" --out "$wheels" >&2
wheel=$(ls "$wheels"/byod-*-abi3-*.whl)

echo "-- the wheel installs in a fresh venv"
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
python3 -m venv "$fresh/venv"
"$fresh/venv/bin/pip" install -q "$wheel"
"$fresh/venv/bin/python" - "$(pwd)/public/demo/sales_data.spec.json" <<'PY'
import sys, byod
spec = byod.Spec.from_json(open(sys.argv[1]).read())
rows = byod.generate(spec, 1000, seed=1)
assert rows.num_rows == 1000 and rows.schema == spec.schema, rows.schema
print(f"fresh venv: the wheel made {rows.num_rows} rows of {len(rows.schema)} columns")
PY

echo "-- python/tests (API, user guide examples, local Spark)"
"$py_env/bin/pip" install -q --force-reinstall --no-deps "$wheel"
cd python/tests
BYOD_BIN="$BYOD_BIN" PYSPARK_PYTHON="$py_env/bin/python" "$py_env/bin/python" -m unittest -v test_api test_spark 2>&1 \
  | grep -v -E '^(WARNING|Using Spark|Setting default log level|To adjust logging)|WARN NativeCodeLoader'

