//! SPIR-V back ends: each turns a checked [`crate::ir::Module`] into SPIR-V words for one
//! client API ([`opencl`], [`vulkan`]), through one shared writer. Only this module touches
//! `rspirv`.

pub mod opencl;
mod spv;
pub mod vulkan;

use thiserror::Error;

use crate::check::{CheckError, Owner};

/// Why a module could not be emitted.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum EmitError {
    /// The module breaks an IR invariant.
    #[error(transparent)]
    Check(#[from] CheckError),
    /// [`opencl::Options::version`] is not a SPIR-V version this back end writes.
    #[error("SPIR-V version {major}.{minor} is not supported (expected 1.0 to 1.6)")]
    UnsupportedVersion {
        /// Major version asked for.
        major: u8,
        /// Minor version asked for.
        minor: u8,
    },
    /// [`vulkan::emit_vulkan`] was given a module without exactly one kernel (a Vulkan
    /// module has one entry point, whose interface the module describes).
    #[error("a Vulkan module holds exactly one kernel, this one has {count}")]
    KernelCount {
        /// The number of kernels in the module.
        count: usize,
    },
    /// The module uses a construct the target cannot express (yet): the module is valid IR,
    /// but this flavour of the back end has no lowering for it.
    #[error("{owner}: {what}")]
    Unsupported {
        /// The kernel or function using it.
        owner: Owner,
        /// What is not supported, and why.
        what: String,
    },
    /// A bug in the back end: it built an instruction sequence the SPIR-V builder refused.
    #[error("{owner}: internal error in the SPIR-V back end: {message}")]
    Internal {
        /// The kernel or function being emitted.
        owner: Owner,
        /// What went wrong.
        message: String,
    },
}
