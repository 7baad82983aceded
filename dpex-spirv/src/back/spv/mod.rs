//! The SPIR-V writer both flavours share: one [`Emitter`] that lowers the IR, with the few
//! places where OpenCL and Vulkan differ behind [`Flavour`] (see `flavour`).
//!
//! One file per operation family: `types` (type and constant cache), `f16` (half-precision
//! literals), `memory` (parameters, locals, private and work-group arrays, tensor and local
//! memory elements), `tensor` (tensor parameters: their view's values, `len()` and layout),
//! `builtin` (work-item and sub-group built-ins), `expr` (expression dispatch and literals),
//! `arithmetic` (unary and binary operators), `conversion` (`as` casts), `fmod` (Vulkan's exact float `%`), `math` (math
//! functions: `OpenCL.std` for OpenCL, `glsl` for Vulkan, `library` for the functions taken
//! from dpex's IR math library), `control` (structured statements, short-circuit operators,
//! `if` expressions), `function` (kernels, device functions and calls), `atomic` (atomic
//! operations, compare-exchange loops for float arithmetic), `sync` (barriers and fences),
//! `subgroup` (sub-group collectives), `report` (the error record's hidden parameters and
//! failed checks, [`Statement::Fail`](crate::ir::Statement::Fail)), and for the Vulkan
//! flavour `vulkan` (the argument block, the launch-range guard, specialization constants).

mod arithmetic;
mod atomic;
mod builtin;
mod control;
mod conversion;
mod correct_rounding;
mod expr;
mod f16;
mod flavour;
mod fmod;
mod function;
mod glsl;
mod library;
mod math;
mod memory;
mod report;
mod subgroup;
mod sync;
mod tensor;
mod types;
mod vulkan;

use std::collections::BTreeMap;

use rspirv::binary::Assemble;
use rspirv::dr::{self, Builder};
use rspirv::spirv::{Capability, Word};

use super::EmitError;
use crate::check::{LocalOrigins, Owner};
use crate::ir::{FunctionId, Module, Scalar};
pub(super) use flavour::Flavour;
use report::Hidden;

/// What one emission writes: the flavour and its settings.
#[derive(Clone, Copy, Debug)]
pub(super) struct Target {
    /// OpenCL or Vulkan.
    pub flavour: Flavour,
    /// The SPIR-V version asked for (the module may need a later one).
    pub version: (u8, u8),
    /// Whether the driver may contract `a * b + c` (see `opencl::Options::contraction`).
    pub contraction: bool,
}

/// What the Vulkan flavour knows of the module's one kernel before emitting anything.
#[derive(Clone, Copy, Debug)]
pub(super) struct VulkanKernel<'a> {
    /// Its launch interface, which its prologue reads its parameters by.
    pub interface: &'a dpex_abi::vulkan::Interface,
    /// Its parameters.
    pub params: &'a [crate::ir::Param],
    /// The kernel's local accessor each function's local-accessor parameter stands for.
    pub local_origins: &'a LocalOrigins,
}

/// Emits the checked `module` for `target`: device functions first, then the kernels, then
/// the internal helpers they call; returns the module's words and, for OpenCL, each kernel's
/// interface as its parameters were declared (empty for Vulkan). Vulkan needs `vulkan`, what it
/// knows of the kernel.
pub(super) fn emit(
    module: &Module,
    target: Target,
    vulkan: Option<VulkanKernel>,
) -> Result<(Vec<u32>, Vec<dpex_abi::opencl::Kernel>), EmitError> {
    let mut emitter = Emitter::new(target);
    if let Some(kernel) = vulkan {
        emitter.vk.interface = Some(kernel.interface.clone());
        emitter.vk.kernel_params = kernel.params.to_vec();
        emitter.vk.local_origins = kernel.local_origins.clone();
    }
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
    for (index, (f, callee)) in module
        .functions
        .iter()
        .zip(emitter.functions.clone())
        .enumerate()
    {
        emitter
            .function(callee.id, Some(FunctionId(index as u32)), f, hidden)
            .map_err(failed(Owner::Function(f.name.clone())))?;
    }
    for kernel in &module.kernels {
        emitter
            .kernel(kernel)
            .map_err(failed(Owner::Kernel(kernel.name.clone())))?;
    }
    if let Some(id) = emitter.report_helper.take() {
        emitter
            .emit_report_helper(id)
            .map_err(failed(Owner::Function("__dpex_report".into())))?;
    }
    // Helpers may call helpers (a library function may use `%`): emit until none is left.
    while !(emitter.pow_helpers.is_empty()
        && emitter.fmod_helpers.is_empty()
        && emitter.library.is_done())
    {
        for (ty, id) in std::mem::take(&mut emitter.pow_helpers) {
            let helper = math::pow_helper(ty);
            emitter
                .function(id, None, &helper, Hidden::None)
                .map_err(failed(Owner::Function(helper.name.clone())))?;
        }
        for (ty, id) in std::mem::take(&mut emitter.fmod_helpers) {
            let helper = fmod::fmod_helper(ty);
            emitter
                .function(id, None, &helper, Hidden::None)
                .map_err(failed(Owner::Function(helper.name.clone())))?;
        }
        emitter.emit_library_functions()?;
    }
    let kernels = std::mem::take(&mut emitter.opencl_kernels);
    Ok((emitter.finish().assemble(), kernels))
}

/// Turns a [`BuildError`] met while emitting `owner` into an [`EmitError`].
fn failed(owner: Owner) -> impl FnOnce(BuildError) -> EmitError {
    move |error| match error {
        BuildError::Internal(message) => EmitError::Internal { owner, message },
        BuildError::Unsupported(what) => EmitError::Unsupported { owner, what },
    }
}

/// Why the writer stopped.
#[derive(Debug)]
enum BuildError {
    /// An internal failure of the back end (never caused by a checked module).
    Internal(String),
    /// A construct of a checked module that the flavour cannot lower (yet).
    Unsupported(String),
}

impl From<dr::Error> for BuildError {
    fn from(e: dr::Error) -> Self {
        BuildError::Internal(e.to_string())
    }
}

/// Result of the back end's internal steps.
type BuildResult<T> = Result<T, BuildError>;

/// Writes kernels and functions into one SPIR-V module.
struct Emitter {
    /// The rspirv builder holding the module.
    b: Builder,
    /// OpenCL or Vulkan.
    flavour: Flavour,
    /// Types and constants already declared.
    types: types::Cache,
    /// Built-in `Input` variables already declared.
    builtins: builtin::BuiltinVars,
    /// The SPIR-V version asked for.
    version: (u8, u8),
    /// The lowest SPIR-V version the instructions used need.
    min_version: (u8, u8),
    /// Capabilities beyond the fixed ones and those of types, in first-use order.
    capabilities: Vec<Capability>,
    /// The device functions, by [`crate::ir::FunctionId`].
    functions: Vec<Callee>,
    /// The `OpExtInstImport` id of the flavour's extended instruction set (`OpenCL.std` or
    /// `GLSL.std.450`), once a math function needed it.
    ext_inst_set: Option<Word>,
    /// Integer `pow` helper functions called so far, by unsigned operand type; emitted last
    /// (internal helpers: never with the error record's hidden parameters).
    pow_helpers: BTreeMap<Scalar, Word>,
    /// Exact float `%` helper functions (Vulkan) called so far, by type; emitted last.
    fmod_helpers: BTreeMap<Scalar, Word>,
    /// Functions taken from dpex's IR math library, in first-call order; emitted last.
    library: library::Cache,
    /// The id of `__dpex_report`, once a failure needs it (see `report.rs`).
    report_helper: Option<Word>,
    /// Whether the module reports errors: its device functions then take the error record's
    /// hidden parameters, and calls of them pass them on.
    reports_errors: bool,
    /// Whether the driver may contract `a * b + c`.
    contraction: bool,
    /// Module-wide state of the Vulkan flavour (unused by OpenCL).
    vk: vulkan::State,
    /// The OpenCL interface of each kernel emitted so far (empty for Vulkan).
    opencl_kernels: Vec<dpex_abi::opencl::Kernel>,
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
    /// A local accessor: its memory, its element count, its extents and its element type.
    Local(LocalValues),
}

/// Where a local accessor parameter's values live.
#[derive(Clone, Copy, Debug)]
struct LocalValues {
    /// OpenCL: the `Workgroup` pointer to the first element; Vulkan: the module-scope
    /// `Workgroup` variable of its array (in a function: of the kernel's accessor it stands
    /// for).
    ptr: Word,
    /// The `u64` element count.
    len: Word,
    /// The `u64` extents, axis 0 first; the first `dims` are set.
    extents: [Word; MAX_LOCAL_DIMS],
    /// The number of axes, 1 to [`MAX_LOCAL_DIMS`].
    dims: u32,
    /// Element type.
    elem: Scalar,
}

/// The most axes of a local accessor (as SYCL's `local_accessor<T, 3>`).
const MAX_LOCAL_DIMS: usize = 3;

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
    /// from SPIR-V 1.4 on its work-group arrays (and for Vulkan its push constants).
    interface: Vec<Word>,
    /// The error record and linear id, in a kernel or function that reports errors.
    errors: Option<report::ErrorRecord>,
    /// Vulkan: the kernel's argument block and launch range, read at entry.
    launch: Option<vulkan::Launch>,
    /// The device function being emitted (`None` for a kernel or an internal helper).
    function: Option<FunctionId>,
    /// OpenCL: where each of a kernel's parameters starts in its argument list.
    opencl_args: Vec<dpex_abi::opencl::Arg>,
}

impl Emitter {
    fn new(target: Target) -> Self {
        let mut b = Builder::new();
        b.set_version(target.version.0, target.version.1);
        target.flavour.header(&mut b);
        Emitter {
            b,
            flavour: target.flavour,
            types: types::Cache::default(),
            builtins: builtin::BuiltinVars::default(),
            version: target.version,
            min_version: target.version,
            capabilities: Vec::new(),
            functions: Vec::new(),
            ext_inst_set: None,
            pow_helpers: BTreeMap::new(),
            fmod_helpers: BTreeMap::new(),
            library: library::Cache::default(),
            report_helper: None,
            contraction: target.contraction,
            reports_errors: false,
            vk: vulkan::State::default(),
            opencl_kernels: Vec::new(),
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

    /// Asks the Vulkan driver for Rust's float semantics on every float width the module uses:
    /// subnormals kept (`DenormPreserve`; Vulkan may flush them by default) and no
    /// optimization that loses a zero's sign, an infinity or a NaN
    /// (`SignedZeroInfNanPreserve`; NVIDIA's driver turns `-(a - b)` into `b - a` otherwise).
    /// A device without a mode for a width gets the module without it (see
    /// `dpex-runtime`'s `backend::vulkan::float_controls`).
    fn float_controls(&mut self, entry: Word) {
        let widths: Vec<u32> = self.types.float_widths().collect();
        if widths.is_empty() {
            return;
        }
        self.require(Capability::DenormPreserve);
        self.require(Capability::SignedZeroInfNanPreserve);
        for width in widths {
            for mode in [
                rspirv::spirv::ExecutionMode::DenormPreserve,
                rspirv::spirv::ExecutionMode::SignedZeroInfNanPreserve,
            ] {
                self.b.execution_mode(entry, mode, [width]);
            }
        }
    }

    /// Declares the capabilities the used types and instructions need, sets the version and
    /// returns the finished module.
    fn finish(mut self) -> dr::Module {
        if let Some(entry) = self.vk.entry {
            self.float_controls(entry);
        }
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
