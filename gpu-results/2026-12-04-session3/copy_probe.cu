// Probe (2026-12-04, session 3): which copy kernel reaches cudaMemcpy's bandwidth on the H200.
// Built and run there with: nvcc -O3 -arch=sm_90 -o /tmp/cp copy_probe.cu && /tmp/cp
// Output: copy_probe.txt next to this file.
#include <cstdio>
#include <cuda_runtime.h>
#include <vector>
#include <algorithm>
__global__ void c1(const float* s, float* d, size_t n) { size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; if (i < n) d[i] = s[i]; }
__global__ void c1u(const float* s, float* d, unsigned n) { unsigned i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) d[i] = s[i]; }
__global__ void c2(const float2* s, float2* d, size_t n) { size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; if (i < n) d[i] = s[i]; }
__global__ void c4(const float4* s, float4* d, size_t n) { size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; if (i < n) d[i] = s[i]; }
__global__ void gs(const float* s, float* d, size_t n) { for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) d[i] = s[i]; }
__global__ void u4(const float* s, float* d, size_t n) { size_t b = blockIdx.x * (size_t)blockDim.x * 4 + threadIdx.x;
  #pragma unroll
  for (int j = 0; j < 4; j++) if (b + j * blockDim.x < n) d[b + j * blockDim.x] = s[b + j * blockDim.x]; }
int main() {
  size_t n = 1 << 28; float *s, *d; cudaMalloc(&s, n * 4); cudaMalloc(&d, n * 4); cudaMemset(s, 1, n * 4);
  cudaEvent_t a, b; cudaEventCreate(&a); cudaEventCreate(&b);
  auto t = [&](const char* name, auto f) { std::vector<float> v; for (int r = 0; r < 25; r++) { cudaEventRecord(a); f(); cudaEventRecord(b); cudaEventSynchronize(b); float ms; cudaEventElapsedTime(&ms, a, b); if (r >= 5) v.push_back(ms); }
    std::sort(v.begin(), v.end()); float ms = v[v.size() / 2]; printf("%-28s %.3f ms %.0f GB/s (%s)\n", name, ms, 8.0 * n / ms / 1e6, cudaGetErrorString(cudaGetLastError())); };
  t("cudaMemcpy", [&] { cudaMemcpyAsync(d, s, n * 4, cudaMemcpyDeviceToDevice); });
  for (int bs : {128, 256, 512, 1024}) { char nm[64]; snprintf(nm, 64, "float/thread bs=%d", bs); t(nm, [&] { c1<<<(n + bs - 1) / bs, bs>>>(s, d, n); }); }
  t("float/thread u32 bs=256", [&] { c1u<<<(n + 255) / 256, 256>>>(s, d, (unsigned)n); });
  t("float2/thread bs=256", [&] { c2<<<(n / 2 + 255) / 256, 256>>>((float2*)s, (float2*)d, n / 2); });
  t("float4/thread bs=256", [&] { c4<<<(n / 4 + 255) / 256, 256>>>((float4*)s, (float4*)d, n / 4); });
  t("grid-stride 132*16 blocks", [&] { gs<<<132 * 16, 256>>>(s, d, n); });
  t("4 strided floats/thread", [&] { u4<<<(n / 4 + 255) / 256, 256>>>(s, d, n); });
  return 0;
}
