//! Device memory: one OpenCL buffer shared by a tensor and its views, allocated within the
//! device's limits, and the blocking byte-level transfers the tensor operations are made of.

use std::ffi::c_void;
use std::ptr;

use opencl3::command_queue as clq;
use opencl3::memory::{create_buffer, release_mem_object, CL_MEM_COPY_HOST_PTR, CL_MEM_READ_WRITE};
use opencl3::types::{cl_event, cl_int, cl_mem, cl_uint, CL_BLOCKING};

use crate::error::{cl_with, Error, Result};
use crate::queue::Queue;

/// An OpenCL buffer of `bytes` bytes (no buffer at all when `bytes` is 0).
///
/// Dropping it calls `clReleaseMemObject`, which by the OpenCL specification frees the memory only
/// once every enqueued command that uses it has finished: a tensor dropped right after an
/// asynchronous launch stays alive on the device until the launch completes.
pub(crate) struct DeviceMemory {
    mem: cl_mem,
    bytes: usize,
}

// SAFETY: a cl_mem handle may be used and released from any thread (OpenCL memory objects are
// thread-safe); `DeviceMemory` owns one reference to it.
unsafe impl Send for DeviceMemory {}
// SAFETY: shared access only hands the handle to OpenCL calls, which are thread-safe.
unsafe impl Sync for DeviceMemory {}

impl DeviceMemory {
    /// Allocates `bytes` bytes on `queue`'s device, copying `host` (which must hold `bytes`
    /// bytes) into them if given. Requests above `CL_DEVICE_MAX_MEM_ALLOC_SIZE` or
    /// `CL_DEVICE_GLOBAL_MEM_SIZE` are refused before the driver is called.
    pub(crate) fn allocate(
        queue: &Queue,
        bytes: usize,
        host: Option<*const c_void>,
        what: &dyn Fn() -> String,
    ) -> Result<DeviceMemory> {
        if bytes == 0 {
            return Ok(DeviceMemory {
                mem: ptr::null_mut(),
                bytes: 0,
            });
        }
        let device = queue.device();
        let info = device.info();
        let limits = [
            (info.max_mem_alloc_size, "CL_DEVICE_MAX_MEM_ALLOC_SIZE"),
            (info.global_mem_size, "CL_DEVICE_GLOBAL_MEM_SIZE"),
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
        let context = device.context()?;
        let (flags, host_ptr) = match host {
            Some(data) => (
                CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                data as *mut c_void,
            ),
            None => (CL_MEM_READ_WRITE, ptr::null_mut()),
        };
        // SAFETY: `host_ptr` is null or points to `bytes` initialised bytes (the callers' contract);
        // with CL_MEM_COPY_HOST_PTR OpenCL only reads it during this call.
        let mem = unsafe { create_buffer(context.get(), flags, bytes, host_ptr) }.map_err(|s| {
            Error::opencl(
                "clCreateBuffer",
                s,
                format!("allocating {bytes} bytes for {}", what()),
            )
        })?;
        Ok(DeviceMemory { mem, bytes })
    }

    /// The OpenCL memory object (null when the memory is empty).
    pub(crate) fn mem(&self) -> cl_mem {
        self.mem
    }

    /// The size in bytes.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }
}

impl Drop for DeviceMemory {
    fn drop(&mut self) {
        if !self.mem.is_null() {
            // SAFETY: `mem` is a memory object this value owns one reference to. OpenCL defers
            // the actual free until the commands using it complete. A failure cannot be reported
            // from `drop`, and leaking is the only safe reaction, so it is ignored.
            let _ = unsafe { release_mem_object(self.mem) };
        }
    }
}

/// Waits for a command enqueued by a raw cl3 call, then releases its event.
fn complete(
    enqueued: std::result::Result<cl_event, cl_int>,
    operation: &'static str,
    detail: &dyn Fn() -> String,
) -> Result<()> {
    let event = enqueued.map_err(|s| Error::opencl(operation, s, detail()))?;
    // The event is owned from here on and released when `event` drops.
    let event = opencl3::event::Event::new(event);
    event.wait().map_err(cl_with(
        "clWaitForEvents",
        format!("{operation}: {}", detail()),
    ))
}

/// The raw parts of a wait list, for cl3 calls.
fn wait_list(events: &[cl_event]) -> (cl_uint, *const cl_event) {
    if events.is_empty() {
        (0, ptr::null())
    } else {
        (events.len() as cl_uint, events.as_ptr())
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
    let ordering = queue.ordering()?;
    let events = ordering.wait_list();
    let (count, list) = wait_list(&events);
    // SAFETY: a blocking read of `out.len()` bytes inside the buffer (checked) into `out`.
    let enqueued = unsafe {
        clq::enqueue_read_buffer(
            queue.cl_queue().get(),
            memory.mem,
            CL_BLOCKING,
            offset,
            out.len(),
            out.as_mut_ptr().cast(),
            count,
            list,
        )
    };
    complete(enqueued, "clEnqueueReadBuffer", &|| {
        format!("reading {} bytes at byte {offset}", out.len())
    })
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
    let ordering = queue.ordering()?;
    let events = ordering.wait_list();
    let (count, list) = wait_list(&events);
    // SAFETY: a blocking write of `data.len()` bytes from `data` inside the buffer (checked).
    let enqueued = unsafe {
        clq::enqueue_write_buffer(
            queue.cl_queue().get(),
            memory.mem,
            CL_BLOCKING,
            offset,
            data.len(),
            data.as_ptr().cast(),
            count,
            list,
        )
    };
    complete(enqueued, "clEnqueueWriteBuffer", &|| {
        format!("writing {} bytes at byte {offset}", data.len())
    })
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
    let ordering = queue.ordering()?;
    let events = ordering.wait_list();
    let (count, list) = wait_list(&events);
    // SAFETY: the pattern is a live slice of a size OpenCL accepts, copied during the call; the
    // filled range lies inside the buffer (checked) and is a multiple of the pattern size.
    let enqueued = unsafe {
        clq::enqueue_fill_buffer(
            queue.cl_queue().get(),
            memory.mem,
            pattern.as_ptr().cast(),
            pattern.len(),
            offset,
            size,
            count,
            list,
        )
    };
    complete(enqueued, "clEnqueueFillBuffer", &|| {
        format!("filling {size} bytes at byte {offset}")
    })
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
    let ordering = queue.ordering()?;
    let events = ordering.wait_list();
    let (count, list) = wait_list(&events);
    // SAFETY: both ranges lie inside their buffers (checked), which live in the queue's context.
    let enqueued = unsafe {
        clq::enqueue_copy_buffer(
            queue.cl_queue().get(),
            src.mem,
            dst.mem,
            src_offset,
            dst_offset,
            size,
            count,
            list,
        )
    };
    complete(enqueued, "clEnqueueCopyBuffer", &|| {
        format!("copying {size} bytes from byte {src_offset} to byte {dst_offset}")
    })
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

/// `clEnqueueCopyBufferRect`: copies a `region` of `(bytes, rows, slices)` between two
/// rectangles; blocks until done. `region` must have no zero extent.
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
    let ordering = queue.ordering()?;
    let events = ordering.wait_list();
    let (count, list) = wait_list(&events);
    // SAFETY: the origins and region are arrays of 3 as the call reads; both rectangles lie
    // inside their buffers (checked above); the pitches satisfy OpenCL's rules (the caller's
    // contract, checked by the driver too).
    let enqueued = unsafe {
        clq::enqueue_copy_buffer_rect(
            queue.cl_queue().get(),
            src.mem,
            dst.mem,
            src_rect.origin.as_ptr(),
            dst_rect.origin.as_ptr(),
            region.as_ptr(),
            src_rect.row_pitch,
            src_rect.slice_pitch,
            dst_rect.row_pitch,
            dst_rect.slice_pitch,
            count,
            list,
        )
    };
    complete(enqueued, "clEnqueueCopyBufferRect", &|| {
        format!("copying a region of {region:?} (bytes, rows, slices) from {src_rect:?} to {dst_rect:?}")
    })
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
