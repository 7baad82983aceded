#!/usr/bin/env bash
# The whole test suite on a fresh machine, set-up included: installs SPIRV-Tools, PoCL (a driver dpex must refuse) and Intel's
# OpenCL CPU runtime (project-local), then runs every test of the workspace on the real device.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash scripts/setup-test-tools.sh
bash scripts/setup-opencl.sh
cargo test --workspace --all-features "$@"
