//! The errors of IR validation and the [`Owner`] (kernel or function) each one names.

use std::fmt;

use thiserror::Error;

use crate::ir::{MemoryOrder, Scalar};

/// The kernel or device function an error is found in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A kernel, by name.
    Kernel(String),
    /// A device function, by name.
    Function(String),
}

impl Owner {
    /// `"kernel"` or `"function"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Owner::Kernel(_) => "kernel",
            Owner::Function(_) => "function",
        }
    }

    /// The kernel's or function's name.
    pub fn name(&self) -> &str {
        match self {
            Owner::Kernel(name) | Owner::Function(name) => name,
        }
    }
}

impl fmt::Display for Owner {
    /// `` kernel `name` `` or `` function `name` ``.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`", self.kind(), self.name())
    }
}

/// Why a module breaks an IR invariant. Every message names the kernel or function and what
/// is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CheckError {
    /// Two kernels, or two functions, share one name.
    #[error("{owner} is defined twice in one module")]
    DuplicateName {
        /// The repeated kernel or function.
        owner: Owner,
    },
    /// A kernel or function name is not an identifier (`[A-Za-z_][A-Za-z0-9_]*`, not `_`
    /// alone).
    #[error("{owner}: the name is not a valid identifier")]
    InvalidName {
        /// The offending kernel or function.
        owner: Owner,
    },
    /// A kernel's launch range has fewer than 1 or more than 3 dimensions.
    #[error("{owner}: launch range has {dims} dimensions, expected 1, 2 or 3")]
    InvalidDims {
        /// The kernel.
        owner: Owner,
        /// The dimension count found.
        dims: u32,
    },
    /// A [`ParamId`](crate::ir::ParamId) is not an index into the parameters.
    #[error("{owner}: parameter #{param} does not exist (the {} has {count})", owner.kind())]
    UnknownParam {
        /// The kernel or function.
        owner: Owner,
        /// The out-of-range index.
        param: u32,
        /// How many parameters there are.
        count: usize,
    },
    /// A [`LocalId`](crate::ir::LocalId) is not an index into the locals.
    #[error("{owner}: local #{local} does not exist (the {} has {count})", owner.kind())]
    UnknownLocal {
        /// The kernel or function.
        owner: Owner,
        /// The out-of-range index.
        local: u32,
        /// How many locals there are.
        count: usize,
    },
    /// A [`FunctionId`](crate::ir::FunctionId) is not an index into
    /// [`Module::functions`](crate::ir::Module::functions).
    #[error("{owner}: function #{function} does not exist (the module has {count})")]
    UnknownFunction {
        /// The caller.
        owner: Owner,
        /// The out-of-range index.
        function: u32,
        /// How many functions the module has.
        count: usize,
    },
    /// An [`ExprKind::Param`](crate::ir::ExprKind::Param) names a tensor or local accessor
    /// parameter.
    #[error("{owner}: parameter `{param}` is {found}, not a scalar value")]
    NotAScalarParam {
        /// The kernel or function.
        owner: Owner,
        /// The parameter's name.
        param: String,
        /// What the parameter is: "a tensor" or "a local accessor".
        found: &'static str,
    },
    /// A [`Memory::Tensor`](crate::ir::Memory::Tensor) (load, store, `len()`, atomic) or an
    /// [`ExprKind::TensorLayout`](crate::ir::ExprKind::TensorLayout) names a parameter that is
    /// not a tensor.
    #[error("{owner}: `{operation}` needs a tensor, but parameter `{param}` is {found}")]
    NotATensor {
        /// The kernel or function.
        owner: Owner,
        /// The parameter's name.
        param: String,
        /// What was attempted (`load`, `store`, `len`, `atomic`, `layout`).
        operation: &'static str,
        /// What the parameter is: "a scalar" or "a local accessor".
        found: &'static str,
    },
    /// A [`Memory::Local`](crate::ir::Memory::Local) names a parameter that is not a
    /// [`ParamKind::Local`](crate::ir::ParamKind::Local).
    #[error("{owner}: `{operation}` needs a local accessor, but parameter `{param}` is {found}")]
    NotALocalAccessor {
        /// The kernel.
        owner: Owner,
        /// The parameter's name.
        param: String,
        /// What was attempted (`load`, `store`, `len`, `atomic`, `extent`).
        operation: &'static str,
        /// What the parameter is: "a scalar" or "a tensor".
        found: &'static str,
    },
    /// A local accessor passed for a local-accessor parameter of another element type or
    /// number of axes.
    #[error(
        "{owner}: `{callee}` takes `{param}` as a `{}`, but local accessor `{local}` is a `{}`",
        dpex_abi::local_accessor_type(types[0].0, types[0].1 as usize),
        dpex_abi::local_accessor_type(types[1].0, types[1].1 as usize)
    )]
    LocalAccessorMismatch {
        /// The caller.
        owner: Owner,
        /// The function called.
        callee: String,
        /// The callee's parameter.
        param: String,
        /// The caller's local accessor passed to it.
        local: String,
        /// The parameter's element type and number of axes, then the accessor's.
        types: Box<[(Scalar, u32); 2]>,
    },
    /// Within the calls one kernel makes, a function's local-accessor parameter stands for two
    /// of the kernel's local accessors (see [`Argument::Local`](crate::ir::Argument::Local)).
    #[error(
        "{owner}: the local accessor `{param}` of `{function}` stands for both `{}` and `{}`; a \
         function takes one kernel's accessor per parameter (call another function for the \
         other accessor)",
        accessors[0],
        accessors[1]
    )]
    LocalAccessorOrigins {
        /// The kernel.
        owner: Owner,
        /// The function.
        function: String,
        /// Its local-accessor parameter.
        param: String,
        /// The kernel's accessor passed for it first, and the other one.
        accessors: Box<[String; 2]>,
    },
    /// A tensor parameter with fewer than 1 or more than
    /// [`MAX_TENSOR_DIMS`](super::MAX_TENSOR_DIMS) axes.
    #[error("{owner}: tensor `{param}` has {dims} axes, expected 1 to {max}", max = super::MAX_TENSOR_DIMS)]
    InvalidTensorDims {
        /// The kernel or function.
        owner: Owner,
        /// The parameter's name.
        param: String,
        /// The axis count found.
        dims: u32,
    },
    /// An [`ExprKind::TensorLayout`](crate::ir::ExprKind::TensorLayout) reads the extent or
    /// stride of an axis the tensor does not have (or an
    /// [`ExprKind::LocalExtent`](crate::ir::ExprKind::LocalExtent) an axis the local accessor
    /// does not have).
    #[error("{owner}: `{field}({axis})` of `{param}`, which has {dims} axes")]
    LayoutAxisOutOfRange {
        /// The kernel or function.
        owner: Owner,
        /// The tensor parameter's name.
        param: String,
        /// `shape` or `stride`.
        field: &'static str,
        /// The axis asked for.
        axis: u32,
        /// The tensor's axis count.
        dims: u32,
    },
    /// A tensor passed to a function parameter with another number of axes.
    #[error(
        "{owner}: `{callee}` takes `{param}` with {expected} axes, but tensor `{tensor}` has \
         {found}"
    )]
    TensorDimsMismatch {
        /// The caller.
        owner: Owner,
        /// The function called.
        callee: String,
        /// The callee's parameter.
        param: String,
        /// The caller's tensor passed to it.
        tensor: String,
        /// The parameter's axis count.
        expected: u32,
        /// The tensor's axis count.
        found: u32,
    },
    /// A [`WorkgroupArrayId`](crate::ir::WorkgroupArrayId) is not an index into the kernel's
    /// work-group arrays (functions have none).
    #[error(
        "{owner}: work-group array #{array} does not exist (the {} has {count})",
        owner.kind()
    )]
    UnknownWorkgroupArray {
        /// The kernel or function.
        owner: Owner,
        /// The out-of-range index.
        array: u32,
        /// How many work-group arrays there are.
        count: usize,
    },
    /// A work-group array of length 0.
    #[error("{owner}: work-group array `{array}` has length 0")]
    EmptyWorkgroupArray {
        /// The kernel.
        owner: Owner,
        /// The array's name.
        array: String,
    },
    /// [`ExprKind::Len`](crate::ir::ExprKind::Len) of an array (private or work-group): only
    /// tensors and local accessors have a run-time length.
    #[error("{owner}: `len` needs a tensor or a local accessor, but `{name}` is {found}")]
    LenOfArray {
        /// The kernel or function.
        owner: Owner,
        /// The array's name.
        name: String,
        /// "a private array" or "a work-group array".
        found: &'static str,
    },
    /// An atomic operation on a private array: atomics need a tensor or local memory.
    #[error(
        "{owner}: atomic `{op}` on private array `{local}`; atomics need a tensor or local memory"
    )]
    AtomicOnPrivate {
        /// The kernel or function.
        owner: Owner,
        /// The operation's name.
        op: &'static str,
        /// The array local's name.
        local: String,
    },
    /// An atomic operation on an element type it is not defined on (e.g. `fetch_and` on
    /// `f32`, anything on `u8`).
    #[error("{owner}: atomic `{op}` is not defined on `{ty}`")]
    InvalidAtomicType {
        /// The kernel or function.
        owner: Owner,
        /// The operation's name.
        op: &'static str,
        /// The element type.
        ty: Scalar,
    },
    /// An atomic operation with the wrong number of operands.
    #[error("{owner}: atomic `{op}` takes {expected} operand(s), {found} given")]
    AtomicOperandCount {
        /// The kernel or function.
        owner: Owner,
        /// The operation's name.
        op: &'static str,
        /// Its operand count.
        expected: usize,
        /// The operand count found.
        found: usize,
    },
    /// A memory order an atomic operation cannot have: `load` with `Release`/`AcqRel`,
    /// `store` with `Acquire`/`AcqRel`.
    #[error("{owner}: atomic `{op}` cannot have memory order {order:?}")]
    InvalidAtomicOrder {
        /// The kernel or function.
        owner: Owner,
        /// The operation's name.
        op: &'static str,
        /// The order given.
        order: MemoryOrder,
    },
    /// A fence with [`MemoryOrder::Relaxed`], which orders nothing.
    #[error("{owner}: a fence cannot be `Relaxed`")]
    RelaxedFence {
        /// The kernel or function.
        owner: Owner,
    },
    /// A sub-group operation on a type it is not defined on (e.g. a reduction of `bool`).
    #[error("{owner}: sub-group `{op}` is not defined on `{ty}`")]
    InvalidSubGroupOperand {
        /// The kernel or function.
        owner: Owner,
        /// The operation's name.
        op: &'static str,
        /// The operand type.
        ty: Scalar,
    },
    /// A store to a tensor passed as `&Tensor` ([`Access::Read`](crate::ir::Access::Read)).
    #[error("{owner}: cannot store to `{param}`, a read-only tensor (`&Tensor`)")]
    StoreToReadOnly {
        /// The kernel or function.
        owner: Owner,
        /// The parameter's name.
        param: String,
    },
    /// A read-only tensor passed where the callee takes `&mut Tensor`.
    #[error(
        "{owner}: `{callee}` takes `{param}` as `&mut Tensor`, but `{tensor}` is read-only \
         (`&Tensor`)"
    )]
    ReadOnlyArgument {
        /// The caller.
        owner: Owner,
        /// The function called.
        callee: String,
        /// The callee's parameter.
        param: String,
        /// The caller's tensor passed to it.
        tensor: String,
    },
    /// A local used as the wrong kind: an array read or assigned as a scalar, or a scalar
    /// indexed as an array.
    #[error("{owner}: local `{local}` is {found}, but {operation} needs {expected}")]
    LocalKind {
        /// The kernel or function.
        owner: Owner,
        /// The local's name.
        local: String,
        /// What was attempted (e.g. "an element store").
        operation: &'static str,
        /// What the operation needs: "an array" or "a scalar".
        expected: &'static str,
        /// What the local is: "an array" or "a scalar".
        found: &'static str,
    },
    /// A private array of length 0.
    #[error("{owner}: array local `{local}` has length 0")]
    EmptyArray {
        /// The kernel or function.
        owner: Owner,
        /// The local's name.
        local: String,
    },
    /// A call or math function with the wrong number of arguments.
    #[error("{owner}: `{callee}` takes {expected} argument(s), {found} given")]
    ArgumentCount {
        /// The caller.
        owner: Owner,
        /// The function called (a device function or a math method).
        callee: String,
        /// Its parameter count.
        expected: usize,
        /// The argument count found.
        found: usize,
    },
    /// An argument of another kind than its parameter: a value for a tensor or a local
    /// accessor, a tensor for a scalar or a local accessor, ...
    #[error("{owner}: `{callee}` takes `{param}` as {expected}, but {found} is passed")]
    ArgumentKind {
        /// The caller.
        owner: Owner,
        /// The function called.
        callee: String,
        /// The callee's parameter.
        param: String,
        /// What the parameter is: "a tensor", "a local accessor" or "a value".
        expected: &'static str,
        /// What is passed: "a value", "tensor `x`", "local accessor `acc`" or "scalar
        /// parameter `a`" (with " as a tensor" / " as a local accessor" when the argument's
        /// kind is not the parameter's: `Argument::Tensor` of a local accessor).
        found: String,
    },
    /// Device functions call each other in a cycle.
    #[error(
        "recursion is not supported on devices: {}",
        cycle.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(" calls ")
    )]
    Recursion {
        /// The functions of the cycle in call order; the first one is repeated at the end.
        cycle: Vec<String>,
    },
    /// A call used as a value of a function that returns `()`.
    #[error("{owner}: `{callee}` returns `()`, so its call has no value")]
    CallWithoutResult {
        /// The caller.
        owner: Owner,
        /// The function called.
        callee: String,
    },
    /// `return value` in a kernel or in a function returning `()`.
    #[error("{owner}: `return` with a value, but the {} returns `()`", owner.kind())]
    UnexpectedReturnValue {
        /// The kernel or function.
        owner: Owner,
    },
    /// `return` without a value in a function with a result.
    #[error("{owner}: `return` without a value, but the function returns `{result}`")]
    MissingReturnValue {
        /// The function.
        owner: Owner,
        /// Its result type.
        result: Scalar,
    },
    /// A function with a result whose body may end without a `return value` (see
    /// [`check_module`](super::check_module) for the rule).
    #[error("{owner}: the body may end without returning a `{result}`")]
    MissingReturn {
        /// The function.
        owner: Owner,
        /// Its result type.
        result: Scalar,
    },
    /// A value has another type than its position requires.
    #[error("{owner}: {what} has type `{found}`, expected {expected}")]
    TypeMismatch {
        /// The kernel or function.
        owner: Owner,
        /// Which value (e.g. "the index of a load from `x`").
        what: String,
        /// The type or types allowed there.
        expected: String,
        /// The type found.
        found: Scalar,
    },
    /// An operator is applied to a type it is not defined on (e.g. `-` on `u32`).
    #[error("{owner}: operator `{op}` is not defined on `{ty}`")]
    InvalidOperand {
        /// The kernel or function.
        owner: Owner,
        /// The operator, spelled as in Rust.
        op: &'static str,
        /// The operand type.
        ty: Scalar,
    },
    /// A math method called on a type that does not have it (e.g. `abs` on `u32`).
    #[error("{owner}: `{function}` is not defined on `{ty}`")]
    InvalidMathOperand {
        /// The kernel or function.
        owner: Owner,
        /// The method's Rust name.
        function: &'static str,
        /// The type of the first operand.
        ty: Scalar,
    },
    /// An `as` cast Rust does not allow (a number to `bool`, `bool` to a float).
    #[error("{owner}: cannot cast `{from}` to `{to}`")]
    InvalidCast {
        /// The kernel or function.
        owner: Owner,
        /// Source type.
        from: Scalar,
        /// Target type.
        to: Scalar,
    },
    /// A literal whose kind or value does not fit its type.
    #[error("{owner}: literal {literal} is not a valid `{ty}`")]
    InvalidLiteral {
        /// The kernel or function.
        owner: Owner,
        /// The literal, debug-formatted.
        literal: String,
        /// The literal's stated type.
        ty: Scalar,
    },
    /// A built-in reads a dimension the launch range does not have.
    #[error("{owner}: {builtin}({dim}) used in a {dims}-dimensional kernel")]
    BuiltinDimOutOfRange {
        /// The kernel.
        owner: Owner,
        /// The built-in's name.
        builtin: &'static str,
        /// The dimension asked for.
        dim: u32,
        /// The kernel's dimension count.
        dims: u32,
    },
    /// A launch size (global size, group count) read in a device function, or any built-in in
    /// a module without kernels: functions have no launch of their own (pass the value as a
    /// parameter).
    #[error("{owner}: {builtin} can only be read in a kernel; pass it as a parameter")]
    BuiltinInFunction {
        /// The function.
        owner: Owner,
        /// The built-in's name.
        builtin: &'static str,
    },
    /// A [`Statement::Fail`](crate::ir::Statement::Fail) in a module whose kernel does not
    /// have [`Kernel::reports_errors`](crate::ir::Kernel::reports_errors): there is no error
    /// record to write to.
    #[error("{owner}: a failed check is reported, but the kernel does not report errors (`reports_errors` is false)")]
    FailWithoutErrorRecord {
        /// The kernel or function holding the `Fail`.
        owner: Owner,
    },
    /// The kernels of a module with device functions disagree on
    /// [`Kernel::reports_errors`](crate::ir::Kernel::reports_errors): the functions, shared by
    /// all kernels, either all take the error record's hidden parameters or none does.
    #[error("{owner}: `reports_errors` differs from the module's first kernel, and the kernels share device functions")]
    MixedErrorReporting {
        /// The first kernel that differs from the module's first kernel.
        owner: Owner,
    },
    /// A `break` or `continue` outside every loop body.
    #[error("{owner}: `{jump}` outside of a loop")]
    JumpOutsideLoop {
        /// The kernel or function.
        owner: Owner,
        /// `break` or `continue`.
        jump: &'static str,
    },
    /// A `break` or `continue` in a loop's `continuing` block.
    #[error("{owner}: `{jump}` in the continuing block of a loop")]
    JumpInContinuing {
        /// The kernel or function.
        owner: Owner,
        /// `break` or `continue`.
        jump: &'static str,
    },
}
