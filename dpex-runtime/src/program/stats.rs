//! The program cache's counters, and `DPEX_LOG` tracing of what the cache does.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use once_cell::sync::Lazy;

use super::lock;
use crate::spec::KernelSpec;

static HITS: AtomicU64 = AtomicU64::new(0);
static MISSES: AtomicU64 = AtomicU64::new(0);
static BUILDS: AtomicU64 = AtomicU64::new(0);
static DISK_HITS: AtomicU64 = AtomicU64::new(0);
static DISK_WRITES: AtomicU64 = AtomicU64::new(0);
static DISK_ERRORS: AtomicU64 = AtomicU64::new(0);
static BUILD_NANOS: AtomicU64 = AtomicU64::new(0);
static DISK_LOAD_NANOS: AtomicU64 = AtomicU64::new(0);

/// Identifies a module in the per-module counts: its hash and word count.
pub(crate) type ModuleKey = (u64, usize);

/// Programs (OpenCL) and pipelines (Vulkan) built per module, over all devices: from SPIR-V or
/// from the disk cache.
static BUILDS_PER_MODULE: Lazy<Mutex<HashMap<ModuleKey, u64>>> = Lazy::new(Mutex::default);

/// The key of `spec`'s OpenCL module.
pub(crate) fn opencl_module(spec: &KernelSpec) -> ModuleKey {
    (spec.spirv_hash, spec.spirv.len())
}

/// Process-wide program cache statistics (see [`cache_stats`]).
///
/// Every launch looks its program up once: it is a **hit** if the program was in memory (or
/// being loaded by another launch, which it then waits for), else a **miss**. A miss loads the
/// program: from the on-disk cache (a **disk hit**; no driver build) or by **building** it from
/// SPIR-V (then the device binary is written to the disk cache: a **disk write**).
///
/// On a Vulkan device the "program" is the compute pipeline of the kernel's Vulkan module and
/// the launch's specialization (work-group size, local accessor lengths): a miss creates it
/// (`vkCreateComputePipelines`, a **build**), through the device's `VkPipelineCache`, which the
/// disk cache keeps as one file per device; whether the driver found the pipeline there is not
/// known, so Vulkan launches count no disk hits or writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Programs built from SPIR-V by the driver (`clBuildProgram` on the IL; Vulkan:
    /// `vkCreateComputePipelines`) that succeeded.
    pub builds: u64,
    /// Launches that found their program in memory, or waited for another launch's load of it.
    pub hits: u64,
    /// Launches that did not find their program in memory and loaded it (from disk or by a build;
    /// failed loads count too).
    pub misses: u64,
    /// Programs loaded from the on-disk cache (`clCreateProgramWithBinary`), without a build
    /// from SPIR-V.
    pub disk_hits: u64,
    /// Device binaries written to the on-disk cache.
    pub disk_writes: u64,
    /// Problems with the on-disk cache, none of which failed a launch: unreadable, corrupt,
    /// truncated or foreign files (deleted), binaries the driver rejected, failed writes or
    /// evictions. `DPEX_LOG=1` prints each one.
    pub disk_errors: u64,
    /// Total wall time of the driver builds from SPIR-V (successful or not).
    pub build_time: Duration,
    /// Total wall time of loading programs from the on-disk cache (reading the file, checking
    /// it, `clCreateProgramWithBinary` and `clBuildProgram` on the binary).
    pub disk_load_time: Duration,
}

/// The program cache's counters so far (this process, all devices).
pub fn cache_stats() -> CacheStats {
    let nanos = |n: &AtomicU64| Duration::from_nanos(n.load(Ordering::Relaxed));
    CacheStats {
        builds: BUILDS.load(Ordering::Relaxed),
        hits: HITS.load(Ordering::Relaxed),
        misses: MISSES.load(Ordering::Relaxed),
        disk_hits: DISK_HITS.load(Ordering::Relaxed),
        disk_writes: DISK_WRITES.load(Ordering::Relaxed),
        disk_errors: DISK_ERRORS.load(Ordering::Relaxed),
        build_time: nanos(&BUILD_NANOS),
        disk_load_time: nanos(&DISK_LOAD_NANOS),
    }
}

/// How many times this kernel's program was built in this process, over all devices and build
/// options: built from SPIR-V, or loaded from the on-disk cache (`clBuildProgram` on the cached
/// device binary, which skips the compile). Either way it is at most once per device and options
/// however many launches there are. [`CacheStats::builds`] and [`CacheStats::disk_hits`] tell
/// the two apart. On a Vulkan device each pipeline creation counts (see [`CacheStats`]): once
/// per device and specialization, so launches with the same work-group size and local accessor
/// lengths build once.
pub fn program_builds(spec: &KernelSpec) -> u64 {
    let counts = lock(&BUILDS_PER_MODULE);
    let count = |key: ModuleKey| counts.get(&key).copied().unwrap_or(0);
    let vulkan = spec
        .vulkan
        .as_ref()
        .map_or(0, |module| count((module.hash, module.words.len())));
    count(opencl_module(spec)) + vulkan
}

fn add_nanos(counter: &AtomicU64, time: Duration) {
    let nanos = u64::try_from(time.as_nanos()).unwrap_or(u64::MAX);
    counter.fetch_add(nanos, Ordering::Relaxed);
}

pub(super) fn hit() {
    HITS.fetch_add(1, Ordering::Relaxed);
}

pub(super) fn miss() {
    MISSES.fetch_add(1, Ordering::Relaxed);
}

/// A driver build of `module` from SPIR-V took `time`; `ok` if it succeeded.
pub(crate) fn built(module: ModuleKey, ok: bool, time: Duration) {
    add_nanos(&BUILD_NANOS, time);
    if ok {
        BUILDS.fetch_add(1, Ordering::Relaxed);
        count_program(module);
    }
}

/// One more program (or pipeline) of `module` in this process.
fn count_program(module: ModuleKey) {
    *lock(&BUILDS_PER_MODULE).entry(module).or_insert(0) += 1;
}

pub(super) fn disk_hit(spec: &KernelSpec, time: Duration) {
    DISK_HITS.fetch_add(1, Ordering::Relaxed);
    add_nanos(&DISK_LOAD_NANOS, time);
    count_program(opencl_module(spec));
}

pub(super) fn disk_write() {
    DISK_WRITES.fetch_add(1, Ordering::Relaxed);
}

/// Counts a disk cache problem and traces it (`DPEX_LOG`).
pub(super) fn disk_error(what: std::fmt::Arguments<'_>) {
    DISK_ERRORS.fetch_add(1, Ordering::Relaxed);
    trace(format_args!("disk cache error: {what}"));
}

/// Whether `DPEX_LOG` asks for tracing (set, and not empty, `0`, `off` or `false`).
static LOG: Lazy<bool> = Lazy::new(|| {
    std::env::var("DPEX_LOG").is_ok_and(|v| {
        let v = v.trim().to_ascii_lowercase();
        !(v.is_empty() || v == "0" || v == "off" || v == "false")
    })
});

/// Prints one line about the program cache to stderr when `DPEX_LOG` is set.
pub(crate) fn trace(what: std::fmt::Arguments<'_>) {
    if *LOG {
        eprintln!("[dpex] {what}");
    }
}
