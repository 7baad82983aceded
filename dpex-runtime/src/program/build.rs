//! Loading one program on a cache miss: dump, validate, disk cache, else a driver build from IL.

use std::time::Instant;

use opencl3::program::Program;

use super::disk::{self, cache_config};
use super::format::DiskKey;
use super::inspect::{dump_if_requested, validate_if_requested};
use super::stats::{self, trace};
use crate::backend::opencl;
use crate::backend::opencl::status::{cl_with, status_name};
use crate::device::Device;
use crate::error::{Error, Result};
use crate::spec::KernelSpec;

/// A program ready to create kernels from, and the driver's build log of its build from SPIR-V.
pub(super) struct Loaded {
    pub(super) program: Program,
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

/// `clCreateProgramWithIL` + `clBuildProgram`, timed and counted.
fn build_from_il(spec: &KernelSpec, device: &Device, options: &str) -> Result<Loaded> {
    let context = opencl::device::context(device)?;
    let started = Instant::now();
    let il: Vec<u8> = spec.spirv.iter().flat_map(|w| w.to_ne_bytes()).collect();
    let mut program = Program::create_from_il(context, &il).map_err(cl_with(
        "clCreateProgramWithIL",
        format!(
            "kernel `{}` ({} SPIR-V words) on {device}",
            spec.name,
            spec.spirv.len()
        ),
    ))?;
    // `options` holds no NUL (checked by the caller), so build() does not panic.
    let built = program.build(&[opencl::device::id(device)], options);
    let log = program
        .get_build_log(opencl::device::id(device))
        .unwrap_or_default();
    let log = log
        .trim_matches(|c: char| c == '\0' || c.is_whitespace())
        .to_string();
    let time = started.elapsed();
    stats::built(spec, built.is_ok(), time);
    trace(format_args!(
        "built `{}` ({} SPIR-V words, options {options:?}) on {device} in {time:?}: {}",
        spec.name,
        spec.spirv.len(),
        if built.is_ok() { "ok" } else { "failed" }
    ));
    if let Err(e) = built {
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
    Ok(Loaded {
        program,
        build_log: log,
    })
}
