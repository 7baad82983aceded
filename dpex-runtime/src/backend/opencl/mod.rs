//! OpenCL through `opencl3`, the only module that uses it: device discovery, the device's
//! context, command queues, events, buffers and the transfers on them, programs and their
//! kernel objects, launches following the ABI of [`dpex_abi::opencl`], status names, and the
//! raw handles for interoperation ([`interop`], public as `dpex_runtime::opencl`).

pub(crate) mod device;
pub(crate) mod event;
pub mod interop;
mod launch;
pub(crate) mod memory;
pub(crate) mod probe;
pub(crate) mod program;
pub(crate) mod queue;
pub(crate) mod status;

pub(crate) use launch::enqueue;
pub use status::status_name;
