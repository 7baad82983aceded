//! Vulkan buffers with device addresses: tensors (device-local memory) and host-visible ones
//! (argument-block chunks, staging), each with its own `VkDeviceMemory`, mapped for its lifetime when
//! the memory type allows.

use std::sync::Arc;

use ash::vk;

use super::context::MemoryType;
use super::{vk_err, Context};
use crate::error::Result;

/// Which memory a buffer lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Placement {
    /// The device's tensor memory type (device-local).
    Device,
    /// Host-visible coherent memory the device can read (staging).
    Host,
    /// The argument blocks' memory: host-visible, device-local where the device has such.
    Block,
}

/// One `VkBuffer` bound to its own memory, with its device address.
pub(crate) struct Buffer {
    ctx: Arc<Context>,
    buffer: vk::Buffer,
    memory: vk::DeviceMemory,
    bytes: u64,
    address: u64,
    /// The mapping of the whole memory, when the memory type is host-visible.
    mapped: Option<*mut u8>,
    kind: MemoryType,
}

// SAFETY: Vulkan buffer and memory handles may be used from any thread; the mapping is plain
// memory, accessed only through `&mut self` writes or reads whose ordering with the device the
// callers establish (they wait for the queue first).
unsafe impl Send for Buffer {}
// SAFETY: as above; shared access reads handles only, and the host copies through the mapping
// (`write_at`, `read_at`) are ordered by the callers with the device's use of the buffer.
unsafe impl Sync for Buffer {}

const USAGE: vk::BufferUsageFlags = vk::BufferUsageFlags::from_raw(
    vk::BufferUsageFlags::STORAGE_BUFFER.as_raw()
        | vk::BufferUsageFlags::SHADER_DEVICE_ADDRESS.as_raw()
        | vk::BufferUsageFlags::TRANSFER_SRC.as_raw()
        | vk::BufferUsageFlags::TRANSFER_DST.as_raw(),
);

impl Buffer {
    /// A buffer of `bytes` (not 0) bytes in `placement` memory.
    pub(crate) fn new(ctx: &Arc<Context>, bytes: u64, placement: Placement) -> Result<Buffer> {
        let kind = match placement {
            Placement::Device => ctx.tensor_type,
            Placement::Host => ctx.host_type,
            Placement::Block => ctx.block_type,
        };
        let detail = || format!("allocating a Vulkan buffer of {bytes} bytes");
        let device = &ctx.device;
        let info = vk::BufferCreateInfo::default()
            .size(bytes)
            .usage(USAGE)
            .sharing_mode(vk::SharingMode::EXCLUSIVE);
        // SAFETY: a valid create info on a live device.
        let buffer = unsafe { device.create_buffer(&info, None) }
            .map_err(vk_err("vkCreateBuffer", detail()))?;
        let destroy_buffer = || {
            // SAFETY: the buffer was created above and is not used by anything yet.
            unsafe { device.destroy_buffer(buffer, None) }
        };
        // SAFETY: a query on the buffer just created.
        let needs = unsafe { device.get_buffer_memory_requirements(buffer) };
        if needs.memory_type_bits & (1 << kind.index) == 0 {
            destroy_buffer();
            return Err(vk_err("vkGetBufferMemoryRequirements", detail())(
                vk::Result::ERROR_FORMAT_NOT_SUPPORTED,
            ));
        }
        let mut flags =
            vk::MemoryAllocateFlagsInfo::default().flags(vk::MemoryAllocateFlags::DEVICE_ADDRESS);
        let allocate = vk::MemoryAllocateInfo::default()
            .allocation_size(needs.size)
            .memory_type_index(kind.index)
            .push_next(&mut flags);
        // SAFETY: a valid allocate info (the type index is allowed for the buffer).
        let memory = match unsafe { device.allocate_memory(&allocate, None) } {
            Ok(memory) => memory,
            Err(e) => {
                destroy_buffer();
                return Err(vk_err("vkAllocateMemory", detail())(e));
            }
        };
        let free = |e: vk::Result, operation| {
            // SAFETY: both were created above and nothing uses them yet.
            unsafe {
                device.destroy_buffer(buffer, None);
                device.free_memory(memory, None);
            }
            vk_err(operation, detail())(e)
        };
        // SAFETY: fresh memory of the required size and type, bound at offset 0.
        if let Err(e) = unsafe { device.bind_buffer_memory(buffer, memory, 0) } {
            return Err(free(e, "vkBindBufferMemory"));
        }
        let mapped = if kind.mappable {
            // SAFETY: host-visible memory, not mapped before, mapped whole.
            match unsafe {
                device.map_memory(memory, 0, vk::WHOLE_SIZE, vk::MemoryMapFlags::empty())
            } {
                Ok(ptr) => Some(ptr.cast::<u8>()),
                Err(e) => return Err(free(e, "vkMapMemory")),
            }
        } else {
            None
        };
        let address_info = vk::BufferDeviceAddressInfo::default().buffer(buffer);
        // SAFETY: the buffer has SHADER_DEVICE_ADDRESS usage and memory allocated with the
        // DEVICE_ADDRESS flag, bound above.
        let address = unsafe { device.get_buffer_device_address(&address_info) };
        Ok(Buffer {
            ctx: ctx.clone(),
            buffer,
            memory,
            bytes,
            address,
            mapped,
            kind,
        })
    }

    /// The `VkBuffer`.
    pub(crate) fn raw(&self) -> vk::Buffer {
        self.buffer
    }

    /// The device address of the first byte.
    pub(crate) fn address(&self) -> u64 {
        self.address
    }

    /// Whether host writes may go through the mapping.
    pub(crate) fn host_writable(&self) -> bool {
        self.mapped.is_some()
    }

    /// Whether host reads may go through the mapping (mapped and host-cached; never BAR memory).
    pub(crate) fn host_readable(&self) -> bool {
        self.mapped.is_some() && self.kind.host_readable
    }

    /// Copies `data` to byte `offset` through the mapping. The caller has checked the range
    /// and made sure the device is not using these bytes; returns false if not mapped.
    pub(crate) fn write_at(&self, offset: u64, data: &[u8]) -> bool {
        let Some(base) = self.mapped else {
            return false;
        };
        if offset.saturating_add(data.len() as u64) > self.bytes {
            return false;
        }
        // SAFETY: the mapping covers `bytes` bytes and the range lies inside it (checked); the
        // device does not access it meanwhile (the caller's contract); `data` does not overlap
        // device memory.
        unsafe {
            std::ptr::copy_nonoverlapping(data.as_ptr(), base.add(offset as usize), data.len())
        };
        true
    }

    /// Copies bytes at `offset` into `out` through the mapping; as [`Buffer::write_at`].
    pub(crate) fn read_at(&self, offset: u64, out: &mut [u8]) -> bool {
        let Some(base) = self.mapped else {
            return false;
        };
        if offset.saturating_add(out.len() as u64) > self.bytes {
            return false;
        }
        // SAFETY: as in `write_at`, with the device's writes to these bytes complete and made
        // visible to the host (each submission ends with a barrier to the host).
        unsafe {
            std::ptr::copy_nonoverlapping(base.add(offset as usize), out.as_mut_ptr(), out.len())
        };
        true
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        // SAFETY: the buffer and memory belong to this value; every submission that uses them
        // keeps the buffer (or the tensor memory that owns it) alive until the queue's timeline
        // has passed it, so the device no longer uses them. Freeing mapped memory unmaps it.
        unsafe {
            self.ctx.device.destroy_buffer(self.buffer, None);
            self.ctx.device.free_memory(self.memory, None);
        }
    }
}
