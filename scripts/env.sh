# Sourced by the scripts: one cargo target directory outside the clone, so RocksDB and
# librdkafka are built once per machine, not once per checkout.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scrm-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
mkdir -p "$CARGO_TARGET_DIR"
