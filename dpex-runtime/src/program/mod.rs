//! Kernels' SPIR-V built into OpenCL programs, cached in memory and on disk, with counters.
//!
//! **In memory**, one program per key (SPIR-V hash and word count, the device's context, the
//! global and the kernel's build options). The specialization (a generic kernel's concrete types
//! and const parameters, the tensor layout variant) is part of the SPIR-V: each instance is its
//! own [`KernelSpec`]. Loads are single-flight ([`SingleFlight`], which Vulkan pipelines are
//! cached in too): when several launches miss the same key at once, one loads the program and
//! the others wait for it; a failure (e.g. the driver's build log) is reported to every waiter
//! and not cached, so a later launch tries again. Different devices (contexts) load
//! independently.
//!
//! **On disk** (see [`CacheConfig`]), the device binary of every program built from SPIR-V, so
//! that the first launch in a later process skips the driver's compile.
//!
//! Before a load, `DPEX_DUMP_SPIRV=<dir>` writes the module to `<dir>/<kernel>-<hash>.spv` and
//! `DPEX_VALIDATE_SPIRV=1` (or the path of a `spirv-val`) validates it.

mod build;
mod disk;
mod flight;
mod format;
mod inspect;
mod options;
mod stats;

use std::sync::{Arc, Mutex, MutexGuard};

use once_cell::sync::Lazy;

use crate::backend::opencl;
use crate::backend::opencl::program::BuiltProgram;
use crate::device::Device;
use crate::error::Result;
use crate::spec::KernelSpec;
pub(crate) use flight::{Loading, SingleFlight};

pub(crate) use disk::write_atomically;
pub use disk::{cache_config, set_cache_config, CacheConfig, DEFAULT_CACHE_MAX_BYTES};
pub(crate) use inspect::{dump_vulkan_if_requested, validate_vulkan_if_requested};
pub use options::{build_options, set_build_options};
pub(crate) use stats::{built, trace};
pub use stats::{cache_stats, program_builds, CacheStats};

/// Identifies a program in memory.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    spirv_hash: u64,
    spirv_words: usize,
    /// The `cl_context` (a program is built in and for one context).
    context: usize,
    /// Stands for the global build options (see `options::global`).
    global_options: u64,
    kernel_options: &'static str,
}

static CACHE: Lazy<SingleFlight<Key, Arc<BuiltProgram>>> = Lazy::new(SingleFlight::new);

/// Locks a mutex, recovering it if a thread panicked while holding it (the data stays consistent:
/// every critical section here is a single insert, removal or lookup).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The program for `spec` on `device`, loaded at the first call for its key (single-flight: at
/// most one load per key at a time, concurrent launches wait for it). A failure is not cached.
pub(crate) fn program_for(spec: &'static KernelSpec, device: &Device) -> Result<Arc<BuiltProgram>> {
    let context = opencl::device::context(device)?;
    let (global_id, global_text) = options::global();
    let key = Key {
        spirv_hash: spec.spirv_hash,
        spirv_words: spec.spirv.len(),
        context: context.get() as usize,
        global_options: global_id,
        kernel_options: spec.build_options,
    };
    let what = || Loading {
        kernel: spec.name,
        device: device.to_string(),
    };
    CACHE.get_or_load(key, what, || {
        let options = options::effective(&global_text, spec)?;
        let loaded = build::load(spec, device, &options)?;
        Ok(Arc::new(BuiltProgram::new(
            loaded.program,
            loaded.build_log,
        )))
    })
}

/// The driver's build log of `spec`'s program for `device` (building or loading the program
/// first, like a launch would). For a program loaded from the disk cache it is the log of the
/// original build from SPIR-V, stored with the binary. Often empty when the build succeeded.
pub fn build_log(spec: &'static KernelSpec, device: &Device) -> Result<String> {
    Ok(program_for(spec, device)?.build_log().to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::Barrier;

    use rspirv::binary::Assemble;
    use rspirv::spirv::{
        AddressingModel, Capability, ExecutionModel, FunctionControl, MemoryModel,
    };

    use super::*;
    use crate::launch::launch_on;
    use crate::queue::Queue;

    /// `void <name>()`: an empty kernel.
    fn empty_kernel(name: &'static str) -> &'static KernelSpec {
        let mut b = rspirv::dr::Builder::new();
        b.set_version(1, 0);
        b.capability(Capability::Addresses);
        b.capability(Capability::Kernel);
        b.memory_model(AddressingModel::Physical64, MemoryModel::OpenCL);
        let void = b.type_void();
        let fn_ty = b.type_function(void, []);
        let func = b
            .begin_function(void, None, FunctionControl::NONE, fn_ty)
            .expect("begin_function");
        b.begin_block(None).expect("begin_block");
        b.ret().expect("ret");
        b.end_function().expect("end_function");
        b.entry_point(ExecutionModel::Kernel, func, name, []);
        let words = b.module().assemble();
        Box::leak(Box::new(KernelSpec {
            name,
            dims: 1,
            spirv_hash: xxhash_rust::xxh3::xxh3_64(&inspect::words_to_bytes(&words)),
            spirv: Box::leak(words.into_boxed_slice()),
            params: &[],
            requires: &[],
            static_local_bytes: 0,
            build_options: "",
            reports_errors: false,
            assumes: &[],
            opencl: dpex_abi::opencl::Interface::EMPTY,
            vulkan: Err("built for OpenCL only"),
        }))
    }

    /// The CPU device again, as a separate `Device` with its own context (like a second device).
    fn cpu_twin(real: &Device) -> Device {
        let mut info = real.info().clone();
        info.name = format!("{} (twin)", info.name);
        Device::from_opencl(opencl::device::Handle::twin(real), info)
    }

    #[test]
    fn different_devices_build_independently_and_once_each() {
        let real = Device::select("cpu").unwrap_or_else(|e| panic!("no CPU device:\n{e}"));
        let twin = cpu_twin(&real);
        let spec = empty_kernel("empty_on_two_devices");
        let queues = [
            Queue::new(&real).unwrap_or_else(|e| panic!("{e}")),
            Queue::new(&twin).unwrap_or_else(|e| panic!("{e}")),
        ];
        let barrier = Arc::new(Barrier::new(16));
        let threads: Vec<_> = (0..16)
            .map(|t| {
                let queue = queues[t % 2].clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    launch_on(&queue, spec, &[4], None, &[])
                        .and_then(|event| event.wait())
                        .unwrap_or_else(|e| panic!("{e}"));
                })
            })
            .collect();
        for t in threads {
            t.join().expect("a launch thread panicked");
        }
        // One program per device (context), whatever the disk cache held.
        assert_eq!(program_builds(spec), 2);
        let log = build_log(spec, &twin).unwrap_or_else(|e| panic!("{e}"));
        assert!(!log.contains('\0'));
        assert_eq!(program_builds(spec), 2);
    }
}
