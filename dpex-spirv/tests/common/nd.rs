//! Terse constructors for the ND-range model: local memory, built-ins, barriers, atomics and
//! sub-group collectives.

use dpex_spirv::ir::*;

/// A `LocalAccessor<elem>` parameter.
pub fn local_param(name: &str, elem: Scalar) -> Param {
    Param {
        name: name.into(),
        kind: ParamKind::Local { elem, dims: 1 },
    }
}

/// A work-group array of `len` elements.
pub fn wg_array(name: &str, elem: Scalar, len: u32) -> WorkgroupArray {
    WorkgroupArray {
        name: name.into(),
        elem,
        len,
    }
}

/// A built-in of its type (`u32` for the sub-group ones, `u64` otherwise).
pub fn builtin(b: Builtin) -> Expr {
    let ty = match b {
        Builtin::SubGroupLocalId
        | Builtin::SubGroupId
        | Builtin::SubGroupSize
        | Builtin::NumSubGroups => Scalar::U32,
        _ => Scalar::U64,
    };
    Expr {
        ty,
        kind: ExprKind::Builtin(b),
    }
}

/// `memory[index]` of type `ty`.
pub fn read(ty: Scalar, memory: Memory, index: Expr) -> Expr {
    Expr {
        ty,
        kind: ExprKind::Element {
            memory,
            index: Box::new(index),
        },
    }
}

/// `memory[index] = value`.
pub fn write(memory: Memory, index: Expr, value: Expr) -> Statement {
    Statement::StoreElement {
        memory,
        index,
        value,
    }
}

/// `memory.len()`.
pub fn mem_len(memory: Memory) -> Expr {
    Expr {
        ty: Scalar::U64,
        kind: ExprKind::Len(memory),
    }
}

/// A work-group barrier on local memory (and global memory if `global`).
pub fn barrier(global: bool) -> Statement {
    Statement::Barrier {
        fence: FenceSpaces {
            local: true,
            global,
        },
    }
}

/// An atomic `op` on `memory[index]` of type `ty`.
pub fn atomic(
    ty: Scalar,
    op: AtomicOp,
    memory: Memory,
    index: Expr,
    operands: Vec<Expr>,
    order: MemoryOrder,
    scope: Scope,
) -> Expr {
    Expr {
        ty,
        kind: ExprKind::Atomic {
            op,
            memory,
            index: Box::new(index),
            operands,
            order,
            scope,
        },
    }
}

/// An atomic store.
pub fn atomic_store(
    memory: Memory,
    index: Expr,
    value: Expr,
    order: MemoryOrder,
    scope: Scope,
) -> Statement {
    Statement::AtomicStore {
        memory,
        index,
        value,
        order,
        scope,
    }
}

/// A sub-group collective of type `ty`.
pub fn sub_group(ty: Scalar, op: SubGroupOp, args: Vec<Expr>) -> Expr {
    Expr {
        ty,
        kind: ExprKind::SubGroup { op, args },
    }
}

/// A kernel with work-group arrays.
pub fn kernel_with_arrays(
    name: &str,
    dims: u32,
    params: Vec<Param>,
    locals: Vec<Local>,
    workgroup_arrays: Vec<WorkgroupArray>,
    body: Block,
) -> Kernel {
    Kernel {
        name: name.into(),
        dims,
        params,
        locals,
        workgroup_arrays,
        body,
        reports_errors: false,
    }
}

/// Every atomic read-modify-write operation (and load) an integer supports.
pub const ATOMIC_OPS: [AtomicOp; 10] = [
    AtomicOp::Load,
    AtomicOp::Exchange,
    AtomicOp::CompareExchange,
    AtomicOp::Add,
    AtomicOp::Sub,
    AtomicOp::Min,
    AtomicOp::Max,
    AtomicOp::And,
    AtomicOp::Or,
    AtomicOp::Xor,
];

/// Every memory order, weakest first.
pub const MEMORY_ORDERS: [MemoryOrder; 5] = [
    MemoryOrder::Relaxed,
    MemoryOrder::Acquire,
    MemoryOrder::Release,
    MemoryOrder::AcqRel,
    MemoryOrder::SeqCst,
];
