//! In-order command queues on a device; tensors remember theirs, and launches follow the data onto it.

use std::fmt;
use std::sync::Arc;

use opencl3::command_queue::CommandQueue;

use crate::device::Device;
use crate::error::{cl, Result};

/// An in-order OpenCL command queue on a [`Device`], using the device's shared context.
///
/// Cheap to clone: clones are the *same* queue (see [`Queue::same_queue`]).
#[derive(Clone)]
pub struct Queue {
    inner: Arc<QueueInner>,
}

struct QueueInner {
    device: Device,
    queue: CommandQueue,
}

impl Queue {
    /// Creates a new in-order queue on `device`.
    pub fn new(device: &Device) -> Result<Queue> {
        let context = device.context()?;
        // SAFETY: the device is the (only) device of `context`, as the call requires.
        let queue = unsafe { CommandQueue::create_with_properties(context, device.id(), 0, 0) }
            .map_err(cl("clCreateCommandQueueWithProperties"))?;
        Ok(Queue {
            inner: Arc::new(QueueInner {
                device: device.clone(),
                queue,
            }),
        })
    }

    /// A new queue on [`Device::default_device`] (`DPEX_DEVICE`, else a GPU, else a CPU).
    #[allow(clippy::should_implement_trait)]
    pub fn default() -> Result<Queue> {
        Queue::new(&Device::default_device()?)
    }

    /// The queue's device.
    pub fn device(&self) -> &Device {
        &self.inner.device
    }

    /// Blocks until every command enqueued so far has completed.
    pub fn finish(&self) -> Result<()> {
        self.inner.queue.finish().map_err(cl("clFinish"))
    }

    /// Whether `self` and `other` are the same queue (clones of one [`Queue::new`]).
    pub fn same_queue(&self, other: &Queue) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The opencl3 command queue.
    pub(crate) fn cl_queue(&self) -> &CommandQueue {
        &self.inner.queue
    }
}

impl fmt::Debug for Queue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("device", &self.inner.device)
            .field("id", &Arc::as_ptr(&self.inner))
            .finish()
    }
}
