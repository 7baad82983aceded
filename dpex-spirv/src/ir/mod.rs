//! The typed, structured kernel IR: what the `#[kernel]` macro produces and the back ends consume.
//!
//! A [`Module`] holds [`Kernel`]s. A kernel has typed parameters, typed mutable locals and a body
//! made of structured statements ([`Statement`]) over typed expression trees ([`Expr`]). There is
//! no unstructured control flow: every loop is a [`Statement::Loop`], every branch an
//! [`Statement::If`], so a back end can emit structured SPIR-V (merge instructions) directly.
//!
//! Invariants (checked by [`crate::check`]):
//! - every [`ParamId`] and [`LocalId`] indexes the kernel's `params` / `locals`;
//! - every expression's `ty` is the type its operation produces from its operands (see each
//!   [`ExprKind`] variant);
//! - [`Statement::Break`] and [`Statement::Continue`] appear only inside a loop body, and
//!   `Continue` not inside a loop's `continuing` block;
//! - [`Builtin`] dimensions are below the kernel's `dims`.
//!
//! Every type here is `Hash + Eq`, so a module can serve as (part of) a cache key.

pub use dpex_abi::record::Check;
pub use dpex_abi::Scalar;

/// A SPIR-V storage class, as the IR names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressSpace {
    /// Private to one work-item, on the function's stack (`Function`).
    Function,
    /// Global memory shared by all work-items (`CrossWorkgroup`, OpenCL `__global`).
    CrossWorkgroup,
    /// Memory shared by one work-group (`Workgroup`, OpenCL `__local`).
    Workgroup,
    /// Read-only built-in inputs such as the global id (`Input`).
    Input,
}

/// A type of a value or of a kernel parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// A scalar.
    Scalar(Scalar),
    /// A pointer to scalars in an address space.
    Pointer {
        /// Type of the pointed-to elements.
        pointee: Scalar,
        /// Where the elements live.
        space: AddressSpace,
    },
}

/// A whole compilation unit.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Module {
    /// Device functions that kernels and other functions call, indexed by [`FunctionId`].
    /// The call graph has no cycles (recursion is rejected before the IR is built).
    pub functions: Vec<Function>,
    /// The kernels, each an OpenCL entry point.
    pub kernels: Vec<Kernel>,
}

/// Index of a device function in [`Module::functions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FunctionId(pub u32);

/// A device function: called by kernels and by other functions, never launched.
///
/// Its parameters follow the same conventions as a kernel's ([`ParamKind`]), except that a
/// `bool` scalar is passed as a `bool`. A [`ParamKind::Local`] parameter is work-group memory
/// of one kernel: within the calls a kernel makes (directly or through functions passing their
/// own accessors on), it always stands for the same local accessor of that kernel (the checker
/// enforces it; the Vulkan flavour relies on it, see [`Argument::Local`]). Its body ends every
/// path with
/// [`Statement::ReturnValue`] when `result` is `Some`, or may fall off the end when it is
/// `None` ([`Statement::Return`] leaves early).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Function {
    /// The function's name (unique in the module; used for debug names).
    pub name: String,
    /// Parameters in declaration order.
    pub params: Vec<Param>,
    /// The type of the returned value, `None` for functions that return `()`.
    pub result: Option<Scalar>,
    /// Local variables, indexed by [`LocalId`] within this function.
    pub locals: Vec<Local>,
    /// The statements of the function.
    pub body: Block,
}

/// One kernel: an entry point launched over an N-dimensional range.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Kernel {
    /// Entry point name (the Rust function's name).
    pub name: String,
    /// Number of dimensions of the launch range (1, 2 or 3): the `N` of `Item<N>`.
    pub dims: u32,
    /// Parameters in declaration order (the `Item<N>` parameter is not one of them).
    pub params: Vec<Param>,
    /// Mutable and immutable local variables, indexed by [`LocalId`]. Each is a `Function`
    /// variable, assigned before it is read.
    pub locals: Vec<Local>,
    /// Fixed-size arrays in work-group local memory (`LocalArray::<f32, 256>::new(&group)`),
    /// indexed by [`WorkgroupArrayId`]: one per work-group, shared by its work-items,
    /// uninitialized at the start of the kernel.
    pub workgroup_arrays: Vec<WorkgroupArray>,
    /// The statements executed by every work-item.
    pub body: Block,
    /// True when the kernel reports run-time errors ([`Statement::Fail`]): it then takes one
    /// more OpenCL argument after all others, a `CrossWorkgroup` pointer to an error record of
    /// [`ERROR_RECORD_WORDS`] `u64` words, and every device function of the module takes two
    /// more parameters after its own: that pointer and the work-item's global linear id (`u64`).
    pub reports_errors: bool,
}

/// Size of the error record, in `u64` words (its layout: [`dpex_abi::record`]).
pub const ERROR_RECORD_WORDS: u32 = dpex_abi::record::WORDS;

/// Index of a work-group array in [`Kernel::workgroup_arrays`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkgroupArrayId(pub u32);

/// A fixed-size array in work-group local memory.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WorkgroupArray {
    /// The name the user gave it.
    pub name: String,
    /// Element type.
    pub elem: Scalar,
    /// Number of elements (at least 1; a 2-d array is stored row-major).
    pub len: u32,
}

/// Index of a parameter in [`Kernel::params`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamId(pub u32);

/// Index of a local in [`Kernel::locals`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);

/// A kernel parameter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Param {
    /// The name the user gave it (used in error messages and debug names).
    pub name: String,
    /// What is passed.
    pub kind: ParamKind,
}

/// How a parameter is passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamKind {
    /// A scalar passed by value. A `bool` is passed as a `u8` (OpenCL kernels cannot take
    /// `bool` arguments) and compared with zero on entry.
    Scalar(Scalar),
    /// An N-d view of a buffer in global memory (N = `dims`, 1 to 4). It takes `2 + 2 * dims`
    /// OpenCL kernel arguments, in this order: a `CrossWorkgroup` pointer to the buffer's first
    /// element (not the view's), the view's offset in elements as a `u64`, its shape as `dims`
    /// `u64`s (axis 0 first), and its strides in elements as `dims` `i64`s. Elements are read
    /// and written through [`Memory::Tensor`] at indices relative to the pointer, which the
    /// front end computes from [`ExprKind::TensorLayout`].
    Tensor {
        /// Element type.
        elem: Scalar,
        /// Whether the kernel may write it.
        access: Access,
        /// Number of axes, 1 to 4.
        dims: u32,
    },
    /// Work-group local memory sized at launch (`LocalAccessor<T, N>`), stored row-major:
    /// `1 + dims` OpenCL kernel arguments, a `Workgroup` pointer (set with a size and no value)
    /// and the extents as `u64`s, axis 0 first (for one axis, the element count). Element
    /// `[i0, i1, ...]` is at index `(i0 * n1 + i1) * n2 + ...`, which the front end computes
    /// from [`ExprKind::LocalExtent`]. A device function's local accessor is passed the same
    /// way (a `Workgroup` pointer and the extents), except in the Vulkan flavour, where it is
    /// the kernel's accessor it stands for (see [`Argument::Local`]).
    Local {
        /// Element type.
        elem: Scalar,
        /// Number of axes, 1 to 3.
        dims: u32,
    },
}

/// Memory that [`ExprKind::Element`], [`Statement::StoreElement`] and atomics address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Memory {
    /// A [`ParamKind::Tensor`] parameter (global memory).
    Tensor(ParamId),
    /// A [`ParamKind::Local`] parameter (work-group local memory).
    Local(ParamId),
    /// A [`WorkgroupArray`] of the kernel (work-group local memory).
    Workgroup(WorkgroupArrayId),
    /// A private array local (`Local::array_len` is `Some`), in `Function` storage.
    Private(LocalId),
}

/// What a kernel may do with a tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// `&Tensor<T>`: loads only.
    Read,
    /// `&mut Tensor<T>`: loads and stores; no other parameter aliases it.
    ReadWrite,
}

/// A local variable.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Local {
    /// The name the user gave it (shadowed names appear several times).
    pub name: String,
    /// Its element type (the type itself for a scalar local).
    pub ty: Scalar,
    /// `Some(n)` for a private array of `n` elements (`let a = [0.0f32; n];`), in `Function`
    /// storage; read with [`ExprKind::Element`] and written with [`Statement::StoreElement`]
    /// through [`Memory::Private`]. `None` for a scalar, read with [`ExprKind::Local`] and
    /// written with [`Statement::Assign`]. `n` is at least 1.
    pub array_len: Option<u32>,
}

/// A sequence of statements executed in order.
pub type Block = Vec<Statement>;

/// A statement. Statements after a `Break`, `Continue` or `Return` in the same block never run;
/// back ends may drop them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Statement {
    /// `local = value`. `value.ty` equals the local's type.
    Assign {
        /// The local written.
        local: LocalId,
        /// The new value.
        value: Expr,
    },
    /// `memory[index] = value`: `index.ty` is [`Scalar::U64`] and `value.ty` the element
    /// type; a tensor must be [`Access::ReadWrite`]. Indices of private and work-group arrays
    /// are below their length (the front end guarantees it, or checks it first).
    StoreElement {
        /// The memory written.
        memory: Memory,
        /// Element index.
        index: Expr,
        /// The value stored.
        value: Expr,
    },
    /// An atomic store of `value` into `memory[index]` (a tensor or local memory).
    AtomicStore {
        /// The memory written.
        memory: Memory,
        /// Element index, [`Scalar::U64`].
        index: Expr,
        /// The value stored.
        value: Expr,
        /// Memory order ([`MemoryOrder::Relaxed`], [`MemoryOrder::Release`] or
        /// [`MemoryOrder::SeqCst`]).
        order: MemoryOrder,
        /// Which work-items it synchronizes with.
        scope: Scope,
    },
    /// A work-group barrier: every work-item of the group waits here until all have arrived,
    /// with acquire-release ordering of the memory in `fence`. Every work-item of the group
    /// must execute the same barrier (the front end rejects barriers under conditions it can
    /// tell are not uniform).
    Barrier {
        /// The memory the barrier orders.
        fence: FenceSpaces,
    },
    /// A memory fence (`atomic_fence`) on global and local memory.
    Fence {
        /// Memory order (not [`MemoryOrder::Relaxed`]).
        order: MemoryOrder,
        /// Which work-items it orders with.
        scope: Scope,
    },
    /// A call whose result, if any, is not used.
    Call {
        /// The function called.
        function: FunctionId,
        /// The arguments, one per parameter of the function.
        args: Vec<Argument>,
    },
    /// `if condition { accept } else { reject }`; `condition.ty` is [`Scalar::Bool`].
    If {
        /// The condition.
        condition: Expr,
        /// Runs when the condition is true.
        accept: Block,
        /// Runs when the condition is false (often empty).
        reject: Block,
    },
    /// A loop: runs `body`, then `continuing`, then starts over, until a `Break` in `body`
    /// leaves it. `Continue` in `body` jumps to `continuing`. A `for` loop puts its bound check
    /// (`if !(i < end) { break }`) first in `body` and its increment in `continuing`.
    Loop {
        /// The loop body.
        body: Block,
        /// Runs after every iteration of `body` that did not break (the SPIR-V continue
        /// construct). It holds no `Break` or `Continue`.
        continuing: Block,
        /// A hint: the loop runs a few times, known at compile time (a `for` over a range of
        /// literals, `for j in 0..8`), and unrolling it pays (private arrays it indexes can
        /// then live in registers); the back end passes it on as `LoopControl::Unroll`.
        unroll: bool,
    },
    /// Leaves the innermost enclosing loop.
    Break,
    /// Jumps to the `continuing` block of the innermost enclosing loop.
    Continue,
    /// Records a failed run-time check in the error record (when it holds no earlier failure)
    /// and goes on: the front end has already made the failing operation harmless (an
    /// out-of-bounds access is skipped, a division uses a safe divisor). Only in modules whose
    /// kernel has `reports_errors`.
    Fail {
        /// What failed.
        check: Check,
        /// What was accessed, for [`Check::OutOfBounds`] (word 1): the parameter index for
        /// tensors and local accessors, `1 << 32 | id` for work-group arrays, `2 << 32 | id` for
        /// private arrays; 0 for the other checks.
        what: u64,
        /// The index (word 2), [`Scalar::U64`]; 0 for the other checks.
        index: Expr,
        /// The length (word 3), [`Scalar::U64`]; 0 for the other checks.
        len: Expr,
    },
    /// Like [`Statement::Fail`] with values computed at run time: when `code` (a
    /// [`Scalar::U32`] holding a [`Check::code`], or 0 for none) is not 0, records `code`,
    /// `what`, `index` and `len` (all [`Scalar::U64`]) unless the record already holds a
    /// failure. Lets a kernel gather its checks without branches and report once, at its exits.
    Report {
        /// The check's code, 0 when nothing failed.
        code: Expr,
        /// What was accessed (as for `Fail`).
        what: Expr,
        /// The index.
        index: Expr,
        /// The length.
        len: Expr,
    },
    /// Ends the kernel for this work-item, or returns from a function whose result is `None`.
    Return,
    /// Returns a value from a function; `value.ty` is the function's result type.
    ReturnValue(Expr),
}

/// An argument of a call.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Argument {
    /// A scalar value, for a [`ParamKind::Scalar`] parameter of the same type.
    Value(Expr),
    /// A tensor parameter of the caller, for a [`ParamKind::Tensor`] parameter with the same
    /// element type and `dims`; a `ReadWrite` parameter needs a `ReadWrite` tensor. The
    /// caller's view (pointer, offset, extents, strides) is passed through unchanged.
    Tensor(ParamId),
    /// A local-accessor parameter of the caller, for a [`ParamKind::Local`] parameter with the
    /// same element type and `dims`: the callee reads and writes the caller's work-group memory,
    /// with the caller's extents. Within the calls one kernel makes, a function's local-accessor
    /// parameter must always stand for the same local accessor of the kernel (a kernel calling
    /// a function with two of its accessors uses two functions), as the Vulkan flavour, whose
    /// logical addressing passes no `Workgroup` pointers, resolves the parameter to the kernel's
    /// module-scope array and passes only the extents (`dims` `u64`s); OpenCL passes the pointer
    /// and the extents.
    Local(ParamId),
}

/// A typed expression tree. Operands are evaluated left to right (except where
/// [`BinaryOp::LogicalAnd`] and [`BinaryOp::LogicalOr`] skip their right side).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Expr {
    /// The type of the value.
    pub ty: Scalar,
    /// What computes it.
    pub kind: ExprKind,
}

/// A constant value. Integers hold their two's-complement bit pattern truncated to the
/// expression's width; floats hold the bits of an `f64` (converted to `f32` when `ty` is
/// [`Scalar::F32`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Literal {
    /// `true` / `false`.
    Bool(bool),
    /// An integer's bit pattern.
    Int(u64),
    /// `f64::to_bits` of a float.
    Float(u64),
}

/// The operation of an [`Expr`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExprKind {
    /// A constant of type `ty`.
    Literal(Literal),
    /// The value of a [`ParamKind::Scalar`] parameter; `ty` is its scalar type.
    Param(ParamId),
    /// The current value of a local; `ty` is its type.
    Local(LocalId),
    /// `memory[index]`: `index.ty` is [`Scalar::U64`], `ty` is the element type.
    Element {
        /// The memory read.
        memory: Memory,
        /// Element index.
        index: Box<Expr>,
    },
    /// The element count of a [`Memory::Local`] parameter, or of a [`Memory::Tensor`] parameter
    /// (the product of its shape); `ty` is [`Scalar::U64`].
    Len(Memory),
    /// The extent of axis `axis` (below its `dims`) of a [`ParamKind::Local`] parameter; `ty`
    /// is [`Scalar::U64`].
    LocalExtent {
        /// The local accessor parameter.
        local: ParamId,
        /// The axis.
        axis: u32,
    },
    /// A part of a tensor parameter's view: its offset or one axis's extent ([`Scalar::U64`]),
    /// or one axis's stride ([`Scalar::I64`]).
    TensorLayout {
        /// The tensor parameter.
        tensor: ParamId,
        /// Which part.
        field: LayoutField,
    },
    /// A call of a device function with a result; `ty` is the function's result type.
    Call {
        /// The function called.
        function: FunctionId,
        /// The arguments, one per parameter of the function.
        args: Vec<Argument>,
    },
    /// An atomic read-modify-write (or load) of `memory[index]` (a tensor or local memory);
    /// the value is the element's previous value, `ty` is the element type. Integer ops take
    /// `i32`, `u32`, `i64`, `u64`; `Load`, `Exchange`, `CompareExchange`, `Add`, `Sub`, `Min`,
    /// `Max` also take `f32` and `f64`.
    Atomic {
        /// The operation.
        op: AtomicOp,
        /// The memory.
        memory: Memory,
        /// Element index, [`Scalar::U64`].
        index: Box<Expr>,
        /// The operands: none for `Load`, `[value]` for the others, `[expected, new]` for
        /// `CompareExchange`; all of type `ty`.
        operands: Vec<Expr>,
        /// Memory order.
        order: MemoryOrder,
        /// Which work-items it synchronizes with.
        scope: Scope,
    },
    /// A sub-group collective operation (see [`SubGroupOp`]); every work-item of the sub-group
    /// must execute it.
    SubGroup {
        /// The operation.
        op: SubGroupOp,
        /// Its operands.
        args: Vec<Expr>,
    },
    /// A math function (see [`MathFunction`] for the operand and result types).
    Math {
        /// The function.
        fun: MathFunction,
        /// Its operands, evaluated left to right.
        args: Vec<Expr>,
    },
    /// A work-item built-in value; `ty` is [`Scalar::U64`].
    Builtin(Builtin),
    /// A unary operation; `ty` equals `operand.ty`.
    Unary {
        /// The operation.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// A binary operation. For arithmetic and bitwise ops both operands and `ty` share one
    /// type; for shifts `rhs` may be any integer type (the amount is masked to the width of
    /// `lhs`, as Rust's wrapping shifts do); comparisons take two operands of one type and give
    /// `bool`; logical ops take and give `bool`.
    Binary {
        /// The operation.
        op: BinaryOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `value as ty` with Rust's rules: integer truncation or extension by the source's
    /// signedness, float to integer saturating (NaN gives 0), integer to float rounding to
    /// nearest, `bool` to integer giving 0 or 1.
    Cast {
        /// The value converted.
        value: Box<Expr>,
    },
    /// The bits of `value` reinterpreted as `ty`, a type of the same width (`f32::to_bits`,
    /// `f32::from_bits`): between a float type and the unsigned integer type of its width.
    Bitcast {
        /// The value reinterpreted.
        value: Box<Expr>,
    },
    /// `if condition { accept } else { reject }` as a value; both sides have type `ty`, and
    /// only the chosen side is evaluated.
    Select {
        /// The condition, of type `bool`.
        condition: Box<Expr>,
        /// Value when true.
        accept: Box<Expr>,
        /// Value when false.
        reject: Box<Expr>,
    },
}

/// A math function on scalars, with Rust's semantics (the name says which Rust method).
///
/// Unless stated otherwise, a float function takes operands of one float type and returns
/// that type; an integer function takes operands of one integer type and returns that type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MathFunction {
    /// `x.abs()`: floats and signed integers (`i32::MIN.abs()` wraps to `MIN`).
    Abs,
    /// `x.sqrt()`.
    Sqrt,
    /// `x.cbrt()`.
    Cbrt,
    /// `x.exp()`.
    Exp,
    /// `x.exp2()`.
    Exp2,
    /// `x.ln()`.
    Ln,
    /// `x.log2()`.
    Log2,
    /// `x.log10()`.
    Log10,
    /// `x.powf(y)`.
    Powf,
    /// `x.powi(n)`: `n` is an `i32`, the result has `x`'s type.
    Powi,
    /// `x.sin()`.
    Sin,
    /// `x.cos()`.
    Cos,
    /// `x.tan()`.
    Tan,
    /// `x.asin()`.
    Asin,
    /// `x.acos()`.
    Acos,
    /// `x.atan()`.
    Atan,
    /// `y.atan2(x)`: operands in that order.
    Atan2,
    /// `x.sinh()`.
    Sinh,
    /// `x.cosh()`.
    Cosh,
    /// `x.tanh()`.
    Tanh,
    /// `x.floor()`.
    Floor,
    /// `x.ceil()`.
    Ceil,
    /// `x.round()`: half-way cases away from zero.
    Round,
    /// `x.trunc()`.
    Trunc,
    /// `x.fract()`: `x - x.trunc()` (not OpenCL's `x - floor(x)`).
    Fract,
    /// `x.mul_add(a, b)`: `x * a + b` with one rounding.
    MulAdd,
    /// `x.min(y)`: for floats, a NaN operand gives the other one.
    Min,
    /// `x.max(y)`: for floats, a NaN operand gives the other one.
    Max,
    /// `x.clamp(lo, hi)`: for floats, a NaN `x` stays NaN.
    Clamp,
    /// `x.signum()`: floats only; 1.0 for +0.0 and positives, -1.0 for -0.0 and negatives,
    /// NaN for NaN.
    Signum,
    /// `x.hypot(y)`.
    Hypot,
    /// `x.recip()`: `1 / x`.
    Recip,
    /// `x.to_radians()`.
    ToRadians,
    /// `x.to_degrees()`.
    ToDegrees,
    /// `x.is_nan()`: the result is `bool`.
    IsNan,
    /// `x.is_finite()`: the result is `bool`.
    IsFinite,
    /// `x.pow(n)`: integers; `n` is a `u32`, the result has `x`'s type and wraps on overflow.
    Pow,
    /// `x.leading_zeros()`: integers; the result is a `u32`.
    LeadingZeros,
    /// `x.trailing_zeros()`: integers; the result is a `u32`.
    TrailingZeros,
    /// `x.count_ones()`: integers; the result is a `u32`.
    CountOnes,
    /// `dpex::math::erf(x)`.
    Erf,
    /// `dpex::math::erfc(x)`.
    Erfc,
    /// `dpex::math::rsqrt(x)`: `1 / sqrt(x)`.
    Rsqrt,
    /// `x.asinh()`.
    Asinh,
    /// `x.acosh()`.
    Acosh,
    /// `x.atanh()`.
    Atanh,
    /// `x.exp_m1()`: `e^x - 1`.
    ExpM1,
    /// `x.ln_1p()`: `ln(1 + x)`.
    Ln1p,
    /// `x.copysign(y)`: `x`'s magnitude with `y`'s sign bit.
    Copysign,
    /// `x.is_infinite()`: the result is `bool`.
    IsInfinite,
    /// `x.ldexp(n)` (the kernel `Float` trait's): `x * 2^n` rounded once; `n` is an `i32`,
    /// the result has `x`'s type.
    Ldexp,
    /// `x.gamma()`: the gamma function, as C's `tgamma`.
    Gamma,
    /// `ln |gamma(x)|`, as C's `lgamma`: the first field of `x.ln_gamma()` (the front end
    /// computes the sign, the second field).
    LnGamma,
}

/// A part of a tensor view, for [`ExprKind::TensorLayout`]; axes are below the tensor's `dims`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LayoutField {
    /// The offset of element `[0, 0, ...]` from the buffer's first element.
    Offset,
    /// The extent of an axis.
    Shape(u32),
    /// The stride of an axis, in elements (may be negative).
    Stride(u32),
}

/// A unary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// Arithmetic negation (wrapping for integers).
    Neg,
    /// Logical not on `bool`, bitwise not on integers.
    Not,
}

/// A binary operator, with Rust's release-build semantics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `+`, wrapping on integers.
    Add,
    /// `-`, wrapping on integers.
    Sub,
    /// `*`, wrapping on integers.
    Mul,
    /// `/`: integer division truncates toward zero.
    Div,
    /// `%`: the remainder has the sign of the dividend (for floats, `fmod`).
    Rem,
    /// `&` on integers or `bool` (both sides evaluated).
    BitAnd,
    /// `|` on integers or `bool` (both sides evaluated).
    BitOr,
    /// `^` on integers or `bool`.
    BitXor,
    /// `<<`, amount masked to the bit width.
    Shl,
    /// `>>`, arithmetic on signed types, logical on unsigned; amount masked to the bit width.
    Shr,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `&&`: the right side runs only when the left is true.
    LogicalAnd,
    /// `||`: the right side runs only when the left is false.
    LogicalOr,
}

impl BinaryOp {
    /// True for the comparison operators, whose result is `bool`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }

    /// True for `<<` and `>>`.
    pub fn is_shift(self) -> bool {
        matches!(self, BinaryOp::Shl | BinaryOp::Shr)
    }

    /// True for the short-circuit operators `&&` and `||`.
    pub fn is_logical(self) -> bool {
        matches!(self, BinaryOp::LogicalAnd | BinaryOp::LogicalOr)
    }
}

/// A per-work-item built-in value. The `u32` is the dimension, below [`Kernel::dims`]. The
/// per-dimension values are [`Scalar::U64`]; the sub-group values are [`Scalar::U32`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// The work-item's global id in a dimension (`GlobalInvocationId`).
    GlobalId(u32),
    /// The launch range's size in a dimension (`GlobalSize`).
    GlobalSize(u32),
    /// The work-item's id within its work-group (`LocalInvocationId`).
    LocalId(u32),
    /// The work-group's size (`WorkgroupSize`).
    LocalSize(u32),
    /// The work-group's id (`WorkgroupId`).
    GroupId(u32),
    /// The number of work-groups (`NumWorkgroups`).
    NumGroups(u32),
    /// The work-item's id within its sub-group (`SubgroupLocalInvocationId`).
    SubGroupLocalId,
    /// The sub-group's id within the work-group (`SubgroupId`).
    SubGroupId,
    /// The size of this sub-group (`SubgroupSize`).
    SubGroupSize,
    /// The number of sub-groups in the work-group (`NumSubgroups`).
    NumSubGroups,
}

/// An atomic operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AtomicOp {
    /// Reads the value.
    Load,
    /// Stores the operand.
    Exchange,
    /// Stores the second operand if the value equals the first (bitwise for floats).
    CompareExchange,
    /// Adds the operand (wrapping for integers).
    Add,
    /// Subtracts the operand.
    Sub,
    /// Stores the minimum.
    Min,
    /// Stores the maximum.
    Max,
    /// Bitwise and (integers).
    And,
    /// Bitwise or (integers).
    Or,
    /// Bitwise xor (integers).
    Xor,
}

/// The memory order of an atomic operation or fence (C++/SYCL names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemoryOrder {
    /// Atomicity only.
    Relaxed,
    /// Later accesses stay after.
    Acquire,
    /// Earlier accesses stay before.
    Release,
    /// Both.
    AcqRel,
    /// Both, in one total order.
    SeqCst,
}

/// The set of work-items an atomic operation or fence synchronizes with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// One work-item.
    WorkItem,
    /// Its sub-group.
    SubGroup,
    /// Its work-group.
    WorkGroup,
    /// The whole device.
    Device,
}

/// Which memory a barrier orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FenceSpaces {
    /// Work-group local memory.
    pub local: bool,
    /// Global memory.
    pub global: bool,
}

/// A sub-group collective operation. `value` operands may be any numeric type; lane and mask
/// operands are `u32`; `Any`/`All` take and give `bool`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubGroupOp {
    /// `[value, lane]`: `value` of work-item `lane` (the same for all).
    Broadcast,
    /// `[value, lane]`: `value` of work-item `lane` (may differ per work-item).
    Shuffle,
    /// `[value, mask]`: `value` of work-item `id ^ mask`.
    ShuffleXor,
    /// `[value]`: sum over the sub-group.
    ReduceAdd,
    /// `[value]`: minimum over the sub-group.
    ReduceMin,
    /// `[value]`: maximum over the sub-group.
    ReduceMax,
    /// `[value]`: sum over work-items with ids up to this one's.
    InclusiveScanAdd,
    /// `[value]`: sum over work-items with ids below this one's (0 for the first).
    ExclusiveScanAdd,
    /// `[predicate]`: true if any work-item's predicate is.
    Any,
    /// `[predicate]`: true if every work-item's predicate is.
    All,
}

impl Expr {
    /// A literal of type `ty`.
    pub fn literal(ty: Scalar, value: Literal) -> Expr {
        Expr {
            ty,
            kind: ExprKind::Literal(value),
        }
    }

    /// A binary expression whose type the caller states (see [`ExprKind::Binary`]).
    pub fn binary(ty: Scalar, op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
        Expr {
            ty,
            kind: ExprKind::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
        }
    }

    /// The expressions this one evaluates directly: operands, indices, and the values passed
    /// to a call (not a call's tensor or local-accessor arguments).
    pub fn operands(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Literal(_)
            | ExprKind::Param(_)
            | ExprKind::Local(_)
            | ExprKind::Len(_)
            | ExprKind::LocalExtent { .. }
            | ExprKind::TensorLayout { .. }
            | ExprKind::Builtin(_) => vec![],
            ExprKind::Element { index, .. } => vec![index],
            ExprKind::Call { args, .. } => args
                .iter()
                .filter_map(|arg| match arg {
                    Argument::Value(value) => Some(value),
                    Argument::Tensor(_) | Argument::Local(_) => None,
                })
                .collect(),
            ExprKind::Atomic {
                index, operands, ..
            } => std::iter::once(&**index).chain(operands).collect(),
            ExprKind::SubGroup { args, .. } | ExprKind::Math { args, .. } => args.iter().collect(),
            ExprKind::Unary { operand: value, .. }
            | ExprKind::Cast { value }
            | ExprKind::Bitcast { value } => vec![value],
            ExprKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
            ExprKind::Select {
                condition,
                accept,
                reject,
            } => vec![condition, accept, reject],
        }
    }
}
