"""cuBLAS SGEMM at 4096^3 through PyTorch with TF32 off, timed with CUDA events (median of 30
after 5 warm-up products): the cross-check of gpu_bench's cuBLAS row (scripts/gpu-bench.sh)."""
import statistics

import torch

torch.backends.cuda.matmul.allow_tf32 = False
n = 4096
a = torch.rand(n, n, device="cuda") * 2 - 1
b = torch.rand(n, n, device="cuda") * 2 - 1
for _ in range(5):
    torch.mm(a, b)
times = []
for _ in range(30):
    start = torch.cuda.Event(enable_timing=True)
    end = torch.cuda.Event(enable_timing=True)
    start.record()
    torch.mm(a, b)
    end.record()
    end.synchronize()
    times.append(start.elapsed_time(end))
ms = statistics.median(times)
print(f"torch.mm {n}^3 f32 (TF32 off), {torch.cuda.get_device_name()}: median {ms:.3f} ms, "
      f"{2 * n**3 / ms / 1e9:.2f} TFLOP/s")
