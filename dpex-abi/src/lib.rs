//! dpex-abi: the vocabulary that the `#[kernel]` macro, the SPIR-V emitter and the runtime share,
//! written once.
//!
//! - [`Scalar`]: the scalar types of the kernel language (the IR's element type and the runtime's
//!   `DType` are this one enum);
//! - [`record`]: the layout of the error record a safe kernel reports failed checks in;
//! - [`opencl`]: how each parameter of a kernel reaches an OpenCL kernel object (its argument
//!   indices), as the emitter declares it and the launcher reads it;
//! - [`vulkan`]: how each parameter of a kernel reaches a Vulkan compute pipeline (the argument
//!   block, push constant and specialization constants), as the emitter declares it and the
//!   launcher reads it.
//!
//! No dependencies: every type can be built in a `static` the macro writes.

#![warn(missing_docs)]

pub mod opencl;
pub mod record;
mod scalar;
pub mod vulkan;

pub use scalar::{local_accessor_type, Scalar};

/// A driver API that dpex emits kernels for and launches them through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Api {
    /// OpenCL (SPIR-V `Kernel` modules, `clCreateProgramWithIL`).
    OpenCl,
    /// Vulkan (SPIR-V `Shader` modules, compute pipelines).
    Vulkan,
}

impl Api {
    /// The name used in device selectors and messages: `opencl`, `vulkan`.
    pub fn name(self) -> &'static str {
        match self {
            Api::OpenCl => "opencl",
            Api::Vulkan => "vulkan",
        }
    }
}

impl std::fmt::Display for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The shape of a kernel parameter, for [`opencl::Interface::layout`] and
/// [`vulkan::Interface::layout`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamShape {
    /// A scalar.
    Scalar,
    /// A tensor of `dims` axes.
    Tensor {
        /// Its number of axes.
        dims: u32,
    },
    /// A local accessor of `dims` axes (1 to 3).
    Local {
        /// Its number of axes.
        dims: u32,
    },
}
