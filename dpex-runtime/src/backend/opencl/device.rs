//! An OpenCL device as dpex holds it: its id and the one context shared by all its queues,
//! tensors and programs, created at first use.

use once_cell::sync::OnceCell;
use opencl3::context::Context;
use opencl3::types::cl_device_id;

use super::status::cl;
use crate::device::{Device, DeviceBackend};
use crate::error::{Error, Result};

/// An OpenCL device id and its context.
pub(crate) struct Handle {
    id: opencl3::device::Device,
    context: OnceCell<Context>,
}

impl Handle {
    /// The handle of device `id` (no context yet).
    pub(crate) fn new(id: opencl3::device::Device) -> Handle {
        Handle {
            id,
            context: OnceCell::new(),
        }
    }

    /// The raw device id.
    pub(crate) fn id(&self) -> cl_device_id {
        self.id.id()
    }

    /// The device's context, created at the first call.
    pub(crate) fn context(&self) -> Result<&Context> {
        self.context
            .get_or_try_init(|| Context::from_device(&self.id).map_err(cl("clCreateContext")))
    }

    /// A second handle on the device of `device` (an OpenCL device), with a context of its own:
    /// for tests, a second device.
    #[cfg(test)]
    pub(crate) fn twin(device: &Device) -> Handle {
        Handle::new(opencl3::device::Device::new(id(device)))
    }

    /// A handle on no device, for tests that never call OpenCL.
    #[cfg(test)]
    pub(crate) fn null() -> Handle {
        Handle::new(opencl3::device::Device::new(std::ptr::null_mut()))
    }
}

/// The raw OpenCL device id of `device` (null for a Vulkan device).
pub(crate) fn id(device: &Device) -> cl_device_id {
    match device.backend() {
        DeviceBackend::OpenCl(handle) => handle.id(),
        DeviceBackend::Vulkan(_) => std::ptr::null_mut(),
    }
}

/// The OpenCL context of `device`, created at first use and shared by all its queues
/// ([`Error::Unsupported`] for a Vulkan device).
pub(crate) fn context(device: &Device) -> Result<&Context> {
    match device.backend() {
        DeviceBackend::OpenCl(handle) => handle.context(),
        DeviceBackend::Vulkan(_) => Err(Error::Unsupported {
            what: "an OpenCL context".to_string(),
            device: device.to_string(),
        }),
    }
}
