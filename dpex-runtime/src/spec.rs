//! Static descriptions of compiled kernels, embedded by `#[kernel]` as `static` items.

use std::fmt;

use crate::assume::Obligation;
use crate::feature::Feature;
use crate::tensor::DType;

/// Everything the runtime needs to know about one compiled kernel.
///
/// `#[kernel]` embeds one of these as a `static`; the launcher passes `&'static KernelSpec`.
///
/// One spec is one compiled module: every instance of a generic kernel (its concrete types and
/// const parameters) and every layout variant (C-contiguous or strided tensors) is its own
/// `KernelSpec` with its own SPIR-V, so the specialization is part of the SPIR-V words and
/// therefore of every program cache key (the in-memory cache's and the on-disk cache's, see
/// [`cache_stats`](crate::cache_stats) and [`CacheConfig`](crate::CacheConfig)).
#[derive(Debug)]
pub struct KernelSpec {
    /// The kernel's name (its `OpEntryPoint` name in the SPIR-V module).
    pub name: &'static str,
    /// Dimensions of the launch range (1 to 3).
    pub dims: usize,
    /// The SPIR-V module (words).
    pub spirv: &'static [u32],
    /// A hash of the SPIR-V words: with the word count, the device's context and the build
    /// options, the in-memory program cache's key. (The on-disk cache hashes the words itself.)
    pub spirv_hash: u64,
    /// The kernel's parameters, in order.
    pub params: &'static [ParamSpec],
    /// Optional device features the kernel uses; a launch on a device without one of them fails
    /// with [`Error::MissingFeature`](crate::Error::MissingFeature) before the program is built.
    pub requires: &'static [Feature],
    /// Bytes of work-group local memory in fixed-size local arrays the kernel declares; with the
    /// [`LocalAccessor`](crate::LocalAccessor) arguments' bytes it must fit
    /// `CL_DEVICE_LOCAL_MEM_SIZE`.
    pub static_local_bytes: usize,
    /// OpenCL build options for this kernel (e.g. `-cl-fast-relaxed-math` for
    /// `#[kernel(fast_math)]`), passed to `clBuildProgram` after the global ones
    /// ([`set_build_options`](crate::set_build_options), `DPEX_BUILD_OPTIONS`); part of every
    /// program cache key. Usually empty.
    pub build_options: &'static str,
    /// True for a safe (checked) kernel that reports failed run-time checks: it takes a pointer
    /// to a 6-word `u64` error record (where [`opencl`](Self::opencl) and the Vulkan interface
    /// say) that the launch allocates and [`Event::wait`](crate::Event::wait) reads back.
    pub reports_errors: bool,
    /// The index checks this variant leaves out, each of which must provably hold at a launch
    /// for the variant to run ([`assumptions_hold`](crate::assumptions_hold)). Empty for every
    /// variant but the one `#[kernel]` emits for launches whose indices it can bound (see
    /// [`launch_best`](crate::launch_best)).
    pub assumes: &'static [Obligation],
    /// How each parameter reaches the kernel in [`spirv`](Self::spirv) on an OpenCL device: its
    /// argument indices, as the emitter declared them ([`dpex_abi::opencl`]); the OpenCL
    /// launcher sets the arguments by it.
    pub opencl: dpex_abi::opencl::Interface,
    /// The same kernel compiled for Vulkan devices, or why the Vulkan flavour of the emitter
    /// could not compile it: a launch on a Vulkan device then fails with
    /// [`Error::NotCompiledForApi`](crate::Error::NotCompiledForApi), naming this reason.
    pub vulkan: Result<dpex_abi::vulkan::Module, &'static str>,
}

/// One kernel parameter as the user wrote it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamSpec {
    /// The parameter's name in the kernel's Rust signature (used in error messages).
    pub name: &'static str,
    /// What the parameter takes.
    pub kind: ParamSpecKind,
}

/// What a kernel parameter takes.
///
/// # Kernel ABI
///
/// A tensor reaches the kernel as the base pointer (or device address) of its underlying buffer
/// (*not* adjusted by the view's offset; null for an empty view), the view's offset in elements
/// as a `u64`, then its `u64` extents (axis 0 first), then its `i64` strides in elements (axis 0
/// first). Element `[i0, i1, ...]` is at `base[offset + i0 * stride0 + i1 * stride1 + ...]`. A
/// scalar is passed by value and a local accessor by its element count. Where each value goes
/// is the module's interface, written by the emitter: [`dpex_abi::opencl`] (kernel arguments)
/// and [`dpex_abi::vulkan`] (an argument block and specialization constants).
///
/// Tensor arguments of any layout are passed this way. A kernel compiled for C-contiguous
/// tensors may ignore the strides (they are the row-major strides of the shape whenever
/// [`all_c_contiguous`](crate::all_c_contiguous) holds for the launch's arguments).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamSpecKind {
    /// A scalar passed by value.
    Scalar(DType),
    /// A tensor: `&Tensor<elem, dims>` (`writable: false`) or `&mut Tensor<elem, dims>`
    /// (`writable: true`).
    Tensor {
        /// The element type.
        elem: DType,
        /// Whether the parameter is `&mut`.
        writable: bool,
        /// The number of axes, 1 to [`MAX_DIMS`](crate::MAX_DIMS); a tensor argument must have
        /// exactly as many.
        dims: usize,
    },
    /// Work-group local memory sized at launch: `LocalAccessor<elem, dims>`.
    Local {
        /// The element type.
        elem: DType,
        /// The number of axes, 1 to [`MAX_LOCAL_DIMS`](crate::MAX_LOCAL_DIMS); a local accessor
        /// argument must have exactly as many.
        dims: usize,
    },
}

/// How a tensor type reads in messages: `&Tensor<f32>` (1-d), `&mut Tensor<f32, 2>`.
pub(crate) fn tensor_type_name(elem: DType, writable: bool, dims: usize) -> String {
    let reference = if writable { "&mut " } else { "&" };
    if dims == 1 {
        format!("{reference}Tensor<{elem}>")
    } else {
        format!("{reference}Tensor<{elem}, {dims}>")
    }
}

impl fmt::Display for ParamSpecKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamSpecKind::Scalar(dtype) => f.write_str(dtype.name()),
            ParamSpecKind::Tensor {
                elem,
                writable,
                dims,
            } => f.write_str(&tensor_type_name(*elem, *writable, *dims)),
            ParamSpecKind::Local { elem, dims } => {
                f.write_str(&dpex_abi::local_accessor_type(*elem, *dims))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tensor_parameters_name_their_axes_beyond_one() {
        let kind = |writable, dims| ParamSpecKind::Tensor {
            elem: DType::F32,
            writable,
            dims,
        };
        assert_eq!(kind(false, 1).to_string(), "&Tensor<f32>");
        assert_eq!(kind(true, 1).to_string(), "&mut Tensor<f32>");
        assert_eq!(kind(false, 2).to_string(), "&Tensor<f32, 2>");
        assert_eq!(kind(true, 4).to_string(), "&mut Tensor<f32, 4>");
        assert_eq!(ParamSpecKind::Scalar(DType::I64).to_string(), "i64");
    }
}
