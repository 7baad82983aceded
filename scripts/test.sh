#!/usr/bin/env bash
# The whole test suite on a fresh machine, set-up included: installs SPIRV-Tools, PoCL (a driver dpex must refuse) and Intel's
# OpenCL CPU runtime (project-local), then runs every test of the workspace on the real device.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash scripts/setup-test-tools.sh
bash scripts/setup-opencl.sh
# Every SPIR-V module a test launches is validated by spirv-val before the driver sees it, and
# the on-disk program cache lives in the build folder (a fresh one per clean clone).
export DPEX_VALIDATE_SPIRV="${DPEX_VALIDATE_SPIRV:-1}"
export DPEX_CACHE_DIR="${DPEX_CACHE_DIR:-$repo/target/dpex-cache}"
cargo test --workspace --all-features "$@"
# The conformance suite again, on Vulkan through lavapipe (Mesa's CPU driver, installed by
# setup-test-tools.sh): the same test binaries, another device. lavapipe missing fails the run.
source scripts/conformance.sh
conformance_args=()
for test in "${CONFORMANCE_TESTS[@]}"; do
    conformance_args+=(--test "$test")
done
DPEX_DEVICE=vulkan:cpu:0 cargo test --all-features "${conformance_args[@]}" "$@"
# The math functions' accuracy through Vulkan on lavapipe (dpex's IR math library; the run
# above measured OpenCL.std on the OpenCL CPU device).
DPEX_DEVICE=vulkan:cpu:0 cargo test --release --test math_accuracy
# The examples through Vulkan on lavapipe (Mesa's CPU driver, installed by setup-test-tools.sh):
# each checks its results against a host reference and exits non-zero on a mismatch.
for example in vector_add saxpy black_scholes pairwise_distance mandelbrot reduction histogram matmul_tiled; do
    DPEX_DEVICE=vulkan:cpu:0 cargo run --release --quiet --example "$example"
done
