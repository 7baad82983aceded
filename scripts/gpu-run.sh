#!/usr/bin/env bash
# Runs on the GPU machine (no Rust there), from the repository root, after scripts/gpu-bundle.sh
# built `.gpu/bin` here: unpacks the Vulkan loader carried in `.gl/`, lists the devices, runs
# every example, the conformance suite and the math accuracy test on DPEX_DEVICE (default
# vulkan:gpu:0), and writes the logs and the device's MATH.md section to $OUT (or
# ./gpu-out). GPU.md records what it printed.
# `.gl/` holds Debian's loader packages, fetched once here (and listed in .git/info/exclude):
#   mkdir -p .gl /tmp/amd64/partial; o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
#   apt-get $o update; (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
set -uo pipefail
out="${OUT:-gpu-out}"
mkdir -p "$out"
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
export DPEX_DEVICE="${DPEX_DEVICE:-vulkan:gpu:0}"
export DPEX_CACHE_DIR="${DPEX_CACHE_DIR:-/tmp/dpex-cache}"
source scripts/conformance.sh
bin=.gpu/bin
{
    echo "== nvidia-smi"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
    echo "== dpex devices"; "$bin/dpex" devices --verbose
} >"$out/devices.txt" 2>&1
for example in "$bin"/*; do
    name="$(basename "$example")"
    case "$name" in dpex | gpu_bench | test-*) continue ;; esac
    echo "== $name (DPEX_DEVICE=$DPEX_DEVICE)"
    timeout 60 "$example" 2>&1 | tail -20
    echo "exit: ${PIPESTATUS[0]}"
done >"$out/examples.txt" 2>&1
for t in "${CONFORMANCE_TESTS[@]}"; do
    echo "== test $t (DPEX_DEVICE=$DPEX_DEVICE)"
    timeout 90 "$bin/test-$t" 2>&1 | grep -v "^   *[0-9]*: \|^  *at "
done >"$out/conformance.txt" 2>&1
# The math functions' accuracy; its MATH.md section (the device's table) goes to $out/MATH.md.
DPEX_MATH_TABLE="$out/MATH.md" timeout 300 "$bin/test-math_accuracy" --nocapture 2>&1 |
    grep -v "^   *[0-9]*: \|^  *at " >"$out/math_accuracy.txt"
grep -h "test result" "$out/conformance.txt" "$out/math_accuracy.txt"
grep -h "^exit" "$out/examples.txt"
