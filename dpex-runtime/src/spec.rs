//! Static descriptions of compiled kernels, embedded by `#[kernel]` as `static` items.

use std::fmt;

use crate::feature::Feature;
use crate::tensor::DType;

/// Everything the runtime needs to know about one compiled kernel.
///
/// `#[kernel]` embeds one of these as a `static`; the launcher passes `&'static KernelSpec`.
#[derive(Debug)]
pub struct KernelSpec {
    /// The kernel's name (its `OpEntryPoint` name in the SPIR-V module).
    pub name: &'static str,
    /// Dimensions of the launch range (1 to 3).
    pub dims: usize,
    /// The SPIR-V module (words).
    pub spirv: &'static [u32],
    /// A hash of the SPIR-V words: the program cache's key (with the device's context).
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
/// ABI: a scalar is one OpenCL kernel argument of its type's size; a tensor is two, the global
/// pointer and then its element count as a `u64`; a local accessor is two, a `__local` pointer
/// (set with `clSetKernelArg(index, len * elem_size, NULL)`) and then its element count as a `u64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamSpecKind {
    /// A scalar passed by value.
    Scalar(DType),
    /// A tensor: `&Tensor<elem>` (`writable: false`) or `&mut Tensor<elem>` (`writable: true`).
    Tensor {
        /// The element type.
        elem: DType,
        /// Whether the parameter is `&mut`.
        writable: bool,
    },
    /// Work-group local memory sized at launch: `LocalAccessor<elem>`.
    Local {
        /// The element type.
        elem: DType,
    },
}

impl fmt::Display for ParamSpecKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamSpecKind::Scalar(dtype) => f.write_str(dtype.name()),
            ParamSpecKind::Tensor {
                elem,
                writable: true,
            } => write!(f, "&mut Tensor<{elem}>"),
            ParamSpecKind::Tensor { elem, .. } => write!(f, "&Tensor<{elem}>"),
            ParamSpecKind::Local { elem } => write!(f, "LocalAccessor<{elem}>"),
        }
    }
}
