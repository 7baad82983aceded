//! Raw OpenCL handles of dpex's devices, queues and tensors, for interoperation with other
//! OpenCL code (as dpctl hands out its SYCL handles): extension traits, so that the shared
//! types carry no OpenCL types.
//!
//! ```no_run
//! use dpex_runtime::opencl::{DeviceExt, QueueExt, TensorExt};
//! use dpex_runtime::{Device, Queue, Tensor};
//! # fn main() -> dpex_runtime::Result<()> {
//! let queue = Queue::new(&Device::select("opencl:cpu:0")?)?;
//! let x = Tensor::from_slice(&queue, &[1.0f32, 2.0])?;
//! let (context, commands, mem) = (queue.device().cl_context()?, queue.cl_command_queue(), x.cl_mem());
//! assert!(!context.is_null() && !commands.is_null() && !mem.is_null());
//! # Ok(())
//! # }
//! ```

pub use opencl3::types::{cl_command_queue, cl_context, cl_device_id, cl_mem};

use crate::device::{Device, DeviceBackend};
use crate::error::{Error, Result};
use crate::queue::{Queue, QueueBackend};
use crate::tensor::{Element, Tensor};

/// The OpenCL handles of a [`Device`].
pub trait DeviceExt {
    /// The raw OpenCL device id. Not retained: valid as long as the platform is. Null for a
    /// Vulkan device.
    fn cl_device_id(&self) -> cl_device_id;

    /// The raw OpenCL context of the device (every queue of the device and every tensor on them
    /// belong to it), created at first use. Not retained: valid while this `Device` (or a
    /// clone) lives; retain it to keep it longer. [`Error::Unsupported`] for a Vulkan device.
    fn cl_context(&self) -> Result<cl_context>;
}

impl DeviceExt for Device {
    fn cl_device_id(&self) -> cl_device_id {
        match self.backend() {
            DeviceBackend::OpenCl(handle) => handle.id(),
            DeviceBackend::Vulkan(_) => std::ptr::null_mut(),
        }
    }

    fn cl_context(&self) -> Result<cl_context> {
        match self.backend() {
            DeviceBackend::OpenCl(handle) => Ok(handle.context()?.get()),
            DeviceBackend::Vulkan(_) => Err(Error::Unsupported {
                what: "an OpenCL context".to_string(),
                device: self.to_string(),
            }),
        }
    }
}

/// The OpenCL handle of a [`Queue`].
pub trait QueueExt {
    /// The raw OpenCL command queue (commands enqueued on it are ordered with dpex's launches
    /// like any others). Not retained: valid while this `Queue` (or a clone) lives. Null for a
    /// queue on a Vulkan device.
    fn cl_command_queue(&self) -> cl_command_queue;
}

impl QueueExt for Queue {
    fn cl_command_queue(&self) -> cl_command_queue {
        match self.backend() {
            QueueBackend::OpenCl(queue) => queue.cl().get(),
            QueueBackend::Vulkan(_) => std::ptr::null_mut(),
        }
    }
}

/// The OpenCL handle of a [`Tensor`].
pub trait TensorExt {
    /// The raw OpenCL buffer under this tensor (null for a zero-size one), in the device's
    /// context ([`DeviceExt::cl_context`]); a view's elements start
    /// [`TensorLayout::offset`](crate::TensorLayout::offset) elements into it (see
    /// [`Tensor::layout`]). Not retained: valid while the tensor's buffer lives. Reading or
    /// writing it behind dpex's back is the caller's responsibility (commands on other queues
    /// are not ordered with this tensor's queue). Null for a tensor on a Vulkan device.
    fn cl_mem(&self) -> cl_mem;
}

impl<T: Element, const N: usize> TensorExt for Tensor<T, N> {
    fn cl_mem(&self) -> cl_mem {
        super::memory::raw(self.memory())
    }
}
