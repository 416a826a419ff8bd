#!/usr/bin/env bash
# Builds the `byod` command-line tool and profiles a file, printing the SafeProfile
# (what may leave the machine). The page and the relay on http://localhost:8201 come
# with their own issues; until then this is how to run the product.
#   scripts/run.sh [FILE] [byod profile options...]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/byod-target}
scripts/setup.sh
cargo build --release --locked -p relay >&2
file=${1:-../shared/datasets/penguins.csv}
shift || true
exec "$CARGO_TARGET_DIR/release/byod" profile "$file" "$@"
