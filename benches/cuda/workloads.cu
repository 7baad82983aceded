// The CUDA C side of `benches/gpu_bench.rs`: the bench's workloads written by hand as a CUDA
// programmer writes them, built on the GPU machine with
//   nvcc -O3 -arch=sm_90 -shared -Xcompiler -fPIC -o libdpex_cuda.so benches/cuda/workloads.cu
// (add `-DDPEX_CUBLAS -lcublas` for the cuBLAS SGEMM row; scripts/gpu-bench.sh does it) and
// loaded by the bench, which gives both sides the same host inputs, compares their results
// before timing and alternates their timed launches round by round.
//
// C ABI: every function returns 0 or a cudaError_t (`dpex_cuda_error` names it). A job holds
// the device copies of one workload's buffers; `dpex_cuda_time` runs its kernel once and times
// it with CUDA events.

#include <cuda_runtime.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

// Workload ids, as `Workload::cuda_id` in the bench.
enum {
    COPY = 0,          // dst = src (f32); buffers: src, dst
    SAXPY = 1,         // y += a * x (f32); buffers: x, y; scalars: a
    TRIAD = 2,         // a = b + s * c (f64); buffers: a, b, c; scalars: s
    STENCIL = 3,       // 5-point stencil (f32); buffers: x, out; sizes: rows, cols; scalars: c, w
    MATMUL_NAIVE = 4,  // c = a * b (f32); buffers: a, b, c; sizes: m, k, n
    MATMUL_TILED = 5,  // the same in 16x16 tiles of shared memory
    MEMCPY = 6,        // cudaMemcpy device to device; buffers: src, dst
    EMPTY = 7,         // an empty kernel of one thread; no buffers
    SGEMM_CUBLAS = 8,  // c = a * b (f32) by cublasSgemm; buffers: a, b, c; sizes: m, k, n
};

#ifdef DPEX_CUBLAS
#include <cublas_v2.h>
static cublasHandle_t cublas;
#endif

#define MAX_BUFFERS 4
#define TILE 16

__global__ void copy_kernel(const float* src, float* dst, size_t n) {
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i < n) dst[i] = src[i];
}

__global__ void saxpy_kernel(float a, const float* x, float* y, size_t n) {
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i < n) y[i] += a * x[i];
}

__global__ void triad_kernel(double s, double* a, const double* b, const double* c, size_t n) {
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i < n) a[i] = b[i] + s * c[i];
}

__global__ void stencil_kernel(size_t rows, size_t cols, float c, float w, const float* x,
                               float* out) {
    size_t j = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    size_t i = blockIdx.y * (size_t)blockDim.y + threadIdx.y;
    if (i < rows && j < cols) {
        size_t at = i * cols + j;
        if (i == 0 || j == 0 || i == rows - 1 || j == cols - 1) {
            out[at] = x[at];
        } else {
            out[at] = c * x[at] + w * (x[at - cols] + x[at + cols] + x[at - 1] + x[at + 1]);
        }
    }
}

__global__ void matmul_naive_kernel(size_t m, size_t k, size_t n, const float* a, const float* b,
                                    float* c) {
    size_t col = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    size_t row = blockIdx.y * (size_t)blockDim.y + threadIdx.y;
    if (row < m && col < n) {
        float acc = 0.0f;
        for (size_t e = 0; e < k; e++) acc += a[row * k + e] * b[e * n + col];
        c[row * n + col] = acc;
    }
}

__global__ void matmul_tiled_kernel(size_t m, size_t k, size_t n, const float* a, const float* b,
                                    float* c) {
    __shared__ float tile_a[TILE][TILE];
    __shared__ float tile_b[TILE][TILE];
    size_t lr = threadIdx.y, lc = threadIdx.x;
    size_t row = blockIdx.y * (size_t)TILE + lr, col = blockIdx.x * (size_t)TILE + lc;
    float acc = 0.0f;
    for (size_t t = 0; t < k; t += TILE) {
        tile_a[lr][lc] = (row < m && t + lc < k) ? a[row * k + t + lc] : 0.0f;
        tile_b[lr][lc] = (t + lr < k && col < n) ? b[(t + lr) * n + col] : 0.0f;
        __syncthreads();
        for (int e = 0; e < TILE; e++) acc += tile_a[lr][e] * tile_b[e][lc];
        __syncthreads();
    }
    if (row < m && col < n) c[row * n + col] = acc;
}

__global__ void empty_kernel() {}

struct Job {
    int workload;
    int buffers;
    void* device[MAX_BUFFERS];
    size_t bytes[MAX_BUFFERS];
    double scalars[2];
    size_t sizes[3];
    cudaEvent_t start, end;
};

static size_t blocks(size_t n, size_t per) { return (n + per - 1) / per; }

static cudaError_t launch(Job* job) {
    switch (job->workload) {
    case COPY: {
        size_t n = job->bytes[0] / sizeof(float);
        copy_kernel<<<blocks(n, 256), 256>>>((const float*)job->device[0], (float*)job->device[1], n);
        break;
    }
    case SAXPY: {
        size_t n = job->bytes[0] / sizeof(float);
        saxpy_kernel<<<blocks(n, 256), 256>>>((float)job->scalars[0], (const float*)job->device[0],
                                              (float*)job->device[1], n);
        break;
    }
    case TRIAD: {
        size_t n = job->bytes[0] / sizeof(double);
        triad_kernel<<<blocks(n, 256), 256>>>(job->scalars[0], (double*)job->device[0],
                                              (const double*)job->device[1],
                                              (const double*)job->device[2], n);
        break;
    }
    case STENCIL: {
        size_t rows = job->sizes[0], cols = job->sizes[1];
        dim3 block(32, 8), grid(blocks(cols, 32), blocks(rows, 8));
        stencil_kernel<<<grid, block>>>(rows, cols, (float)job->scalars[0], (float)job->scalars[1],
                                        (const float*)job->device[0], (float*)job->device[1]);
        break;
    }
    case MATMUL_NAIVE:
    case MATMUL_TILED: {
        size_t m = job->sizes[0], k = job->sizes[1], n = job->sizes[2];
        dim3 block(TILE, TILE), grid(blocks(n, TILE), blocks(m, TILE));
        const float* a = (const float*)job->device[0];
        const float* b = (const float*)job->device[1];
        float* c = (float*)job->device[2];
        if (job->workload == MATMUL_NAIVE) {
            matmul_naive_kernel<<<grid, block>>>(m, k, n, a, b, c);
        } else {
            matmul_tiled_kernel<<<grid, block>>>(m, k, n, a, b, c);
        }
        break;
    }
    case MEMCPY:
        return cudaMemcpyAsync(job->device[1], job->device[0], job->bytes[0],
                               cudaMemcpyDeviceToDevice, 0);
    case EMPTY:
        empty_kernel<<<1, 1>>>();
        break;
#ifdef DPEX_CUBLAS
    case SGEMM_CUBLAS: {
        // Row-major c = a * b is column-major c^T = b^T * a^T. The default math mode: no TF32.
        int m = (int)job->sizes[0], k = (int)job->sizes[1], n = (int)job->sizes[2];
        const float one = 1.0f, zero = 0.0f;
        if (!cublas && cublasCreate(&cublas) != CUBLAS_STATUS_SUCCESS) return cudaErrorUnknown;
        cublasStatus_t s = cublasSgemm(cublas, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &one,
                                       (const float*)job->device[1], n,
                                       (const float*)job->device[0], k, &zero,
                                       (float*)job->device[2], n);
        return s == CUBLAS_STATUS_SUCCESS ? cudaSuccess : cudaErrorUnknown;
    }
#endif
    default:
        return cudaErrorInvalidValue;
    }
    return cudaGetLastError();
}

// 1 when the library was built with cuBLAS (the SGEMM_CUBLAS workload), else 0.
extern "C" int dpex_cuda_has_cublas(void) {
#ifdef DPEX_CUBLAS
    return 1;
#else
    return 0;
#endif
}

extern "C" const char* dpex_cuda_error(int code) {
    return cudaGetErrorString((cudaError_t)code);
}

// The name of device 0 into `name` (at most `len` bytes, NUL included).
extern "C" int dpex_cuda_device_name(char* name, int len) {
    cudaDeviceProp prop;
    cudaError_t e = cudaGetDeviceProperties(&prop, 0);
    if (e != cudaSuccess) return e;
    strncpy(name, prop.name, (size_t)len - 1);
    name[len - 1] = 0;
    return 0;
}

// A job of `workload` whose `buffers` device buffers start as copies of `host[i]` (`bytes[i]`
// bytes each), with up to 2 scalars and 3 sizes.
extern "C" int dpex_cuda_prepare(int workload, int buffers, const void* const* host,
                                 const size_t* bytes, const double* scalars, const size_t* sizes,
                                 Job** out) {
    if (buffers < 0 || buffers > MAX_BUFFERS) return cudaErrorInvalidValue;
    Job* job = (Job*)calloc(1, sizeof(Job));
    if (!job) return cudaErrorMemoryAllocation;
    job->workload = workload;
    memcpy(job->scalars, scalars, sizeof job->scalars);
    memcpy(job->sizes, sizes, sizeof job->sizes);
    cudaError_t e = cudaEventCreate(&job->start);
    if (e == cudaSuccess) e = cudaEventCreate(&job->end);
    for (int i = 0; e == cudaSuccess && i < buffers; i++) {
        job->bytes[i] = bytes[i];
        e = cudaMalloc(&job->device[i], bytes[i]);
        if (e == cudaSuccess) job->buffers = i + 1;
        if (e == cudaSuccess) e = cudaMemcpy(job->device[i], host[i], bytes[i], cudaMemcpyHostToDevice);
    }
    *out = job;
    return e;
}

// Runs the job's kernel once; its time on the device in milliseconds (CUDA events).
extern "C" int dpex_cuda_time(Job* job, float* ms) {
    cudaError_t e = cudaEventRecord(job->start, 0);
    if (e == cudaSuccess) e = launch(job);
    if (e == cudaSuccess) e = cudaEventRecord(job->end, 0);
    if (e == cudaSuccess) e = cudaEventSynchronize(job->end);
    if (e == cudaSuccess) e = cudaEventElapsedTime(ms, job->start, job->end);
    return e;
}

// Launches the job's kernel `count` times without waiting, then synchronizes once.
extern "C" int dpex_cuda_launch_many(Job* job, int count) {
    cudaError_t e = cudaSuccess;
    for (int i = 0; e == cudaSuccess && i < count; i++) e = launch(job);
    if (e == cudaSuccess) e = cudaDeviceSynchronize();
    return e;
}

// One launch and `cudaDeviceSynchronize`, as a user waits for a kernel.
extern "C" int dpex_cuda_launch_sync(Job* job) {
    cudaError_t e = launch(job);
    if (e == cudaSuccess) e = cudaDeviceSynchronize();
    return e;
}

// Copies buffer `index` of the job back to `host`.
extern "C" int dpex_cuda_read(Job* job, int index, void* host) {
    if (index < 0 || index >= job->buffers) return cudaErrorInvalidValue;
    return cudaMemcpy(host, job->device[index], job->bytes[index], cudaMemcpyDeviceToHost);
}

extern "C" void dpex_cuda_free(Job* job) {
    if (!job) return;
    for (int i = 0; i < job->buffers; i++) cudaFree(job->device[i]);
    if (job->start) cudaEventDestroy(job->start);
    if (job->end) cudaEventDestroy(job->end);
    free(job);
}
