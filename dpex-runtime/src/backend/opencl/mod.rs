//! OpenCL through `opencl3`: device discovery, buffers and the transfers on them.

pub(crate) mod memory;
pub(crate) mod probe;
