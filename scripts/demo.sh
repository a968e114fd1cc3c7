#!/usr/bin/env bash
# Sets up what is missing, builds scrm and runs the demo on the embedded backend.
# Extra arguments go to `scrm demo` (e.g. --customers 2000 --days 30).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
cargo build --quiet -p scrm-cli
exec "$CARGO_TARGET_DIR/debug/scrm" demo "$@"
