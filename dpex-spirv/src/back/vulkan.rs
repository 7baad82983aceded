//! The Vulkan flavour of the SPIR-V back end: one `GLCompute` entry point per module,
//! `PhysicalStorageBuffer64` addressing, parameters read from an argument block whose address
//! is the push constant, math through `GLSL.std.450` and dpex's IR math library. The ABI is
//! [`dpex_abi::vulkan`]; the writer is shared with the OpenCL flavour (`back/spv`).
//!
//! ```
//! use dpex_spirv::ir::*;
//! use dpex_spirv::{disasm::disassemble, emit_vulkan, VulkanOptions};
//! use dpex_abi::vulkan::Slot;
//!
//! // fn fill(item: Item<1>, out: &mut Tensor<u32>) { out[item.get_id(0)] = 7; }
//! let gid = Expr { ty: Scalar::U64, kind: ExprKind::Builtin(Builtin::GlobalId(0)) };
//! let kernel = Kernel {
//!     name: "fill".into(),
//!     dims: 1,
//!     params: vec![Param {
//!         name: "out".into(),
//!         kind: ParamKind::Tensor { elem: Scalar::U32, access: Access::ReadWrite, dims: 1 },
//!     }],
//!     locals: vec![],
//!     workgroup_arrays: vec![],
//!     body: vec![Statement::StoreElement {
//!         memory: Memory::Tensor(ParamId(0)),
//!         index: gid,
//!         value: Expr::literal(Scalar::U32, Literal::Int(7)),
//!     }],
//!     reports_errors: false,
//! };
//! let module = Module { functions: vec![], kernels: vec![kernel] };
//! let vk = emit_vulkan(&module, &VulkanOptions::default())?;
//! assert_eq!(vk.interface.params[0], Slot::Tensor { word: 3, dims: 1 });
//! let text = disassemble(&vk.words)?;
//! assert!(text.contains("OpEntryPoint GLCompute"));
//! assert!(text.contains("OpMemoryModel PhysicalStorageBuffer64 GLSL450"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;

use dpex_abi::vulkan::{Interface, ParamShape};

use super::spv::{self, Flavour, Target};
use super::EmitError;
use crate::check::checked_local_origins;
use crate::ir::{Kernel, Module, ParamKind};
use crate::spirv_hash;

/// The SPIR-V version of every Vulkan module: the highest that Vulkan 1.2 takes, and the
/// first with `PhysicalStorageBufferAddresses` in the core.
pub const VULKAN_SPIRV_VERSION: (u8, u8) = (1, 5);

/// Settings of the Vulkan back end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct VulkanOptions {
    /// Whether the driver may contract `a * b + c` into one fused operation. `false`, the
    /// default, decorates every float `OpFAdd`, `OpFSub` and `OpFMul` `NoContraction`: Rust
    /// never fuses.
    pub contraction: bool,
}

/// The interface of `kernel` as [`Interface::layout`] decides it.
pub fn kernel_interface(kernel: &Kernel) -> Interface {
    let shapes: Vec<ParamShape> = kernel
        .params
        .iter()
        .map(|param| match param.kind {
            ParamKind::Scalar(_) => ParamShape::Scalar,
            ParamKind::Tensor { dims, .. } => ParamShape::Tensor { dims },
            ParamKind::Local { dims, .. } => ParamShape::Local { dims },
        })
        .collect();
    Interface::layout(&shapes, kernel.reports_errors)
}

/// Emits `module`, which holds exactly one kernel, as a Vulkan compute module (SPIR-V 1.5).
///
/// The module is checked with [`check_module`](crate::check::check_module) first. Its interface comes from
/// [`Interface::layout`] (see [`kernel_interface`]), and the kernel reads its parameters by
/// it: the push constant block (a `Block` struct of one `u64` member at offset 0) holds the
/// argument block's address; scalars, tensor views and the error record's address are `u64`
/// words of that block; local accessors are `Workgroup` arrays sized by specialization
/// constants (a device function's local accessor is the kernel's array it stands for, see
/// [`Argument::Local`](crate::ir::Argument::Local), and takes only its extents); the work-group size is the `WorkgroupSize` built-in on three specialization
/// constants. A work-item outside the launch range returns at entry.
///
/// Capabilities `Shader`, `Int64` and `PhysicalStorageBufferAddresses` are always declared;
/// `Int8`, `Int16`, `Float16`, `Float64` when such types are used;
/// `StorageBuffer8BitAccess`/`StorageBuffer16BitAccess` when 8- or 16-bit elements (`bool`
/// is stored as `u8`) live in global memory; `Int64Atomics` for 64-bit atomics;
/// `GroupNonUniform` and `GroupNonUniformArithmetic`/`Ballot`/`Shuffle`/`Vote` for
/// sub-groups. The memory model is `GLSL450`.
///
/// Constructs without a Vulkan lowering yet give [`EmitError::Unsupported`]: the math
/// library's functions (transcendentals, `mul_add`) while the library lacks them, and a
/// `return` inside a loop's continuing block.
pub fn emit_vulkan(
    module: &Module,
    options: &VulkanOptions,
) -> Result<dpex_abi::vulkan::Module, EmitError> {
    let origins = checked_local_origins(module)?;
    let ([kernel], [origins]) = (module.kernels.as_slice(), origins.as_slice()) else {
        return Err(EmitError::KernelCount {
            count: module.kernels.len(),
        });
    };
    let interface = kernel_interface(kernel);
    let (words, _) = spv::emit(
        module,
        Target {
            flavour: Flavour::Vulkan,
            version: VULKAN_SPIRV_VERSION,
            contraction: options.contraction,
        },
        Some(spv::VulkanKernel {
            interface: &interface,
            params: &kernel.params,
            local_origins: origins,
        }),
    )?;
    Ok(dpex_abi::vulkan::Module {
        hash: spirv_hash(&words),
        words: Cow::Owned(words),
        interface,
    })
}
