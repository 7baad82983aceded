//! OpenCL command queues: creation with the queue options, and the barrier that orders a
//! command after everything before it on an out-of-order queue.

use opencl3::command_queue::{CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE, CL_QUEUE_PROFILING_ENABLE};
use opencl3::types::{cl_command_queue, cl_event};

use super::status::{cl, cl_with};
use crate::device::Device;
use crate::error::{Error, Result};
use crate::queue::{Queue, QueueOptions};

/// An OpenCL command queue.
pub(crate) struct CommandQueue(opencl3::command_queue::CommandQueue);

impl CommandQueue {
    /// The opencl3 queue, to enqueue commands on.
    pub(crate) fn cl(&self) -> &opencl3::command_queue::CommandQueue {
        &self.0
    }

    /// Blocks until every command enqueued so far has completed (`clFinish`).
    pub(crate) fn finish(&self) -> Result<()> {
        self.0.finish().map_err(cl("clFinish"))
    }
}

/// A command queue on `device` (an OpenCL device) with `options`, in the device's context.
pub(crate) fn create(device: &Device, options: QueueOptions) -> Result<CommandQueue> {
    let context = super::device::context(device)?;
    let mut properties = 0;
    if options.out_of_order {
        properties |= CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE;
    }
    if options.profiling {
        properties |= CL_QUEUE_PROFILING_ENABLE;
    }
    // SAFETY: the device is the (only) device of `context`, as the call requires; the
    // properties are valid `cl_command_queue_properties` bits.
    unsafe {
        opencl3::command_queue::CommandQueue::create_with_properties(
            context,
            super::device::id(device),
            properties,
            0,
        )
    }
    .map(CommandQueue)
    .map_err(cl_with(
        "clCreateCommandQueueWithProperties",
        format!("a queue with {options:?} on {device}"),
    ))
}

/// The wait list that orders a command after the earlier ones on its queue (see [`ordered`]);
/// holds the barrier's event alive while it is used.
pub(crate) struct Ordering(Option<opencl3::event::Event>);

impl Ordering {
    /// The raw wait list: empty or the barrier's event.
    pub(crate) fn wait_list(&self) -> Vec<cl_event> {
        self.0.iter().map(|e| e.get()).collect()
    }
}

/// The raw queue of `queue` (an error on a queue of another API) and what a command must wait
/// for to come after everything enqueued before it: nothing on an in-order queue, a barrier
/// over all earlier commands on an out-of-order one.
pub(crate) fn ordered(queue: &Queue) -> Result<(cl_command_queue, Ordering)> {
    let Some(raw) = queue.cl_queue() else {
        return Err(Error::Unsupported {
            what: "an OpenCL command on a queue of another API".to_string(),
            device: queue.device().to_string(),
        });
    };
    let raw = raw.cl();
    if !queue.is_out_of_order() {
        return Ok((raw.get(), Ordering(None)));
    }
    // SAFETY: an empty wait list asks for a barrier over every earlier command of the queue.
    let barrier = unsafe { raw.enqueue_barrier_with_wait_list(&[]) }
        .map_err(cl("clEnqueueBarrierWithWaitList"))?;
    Ok((raw.get(), Ordering(Some(barrier))))
}
