//! An OpenCL device as dpex holds it: its id and the one context shared by all its queues,
//! tensors and programs, created at first use.

use once_cell::sync::OnceCell;
use opencl3::context::Context;
use opencl3::types::cl_device_id;

use super::status::cl;
use crate::error::Result;

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
}
