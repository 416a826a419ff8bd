#!/usr/bin/env bash
# Builds what is needed and serves the app on http://localhost:8201: the page (built by
# Trunk into dist/, optimised) and the relay with the REST API (/generate, /metadata,
# /upload, /health, DELETE /cache, /docs). Template mode unless .env (or the environment)
# holds Azure OpenAI credentials. Ctrl-C stops it.
#   scripts/run.sh [byod serve options...]     e.g. --port 8300
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/target-dir.sh
scripts/setup.sh
cargo build --release --locked -p relay >&2
scripts/build-page.sh
exec "$CARGO_TARGET_DIR/release/byod" serve "$@"
