//! The logical device of a Vulkan device: created with every optional feature dpex modules may
//! use (and `VK_EXT_shader_atomic_float` where the device has float atomic adds), its one queue, the memory types tensors and host-visible blocks come from, the pipeline
//! layout every dpex pipeline shares (one 8-byte push constant range, no descriptor sets) and
//! the compiled pipelines.

use std::sync::{Arc, Mutex, PoisonError};

use ash::vk;

use super::pipeline::Pipelines;
use super::probe::FLOAT_ATOMICS;
use super::{vk_err, Instance, VulkanInfo};
use crate::error::Result;

/// One Vulkan logical device and what every queue, buffer and pipeline on it shares.
pub(crate) struct Context {
    /// Keeps the instance alive while the device is.
    _instance: Arc<Instance>,
    pub(crate) device: ash::Device,
    /// The one `VkQueue`; `vkQueueSubmit` needs it externally synchronised.
    queue: Mutex<vk::Queue>,
    pub(crate) family: u32,
    /// The memory type of tensors (device-local, preferring one the host cannot map; never
    /// mapped when the device takes the staging paths only).
    pub(crate) tensor_type: MemoryType,
    /// The memory type of staging buffers (host-visible and coherent, preferably cached).
    pub(crate) host_type: MemoryType,
    /// The memory type of argument blocks: device-local and host-visible where there is one
    /// (BAR memory: the work-items' reads of the block stay on the device; from the host's
    /// memory across PCIe they cost every work-group), else `host_type`.
    pub(crate) block_type: MemoryType,
    pub(crate) layout: vk::PipelineLayout,
    pub(crate) pipelines: Pipelines,
    pub(crate) info: VulkanInfo,
    /// The device's name, for messages.
    pub(crate) name: String,
}

/// A memory type: its index and what the host may do with it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MemoryType {
    pub(crate) index: u32,
    /// `HOST_VISIBLE | HOST_COHERENT`: mapped at allocation, host writes go straight in.
    pub(crate) mappable: bool,
    /// Also `HOST_CACHED`: host reads through the mapping are fast (never true of BAR memory).
    pub(crate) host_readable: bool,
}

impl MemoryType {
    fn of(index: usize, flags: vk::MemoryPropertyFlags) -> MemoryType {
        let mappable = flags.contains(
            vk::MemoryPropertyFlags::HOST_VISIBLE | vk::MemoryPropertyFlags::HOST_COHERENT,
        );
        MemoryType {
            index: index as u32,
            mappable,
            host_readable: mappable && flags.contains(vk::MemoryPropertyFlags::HOST_CACHED),
        }
    }
}

/// The tensor, host (staging) and argument-block memory types of a device, if it has a
/// device-local and a host-visible coherent one.
fn memory_types(
    memory: &vk::PhysicalDeviceMemoryProperties,
) -> Option<(MemoryType, MemoryType, MemoryType)> {
    let types = memory.memory_types_as_slice();
    let find = |want: &dyn Fn(vk::MemoryPropertyFlags) -> bool| {
        types
            .iter()
            .position(|t| want(t.property_flags))
            .map(|i| MemoryType::of(i, types[i].property_flags))
    };
    use vk::MemoryPropertyFlags as F;
    let tensor = find(&|f| f.contains(F::DEVICE_LOCAL) && !f.contains(F::HOST_VISIBLE))
        .or_else(|| find(&|f| f.contains(F::DEVICE_LOCAL)))?;
    let host = find(&|f| f.contains(F::HOST_VISIBLE | F::HOST_COHERENT | F::HOST_CACHED))
        .or_else(|| find(&|f| f.contains(F::HOST_VISIBLE | F::HOST_COHERENT)))?;
    let block =
        find(&|f| f.contains(F::DEVICE_LOCAL | F::HOST_VISIBLE | F::HOST_COHERENT)).unwrap_or(host);
    Some((tensor, host, block))
}

impl Context {
    /// Creates the logical device of a usable physical device (see `probe`).
    pub(crate) fn create(
        instance: &Arc<Instance>,
        physical: vk::PhysicalDevice,
        info: &VulkanInfo,
        name: &str,
        staging_only: bool,
    ) -> Result<Context> {
        let detail = || format!("creating the Vulkan device `{name}`");
        // SAFETY: a query on a live physical device.
        let memory = unsafe {
            instance
                .instance
                .get_physical_device_memory_properties(physical)
        };
        let (mut tensor_type, host_type, block_type) =
            memory_types(&memory).ok_or_else(|| crate::error::Error::Unsupported {
                what: "a Vulkan device without a device-local or a host-visible coherent \
                       memory type"
                    .to_string(),
                device: format!("`{name}`"),
            })?;
        if staging_only {
            tensor_type.mappable = false;
            tensor_type.host_readable = false;
        }
        let on = |b: bool| if b { vk::TRUE } else { vk::FALSE };
        let features = vk::PhysicalDeviceFeatures::default()
            .shader_float64(info.shader_float64)
            .shader_int64(info.shader_int64)
            .shader_int16(info.shader_int16);
        let mut features2 = vk::PhysicalDeviceFeatures2::default().features(features);
        let mut f11 = vk::PhysicalDeviceVulkan11Features::default()
            .storage_buffer16_bit_access(info.storage_buffer_16bit);
        let mut f12 = vk::PhysicalDeviceVulkan12Features::default()
            .buffer_device_address(true)
            .timeline_semaphore(true)
            .shader_float16(info.shader_float16)
            .shader_int8(info.shader_int8)
            .storage_buffer8_bit_access(info.storage_buffer_8bit)
            .shader_buffer_int64_atomics(info.buffer_int64_atomics)
            .shader_shared_int64_atomics(info.shared_int64_atomics);
        f12.vulkan_memory_model = on(info.vulkan_memory_model);
        f12.vulkan_memory_model_device_scope = on(info.vulkan_memory_model);
        f12.shader_subgroup_extended_types = on(info.subgroup_extended_types);
        f12.scalar_block_layout = on(info.scalar_block_layout);
        f12.host_query_reset = on(info.host_query_reset);
        let mut f13 = vk::PhysicalDeviceVulkan13Features::default()
            .subgroup_size_control(info.subgroup_size_control)
            .compute_full_subgroups(info.subgroup_size_control)
            .maintenance4(info.maintenance4_sync2)
            .synchronization2(info.maintenance4_sync2);
        let mut float_atomics = vk::PhysicalDeviceShaderAtomicFloatFeaturesEXT::default()
            .shader_buffer_float32_atomic_add(info.float32_atomic_add)
            .shader_shared_float32_atomic_add(info.float32_atomic_add)
            .shader_buffer_float64_atomic_add(info.float64_atomic_add)
            .shader_shared_float64_atomic_add(info.float64_atomic_add);
        let extensions = [FLOAT_ATOMICS.as_ptr()];
        let priorities = [1.0f32];
        let queues = [vk::DeviceQueueCreateInfo::default()
            .queue_family_index(info.queue_family)
            .queue_priorities(&priorities)];
        let mut create = vk::DeviceCreateInfo::default()
            .queue_create_infos(&queues)
            .push_next(&mut features2)
            .push_next(&mut f11)
            .push_next(&mut f12);
        if info.subgroup_size_control || info.maintenance4_sync2 {
            // Only set where the device is Vulkan 1.3 (probe reads these features there only).
            create = create.push_next(&mut f13);
        }
        if info.float32_atomic_add || info.float64_atomic_add {
            create = create
                .enabled_extension_names(&extensions)
                .push_next(&mut float_atomics);
        }
        // SAFETY: every feature enabled is one the device reported (probe); the structures live
        // across the call; the queue family exists and has a queue.
        let device = unsafe { instance.instance.create_device(physical, &create, None) }
            .map_err(vk_err("vkCreateDevice", detail()))?;
        // SAFETY: queue 0 of the family was requested above.
        let queue = unsafe { device.get_device_queue(info.queue_family, 0) };
        let ranges = [vk::PushConstantRange {
            stage_flags: vk::ShaderStageFlags::COMPUTE,
            offset: 0,
            size: dpex_abi::vulkan::PUSH_CONSTANT_BYTES,
        }];
        let layout_info = vk::PipelineLayoutCreateInfo::default().push_constant_ranges(&ranges);
        // SAFETY: a valid create info on a live device.
        let layout = match unsafe { device.create_pipeline_layout(&layout_info, None) } {
            Ok(layout) => layout,
            Err(e) => {
                // SAFETY: nothing was created on the device yet.
                unsafe { device.destroy_device(None) };
                return Err(vk_err("vkCreatePipelineLayout", detail())(e));
            }
        };
        let pipelines = match Pipelines::new(&device, info) {
            Ok(p) => p,
            Err(e) => {
                // SAFETY: only the layout was created on the device.
                unsafe {
                    device.destroy_pipeline_layout(layout, None);
                    device.destroy_device(None);
                }
                return Err(e);
            }
        };
        Ok(Context {
            _instance: instance.clone(),
            device,
            queue: Mutex::new(queue),
            family: info.queue_family,
            tensor_type,
            host_type,
            block_type,
            layout,
            pipelines,
            info: info.clone(),
            name: name.to_string(),
        })
    }

    /// Submits `submit` to the device's queue (serialised between threads).
    pub(crate) fn submit(
        &self,
        submit: &vk::SubmitInfo<'_>,
        detail: impl FnOnce() -> String,
    ) -> Result<()> {
        let queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        // SAFETY: the queue is held exclusively (the lock); the submit info and what it points
        // to are valid for the call (the caller's contract).
        unsafe {
            self.device
                .queue_submit(*queue, std::slice::from_ref(submit), vk::Fence::null())
        }
        .map_err(|e| vk_err("vkQueueSubmit", detail())(e))
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        // SAFETY: every queue, buffer and event holds an `Arc<Context>`, so none is left; waiting
        // for idle first makes sure the device runs nothing when its objects are destroyed.
        unsafe {
            let _ = self.device.device_wait_idle();
            self.pipelines.destroy(&self.device);
            self.device.destroy_pipeline_layout(self.layout, None);
            self.device.destroy_device(None);
        }
    }
}
