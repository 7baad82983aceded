//! First-launch and launch-overhead benchmark of the program cache (not a timed test).
//!
//! Run: `cargo bench --bench first_launch` (add `-- --quick` for fewer runs).
//!
//! For the example kernels `saxpy`, `black_scholes` (f32) and `matmul_tiled`, included from
//! `examples/` and launched through their typed launchers as a user does, it reports
//!
//! - **cold first launch**: a new process with an empty disk cache; the wall time of the first
//!   `launch(..)` + `wait()` (driver build from SPIR-V + disk cache write + the launch), median
//!   over several processes;
//! - **warm first launch**: a new process whose disk cache holds the binary (written by the
//!   cold run); the same measurement (binary load, no driver compile);
//! - **cached launch overhead**: in this process, with the program in memory, the host time of
//!   one launcher call (`kernel.launch(range, args)`, everything up to the enqueue) against a
//!   raw opencl3 `clSetKernelArg` x N + `clEnqueueNDRangeKernel` of the same SPIR-V module (the
//!   variant the launcher picks) in its own context; medians of interleaved launches, each
//!   waited for outside the timed region.

#[path = "../examples/black_scholes.rs"]
#[allow(dead_code)]
mod black_scholes_example;
#[path = "../examples/matmul_tiled.rs"]
#[allow(dead_code)]
mod matmul_tiled_example;
#[path = "../examples/saxpy.rs"]
#[allow(dead_code)]
mod saxpy_example;

use std::ffi::c_void;
use std::process::Command;
use std::ptr;
use std::time::{Duration, Instant};

use black_scholes_example::black_scholes;
use dpex::__private::KernelArg;
use dpex::{DType, Event, KernelSpec, NdRange, Queue, Range, Tensor};
use matmul_tiled_example::matmul_tiled;
use opencl3::command_queue::CommandQueue;
use opencl3::context::Context;
use opencl3::memory::{Buffer, ClMem, CL_MEM_COPY_HOST_PTR, CL_MEM_READ_WRITE};
use opencl3::types::{cl_float, cl_mem, cl_ulong};
use saxpy_example::saxpy;

type R<T> = Result<T, Box<dyn std::error::Error>>;

/// Work-items of the 1-d kernels.
const N: usize = 1024;
/// Rows and columns of the square matrices of `matmul_tiled` (a multiple of its 16x16 tiles).
const M: usize = 64;

/// A kernel argument: what the launcher takes and what the raw enqueue sets.
#[derive(Clone, Copy)]
enum Arg {
    F32(f32),
    Usize(usize),
    /// A 1-d f32 tensor of this many elements.
    Tensor(usize),
}

/// One benchmarked kernel.
struct Case {
    name: &'static str,
    /// Its checked variant and the variant without provable checks.
    variants: (&'static KernelSpec, Option<&'static KernelSpec>),
    args: Vec<Arg>,
    global: Vec<usize>,
    local: Option<Vec<usize>>,
    /// The typed launcher's call with `args` (tensors in order).
    launch: fn(&mut [Tensor<f32>]) -> dpex::Result<Event>,
}

fn cases() -> Vec<Case> {
    use Arg::*;
    vec![
        Case {
            name: "saxpy",
            variants: (saxpy.spec(), saxpy.proven_spec()),
            args: vec![F32(2.0), Tensor(N), Tensor(N)],
            global: vec![N],
            local: None,
            launch: |t| {
                let [x, y] = t else { unreachable!() };
                saxpy.launch(Range::new([N]), (2.0, &*x, y))
            },
        },
        Case {
            name: "black_scholes",
            variants: (
                black_scholes
                    .spec_for(&[DType::F32])
                    .expect("an f32 instance"),
                black_scholes.proven_spec_for(&[DType::F32]),
            ),
            args: vec![
                F32(0.02),
                F32(0.3),
                Tensor(N),
                Tensor(N),
                Tensor(N),
                Tensor(N),
                Tensor(N),
            ],
            global: vec![N],
            local: None,
            launch: |t| {
                let [price, strike, years, call, put] = t else {
                    unreachable!()
                };
                let args = (0.02f32, 0.3f32, &*price, &*strike, &*years, call, put);
                black_scholes.launch(Range::new([N]), args)
            },
        },
        Case {
            name: "matmul_tiled",
            variants: (matmul_tiled.spec(), matmul_tiled.proven_spec()),
            args: vec![
                Usize(M),
                Usize(M),
                Usize(M),
                Tensor(M * M),
                Tensor(M * M),
                Tensor(M * M),
            ],
            global: vec![M, M],
            local: Some(vec![16, 16]),
            launch: |t| {
                let [a, b, c] = t else { unreachable!() };
                let range = NdRange::new([M, M], [16, 16]);
                matmul_tiled.launch(range, (M, M, M, &*a, &*b, c))
            },
        },
    ]
}

/// The case's tensors on `queue` (element `j` of tensor `t` is `1 + (j + t) % 7`: positive, as
/// Black-Scholes needs), in argument order.
fn tensors(case: &Case, queue: &Queue) -> dpex::Result<Vec<Tensor<f32>>> {
    case.args
        .iter()
        .enumerate()
        .filter_map(|(t, arg)| match arg {
            Arg::Tensor(len) => Some(Tensor::from_fn(queue, *len, |[j]| {
                1.0 + ((j + t) % 7) as f32
            })),
            _ => None,
        })
        .collect()
}

/// The variant the launcher runs for these tensors (the one without provable checks when its
/// assumptions hold, as `launch_best` decides).
fn chosen_variant(case: &Case, tensors: &mut [Tensor<f32>]) -> &'static KernelSpec {
    let (checked, proven) = case.variants;
    let Some(proven) = proven else {
        return checked;
    };
    let mut tensors = tensors.iter_mut();
    let args: Vec<KernelArg> = case
        .args
        .iter()
        .zip(proven.params)
        .map(|(arg, param)| match arg {
            Arg::F32(v) => KernelArg::scalar(*v),
            Arg::Usize(v) => KernelArg::scalar(*v),
            Arg::Tensor(_) => {
                let t = tensors.next().expect("one tensor per tensor argument");
                match param.kind {
                    dpex::__private::ParamSpecKind::Tensor { writable: true, .. } => t.into(),
                    _ => (&*t).into(),
                }
            }
        })
        .collect();
    if dpex::assumptions_hold(proven, &case.global, case.local.as_deref(), &args) {
        proven
    } else {
        checked
    }
}

/// Child process: the first launch of `name`, timed; prints `first_launch_us=... builds=...`.
fn child(name: &str) -> R<()> {
    let case = cases()
        .into_iter()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("no case {name}"))?;
    let queue = Queue::default()?;
    let mut tensors = tensors(&case, &queue)?;
    let started = Instant::now();
    (case.launch)(&mut tensors)?.wait()?;
    let time = started.elapsed();
    let s = dpex::cache_stats();
    println!(
        "first_launch_us={:.1} builds={} disk_hits={} disk_errors={}",
        time.as_secs_f64() * 1e6,
        s.builds,
        s.disk_hits,
        s.disk_errors
    );
    Ok(())
}

/// Runs the child for `name` with the disk cache in `dir`; returns its first launch time and
/// whether it was a disk hit without a driver build.
fn first_launch_in_new_process(name: &str, dir: &std::path::Path) -> R<(Duration, bool)> {
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.args(["--child", name]).env("DPEX_CACHE_DIR", dir);
    for var in [
        "DPEX_CACHE",
        "DPEX_CACHE_MAX_BYTES",
        "DPEX_BUILD_OPTIONS",
        "DPEX_DUMP_SPIRV",
        "DPEX_VALIDATE_SPIRV",
        "DPEX_LOG",
    ] {
        cmd.env_remove(var);
    }
    let out = cmd.output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!("child failed:\n{stdout}\n{stderr}").into());
    }
    let field = |name: &str| -> R<f64> {
        let value = stdout
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .ok_or_else(|| format!("no {name} in {stdout}"))?;
        Ok(value.parse()?)
    };
    if field("disk_errors")? != 0.0 {
        return Err(format!("disk cache errors: {stdout}").into());
    }
    Ok((
        Duration::from_secs_f64(field("first_launch_us")? / 1e6),
        field("disk_hits")? == 1.0 && field("builds")? == 0.0,
    ))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The raw opencl3 side: its own context, queue, buffers and program of the same SPIR-V.
struct Raw {
    queue: CommandQueue,
    kernel: opencl3::kernel::Kernel,
    buffers: Vec<Buffer<cl_float>>,
    /// The error record a checked variant writes to (6 zeroed `u64`s).
    record: Option<Buffer<cl_ulong>>,
    // Kept alive for the kernel.
    _program: opencl3::program::Program,
    _context: Context,
}

impl Raw {
    fn new(case: &Case, spec: &KernelSpec, device: &dpex::Device) -> R<Raw> {
        let id = opencl3::device::get_all_devices(opencl3::device::CL_DEVICE_TYPE_ALL)?
            .into_iter()
            .find(|&id| {
                opencl3::device::Device::new(id).name().ok().as_deref() == Some(device.name())
            })
            .ok_or("the dpex device among the raw OpenCL devices")?;
        let context = Context::from_device(&opencl3::device::Device::new(id))?;
        let queue = CommandQueue::create_default_with_properties(&context, 0, 0)?;
        let il: Vec<u8> = spec.spirv.iter().flat_map(|w| w.to_ne_bytes()).collect();
        let program = opencl3::program::Program::create_and_build_from_il(&context, &il, "")
            .map_err(|log| format!("raw build of {}: {log}", case.name))?;
        let kernel = opencl3::kernel::Kernel::create(&program, spec.name)?;
        let mut buffers = Vec::new();
        for arg in &case.args {
            if let Arg::Tensor(len) = arg {
                let mut data: Vec<f32> = vec![1.5; *len];
                // SAFETY: `data` holds `len` floats; CL_MEM_COPY_HOST_PTR copies them during
                // the call.
                let buffer = unsafe {
                    Buffer::<cl_float>::create(
                        &context,
                        CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                        *len,
                        data.as_mut_ptr() as *mut c_void,
                    )?
                };
                buffers.push(buffer);
            }
        }
        let record = if spec.reports_errors {
            let mut zeros = [0u64; 6];
            // SAFETY: as above, for 6 u64s.
            Some(unsafe {
                Buffer::<cl_ulong>::create(
                    &context,
                    CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                    zeros.len(),
                    zeros.as_mut_ptr() as *mut c_void,
                )?
            })
        } else {
            None
        };
        Ok(Raw {
            queue,
            kernel,
            buffers,
            record,
            _program: program,
            _context: context,
        })
    }

    /// Sets argument `index` to `value` and moves to the next.
    fn set<T>(&self, index: &mut u32, value: &T) -> R<()> {
        // SAFETY: the callers pass the arguments of the kernel's OpenCL signature in the dpex
        // ABI: f32 and u64 scalars; per tensor a global pointer (a cl_mem), then u64 offset,
        // u64 extent and i64 stride; a global pointer to the error record.
        unsafe { self.kernel.set_arg(*index, value)? };
        *index += 1;
        Ok(())
    }

    /// Sets every argument (the dpex ABI: per tensor its pointer, offset, extent and stride;
    /// the error record last for a checked variant) and enqueues.
    fn enqueue(&self, case: &Case) -> R<opencl3::event::Event> {
        let mut index = 0;
        let mut buffers = self.buffers.iter();
        for arg in &case.args {
            match arg {
                Arg::F32(v) => self.set(&mut index, v)?,
                Arg::Usize(v) => self.set(&mut index, &(*v as u64))?,
                Arg::Tensor(len) => {
                    let mem: cl_mem = buffers.next().ok_or("a buffer per tensor")?.get();
                    self.set(&mut index, &mem)?;
                    self.set(&mut index, &0u64)?;
                    self.set(&mut index, &(*len as u64))?;
                    self.set(&mut index, &1i64)?;
                }
            }
        }
        if let Some(record) = &self.record {
            self.set(&mut index, &record.get())?;
        }
        let local = case.local.as_ref().map_or(ptr::null(), |l| l.as_ptr());
        // SAFETY: every argument is set; `global` (and `local`, if any) hold one extent per
        // dimension; no wait list.
        let event = unsafe {
            self.queue.enqueue_nd_range_kernel(
                self.kernel.get(),
                case.global.len() as u32,
                ptr::null(),
                case.global.as_ptr(),
                local,
                &[],
            )?
        };
        Ok(event)
    }
}

/// Medians of the host time of a launcher call and of a raw enqueue, `iterations` interleaved,
/// and the variant launched.
fn launch_overhead(case: &Case, iterations: usize) -> R<(Duration, Duration, &'static str)> {
    let queue = Queue::default()?;
    let mut tensors = tensors(case, &queue)?;
    let spec = chosen_variant(case, &mut tensors);
    let raw = Raw::new(case, spec, queue.device())?;
    for _ in 0..20 {
        (case.launch)(&mut tensors)?.wait()?;
        raw.enqueue(case)?.wait()?;
    }
    let mut dpex = Vec::with_capacity(iterations);
    let mut direct = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let started = Instant::now();
        let event = (case.launch)(&mut tensors)?;
        dpex.push(started.elapsed());
        event.wait()?;
        let started = Instant::now();
        let event = raw.enqueue(case)?;
        direct.push(started.elapsed());
        event.wait()?;
    }
    let variant = if spec.assumes.is_empty() {
        "checked"
    } else if spec.reports_errors {
        "partly proven"
    } else {
        "proven"
    };
    Ok((median(dpex), median(direct), variant))
}

fn us(d: Duration) -> String {
    format!("{:.1} us", d.as_secs_f64() * 1e6)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() -> R<()> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--child") {
        return child(args.get(at + 1).map(String::as_str).unwrap_or_default());
    }
    let quick = args.iter().any(|a| a == "--quick");
    let processes = if quick { 3 } else { 7 };
    let iterations = if quick { 300 } else { 2000 };
    let queue = Queue::default()?;
    let device = queue.device();
    println!(
        "device: {} (driver {}); {processes} processes per first-launch median, {iterations} \
         interleaved launches per overhead median\n",
        device.name(),
        device.driver_version()
    );
    println!(
        "| kernel | variant (SPIR-V words) | cold first launch | warm first launch | dpex launch | raw enqueue | overhead |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for case in cases() {
        let name = case.name;
        let mut cold = Vec::new();
        let mut warm = Vec::new();
        for run in 0..processes {
            let dir = std::env::temp_dir()
                .join(format!("dpex-bench-{name}-{}-{run}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            let (time, disk_hit) = first_launch_in_new_process(name, &dir)?;
            if disk_hit {
                return Err(format!("{name}: the cold run found a cached binary").into());
            }
            cold.push(time);
            let (time, disk_hit) = first_launch_in_new_process(name, &dir)?;
            if !disk_hit {
                return Err(format!("{name}: the warm run did not load the cached binary").into());
            }
            warm.push(time);
            let _ = std::fs::remove_dir_all(&dir);
        }
        let (dpex, raw, variant) = launch_overhead(&case, iterations)?;
        let overhead = dpex.as_secs_f64() - raw.as_secs_f64();
        let words = match variant {
            "checked" => case.variants.0.spirv.len(),
            _ => case.variants.1.map_or(0, |p| p.spirv.len()),
        };
        println!(
            "| {name} | {variant} ({words}) | {} | {} | {} | {} | {:+.1} us |",
            ms(median(cold)),
            ms(median(warm)),
            us(dpex),
            us(raw),
            overhead * 1e6
        );
    }
    Ok(())
}
