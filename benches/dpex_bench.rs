//! dpex kernels against the same kernels hand-written in OpenCL C, built from source by the same
//! driver on the same device, and against the device's copy bandwidth.
//!
//! Run: `cargo bench --bench dpex_bench` (full sizes, about 2-6 minutes on 2 cores), or
//! `cargo bench --bench dpex_bench -- --quick` (sizes scaled down 4x to 8x, about a minute).
//! Other flags: `--reps N` (the least number of timed rounds, at least 20 unless `--allow-few`),
//! `--only a,b` (workloads whose name contains one of the words). `DPEX_DEVICE` picks the device.
//!
//! For each workload, five variants run on the same device:
//! - `dpex`: the kernel written with `#[kernel]` below, as a user would (the default, safe build
//!   with run-time index and division checks), launched through dpex on a profiling queue;
//! - `unchk`: the same body as `#[kernel(unchecked)]`;
//! - `C`: the equivalent OpenCL C kernel built with `clCreateProgramWithSource` and default
//!   options (the driver may contract `a * b + c` into an FMA);
//! - `C-nc`: the same C with `#pragma OPENCL FP_CONTRACT OFF`, which matches dpex's
//!   `ContractionOff` execution mode;
//! - `spv`: `unchk`'s SPIR-V built with `clCreateProgramWithIL` by the C side and launched on
//!   the C queue with the dpex ABI, which separates the code dpex emits (`spv / C`) from what the
//!   dpex runtime adds (`unchk / spv`).
//!
//! The results of every variant are compared before timing (dpex against C within a relative
//! tolerance, unchecked against safe exactly); after warm-up the variants run in rounds (each
//! round runs every variant once, the order rotating from round to round), all of them on the
//! same memory: the C side works in dpex's context (`Device::cl_context`) on its own profiling
//! queue, and its kernels take dpex's tensors (`Tensor::cl_mem`) as arguments, so buffer
//! placement (which moves bandwidth by tens of percent on a small VM) is the same for every
//! variant. Each is timed with profiling events (`CL_PROFILING_COMMAND_END - START`). Ratios are
//! medians of per-round ratios with their interquartile range.
//!
//! Output: a table on stdout, `target/bench/dpex_bench.json`, `target/bench/ratios.svg`, and the
//! SPIR-V disassembly of every dpex kernel (both builds) and the C sources under
//! `target/bench/kernels/`.

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::ptr;
use std::time::Instant;

use dpex::opencl::{DeviceExt, TensorExt};
use dpex::prelude::*;
use dpex::DType;
use dpex_runtime::KernelSpec;
use opencl3::command_queue::{CommandQueue, CL_QUEUE_PROFILING_ENABLE};
use opencl3::context::Context;
use opencl3::device::Device as ClDevice;
use opencl3::kernel::Kernel;
use opencl3::memory::{Buffer, ClMem, CL_MEM_COPY_HOST_PTR, CL_MEM_READ_WRITE};
use opencl3::program::Program;
use opencl3::types::{cl_mem, CL_BLOCKING};
use rand::{Rng, SeedableRng};

type R<T> = Result<T, Box<dyn Error>>;

#[path = "common/kernels.rs"]
mod kernels;
use kernels::*;

// =============================================================================================
// The same kernels in OpenCL C, as a user writes them
// =============================================================================================

const C_SAXPY: &str = r#"
__kernel void saxpy(float a, __global const float *x, __global float *y) {
    size_t i = get_global_id(0);
    y[i] += a * x[i];
}
"#;

const C_TRIAD: &str = r#"
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void triad(double s, __global double *a, __global const double *b,
                    __global const double *c) {
    size_t i = get_global_id(0);
    a[i] = b[i] + s * c[i];
}
"#;

const C_COPY: &str = r#"
__kernel void copy(__global const float *src, __global float *dst) {
    size_t i = get_global_id(0);
    dst[i] = src[i];
}
"#;

const C_BLACK_SCHOLES: &str = r#"
float cnd(float d) {
    return 0.5f * (1.0f + erf(d * 0.70710678118654752440f));
}

__kernel void black_scholes(float rate, float volatility, __global const float *price,
                            __global const float *strike, __global const float *years,
                            __global float *call, __global float *put) {
    size_t i = get_global_id(0);
    float s = price[i], k = strike[i], t = years[i];
    float sqrt_t = sqrt(t);
    float d1 = (log(s / k) + (rate + 0.5f * volatility * volatility) * t) / (volatility * sqrt_t);
    float d2 = d1 - volatility * sqrt_t;
    float discounted = k * exp(-rate * t);
    call[i] = s * cnd(d1) - discounted * cnd(d2);
    put[i] = discounted * cnd(-d2) - s * cnd(-d1);
}
"#;

const C_PAIRWISE: &str = r#"
__kernel void pairwise_distance(__global const float *points, __global float *distances) {
    size_t col = get_global_id(0);
    size_t row = get_global_id(1);
    size_t n = get_global_size(0);
    float dx = points[3 * row] - points[3 * col];
    float dy = points[3 * row + 1] - points[3 * col + 1];
    float dz = points[3 * row + 2] - points[3 * col + 2];
    distances[row * n + col] = sqrt(dx * dx + dy * dy + dz * dz);
}
"#;

const C_MATMUL_NAIVE: &str = r#"
__kernel void matmul_naive(ulong k, ulong n, __global const float *a, __global const float *b,
                           __global float *c) {
    size_t col = get_global_id(0);
    size_t row = get_global_id(1);
    float acc = 0.0f;
    for (size_t e = 0; e < k; e++) {
        acc += a[row * k + e] * b[e * n + col];
    }
    c[row * n + col] = acc;
}
"#;

const C_MATMUL_TILED: &str = r#"
__kernel void matmul_tiled(ulong m, ulong k, ulong n, __global const float *a,
                           __global const float *b, __global float *c) {
    __local float tile_a[16][16];
    __local float tile_b[16][16];
    size_t col = get_global_id(0);
    size_t row = get_global_id(1);
    size_t lc = get_local_id(0);
    size_t lr = get_local_id(1);
    float acc = 0.0f;
    for (size_t t = 0; t < k; t += 16) {
        tile_a[lr][lc] = (row < m && t + lc < k) ? a[row * k + t + lc] : 0.0f;
        tile_b[lr][lc] = (t + lr < k && col < n) ? b[(t + lr) * n + col] : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int e = 0; e < 16; e++) {
            acc += tile_a[lr][e] * tile_b[e][lc];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (row < m && col < n) {
        c[row * n + col] = acc;
    }
}
"#;

const C_REDUCE: &str = r#"
__kernel void reduce_sum(__global const float *x, ulong len, __global float *partial,
                         __local float *tmp) {
    size_t lid = get_local_id(0);
    float sum = 0.0f;
    for (size_t i = get_global_id(0); i < len; i += get_global_size(0)) {
        sum += x[i];
    }
    tmp[lid] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (size_t stride = get_local_size(0) / 2; stride > 0; stride /= 2) {
        if (lid < stride) {
            tmp[lid] += tmp[lid + stride];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        partial[get_group_id(0)] = tmp[0];
    }
}
"#;

const C_HISTOGRAM: &str = r#"
__kernel void histogram_256(__global const uchar *data, ulong len, __global uint *bins) {
    __local uint counts[256];
    size_t lid = get_local_id(0);
    size_t size = get_local_size(0);
    for (size_t b = lid; b < 256; b += size) {
        counts[b] = 0;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (size_t i = get_global_id(0); i < len; i += get_global_size(0)) {
        atomic_inc(&counts[data[i]]);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (size_t b = lid; b < 256; b += size) {
        uint c = counts[b];
        if (c != 0) {
            atomic_add(&bins[b], c);
        }
    }
}
"#;

const C_STENCIL: &str = r#"
__kernel void stencil(ulong rows, ulong cols, float c, float w, __global const float *x,
                      __global float *out) {
    size_t j = get_global_id(0);
    size_t i = get_global_id(1);
    if (i < rows && j < cols) {
        size_t at = i * cols + j;
        if (i == 0 || j == 0 || i == rows - 1 || j == cols - 1) {
            out[at] = x[at];
        } else {
            out[at] = c * x[at] + w * (x[at - cols] + x[at + cols] + x[at - 1] + x[at + 1]);
        }
    }
}
"#;

// =============================================================================================
// Configuration
// =============================================================================================

struct Config {
    quick: bool,
    /// The least number of timed rounds.
    reps: usize,
    /// Seconds of timed rounds per workload: short kernels get more than `reps` rounds.
    budget: f64,
    warmup: usize,
    only: Vec<String>,
}

impl Config {
    fn from_args() -> R<Config> {
        let mut config = Config {
            quick: false,
            reps: 0,
            budget: 0.0,
            warmup: 3,
            only: Vec::new(),
        };
        let mut allow_few = false;
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => config.quick = true,
                "--reps" => {
                    config.reps = args.next().ok_or("--reps needs a number")?.parse()?;
                }
                "--allow-few" => allow_few = true,
                "--only" => {
                    let list = args.next().ok_or("--only needs a list of names")?;
                    config.only = list.split(',').map(str::to_string).collect();
                }
                // What `cargo bench` passes to every bench target.
                "--bench" => {}
                other => return Err(format!("unknown argument `{other}`").into()),
            }
        }
        if config.reps == 0 {
            config.reps = 20;
        }
        config.budget = if config.quick { 2.0 } else { 10.0 };
        if config.reps < 20 && !allow_few {
            return Err("at least 20 timed repetitions (or pass --allow-few)".into());
        }
        Ok(config)
    }

    /// `full` in full mode, `quick` with `--quick`.
    fn size(&self, full: usize, quick: usize) -> usize {
        if self.quick {
            quick
        } else {
            full
        }
    }

    fn wants(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|w| name.contains(w.as_str()))
    }
}

// =============================================================================================
// The OpenCL C side: dpex's context, a profiling queue of its own, dpex's tensors
// =============================================================================================

struct Cl {
    device: ClDevice,
    context: Context,
    queue: CommandQueue,
}

/// A kernel argument of the C side.
enum Arg {
    /// A buffer of `len` elements: a pointer in C; in the dpex ABI (the SPIR-V variant) the
    /// pointer, then the view's offset (0), extent (`len`) and stride (1) of a 1-d tensor.
    Buf(cl_mem, u64),
    /// A length that the C kernel takes explicitly and dpex reads from a tensor (`x.len()`):
    /// not passed to the SPIR-V variant.
    Len(u64),
    U64(u64),
    F32(f32),
    F64(f64),
    /// Local memory of `len` elements of `elem` bytes: a `__local` pointer in C; in the dpex ABI
    /// (a `LocalAccessor`) the pointer and its length.
    Local {
        elem: usize,
        len: usize,
    },
}

impl Arg {
    fn buf<T>(buffer: &Buffer<T>) -> Arg {
        let len = buffer.size().unwrap_or(0) / std::mem::size_of::<T>();
        Arg::Buf(buffer.get(), len as u64)
    }
}

/// The variants run on the C side: the C source with the driver's default options, the C source
/// with `FP_CONTRACT OFF`, and dpex's own SPIR-V built with `clCreateProgramWithIL` in the C
/// context and launched on the C queue (which separates code generation from the runtime).
const C_SIDE: usize = 3;

impl Cl {
    /// The C side on `queue`'s device, in dpex's own context (so that the C kernels can run on
    /// dpex's tensors), with a profiling queue of its own.
    fn new(queue: &Queue) -> R<Cl> {
        let device = queue.device();
        let raw = device.cl_context()?;
        // SAFETY: `raw` is dpex's live context; the retain balances the release of the
        // `Context` wrapper's drop, so the context outlives both.
        unsafe { opencl3::context::context::retain_context(raw) }
            .map_err(|e| format!("clRetainContext: {e}"))?;
        let context = Context::new(raw, &[device.cl_device_id()]);
        let queue =
            CommandQueue::create_default_with_properties(&context, CL_QUEUE_PROFILING_ENABLE, 0)?;
        Ok(Cl {
            device: ClDevice::new(device.cl_device_id()),
            context,
            queue,
        })
    }

    /// `tensor`'s own memory, once per C-side variant: every variant then streams through the
    /// same buffer as the dpex builds, so that buffer placement (which moves bandwidth by tens
    /// of percent on this machine) is the same for all of them.
    fn shared<T: dpex::Element>(&self, tensor: &Tensor<T>) -> R<[Buffer<T>; C_SIDE]> {
        let wrap = || -> R<Buffer<T>> {
            let mem = tensor.cl_mem();
            // SAFETY: `mem` is the tensor's live buffer in this context; the retain balances
            // the release of the `Buffer` wrapper's drop. The tensor outlives the workload.
            unsafe { opencl3::memory::retain_mem_object(mem) }
                .map_err(|e| format!("clRetainMemObject: {e}"))?;
            Ok(Buffer::new(mem))
        };
        Ok([wrap()?, wrap()?, wrap()?])
    }

    fn buffer<T: Copy>(&self, data: &[T]) -> R<Buffer<T>> {
        // SAFETY: `data` holds `data.len()` values; COPY_HOST_PTR reads it only during the call.
        Ok(unsafe {
            Buffer::create(
                &self.context,
                CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                data.len(),
                data.as_ptr().cast_mut().cast(),
            )?
        })
    }

    fn read<T: Copy + Default>(&self, buffer: &Buffer<T>, len: usize) -> R<Vec<T>> {
        let mut out = vec![T::default(); len];
        // SAFETY: a blocking read of `len` values into a vector of `len` values.
        unsafe {
            self.queue
                .enqueue_read_buffer(buffer, CL_BLOCKING, 0, &mut out, &[])?
        };
        Ok(out)
    }

    /// Builds the [`C_SIDE`] variants: `source` with the driver's default options (FP
    /// contraction allowed) and with `FP_CONTRACT OFF` (which matches the `ContractionOff` mode
    /// of dpex's SPIR-V), and dpex's SPIR-V `spirv`; creates kernel `name` in each with the
    /// arguments `args(variant)` (each variant has its own buffers, so that no variant runs on
    /// data the one before it left in the caches).
    fn kernels(
        &self,
        source: &str,
        spec: Option<&KernelSpec>,
        name: &str,
        args: impl Fn(usize) -> Vec<Arg>,
    ) -> R<[Kernel; C_SIDE]> {
        let nocontract = format!("#pragma OPENCL FP_CONTRACT OFF\n{source}");
        let mut kernels = Vec::new();
        for variant in 0..C_SIDE {
            let program = if variant < 2 {
                let src = if variant == 0 { source } else { &nocontract };
                Program::create_and_build_from_source(&self.context, src, "")
                    .map_err(|log| format!("building the C kernel `{name}`: {log}"))?
            } else {
                let spec = spec.ok_or_else(|| format!("no SPIR-V instance of `{name}`"))?;
                let il: Vec<u8> = spec.spirv.iter().flat_map(|w| w.to_ne_bytes()).collect();
                Program::create_and_build_from_il(&self.context, &il, "")
                    .map_err(|log| format!("building the SPIR-V of `{name}`: {log}"))?
            };
            let kernel = match (variant, spec) {
                (2, Some(spec)) => Kernel::create(&program, spec.name)?,
                _ => Kernel::create(&program, name)?,
            };
            let mut index = 0u32;
            let mut set = |value: &dyn Fn(&Kernel, u32) -> opencl3::Result<()>| -> R<()> {
                value(&kernel, index)?;
                index += 1;
                Ok(())
            };
            let spv = variant == 2;
            for arg in args(variant) {
                // SAFETY (every set_arg below): each kernel's parameter list matches the
                // arguments given for it: pointers to buffers of the right element type, 64-bit
                // lengths, offsets and strides, scalars of the right width.
                match arg {
                    Arg::Buf(m, len) => {
                        set(&|k, i| unsafe { k.set_arg(i, &m) })?;
                        if spv {
                            set(&|k, i| unsafe { k.set_arg(i, &0u64) })?;
                            set(&|k, i| unsafe { k.set_arg(i, &len) })?;
                            set(&|k, i| unsafe { k.set_arg(i, &1i64) })?;
                        }
                    }
                    Arg::Len(v) => {
                        if !spv {
                            set(&|k, i| unsafe { k.set_arg(i, &v) })?;
                        }
                    }
                    Arg::U64(v) => set(&|k, i| unsafe { k.set_arg(i, &v) })?,
                    Arg::F32(v) => set(&|k, i| unsafe { k.set_arg(i, &v) })?,
                    Arg::F64(v) => set(&|k, i| unsafe { k.set_arg(i, &v) })?,
                    Arg::Local { elem, len } => {
                        set(&|k, i| unsafe { k.set_arg_local_buffer(i, elem * len) })?;
                        if spv {
                            set(&|k, i| unsafe { k.set_arg(i, &(len as u64)) })?;
                        }
                    }
                }
            }
            kernels.push(kernel);
        }
        kernels
            .try_into()
            .map_err(|_| "one kernel per variant".into())
    }

    /// Runs `kernel` once and returns its profiled device time in seconds.
    fn run(&self, kernel: &Kernel, global: &[usize], local: Option<&[usize]>) -> R<f64> {
        let dims = u32::try_from(global.len())?;
        let local_ptr = local.map_or(ptr::null(), <[usize]>::as_ptr);
        if let Some(local) = local {
            assert_eq!(local.len(), global.len());
        }
        // SAFETY: the kernel's arguments are all set; `global` and `local` have `dims` entries.
        let event = unsafe {
            self.queue.enqueue_nd_range_kernel(
                kernel.get(),
                dims,
                ptr::null(),
                global.as_ptr(),
                local_ptr,
                &[],
            )?
        };
        event.wait()?;
        let (start, end) = (
            event.profiling_command_start()?,
            event.profiling_command_end()?,
        );
        Ok(end.saturating_sub(start) as f64 * 1e-9)
    }

    /// `clEnqueueCopyBuffer` of the whole of `src` into `dst`; its profiled time in seconds.
    fn copy_buffer(&self, src: &Buffer<f32>, dst: &mut Buffer<f32>, bytes: usize) -> R<f64> {
        // SAFETY: both buffers hold at least `bytes` bytes and do not overlap.
        let event = unsafe { self.queue.enqueue_copy_buffer(src, dst, 0, 0, bytes, &[])? };
        event.wait()?;
        let (start, end) = (
            event.profiling_command_start()?,
            event.profiling_command_end()?,
        );
        Ok(end.saturating_sub(start) as f64 * 1e-9)
    }
}

/// The profiled device time of a dpex launch, in seconds.
fn secs(event: dpex::Result<Event>) -> R<f64> {
    Ok(event?.profiling()?.duration().as_secs_f64())
}

/// Launches the safe kernel, or its unchecked twin if `$unchecked`, with the same arguments;
/// the kernel's device time in seconds.
macro_rules! launch {
    ($unchecked:expr, $safe:ident / $fast:ident, $range:expr, $args:expr) => {
        if $unchecked {
            secs($fast.launch($range, $args))
        } else {
            secs($safe.launch($range, $args))
        }
    };
}

/// The unchecked build computes exactly what the safe one does.
fn same<T: PartialEq>(what: &str, safe: &[T], unchecked: &[T]) -> R<()> {
    if safe == unchecked {
        Ok(())
    } else {
        Err(format!("{what}: the unchecked build's results differ from the safe build's").into())
    }
}

// =============================================================================================
// Measurements and statistics
// =============================================================================================

/// What one run of a workload does: bytes moved (for GB/s) or floating-point operations.
#[derive(Clone, Copy)]
enum Work {
    Bytes(f64),
    Flops(f64),
}

/// Timed repetitions of the dpex kernel and of the [`C_SIDE`] variants, in seconds, interleaved.
struct Times {
    /// The safe build (`#[kernel]`), the headline.
    dpex: Vec<f64>,
    /// The `#[kernel(unchecked)]` build.
    unchecked: Vec<f64>,
    c: [Vec<f64>; C_SIDE],
}

/// Warm-up, then rounds of dpex, unchecked, C, C nocontract, SPIR-V on the C queue (in rotating
/// order): at least
/// `config.reps` rounds, more for short kernels, as many as fit `config.budget` seconds (at most
/// 200).
fn measure(
    config: &Config,
    mut dpex_run: impl FnMut(bool) -> R<f64>,
    mut c_run: impl FnMut(usize) -> R<f64>,
) -> R<Times> {
    // Warm-up: at least one round (it builds the programs), fewer than `config.warmup` when
    // rounds are long (the safe builds of the matmuls take seconds).
    let mut round = 0.0;
    let mut warm = 0.0;
    for _ in 0..config.warmup {
        round = dpex_run(false)? + dpex_run(true)?;
        for v in 0..C_SIDE {
            round += c_run(v)?;
        }
        warm += round;
        if warm > config.budget / 4.0 {
            break;
        }
    }
    let reps = ((config.budget / round.max(1e-6)) as usize).clamp(config.reps, 200);
    let mut times = Times {
        dpex: Vec::with_capacity(reps),
        unchecked: Vec::with_capacity(reps),
        c: std::array::from_fn(|_| Vec::with_capacity(reps)),
    };
    // Each round runs every variant once; the order rotates from round to round, so that no
    // variant always follows the same one (a position in the round can carry a bias: caches,
    // thread wake-up after a long kernel).
    for round in 0..reps {
        for k in 0..2 + C_SIDE {
            match (round + k) % (2 + C_SIDE) {
                0 => times.dpex.push(dpex_run(false)?),
                1 => times.unchecked.push(dpex_run(true)?),
                v => times.c[v - 2].push(c_run(v - 2)?),
            }
        }
    }
    Ok(times)
}

/// The `q`-quantile (0..=1) of `v`, linearly interpolated.
fn quantile(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return f64::NAN;
    }
    let pos = q * (s.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
}

fn median(v: &[f64]) -> f64 {
    quantile(v, 0.5)
}

/// dpex / C over the pairs of one round: median and interquartile range.
#[derive(Clone, Copy)]
struct Ratio {
    median: f64,
    q1: f64,
    q3: f64,
}

fn ratio(dpex: &[f64], c: &[f64]) -> Ratio {
    let r: Vec<f64> = dpex.iter().zip(c).map(|(d, c)| d / c).collect();
    Ratio {
        median: median(&r),
        q1: quantile(&r, 0.25),
        q3: quantile(&r, 0.75),
    }
}

/// One row of the results.
struct Row {
    name: &'static str,
    size: String,
    work: Work,
    /// Reports its fraction of the copy bandwidth (saxpy, triad, stencil are the targets).
    bandwidth_bound: bool,
    times: Times,
    /// The largest difference between the dpex and the C results, as described by `check`.
    max_error: f64,
    check: String,
}

impl Row {
    fn throughput(&self, seconds: f64) -> f64 {
        match self.work {
            Work::Bytes(b) | Work::Flops(b) => b / seconds / 1e9,
        }
    }

    fn unit(&self) -> &'static str {
        match self.work {
            Work::Bytes(_) => "GB/s",
            Work::Flops(_) => "GFLOP/s",
        }
    }
}

/// Largest `|a - b| / max(|b|, floor)` over the elements; fails if above `tolerance`.
fn compare_f32(what: &str, a: &[f32], b: &[f32], floor: f64, tolerance: f64) -> R<f64> {
    if a.len() != b.len() {
        return Err(format!("{what}: {} values against {}", a.len(), b.len()).into());
    }
    let mut worst = 0.0f64;
    let mut at = 0;
    for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
        let e = (f64::from(x) - f64::from(y)).abs() / f64::from(y).abs().max(floor);
        // NaN counts as the worst difference.
        if e.is_nan() || e > worst {
            worst = e;
            at = i;
        }
    }
    if worst.is_nan() || worst > tolerance {
        return Err(format!(
            "{what}: dpex and C differ by {worst:.3e} (relative) at {at}: {} against {}",
            a[at], b[at]
        )
        .into());
    }
    Ok(worst)
}

fn random_f32(n: usize, lo: f32, hi: f32, seed: u64) -> Vec<f32> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(lo..hi)).collect()
}

// =============================================================================================
// The workloads
// =============================================================================================

/// The C side of a workload for [`Bench::check_and_measure_f32`]: its kernels (one per
/// variant), their global and local range, and their output buffers.
/// Overwrites every element of `t` with `value` (before a C-side run that must write them all).
fn poison<T: dpex::Element>(t: &mut Tensor<T>, value: T) -> R<()> {
    t.copy_from_host(&vec![value; t.len()])?;
    Ok(())
}

struct CRun<'a> {
    kernels: &'a [Kernel; C_SIDE],
    global: &'a [usize],
    local: Option<&'a [usize]>,
    out: &'a [Buffer<f32>; C_SIDE],
}

struct Bench<'a> {
    config: &'a Config,
    queue: Queue,
    cl: Cl,
    dump: PathBuf,
}

impl Bench<'_> {
    /// Writes the SPIR-V disassembly of the safe and the unchecked build of a dpex kernel and
    /// the C source next to each other.
    fn dump(&self, name: &str, specs: [Option<&KernelSpec>; 2], c: &str) -> R<()> {
        for (spec, suffix) in specs.into_iter().zip(["", "_unchecked"]) {
            if let Some(spec) = spec {
                let text = dpex_spirv::disasm::disassemble(spec.spirv)
                    .map_err(|e| format!("disassembling {name}: {e:?}"))?;
                std::fs::write(self.dump.join(format!("{name}{suffix}.spvasm")), text)?;
            }
        }
        std::fs::write(self.dump.join(format!("{name}.cl")), c)?;
        Ok(())
    }

    /// The checks and timings of a workload with one f32 output `out`: the safe build's result
    /// (`run(false, ..)`), the unchecked build's (`run(true, ..)`, after `out` is reset to
    /// `reset` if given) must equal it exactly, and each C variant's must agree within
    /// [`compare_f32`]`(.., floor, tolerance)`; then [`measure`]. Returns the times and the
    /// largest relative difference to C.
    fn check_and_measure_f32(
        &self,
        name: &str,
        out: &mut Tensor<f32>,
        mut run: impl FnMut(bool, &mut Tensor<f32>) -> R<f64>,
        reset: Option<&[f32]>,
        c: CRun<'_>,
        (floor, tolerance): (f64, f64),
    ) -> R<(Times, f64)> {
        run(false, out)?;
        let got = out.to_vec()?;
        if let Some(initial) = reset {
            out.copy_from_host(initial)?;
        }
        run(true, out)?;
        same(name, &got, &out.to_vec()?)?;
        let mut err = 0.0f64;
        for (v, kernel) in c.kernels.iter().enumerate() {
            // The C side writes into `out` too: start it from the input (or from NaN, so that a
            // variant that writes nothing fails the comparison).
            match reset {
                Some(initial) => out.copy_from_host(initial)?,
                None => poison(out, f32::NAN)?,
            }
            self.cl.run(kernel, c.global, c.local)?;
            let want = self.cl.read(&c.out[v], got.len())?;
            err = err.max(compare_f32(name, &got, &want, floor, tolerance)?);
        }
        let times = measure(
            self.config,
            |u| run(u, out),
            |v| self.cl.run(&c.kernels[v], c.global, c.local),
        )?;
        Ok((times, err))
    }

    fn saxpy(&self) -> R<Row> {
        let n = self.config.size(1 << 24, 1 << 22);
        let a = 2.5f32;
        let (hx, hy) = (
            random_f32(n, -100.0, 100.0, 1),
            random_f32(n, -100.0, 100.0, 2),
        );
        let q = &self.queue;
        let x = Tensor::from_slice(q, &hx)?;
        let mut y = Tensor::from_slice(q, &hy)?;
        let (cx, cy) = (self.cl.shared(&x)?, self.cl.shared(&y)?);
        let ks = self
            .cl
            .kernels(C_SAXPY, saxpy_unchecked.spec_for(&[]), "saxpy", |v| {
                vec![Arg::F32(a), Arg::buf(&cx[v]), Arg::buf(&cy[v])]
            })?;
        self.dump(
            "saxpy",
            [saxpy.spec_for(&[]), saxpy_unchecked.spec_for(&[])],
            C_SAXPY,
        )?;
        let range = Range::new([n]);
        let run =
            |u: bool, y: &mut Tensor<f32>| launch!(u, saxpy / saxpy_unchecked, range, (a, &x, y));
        let c = CRun {
            kernels: &ks,
            global: &[n],
            local: None,
            out: &cy,
        };
        // Values up to ~350 from terms up to ~250: relative to a floor of 100, so that FMA
        // contraction in the C build (one rounding less) passes.
        let (times, err) =
            self.check_and_measure_f32("saxpy", &mut y, run, Some(&hy), c, (100.0, 1e-6))?;
        Ok(Row {
            name: "saxpy",
            size: format!("f32 n=2^{}", n.trailing_zeros()),
            work: Work::Bytes(12.0 * n as f64),
            bandwidth_bound: true,
            times,
            max_error: err,
            check: "rel. (floor 100)".into(),
        })
    }

    fn triad(&self) -> R<Row> {
        let n = self.config.size(1 << 24, 1 << 22);
        let s = 3.0f64;
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let hb: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
        let hc: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
        let q = &self.queue;
        let (b, c) = (Tensor::from_slice(q, &hb)?, Tensor::from_slice(q, &hc)?);
        let mut a = Tensor::<f64>::zeros(q, n)?;
        let (cb, cc) = (self.cl.shared(&b)?, self.cl.shared(&c)?);
        let ca = self.cl.shared(&a)?;
        let ks = self
            .cl
            .kernels(C_TRIAD, triad_unchecked.spec_for(&[]), "triad", |v| {
                vec![
                    Arg::F64(s),
                    Arg::buf(&ca[v]),
                    Arg::buf(&cb[v]),
                    Arg::buf(&cc[v]),
                ]
            })?;
        self.dump(
            "triad",
            [triad.spec_for(&[]), triad_unchecked.spec_for(&[])],
            C_TRIAD,
        )?;
        let range = Range::new([n]);
        let run = |u: bool, a: &mut Tensor<f64>| {
            launch!(u, triad / triad_unchecked, range, (s, a, &b, &c))
        };
        run(false, &mut a)?;
        let got = a.to_vec()?;
        run(true, &mut a)?;
        same("triad", &got, &a.to_vec()?)?;
        let mut err = 0.0f64;
        for (v, kernel) in ks.iter().enumerate() {
            poison(&mut a, f64::NAN)?;
            self.cl.run(kernel, &[n], None)?;
            for (x, y) in got.iter().zip(&self.cl.read(&ca[v], n)?) {
                err = err.max((x - y).abs() / y.abs().max(1.0));
            }
        }
        if err > 1e-12 {
            return Err(format!("triad: dpex and C differ by {err:e}").into());
        }
        let times = measure(
            self.config,
            |u| run(u, &mut a),
            |v| self.cl.run(&ks[v], &[n], None),
        )?;
        Ok(Row {
            name: "triad",
            size: format!("f64 n=2^{}", n.trailing_zeros()),
            work: Work::Bytes(24.0 * n as f64),
            bandwidth_bound: true,
            times,
            max_error: err,
            check: "rel. (floor 1)".into(),
        })
    }

    /// The element count of the copies of the ceiling: 256 MiB of f32 (64 MiB in quick mode).
    fn copy_len(&self) -> usize {
        self.config.size(1 << 26, 1 << 24)
    }

    fn copy_kernel(&self) -> R<Row> {
        let n = self.copy_len();
        let h = random_f32(n, -1.0, 1.0, 4);
        let q = &self.queue;
        let src = Tensor::from_slice(q, &h)?;
        let mut dst = Tensor::<f32>::zeros(q, n)?;
        let csrc = self.cl.shared(&src)?;
        let cdst = self.cl.shared(&dst)?;
        let ks = self
            .cl
            .kernels(C_COPY, copy_unchecked.spec_for(&[]), "copy", |v| {
                vec![Arg::buf(&csrc[v]), Arg::buf(&cdst[v])]
            })?;
        self.dump(
            "copy",
            [copy.spec_for(&[]), copy_unchecked.spec_for(&[])],
            C_COPY,
        )?;
        let range = Range::new([n]);
        let run =
            |u: bool, dst: &mut Tensor<f32>| launch!(u, copy / copy_unchecked, range, (&src, dst));
        let c = CRun {
            kernels: &ks,
            global: &[n],
            local: None,
            out: &cdst,
        };
        let (times, _) = self.check_and_measure_f32("copy", &mut dst, run, None, c, (1.0, 0.0))?;
        Ok(Row {
            name: "copy kernel",
            size: format!("f32 {} MiB", (n * 4) >> 20),
            work: Work::Bytes(8.0 * n as f64),
            bandwidth_bound: true,
            times,
            max_error: 0.0,
            check: "exact".into(),
        })
    }

    /// `clEnqueueCopyBuffer` of the same size as the copy kernel: C side only.
    fn copy_buffer(&self) -> R<Vec<f64>> {
        let n = self.copy_len();
        let h = random_f32(n, -1.0, 1.0, 5);
        let src = self.cl.buffer(&h)?;
        let mut dst = self.cl.buffer(&vec![0.0f32; n])?;
        self.cl.copy_buffer(&src, &mut dst, 4 * n)?;
        if self.cl.read(&dst, n)? != h {
            return Err("clEnqueueCopyBuffer copied wrong values".into());
        }
        for _ in 0..self.config.warmup {
            self.cl.copy_buffer(&src, &mut dst, 4 * n)?;
        }
        (0..self.config.reps)
            .map(|_| self.cl.copy_buffer(&src, &mut dst, 4 * n))
            .collect()
    }

    fn black_scholes(&self) -> R<Row> {
        let n = self.config.size(1 << 22, 1 << 20);
        let (rate, vol) = (0.02f32, 0.30f32);
        let hp = random_f32(n, 5.0, 30.0, 6);
        let hk = random_f32(n, 1.0, 100.0, 7);
        let ht = random_f32(n, 0.25, 10.0, 8);
        let q = &self.queue;
        let (p, k, t) = (
            Tensor::from_slice(q, &hp)?,
            Tensor::from_slice(q, &hk)?,
            Tensor::from_slice(q, &ht)?,
        );
        let mut call = Tensor::<f32>::zeros(q, n)?;
        let mut put = Tensor::<f32>::zeros(q, n)?;
        let (cp, ck, ct) = (
            self.cl.shared(&p)?,
            self.cl.shared(&k)?,
            self.cl.shared(&t)?,
        );
        let ccall = self.cl.shared(&call)?;
        let cput = self.cl.shared(&put)?;
        let ks = self.cl.kernels(
            C_BLACK_SCHOLES,
            black_scholes_unchecked.spec_for(&[DType::F32]),
            "black_scholes",
            |v| {
                vec![
                    Arg::F32(rate),
                    Arg::F32(vol),
                    Arg::buf(&cp[v]),
                    Arg::buf(&ck[v]),
                    Arg::buf(&ct[v]),
                    Arg::buf(&ccall[v]),
                    Arg::buf(&cput[v]),
                ]
            },
        )?;
        self.dump(
            "black_scholes",
            [
                black_scholes.spec_for(&[DType::F32]),
                black_scholes_unchecked.spec_for(&[DType::F32]),
            ],
            C_BLACK_SCHOLES,
        )?;
        let range = Range::new([n]);
        let run = |u: bool, call: &mut Tensor<f32>, put: &mut Tensor<f32>| {
            let args = (rate, vol, &p, &k, &t, call, put);
            launch!(u, black_scholes / black_scholes_unchecked, range, args)
        };
        run(false, &mut call, &mut put)?;
        let (got_call, got_put) = (call.to_vec()?, put.to_vec()?);
        run(true, &mut call, &mut put)?;
        same("black_scholes call", &got_call, &call.to_vec()?)?;
        same("black_scholes put", &got_put, &put.to_vec()?)?;
        let mut err = 0.0f64;
        for (v, kernel) in ks.iter().enumerate() {
            poison(&mut call, f32::NAN)?;
            poison(&mut put, f32::NAN)?;
            self.cl.run(kernel, &[n], None)?;
            // Prices are differences of terms up to ~100 (f32 ulp ~1e-5): relative to a floor
            // of 1, so that near-zero prices of deep out-of-the-money options compare
            // absolutely.
            let want_call = self.cl.read(&ccall[v], n)?;
            let want_put = self.cl.read(&cput[v], n)?;
            err = err.max(compare_f32(
                "black_scholes call",
                &got_call,
                &want_call,
                1.0,
                1e-4,
            )?);
            err = err.max(compare_f32(
                "black_scholes put",
                &got_put,
                &want_put,
                1.0,
                1e-4,
            )?);
        }
        let times = measure(
            self.config,
            |u| run(u, &mut call, &mut put),
            |v| self.cl.run(&ks[v], &[n], None),
        )?;
        Ok(Row {
            name: "black_scholes",
            size: format!("f32 n=2^{}", n.trailing_zeros()),
            work: Work::Bytes(20.0 * n as f64),
            bandwidth_bound: false,
            times,
            max_error: err,
            check: "rel. (floor 1)".into(),
        })
    }

    fn pairwise(&self) -> R<Row> {
        let n = self.config.size(4096, 2048);
        let hp = random_f32(3 * n, -100.0, 100.0, 9);
        let q = &self.queue;
        let points = Tensor::from_slice(q, &hp)?;
        let mut d = Tensor::<f32>::zeros(q, n * n)?;
        let cpts = self.cl.shared(&points)?;
        let cd = self.cl.shared(&d)?;
        let ks = self.cl.kernels(
            C_PAIRWISE,
            pairwise_distance_unchecked.spec_for(&[]),
            "pairwise_distance",
            |v| vec![Arg::buf(&cpts[v]), Arg::buf(&cd[v])],
        )?;
        self.dump(
            "pairwise_distance",
            [
                pairwise_distance.spec_for(&[]),
                pairwise_distance_unchecked.spec_for(&[]),
            ],
            C_PAIRWISE,
        )?;
        let range = Range::new([n, n]);
        let run = |u: bool, d: &mut Tensor<f32>| {
            launch!(
                u,
                pairwise_distance / pairwise_distance_unchecked,
                range,
                (&points, d)
            )
        };
        let c = CRun {
            kernels: &ks,
            global: &[n, n],
            local: None,
            out: &cd,
        };
        let (times, err) =
            self.check_and_measure_f32("pairwise_distance", &mut d, run, None, c, (1.0, 1e-5))?;
        Ok(Row {
            name: "pairwise_distance",
            size: format!("f32 {n} points 3-D"),
            // The n x n distances written; the 3n point coordinates come from cache.
            work: Work::Bytes(4.0 * (n * n) as f64),
            bandwidth_bound: true,
            times,
            max_error: err,
            check: "rel. (floor 1)".into(),
        })
    }

    fn matmul(&self, tiled: bool) -> R<Row> {
        let n = self.config.size(1024, 512);
        let name = if tiled {
            "matmul_tiled"
        } else {
            "matmul_naive"
        };
        let ha = random_f32(n * n, -1.0, 1.0, 10);
        let hb = random_f32(n * n, -1.0, 1.0, 11);
        let q = &self.queue;
        let (a, b) = (Tensor::from_slice(q, &ha)?, Tensor::from_slice(q, &hb)?);
        let mut c = Tensor::<f32>::zeros(q, n * n)?;
        let (ca, cb) = (self.cl.shared(&a)?, self.cl.shared(&b)?);
        let cc = self.cl.shared(&c)?;
        let nn = n as u64;
        let source = if tiled {
            self.dump(
                name,
                [
                    matmul_tiled.spec_for(&[]),
                    matmul_tiled_unchecked.spec_for(&[]),
                ],
                C_MATMUL_TILED,
            )?;
            C_MATMUL_TILED
        } else {
            self.dump(
                name,
                [
                    matmul_naive.spec_for(&[]),
                    matmul_naive_unchecked.spec_for(&[]),
                ],
                C_MATMUL_NAIVE,
            )?;
            C_MATMUL_NAIVE
        };
        let spec = if tiled {
            matmul_tiled_unchecked.spec_for(&[])
        } else {
            matmul_naive_unchecked.spec_for(&[])
        };
        let ks = self.cl.kernels(source, spec, name, |v| {
            // The tiled kernel takes m, k, n; the naive one k, n.
            let mut args = if tiled { vec![Arg::U64(nn)] } else { vec![] };
            args.extend([
                Arg::U64(nn),
                Arg::U64(nn),
                Arg::buf(&ca[v]),
                Arg::buf(&cb[v]),
                Arg::buf(&cc[v]),
            ]);
            args
        })?;
        let (global, local) = if tiled {
            let g = n.div_ceil(16) * 16;
            ([g, g], Some(&[16, 16][..]))
        } else {
            ([n, n], None)
        };
        let run = |u: bool, c: &mut Tensor<f32>| {
            if tiled {
                let range = NdRange::new(global, [16, 16]);
                launch!(
                    u,
                    matmul_tiled / matmul_tiled_unchecked,
                    range,
                    (n, n, n, &a, &b, c)
                )
            } else {
                let range = Range::new(global);
                launch!(
                    u,
                    matmul_naive / matmul_naive_unchecked,
                    range,
                    (n, n, &a, &b, c)
                )
            }
        };
        let c_run = CRun {
            kernels: &ks,
            global: &global,
            local,
            out: &cc,
        };
        // Entries are sums of n products of values in [-1, 1] (|c| ~ sqrt(n) / 3).
        let (times, err) =
            self.check_and_measure_f32(name, &mut c, run, None, c_run, (1.0, 1e-4))?;
        Ok(Row {
            name,
            size: format!("f32 {n}x{n}"),
            work: Work::Flops(2.0 * (n as f64).powi(3)),
            bandwidth_bound: false,
            times,
            max_error: err,
            check: "rel. (floor 1)".into(),
        })
    }

    fn reduction(&self) -> R<Row> {
        let n = self.config.size(1 << 24, 1 << 22);
        let (groups, local) = (1024usize, 256usize);
        let h = random_f32(n, 0.0, 1.0, 12);
        let q = &self.queue;
        let x = Tensor::from_slice(q, &h)?;
        let mut partial = Tensor::<f32>::zeros(q, groups)?;
        let mut total = Tensor::<f32>::zeros(q, 1)?;
        let cx = self.cl.shared(&x)?;
        let cpartial = self.cl.shared(&partial)?;
        let ctotal = self.cl.shared(&total)?;
        let first = self.cl.kernels(
            C_REDUCE,
            reduce_sum_unchecked.spec_for(&[]),
            "reduce_sum",
            |v| {
                vec![
                    Arg::buf(&cx[v]),
                    Arg::Len(n as u64),
                    Arg::buf(&cpartial[v]),
                    Arg::Local {
                        elem: 4,
                        len: local,
                    },
                ]
            },
        )?;
        let second = self.cl.kernels(
            C_REDUCE,
            reduce_sum_unchecked.spec_for(&[]),
            "reduce_sum",
            |v| {
                vec![
                    Arg::buf(&cpartial[v]),
                    Arg::Len(groups as u64),
                    Arg::buf(&ctotal[v]),
                    Arg::Local {
                        elem: 4,
                        len: local,
                    },
                ]
            },
        )?;
        self.dump(
            "reduce_sum",
            [reduce_sum.spec_for(&[]), reduce_sum_unchecked.spec_for(&[])],
            C_REDUCE,
        )?;
        let run = |u: bool, partial: &mut Tensor<f32>, total: &mut Tensor<f32>| -> R<f64> {
            let range = NdRange::new([groups * local], [local]);
            let args = (&x, &mut *partial, LocalAccessor::new(local));
            let t1 = launch!(u, reduce_sum / reduce_sum_unchecked, range, args)?;
            let range = NdRange::new([local], [local]);
            let args = (&*partial, total, LocalAccessor::new(local));
            let t2 = launch!(u, reduce_sum / reduce_sum_unchecked, range, args)?;
            Ok(t1 + t2)
        };
        let c_run = |v: usize| -> R<f64> {
            let t1 = self.cl.run(&first[v], &[groups * local], Some(&[local]))?;
            let t2 = self.cl.run(&second[v], &[local], Some(&[local]))?;
            Ok(t1 + t2)
        };
        run(false, &mut partial, &mut total)?;
        let got = total.to_vec()?;
        run(true, &mut partial, &mut total)?;
        same("reduce_sum", &got, &total.to_vec()?)?;
        let mut err = 0.0f64;
        for (v, ctotal) in ctotal.iter().enumerate() {
            poison(&mut partial, f32::NAN)?;
            poison(&mut total, f32::NAN)?;
            c_run(v)?;
            err = err.max(compare_f32(
                "reduce_sum",
                &got,
                &self.cl.read(ctotal, 1)?,
                1.0,
                1e-6,
            )?);
        }
        let times = measure(self.config, |u| run(u, &mut partial, &mut total), c_run)?;
        Ok(Row {
            name: "reduction",
            size: format!("f32 n=2^{}", n.trailing_zeros()),
            work: Work::Bytes(4.0 * n as f64),
            bandwidth_bound: true,
            times,
            max_error: err,
            check: "rel. (2 launches)".into(),
        })
    }

    fn histogram(&self) -> R<Row> {
        let n = self.config.size(1 << 24, 1 << 22);
        let (groups, local) = (256usize, 256usize);
        let mut rng = rand::rngs::StdRng::seed_from_u64(13);
        // As in the example: a quarter of the values in one bin, the rest bell-shaped.
        let h: Vec<u8> = (0..n)
            .map(|_| {
                if rng.random_bool(0.25) {
                    0x20
                } else {
                    (0..4).map(|_| rng.random_range(0..64u32)).sum::<u32>() as u8
                }
            })
            .collect();
        let q = &self.queue;
        let data = Tensor::from_slice(q, &h)?;
        let mut bins = Tensor::<u32>::zeros(q, 256)?;
        let cdata = self.cl.shared(&data)?;
        let cbins = self.cl.shared(&bins)?;
        let ks = self.cl.kernels(
            C_HISTOGRAM,
            histogram_256_unchecked.spec_for(&[]),
            "histogram_256",
            |v| vec![Arg::buf(&cdata[v]), Arg::Len(n as u64), Arg::buf(&cbins[v])],
        )?;
        self.dump(
            "histogram_256",
            [
                histogram_256.spec_for(&[]),
                histogram_256_unchecked.spec_for(&[]),
            ],
            C_HISTOGRAM,
        )?;
        let range = NdRange::new([groups * local], [local]);
        let run = |u: bool, bins: &mut Tensor<u32>| {
            launch!(
                u,
                histogram_256 / histogram_256_unchecked,
                range,
                (&data, bins)
            )
        };
        run(false, &mut bins)?;
        let got = bins.to_vec()?;
        bins.copy_from_host(&[0; 256])?;
        run(true, &mut bins)?;
        same("histogram", &got, &bins.to_vec()?)?;
        let mut host = [0u32; 256];
        for &v in &h {
            host[usize::from(v)] += 1;
        }
        if got != host {
            return Err("histogram: the dpex counts differ from the host's".into());
        }
        for (v, kernel) in ks.iter().enumerate() {
            bins.copy_from_host(&[0; 256])?;
            self.cl.run(kernel, &[groups * local], Some(&[local]))?;
            if self.cl.read(&cbins[v], 256)? != host {
                return Err("histogram: the C counts differ from the host's".into());
            }
        }
        // Later runs (of every variant: they share the bins) keep adding to the bins: fine for
        // timing (a count that overflows wraps).
        let times = measure(
            self.config,
            |u| run(u, &mut bins),
            |v| self.cl.run(&ks[v], &[groups * local], Some(&[local])),
        )?;
        Ok(Row {
            name: "histogram",
            size: format!("u8 n=2^{} 256 bins", n.trailing_zeros()),
            work: Work::Bytes(n as f64),
            bandwidth_bound: false,
            times,
            max_error: 0.0,
            check: "exact (and = host)".into(),
        })
    }

    fn stencil(&self) -> R<Row> {
        let side = self.config.size(4096, 2048);
        let (c, w) = (0.6f32, 0.1f32);
        let h = random_f32(side * side, -10.0, 10.0, 14);
        let q = &self.queue;
        let x = Tensor::from_slice(q, &h)?;
        let mut out = Tensor::<f32>::zeros(q, side * side)?;
        let cx = self.cl.shared(&x)?;
        let cout = self.cl.shared(&out)?;
        let s = side as u64;
        let ks = self
            .cl
            .kernels(C_STENCIL, stencil_unchecked.spec_for(&[]), "stencil", |v| {
                vec![
                    Arg::U64(s),
                    Arg::U64(s),
                    Arg::F32(c),
                    Arg::F32(w),
                    Arg::buf(&cx[v]),
                    Arg::buf(&cout[v]),
                ]
            })?;
        self.dump(
            "stencil",
            [stencil.spec_for(&[]), stencil_unchecked.spec_for(&[])],
            C_STENCIL,
        )?;
        let range = Range::new([side, side]);
        let run = |u: bool, out: &mut Tensor<f32>| {
            let args = (side, side, c, w, &x, out);
            launch!(u, stencil / stencil_unchecked, range, args)
        };
        let c_run = CRun {
            kernels: &ks,
            global: &[side, side],
            local: None,
            out: &cout,
        };
        let (times, err) =
            self.check_and_measure_f32("stencil", &mut out, run, None, c_run, (10.0, 1e-6))?;
        Ok(Row {
            name: "stencil",
            size: format!("f32 {side}x{side} 5-point"),
            // Ideal traffic: each cell read once (neighbours from cache) and written once.
            work: Work::Bytes(8.0 * (side * side) as f64),
            bandwidth_bound: true,
            times,
            max_error: err,
            check: "rel. (floor 10)".into(),
        })
    }
}

// =============================================================================================
// Reporting: table, JSON, SVG
// =============================================================================================

/// The copy-bandwidth ceiling measured in this run.
struct Ceiling {
    /// `clEnqueueCopyBuffer` times (seconds) and bytes moved per copy (read + write).
    copy_buffer: Vec<f64>,
    bytes: f64,
    /// Median GB/s of `clEnqueueCopyBuffer` and of the C copy kernel.
    copy_buffer_gbs: f64,
    copy_kernel_gbs: f64,
}

impl Ceiling {
    /// The best of the two measured copy bandwidths.
    fn gbs(&self) -> f64 {
        self.copy_buffer_gbs.max(self.copy_kernel_gbs)
    }
}

fn ms(seconds: f64) -> f64 {
    seconds * 1e3
}

/// `/proc/loadavg`'s 1-, 5- and 15-minute load averages: other load on the machine widens the
/// spread of the timings.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// The headline workloads (the copy kernel is the ceiling's, not one of them).
fn headline(rows: &[Row]) -> impl Iterator<Item = &Row> {
    rows.iter().filter(|r| r.name != "copy kernel")
}

fn geomean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v.ln(), c + 1));
    if count == 0 {
        f64::NAN
    } else {
        (sum / count as f64).exp()
    }
}

/// The ratios of one row, each the median and interquartile range of per-round ratios, indexed
/// by the `R_*` constants.
fn ratios(r: &Row) -> [Ratio; 6] {
    let t = &r.times;
    [
        ratio(&t.dpex, &t.c[0]),
        ratio(&t.dpex, &t.c[1]),
        ratio(&t.unchecked, &t.c[0]),
        ratio(&t.c[2], &t.c[0]),
        ratio(&t.unchecked, &t.c[2]),
        ratio(&t.dpex, &t.unchecked),
    ]
}

/// dpex (safe build) / C: the headline.
const R_DPEX_C: usize = 0;
/// dpex / C built with `FP_CONTRACT OFF`.
const R_DPEX_CNC: usize = 1;
/// dpex unchecked / C.
const R_UNCHECKED_C: usize = 2;
/// dpex's (unchecked) SPIR-V built and launched on the C side / C: the code dpex emits.
const R_SPV_C: usize = 3;
/// dpex unchecked / the same SPIR-V on the C side: the dpex runtime (launch, queue, context).
const R_UNCHECKED_SPV: usize = 4;
/// dpex safe / unchecked: the cost of the run-time checks.
const R_SAFE_UNCHECKED: usize = 5;

/// The fastest dpex run over the fastest C run: the least disturbed by other load on the
/// machine, a check on the medians.
fn best_ratio(r: &Row) -> f64 {
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    min(&r.times.dpex) / min(&r.times.c[0])
}

/// `1.000 [0.990, 1.010]`.
fn show(r: Ratio) -> String {
    format!("{:.3} [{:.3}, {:.3}]", r.median, r.q1, r.q3)
}

/// The fraction of the copy bandwidth a bandwidth-bound row's dpex kernel reaches.
fn fraction(r: &Row, ceiling: Option<&Ceiling>) -> Option<f64> {
    match (r.work, ceiling) {
        (Work::Bytes(_), Some(c)) if r.bandwidth_bound => {
            Some(r.throughput(median(&r.times.dpex)) / c.gbs())
        }
        _ => None,
    }
}

fn table(rows: &[Row], ceiling: Option<&Ceiling>) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{:<18} {:<20} {:>4} {:>9} {:>9} {:>9} {:>9} {:>9}  {:<21} {:<21} {:<21} {:<21} {:<21} {:>5} {:>8} {:>8} {:<7} {:>5} {:>7}",
        "workload",
        "size",
        "reps",
        "dpex ms",
        "unchk ms",
        "C ms",
        "C-nc ms",
        "spv ms",
        "dpex/C [q1, q3]",
        "unchk/C [q1, q3]",
        "dpex/C-nc [q1, q3]",
        "spv/C [q1, q3]",
        "unchk/spv [q1, q3]",
        "best",
        "dpex",
        "C",
        "unit",
        "%copy",
        "max err"
    );
    for r in rows {
        let d = median(&r.times.dpex);
        let rs = ratios(r);
        let frac = fraction(r, ceiling).map_or("-".into(), |f| format!("{:.0}%", 100.0 * f));
        let flag = if rs[R_DPEX_C].median > 1.05 { " *" } else { "" };
        let _ = writeln!(
            t,
            "{:<18} {:<20} {:>4} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3}  {:<21} {:<21} {:<21} {:<21} {:<21} {:>5.3} {:>8.2} {:>8.2} {:<7} {:>5} {:>7.0e}{flag}",
            r.name,
            r.size,
            r.times.dpex.len(),
            ms(d),
            ms(median(&r.times.unchecked)),
            ms(median(&r.times.c[0])),
            ms(median(&r.times.c[1])),
            ms(median(&r.times.c[2])),
            show(rs[R_DPEX_C]),
            show(rs[R_UNCHECKED_C]),
            show(rs[R_DPEX_CNC]),
            show(rs[R_SPV_C]),
            show(rs[R_UNCHECKED_SPV]),
            best_ratio(r),
            r.throughput(d),
            r.throughput(median(&r.times.c[0])),
            r.unit(),
            frac,
            r.max_error,
        );
    }
    if let Some(c) = ceiling {
        let _ = writeln!(
            t,
            "{:<18} {:<20} {:>4} {:>9} {:>9} {:>9.3} {:>9} {:>9}  {:<21} {:<21} {:<21} {:<21} {:<21} {:>5} {:>8} {:>8.2} {:<7}",
            "clEnqueueCopyBuffer",
            format!("{} MiB", (c.bytes as usize / 2) >> 20),
            c.copy_buffer.len(),
            "-",
            "-",
            ms(median(&c.copy_buffer)),
            "-",
            "-",
            "-",
            "-",
            "-",
            "-",
            "-",
            "-",
            "-",
            c.copy_buffer_gbs,
            "GB/s",
        );
    }
    let heads: Vec<&Row> = headline(rows).collect();
    if !heads.is_empty() {
        let g = |k: usize| geomean(heads.iter().map(|r| ratios(r)[k].median));
        let _ = writeln!(
            t,
            "geometric mean of the median ratios over {} workloads: dpex/C {:.3}, unchk/C {:.3}, dpex/C-nc {:.3}, spv/C {:.3}, unchk/spv {:.3}, dpex/unchk {:.3}",
            heads.len(),
            g(R_DPEX_C),
            g(R_UNCHECKED_C),
            g(R_DPEX_CNC),
            g(R_SPV_C),
            g(R_UNCHECKED_SPV),
            g(R_SAFE_UNCHECKED),
        );
    }
    if let Some(c) = ceiling {
        let _ = writeln!(
            t,
            "copy-bandwidth ceiling: {:.2} GB/s (clEnqueueCopyBuffer {:.2} GB/s, C copy kernel {:.2} GB/s; read + write bytes)",
            c.gbs(),
            c.copy_buffer_gbs,
            c.copy_kernel_gbs
        );
    }
    t
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        "null".into()
    }
}

fn json_list(v: &[f64], scale: f64) -> String {
    let items: Vec<String> = v.iter().map(|x| json_num(x * scale)).collect();
    format!("[{}]", items.join(", "))
}

fn json_ratio(r: Ratio) -> String {
    format!(
        "{{\"median\": {}, \"q1\": {}, \"q3\": {}}}",
        json_num(r.median),
        json_num(r.q1),
        json_num(r.q3)
    )
}

struct Machine {
    cpu: String,
    cores: usize,
    device: String,
    vendor: String,
    driver: String,
}

fn json(
    load: [&str; 2],
    machine: &Machine,
    config: &Config,
    rows: &[Row],
    ceiling: Option<&Ceiling>,
    elapsed: f64,
) -> String {
    let mut j = String::from("{\n");
    let _ = writeln!(
        j,
        "  \"machine\": {{\"cpu\": {}, \"cores\": {}, \"device\": {}, \"vendor\": {}, \"driver\": {}}},",
        json_str(&machine.cpu),
        machine.cores,
        json_str(&machine.device),
        json_str(&machine.vendor),
        json_str(&machine.driver)
    );
    let _ = writeln!(
        j,
        "  \"mode\": {}, \"reps\": {}, \"warmup\": {}, \"elapsed_s\": {},",
        json_str(if config.quick { "quick" } else { "full" }),
        config.reps,
        config.warmup,
        json_num(elapsed)
    );
    let _ = writeln!(
        j,
        "  \"load_average\": {{\"start\": {}, \"end\": {}}},",
        json_str(load[0]),
        json_str(load[1])
    );
    let _ = writeln!(
        j,
        "  \"build\": {},",
        json_str("dpex: #[kernel], the default safe build with run-time checks; unchecked: #[kernel(unchecked)]")
    );
    let _ = writeln!(
        j,
        "  \"variants\": {{\"dpex\": \"the #[kernel] (safe build) launched through dpex (its queue, context and launcher)\", \"unchecked\": \"the same body as #[kernel(unchecked)]\", \"c\": \"OpenCL C, default build options (FP contraction allowed)\", \"c_nocontract\": \"OpenCL C with #pragma OPENCL FP_CONTRACT OFF\", \"spirv_on_c_queue\": \"the unchecked build's SPIR-V built with clCreateProgramWithIL in the C context, launched on the C queue\"}},"
    );
    match ceiling {
        Some(c) => {
            let _ = writeln!(
                j,
                "  \"ceiling\": {{\"gbs\": {}, \"copy_buffer_gbs\": {}, \"copy_kernel_c_gbs\": {}, \"bytes\": {}, \"copy_buffer_ms\": {}}},",
                json_num(c.gbs()),
                json_num(c.copy_buffer_gbs),
                json_num(c.copy_kernel_gbs),
                json_num(c.bytes),
                json_list(&c.copy_buffer, 1e3)
            );
        }
        None => j.push_str("  \"ceiling\": null,\n"),
    }
    let heads: Vec<&Row> = headline(rows).collect();
    let g = |k: usize| json_num(geomean(heads.iter().map(|r| ratios(r)[k].median)));
    let _ = writeln!(
        j,
        "  \"geomean\": {{\"dpex_vs_c\": {}, \"unchecked_vs_c\": {}, \"dpex_vs_c_nocontract\": {}, \"spirv_vs_c\": {}, \"unchecked_vs_spirv\": {}, \"safe_vs_unchecked\": {}}},",
        g(R_DPEX_C),
        g(R_UNCHECKED_C),
        g(R_DPEX_CNC),
        g(R_SPV_C),
        g(R_UNCHECKED_SPV),
        g(R_SAFE_UNCHECKED),
    );
    j.push_str("  \"workloads\": [\n");
    for (i, r) in rows.iter().enumerate() {
        let t = &r.times;
        let rs = ratios(r);
        let _ = write!(
            j,
            "    {{\"name\": {}, \"size\": {}, \"unit\": {}, \"bandwidth_bound\": {}, \"reps\": {}, \
             \"median_ms\": {{\"dpex\": {}, \"unchecked\": {}, \"c\": {}, \"c_nocontract\": {}, \"spirv_on_c_queue\": {}}}, \
             \"ratio\": {{\"dpex_vs_c\": {}, \"unchecked_vs_c\": {}, \"dpex_vs_c_nocontract\": {}, \"spirv_vs_c\": {}, \"unchecked_vs_spirv\": {}, \"safe_vs_unchecked\": {}}}, \
             \"throughput\": {{\"dpex\": {}, \"unchecked\": {}, \"c\": {}, \"c_nocontract\": {}, \"spirv_on_c_queue\": {}}}, \
             \"best_ratio_dpex_vs_c\": {}, \"fraction_of_copy_bandwidth\": {}, \"max_error\": {}, \"check\": {}, \
             \"times_ms\": {{\"dpex\": {}, \"unchecked\": {}, \"c\": {}, \"c_nocontract\": {}, \"spirv_on_c_queue\": {}}}}}",
            json_str(r.name),
            json_str(&r.size),
            json_str(r.unit()),
            r.bandwidth_bound,
            t.dpex.len(),
            json_num(ms(median(&t.dpex))),
            json_num(ms(median(&t.unchecked))),
            json_num(ms(median(&t.c[0]))),
            json_num(ms(median(&t.c[1]))),
            json_num(ms(median(&t.c[2]))),
            json_ratio(rs[R_DPEX_C]),
            json_ratio(rs[R_UNCHECKED_C]),
            json_ratio(rs[R_DPEX_CNC]),
            json_ratio(rs[R_SPV_C]),
            json_ratio(rs[R_UNCHECKED_SPV]),
            json_ratio(rs[R_SAFE_UNCHECKED]),
            json_num(r.throughput(median(&t.dpex))),
            json_num(r.throughput(median(&t.unchecked))),
            json_num(r.throughput(median(&t.c[0]))),
            json_num(r.throughput(median(&t.c[1]))),
            json_num(r.throughput(median(&t.c[2]))),
            json_num(best_ratio(r)),
            fraction(r, ceiling).map_or("null".into(), json_num),
            json_num(r.max_error),
            json_str(&r.check),
            json_list(&t.dpex, 1e3),
            json_list(&t.unchecked, 1e3),
            json_list(&t.c[0], 1e3),
            json_list(&t.c[1], 1e3),
            json_list(&t.c[2], 1e3),
        );
        j.push_str(if i + 1 < rows.len() { ",\n" } else { "\n" });
    }
    j.push_str("  ]\n}\n");
    j
}

/// A horizontal bar chart of the median ratios dpex / C (both C builds) and SPIR-V on the C
/// queue / C, with their interquartile ranges, and lines at 1.0 and 1.05.
fn svg(rows: &[Row], title: &str) -> String {
    const SERIES: [(usize, &str, &str); 4] = [
        (R_DPEX_C, "#3b6fb6", "dpex / C"),
        (R_UNCHECKED_C, "#8e7cc3", "dpex unchecked / C"),
        (R_DPEX_CNC, "#e08a2c", "dpex / C (FP_CONTRACT OFF)"),
        (R_SPV_C, "#6aa84f", "dpex SPIR-V on the C queue / C"),
    ];
    let (left, right, top, bar, gap) = (150.0, 50.0, 64.0, 9.0, 12.0);
    let width = 900.0;
    let plot = width - left - right;
    let all: Vec<[Ratio; 6]> = rows.iter().map(ratios).collect();
    let biggest = all
        .iter()
        .flat_map(|r| {
            SERIES
                .iter()
                .map(move |&(k, _, _)| r[k].q3.max(r[k].median))
        })
        .filter(|v| v.is_finite())
        .fold(1.1f64, f64::max);
    let xmax = (biggest * 1.1 * 4.0).ceil() / 4.0;
    let x = |v: f64| left + plot * (v / xmax).clamp(0.0, 1.0);
    let group = SERIES.len() as f64 * bar + gap;
    let height = top + rows.len() as f64 * group + 50.0;
    let bottom = height - 40.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        s,
        r#"<rect width="100%" height="100%" fill="white"/><text x="{}" y="20" font-size="14" text-anchor="middle">{}</text>"#,
        width / 2.0,
        title.replace('&', "&amp;").replace('<', "&lt;")
    );
    for (i, (_, color, label)) in SERIES.iter().enumerate() {
        let lx = left - 100.0 + i as f64 * 200.0;
        let _ = writeln!(
            s,
            r#"<rect x="{lx}" y="30" width="12" height="10" fill="{color}"/><text x="{}" y="39">{label}</text>"#,
            lx + 16.0
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="55" font-size="11">whiskers: interquartile range of the per-round ratios; lower is better</text>"#
    );
    let mut v = 0.0;
    while v <= xmax + 1e-9 {
        let _ = writeln!(
            s,
            r##"<line x1="{0:.1}" y1="{top}" x2="{0:.1}" y2="{bottom}" stroke="#ddd"/><text x="{0:.1}" y="{1}" text-anchor="middle">{v:.2}</text>"##,
            x(v),
            bottom + 15.0
        );
        v += 0.25;
    }
    for (i, (r, rs)) in rows.iter().zip(&all).enumerate() {
        let y0 = top + i as f64 * group;
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            left - 6.0,
            y0 + 1.5 * bar + 4.0,
            r.name
        );
        for (k, &(series, color, _)) in SERIES.iter().enumerate() {
            let rr = rs[series];
            if !rr.median.is_finite() {
                continue;
            }
            let y = y0 + k as f64 * bar;
            let (w, mid) = (x(rr.median) - left, y + bar / 2.0);
            let (x1, x3) = (x(rr.q1), x(rr.q3));
            let (tx, ty) = (x(rr.q3.max(rr.median)) + 4.0, y + bar - 1.0);
            let _ = writeln!(
                s,
                r##"<rect x="{left}" y="{y}" width="{w:.1}" height="{h}" fill="{color}"/><line x1="{x1:.1}" y1="{mid:.1}" x2="{x3:.1}" y2="{mid:.1}" stroke="black"/><text x="{tx:.1}" y="{ty:.1}" font-size="9">{m:.3}</text>"##,
                h = bar - 1.0,
                m = rr.median
            );
        }
    }
    for (v, dash) in [(1.0, ""), (1.05, r#" stroke-dasharray="4 3""#)] {
        let _ = writeln!(
            s,
            r##"<line x1="{0:.1}" y1="{top}" x2="{0:.1}" y2="{bottom}" stroke="#c00"{dash}/>"##,
            x(v)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">kernel time ratio (red line: 1.0, dashed: 1.05)</text></svg>"#,
        left + plot / 2.0,
        bottom + 32.0
    );
    s
}

// =============================================================================================
// main
// =============================================================================================

fn main() -> R<()> {
    let config = Config::from_args()?;
    let started = Instant::now();
    let load_start = load_average();
    let device = Device::default_device()?;
    let queue = Queue::with_options(
        &device,
        QueueOptions {
            profiling: true,
            ..QueueOptions::default()
        },
    )?;
    let cl = Cl::new(&queue)?;
    let machine = Machine {
        cpu: cpu_model(),
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        device: device.name().to_string(),
        vendor: device.vendor().to_string(),
        driver: device.driver_version().to_string(),
    };
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    let dump = out_dir.join("kernels");
    std::fs::create_dir_all(&dump)?;
    println!(
        "dpex_bench ({} mode): {} ({}, driver {}) on {} x {}",
        if config.quick { "quick" } else { "full" },
        machine.device,
        machine.vendor,
        machine.driver,
        machine.cores,
        machine.cpu
    );
    println!(
        "{} warm-up rounds, then at least {} timed rounds (up to {:.0} s per workload), each \
         running dpex, unchk, C, C-nc, spv once in rotating order; event-profiled kernel times; \
         the C side runs in dpex's context on its own queue, on dpex's tensors ({})",
        config.warmup,
        config.reps,
        config.budget,
        cl.device.name()?
    );
    println!(
        "dpex = #[kernel] (the default, safe build: run-time index and division checks); unchk = \
         the same body as #[kernel(unchecked)]; spv = unchk's SPIR-V built and launched on the C side\n"
    );
    let bench = Bench {
        config: &config,
        queue,
        cl,
        dump,
    };

    let mut rows: Vec<Row> = Vec::new();
    let mut copy_buffer = None;
    type Step<'a> = (&'static str, Box<dyn Fn(&Bench) -> R<Row> + 'a>);
    let steps: Vec<Step> = vec![
        ("copy kernel", Box::new(|b: &Bench| b.copy_kernel())),
        ("saxpy", Box::new(|b: &Bench| b.saxpy())),
        ("triad", Box::new(|b: &Bench| b.triad())),
        ("stencil", Box::new(|b: &Bench| b.stencil())),
        ("reduction", Box::new(|b: &Bench| b.reduction())),
        ("histogram", Box::new(|b: &Bench| b.histogram())),
        ("black_scholes", Box::new(|b: &Bench| b.black_scholes())),
        ("pairwise_distance", Box::new(|b: &Bench| b.pairwise())),
        ("matmul_naive", Box::new(|b: &Bench| b.matmul(false))),
        ("matmul_tiled", Box::new(|b: &Bench| b.matmul(true))),
    ];
    if config.wants("copy") {
        let t = Instant::now();
        copy_buffer = Some(bench.copy_buffer()?);
        eprintln!(
            "  clEnqueueCopyBuffer done in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    for (name, step) in &steps {
        if !config.wants(name) {
            continue;
        }
        let t = Instant::now();
        let row = step(&bench)?;
        eprintln!(
            "  {name} done in {:.1} s: dpex/C {:.3}",
            t.elapsed().as_secs_f64(),
            ratios(&row)[R_DPEX_C].median
        );
        rows.push(row);
    }

    let ceiling = copy_buffer.map(|times| {
        let bytes = 8.0 * bench.copy_len() as f64;
        let copy_kernel_gbs = rows
            .iter()
            .find(|r| r.name == "copy kernel")
            .map_or(0.0, |r| r.throughput(median(&r.times.c[0])));
        Ceiling {
            copy_buffer_gbs: bytes / median(&times) / 1e9,
            copy_buffer: times,
            bytes,
            copy_kernel_gbs,
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    println!("{}", table(&rows, ceiling.as_ref()));
    println!(
        "(* = median dpex/C above 1.05; spv = dpex's SPIR-V built and launched on the C side; \
         best = fastest dpex / fastest C; %copy = the dpex kernel's GB/s over the ceiling)"
    );
    println!(
        "load average at the start: {load_start}, at the end: {}",
        load_average()
    );

    let json_path = out_dir.join("dpex_bench.json");
    std::fs::write(
        &json_path,
        json(
            [&load_start, &load_average()],
            &machine,
            &config,
            &rows,
            ceiling.as_ref(),
            elapsed,
        ),
    )?;
    let svg_path = out_dir.join("ratios.svg");
    let title = format!(
        "dpex / OpenCL C kernel time, {} ({}), {} mode",
        machine.device,
        machine.driver,
        if config.quick { "quick" } else { "full" }
    );
    std::fs::write(&svg_path, svg(&rows, &title))?;
    println!(
        "wrote {}, {} and kernels/ (SPIR-V disassembly, C sources) in {elapsed:.0} s",
        json_path.display(),
        svg_path.display()
    );
    Ok(())
}
