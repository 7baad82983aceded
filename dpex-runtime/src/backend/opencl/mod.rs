//! OpenCL through `opencl3`: device discovery, buffers and the transfers on them, launches.

pub(crate) mod launch;
pub(crate) mod memory;
pub(crate) mod probe;
