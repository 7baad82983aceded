//! Loading one program on a cache miss: dump, validate, disk cache, else a driver build from IL.

use std::time::Instant;

use super::disk::{self, cache_config};
use super::format::DiskKey;
use super::inspect::{dump_if_requested, validate_if_requested};
use super::stats::{self, trace};
use crate::backend::opencl;
use crate::device::Device;
use crate::error::Result;
use crate::spec::KernelSpec;

/// A program ready to create kernels from, and the driver's build log of its build from SPIR-V.
pub(super) struct Loaded {
    pub(super) program: opencl::program::Program,
    pub(super) build_log: String,
}

/// Loads `spec`'s program for `device`, built with `options` (already checked for NUL):
/// `DPEX_DUMP_SPIRV`, then `DPEX_VALIDATE_SPIRV`, then the on-disk cache, else a build from
/// SPIR-V whose binary is then written to the disk cache.
pub(super) fn load(spec: &KernelSpec, device: &Device, options: &str) -> Result<Loaded> {
    dump_if_requested(spec);
    validate_if_requested(spec)?;
    let config = cache_config();
    let disk = config
        .dir
        .as_deref()
        .map(|dir| (dir, DiskKey::new(spec, device, options)));
    if let Some((dir, key)) = &disk {
        if let Some(loaded) = disk::load(spec, dir, key, device, options) {
            return Ok(loaded);
        }
    }
    let loaded = build_from_il(spec, device, options)?;
    if let Some((dir, key)) = &disk {
        disk::store(
            dir,
            config.max_bytes,
            key,
            &loaded.program,
            &loaded.build_log,
        );
    }
    Ok(loaded)
}

/// A driver build of `spec`'s SPIR-V for `device` (`clCreateProgramWithIL` + `clBuildProgram`),
/// timed and counted.
fn build_from_il(spec: &KernelSpec, device: &Device, options: &str) -> Result<Loaded> {
    let started = Instant::now();
    let built = opencl::program::from_il(spec, device, options);
    let time = started.elapsed();
    stats::built(stats::opencl_module(spec), built.is_ok(), time);
    trace(format_args!(
        "built `{}` ({} SPIR-V words, options {options:?}) on {device} in {time:?}: {}",
        spec.name,
        spec.spirv.len(),
        if built.is_ok() { "ok" } else { "failed" }
    ));
    let (program, build_log) = built?;
    Ok(Loaded { program, build_log })
}
