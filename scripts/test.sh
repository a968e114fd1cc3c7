#!/usr/bin/env bash
# Sets up what is missing and runs every test: unit and property tests, the event-log
# conformance suite on the embedded backend and on a real Kafka-protocol broker (Tansu),
# and the Avro interop test against Python's fastavro. Prints the test runner's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
source scripts/env.sh

# One Tansu broker for the whole run; every test makes its own topics.
tansu_bin="${TANSU_BIN:-$(command -v tansu || echo "${CARGO_HOME:-$HOME/.cargo}/bin/tansu")}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tansu_log="$CARGO_TARGET_DIR/tansu-test.log"
"$tansu_bin" broker --listener-url "tcp://127.0.0.1:$port" --advertised-listener-url "tcp://127.0.0.1:$port" \
  --storage-engine memory://tansu/ >"$tansu_log" 2>&1 &
tansu_pid=$!
trap 'kill $tansu_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 $tansu_pid 2>/dev/null || { echo "Tansu exited; its log:" >&2; cat "$tansu_log" >&2; exit 1; }
  sleep 0.1
done
export SCRM_TEST_KAFKA_BROKERS="127.0.0.1:$port"
echo "==> Tansu broker on $SCRM_TEST_KAFKA_BROKERS" >&2

cargo nextest run --workspace --no-fail-fast --profile ci "$@"
