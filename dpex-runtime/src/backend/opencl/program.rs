//! OpenCL programs: built from a kernel's SPIR-V (`clCreateProgramWithIL`) or from a device
//! binary of the disk cache, the binary of a built one, and the pool of kernel objects that
//! launches take one from.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use opencl3::kernel::Kernel;
use opencl3::types::cl_device_id;

use super::status::{cl_with, error, status_name};
use crate::device::Device;
use crate::error::{Error, Result};
use crate::spec::KernelSpec;

/// Kernel objects kept per program and kernel name for reuse (more are created under contention).
const KERNEL_POOL_SIZE: usize = 8;

/// A built OpenCL program.
pub(crate) struct Program(opencl3::program::Program);

/// The words of `spec`'s SPIR-V built for `device` with `options` (which hold no NUL):
/// `clCreateProgramWithIL` + `clBuildProgram`. Returns the build's outcome ([`Error::BuildFailed`]
/// with the driver's log if the driver rejected the module) and the log.
pub(crate) fn from_il(
    spec: &KernelSpec,
    device: &Device,
    options: &str,
) -> Result<(Program, String)> {
    let context = super::device::context(device)?;
    let id = super::device::id(device);
    let il: Vec<u8> = spec.spirv.iter().flat_map(|w| w.to_ne_bytes()).collect();
    let mut program = opencl3::program::Program::create_from_il(context, &il).map_err(cl_with(
        "clCreateProgramWithIL",
        format!(
            "kernel `{}` ({} SPIR-V words) on {device}",
            spec.name,
            spec.spirv.len()
        ),
    ))?;
    // `options` holds no NUL (checked by the caller), so build() does not panic.
    let built = program.build(&[id], options);
    let log = program.get_build_log(id).unwrap_or_default();
    let log = log
        .trim_matches(|c: char| c == '\0' || c.is_whitespace())
        .to_string();
    match built {
        Ok(()) => Ok((Program(program), log)),
        Err(e) => Err(Error::BuildFailed {
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
        }),
    }
}

/// `clCreateProgramWithBinary` + `clBuildProgram` of a cached device `binary` for `device`
/// with `options` (which hold no NUL); the error says what the driver rejected.
pub(crate) fn from_binary(
    device: &Device,
    binary: &[u8],
    options: &str,
) -> std::result::Result<Program, String> {
    let context = super::device::context(device).map_err(|e| e.to_string())?;
    let id = super::device::id(device);
    // SAFETY: the device is the one the context was created for, and the binary is a byte
    // slice that outlives the call (the driver copies it).
    let mut program =
        unsafe { opencl3::program::Program::create_from_binary(context, &[id], &[binary]) }
            .map_err(|e| format!("clCreateProgramWithBinary: {}", status_name(e.0)))?;
    program
        .build(&[id], options)
        .map_err(|e| format!("clBuildProgram: {}", status_name(e.0)))?;
    Ok(Program(program))
}

impl Program {
    /// The program's device binary (`CL_PROGRAM_BINARIES` of its one device); the error says
    /// what went wrong.
    pub(crate) fn binary(&self) -> std::result::Result<Vec<u8>, String> {
        match self.0.get_binaries() {
            Ok(mut binaries) if binaries.len() == 1 && !binaries[0].is_empty() => {
                Ok(binaries.remove(0))
            }
            Ok(binaries) => Err(format!(
                "the driver returned {} program binaries (sizes {:?})",
                binaries.len(),
                binaries.iter().map(Vec::len).collect::<Vec<_>>()
            )),
            Err(e) => Err(format!(
                "clGetProgramInfo(CL_PROGRAM_BINARIES): {}",
                status_name(e.0)
            )),
        }
    }
}

/// A built program and a pool of kernel objects created from it.
pub(crate) struct BuiltProgram {
    program: Program,
    /// The driver's log of the build from SPIR-V (stored with the binary in the disk cache).
    build_log: String,
    /// `clSetKernelArg` is not thread-safe on one kernel object, so each launch takes one out.
    kernels: Mutex<HashMap<&'static str, Vec<Kernel>>>,
    /// Each kernel's `CL_KERNEL_WORK_GROUP_SIZE` (`None`: the query failed), asked once.
    work_group_limits: Mutex<HashMap<&'static str, Option<usize>>>,
}

/// Locks a mutex, recovering it if a thread panicked while holding it (every critical section
/// here is a single insert, removal or lookup).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl BuiltProgram {
    /// `program`, whose build from SPIR-V logged `build_log`, with no kernel objects yet.
    pub(crate) fn new(program: Program, build_log: String) -> BuiltProgram {
        BuiltProgram {
            program,
            build_log,
            kernels: Mutex::default(),
            work_group_limits: Mutex::default(),
        }
    }

    /// The driver's log of the build from SPIR-V.
    pub(crate) fn build_log(&self) -> &str {
        &self.build_log
    }

    /// A kernel object for `name`, from the pool or newly created.
    pub(crate) fn take_kernel(&self, name: &'static str) -> Result<Kernel> {
        if let Some(kernel) = lock(&self.kernels).get_mut(name).and_then(Vec::pop) {
            return Ok(kernel);
        }
        if name.contains('\0') {
            return Err(error(
                "clCreateKernel",
                -46,
                format!("the kernel name {name:?} contains a NUL character"),
            ));
        }
        Kernel::create(&self.program.0, name).map_err(|e| {
            error(
                "clCreateKernel",
                e.0,
                format!(
                    "kernel `{name}`; the program's kernels are `{}`",
                    self.program.0.kernel_names()
                ),
            )
        })
    }

    /// `CL_KERNEL_WORK_GROUP_SIZE` of kernel `name` (of which `kernel` is an object) on the
    /// program's device `device`; `None` when the driver cannot tell. Queried once per kernel.
    pub(crate) fn work_group_limit(
        &self,
        name: &'static str,
        kernel: &Kernel,
        device: cl_device_id,
    ) -> Option<usize> {
        if let Some(&limit) = lock(&self.work_group_limits).get(name) {
            return limit;
        }
        let limit = kernel.get_work_group_size(device).ok();
        lock(&self.work_group_limits).insert(name, limit);
        limit
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
