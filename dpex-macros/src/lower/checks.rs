//! Run-time checks of safe kernels: every index is compared with the length of what it
//! indexes, and integer division checks its divisor. A failed check touches no memory (the
//! access is skipped, the division uses a harmless divisor), is recorded in the kernel's error
//! record (`Statement::Fail`) and makes the launch's `wait()` return an error.
//! `#[kernel(unchecked)]` and `unsafe { x.get_unchecked(i) }` leave the checks out.

use super::memory::MemoryRef;
use super::{read_local, Lowerer};
use dpex_abi::record::{with_axis, What};
use dpex_spirv::ir::{
    BinaryOp, Check, Expr, ExprKind, Literal, Memory, Scalar, Statement, UnaryOp,
};

/// The private locals where a checked kernel keeps its work-item's first failure.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FailureSlots {
    code: dpex_spirv::ir::LocalId,
    what: dpex_spirv::ir::LocalId,
    index: dpex_spirv::ir::LocalId,
    len: dpex_spirv::ir::LocalId,
}

/// The check guarding one element access.
#[derive(Clone, Debug)]
pub(crate) struct BoundsCheck {
    /// True when the access is in bounds (a read of a local: cheap to use twice).
    pub in_bounds: Expr,
    /// What is accessed, as recorded (word 1, see `Statement::Fail`; for several axes with the
    /// first one out of bounds, `dpex_abi::record::with_axis`), a `u64`.
    pub what: Expr,
    /// The index, for the record (for several axes: the first one out of bounds).
    pub index: Expr,
    /// The length, for the record (for several axes: the extent of that axis).
    pub len: Expr,
}

impl Lowerer<'_> {
    /// The index of the kernel parameter that parameter `p` of this body stands for: `p`
    /// itself in a kernel; in a device function, the kernel's tensor or local accessor passed
    /// for it (through every call on the way), so that an error names the one the kernel's
    /// caller knows.
    pub(crate) fn kernel_param(&self, p: dpex_spirv::ir::ParamId) -> u32 {
        self.origins
            .get(p.0 as usize)
            .copied()
            .flatten()
            .unwrap_or(p.0)
    }

    /// True when run-time checks are emitted (the kernel is not `unchecked`).
    pub(crate) fn checks_enabled(&self) -> bool {
        self.checked && self.unchecked_depth == 0
    }

    /// Builds the check of an access to `memory` at `indices` against `extents` (one
    /// extent per index), spilling what it needs into locals. `None` when checks are off.
    pub(crate) fn bounds_check(
        &mut self,
        memory: &MemoryRef,
        indices: &[Expr],
        extents: Vec<Expr>,
        len: Expr,
    ) -> Option<BoundsCheck> {
        if !self.checks_enabled() || self.provable(indices, &extents) {
            return None;
        }
        let mut in_bounds: Option<Expr> = None;
        for (index, extent) in indices.iter().zip(&extents) {
            let ok = Expr::binary(Scalar::Bool, BinaryOp::Lt, index.clone(), extent.clone());
            in_bounds = Some(match in_bounds {
                None => ok,
                Some(all) => Expr::binary(Scalar::Bool, BinaryOp::BitAnd, all, ok),
            });
        }
        let in_bounds = self.spill("in_bounds", in_bounds.unwrap_or_else(|| bool_literal(true)));
        let what = match memory.memory {
            Memory::Tensor(p) | Memory::Local(p) => What::Param(self.kernel_param(p)),
            Memory::Workgroup(w) => What::WorkgroupArray(w.0),
            Memory::Private(l) => What::PrivateArray(l.0),
        }
        .encode();
        // The record names the first axis out of bounds: the axis, its index and its extent
        // (for one axis, the index and the length).
        let (what, index, len) = if indices.len() == 1 {
            (u64_literal(what), indices[0].clone(), len)
        } else {
            let (mut word, mut index, mut extent) = (u64_literal(what), u64_literal(0), len);
            for (axis, (i, n)) in indices.iter().zip(&extents).enumerate().rev() {
                let outside = Expr::binary(Scalar::Bool, BinaryOp::Ge, i.clone(), n.clone());
                let axis = u32::try_from(axis).unwrap_or(u32::MAX);
                word = select(outside.clone(), u64_literal(with_axis(what, axis)), word);
                index = select(outside.clone(), i.clone(), index);
                extent = select(outside, n.clone(), extent);
            }
            (word, index, extent)
        };
        Some(BoundsCheck {
            in_bounds,
            what,
            index,
            len,
        })
    }

    /// Notes a failure of `check` when `failed` holds. In a kernel, the first failure of the
    /// work-item is kept in private locals with branch-free selects and reported once at the
    /// kernel's exits (`Report`), so the hot path stays vectorizable; in a device function it
    /// is reported where it happens (`Fail`).
    fn note_failure(&mut self, failed: Expr, check: Check, record: &BoundsCheck) {
        self.reports_errors = true;
        let Some(slots) = self.failure else {
            self.emit(Statement::If {
                condition: failed,
                accept: vec![fail(check, record)],
                reject: Vec::new(),
            });
            return;
        };
        let code = read_local(slots.code, Scalar::U32);
        let none_yet = Expr::binary(
            Scalar::Bool,
            BinaryOp::Eq,
            code.clone(),
            Expr::literal(Scalar::U32, Literal::Int(0)),
        );
        let first = self.spill(
            "first_failure",
            Expr::binary(Scalar::Bool, BinaryOp::BitAnd, failed, none_yet),
        );
        let updates = [
            (
                slots.code,
                Scalar::U32,
                Expr::literal(Scalar::U32, Literal::Int(check.code())),
            ),
            (slots.what, Scalar::U64, record.what.clone()),
            (slots.index, Scalar::U64, record.index.clone()),
            (slots.len, Scalar::U64, record.len.clone()),
        ];
        for (local, ty, value) in updates {
            let value = select(first.clone(), value, read_local(local, ty));
            self.emit(Statement::Assign { local, value });
        }
    }

    /// Before a read: notes a failure when the access is out of bounds.
    pub(crate) fn fail_unless(&mut self, check: &BoundsCheck) {
        self.note_failure(not(check.in_bounds.clone()), Check::OutOfBounds, check);
    }

    /// `if in_bounds { store }`, noting a failure otherwise.
    pub(crate) fn guarded_store(&mut self, check: Option<&BoundsCheck>, store: Statement) {
        match check {
            None => self.emit(store),
            Some(check) => {
                self.fail_unless(check);
                self.emit(Statement::If {
                    condition: check.in_bounds.clone(),
                    accept: vec![store],
                    reject: Vec::new(),
                });
            }
        }
    }

    /// The private locals where a checked kernel keeps its first failure, set to "none".
    pub(crate) fn start_failure_slots(&mut self) {
        let slots = FailureSlots {
            code: self.new_local("failure.code", Scalar::U32),
            what: self.new_local("failure.what", Scalar::U64),
            index: self.new_local("failure.index", Scalar::U64),
            len: self.new_local("failure.len", Scalar::U64),
        };
        self.failure = Some(slots);
    }

    /// The statements setting the failure slots to "none" (emitted first in the kernel).
    pub(crate) fn failure_slot_inits(&self) -> Vec<Statement> {
        let Some(s) = self.failure else {
            return Vec::new();
        };
        vec![
            Statement::Assign {
                local: s.code,
                value: Expr::literal(Scalar::U32, Literal::Int(0)),
            },
            Statement::Assign {
                local: s.what,
                value: u64_literal(0),
            },
            Statement::Assign {
                local: s.index,
                value: u64_literal(0),
            },
            Statement::Assign {
                local: s.len,
                value: u64_literal(0),
            },
        ]
    }

    /// `Report` of the kernel's first failure, emitted before each exit of a checked kernel.
    pub(crate) fn report_failure(&mut self) {
        if let Some(s) = self.failure {
            self.emit(Statement::Report {
                code: read_local(s.code, Scalar::U32),
                what: read_local(s.what, Scalar::U64),
                index: read_local(s.index, Scalar::U64),
                len: read_local(s.len, Scalar::U64),
            });
        }
    }

    /// `lhs op rhs` for `/` and `%` on integers with a checked divisor: a zero divisor (or
    /// `MIN / -1`) is recorded and replaced by 1. Other operations are returned as they are.
    pub(crate) fn checked_binary(
        &mut self,
        ty: Scalar,
        op: BinaryOp,
        lhs: Expr,
        rhs: Expr,
    ) -> Expr {
        let is_division = matches!(op, BinaryOp::Div | BinaryOp::Rem) && ty.is_int();
        // A positive literal divisor can never fail.
        let positive_below = if ty.is_signed_int() {
            1u64 << (ty.bits() - 1)
        } else {
            u64::MAX
        };
        let harmless = matches!(rhs.kind, ExprKind::Literal(Literal::Int(d))
            if d != 0 && d < positive_below);
        if !is_division || harmless || !self.checks_enabled() {
            return Expr::binary(ty, op, lhs, rhs);
        }
        self.reports_errors = true;
        let lhs = self.spill("dividend", lhs);
        let rhs = self.spill("divisor", rhs);
        let zero = Expr::binary(
            Scalar::Bool,
            BinaryOp::Eq,
            rhs.clone(),
            Expr::literal(ty, Literal::Int(0)),
        );
        let mut bad = zero.clone();
        let mut checks = vec![(zero, Check::DivideByZero)];
        if ty.is_signed_int() {
            let min = Expr::literal(ty, Literal::Int(1u64 << (ty.bits() - 1)));
            let minus_one = Expr::literal(ty, Literal::Int(u64::MAX >> (64 - ty.bits())));
            let overflow = Expr::binary(
                Scalar::Bool,
                BinaryOp::BitAnd,
                Expr::binary(Scalar::Bool, BinaryOp::Eq, lhs.clone(), min),
                Expr::binary(Scalar::Bool, BinaryOp::Eq, rhs.clone(), minus_one),
            );
            bad = Expr::binary(Scalar::Bool, BinaryOp::BitOr, bad, overflow.clone());
            checks.push((overflow, Check::DivideOverflow));
        }
        for (condition, check) in checks {
            let record = BoundsCheck {
                in_bounds: bool_literal(false),
                what: u64_literal(0),
                index: u64_literal(0),
                len: u64_literal(0),
            };
            self.note_failure(condition, check, &record);
        }
        let bad = self.spill("bad_divisor", bad);
        let safe = Expr {
            ty,
            kind: ExprKind::Select {
                condition: Box::new(bad),
                accept: Box::new(Expr::literal(ty, Literal::Int(1))),
                reject: Box::new(rhs),
            },
        };
        Expr::binary(ty, op, lhs, safe)
    }
}

/// A read of `memory[index]` that its check guards: out of bounds nothing is read and the value
/// is 0.
pub(crate) fn guarded_read(
    check: Option<&BoundsCheck>,
    memory: Memory,
    elem: Scalar,
    index: Expr,
) -> Expr {
    let read = super::memory::read_element(memory, elem, index);
    match check {
        None => read,
        // The read only runs in bounds (the emitter's select evaluates one side: a masked,
        // still consecutive load after vectorization); out of bounds the value is 0.
        Some(check) => Expr {
            ty: elem,
            kind: ExprKind::Select {
                condition: Box::new(check.in_bounds.clone()),
                accept: Box::new(read),
                reject: Box::new(zero(elem)),
            },
        },
    }
}

/// The statement recording `check`'s failure where it happens: `Fail`, or `Report` when what
/// failed is only known at run time (the axis of an N-d access).
fn fail(check: Check, record: &BoundsCheck) -> Statement {
    match record.what.kind {
        ExprKind::Literal(Literal::Int(what)) => Statement::Fail {
            check,
            what,
            index: record.index.clone(),
            len: record.len.clone(),
        },
        _ => Statement::Report {
            code: Expr::literal(Scalar::U32, Literal::Int(check.code())),
            what: record.what.clone(),
            index: record.index.clone(),
            len: record.len.clone(),
        },
    }
}

/// The zero of a scalar type.
pub(crate) fn zero(ty: Scalar) -> Expr {
    let value = match ty {
        Scalar::Bool => Literal::Bool(false),
        t if t.is_float() => Literal::Float(0f64.to_bits()),
        _ => Literal::Int(0),
    };
    Expr::literal(ty, value)
}

/// `if condition { accept } else { reject }` as a value.
pub(crate) fn select(condition: Expr, accept: Expr, reject: Expr) -> Expr {
    Expr {
        ty: accept.ty,
        kind: ExprKind::Select {
            condition: Box::new(condition),
            accept: Box::new(accept),
            reject: Box::new(reject),
        },
    }
}

fn u64_literal(value: u64) -> Expr {
    Expr::literal(Scalar::U64, Literal::Int(value))
}

fn bool_literal(value: bool) -> Expr {
    Expr::literal(Scalar::Bool, Literal::Bool(value))
}

fn not(value: Expr) -> Expr {
    Expr {
        ty: Scalar::Bool,
        kind: ExprKind::Unary {
            op: UnaryOp::Not,
            operand: Box::new(value),
        },
    }
}
