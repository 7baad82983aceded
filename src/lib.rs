//! dpex: GPU kernels written as Rust functions, checked and lowered to SPIR-V at `cargo build`,
//! run on OpenCL devices, with compute following data as in numba-dpex and dpctl.
//!
//! ```
//! use dpex::prelude::*;
//!
//! #[kernel]
//! fn saxpy(item: Item<1>, a: f32, x: &Tensor<f32>, y: &mut Tensor<f32>) {
//!     let i = item.get_id(0);
//!     y[i] += a * x[i];
//! }
//!
//! fn main() -> dpex::Result<()> {
//!     let q = Queue::default()?;
//!     let x = Tensor::from_slice(&q, &[1.0f32, 2.0, 3.0])?;
//!     let mut y = Tensor::from_slice(&q, &[10.0f32, 20.0, 30.0])?;
//!     saxpy.launch(Range::new([3]), (2.0, &x, &mut y))?;
//!     assert_eq!(y.to_vec()?, vec![12.0, 24.0, 36.0]);
//!     Ok(())
//! }
//! ```
//!
//! # The kernel language
//! A kernel's first parameter is `Item<N>` (N = 1, 2, 3); the others are scalars by value,
//! `&Tensor<T>` (read) or `&mut Tensor<T>` (write). The body is a restricted Rust subset:
//! scalars, arithmetic with release-build semantics, casts, `if`/`while`/`loop`/`for` over
//! ranges, private arrays, tuples, the float and integer math methods, and device functions
//! ([`func`]). Generic kernels over `T: Float` are instantiated for `f32` and `f64`, over
//! `T: Int` for `i32`, `u32`, `i64` and `u64`. The
//! README lists the subset in full; anything outside it is a compile error at the offending
//! token that says what to write instead.

#![warn(missing_docs)]

mod inspect;
pub mod kernel_api;
pub mod math;

pub use inspect::disassemble;

pub use dpex_abi::Api;
#[doc(hidden)]
pub use dpex_macros::__kernel_step;
pub use dpex_macros::{constant, func, kernel};
pub use dpex_runtime::opencl;
pub use dpex_runtime::{
    assumptions_hold, build_log, build_options, cache_config, set_build_options, set_cache_config,
    CacheConfig,
};
pub use dpex_runtime::{
    cache_stats, device_table, program_builds, AxisSlice, CacheStats, DType, Device, DeviceInfo,
    DeviceType, Element, Error, Event, Feature, IntoShape, KernelSpec, LocalAccessor, NdRange,
    ProfilingInfo, Queue, QueueOptions, Range, Result, Tensor, TensorLayout, WaitMode,
    MAX_WORK_ITEMS,
};
/// Half-precision floats (`half::f16`) for `Tensor<f16>` and f16 kernels.
pub use half::f16;

/// The names a kernel author needs: `use dpex::prelude::*;`.
pub mod prelude {
    pub use crate::kernel_api::{
        atomic_fence, group_barrier, group_barrier_with, AtomicRef, FenceSpace, Float, Group, Int,
        Item, LocalArray, LocalArray2, MemoryOrder, MemoryScope, NdItem, SubGroup,
    };
    pub use crate::{f16, func, kernel};
    pub use crate::{
        AxisSlice, Device, Event, LocalAccessor, NdRange, Queue, QueueOptions, Range, Tensor,
    };
}

/// What `#[kernel]`'s generated code calls; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use dpex_abi::{opencl, vulkan};
    pub use dpex_runtime::{
        all_c_contiguous, launch, launch_after, launch_best, BoundOp, DType, Feature, KernelArg,
        KernelSpec, LocalAccessor, NdRange, Obligation, ParamSpec, ParamSpecKind, Relation,
        TensorLayout,
    };
}
