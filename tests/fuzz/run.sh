#!/usr/bin/env bash
# Fuzzes every reader, the spec compiler and the SafeProfile path with cargo fuzz
# (libFuzzer). Corpora start from ../shared/datasets, the spec fixtures and the saved
# crashes, and grow in $FUZZ_WORK (default ~/.cache/byod-fuzz). A crash is saved under
# tests/fuzz/regressions/TARGET/ (a regression test replays those), and the run fails.
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     default: 30 s, every target
# Prints, per target: executions, seconds, new crashes.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(read_csv read_json read_xlsx read_xls read_parquet spec safe_profile)
work=${FUZZ_WORK:-$HOME/.cache/byod-fuzz}
datasets=../../../shared/datasets
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$work/target}

# cargo fuzz needs nightly's sanitizer flags; the machine's nightly toolchain is used
# when present, else stable with no sanitizer (coverage still works).
if rustup run nightly rustc --version >/dev/null 2>&1; then
  fuzz=(cargo +nightly fuzz)
  flags=()
else
  fuzz=(cargo fuzz)
  flags=(--sanitizer none)
fi

seed() {
  local target=$1 dir=$work/corpus/$1
  mkdir -p "$dir"
  case $target in
    read_csv) cp -n "$datasets"/{iris,penguins,cars,seattle_weather}.csv "$datasets"/penguins.tsv "$dir"/ 2>/dev/null || true ;;
    read_json) cp -n "$datasets"/{iris,penguins}.json "$datasets"/penguins.ndjson "$dir"/ 2>/dev/null || true ;;
    read_xlsx) cp -n "$datasets"/{iris,penguins}.xlsx "$dir"/ 2>/dev/null || true ;;
    read_xls) cp -n "$datasets"/{penguins,seattle_weather}.xls "$dir"/ 2>/dev/null || true ;;
    read_parquet) cp -n "$datasets"/{iris,penguins,penguins.zstd,penguins.gzip}.parquet "$dir"/ 2>/dev/null || true ;;
    spec) cp -n ../../shared/tests/fixtures/*.spec.json ../../public/demo/*.spec.json "$dir"/ 2>/dev/null || true ;;
    safe_profile) cp -n ../../shared/tests/golden/*.safe.json "$dir"/ 2>/dev/null || true ;;
  esac
  if [ -d regressions/$target ]; then cp -n regressions/$target/* "$dir"/ 2>/dev/null || true; fi
}

failed=0
for t in "${targets[@]}"; do
  seed "$t"
  mkdir -p "$work/artifacts/$t"
  log=$work/$t.log
  set +e
  "${fuzz[@]}" run "${flags[@]}" --release "$t" "$work/corpus/$t" -- \
    -max_total_time="$secs" -timeout=20 -rss_limit_mb=3072 -malloc_limit_mb=1024 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" >"$log" 2>&1
  status=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  crashes=0
  for a in "$work/artifacts/$t"/*; do
    [ -e "$a" ] || continue
    mkdir -p regressions/$t
    cp "$a" regressions/$t/ && crashes=$((crashes + 1))
    rm -f "$a"
  done
  contained=$(grep -c '^contained panic' "$log" || true)
  printf 'fuzz %-13s %s s, %s executions, %s crash(es), %s panic(s) contained by the reader\n' \
    "$t" "$secs" "$execs" "$crashes" "$contained"
  if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    failed=1
    tail -40 "$log" >&2
  fi
done
exit $failed
