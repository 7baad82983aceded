//! Device memory: one buffer of the device's API shared by a tensor and its views, allocated
//! within the device's limits, and the blocking byte-level transfers the tensor operations are
//! made of, range-checked here and dispatched to the backend of the queue.

use std::ffi::c_void;

use crate::backend::{opencl, vulkan};
use crate::error::{Error, Result};
use crate::queue::{Queue, QueueBackend};

/// A buffer of `bytes` bytes on one device (no buffer at all when `bytes` is 0).
///
/// Freed when dropped: OpenCL defers the free until the commands using it complete; on Vulkan,
/// every submission that uses the memory holds it until the queue's timeline passes it. So a
/// tensor dropped right after an asynchronous launch stays alive on the device until the launch
/// completes.
pub(crate) struct DeviceMemory {
    raw: Raw,
    bytes: usize,
}

enum Raw {
    Empty,
    OpenCl(opencl::memory::Buffer),
    Vulkan(vulkan::Buffer),
}

impl DeviceMemory {
    /// Allocates `bytes` bytes on `queue`'s device, copying `host` (which must hold `bytes`
    /// bytes) into them if given. Requests above the device's largest allocation or its memory
    /// are refused before the driver is called.
    pub(crate) fn allocate(
        queue: &Queue,
        bytes: usize,
        host: Option<*const c_void>,
        what: &dyn Fn() -> String,
    ) -> Result<DeviceMemory> {
        if bytes == 0 {
            return Ok(DeviceMemory {
                raw: Raw::Empty,
                bytes: 0,
            });
        }
        let device = queue.device();
        let info = device.info();
        let vulkan = info.vulkan.is_some();
        let limits = [
            (
                info.max_mem_alloc_size,
                if vulkan {
                    "maxMemoryAllocationSize"
                } else {
                    "CL_DEVICE_MAX_MEM_ALLOC_SIZE"
                },
            ),
            (
                info.global_mem_size,
                if vulkan {
                    "the device-local memory heap"
                } else {
                    "CL_DEVICE_GLOBAL_MEM_SIZE"
                },
            ),
        ];
        for (limit, limit_name) in limits {
            if let Some(limit) = limit.filter(|&limit| bytes as u64 > limit) {
                return Err(Error::AllocationTooLarge {
                    what: what(),
                    bytes: bytes as u64,
                    limit,
                    limit_name,
                    device: device.to_string(),
                });
            }
        }
        let raw = match queue.backend() {
            QueueBackend::OpenCl(_) => {
                Raw::OpenCl(opencl::memory::Buffer::allocate(queue, bytes, host, what)?)
            }
            QueueBackend::Vulkan(stream) => {
                let buffer =
                    vulkan::Buffer::new(&stream.ctx, bytes as u64, vulkan::Placement::Device)?;
                if let Some(host) = host {
                    // SAFETY: the caller's contract: `host` points to `bytes` initialised bytes.
                    let data = unsafe { std::slice::from_raw_parts(host.cast::<u8>(), bytes) };
                    // A new buffer is used by no command yet: mapped memory is written at once.
                    if !buffer.write_at(0, data) {
                        vulkan::write(stream, &buffer, 0, data)?;
                    }
                }
                Raw::Vulkan(buffer)
            }
        };
        Ok(DeviceMemory { raw, bytes })
    }

    /// The OpenCL buffer (`None` when the memory is empty or not OpenCL's).
    pub(crate) fn opencl(&self) -> Option<&opencl::memory::Buffer> {
        match &self.raw {
            Raw::OpenCl(buffer) => Some(buffer),
            Raw::Empty | Raw::Vulkan(_) => None,
        }
    }

    /// The Vulkan buffer (`None` when the memory is empty or not Vulkan's).
    pub(crate) fn vulkan(&self) -> Option<&vulkan::Buffer> {
        match &self.raw {
            Raw::Vulkan(buffer) => Some(buffer),
            Raw::Empty | Raw::OpenCl(_) => None,
        }
    }

    /// The size in bytes.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }
}

/// The backend buffers of `memories` on `queue`'s API, or an error if one belongs to another.
enum On<'a, const K: usize> {
    OpenCl([&'a opencl::memory::Buffer; K]),
    Vulkan(&'a vulkan::Stream, [&'a vulkan::Buffer; K]),
}

fn on<'a, const K: usize>(
    queue: &'a Queue,
    memories: [&'a DeviceMemory; K],
) -> Result<Option<On<'a, K>>> {
    let mismatch = || Error::InvalidView {
        operation: "device memory access",
        detail: format!(
            "the memory does not belong to the API of the queue's device {}",
            queue.device()
        ),
    };
    if memories.iter().any(|m| matches!(m.raw, Raw::Empty)) {
        return Ok(None);
    }
    match queue.backend() {
        QueueBackend::OpenCl(_) => {
            let mut out = Vec::with_capacity(K);
            for m in memories {
                match &m.raw {
                    Raw::OpenCl(b) => out.push(b),
                    _ => return Err(mismatch()),
                }
            }
            let arr: [&opencl::memory::Buffer; K] = out.try_into().map_err(|_| mismatch())?;
            Ok(Some(On::OpenCl(arr)))
        }
        QueueBackend::Vulkan(stream) => {
            let mut out = Vec::with_capacity(K);
            for m in memories {
                match &m.raw {
                    Raw::Vulkan(b) => out.push(b),
                    _ => return Err(mismatch()),
                }
            }
            let arr: [&vulkan::Buffer; K] = out.try_into().map_err(|_| mismatch())?;
            Ok(Some(On::Vulkan(stream, arr)))
        }
    }
}

/// Reads `out.len()` bytes at byte `offset` of `memory` into `out`; blocks until done and comes
/// after everything enqueued earlier on `queue`.
pub(crate) fn read(
    queue: &Queue,
    memory: &DeviceMemory,
    offset: usize,
    out: &mut [u8],
) -> Result<()> {
    if out.is_empty() {
        return Ok(());
    }
    check_range(memory, offset, out.len())?;
    match on(queue, [memory])? {
        Some(On::OpenCl([b])) => opencl::memory::read(queue, b, offset, out),
        Some(On::Vulkan(s, [b])) => vulkan::read(s, b, offset, out),
        None => Ok(()),
    }
}

/// Writes `data` at byte `offset` of `memory`; blocks until done and comes after everything
/// enqueued earlier on `queue`.
pub(crate) fn write(
    queue: &Queue,
    memory: &DeviceMemory,
    offset: usize,
    data: &[u8],
) -> Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    check_range(memory, offset, data.len())?;
    match on(queue, [memory])? {
        Some(On::OpenCl([b])) => opencl::memory::write(queue, b, offset, data),
        Some(On::Vulkan(s, [b])) => vulkan::write(s, b, offset, data),
        None => Ok(()),
    }
}

/// Fills `size` bytes at byte `offset` with copies of `pattern` (1, 2, 4 or 8 bytes); blocks.
pub(crate) fn fill(
    queue: &Queue,
    memory: &DeviceMemory,
    pattern: &[u8],
    offset: usize,
    size: usize,
) -> Result<()> {
    if size == 0 {
        return Ok(());
    }
    check_range(memory, offset, size)?;
    match on(queue, [memory])? {
        Some(On::OpenCl([b])) => opencl::memory::fill(queue, b, pattern, offset, size),
        Some(On::Vulkan(s, [b])) => vulkan::fill(s, b, pattern, offset, size),
        None => Ok(()),
    }
}

/// Copies `size` bytes from byte `src_offset` of `src` to byte `dst_offset` of `dst` on the
/// device (the ranges must not overlap if the memories are the same); blocks until done.
pub(crate) fn copy(
    queue: &Queue,
    src: &DeviceMemory,
    src_offset: usize,
    dst: &DeviceMemory,
    dst_offset: usize,
    size: usize,
) -> Result<()> {
    if size == 0 {
        return Ok(());
    }
    check_range(src, src_offset, size)?;
    check_range(dst, dst_offset, size)?;
    match on(queue, [src, dst])? {
        Some(On::OpenCl([s, d])) => opencl::memory::copy(queue, s, src_offset, d, dst_offset, size),
        Some(On::Vulkan(q, [s, d])) => vulkan::copy(q, s, src_offset, d, dst_offset, size),
        None => Ok(()),
    }
}

/// One side of a rectangular copy: the origin `(x bytes, y rows, z slices)` and the pitches.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rect {
    /// Origin in bytes, rows and slices.
    pub(crate) origin: [usize; 3],
    /// Bytes between rows.
    pub(crate) row_pitch: usize,
    /// Bytes between slices.
    pub(crate) slice_pitch: usize,
}

impl Rect {
    /// Byte offset of the origin.
    fn start(&self) -> usize {
        self.origin[0] + self.origin[1] * self.row_pitch + self.origin[2] * self.slice_pitch
    }

    /// One past the last byte touched by a copy of `region`.
    fn end(&self, region: [usize; 3]) -> usize {
        self.start()
            + (region[2] - 1) * self.slice_pitch
            + (region[1] - 1) * self.row_pitch
            + region[0]
    }
}

/// Copies a `region` of `(bytes, rows, slices)` between two rectangles; blocks until done.
/// `region` must have no zero extent.
pub(crate) fn copy_rect(
    queue: &Queue,
    src: &DeviceMemory,
    src_rect: Rect,
    dst: &DeviceMemory,
    dst_rect: Rect,
    region: [usize; 3],
) -> Result<()> {
    for (memory, rect) in [(src, src_rect), (dst, dst_rect)] {
        let end = rect.end(region);
        check_range(memory, rect.start(), end - rect.start())?;
    }
    let pitches = |r: Rect| (r.start(), [r.row_pitch, r.slice_pitch]);
    match on(queue, [src, dst])? {
        Some(On::OpenCl([s, d])) => {
            opencl::memory::copy_rect(queue, s, src_rect, d, dst_rect, region)
        }
        Some(On::Vulkan(q, [s, d])) => {
            vulkan::copy_rect(q, s, pitches(src_rect), d, pitches(dst_rect), region)
        }
        None => Ok(()),
    }
}

/// `size` bytes at `offset` lie inside `memory` (an internal invariant, checked so that a bug
/// becomes an error rather than an out-of-bounds device access).
fn check_range(memory: &DeviceMemory, offset: usize, size: usize) -> Result<()> {
    if offset
        .checked_add(size)
        .is_some_and(|end| end <= memory.bytes)
    {
        Ok(())
    } else {
        Err(Error::InvalidView {
            operation: "device memory access",
            detail: format!(
                "{size} bytes at byte {offset} exceed the buffer's {} bytes",
                memory.bytes
            ),
        })
    }
}
