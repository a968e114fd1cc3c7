#!/usr/bin/env bash
# Sets up what is missing, builds scrm and runs the demo on the embedded backend.
# Extra arguments go to `scrm demo` (e.g. --customers 2000 --days 30).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
# The same build as the test command (`--workspace --tests`), so both README commands share
# one compilation of RocksDB and librdkafka instead of one each.
cargo build --quiet --workspace --tests
exec "$CARGO_TARGET_DIR/debug/scrm" demo "$@"
