//! The driver APIs dpex launches kernels through, one module each; the rest of the runtime
//! holds their objects in enums (`{ OpenCl(..), Vulkan(..) }`) and dispatches on them.
//!
//! - [`opencl`]: OpenCL devices (SPIR-V `Kernel` modules), the only module that calls OpenCL;
//! - [`vulkan`]: Vulkan compute through `ash` (SPIR-V `Shader` modules, buffer device
//!   addresses, timeline semaphores; the loader is opened at run time, so a machine without one
//!   simply has no Vulkan devices).

pub(crate) mod opencl;
pub(crate) mod vulkan;
