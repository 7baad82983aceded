//! dpex-spirv: the kernel IR ([`ir`]), its validation ([`check`]) and the SPIR-V back end
//! ([`back`]), plus [`disasm`] for inspecting emitted modules and [`required_features`] for
//! the optional device features a module needs.
//!
//! This crate knows nothing of `syn` or of a driver: the `#[kernel]` macro builds an
//! [`ir::Module`], calls [`emit_opencl`] (and [`emit_vulkan`]), and embeds the returned words
//! and interfaces ([`dpex_abi::opencl`], [`dpex_abi::vulkan`]); the runtime hands the words to
//! the driver and sets the arguments where the interface says. [`validation_env`] names the `spirv-val` environment
//! that checks a module.

#![warn(missing_docs)]

pub mod back;
pub mod check;
pub mod disasm;
mod features;
pub mod ir;
pub mod math;
pub mod proc;
mod validation;

pub use back::opencl::{emit_opencl, Options};
pub use back::vulkan::{emit_vulkan, kernel_interface, VulkanOptions};
pub use back::EmitError;
pub use check::{CheckError, Owner};
pub use features::{required_features, Features};
pub use validation::validation_env;

/// A stable 64-bit FNV-1a hash of SPIR-V words: the same words give the same hash in every
/// build and process, so it can key caches.
pub fn spirv_hash(words: &[u32]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    words
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .fold(OFFSET, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(PRIME)
        })
}
