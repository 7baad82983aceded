//! OpenCL buffers (`cl_mem`) and the blocking byte-level transfers on them that the tensor
//! operations are made of (the ranges are checked by `tensor::memory`).

use std::ffi::c_void;
use std::ptr;

use opencl3::command_queue as clq;
use opencl3::memory::{create_buffer, release_mem_object, CL_MEM_COPY_HOST_PTR, CL_MEM_READ_WRITE};
use opencl3::types::{cl_event, cl_int, cl_mem, cl_uint, CL_BLOCKING};

use super::queue::ordered;
use super::status::cl_with;
use crate::error::Result;
use crate::queue::Queue;
use crate::tensor::memory::{DeviceMemory, Rect};

/// One OpenCL buffer (never empty).
///
/// Dropping it calls `clReleaseMemObject`, which by the OpenCL specification frees the memory only
/// once every enqueued command that uses it has finished: a tensor dropped right after an
/// asynchronous launch stays alive on the device until the launch completes.
pub(crate) struct Buffer {
    mem: cl_mem,
}

// SAFETY: a cl_mem handle may be used and released from any thread (OpenCL memory objects are
// thread-safe); `Buffer` owns one reference to it.
unsafe impl Send for Buffer {}
// SAFETY: shared access only hands the handle to OpenCL calls, which are thread-safe.
unsafe impl Sync for Buffer {}

impl Buffer {
    /// Allocates `bytes` (not 0) bytes on `queue`'s device, copying `host` (which must hold
    /// `bytes` bytes) into them if given.
    pub(crate) fn allocate(
        queue: &Queue,
        bytes: usize,
        host: Option<*const c_void>,
        what: &dyn Fn() -> String,
    ) -> Result<Buffer> {
        let context = super::device::context(queue.device())?;
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
            super::status::error(
                "clCreateBuffer",
                s,
                format!("allocating {bytes} bytes for {}", what()),
            )
        })?;
        Ok(Buffer { mem })
    }

    /// The OpenCL memory object.
    pub(crate) fn mem(&self) -> cl_mem {
        self.mem
    }
}

/// The OpenCL memory object of `memory` (null when it is empty or not OpenCL's).
pub(crate) fn raw(memory: &DeviceMemory) -> cl_mem {
    memory.opencl().map_or(ptr::null_mut(), Buffer::mem)
}

impl Drop for Buffer {
    fn drop(&mut self) {
        // SAFETY: `mem` is a memory object this value owns one reference to. OpenCL defers
        // the actual free until the commands using it complete. A failure cannot be reported
        // from `drop`, and leaking is the only safe reaction, so it is ignored.
        let _ = unsafe { release_mem_object(self.mem) };
    }
}

/// Waits for a command enqueued by a raw cl3 call, then releases its event.
fn complete(
    enqueued: std::result::Result<cl_event, cl_int>,
    operation: &'static str,
    detail: &dyn Fn() -> String,
) -> Result<()> {
    let event = enqueued.map_err(|s| super::status::error(operation, s, detail()))?;
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
pub(crate) fn read(queue: &Queue, memory: &Buffer, offset: usize, out: &mut [u8]) -> Result<()> {
    let (raw, ordering) = ordered(queue)?;
    let events = ordering.wait_list();
    let (count, list) = wait_list(&events);
    // SAFETY: a blocking read of `out.len()` bytes inside the buffer (checked) into `out`.
    let enqueued = unsafe {
        clq::enqueue_read_buffer(
            raw,
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
pub(crate) fn write(queue: &Queue, memory: &Buffer, offset: usize, data: &[u8]) -> Result<()> {
    let (raw, ordering) = ordered(queue)?;
    let events = ordering.wait_list();
    let (count, list) = wait_list(&events);
    // SAFETY: a blocking write of `data.len()` bytes from `data` inside the buffer (checked).
    let enqueued = unsafe {
        clq::enqueue_write_buffer(
            raw,
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
    memory: &Buffer,
    pattern: &[u8],
    offset: usize,
    size: usize,
) -> Result<()> {
    let (raw, ordering) = ordered(queue)?;
    let events = ordering.wait_list();
    let (count, list) = wait_list(&events);
    // SAFETY: the pattern is a live slice of a size OpenCL accepts, copied during the call; the
    // filled range lies inside the buffer (checked) and is a multiple of the pattern size.
    let enqueued = unsafe {
        clq::enqueue_fill_buffer(
            raw,
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
    src: &Buffer,
    src_offset: usize,
    dst: &Buffer,
    dst_offset: usize,
    size: usize,
) -> Result<()> {
    let (raw, ordering) = ordered(queue)?;
    let events = ordering.wait_list();
    let (count, list) = wait_list(&events);
    // SAFETY: both ranges lie inside their buffers (checked), which live in the queue's context.
    let enqueued = unsafe {
        clq::enqueue_copy_buffer(
            raw, src.mem, dst.mem, src_offset, dst_offset, size, count, list,
        )
    };
    complete(enqueued, "clEnqueueCopyBuffer", &|| {
        format!("copying {size} bytes from byte {src_offset} to byte {dst_offset}")
    })
}

/// `clEnqueueCopyBufferRect`: copies a `region` of `(bytes, rows, slices)` between two
/// rectangles; blocks until done. `region` must have no zero extent.
pub(crate) fn copy_rect(
    queue: &Queue,
    src: &Buffer,
    src_rect: Rect,
    dst: &Buffer,
    dst_rect: Rect,
    region: [usize; 3],
) -> Result<()> {
    let (raw, ordering) = ordered(queue)?;
    let events = ordering.wait_list();
    let (count, list) = wait_list(&events);
    // SAFETY: the origins and region are arrays of 3 as the call reads; both rectangles lie
    // inside their buffers (checked above); the pitches satisfy OpenCL's rules (the caller's
    // contract, checked by the driver too).
    let enqueued = unsafe {
        clq::enqueue_copy_buffer_rect(
            raw,
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
