//! dpex runtime: OpenCL and Vulkan devices, queues, tensors, the per-device program cache and
//! kernel launch.
//!
//! The `#[kernel]` macro embeds each kernel as a [`KernelSpec`] (SPIR-V words plus a parameter
//! list) and generates a typed launcher that calls [`launch`]. Everything here also works by hand:
//!
//! ```no_run
//! use dpex_runtime::{Device, Queue, Tensor};
//! # fn main() -> dpex_runtime::Result<()> {
//! let queue = Queue::new(&Device::select("cpu")?)?;
//! let x = Tensor::from_slice(&queue, &[1.0f32, 2.0, 3.0])?;
//! assert_eq!(x.to_vec()?, vec![1.0, 2.0, 3.0]);
//! // N-d tensors and views that share memory:
//! let m = Tensor::from_fn(&queue, [3, 4], |[i, j]| (10 * i + j) as f32)?;
//! let corner = m.slice([1..3, 2..4])?.transpose();
//! assert_eq!(corner.to_vec()?, vec![12.0, 22.0, 13.0, 23.0]);
//! # Ok(())
//! # }
//! ```
//!
//! A launch takes an optional work-group size (what [`NdRange`] carries), work-group local memory
//! is passed as a [`LocalAccessor`], and the optional device [`Feature`]s a kernel uses are
//! checked against the launch device; every check runs before anything is enqueued.
//!
//! Kernels take tensor views of any layout: each tensor argument reaches the kernel as its
//! buffer's base pointer, offset, extents and strides (the ABI is described at
//! [`ParamSpecKind`]); [`all_c_contiguous`] tells a launcher when the variant compiled for
//! row-major tensors may be used.
//!
//! Tensors are N-d (`Tensor<T, N>`, N = 1 to 4) with strided views that share memory; queues are
//! in-order by default, out-of-order and profiling on request ([`QueueOptions`]); launches can
//! wait on events ([`launch_after`]). [`device_table`] is what `dpex devices` prints.
//!
//! Programs are built at a kernel's first launch on each device and cached in memory
//! (single-flight: one build per kernel, device and build options, however many threads launch
//! at once) and on disk (the device binary, so a later process skips the driver's compile; see
//! [`CacheConfig`]). [`cache_stats`] counts hits, builds and disk hits; [`build_log`] returns the
//! driver's log; build options come from [`set_build_options`] / `DPEX_BUILD_OPTIONS` and each
//! kernel's [`KernelSpec::build_options`]. Environment: `DPEX_CACHE=off`, `DPEX_CACHE_DIR`,
//! `DPEX_CACHE_MAX_BYTES`, `DPEX_BUILD_OPTIONS`, `DPEX_DUMP_SPIRV=<dir>`,
//! `DPEX_VALIDATE_SPIRV=1|<path of spirv-val>` (OpenCL modules against `opencl2.2` or their
//! SPIR-V version, Vulkan modules against `vulkan1.2`), `DPEX_LOG=1` (trace the cache on
//! stderr), `DPEX_VULKAN_STAGING=1` (never map Vulkan tensor memory: every host transfer goes
//! through a staging buffer, as on GPUs whose device memory the host cannot map).
//!
//! Safe kernels come with a variant that leaves out the index checks a launch can prove:
//! [`launch_best`] runs it when [`assumptions_hold`] for the launch's range and arguments (interval
//! arithmetic over the [`Obligation`]s in [`KernelSpec::assumes`]), else the checked variant.
//!
//! For other OpenCL code, the extension traits of [`opencl`] hand out the raw handles:
//! [`DeviceExt::cl_device_id`](opencl::DeviceExt::cl_device_id),
//! [`DeviceExt::cl_context`](opencl::DeviceExt::cl_context),
//! [`QueueExt::cl_command_queue`](opencl::QueueExt::cl_command_queue) and
//! [`TensorExt::cl_mem`](opencl::TensorExt::cl_mem) (null, or [`Error::Unsupported`] for
//! `cl_context`, on Vulkan devices).
//!
//! Devices: every OpenCL device whose driver accepts SPIR-V (`CL_DEVICE_IL_VERSION`) is usable,
//! and every Vulkan device (Vulkan 1.2 or later, through the system's loader, opened at run
//! time) with `bufferDeviceAddress`, `timelineSemaphore`, `shaderInt64` and a compute queue;
//! [`Device::all`] lists the others with the reason. Selectors name the API or not
//! (`vulkan:cpu:0`, `opencl:cpu:0`, `gpu`); `DPEX_DEVICE` sets the default device. A launch on
//! a Vulkan device runs the kernel's Vulkan module ([`KernelSpec::vulkan`], the ABI of
//! [`dpex_abi::vulkan`]): one compute dispatch per launch, recorded into a batch that is
//! submitted at the next sync point (an event's wait, [`Queue::finish`], a copy) or every 64
//! launches; pipelines cached per device and specialization (and on disk as a
//! `VkPipelineCache`); completion on the queue's timeline semaphore.

#![warn(missing_docs)]

mod arg;
mod assume;
mod backend;
mod device;
mod error;
mod error_record;
mod event;
mod feature;
mod launch;
mod local;
mod program;
mod queue;
mod range;
mod registry;
mod selector;
mod spec;
mod table;
mod tensor;
mod validate;

pub use arg::{all_c_contiguous, KernelArg, MemRef};
pub use assume::{assumptions_hold, BoundOp, Obligation, Relation};
pub use backend::opencl::interop as opencl;
pub use backend::opencl::status_name;
pub use backend::vulkan::{FloatControls, VulkanInfo};
pub use device::{Device, DeviceInfo, DeviceType};
pub use error::{Error, Result};
pub use event::{Event, ProfilingInfo};
pub use feature::Feature;
pub use launch::{launch, launch_after, launch_best, launch_on};
pub use local::{LocalAccessor, MAX_LOCAL_DIMS};
pub use program::{
    build_log, build_options, cache_config, cache_stats, program_builds, set_build_options,
    set_cache_config, CacheConfig, CacheStats, DEFAULT_CACHE_MAX_BYTES,
};
pub use queue::{Queue, QueueOptions, WaitMode};
pub use range::{NdRange, Range};
pub use spec::{KernelSpec, ParamSpec, ParamSpecKind};
pub use table::device_table;
pub use tensor::{AxisSlice, DType, Element, IntoShape, Tensor, TensorLayout, MAX_DIMS};
pub use validate::MAX_WORK_ITEMS;

#[cfg(test)]
mod tests {
    fn send_sync<T: Send + Sync>() {}

    #[test]
    fn handles_are_send_and_sync() {
        send_sync::<crate::Device>();
        send_sync::<crate::Queue>();
        send_sync::<crate::Tensor<f32>>();
        send_sync::<crate::Tensor<f64, 4>>();
        send_sync::<crate::Event>();
        send_sync::<crate::KernelArg<'static>>();
        send_sync::<crate::KernelSpec>();
        send_sync::<crate::LocalAccessor<f32>>();
        send_sync::<crate::NdRange<2>>();
    }
}
