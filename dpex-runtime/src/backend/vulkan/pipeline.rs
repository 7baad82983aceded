//! Compute pipelines per device, one per (module, specialization constants), built once in the
//! program cache's [`SingleFlight`] map (threads that miss the same key at once wait for one
//! build; a failure is not cached) through the device's `VkPipelineCache`, and counted like
//! OpenCL programs ([`cache_stats`](crate::cache_stats), [`program_builds`](crate::program_builds)).
//!
//! The `VkPipelineCache` is loaded from and saved (after each build) to the disk cache folder
//! ([`CacheConfig`](crate::CacheConfig)) as `vk-<pipelineCacheUUID>-<driverVersion>.bin`; the
//! driver checks the data's header too, and data it rejects is replaced by an empty cache.

use std::ffi::CString;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use ash::vk;
use dpex_abi::vulkan::Module;

use super::{vk_err, Context, VulkanInfo};
use crate::error::{Error, Result};
use crate::program::{
    built, cache_config, dump_vulkan_if_requested, trace, validate_vulkan_if_requested,
    write_atomically, Loading, SingleFlight,
};
use crate::spec::KernelSpec;

/// What a pipeline is specialised with: `(specialization constant id, 32-bit value)` pairs
/// (the work-group size, the local accessors' lengths, the fused-fma and correct-division
/// flags).
pub(crate) type SpecConstants = Vec<(u32, u32)>;

/// Identifies a pipeline on a device.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    hash: u64,
    words: usize,
    entry: &'static str,
    constants: SpecConstants,
}

/// The pipelines of one device.
pub(crate) struct Pipelines {
    cache: vk::PipelineCache,
    /// Where the cache is saved (`None`: the disk cache is off).
    file: Option<PathBuf>,
    built: SingleFlight<Key, vk::Pipeline>,
    /// Serialises saves of the cache.
    saving: Mutex<()>,
}

/// The file of a device's saved pipeline cache, if the disk cache is on.
fn cache_file(info: &VulkanInfo) -> Option<PathBuf> {
    let dir = cache_config().dir?;
    Some(dir.join(format!(
        "vk-{}-{}.bin",
        info.pipeline_cache_uuid, info.driver_version
    )))
}

impl Pipelines {
    /// An empty set, with the `VkPipelineCache` loaded from the disk cache when it holds one.
    pub(crate) fn new(device: &ash::Device, info: &VulkanInfo) -> Result<Pipelines> {
        let file = cache_file(info);
        let saved = file
            .as_ref()
            .and_then(|f| std::fs::read(f).ok())
            .unwrap_or_default();
        let create = |data: &[u8]| {
            let info = vk::PipelineCacheCreateInfo::default().initial_data(data);
            // SAFETY: a valid create info on a live device; the driver checks the data's header
            // (vendor, device, pipelineCacheUUID) and ignores data that is not its own.
            unsafe { device.create_pipeline_cache(&info, None) }
        };
        let failed = vk_err("vkCreatePipelineCache", "the device's pipeline cache");
        let cache = match create(&saved) {
            Ok(cache) => cache,
            Err(_) if !saved.is_empty() => create(&[]).map_err(failed)?,
            Err(e) => return Err(failed(e)),
        };
        Ok(Pipelines {
            cache,
            file,
            built: SingleFlight::new(),
            saving: Mutex::new(()),
        })
    }

    /// Writes the cache's data to its file (atomically); failures are ignored (the cache is
    /// an optimisation: the next process compiles again).
    fn save(&self, device: &ash::Device) {
        let Some(file) = &self.file else {
            return;
        };
        let _one = self.saving.lock().unwrap_or_else(PoisonError::into_inner);
        // SAFETY: a query on this set's live cache; Vulkan allows it while other threads create
        // pipelines with the cache.
        let Ok(data) = (unsafe { device.get_pipeline_cache_data(self.cache) }) else {
            return;
        };
        if let Some(dir) = file.parent() {
            let _ = write_atomically(dir, file, &data);
        }
    }

    /// Destroys every pipeline and the cache.
    ///
    /// # Safety
    /// The device must run nothing that uses them, and they must not be used afterwards.
    pub(crate) unsafe fn destroy(&self, device: &ash::Device) {
        for pipeline in self.built.ready() {
            // SAFETY: the caller's contract.
            unsafe { device.destroy_pipeline(pipeline, None) };
        }
        // SAFETY: the caller's contract.
        unsafe { device.destroy_pipeline_cache(self.cache, None) };
    }
}

/// The pipeline of `spec`'s kernel in its Vulkan `module` specialised with `constants` on `ctx`,
/// built at the first call for that key (a build of `spec` in the cache's counters).
pub(crate) fn pipeline(
    ctx: &Context,
    spec: &'static KernelSpec,
    module: &Module,
    constants: SpecConstants,
) -> Result<vk::Pipeline> {
    let key = Key {
        hash: module.hash,
        words: module.words.len(),
        entry: spec.name,
        constants,
    };
    let what = || Loading {
        kernel: spec.name,
        device: format!("`{}` ({})", ctx.name, ctx.info.driver_id),
    };
    ctx.pipelines
        .built
        .get_or_load(key.clone(), what, || {
            let started = Instant::now();
            let pipeline = build(ctx, spec.name, module, &key.constants);
            let time = started.elapsed();
            built((module.hash, module.words.len()), pipeline.is_ok(), time);
            trace(format_args!(
                "built the Vulkan pipeline of `{}` ({} SPIR-V words, specialization {:?}) on `{}` in {time:?}: {}",
                spec.name,
                module.words.len(),
                key.constants,
                ctx.name,
                if pipeline.is_ok() { "ok" } else { "failed" }
            ));
            let pipeline = pipeline?;
            ctx.pipelines.save(&ctx.device);
            Ok(pipeline)
        })
}

fn build(
    ctx: &Context,
    entry: &'static str,
    module: &Module,
    constants: &[(u32, u32)],
) -> Result<vk::Pipeline> {
    dump_vulkan_if_requested(entry, &module.words);
    validate_vulkan_if_requested(entry, &module.words)?;
    let detail = || format!("kernel `{entry}` on Vulkan device `{}`", ctx.info.driver_id);
    let name = CString::new(entry).map_err(|_| Error::InvalidSpirv {
        kernel: entry.to_string(),
        log: "the kernel's name contains a NUL byte".to_string(),
    })?;
    let device = &ctx.device;
    let words = ctx.info.fit().apply(&module.words);
    let info = vk::ShaderModuleCreateInfo::default().code(&words);
    // SAFETY: the words are a SPIR-V module the emitter wrote (validated above when asked);
    // the create info lives across the call.
    let shader = unsafe { device.create_shader_module(&info, None) }
        .map_err(|e| rejected(entry, ctx, "vkCreateShaderModule", e))?;
    let entries: Vec<vk::SpecializationMapEntry> = constants
        .iter()
        .enumerate()
        .map(|(i, &(id, _))| vk::SpecializationMapEntry {
            constant_id: id,
            offset: (i * 4) as u32,
            size: 4,
        })
        .collect();
    let data: Vec<u8> = constants
        .iter()
        .flat_map(|&(_, v)| v.to_ne_bytes())
        .collect();
    let specialization = vk::SpecializationInfo::default()
        .map_entries(&entries)
        .data(&data);
    let stage = vk::PipelineShaderStageCreateInfo::default()
        .stage(vk::ShaderStageFlags::COMPUTE)
        .module(shader)
        .name(&name)
        .specialization_info(&specialization);
    // A launch with more work-groups than maxComputeWorkGroupCount is dispatched in parts,
    // each with its base group (vkCmdDispatchBase).
    let create = [vk::ComputePipelineCreateInfo::default()
        .flags(vk::PipelineCreateFlags::DISPATCH_BASE)
        .stage(stage)
        .layout(ctx.layout)];
    // SAFETY: the module, layout and cache are live; the specialization data holds a 4-byte
    // value for every map entry (booleans are VkBool32).
    let made = unsafe { device.create_compute_pipelines(ctx.pipelines.cache, &create, None) };
    // SAFETY: a pipeline does not need its module once created.
    unsafe { device.destroy_shader_module(shader, None) };
    match made {
        Ok(pipelines) => pipelines
            .into_iter()
            .next()
            .ok_or_else(|| vk_err("vkCreateComputePipelines", detail())(vk::Result::ERROR_UNKNOWN)),
        Err((pipelines, e)) => {
            for p in pipelines.into_iter().filter(|p| *p != vk::Pipeline::null()) {
                // SAFETY: a pipeline returned by the failed call, used by nothing.
                unsafe { device.destroy_pipeline(p, None) };
            }
            Err(rejected(entry, ctx, "vkCreateComputePipelines", e))
        }
    }
}

/// [`Error::BuildFailed`] for a module the driver rejected.
fn rejected(entry: &str, ctx: &Context, operation: &str, result: vk::Result) -> Error {
    Error::BuildFailed {
        kernel: entry.to_string(),
        device: format!("`{}` ({})", ctx.name, ctx.info.driver_id),
        log: format!("{operation} failed with {result:?} (Vulkan drivers give no build log)"),
    }
}
