//! Atomic operations, atomic stores and fences: element types, operands and memory orders.

use super::{CheckError, Checker};
use crate::ir::{AtomicOp, Expr, Memory, MemoryOrder, Scalar};

/// The Rust (`AtomicRef`) name of an atomic operation, for messages.
fn atomic_name(op: AtomicOp) -> &'static str {
    match op {
        AtomicOp::Load => "load",
        AtomicOp::Exchange => "exchange",
        AtomicOp::CompareExchange => "compare_exchange",
        AtomicOp::Add => "fetch_add",
        AtomicOp::Sub => "fetch_sub",
        AtomicOp::Min => "fetch_min",
        AtomicOp::Max => "fetch_max",
        AtomicOp::And => "fetch_and",
        AtomicOp::Or => "fetch_or",
        AtomicOp::Xor => "fetch_xor",
    }
}

/// Whether atomic `op` is defined on elements of type `ty` (see
/// [`ExprKind::Atomic`](crate::ir::ExprKind::Atomic)).
fn atomic_type_allowed(op: AtomicOp, ty: Scalar) -> bool {
    let int = matches!(ty, Scalar::I32 | Scalar::U32 | Scalar::I64 | Scalar::U64);
    let float = matches!(ty, Scalar::F32 | Scalar::F64);
    match op {
        AtomicOp::And | AtomicOp::Or | AtomicOp::Xor => int,
        _ => int || float,
    }
}

impl Checker<'_> {
    /// Resolves the memory of an atomic `op` and checks its index and element type; returns
    /// the element type and whether the memory is writable.
    fn atomic_target(
        &self,
        op: &'static str,
        memory: Memory,
        index: &Expr,
        elem_ok: impl FnOnce(Scalar) -> bool,
    ) -> Result<(Scalar, bool, String), CheckError> {
        let m = self.memory(memory, "atomic")?;
        if let Memory::Private(_) = memory {
            return Err(CheckError::AtomicOnPrivate {
                owner: self.owner(),
                op,
                local: m.name.to_owned(),
            });
        }
        self.expect_type(index, Scalar::U64, || {
            format!("the index of atomic `{op}` on `{}`", m.name)
        })?;
        if !elem_ok(m.elem) {
            return Err(CheckError::InvalidAtomicType {
                owner: self.owner(),
                op,
                ty: m.elem,
            });
        }
        Ok((m.elem, m.writable, m.name.to_owned()))
    }

    /// Checks an atomic read-modify-write (or load) whose value has type `ty`.
    pub(super) fn atomic(
        &self,
        ty: Scalar,
        op: AtomicOp,
        memory: Memory,
        index: &Expr,
        operands: &[Expr],
        order: MemoryOrder,
    ) -> Result<(), CheckError> {
        let name = atomic_name(op);
        let (elem, writable, target) =
            self.atomic_target(name, memory, index, |t| atomic_type_allowed(op, t))?;
        if op != AtomicOp::Load && !writable {
            return Err(CheckError::StoreToReadOnly {
                owner: self.owner(),
                param: target,
            });
        }
        if op == AtomicOp::Load && matches!(order, MemoryOrder::Release | MemoryOrder::AcqRel) {
            return Err(CheckError::InvalidAtomicOrder {
                owner: self.owner(),
                op: name,
                order,
            });
        }
        let expected = match op {
            AtomicOp::Load => 0,
            AtomicOp::CompareExchange => 2,
            _ => 1,
        };
        if operands.len() != expected {
            return Err(CheckError::AtomicOperandCount {
                owner: self.owner(),
                op: name,
                expected,
                found: operands.len(),
            });
        }
        for (i, operand) in operands.iter().enumerate() {
            self.expect_type(operand, elem, || {
                format!("operand {} of atomic `{name}` on `{target}`", i + 1)
            })?;
        }
        self.has_type(ty, elem, || {
            format!("the result of atomic `{name}` on `{target}`")
        })
    }

    /// Checks an atomic store of `value` with memory order `order`.
    pub(super) fn atomic_store(
        &self,
        memory: Memory,
        index: &Expr,
        value: &Expr,
        order: MemoryOrder,
    ) -> Result<(), CheckError> {
        let name = "store";
        let (elem, writable, target) = self.atomic_target(name, memory, index, |t| {
            atomic_type_allowed(AtomicOp::Load, t)
        })?;
        if !writable {
            return Err(CheckError::StoreToReadOnly {
                owner: self.owner(),
                param: target,
            });
        }
        if matches!(order, MemoryOrder::Acquire | MemoryOrder::AcqRel) {
            return Err(CheckError::InvalidAtomicOrder {
                owner: self.owner(),
                op: name,
                order,
            });
        }
        self.expect_type(value, elem, || {
            format!("the value of atomic `store` on `{target}`")
        })
    }

    /// Checks a fence's memory order.
    pub(super) fn fence(&self, order: MemoryOrder) -> Result<(), CheckError> {
        if order == MemoryOrder::Relaxed {
            return Err(CheckError::RelaxedFence {
                owner: self.owner(),
            });
        }
        Ok(())
    }
}
