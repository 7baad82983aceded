#!/usr/bin/env bash
# Runs on the GPU machine (after scripts/gpu-bundle.sh built `.gpu/bin` here; see GPU.md): builds
# the CUDA C side of the GPU bench with nvcc (with cuBLAS where it links), runs `gpu_bench`
# against it on DPEX_DEVICE (default vulkan:gpu:0), the `sgemm` example at 4096^3, and cuBLAS
# SGEMM through PyTorch (TF32 off) as a cross-check of the bench's cuBLAS row. Logs and
# gpu_bench.json with its chart gpu_bench.svg go to $OUT (or ./gpu-out); BENCHMARKS.md records them.
set -uo pipefail
out="${OUT:-gpu-out}"
mkdir -p "$out"
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
export DPEX_DEVICE="${DPEX_DEVICE:-vulkan:gpu:0}"
export DPEX_CACHE_DIR="${DPEX_CACHE_DIR:-/tmp/dpex-cache}"
bin=.gpu/bin
lib=/tmp/libdpex_cuda.so
nvcc_flags=(-O3 -arch=sm_90 -shared -Xcompiler -fPIC -o "$lib" benches/cuda/workloads.cu)
{
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv
    nvcc --version | tail -2
    nvcc "${nvcc_flags[@]}" -DDPEX_CUBLAS -lcublas && echo "built with cuBLAS" ||
        { nvcc "${nvcc_flags[@]}" && echo "built without cuBLAS"; }
} >"$out/machine.txt" 2>&1
DPEX_BENCH_OUT="$out" timeout 500 "$bin/gpu_bench" --cuda "$lib" "$@" >"$out/gpu_bench.txt" 2>&1
echo "gpu_bench exit: $?" >>"$out/gpu_bench.txt"
timeout 60 "$bin/sgemm" 4096 >"$out/sgemm.txt" 2>&1
echo "sgemm exit: $?" >>"$out/sgemm.txt"
timeout 120 python3 scripts/torch_sgemm.py >"$out/torch_sgemm.txt" 2>&1
cat "$out/gpu_bench.txt" "$out/sgemm.txt" "$out/torch_sgemm.txt"
