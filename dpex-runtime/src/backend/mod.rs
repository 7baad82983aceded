//! The driver APIs dpex launches kernels through, one module each; the rest of the runtime
//! holds their objects in enums (`{ OpenCl(..), Vulkan(..) }`) and dispatches on them.
//!
//! - [`opencl`]: OpenCL devices through `opencl3` (SPIR-V `Kernel` modules);
//! - [`vulkan`]: Vulkan compute through `ash` (SPIR-V `Shader` modules, buffer device
//!   addresses, timeline semaphores; the loader is opened at run time, so a machine without one
//!   simply has no Vulkan devices).

pub(crate) mod opencl;
pub(crate) mod vulkan;
