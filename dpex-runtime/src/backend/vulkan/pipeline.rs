//! Compute pipelines per device, one per (module, specialization constants), built once
//! (single-flight: threads that miss the same key at once wait for one build; a failure is
//! not cached) through the device's `VkPipelineCache`.

use std::collections::HashMap;
use std::ffi::CString;
use std::sync::{Arc, Mutex, PoisonError};

use ash::vk;
use dpex_abi::vulkan::Module;
use once_cell::sync::OnceCell;

use super::{vk_err, Context};
use crate::error::{Error, Result};
use crate::program::validate_vulkan_if_requested;

/// What a pipeline is specialised with: `(specialization constant id, 32-bit value)` pairs
/// (the work-group size, the local accessors' lengths, the fused-fma flag).
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
    built: Mutex<HashMap<Key, Arc<OnceCell<vk::Pipeline>>>>,
}

impl Pipelines {
    /// An empty set with a new (empty) `VkPipelineCache`.
    pub(crate) fn new(device: &ash::Device) -> Result<Pipelines> {
        let info = vk::PipelineCacheCreateInfo::default();
        // SAFETY: a valid create info on a live device.
        let cache = unsafe { device.create_pipeline_cache(&info, None) }.map_err(vk_err(
            "vkCreatePipelineCache",
            "the device's pipeline cache",
        ))?;
        Ok(Pipelines {
            cache,
            built: Mutex::new(HashMap::new()),
        })
    }

    /// Destroys every pipeline and the cache.
    ///
    /// # Safety
    /// The device must run nothing that uses them, and they must not be used afterwards.
    pub(crate) unsafe fn destroy(&self, device: &ash::Device) {
        let built = self.built.lock().unwrap_or_else(PoisonError::into_inner);
        for cell in built.values() {
            if let Some(&pipeline) = cell.get() {
                // SAFETY: the caller's contract.
                unsafe { device.destroy_pipeline(pipeline, None) };
            }
        }
        // SAFETY: the caller's contract.
        unsafe { device.destroy_pipeline_cache(self.cache, None) };
    }
}

/// The pipeline of kernel `entry` of `module` specialised with `constants` on `ctx`, built at
/// the first call for that key.
pub(crate) fn pipeline(
    ctx: &Context,
    entry: &'static str,
    module: &Module,
    constants: SpecConstants,
) -> Result<vk::Pipeline> {
    let key = Key {
        hash: module.hash,
        words: module.words.len(),
        entry,
        constants,
    };
    let cell = {
        let mut built = ctx
            .pipelines
            .built
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        built.entry(key.clone()).or_default().clone()
    };
    cell.get_or_try_init(|| build(ctx, entry, module, &key.constants))
        .copied()
}

fn build(
    ctx: &Context,
    entry: &'static str,
    module: &Module,
    constants: &[(u32, u32)],
) -> Result<vk::Pipeline> {
    validate_vulkan_if_requested(entry, &module.words)?;
    let detail = || format!("kernel `{entry}` on Vulkan device `{}`", ctx.info.driver_id);
    let name = CString::new(entry).map_err(|_| Error::InvalidSpirv {
        kernel: entry.to_string(),
        log: "the kernel's name contains a NUL byte".to_string(),
    })?;
    let device = &ctx.device;
    let info = vk::ShaderModuleCreateInfo::default().code(&module.words);
    // SAFETY: the words are a SPIR-V module the emitter wrote (validated above when asked);
    // the create info lives across the call.
    let shader = unsafe { device.create_shader_module(&info, None) }
        .map_err(vk_err("vkCreateShaderModule", detail()))?;
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
    let create = [vk::ComputePipelineCreateInfo::default()
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
            Err(vk_err("vkCreateComputePipelines", detail())(e))
        }
    }
}
