//! Probing Vulkan physical devices: properties, limits and features, the compute queue family,
//! and whether dpex can use the device (or why not).

use std::sync::Arc;

use ash::vk;
use dpex_abi::Api;
use once_cell::sync::OnceCell;

use super::fit::Fit;
use super::{version_string, Context, FloatControls, Instance};
use crate::device::{DeviceInfo, DeviceType};
use crate::error::Result;
use crate::feature::Feature;

/// What dpex reads of a Vulkan device beyond the API-neutral [`DeviceInfo`] fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VulkanInfo {
    /// The device's Vulkan version, e.g. `1.3.230`.
    pub api_version: String,
    /// `VkDriverId`, e.g. `MESA_LLVMPIPE` or `NVIDIA_PROPRIETARY`.
    pub driver_id: String,
    /// `driverVersion` (vendor-specific encoding).
    pub driver_version: u32,
    /// `pipelineCacheUUID` in hex: with `driverVersion`, the key of the saved pipeline cache.
    pub pipeline_cache_uuid: String,
    /// `maxComputeWorkGroupCount`: the most work-groups per dispatch, per dimension.
    pub max_work_group_count: [u32; 3],
    /// `maxPushConstantsSize` in bytes.
    pub max_push_constants_size: u32,
    /// `maxStorageBufferRange` in bytes.
    pub max_storage_buffer_range: u32,
    /// The queue family launches are submitted to (a compute-only one when the device has it).
    pub queue_family: u32,
    /// Whether that family is compute-only (no graphics).
    pub compute_only_family: bool,
    /// `timestampValidBits` of that family (0: no timestamps, so no profiling).
    pub timestamp_valid_bits: u32,
    /// `timestampPeriod`: nanoseconds per timestamp tick.
    pub timestamp_period: f32,
    /// `shaderFloat64`.
    pub shader_float64: bool,
    /// `shaderFloat16`.
    pub shader_float16: bool,
    /// `shaderInt8`.
    pub shader_int8: bool,
    /// `shaderInt16`.
    pub shader_int16: bool,
    /// `shaderInt64`.
    pub shader_int64: bool,
    /// `storageBuffer8BitAccess`.
    pub storage_buffer_8bit: bool,
    /// `storageBuffer16BitAccess`.
    pub storage_buffer_16bit: bool,
    /// `shaderBufferInt64Atomics`.
    pub buffer_int64_atomics: bool,
    /// `shaderSharedInt64Atomics`.
    pub shared_int64_atomics: bool,
    /// `vulkanMemoryModel` and `vulkanMemoryModelDeviceScope`.
    pub vulkan_memory_model: bool,
    /// Whether sub-group arithmetic, shuffle, ballot and vote operations work in compute shaders.
    pub subgroup_ops: bool,
    /// `shaderSubgroupExtendedTypes`: sub-group operations on 8-, 16- and 64-bit types.
    pub subgroup_extended_types: bool,
    /// `scalarBlockLayout`.
    pub scalar_block_layout: bool,
    /// `hostQueryReset`.
    pub host_query_reset: bool,
    /// Vulkan 1.3's `subgroupSizeControl` and `computeFullSubgroups`.
    pub subgroup_size_control: bool,
    /// Vulkan 1.3's `maintenance4` and `synchronization2`.
    pub maintenance4_sync2: bool,
    /// `VK_EXT_shader_atomic_float`: `shaderBufferFloat32AtomicAdd` and
    /// `shaderSharedFloat32AtomicAdd` (the extension is enabled when the device has it).
    pub float32_atomic_add: bool,
    /// `VK_EXT_shader_atomic_float`: `shaderBufferFloat64AtomicAdd` and
    /// `shaderSharedFloat64AtomicAdd`.
    pub float64_atomic_add: bool,
    /// Whether `GLSL.std.450 Fma` rounds once: false on lavapipe (`MESA_LLVMPIPE`, measured
    /// unfused), true elsewhere (no probe kernel yet). Passed to every pipeline as the
    /// specialization constant [`dpex_abi::vulkan::FUSED_FMA_SPEC_ID`].
    pub fused_fma: bool,
    /// Whether the device's float `OpFDiv` and `Sqrt` are correctly rounded: true on lavapipe
    /// (LLVM's IEEE operations), false elsewhere (Vulkan allows 2.5 and 3 ulp; no probe kernel
    /// yet). Passed as
    /// [`dpex_abi::vulkan::CORRECT_DIV_SQRT_SPEC_ID`]; where false, kernels refine quotients and roots.
    pub correct_div_sqrt: bool,
    /// Whether the driver orders atomic loads and read-modify-writes whatever their semantics
    /// say (llvmpipe); their ordering bits are then dropped (`backend::vulkan::fit`).
    pub seq_cst_atomics: bool,
    /// The float-controls modes the device honours; a kernel on a device without
    /// `denorm_preserve` for a width may see that width's subnormals flushed to zero.
    pub float_controls: FloatControls,
}

impl VulkanInfo {
    /// How this device's modules are fitted to it before the driver sees them.
    pub(crate) fn fit(&self) -> Fit {
        Fit {
            float_controls: self.float_controls,
            relax_atomics: self.seq_cst_atomics,
        }
    }

    /// Whether the device has `feature`: fp64 is `shaderFloat64`; fp16 is `shaderFloat16` with
    /// `storageBuffer16BitAccess`; 64-bit atomics are `shaderBufferInt64Atomics`; sub-groups are
    /// arithmetic, shuffle, ballot and vote in compute shaders.
    pub fn supports(&self, feature: Feature) -> bool {
        match feature {
            Feature::Fp64 => self.shader_float64,
            Feature::Fp16 => self.shader_float16 && self.storage_buffer_16bit,
            Feature::Int64Atomics => self.buffer_int64_atomics,
            Feature::SubGroups => self.subgroup_ops,
        }
    }
}

/// A Vulkan physical device dpex can use, with its logical device created at first use.
pub(crate) struct Physical {
    pub(crate) instance: Arc<Instance>,
    pub(crate) handle: vk::PhysicalDevice,
    pub(crate) info: VulkanInfo,
    /// Never map tensor memory: every host transfer goes through a staging buffer, the path of
    /// device-local memory the host cannot map (e.g. the H200's), here on any device.
    /// `DPEX_VULKAN_STAGING=1` sets it for every device.
    staging_only: bool,
    context: OnceCell<Arc<Context>>,
}

/// Whether `DPEX_VULKAN_STAGING` asks for staging transfers only (`1`, `on`, `true`, `yes`).
fn staging_from_env() -> bool {
    std::env::var("DPEX_VULKAN_STAGING").is_ok_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "on" | "true" | "yes"
        )
    })
}

impl Physical {
    /// The logical device, queue and pipeline layout, created at the first call.
    pub(crate) fn context(&self, name: &str) -> Result<&Arc<Context>> {
        self.context.get_or_try_init(|| {
            Context::create(
                &self.instance,
                self.handle,
                &self.info,
                name,
                self.staging_only,
            )
            .map(Arc::new)
        })
    }
}

#[cfg(test)]
impl Physical {
    /// Another handle on the same physical device, with its own logical device (for tests that
    /// describe the device as lacking a feature, or that take the staging paths).
    pub(crate) fn duplicate(&self, staging_only: bool) -> Physical {
        Physical {
            instance: self.instance.clone(),
            handle: self.handle,
            info: self.info.clone(),
            staging_only,
            context: OnceCell::new(),
        }
    }
}

/// A physical device as probed: its description and, if usable, its handle.
pub(crate) struct Probe {
    pub(crate) info: DeviceInfo,
    pub(crate) physical: Option<Physical>,
}

/// Probes every physical device; the problems are devices that could not be listed at all.
pub(crate) fn probe_all(instance: &Arc<Instance>) -> (Vec<Probe>, Vec<String>) {
    // SAFETY: a query on a live instance.
    match unsafe { instance.instance.enumerate_physical_devices() } {
        Ok(handles) => (
            handles
                .into_iter()
                .enumerate()
                .map(|(index, handle)| probe(instance, index, handle))
                .collect(),
            Vec::new(),
        ),
        Err(e) => (
            Vec::new(),
            vec![format!(
                "Vulkan: vkEnumeratePhysicalDevices failed with {e:?}"
            )],
        ),
    }
}

/// The raw facts of one device, read in one go.
struct Facts {
    props: vk::PhysicalDeviceProperties,
    driver_id: vk::DriverId,
    driver_name: String,
    driver_info: String,
    subgroup_size: u32,
    subgroup_stages: vk::ShaderStageFlags,
    subgroup_ops: vk::SubgroupFeatureFlags,
    max_allocation: u64,
    features: vk::PhysicalDeviceFeatures,
    storage16: bool,
    f12: Features12,
    f13: [bool; 2],
    float_atomics: [bool; 2],
    float_controls: FloatControls,
}

/// The `VkPhysicalDeviceVulkan12Features` dpex looks at, copied out of the query.
#[derive(Clone, Copy, Default)]
struct Features12 {
    buffer_device_address: bool,
    timeline_semaphore: bool,
    shader_float16: bool,
    shader_int8: bool,
    storage8: bool,
    buffer_int64_atomics: bool,
    shared_int64_atomics: bool,
    memory_model: bool,
    subgroup_extended_types: bool,
    scalar_block_layout: bool,
    host_query_reset: bool,
}

/// The extension of float atomics.
pub(crate) const FLOAT_ATOMICS: &std::ffi::CStr = ash::ext::shader_atomic_float::NAME;

/// Whether the device offers the device extension `name`.
fn has_extension(
    instance: &ash::Instance,
    handle: vk::PhysicalDevice,
    name: &std::ffi::CStr,
) -> bool {
    // SAFETY: a query on a live physical device.
    let Ok(extensions) = (unsafe { instance.enumerate_device_extension_properties(handle) }) else {
        return false;
    };
    extensions
        .iter()
        .any(|e| e.extension_name_as_c_str().is_ok_and(|n| n == name))
}

fn text(bytes: &[std::ffi::c_char]) -> String {
    let bytes: Vec<u8> = bytes
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).trim().to_string()
}

fn facts(instance: &ash::Instance, handle: vk::PhysicalDevice) -> Facts {
    let mut p11 = vk::PhysicalDeviceVulkan11Properties::default();
    let mut p12 = vk::PhysicalDeviceVulkan12Properties::default();
    let mut f11 = vk::PhysicalDeviceVulkan11Features::default();
    let mut f12 = vk::PhysicalDeviceVulkan12Features::default();
    let mut f13 = vk::PhysicalDeviceVulkan13Features::default();
    let mut fatomic = vk::PhysicalDeviceShaderAtomicFloatFeaturesEXT::default();
    // SAFETY: a query on a live physical device; the core properties come first to learn the
    // device's version, then the 1.1/1.2 structures (valid for a 1.2 device; zeroed for older
    // ones, which are then reported unusable).
    let props = unsafe { instance.get_physical_device_properties(handle) };
    let has_float_atomics = has_extension(instance, handle, FLOAT_ATOMICS);
    let (features, usable_chain) = if props.api_version >= vk::API_VERSION_1_2 {
        let mut props2 = vk::PhysicalDeviceProperties2::default()
            .push_next(&mut p11)
            .push_next(&mut p12);
        // SAFETY: as above, with structures the device's version defines.
        unsafe { instance.get_physical_device_properties2(handle, &mut props2) };
        let mut features2 = vk::PhysicalDeviceFeatures2::default()
            .push_next(&mut f11)
            .push_next(&mut f12);
        if props.api_version >= vk::API_VERSION_1_3 {
            features2 = features2.push_next(&mut f13);
        }
        if has_float_atomics {
            features2 = features2.push_next(&mut fatomic);
        }
        // SAFETY: as above.
        unsafe { instance.get_physical_device_features2(handle, &mut features2) };
        (features2.features, true)
    } else {
        // SAFETY: as above.
        (
            unsafe { instance.get_physical_device_features(handle) },
            false,
        )
    };
    let yes = |b: vk::Bool32| usable_chain && b == vk::TRUE;
    Facts {
        props,
        driver_id: p12.driver_id,
        driver_name: text(&p12.driver_name),
        driver_info: text(&p12.driver_info),
        subgroup_size: p11.subgroup_size,
        subgroup_stages: p11.subgroup_supported_stages,
        subgroup_ops: p11.subgroup_supported_operations,
        max_allocation: p11.max_memory_allocation_size,
        features,
        storage16: yes(f11.storage_buffer16_bit_access),
        f12: Features12 {
            buffer_device_address: yes(f12.buffer_device_address),
            timeline_semaphore: yes(f12.timeline_semaphore),
            shader_float16: yes(f12.shader_float16),
            shader_int8: yes(f12.shader_int8),
            storage8: yes(f12.storage_buffer8_bit_access),
            buffer_int64_atomics: yes(f12.shader_buffer_int64_atomics),
            shared_int64_atomics: yes(f12.shader_shared_int64_atomics),
            memory_model: yes(f12.vulkan_memory_model) && yes(f12.vulkan_memory_model_device_scope),
            subgroup_extended_types: yes(f12.shader_subgroup_extended_types),
            scalar_block_layout: yes(f12.scalar_block_layout),
            host_query_reset: yes(f12.host_query_reset),
        },
        f13: [
            yes(f13.subgroup_size_control) && yes(f13.compute_full_subgroups),
            yes(f13.maintenance4) && yes(f13.synchronization2),
        ],
        float_controls: FloatControls {
            denorm_preserve: [
                yes(p12.shader_denorm_preserve_float16),
                yes(p12.shader_denorm_preserve_float32),
                yes(p12.shader_denorm_preserve_float64),
            ],
            signed_zero_inf_nan_preserve: [
                yes(p12.shader_signed_zero_inf_nan_preserve_float16),
                yes(p12.shader_signed_zero_inf_nan_preserve_float32),
                yes(p12.shader_signed_zero_inf_nan_preserve_float64),
            ],
        },
        float_atomics: [
            has_float_atomics
                && yes(fatomic.shader_buffer_float32_atomic_add)
                && yes(fatomic.shader_shared_float32_atomic_add),
            has_float_atomics
                && yes(fatomic.shader_buffer_float64_atomic_add)
                && yes(fatomic.shader_shared_float64_atomic_add),
        ],
    }
}

/// The queue family to launch on: a compute-only family if there is one, else the first with
/// compute; whether it is compute-only; its `timestampValidBits`.
fn compute_family(
    instance: &ash::Instance,
    handle: vk::PhysicalDevice,
) -> Option<(u32, bool, u32)> {
    // SAFETY: a query on a live physical device.
    let families = unsafe { instance.get_physical_device_queue_family_properties(handle) };
    let compute = |f: &vk::QueueFamilyProperties| {
        f.queue_count > 0 && f.queue_flags.contains(vk::QueueFlags::COMPUTE)
    };
    let only = families
        .iter()
        .position(|f| compute(f) && !f.queue_flags.contains(vk::QueueFlags::GRAPHICS));
    let (index, only) = match only {
        Some(i) => (i, true),
        None => (families.iter().position(compute)?, false),
    };
    Some((index as u32, only, families[index].timestamp_valid_bits))
}

fn probe(instance: &Arc<Instance>, index: usize, handle: vk::PhysicalDevice) -> Probe {
    let f = facts(&instance.instance, handle);
    let family = compute_family(&instance.instance, handle);
    let limits = f.props.limits;
    let bool_of = |b: vk::Bool32| b == vk::TRUE;
    let wanted_ops = vk::SubgroupFeatureFlags::BASIC
        | vk::SubgroupFeatureFlags::VOTE
        | vk::SubgroupFeatureFlags::ARITHMETIC
        | vk::SubgroupFeatureFlags::BALLOT
        | vk::SubgroupFeatureFlags::SHUFFLE;
    let vulkan = VulkanInfo {
        api_version: version_string(f.props.api_version),
        driver_id: format!("{:?}", f.driver_id),
        driver_version: f.props.driver_version,
        pipeline_cache_uuid: f
            .props
            .pipeline_cache_uuid
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        max_work_group_count: limits.max_compute_work_group_count,
        max_push_constants_size: limits.max_push_constants_size,
        max_storage_buffer_range: limits.max_storage_buffer_range,
        queue_family: family.map_or(0, |(i, _, _)| i),
        compute_only_family: family.is_some_and(|(_, only, _)| only),
        timestamp_valid_bits: family.map_or(0, |(_, _, bits)| bits),
        timestamp_period: limits.timestamp_period,
        shader_float64: bool_of(f.features.shader_float64),
        shader_float16: f.f12.shader_float16,
        shader_int8: f.f12.shader_int8,
        shader_int16: bool_of(f.features.shader_int16),
        shader_int64: bool_of(f.features.shader_int64),
        storage_buffer_8bit: f.f12.storage8,
        storage_buffer_16bit: f.storage16,
        buffer_int64_atomics: f.f12.buffer_int64_atomics,
        shared_int64_atomics: f.f12.shared_int64_atomics,
        vulkan_memory_model: f.f12.memory_model,
        subgroup_ops: f.subgroup_stages.contains(vk::ShaderStageFlags::COMPUTE)
            && f.subgroup_ops.contains(wanted_ops),
        subgroup_extended_types: f.f12.subgroup_extended_types,
        scalar_block_layout: f.f12.scalar_block_layout,
        host_query_reset: f.f12.host_query_reset,
        subgroup_size_control: f.f13[0],
        maintenance4_sync2: f.f13[1],
        float32_atomic_add: f.float_atomics[0],
        float64_atomic_add: f.float_atomics[1],
        fused_fma: f.driver_id != vk::DriverId::MESA_LLVMPIPE,
        correct_div_sqrt: f.driver_id == vk::DriverId::MESA_LLVMPIPE,
        seq_cst_atomics: f.driver_id == vk::DriverId::MESA_LLVMPIPE,
        float_controls: f.float_controls,
    };
    let usable = if f.props.api_version < vk::API_VERSION_1_2 {
        Err(format!(
            "the device offers Vulkan {}; dpex needs 1.2 or later",
            vulkan.api_version
        ))
    } else if !f.f12.buffer_device_address {
        Err(
            "the device lacks bufferDeviceAddress (dpex kernels address tensors by device address)"
                .to_string(),
        )
    } else if !f.f12.timeline_semaphore {
        Err("the device lacks timelineSemaphore".to_string())
    } else if !vulkan.shader_int64 {
        Err("the device lacks shaderInt64 (dpex kernels index with 64-bit integers)".to_string())
    } else if family.is_none() {
        Err("the device has no queue family with compute".to_string())
    } else {
        Ok(())
    };
    // SAFETY: a query on a live physical device.
    let memory = unsafe {
        instance
            .instance
            .get_physical_device_memory_properties(handle)
    };
    let device_local_heap = memory
        .memory_heaps_as_slice()
        .iter()
        .filter(|h| h.flags.contains(vk::MemoryHeapFlags::DEVICE_LOCAL))
        .map(|h| h.size)
        .max();
    let device_type = match f.props.device_type {
        vk::PhysicalDeviceType::CPU => DeviceType::Cpu,
        vk::PhysicalDeviceType::DISCRETE_GPU
        | vk::PhysicalDeviceType::INTEGRATED_GPU
        | vk::PhysicalDeviceType::VIRTUAL_GPU => DeviceType::Gpu,
        _ => DeviceType::Other,
    };
    let driver_version = if f.driver_info.is_empty() {
        f.driver_name.clone()
    } else {
        format!("{} {}", f.driver_name, f.driver_info)
    };
    let info = DeviceInfo {
        api: Api::Vulkan,
        platform_index: index,
        device_index: 0,
        platform_name: format!("Vulkan {}", instance.version),
        name: text(&f.props.device_name),
        vendor: vendor_name(f.props.vendor_id),
        driver_version,
        device_type,
        il_versions: "SPIR-V_1.0 SPIR-V_1.1 SPIR-V_1.2 SPIR-V_1.3 SPIR-V_1.4 SPIR-V_1.5"
            .to_string(),
        extensions: Vec::new(),
        max_work_group_size: Some(limits.max_compute_work_group_invocations as usize),
        max_work_item_sizes: limits
            .max_compute_work_group_size
            .map(|s| s as usize)
            .to_vec(),
        max_work_group_count: limits.max_compute_work_group_count.map(u64::from).to_vec(),
        version: format!("Vulkan {}", vulkan.api_version),
        compute_units: None,
        global_mem_size: device_local_heap,
        max_mem_alloc_size: Some(f.max_allocation).filter(|&m| m > 0),
        local_mem_size: Some(u64::from(limits.max_compute_shared_memory_size)),
        double_fp_config: Some(u64::from(vulkan.shader_float64)),
        f32_subnormals: vulkan.float_controls.denorm_preserve[1]
            || f.driver_id == vk::DriverId::MESA_LLVMPIPE,
        max_num_sub_groups: None,
        sub_group_sizes: vec![f.subgroup_size as usize],
        usable,
        filter: String::new(),
        vulkan: Some(vulkan.clone()),
    };
    let physical = info.usable.is_ok().then(|| Physical {
        instance: instance.clone(),
        handle,
        info: vulkan,
        staging_only: staging_from_env(),
        context: OnceCell::new(),
    });
    Probe { info, physical }
}

/// The vendor of a PCI vendor id (or Khronos vendor id), e.g. `0x10de` -> `NVIDIA`.
fn vendor_name(id: u32) -> String {
    match id {
        0x10de => "NVIDIA".to_string(),
        0x1002 => "AMD".to_string(),
        0x8086 => "Intel".to_string(),
        0x13b5 => "ARM".to_string(),
        0x5143 => "Qualcomm".to_string(),
        0x10005 => "Mesa".to_string(),
        _ => format!("vendor 0x{id:x}"),
    }
}
