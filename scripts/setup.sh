#!/usr/bin/env bash
# Installs what scrm needs on a Debian machine that has only the Rust toolchain.
#   scripts/setup.sh          build dependencies (system packages)
#   scripts/setup.sh --test   also what the tests need: the Tansu broker, Python fastavro
# Idempotent: installs only what is missing, so later runs take seconds.
set -euo pipefail

want_test=false
[[ "${1:-}" == "--test" ]] && want_test=true

say() { printf '==> %s\n' "$*" >&2; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# System packages: a C/C++ toolchain and cmake for librdkafka, clang/libclang for the
# RocksDB bindings, and the libraries librdkafka links (curl, SASL, TLS, compression).
packages=(build-essential pkg-config cmake clang libclang-dev libcurl4-openssl-dev libsasl2-dev
          libssl-dev zlib1g-dev zstd libzstd-dev lz4 liblz4-dev ca-certificates)
if $want_test; then
  # docker-compose validates deploy files without an engine; python3 runs the interop test.
  packages+=(docker-compose python3 python3-pip)
fi
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  say "installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "cargo not found: install the Rust toolchain (rustup) first" >&2; exit 1; }

if $want_test; then
  cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
  if [[ ! -x "$cargo_bin/tansu" ]] && ! command -v tansu >/dev/null; then
    say "installing the Tansu Kafka-compatible broker (about 10 minutes, once)"
    cargo install tansu --locked --features dynostore --quiet
  fi
  if ! python3 -c 'import fastavro' 2>/dev/null; then
    say "installing fastavro (independent Avro implementation for the interop test)"
    python3 -m pip install --quiet --disable-pip-version-check fastavro \
      || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages fastavro
  fi
  if ! command -v cargo-nextest >/dev/null; then
    say "installing cargo-nextest"
    cargo install cargo-nextest --locked --quiet
  fi
fi
