//! OpenCL through `opencl3`: device discovery, command queues, buffers and
//! the transfers on them, launches.

pub(crate) mod device;
pub(crate) mod event;
pub mod interop;
pub(crate) mod launch;
pub(crate) mod memory;
pub(crate) mod probe;
pub(crate) mod program;
pub(crate) mod queue;
pub(crate) mod status;

pub use status::status_name;
