//! First-launch and launch-overhead benchmark of the program cache (not a timed test).
//!
//! Run: `cargo bench -p dpex-runtime --bench first_launch` (add `-- --quick` for fewer runs).
//!
//! For three kernels of different sizes, all hand-built SPIR-V (the runtime cannot depend on
//! the macro crate; the sizes bracket the real `saxpy` (~270 words), `black_scholes` and
//! `matmul_tiled` (~1000 words) modules):
//!
//! - `axpy`: `y[i] = a * x[i] + y[i]` (the runtime tests' hand-built kernel);
//! - `black_scholes`: the Black-Scholes call and put prices with OpenCL.std `sqrt`, `log`, `exp`
//!   and `erf`, as in `examples/black_scholes.rs`;
//! - `dot_unrolled`: a 48-term fully unrolled dot product per work-item, a larger module.
//!
//! it reports
//!
//! - **cold first launch**: a new process with an empty disk cache; the wall time of the first
//!   `launch(..).wait()` (driver build from SPIR-V + disk cache write + the launch), median over
//!   several processes;
//! - **warm first launch**: a new process whose disk cache holds the binary (written by the
//!   cold run); the same measurement (binary load, no driver compile);
//! - **cached launch overhead**: in this process, with the program in memory, the host time of
//!   one `dpex_runtime::launch` call against a raw opencl3 `clSetKernelArg` x N +
//!   `clEnqueueNDRangeKernel` of the same SPIR-V in its own context, medians of 1000 interleaved
//!   launches (each waited for outside the timed region).

#[path = "../tests/common/mod.rs"]
mod common;

use std::ffi::c_void;
use std::process::Command;
use std::ptr;
use std::time::{Duration, Instant};

use common::{leak_spec, scalar, tensor, tensor_params, Kernel, ParamTy, TensorIds};
use dpex_runtime::{
    cache_stats, launch, DType, KernelArg, KernelSpec, ParamSpecKind, Queue, Tensor,
};
use opencl3::command_queue::CommandQueue;
use opencl3::context::Context;
use opencl3::memory::{Buffer, ClMem, CL_MEM_COPY_HOST_PTR, CL_MEM_READ_WRITE};
use opencl3::types::{cl_float, cl_mem};
use rspirv::dr::Operand;

/// Work-items per launch.
const N: usize = 1024;
/// Terms of the unrolled dot product.
const DOT_TERMS: u64 = 48;

/// A kernel argument, as both the dpex launch and the raw enqueue see it.
#[derive(Clone, Copy)]
enum Arg {
    Scalar(f32),
    /// A 1-d f32 tensor of this many elements.
    Tensor(usize),
}

struct Case {
    spec: &'static KernelSpec,
    args: Vec<Arg>,
}

/// `y[i] = a * x[i] + y[i]`, the runtime tests' [`common::axpy_spec`].
fn axpy() -> Case {
    Case {
        spec: common::axpy_spec(),
        args: vec![Arg::Scalar(2.0), Arg::Tensor(N), Arg::Tensor(N)],
    }
}

fn black_scholes() -> Case {
    use ParamTy::*;
    let params = [
        vec![Float(32), Float(32)],
        tensor_params(FloatPtr(32), 1),
        tensor_params(FloatPtr(32), 1),
        tensor_params(FloatPtr(32), 1),
        tensor_params(FloatPtr(32), 1),
        tensor_params(FloatPtr(32), 1),
    ]
    .concat();
    let (mut k, p) = Kernel::begin("black_scholes", &[], &params);
    let (rate, vol) = (p[0], p[1]);
    let mut at = 2;
    let mut next = || {
        let t = TensorIds::at(&p, at, 1);
        at += t.count();
        t
    };
    let (price, strike, years, call, put) = (next(), next(), next(), next(), next());
    let std = k.b.ext_inst_import("OpenCL.std");
    let float = Float(32).ty(&mut k);
    let ptr = FloatPtr(32).ty(&mut k);
    let c = |k: &mut Kernel, v: f32| k.b.constant_bit32(float, v.to_bits());
    // OpenCL.std instruction numbers.
    let (erf, exp, log, sqrt) = (18, 19, 37, 61);
    let ext = |k: &mut Kernel, op: u32, x| {
        k.b.ext_inst(float, None, std, op, [Operand::IdRef(x)])
            .expect("ext_inst")
    };
    let i = k.global_id(0);
    k.if_in_bounds(i, call.shape[0], |k| {
        let ps = k.tensor_element(ptr, &price, &[i]);
        let s = k.load(float, ps, 4);
        let pk = k.tensor_element(ptr, &strike, &[i]);
        let kk = k.load(float, pk, 4);
        let pt = k.tensor_element(ptr, &years, &[i]);
        let t = k.load(float, pt, 4);
        let sqrt_t = ext(k, sqrt, t);
        let s_over_k = k.b.f_div(float, None, s, kk).expect("fdiv");
        let ln = ext(k, log, s_over_k);
        let half = c(k, 0.5);
        let vv = k.b.f_mul(float, None, vol, vol).expect("fmul");
        let half_vv = k.b.f_mul(float, None, half, vv).expect("fmul");
        let drift = k.b.f_add(float, None, rate, half_vv).expect("fadd");
        let drift_t = k.b.f_mul(float, None, drift, t).expect("fmul");
        let num = k.b.f_add(float, None, ln, drift_t).expect("fadd");
        let vol_sqrt_t = k.b.f_mul(float, None, vol, sqrt_t).expect("fmul");
        let d1 = k.b.f_div(float, None, num, vol_sqrt_t).expect("fdiv");
        let d2 = k.b.f_sub(float, None, d1, vol_sqrt_t).expect("fsub");
        let neg_rate = k.b.f_negate(float, None, rate).expect("fneg");
        let neg_rate_t = k.b.f_mul(float, None, neg_rate, t).expect("fmul");
        let e = ext(k, exp, neg_rate_t);
        let discounted = k.b.f_mul(float, None, kk, e).expect("fmul");
        // cnd(x) = 0.5 * (1 + erf(x / sqrt(2)))
        let cnd = |k: &mut Kernel, x| {
            let inv_sqrt2 = c(k, std::f32::consts::FRAC_1_SQRT_2);
            let one = c(k, 1.0);
            let half = c(k, 0.5);
            let scaled = k.b.f_mul(float, None, x, inv_sqrt2).expect("fmul");
            let erf_x = ext(k, erf, scaled);
            let sum = k.b.f_add(float, None, one, erf_x).expect("fadd");
            k.b.f_mul(float, None, half, sum).expect("fmul")
        };
        let nd1 = cnd(k, d1);
        let nd2 = cnd(k, d2);
        let neg_d1 = k.b.f_negate(float, None, d1).expect("fneg");
        let neg_d2 = k.b.f_negate(float, None, d2).expect("fneg");
        let n_neg_d1 = cnd(k, neg_d1);
        let n_neg_d2 = cnd(k, neg_d2);
        let a = k.b.f_mul(float, None, s, nd1).expect("fmul");
        let b = k.b.f_mul(float, None, discounted, nd2).expect("fmul");
        let call_v = k.b.f_sub(float, None, a, b).expect("fsub");
        let a = k.b.f_mul(float, None, discounted, n_neg_d2).expect("fmul");
        let b = k.b.f_mul(float, None, s, n_neg_d1).expect("fmul");
        let put_v = k.b.f_sub(float, None, a, b).expect("fsub");
        let pc = k.tensor_element(ptr, &call, &[i]);
        k.store(pc, call_v, 4);
        let pp = k.tensor_element(ptr, &put, &[i]);
        k.store(pp, put_v, 4);
    });
    let spec = leak_spec(
        "black_scholes",
        1,
        k.finish(),
        vec![
            scalar("rate", DType::F32),
            scalar("volatility", DType::F32),
            tensor("price", DType::F32, false),
            tensor("strike", DType::F32, false),
            tensor("years", DType::F32, false),
            tensor("call", DType::F32, true),
            tensor("put", DType::F32, true),
        ],
    );
    Case {
        spec,
        args: vec![
            Arg::Scalar(0.02),
            Arg::Scalar(0.3),
            Arg::Tensor(N),
            Arg::Tensor(N),
            Arg::Tensor(N),
            Arg::Tensor(N),
            Arg::Tensor(N),
        ],
    }
}

/// `y[i] = sum over j < DOT_TERMS of a[i * DOT_TERMS + j] * x[j]`, fully unrolled.
fn dot_unrolled() -> Case {
    use ParamTy::*;
    let params = [
        tensor_params(FloatPtr(32), 1),
        tensor_params(FloatPtr(32), 1),
        tensor_params(FloatPtr(32), 1),
    ]
    .concat();
    let (mut k, p) = Kernel::begin("dot_unrolled", &[], &params);
    let a = TensorIds::at(&p, 0, 1);
    let x = TensorIds::at(&p, a.count(), 1);
    let y = TensorIds::at(&p, a.count() + x.count(), 1);
    let float = Float(32).ty(&mut k);
    let ptr = FloatPtr(32).ty(&mut k);
    let ulong = k.ulong;
    let i = k.global_id(0);
    k.if_in_bounds(i, y.shape[0], |k| {
        let terms = k.ulong_const(DOT_TERMS);
        let row = k.b.i_mul(ulong, None, i, terms).expect("imul");
        let mut acc = k.b.constant_bit32(float, 0);
        for j in 0..DOT_TERMS {
            let jc = k.ulong_const(j);
            let idx = k.b.i_add(ulong, None, row, jc).expect("iadd");
            let pa = k.tensor_element(ptr, &a, &[idx]);
            let va = k.load(float, pa, 4);
            let px = k.tensor_element(ptr, &x, &[jc]);
            let vx = k.load(float, px, 4);
            let prod = k.b.f_mul(float, None, va, vx).expect("fmul");
            acc = k.b.f_add(float, None, acc, prod).expect("fadd");
        }
        let py = k.tensor_element(ptr, &y, &[i]);
        k.store(py, acc, 4);
    });
    let spec = leak_spec(
        "dot_unrolled",
        1,
        k.finish(),
        vec![
            tensor("a", DType::F32, false),
            tensor("x", DType::F32, false),
            tensor("y", DType::F32, true),
        ],
    );
    Case {
        spec,
        args: vec![
            Arg::Tensor(N * DOT_TERMS as usize),
            Arg::Tensor(DOT_TERMS as usize),
            Arg::Tensor(N),
        ],
    }
}

fn cases() -> Vec<Case> {
    vec![axpy(), black_scholes(), dot_unrolled()]
}

fn ok<T>(r: dpex_runtime::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// The case's tensors on `queue` (element `j` of tensor `t` is `1 + (j + t) % 7`: positive, as
/// Black-Scholes needs), in argument order.
fn dpex_tensors(case: &Case, queue: &Queue) -> Vec<Tensor<f32>> {
    case.args
        .iter()
        .enumerate()
        .filter_map(|(t, arg)| match arg {
            Arg::Tensor(len) => {
                let data: Vec<f32> = (0..*len).map(|j| 1.0 + ((j + t) % 7) as f32).collect();
                Some(ok(Tensor::from_slice(queue, &data)))
            }
            Arg::Scalar(_) => None,
        })
        .collect()
}

/// The dpex launch arguments: scalars and the tensors in order (`&mut` for writable ones).
fn dpex_args<'a>(case: &Case, tensors: &'a mut [Tensor<f32>]) -> Vec<KernelArg<'a>> {
    let mut tensors = tensors.iter_mut();
    case.args
        .iter()
        .zip(case.spec.params)
        .map(|(arg, param)| match (arg, param.kind) {
            (Arg::Scalar(v), _) => KernelArg::scalar(*v),
            (Arg::Tensor(_), ParamSpecKind::Tensor { writable: true, .. }) => {
                KernelArg::from(tensors.next().expect("one tensor per argument"))
            }
            (Arg::Tensor(_), _) => {
                KernelArg::from(&*tensors.next().expect("one tensor per argument"))
            }
        })
        .collect()
}

/// Child process: the first launch of `name`, timed; prints `first_launch_us=... builds=...`.
fn child(name: &str) {
    let case = cases()
        .into_iter()
        .find(|c| c.spec.name == name)
        .unwrap_or_else(|| panic!("no case {name}"));
    let queue = common::cpu_queue();
    let mut tensors = dpex_tensors(&case, &queue);
    let args = dpex_args(&case, &mut tensors);
    let started = Instant::now();
    ok(ok(launch(case.spec, &[N], None, None, &args)).wait());
    let time = started.elapsed();
    let s = cache_stats();
    println!(
        "first_launch_us={:.1} builds={} disk_hits={} disk_errors={}",
        time.as_secs_f64() * 1e6,
        s.builds,
        s.disk_hits,
        s.disk_errors
    );
}

/// Runs the child for `name` with the disk cache in `dir`; returns its first launch time and
/// whether it was a disk hit.
fn first_launch_in_new_process(name: &str, dir: &std::path::Path) -> (Duration, bool) {
    let exe = std::env::current_exe().expect("current_exe");
    let mut cmd = Command::new(exe);
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
    let out = cmd.output().expect("spawn the child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let field = |name: &str| -> f64 {
        stdout
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {stdout}"))
    };
    assert_eq!(field("disk_errors"), 0.0, "{stdout}");
    (
        Duration::from_secs_f64(field("first_launch_us") / 1e6),
        field("disk_hits") == 1.0 && field("builds") == 0.0,
    )
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
    // Kept alive for the kernel.
    _program: opencl3::program::Program,
    _context: Context,
}

impl Raw {
    fn new(case: &Case, device_name: &str) -> Raw {
        let ids = opencl3::device::get_all_devices(opencl3::device::CL_DEVICE_TYPE_CPU)
            .expect("OpenCL CPU devices");
        let id = ids
            .into_iter()
            .find(|&id| {
                opencl3::device::Device::new(id).name().ok().as_deref() == Some(device_name)
            })
            .expect("the dpex device among the raw OpenCL devices");
        let context = Context::from_device(&opencl3::device::Device::new(id)).expect("context");
        let queue =
            CommandQueue::create_default_with_properties(&context, 0, 0).expect("command queue");
        let il: Vec<u8> = case
            .spec
            .spirv
            .iter()
            .flat_map(|w| w.to_ne_bytes())
            .collect();
        let program = opencl3::program::Program::create_and_build_from_il(&context, &il, "")
            .expect("raw program");
        let kernel = opencl3::kernel::Kernel::create(&program, case.spec.name).expect("kernel");
        let buffers = case
            .args
            .iter()
            .filter_map(|arg| match arg {
                Arg::Tensor(len) => {
                    let data: Vec<f32> = vec![1.5; *len];
                    // SAFETY: `data` holds `len` floats and CL_MEM_COPY_HOST_PTR copies them
                    // during the call.
                    Some(
                        unsafe {
                            Buffer::<cl_float>::create(
                                &context,
                                CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                                *len,
                                data.as_ptr() as *mut c_void,
                            )
                        }
                        .expect("buffer"),
                    )
                }
                Arg::Scalar(_) => None,
            })
            .collect();
        Raw {
            queue,
            kernel,
            buffers,
            _program: program,
            _context: context,
        }
    }

    /// Sets every argument (dpex ABI: pointer, offset, extent, stride per tensor) and enqueues.
    fn enqueue(&self, case: &Case) -> opencl3::event::Event {
        let mut index = 0;
        let mut buffers = self.buffers.iter();
        for arg in &case.args {
            // SAFETY: the argument types and sizes follow the kernel's OpenCL signature (f32
            // scalars; per tensor a global pointer, then u64 offset, u64 extent, i64 stride).
            unsafe {
                match arg {
                    Arg::Scalar(v) => {
                        self.kernel.set_arg(index, v).expect("set_arg");
                        index += 1;
                    }
                    Arg::Tensor(len) => {
                        let mem: cl_mem = buffers.next().expect("a buffer").get();
                        self.kernel.set_arg(index, &mem).expect("set_arg");
                        self.kernel.set_arg(index + 1, &0u64).expect("set_arg");
                        self.kernel
                            .set_arg(index + 2, &(*len as u64))
                            .expect("set_arg");
                        self.kernel.set_arg(index + 3, &1i64).expect("set_arg");
                        index += 4;
                    }
                }
            }
        }
        let global = [N];
        // SAFETY: every argument is set; one dimension of N work-items; no wait list.
        unsafe {
            self.queue.enqueue_nd_range_kernel(
                self.kernel.get(),
                1,
                ptr::null(),
                global.as_ptr(),
                ptr::null(),
                &[],
            )
        }
        .expect("enqueue")
    }
}

/// Medians of the host time of a dpex launch and of a raw enqueue, `iterations` interleaved.
fn launch_overhead(case: &Case, iterations: usize) -> (Duration, Duration) {
    let queue = common::cpu_queue();
    let mut tensors = dpex_tensors(case, &queue);
    let args = dpex_args(case, &mut tensors);
    let raw = Raw::new(case, queue.device().name());
    for _ in 0..20 {
        ok(ok(launch(case.spec, &[N], None, None, &args)).wait());
        raw.enqueue(case).wait().expect("wait");
    }
    let mut dpex = Vec::with_capacity(iterations);
    let mut direct = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let started = Instant::now();
        let event = ok(launch(case.spec, &[N], None, None, &args));
        dpex.push(started.elapsed());
        ok(event.wait());
        let started = Instant::now();
        let event = raw.enqueue(case);
        direct.push(started.elapsed());
        event.wait().expect("wait");
    }
    (median(dpex), median(direct))
}

fn us(d: Duration) -> String {
    format!("{:.1} us", d.as_secs_f64() * 1e6)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--child") {
        child(args.get(at + 1).map(String::as_str).unwrap_or_default());
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let processes = if quick { 3 } else { 7 };
    let iterations = if quick { 200 } else { 1000 };
    let device = common::cpu();
    println!(
        "device: {} (driver {}); {processes} processes per first-launch median, {iterations} \
         interleaved launches per overhead median, {N} work-items\n",
        device.name(),
        device.driver_version()
    );
    println!(
        "| kernel | SPIR-V words | cold first launch | warm first launch | dpex launch | raw enqueue | overhead |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for case in cases() {
        let name = case.spec.name;
        let mut cold = Vec::new();
        let mut warm = Vec::new();
        for run in 0..processes {
            let dir = std::env::temp_dir()
                .join(format!("dpex-bench-{name}-{}-{run}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            let (time, disk_hit) = first_launch_in_new_process(name, &dir);
            assert!(!disk_hit, "the cold run found a cached binary");
            cold.push(time);
            let (time, disk_hit) = first_launch_in_new_process(name, &dir);
            assert!(disk_hit, "the warm run did not load the cached binary");
            warm.push(time);
            let _ = std::fs::remove_dir_all(&dir);
        }
        let (dpex, raw) = launch_overhead(&case, iterations);
        let overhead = dpex.as_secs_f64() - raw.as_secs_f64();
        println!(
            "| {name} | {} | {} | {} | {} | {} | {:+.1} us |",
            case.spec.spirv.len(),
            ms(median(cold)),
            ms(median(warm)),
            us(dpex),
            us(raw),
            overhead * 1e6
        );
    }
}
