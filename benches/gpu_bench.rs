//! dpex kernels on a GPU against the same workloads hand-written in CUDA C, in one process, on
//! the same GPU, from the same host inputs.
//!
//! Run: `cargo bench --bench gpu_bench` on any dpex device (`DPEX_DEVICE`, default: the default
//! device, a GPU where there is one); `-- --quick` scales the sizes down (for CPU devices and
//! lavapipe); `--rounds N` (default 30), `--only a,b`. With `--cuda path/to/libdpex_cuda.so`
//! (built from `benches/cuda/workloads.cu` with nvcc: `scripts/gpu-bench.sh` does it on the GPU
//! machine) the CUDA C side runs too; without it only the dpex rows are printed.
//!
//! For each workload three variants run: `dpex`, the kernel of `benches/common/kernels.rs` with
//! its run-time checks (the default build); `unchk`, the same body as `#[kernel(unchecked)]`;
//! `cuda`, the CUDA C kernel built with `nvcc -O3 -arch=sm_90` (its default `-fmad=true` may
//! fuse `a * b + c`; dpex, as Rust, never does). Each variant first runs once from the same
//! inputs and the results are compared (dpex against CUDA within the row's tolerance, unchecked
//! against dpex exactly); then the variants run in rounds, each round launching every variant
//! once, in an order that rotates from round to round. dpex launches are timed with the queue's
//! timestamps (`Event::profiling`), CUDA's with CUDA events around the launch. Ratios are
//! medians of per-round ratios, with their interquartile range.
//!
//! Besides the workloads: `cudaMemcpy` device to device of the copy size (the bandwidth
//! ceiling), an empty kernel's launch + wait against CUDA's launch + `cudaDeviceSynchronize`
//! (host wall time, medians), 10,000 launches without waits then one wait, and the first launch
//! of a kernel in a fresh process, cold (empty disk cache) and warm (the cache of the cold run).
//!
//! Output: a table on stdout, `target/bench/gpu_bench.json` (`DPEX_BENCH_OUT` overrides the
//! folder) and, beside it, `gpu_bench.svg`: a bar chart of dpex / CUDA C per workload
//! (`benches/common/plot.rs`; only where the CUDA side ran).
//!
//! `-- --plot <json> <svg>` runs nothing: it draws the chart of an existing `gpu_bench.json`
//! (needs no GPU), e.g. `cargo bench --bench gpu_bench -- --plot
//! gpu-results/2026-12-04-bench4/gpu_bench.json gpu-results/2026-12-04-bench4/gpu_bench.svg`
//! (relative paths are from the repository root, where cargo runs benches). `-- --help` prints
//! the options.

#[path = "common/kernels.rs"]
#[allow(dead_code)]
mod kernels;
#[path = "common/plot.rs"]
mod plot;
#[path = "../examples/sgemm.rs"]
#[allow(dead_code)]
mod sgemm_example;

use std::error::Error;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use dpex::prelude::*;
use dpex::{Element, Event, WaitMode};
use kernels::{
    copy, copy_unchecked, empty, matmul_naive, matmul_naive_unchecked, matmul_tiled,
    matmul_tiled_unchecked, saxpy, saxpy_unchecked, stencil, stencil_unchecked, triad,
    triad_unchecked,
};
use rand::{Rng, SeedableRng};
use serde_json::json;
use sgemm_example::{sgemm, sgemm_range};

type R<T> = Result<T, Box<dyn Error>>;

/// The workload id of cuBLAS's SGEMM in workloads.cu.
const SGEMM_CUBLAS: i32 = 8;

/// Launches of the many-launches row.
const MANY: usize = 10_000;

/// What `--help` prints.
const USAGE: &str = "\
usage: cargo bench --bench gpu_bench -- [options]
  --quick                 smaller sizes (CPU devices, lavapipe)
  --rounds N              rounds per workload (default 30)
  --only a,b              only the workloads whose names contain one of these
  --cuda PATH             the CUDA C side, libdpex_cuda.so (benches/cuda/workloads.cu)
  --plot JSON SVG         run nothing: draw the chart of an existing gpu_bench.json as SVG
  --help                  this text
environment: DPEX_DEVICE (the device), DPEX_BENCH_OUT (the output folder, default target/bench)";

// =============================================================================================
// The CUDA C side (benches/cuda/workloads.cu), loaded at run time
// =============================================================================================

/// `libdpex_cuda.so`: the CUDA C workloads behind a C ABI.
struct Cuda {
    lib: libloading::Library,
    device: String,
    /// Whether it was built with cuBLAS (the `sgemm` row's CUDA side).
    cublas: bool,
}

/// A CUDA job: the device copies of one workload's buffers (`Job*` of workloads.cu).
struct CudaJob<'a> {
    cuda: &'a Cuda,
    job: *mut c_void,
}

type HasFn = unsafe extern "C" fn() -> c_int;
type ErrorFn = unsafe extern "C" fn(c_int) -> *const c_char;
type NameFn = unsafe extern "C" fn(*mut c_char, c_int) -> c_int;
type PrepareFn = unsafe extern "C" fn(
    c_int,
    c_int,
    *const *const c_void,
    *const usize,
    *const f64,
    *const usize,
    *mut *mut c_void,
) -> c_int;
type TimeFn = unsafe extern "C" fn(*mut c_void, *mut f32) -> c_int;
type ManyFn = unsafe extern "C" fn(*mut c_void, c_int) -> c_int;
type SyncFn = unsafe extern "C" fn(*mut c_void) -> c_int;
type ReadFn = unsafe extern "C" fn(*mut c_void, c_int, *mut c_void) -> c_int;
type FreeFn = unsafe extern "C" fn(*mut c_void);

impl Cuda {
    /// Loads the library at `path` and names its device 0.
    fn load(path: &Path) -> R<Cuda> {
        // SAFETY: the library is ours (workloads.cu); loading it runs no initializers of note.
        let lib = unsafe { libloading::Library::new(path) }
            .map_err(|e| format!("cannot load the CUDA side {}: {e}", path.display()))?;
        let mut cuda = Cuda {
            lib,
            device: String::new(),
            cublas: false,
        };
        // SAFETY: `int dpex_cuda_has_cublas(void)`.
        cuda.cublas = unsafe { cuda.sym::<HasFn>(b"dpex_cuda_has_cublas\0")?() } == 1;
        let mut name = [0 as c_char; 256];
        // SAFETY: the buffer holds 256 bytes, as passed.
        let code =
            unsafe { cuda.sym::<NameFn>(b"dpex_cuda_device_name\0")?(name.as_mut_ptr(), 256) };
        cuda.check(code, "cudaGetDeviceProperties")?;
        // SAFETY: the callee NUL-terminates the buffer.
        cuda.device = unsafe { CStr::from_ptr(name.as_ptr()) }
            .to_string_lossy()
            .into_owned();
        Ok(cuda)
    }

    /// The library's function `name` (NUL-terminated), of type `T`.
    fn sym<T: Copy>(&self, name: &[u8]) -> R<T> {
        // SAFETY: each `T` used is the C signature of that name in workloads.cu.
        let f = unsafe { self.lib.get::<T>(name) }.map_err(|e| {
            let name = String::from_utf8_lossy(name);
            format!(
                "the CUDA side has no `{}`: {e}",
                name.trim_end_matches('\0')
            )
        })?;
        Ok(*f)
    }

    /// `Ok` for code 0, else an error naming `what` and CUDA's message.
    fn check(&self, code: c_int, what: &str) -> R<()> {
        if code == 0 {
            return Ok(());
        }
        let message = match self.sym::<ErrorFn>(b"dpex_cuda_error\0") {
            // SAFETY: cudaGetErrorString returns a static NUL-terminated string.
            Ok(f) => unsafe { CStr::from_ptr(f(code)) }
                .to_string_lossy()
                .into_owned(),
            Err(e) => e.to_string(),
        };
        Err(format!("CUDA {what}: error {code} ({message})").into())
    }

    /// A job of workload `id` whose buffers start as copies of `buffers`.
    fn prepare<T: Element>(
        &self,
        id: i32,
        buffers: &[Vec<T>],
        scalars: [f64; 2],
        sizes: [usize; 3],
    ) -> R<CudaJob<'_>> {
        let host: Vec<*const c_void> = buffers.iter().map(|b| b.as_ptr().cast()).collect();
        let bytes: Vec<usize> = buffers
            .iter()
            .map(|b| std::mem::size_of_val(&b[..]))
            .collect();
        let mut job = std::ptr::null_mut();
        let prepare = self.sym::<PrepareFn>(b"dpex_cuda_prepare\0")?;
        // SAFETY: `host[i]` points to `bytes[i]` readable bytes; scalars and sizes hold 2 and 3.
        let code = unsafe {
            prepare(
                id,
                buffers.len() as c_int,
                host.as_ptr(),
                bytes.as_ptr(),
                scalars.as_ptr(),
                sizes.as_ptr(),
                &mut job,
            )
        };
        let job = CudaJob { cuda: self, job };
        self.check(code, "buffers")?;
        Ok(job)
    }
}

impl CudaJob<'_> {
    /// One launch timed with CUDA events, in seconds.
    fn time(&self) -> R<f64> {
        let mut ms = 0.0f32;
        // SAFETY: `job` came from dpex_cuda_prepare and is alive.
        let code = unsafe { self.cuda.sym::<TimeFn>(b"dpex_cuda_time\0")?(self.job, &mut ms) };
        self.cuda.check(code, "launch")?;
        Ok(f64::from(ms) / 1e3)
    }

    /// `count` launches without waits, then one `cudaDeviceSynchronize`.
    fn launch_many(&self, count: usize) -> R<()> {
        let many = self.cuda.sym::<ManyFn>(b"dpex_cuda_launch_many\0")?;
        // SAFETY: as in `time`.
        let code = unsafe { many(self.job, count as c_int) };
        self.cuda.check(code, "launches")
    }

    /// One launch and `cudaDeviceSynchronize`.
    fn launch_sync(&self) -> R<()> {
        let sync = self.cuda.sym::<SyncFn>(b"dpex_cuda_launch_sync\0")?;
        // SAFETY: as in `time`.
        let code = unsafe { sync(self.job) };
        self.cuda.check(code, "launch")
    }

    /// Buffer `index` (of `len` elements of `T`) back on the host.
    fn read<T: Element + Default>(&self, index: usize, len: usize) -> R<Vec<T>> {
        let mut out = vec![T::default(); len];
        let read = self.cuda.sym::<ReadFn>(b"dpex_cuda_read\0")?;
        // SAFETY: `out` has room for the buffer's bytes (it was prepared from `len` elements).
        let code = unsafe { read(self.job, index as c_int, out.as_mut_ptr().cast()) };
        self.cuda.check(code, "read back")?;
        Ok(out)
    }
}

impl Drop for CudaJob<'_> {
    fn drop(&mut self) {
        if let Ok(free) = self.cuda.sym::<FreeFn>(b"dpex_cuda_free\0") {
            // SAFETY: `job` came from dpex_cuda_prepare (or is null, which it ignores).
            unsafe { free(self.job) }
        }
    }
}

// =============================================================================================
// Workloads
// =============================================================================================

/// What a workload's time is converted into.
#[derive(Clone, Copy)]
enum Work {
    /// Bytes read and written.
    Bytes(f64),
    /// Floating-point operations.
    Flops(f64),
}

/// A workload as data: its name, sizes, inputs and how each side launches it.
struct Workload<T: Element> {
    name: &'static str,
    /// The sizes, for the table.
    shape: String,
    work: Work,
    /// Largest accepted `|dpex - cuda| / max(|cuda|, 1)`.
    tolerance: f64,
    /// The buffers, as they start (inputs, and outputs as zeros).
    buffers: Vec<Vec<T>>,
    /// The index of the result buffer.
    result: usize,
    /// The CUDA side: its workload id (workloads.cu), scalars and sizes.
    cuda: (i32, [f64; 2], [usize; 3]),
    /// Launches the checked kernel on the tensors (one per buffer).
    safe: Launcher<T>,
    /// Launches the unchecked kernel (none for an example's kernel).
    unchecked: Option<Launcher<T>>,
}

/// Enqueues one launch of a kernel on tensors made from a workload's buffers.
type Launcher<T> = Box<dyn Fn(&mut [Tensor<T>]) -> dpex::Result<Event>>;

/// Sizes: the GPU ones, or scaled down for `--quick`.
struct Sizes {
    /// Elements of the 1-d f32 workloads (half as many for f64).
    stream: usize,
    /// Rows and columns of the stencil's grid.
    grid: usize,
    /// Rows, columns and depth of the matrix products.
    matrix: usize,
}

impl Sizes {
    /// The GPU sizes, or the `--quick` ones.
    fn new(quick: bool) -> Sizes {
        if quick {
            Sizes {
                stream: 1 << 22,
                grid: 1024,
                matrix: 256,
            }
        } else {
            Sizes {
                stream: 1 << 28,
                grid: 16384,
                matrix: 4096,
            }
        }
    }
}

/// `n` values uniform in [-1, 1) from `seed`, as `T`.
fn random<T: Element>(n: usize, seed: u64, from_f64: fn(f64) -> T) -> Vec<T> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| from_f64(rng.random_range(-1.0..1.0)))
        .collect()
}

/// The f32 workloads: copy, saxpy, the 5-point stencil, naive and tiled matmul.
fn f32_workloads(s: &Sizes) -> Vec<Workload<f32>> {
    let n = s.stream;
    let f = |v: f64| v as f32;
    let (rows, cols) = (s.grid, s.grid);
    let m = s.matrix;
    let stencil_cw = (0.5f32, 0.125f32);
    let matmul = |tiled: bool| -> Workload<f32> {
        let range16 = m.div_ceil(16) * 16;
        Workload {
            name: if tiled {
                "matmul_tiled"
            } else {
                "matmul_naive"
            },
            shape: format!("{m}^3"),
            work: Work::Flops(2.0 * (m as f64).powi(3)),
            tolerance: 1e-4,
            buffers: vec![random(m * m, 11, f), random(m * m, 12, f), vec![0.0; m * m]],
            result: 2,
            cuda: (if tiled { 5 } else { 4 }, [0.0; 2], [m, m, m]),
            safe: if tiled {
                Box::new(move |t: &mut [Tensor<f32>]| match t {
                    [a, b, c] => matmul_tiled.launch(
                        NdRange::new([range16, range16], [16, 16]),
                        (m, m, m, &*a, &*b, c),
                    ),
                    _ => unreachable_buffers(),
                })
            } else {
                Box::new(move |t: &mut [Tensor<f32>]| match t {
                    [a, b, c] => matmul_naive.launch(Range::new([m, m]), (m, m, &*a, &*b, c)),
                    _ => unreachable_buffers(),
                })
            },
            unchecked: Some(if tiled {
                Box::new(move |t: &mut [Tensor<f32>]| match t {
                    [a, b, c] => matmul_tiled_unchecked.launch(
                        NdRange::new([range16, range16], [16, 16]),
                        (m, m, m, &*a, &*b, c),
                    ),
                    _ => unreachable_buffers(),
                })
            } else {
                Box::new(move |t: &mut [Tensor<f32>]| match t {
                    [a, b, c] => {
                        matmul_naive_unchecked.launch(Range::new([m, m]), (m, m, &*a, &*b, c))
                    }
                    _ => unreachable_buffers(),
                })
            }),
        }
    };
    vec![
        Workload {
            name: "copy",
            shape: format!("{n} f32"),
            work: Work::Bytes(8.0 * n as f64),
            tolerance: 0.0,
            buffers: vec![random(n, 1, f), vec![0.0; n]],
            result: 1,
            cuda: (0, [0.0; 2], [0; 3]),
            safe: Box::new(move |t| match t {
                [x, y] => copy.launch(Range::new([n]), (&*x, y)),
                _ => unreachable_buffers(),
            }),
            unchecked: Some(Box::new(move |t| match t {
                [x, y] => copy_unchecked.launch(Range::new([n]), (&*x, y)),
                _ => unreachable_buffers(),
            })),
        },
        Workload {
            name: "saxpy",
            shape: format!("{n} f32"),
            work: Work::Bytes(12.0 * n as f64),
            // CUDA may fuse `a * x + y` into one rounding; dpex rounds twice.
            tolerance: 1e-6,
            buffers: vec![random(n, 2, f), random(n, 3, f)],
            result: 1,
            cuda: (1, [2.5, 0.0], [0; 3]),
            safe: Box::new(move |t| match t {
                [x, y] => saxpy.launch(Range::new([n]), (2.5, &*x, y)),
                _ => unreachable_buffers(),
            }),
            unchecked: Some(Box::new(move |t| match t {
                [x, y] => saxpy_unchecked.launch(Range::new([n]), (2.5, &*x, y)),
                _ => unreachable_buffers(),
            })),
        },
        Workload {
            name: "stencil",
            shape: format!("{rows}x{cols} f32"),
            work: Work::Bytes(8.0 * (rows * cols) as f64),
            tolerance: 1e-6,
            buffers: vec![random(rows * cols, 4, f), vec![0.0; rows * cols]],
            result: 1,
            cuda: (
                3,
                [f64::from(stencil_cw.0), f64::from(stencil_cw.1)],
                [rows, cols, 0],
            ),
            safe: Box::new(move |t| match t {
                [x, out] => stencil.launch(
                    Range::new([cols, rows]),
                    (rows, cols, stencil_cw.0, stencil_cw.1, &*x, out),
                ),
                _ => unreachable_buffers(),
            }),
            unchecked: Some(Box::new(move |t| match t {
                [x, out] => stencil_unchecked.launch(
                    Range::new([cols, rows]),
                    (rows, cols, stencil_cw.0, stencil_cw.1, &*x, out),
                ),
                _ => unreachable_buffers(),
            })),
        },
        matmul(false),
        matmul(true),
        Workload {
            name: "sgemm",
            shape: format!("{m}^3"),
            work: Work::Flops(2.0 * (m as f64).powi(3)),
            tolerance: 1e-4,
            buffers: vec![random(m * m, 13, f), random(m * m, 14, f), vec![0.0; m * m]],
            result: 2,
            cuda: (SGEMM_CUBLAS, [0.0; 2], [m, m, m]),
            safe: Box::new(move |t| match t {
                [a, b, c] => sgemm.launch(sgemm_range(m, m), (m, m, &*a, &*b, c)),
                _ => unreachable_buffers(),
            }),
            unchecked: None,
        },
    ]
}

/// The f64 workloads.
fn f64_workloads(s: &Sizes) -> Vec<Workload<f64>> {
    let n = s.stream / 2;
    let f = |v: f64| v;
    vec![Workload {
        name: "triad_f64",
        shape: format!("{n} f64"),
        work: Work::Bytes(24.0 * n as f64),
        tolerance: 1e-15,
        buffers: vec![vec![0.0; n], random(n, 5, f), random(n, 6, f)],
        result: 0,
        cuda: (2, [3.0, 0.0], [0; 3]),
        safe: Box::new(move |t| match t {
            [a, b, c] => triad.launch(Range::new([n]), (3.0, a, &*b, &*c)),
            _ => unreachable_buffers(),
        }),
        unchecked: Some(Box::new(move |t| match t {
            [a, b, c] => triad_unchecked.launch(Range::new([n]), (3.0, a, &*b, &*c)),
            _ => unreachable_buffers(),
        })),
    }]
}

/// A launcher got another number of tensors than its workload's buffers: a bug of this file.
fn unreachable_buffers() -> dpex::Result<Event> {
    unreachable!("a workload's launcher takes exactly its buffers")
}

// =============================================================================================
// Measuring
// =============================================================================================

/// A launch's device time in seconds (queue timestamps).
fn device_secs(event: dpex::Result<Event>) -> R<f64> {
    let event = event?;
    event.wait()?;
    Ok(event.profiling()?.duration().as_secs_f64())
}

/// The `q` quantile of `v` (linear interpolation).
fn quantile(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return f64::NAN;
    }
    let x = q * (s.len() - 1) as f64;
    let (lo, hi) = (x.floor() as usize, x.ceil() as usize);
    s[lo] + (s[hi] - s[lo]) * (x - lo as f64)
}

/// The median of `v`.
fn median(v: &[f64]) -> f64 {
    quantile(v, 0.5)
}

/// Median and interquartile range of per-round ratios `a[i] / b[i]`.
fn ratio(a: &[f64], b: &[f64]) -> serde_json::Value {
    let r: Vec<f64> = a.iter().zip(b).map(|(a, b)| a / b).collect();
    json!({"median": median(&r), "q1": quantile(&r, 0.25), "q3": quantile(&r, 0.75)})
}

/// The largest `|got - want| / max(|want|, 1)`.
fn max_error(got: &[f64], want: &[f64]) -> f64 {
    got.iter()
        .zip(want)
        .map(|(g, w)| (g - w).abs() / w.abs().max(1.0))
        .fold(0.0, f64::max)
}

/// Runs one workload: checks, then `rounds` rounds; its JSON row.
fn run<T: Element + Default + Into<f64>>(
    queue: &Queue,
    cuda: Option<&Cuda>,
    w: &Workload<T>,
    rounds: usize,
) -> R<serde_json::Value> {
    let tensors = || -> R<Vec<Tensor<T>>> {
        w.buffers
            .iter()
            .map(|b| Ok(Tensor::from_slice(queue, b)?))
            .collect()
    };
    let mut safe = tensors()?;
    let mut unchecked = match &w.unchecked {
        Some(_) => Some(tensors()?),
        None => None,
    };
    let job = cuda
        .filter(|c| c.cublas || w.cuda.0 != SGEMM_CUBLAS)
        .map(|c| c.prepare(w.cuda.0, &w.buffers, w.cuda.1, w.cuda.2))
        .transpose()?;
    // One launch of each from the same inputs, then the results compared.
    (w.safe)(&mut safe)?.wait()?;
    let as_f64 = |v: Vec<T>| -> Vec<f64> { v.into_iter().map(Into::into).collect() };
    let got = as_f64(safe[w.result].to_vec()?);
    if let (Some(launch), Some(tensors)) = (&w.unchecked, &mut unchecked) {
        launch(tensors)?.wait()?;
        if as_f64(tensors[w.result].to_vec()?) != got {
            return Err(format!(
                "{}: the unchecked kernel's result differs from dpex's",
                w.name
            )
            .into());
        }
    }
    let mut error = None;
    if let Some(job) = &job {
        job.time()?;
        let want = as_f64(job.read::<T>(w.result, w.buffers[w.result].len())?);
        let e = max_error(&got, &want);
        if e.is_nan() || e > w.tolerance {
            return Err(format!(
                "{}: dpex differs from CUDA by {e:e} (tolerance {:e})",
                w.name, w.tolerance
            )
            .into());
        }
        error = Some(e);
    }
    // Warm-up, then rounds in rotating order: side 0 dpex, 1 unchecked, 2 CUDA.
    let sides: Vec<usize> = [
        Some(0),
        unchecked.as_ref().map(|_| 1),
        job.as_ref().map(|_| 2),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut times: [Vec<f64>; 3] = Default::default();
    for round in 0..rounds + 2 {
        for k in 0..sides.len() {
            let side = sides[(k + round) % sides.len()];
            let t = match (side, &w.unchecked, &mut unchecked, &job) {
                (0, ..) => device_secs((w.safe)(&mut safe))?,
                (1, Some(launch), Some(tensors), _) => device_secs(launch(tensors))?,
                (2, _, _, Some(job)) => job.time()?,
                _ => continue,
            };
            if round >= 2 {
                times[side].push(t);
            }
        }
    }
    let rate = |t: f64| match w.work {
        Work::Bytes(b) => b / t / 1e9,
        Work::Flops(f) => f / t / 1e12,
    };
    let unit = match w.work {
        Work::Bytes(_) => "GB/s",
        Work::Flops(_) => "TFLOP/s",
    };
    let mut row = json!({
        "name": w.name,
        "shape": w.shape,
        "unit": unit,
        "dpex_ms": median(&times[0]) * 1e3,
        "dpex_rate": rate(median(&times[0])),
        "times_s": {"dpex": times[0]},
    });
    if !times[1].is_empty() {
        row["unchecked_ms"] = json!(median(&times[1]) * 1e3);
        row["safe_over_unchecked"] = ratio(&times[0], &times[1]);
        row["times_s"]["unchecked"] = json!(times[1]);
        if !times[2].is_empty() {
            row["unchecked_over_cuda"] = ratio(&times[1], &times[2]);
        }
    }
    if let Some(cuda_times) = Some(&times[2]).filter(|t| !t.is_empty()) {
        row["cuda_ms"] = json!(median(cuda_times) * 1e3);
        row["cuda_rate"] = json!(rate(median(cuda_times)));
        row["dpex_over_cuda"] = ratio(&times[0], cuda_times);
        row["max_error"] = json!(error);
        row["times_s"]["cuda"] = json!(cuda_times);
    }
    Ok(row)
}

/// `cudaMemcpy` device to device of `n` f32: GB/s (read + write), median of `rounds`.
fn memcpy_bandwidth(cuda: &Cuda, n: usize, rounds: usize) -> R<f64> {
    let job = cuda.prepare(
        6,
        &[random(n, 9, |v| v as f32), vec![0.0f32; n]],
        [0.0; 2],
        [0; 3],
    )?;
    job.time()?;
    let times: Vec<f64> = (0..rounds).map(|_| job.time()).collect::<R<_>>()?;
    Ok(8.0 * n as f64 / median(&times) / 1e9)
}

/// Host wall-time medians in microseconds: an empty launch + wait on queues of `device`
/// waiting in each [`WaitMode`], and per launch of `MANY` without waits, for dpex; CUDA's
/// launch + synchronize and launches without it when loaded. The queues record no timestamps,
/// as users launch (CUDA's side records no events either).
fn launch_overhead(device: &Device, cuda: Option<&Cuda>, reps: usize) -> R<serde_json::Value> {
    let one = |queue: &Queue| -> R<f64> {
        let t = Instant::now();
        empty.launch_on(queue, Range::new([1]), ())?.wait()?;
        Ok(t.elapsed().as_secs_f64() * 1e6)
    };
    let many = |queue: &Queue| -> R<f64> {
        let t = Instant::now();
        for _ in 0..MANY {
            // Not waited for: `finish` below waits for all (and reports any error).
            let _ = empty.launch_on(queue, Range::new([1]), ())?;
        }
        queue.finish()?;
        Ok(t.elapsed().as_secs_f64() * 1e6 / MANY as f64)
    };
    let mut out = json!({});
    for (key, wait) in [
        ("dpex_launch_wait_us", WaitMode::Auto),
        ("dpex_launch_wait_sleep_us", WaitMode::Sleep),
        ("dpex_launch_wait_poll_us", WaitMode::Poll),
    ] {
        let queue = Queue::with_options(
            device,
            QueueOptions {
                wait,
                ..QueueOptions::default()
            },
        )?;
        for _ in 0..20 {
            one(&queue)?;
        }
        let times: Vec<f64> = (0..reps).map(|_| one(&queue)).collect::<R<_>>()?;
        out[key] = json!(median(&times));
        if wait == WaitMode::Auto {
            let times: Vec<f64> = (0..5).map(|_| many(&queue)).collect::<R<_>>()?;
            out["dpex_launch_no_wait_us"] = json!(median(&times));
        }
    }
    if let Some(cuda) = cuda {
        let job = cuda.prepare::<f32>(7, &[], [0.0; 2], [0; 3])?;
        let one = || -> R<f64> {
            let t = Instant::now();
            job.launch_sync()?;
            Ok(t.elapsed().as_secs_f64() * 1e6)
        };
        for _ in 0..20 {
            one()?;
        }
        let cuda_one: Vec<f64> = (0..reps).map(|_| one()).collect::<R<_>>()?;
        let cuda_many: Vec<f64> = (0..5)
            .map(|_| {
                let t = Instant::now();
                job.launch_many(MANY)?;
                Ok(t.elapsed().as_secs_f64() * 1e6 / MANY as f64)
            })
            .collect::<R<_>>()?;
        out["cuda_launch_sync_us"] = json!(median(&cuda_one));
        out["cuda_launch_no_sync_us"] = json!(median(&cuda_many));
    }
    Ok(out)
}

/// In a child process: the wall time of the first launch + wait of `saxpy` (its tensors made
/// before the clock starts), in milliseconds, printed on stdout.
fn first_launch_child() -> R<()> {
    let queue = Queue::default()?;
    let n = 1 << 20;
    let x = Tensor::from_slice(&queue, &random(n, 1, |v| v as f32))?;
    let mut y = Tensor::from_slice(&queue, &random(n, 2, |v| v as f32))?;
    let t = Instant::now();
    saxpy.launch(Range::new([n]), (2.0, &x, &mut y))?.wait()?;
    println!("{}", t.elapsed().as_secs_f64() * 1e3);
    Ok(())
}

/// Medians of the first launch in `runs` fresh processes each, cold (an empty disk cache each
/// time) and warm (the cache the cold runs left). NVIDIA's own shader cache is off in both
/// (`__GL_SHADER_DISK_CACHE=0`), so warm measures dpex's pipeline cache.
fn first_launch(runs: usize) -> R<serde_json::Value> {
    let me = std::env::current_exe()?;
    let dir = std::env::temp_dir().join(format!("dpex-gpu-bench-{}", std::process::id()));
    let child = |cache: &Path| -> R<f64> {
        let out = Command::new(&me)
            .arg("--first-launch-child")
            .env("DPEX_CACHE_DIR", cache)
            .env("__GL_SHADER_DISK_CACHE", "0")
            .output()?;
        if !out.status.success() {
            return Err(format!(
                "first-launch child: {}",
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().parse()?)
    };
    let mut cold = Vec::new();
    for run in 0..runs {
        cold.push(child(&dir.join(format!("cold-{run}")))?);
    }
    let warm: Vec<f64> = (0..runs)
        .map(|_| child(&dir.join("cold-0")))
        .collect::<R<_>>()?;
    std::fs::remove_dir_all(&dir).ok();
    Ok(json!({"cold_ms": median(&cold), "warm_ms": median(&warm), "runs": runs}))
}

// =============================================================================================
// Report
// =============================================================================================

/// The geometric mean of `v`.
fn geomean(v: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = v.fold((0.0, 0), |(s, n), x| (s + x.ln(), n + 1));
    (sum / f64::from(n)).exp()
}

/// The table printed on stdout.
fn table(rows: &[serde_json::Value], memcpy: Option<f64>) -> String {
    let mut out = format!(
        "{:<14} {:>16} {:>10} {:>10} {:>10} {:>22} {:>10} {:>9}\n",
        "workload",
        "size",
        "dpex ms",
        "unchk ms",
        "cuda ms",
        "dpex/cuda [IQR]",
        "rate",
        "of memcpy"
    );
    for r in rows {
        let num = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
        let ratio = match r.get("dpex_over_cuda") {
            Some(q) => format!(
                "{:.3} [{:.3}, {:.3}]",
                q["median"].as_f64().unwrap_or(f64::NAN),
                q["q1"].as_f64().unwrap_or(f64::NAN),
                q["q3"].as_f64().unwrap_or(f64::NAN)
            ),
            None => "-".into(),
        };
        let of_memcpy = match (memcpy, r["unit"].as_str()) {
            (Some(c), Some("GB/s")) => format!("{:.0}%", 100.0 * num("dpex_rate") / c),
            _ => "-".into(),
        };
        out += &format!(
            "{:<14} {:>16} {:>10.3} {:>10.3} {:>10.3} {:>22} {:>6.2} {:<7} {:>5}\n",
            r["name"].as_str().unwrap_or("?"),
            r["shape"].as_str().unwrap_or("?"),
            num("dpex_ms"),
            num("unchecked_ms"),
            num("cuda_ms"),
            ratio,
            num("dpex_rate"),
            r["unit"].as_str().unwrap_or(""),
            of_memcpy
        );
    }
    out
}

/// `--plot`: the chart of the gpu_bench JSON file `json`, written to `svg`.
fn plot_file(json: &Path, svg: &Path) -> R<()> {
    let text = std::fs::read_to_string(json)
        .map_err(|e| format!("cannot read {}: {e}", json.display()))?;
    let report: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", json.display()))?;
    plot::write_svg(&report, svg).map_err(|e| format!("{}: {e}", json.display()))?;
    println!("wrote {}", svg.display());
    Ok(())
}

fn main() -> R<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--first-launch-child") {
        return first_launch_child();
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    if let Some(i) = args.iter().position(|a| a == "--plot") {
        // Not an option (cargo appends `--bench` to a bench's arguments).
        let path = |k: usize| args.get(i + k).filter(|a| !a.starts_with("--"));
        return match (path(1), path(2)) {
            (Some(json), Some(svg)) => plot_file(Path::new(json), Path::new(svg)),
            _ => Err("--plot takes two paths, JSON and SVG (see --help)".into()),
        };
    }
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let quick = args.iter().any(|a| a == "--quick");
    let rounds: usize = flag("--rounds").map_or(Ok(30), |r| r.parse())?;
    let only: Vec<&str> = flag("--only").map_or(vec![], |o| o.split(',').collect());
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| name.contains(o));
    let cuda = flag("--cuda")
        .map(|p| Cuda::load(Path::new(p)))
        .transpose()?;

    let device = Device::default_device()?;
    let queue = Queue::with_options(
        &device,
        QueueOptions {
            profiling: true,
            ..QueueOptions::default()
        },
    )?;
    println!("dpex device: {device}");
    if let Some(c) = &cuda {
        println!("CUDA device: {}", c.device);
    }
    let sizes = Sizes::new(quick);
    let mut rows = Vec::new();
    for w in f32_workloads(&sizes).iter().filter(|w| wanted(w.name)) {
        rows.push(run(&queue, cuda.as_ref(), w, rounds)?);
        eprintln!("{} done", w.name);
    }
    for w in f64_workloads(&sizes).iter().filter(|w| wanted(w.name)) {
        rows.push(run(&queue, cuda.as_ref(), w, rounds)?);
        eprintln!("{} done", w.name);
    }
    let memcpy = cuda
        .as_ref()
        .map(|c| memcpy_bandwidth(c, sizes.stream, rounds))
        .transpose()?;
    let launches = launch_overhead(&device, cuda.as_ref(), if quick { 200 } else { 2000 })?;
    let first = first_launch(if quick { 3 } else { 5 })?;

    print!("{}", table(&rows, memcpy));
    if let Some(m) = memcpy {
        println!("cudaMemcpy device to device: {m:.1} GB/s");
    }
    let ratios = rows
        .iter()
        .filter_map(|r| r["dpex_over_cuda"]["median"].as_f64());
    let geo = geomean(ratios);
    if geo.is_finite() {
        println!("geometric mean of dpex/cuda: {geo:.3}");
    }
    println!("launches (host wall time, medians): {launches}");
    println!("first launch of saxpy in a fresh process: {first}");

    let dir = std::env::var_os("DPEX_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench"));
    std::fs::create_dir_all(&dir)?;
    let report = json!({
        "device": device.to_string(),
        "cuda_device": cuda.as_ref().map(|c| c.device.clone()),
        "quick": quick,
        "rounds": rounds,
        "rows": rows,
        "memcpy_gbs": memcpy,
        "geomean_dpex_over_cuda": geo.is_finite().then_some(geo),
        "launches": launches,
        "first_launch": first,
    });
    let path = dir.join("gpu_bench.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    println!("wrote {}", path.display());
    // The chart needs the CUDA side's ratios; without them it says why and the run still passes.
    let svg = dir.join("gpu_bench.svg");
    match plot::write_svg(&report, &svg) {
        Ok(()) => println!("wrote {}", svg.display()),
        Err(e) => eprintln!("no chart: {e}"),
    }
    Ok(())
}
