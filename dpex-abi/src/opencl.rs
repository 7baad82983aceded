//! How a kernel's parameters reach an OpenCL kernel object: the one description that the
//! OpenCL flavour of the SPIR-V emitter writes ([`Interface`], as it declares the entry point's
//! parameters) and the OpenCL launcher reads (`clSetKernelArg` per [`Arg`]).
//!
//! # The ABI
//!
//! A dpex OpenCL module is SPIR-V with one `Kernel` entry point per kernel, `Physical64`
//! addressing and the `OpenCL` memory model. Each kernel parameter becomes one or more kernel
//! arguments, in parameter order:
//!
//! - a scalar is one argument of its type's size (`bool` as a one-byte `u8`, 0 or 1);
//! - a tensor view of `dims` axes is `2 + 2 * dims` arguments: the `CrossWorkgroup` pointer to
//!   the underlying buffer's first element (*not* the view's; null for an empty view), the view's
//!   offset in elements (`u64`), `dims` extents (`u64`, axis 0 first), then `dims` strides in
//!   elements (`i64`). Element `[i0, i1, ...]` is at `base[offset + i0 * stride0 + ...]`;
//! - a local accessor of `dims` axes is `1 + dims`: a `Workgroup` pointer set with a size in
//!   bytes and no value (`clSetKernelArg(index, bytes, NULL)`), then its extents as `u64`s
//!   (axis 0 first; for one axis, its element count). Element `[i0, i1, ...]` is at
//!   `ptr[(i0 * n1 + i1) * n2 + ...]` (row-major);
//! - after them, for a kernel that reports errors, one `CrossWorkgroup` pointer to its error
//!   record ([`crate::record`]).
//!
//! The launch range is OpenCL's own (`clEnqueueNDRangeKernel`), not an argument.

use std::borrow::Cow;

use crate::ParamShape;

/// Where one kernel parameter's values go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arg {
    /// A scalar: one argument of its type's size.
    Scalar {
        /// The argument's index.
        index: u32,
    },
    /// A tensor view: the buffer pointer at `index`, then the offset, `dims` extents and `dims`
    /// strides at the `1 + 2 * dims` indices that follow.
    Tensor {
        /// The index of the pointer argument.
        index: u32,
        /// The number of axes.
        dims: u32,
    },
    /// A local accessor: the `Workgroup` pointer at `index` (a size and no value), its `dims`
    /// `u64` extents at the indices that follow.
    Local {
        /// The index of the pointer argument.
        index: u32,
        /// The number of axes.
        dims: u32,
    },
}

impl Arg {
    /// How many kernel arguments the parameter takes.
    pub fn count(self) -> u32 {
        match self {
            Arg::Scalar { .. } => 1,
            Arg::Tensor { dims, .. } => 2 + 2 * dims,
            Arg::Local { dims, .. } => 1 + dims,
        }
    }
}

/// The launch interface of one kernel of an OpenCL module.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Interface {
    /// One entry per kernel parameter, in parameter order.
    pub params: Cow<'static, [Arg]>,
    /// The index of the error record's pointer, for a kernel that reports errors.
    pub error_record: Option<u32>,
    /// How many arguments the kernel takes in all.
    pub args: u32,
}

/// One kernel of an OpenCL module: its entry point's name and interface.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Kernel {
    /// The `OpEntryPoint` name.
    pub name: Cow<'static, str>,
    /// How its parameters reach it.
    pub interface: Interface,
}

/// A module compiled for OpenCL: its words and the interface of each of its kernels.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Module {
    /// The SPIR-V words.
    pub words: Cow<'static, [u32]>,
    /// One entry per kernel (entry point), in the IR module's order.
    pub kernels: Cow<'static, [Kernel]>,
}

impl Interface {
    /// The interface of a kernel without parameters that reports no errors.
    pub const EMPTY: Interface = Interface {
        params: Cow::Borrowed(&[]),
        error_record: None,
        args: 0,
    };

    /// The interface the emitter writes for a kernel whose parameters have the given shapes,
    /// in order (see the module documentation); for modules written by hand, e.g. in tests.
    pub fn layout(params: &[ParamShape], reports_errors: bool) -> Interface {
        let mut index = 0;
        let params = params
            .iter()
            .map(|shape| {
                let arg = match *shape {
                    ParamShape::Scalar => Arg::Scalar { index },
                    ParamShape::Tensor { dims } => Arg::Tensor { index, dims },
                    ParamShape::Local { dims } => Arg::Local { index, dims },
                };
                index += arg.count();
                arg
            })
            .collect::<Vec<_>>();
        let error_record = reports_errors.then_some(index);
        Interface {
            params: Cow::Owned(params),
            error_record,
            args: index + u32::from(reports_errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_take_consecutive_arguments_then_the_record() {
        let shapes = [
            ParamShape::Scalar,
            ParamShape::Tensor { dims: 2 },
            ParamShape::Local { dims: 1 },
            ParamShape::Scalar,
            ParamShape::Local { dims: 2 },
        ];
        let interface = Interface::layout(&shapes, true);
        assert_eq!(
            &interface.params[..],
            [
                Arg::Scalar { index: 0 },
                Arg::Tensor { index: 1, dims: 2 },
                Arg::Local { index: 7, dims: 1 },
                Arg::Scalar { index: 9 },
                Arg::Local { index: 10, dims: 2 },
            ]
        );
        assert_eq!(interface.error_record, Some(13));
        assert_eq!(interface.args, 14);
        assert_eq!(Interface::layout(&[], false).args, 0);
    }
}
