//! Building kernels' SPIR-V into OpenCL programs, cached per (SPIR-V, device context), with counters.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use once_cell::sync::{Lazy, OnceCell};
use opencl3::kernel::Kernel;
use opencl3::program::Program;

use crate::device::Device;
use crate::error::{cl_with, status_name, Error, Result};
use crate::spec::KernelSpec;

/// Kernel objects kept per program and kernel name for reuse (more are created under contention).
const KERNEL_POOL_SIZE: usize = 8;

/// A built program and a pool of kernel objects created from it.
pub(crate) struct BuiltProgram {
    program: Program,
    /// `clSetKernelArg` is not thread-safe on one kernel object, so each launch takes one out.
    kernels: Mutex<HashMap<&'static str, Vec<Kernel>>>,
}

/// Identifies a program: the SPIR-V (hash and length) and the context it is built in.
type Key = (u64, usize, usize);

#[derive(Default)]
struct Cache {
    /// One cell per key: concurrent first launches wait for a single build.
    cells: HashMap<Key, Arc<OnceCell<Arc<BuiltProgram>>>>,
    /// Successful builds per SPIR-V module, over all devices.
    builds: HashMap<(u64, usize), u64>,
}

static CACHE: Lazy<Mutex<Cache>> = Lazy::new(Mutex::default);
static BUILDS: AtomicU64 = AtomicU64::new(0);
static HITS: AtomicU64 = AtomicU64::new(0);

/// Process-wide program cache statistics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Programs built (driver compilations) so far.
    pub builds: u64,
    /// Launches that found their program already built.
    pub hits: u64,
}

/// The program cache's counters so far.
pub fn cache_stats() -> CacheStats {
    CacheStats {
        builds: BUILDS.load(Ordering::Relaxed),
        hits: HITS.load(Ordering::Relaxed),
    }
}

/// How many times this kernel's program was built in this process, over all devices.
pub fn program_builds(spec: &KernelSpec) -> u64 {
    lock(&CACHE)
        .builds
        .get(&(spec.spirv_hash, spec.spirv.len()))
        .copied()
        .unwrap_or(0)
}

/// Locks a mutex, recovering it if a thread panicked while holding it (the data stays consistent:
/// every critical section here is a single insert or lookup).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The program for `spec` on `device`, built at the first call (at most once per device, even
/// under concurrent launches). A failed build is not cached.
pub(crate) fn program_for(spec: &'static KernelSpec, device: &Device) -> Result<Arc<BuiltProgram>> {
    let context = device.context()?;
    let key = (spec.spirv_hash, spec.spirv.len(), context.get() as usize);
    let cell = lock(&CACHE).cells.entry(key).or_default().clone();
    let mut built_here = false;
    let program = cell.get_or_try_init(|| {
        built_here = true;
        let program = build(spec, device)?;
        BUILDS.fetch_add(1, Ordering::Relaxed);
        *lock(&CACHE)
            .builds
            .entry((spec.spirv_hash, spec.spirv.len()))
            .or_insert(0) += 1;
        Ok::<_, Error>(Arc::new(BuiltProgram {
            program,
            kernels: Mutex::default(),
        }))
    })?;
    if !built_here {
        HITS.fetch_add(1, Ordering::Relaxed);
    }
    Ok(program.clone())
}

fn build(spec: &KernelSpec, device: &Device) -> Result<Program> {
    let context = device.context()?;
    let il: Vec<u8> = spec.spirv.iter().flat_map(|w| w.to_ne_bytes()).collect();
    let mut program = Program::create_from_il(context, &il).map_err(cl_with(
        "clCreateProgramWithIL",
        format!(
            "kernel `{}` ({} SPIR-V words) on {device}",
            spec.name,
            spec.spirv.len()
        ),
    ))?;
    if let Err(e) = program.build(&[device.id()], "") {
        let log = program.get_build_log(device.id()).unwrap_or_default();
        let log = log.trim_matches(|c: char| c == '\0' || c.is_whitespace());
        return Err(Error::BuildFailed {
            kernel: spec.name.to_string(),
            device: device.to_string(),
            log: if log.is_empty() {
                format!(
                    "(no build log; clBuildProgram returned {})",
                    status_name(e.0)
                )
            } else {
                format!("{log}\n(clBuildProgram returned {})", status_name(e.0))
            },
        });
    }
    Ok(program)
}

impl BuiltProgram {
    /// A kernel object for `name`, from the pool or newly created.
    pub(crate) fn take_kernel(&self, name: &'static str) -> Result<Kernel> {
        if let Some(kernel) = lock(&self.kernels).get_mut(name).and_then(Vec::pop) {
            return Ok(kernel);
        }
        if name.contains('\0') {
            return Err(Error::opencl(
                "clCreateKernel",
                -46,
                format!("the kernel name {name:?} contains a NUL character"),
            ));
        }
        Kernel::create(&self.program, name).map_err(|e| {
            Error::opencl(
                "clCreateKernel",
                e.0,
                format!(
                    "kernel `{name}`; the program's kernels are `{}`",
                    self.program.kernel_names()
                ),
            )
        })
    }

    /// Returns a kernel object to the pool after its launch was enqueued.
    pub(crate) fn give_back(&self, name: &'static str, kernel: Kernel) {
        let mut pool = lock(&self.kernels);
        let kernels = pool.entry(name).or_default();
        if kernels.len() < KERNEL_POOL_SIZE {
            kernels.push(kernel);
        }
    }
}
