//! The OpenCL flavour of the SPIR-V back end: `Kernel` entry points, `Physical64` addressing,
//! global buffers as `CrossWorkgroup` pointers, math through `OpenCL.std`. The writer itself
//! is shared with the Vulkan flavour (`back/spv`); this module holds the options and the entry.
//!
//! ```
//! use dpex_spirv::ir::*;
//! use dpex_spirv::{disasm::disassemble, emit_opencl, Options};
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
//! let emitted = emit_opencl(&module, &Options::default())?;
//! let text = disassemble(&emitted.words)?;
//! let fill = &emitted.kernels[0].interface;
//! assert_eq!(fill.params[0], dpex_abi::opencl::Arg::Tensor { index: 0, dims: 1 });
//! assert_eq!(fill.args, 4);
//! assert!(text.contains("OpEntryPoint Kernel"));
//! assert!(text.contains("FuncParamAttr NoAlias"));
//! assert!(text.contains("\"out.stride0\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())

use crate::check::check_module;
use crate::ir::Module;

use super::spv::{self, Flavour, Target};
pub use super::EmitError;

/// Settings of the OpenCL back end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Options {
    /// The SPIR-V version written in the header, `(major, minor)`. Between 1.0 and 1.6; OpenCL
    /// devices taking SPIR-V accept 1.0 and usually up to 1.4.
    pub version: (u8, u8),
    /// Whether the driver may contract `a * b + c` into one fused operation (one rounding
    /// instead of two). `false`, the default, emits `ContractionOff` on every kernel: Rust
    /// never fuses.
    pub contraction: bool,
}

impl Default for Options {
    /// SPIR-V 1.2: taken by OpenCL 2.2+ devices and checked by `spirv-val --target-env opencl2.2`.
    fn default() -> Self {
        Options {
            version: (1, 2),
            contraction: false,
        }
    }
}

/// Emits `module` as one SPIR-V module for OpenCL, one `Kernel` entry point per kernel, with
/// each kernel's [`Interface`](dpex_abi::opencl::Interface): the argument indices of its
/// parameters as the entry point declares them (the ABI of [`dpex_abi::opencl`]).
///
/// The module is checked with [`check_module`] first. Device functions become SPIR-V
/// functions (before the kernels), called with `OpFunctionCall`; only kernels are entry points.
/// Capabilities `Addresses`, `Kernel` and `Int64` are always declared; `Int8`, `Int16`,
/// `Float16` and `Float64` only when the module uses such types (a `bool` kernel parameter is
/// passed as a `u8`, so it needs `Int8`). `OpenCL.std` is imported only when a math function
/// needs it.
///
/// Atomics on 64-bit integers (and on `f64`, through `u64`) add `Int64Atomics`; sub-group
/// built-ins and collectives add `Groups`; shuffles add `GroupNonUniformShuffle` and raise
/// the version to at least SPIR-V 1.3 (see the `subgroup` module). [`crate::required_features`]
/// tells which device features the module needs.
///
/// When the module's kernels have [`Kernel::reports_errors`](crate::ir::Kernel::reports_errors),
/// a reporting kernel takes one more OpenCL argument after all of its own, `dpex.errors`, a
/// `CrossWorkgroup` pointer to the `u64` words of the error record (`NoAlias`), and computes
/// `dpex.work_item`, its global linear id, at entry with OpenCL's convention (dimension 0
/// fastest): `gid(0) + gid(1) * gsize(0) + gid(2) * gsize(0) * gsize(1)`. Every device function
/// takes those two values (pointer, then `u64` id) as two more parameters after its own, and
/// every call passes the caller's. A [`Statement::Fail`](crate::ir::Statement::Fail) claims the
/// record with a 32-bit relaxed, device-scope compare-exchange of the low half of word 0 (the
/// host zeroes the record; devices are little-endian), so reporting needs no `Int64Atomics`;
/// the winner then stores words 1 to 4 with plain stores.
///
/// `Float16` needs a device with `cl_khr_fp16`; `spirv-val --target-env opencl2.2` does not
/// know device extensions and rejects the capability, so modules using `f16` validate only in
/// a universal environment (e.g. `spv1.2`).
pub fn emit_opencl(
    module: &Module,
    options: &Options,
) -> Result<dpex_abi::opencl::Module, EmitError> {
    check_module(module)?;
    let (major, minor) = options.version;
    if major != 1 || minor > 6 {
        return Err(EmitError::UnsupportedVersion { major, minor });
    }
    let (words, kernels) = spv::emit(
        module,
        Target {
            flavour: Flavour::OpenCl,
            version: (major, minor),
            contraction: options.contraction,
        },
        None,
    )?;
    Ok(dpex_abi::opencl::Module {
        words: words.into(),
        kernels: kernels.into(),
    })
}
