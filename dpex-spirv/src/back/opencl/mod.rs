//! The OpenCL flavour of the SPIR-V back end: `Kernel` entry points, `Physical64` addressing,
//! global buffers as `CrossWorkgroup` pointers.
//!
//! One file per operation family: `types` (type and constant cache), `f16` (half-precision
//! literals), `memory` (parameters, locals, private and work-group arrays, tensor and local
//! memory elements), `tensor` (tensor parameters: their view's values, `len()` and layout), `builtin` (work-item and sub-group built-ins), `expr` (expression
//! dispatch and literals), `arithmetic` (unary and binary operators), `conversion` (`as`
//! casts), `math` (math functions via `OpenCL.std`), `control` (structured statements,
//! short-circuit operators, `if` expressions), `function` (kernels, device functions and
//! calls), `atomic` (atomic operations, compare-exchange loops for float arithmetic), `sync`
//! (barriers and fences), `subgroup` (sub-group collectives) and `report` (the error record's
//! hidden parameters and failed checks, [`Statement::Fail`](crate::ir::Statement::Fail)).
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
//! let words = emit_opencl(&module, &Options::default())?;
//! let text = disassemble(&words)?;
//! assert!(text.contains("OpEntryPoint Kernel"));
//! assert!(text.contains("FuncParamAttr NoAlias"));
//! assert!(text.contains("\"out.stride0\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod arithmetic;
mod atomic;
mod builtin;
mod control;
mod conversion;
mod expr;
mod f16;
mod function;
mod math;
mod memory;
mod report;
mod subgroup;
mod sync;
mod tensor;
mod types;

use std::collections::BTreeMap;

use rspirv::binary::Assemble;
use rspirv::dr::{self, Builder};
use rspirv::spirv::{self, Capability, Word};
use thiserror::Error;

use crate::check::{check_module, CheckError, Owner};
use crate::ir::{Module, Scalar};
use report::Hidden;

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

/// Why a module could not be emitted.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum EmitError {
    /// The module breaks an IR invariant.
    #[error(transparent)]
    Check(#[from] CheckError),
    /// [`Options::version`] is not a SPIR-V version this back end writes.
    #[error("SPIR-V version {major}.{minor} is not supported (expected 1.0 to 1.6)")]
    UnsupportedVersion {
        /// Major version asked for.
        major: u8,
        /// Minor version asked for.
        minor: u8,
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

/// Emits `module` as one SPIR-V module for OpenCL, one `Kernel` entry point per kernel.
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
pub fn emit_opencl(module: &Module, options: &Options) -> Result<Vec<u32>, EmitError> {
    check_module(module)?;
    let (major, minor) = options.version;
    if major != 1 || minor > 6 {
        return Err(EmitError::UnsupportedVersion { major, minor });
    }
    let mut emitter = Emitter::new((major, minor));
    emitter.contraction = options.contraction;
    // The check made every kernel agree when the module has functions.
    emitter.reports_errors = module.kernels.iter().any(|k| k.reports_errors);
    let hidden = if emitter.reports_errors {
        Hidden::Function
    } else {
        Hidden::None
    };
    emitter.functions = module
        .functions
        .iter()
        .map(|f| Callee {
            id: emitter.b.id(),
            result: f.result,
        })
        .collect();
    for (f, callee) in module.functions.iter().zip(emitter.functions.clone()) {
        emitter
            .function(callee.id, f, hidden)
            .map_err(internal(Owner::Function(f.name.clone())))?;
    }
    for kernel in &module.kernels {
        emitter
            .kernel(kernel)
            .map_err(internal(Owner::Kernel(kernel.name.clone())))?;
    }
    if let Some(id) = emitter.report_helper.take() {
        emitter
            .emit_report_helper(id)
            .map_err(internal(Owner::Function("__dpex_report".into())))?;
    }
    for (ty, id) in std::mem::take(&mut emitter.pow_helpers) {
        let helper = math::pow_helper(ty);
        emitter
            .function(id, &helper, Hidden::None)
            .map_err(internal(Owner::Function(helper.name.clone())))?;
    }
    Ok(emitter.finish().assemble())
}

/// Turns a [`BuildError`] met while emitting `owner` into an [`EmitError::Internal`].
fn internal(owner: Owner) -> impl FnOnce(BuildError) -> EmitError {
    move |BuildError(message)| EmitError::Internal { owner, message }
}

/// An internal failure of the back end (never caused by a checked module).
#[derive(Debug)]
struct BuildError(String);

impl From<dr::Error> for BuildError {
    fn from(e: dr::Error) -> Self {
        BuildError(e.to_string())
    }
}

/// Result of the back end's internal steps.
type BuildResult<T> = Result<T, BuildError>;

/// Writes kernels and functions into one SPIR-V module.
struct Emitter {
    /// The rspirv builder holding the module.
    b: Builder,
    /// Types and constants already declared.
    types: types::Cache,
    /// Built-in `Input` variables already declared.
    builtins: builtin::BuiltinVars,
    /// The SPIR-V version asked for in [`Options`].
    version: (u8, u8),
    /// The lowest SPIR-V version the instructions used need.
    min_version: (u8, u8),
    /// Capabilities beyond the fixed ones and those of types, in first-use order.
    capabilities: Vec<Capability>,
    /// The device functions, by [`crate::ir::FunctionId`].
    functions: Vec<Callee>,
    /// The `OpExtInstImport "OpenCL.std"` id, once a math function needed it.
    opencl_std: Option<Word>,
    /// Integer `pow` helper functions called so far, by unsigned operand type; emitted last
    /// (internal helpers: never with the error record's hidden parameters).
    pow_helpers: BTreeMap<Scalar, Word>,
    /// The id of `__dpex_report`, once a failure needs it (see `report.rs`).
    report_helper: Option<Word>,
    /// Whether the module reports errors: its device functions then take the error record's
    /// hidden parameters, and calls of them pass them on.
    reports_errors: bool,
    /// [`Options::contraction`].
    contraction: bool,
    /// State of the kernel or function being emitted.
    f: FunctionState,
}

/// What a call needs to know of a device function.
#[derive(Clone, Copy, Debug)]
struct Callee {
    /// The `OpFunction` id.
    id: Word,
    /// Its result type, `None` for `()`.
    result: Option<Scalar>,
}

/// Where a parameter's values live inside the kernel function.
#[derive(Clone, Copy, Debug)]
enum ParamValue {
    /// A scalar: the id of its value (for `bool`, the result of the comparison at entry).
    Scalar(Word),
    /// A tensor: its pointer, offset, extents and strides.
    Tensor(tensor::TensorValues),
    /// A local accessor: its pointer, its element count and its element type.
    Local {
        /// `Workgroup` pointer to the first element.
        ptr: Word,
        /// The `u64` element count.
        len: Word,
        /// Element type.
        elem: Scalar,
    },
}

/// A `Function` variable of an IR local.
#[derive(Clone, Copy, Debug)]
struct LocalVar {
    /// The `OpVariable`.
    var: Word,
    /// Its (element) type.
    ty: Scalar,
}

/// A module-scope `Workgroup` variable of a kernel's work-group array.
#[derive(Clone, Copy, Debug)]
struct WorkgroupVar {
    /// The `OpVariable` (a pointer to an `OpTypeArray`).
    var: Word,
    /// Element type.
    elem: Scalar,
}

/// Ids of the innermost enclosing loop's targets.
#[derive(Clone, Copy, Debug)]
struct LoopTargets {
    /// The loop's merge block (`break`).
    merge: Word,
    /// The loop's continue target (`continue`, end of body).
    continue_target: Word,
    /// Whether some `break` branches to `merge`.
    broken: bool,
    /// Whether some branch reaches `continue_target`.
    continued: bool,
}

/// Per-function state.
#[derive(Debug, Default)]
struct FunctionState {
    /// One entry per IR parameter.
    params: Vec<ParamValue>,
    /// The `Function` variable of each IR local.
    locals: Vec<LocalVar>,
    /// The variables of a kernel's work-group arrays.
    workgroup: Vec<WorkgroupVar>,
    /// Enclosing loops, innermost last.
    loops: Vec<LoopTargets>,
    /// The label of the block being written; `None` after a terminator.
    current: Option<Word>,
    /// Module-scope variables the kernel uses (its entry point interface): built-ins, and
    /// from SPIR-V 1.4 on its work-group arrays.
    interface: Vec<Word>,
    /// The error record and linear id, in a kernel or function that reports errors.
    errors: Option<report::ErrorRecord>,
}

impl Emitter {
    fn new(version: (u8, u8)) -> Self {
        let mut b = Builder::new();
        b.set_version(version.0, version.1);
        b.capability(spirv::Capability::Addresses);
        b.capability(spirv::Capability::Kernel);
        b.capability(spirv::Capability::Int64);
        b.memory_model(
            spirv::AddressingModel::Physical64,
            spirv::MemoryModel::OpenCL,
        );
        Emitter {
            b,
            types: types::Cache::default(),
            builtins: builtin::BuiltinVars::default(),
            version,
            min_version: version,
            capabilities: Vec::new(),
            functions: Vec::new(),
            opencl_std: None,
            pow_helpers: BTreeMap::new(),
            report_helper: None,
            contraction: false,
            reports_errors: false,
            f: FunctionState::default(),
        }
    }

    /// Records that the module needs `capability` (declared once, by [`Self::finish`]).
    fn require(&mut self, capability: Capability) {
        if !self.capabilities.contains(&capability) {
            self.capabilities.push(capability);
        }
    }

    /// Records that the module needs at least SPIR-V `version`.
    fn require_version(&mut self, version: (u8, u8)) {
        self.min_version = self.min_version.max(version);
    }

    /// The version the module is written with so far: the one asked for, or higher if an
    /// instruction needs it.
    fn effective_version(&self) -> (u8, u8) {
        self.version.max(self.min_version)
    }

    /// Declares the capabilities the used types and instructions need, sets the version and
    /// returns the finished module.
    fn finish(mut self) -> dr::Module {
        let types: Vec<Capability> = self.types.capabilities().collect();
        for capability in types
            .into_iter()
            .chain(std::mem::take(&mut self.capabilities))
        {
            self.b.capability(capability);
        }
        let (major, minor) = self.effective_version();
        self.b.set_version(major, minor);
        self.b.module()
    }
}
