#!/usr/bin/env bash
# Runs one example on a fresh machine, set-up included: `scripts/run-example.sh saxpy`.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
example="${1:-saxpy}"
bash scripts/setup-opencl.sh
cargo run --release --example "$example"
