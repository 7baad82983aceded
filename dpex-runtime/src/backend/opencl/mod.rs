//! OpenCL through `opencl3`: buffers and the transfers on them.

pub(crate) mod memory;
