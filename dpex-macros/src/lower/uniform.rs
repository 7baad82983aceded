//! Barrier placement checks: a `group_barrier` must be reached by every work-item of a group,
//! so it may not sit under a condition whose value differs between them.
//!
//! A value is *non-uniform* when it depends on a work-item's global, local or sub-group id, on
//! an atomic or sub-group result, or on a local assigned such a value or assigned under a
//! non-uniform condition. Code is *divergent* under a non-uniform `if`, loop bound or `while`
//! condition, after a `return` taken under one, and in a loop that a non-uniform `break` or
//! `continue` leaves early. A barrier in divergent code is a compile error. The check is one
//! pass in source order: a local that becomes non-uniform only later in a loop is not seen
//! at uses earlier in that loop (the device then has undefined behaviour, as in OpenCL C).

use super::{error, Lowerer};
use dpex_spirv::ir::{Argument, Builtin, Expr, ExprKind, Statement};
use proc_macro2::Span;

impl Lowerer<'_> {
    /// True when `e` has the same value in every work-item of a group.
    pub(crate) fn is_uniform(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Literal(_)
            | ExprKind::Param(_)
            | ExprKind::Len(_)
            | ExprKind::LocalExtent { .. }
            | ExprKind::TensorLayout { .. } => true,
            ExprKind::Builtin(b) => !matches!(
                b,
                Builtin::GlobalId(_)
                    | Builtin::LocalId(_)
                    | Builtin::SubGroupLocalId
                    | Builtin::SubGroupId
            ),
            ExprKind::Local(id) => !self.nonuniform_locals.contains(id),
            ExprKind::Atomic { .. } | ExprKind::SubGroup { .. } => false,
            ExprKind::Element { index, .. } => self.is_uniform(index),
            ExprKind::Unary { operand, .. } => self.is_uniform(operand),
            ExprKind::Binary { lhs, rhs, .. } => self.is_uniform(lhs) && self.is_uniform(rhs),
            ExprKind::Cast { value } | ExprKind::Bitcast { value } => self.is_uniform(value),
            ExprKind::Select {
                condition,
                accept,
                reject,
            } => self.is_uniform(condition) && self.is_uniform(accept) && self.is_uniform(reject),
            ExprKind::Math { args, .. } => args.iter().all(|a| self.is_uniform(a)),
            ExprKind::Call { args, .. } => args.iter().all(|a| match a {
                Argument::Value(v) => self.is_uniform(v),
                Argument::Tensor(_) | Argument::Local(_) => true,
            }),
        }
    }

    /// Records what an emitted statement tells about uniformity.
    pub(crate) fn track_uniformity(&mut self, stmt: &Statement) {
        match stmt {
            Statement::Assign { local, value }
                if self.divergence > 0 || !self.is_uniform(value) =>
            {
                self.nonuniform_locals.insert(*local);
            }
            Statement::Return | Statement::ReturnValue(_) if self.divergence > 0 => {
                self.divergent_exit = true
            }
            _ => {}
        }
    }

    /// Runs `f` as code that runs only when `condition` holds (divergent unless it is uniform).
    pub(crate) fn under_condition<T>(
        &mut self,
        condition: &Expr,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let divergent = !self.is_uniform(condition);
        self.divergent_if(divergent, f)
    }

    /// Runs `f` as divergent code when `divergent` is true.
    pub(crate) fn divergent_if<T>(&mut self, divergent: bool, f: impl FnOnce(&mut Self) -> T) -> T {
        self.divergence += u32::from(divergent);
        let out = f(self);
        self.divergence -= u32::from(divergent);
        out
    }

    /// Marks the loops from `target` inward as left early by some work-items when the current
    /// code is divergent.
    pub(crate) fn note_jump(&mut self, target: usize) {
        if self.divergence > 0 {
            for frame in self.loops.iter_mut().skip(target) {
                frame.divergent_jump = true;
            }
        }
    }

    /// The error for a barrier at `span` in divergent code.
    pub(crate) fn require_uniform_control(&self, span: Span) -> syn::Result<()> {
        let divergent = self.divergence > 0
            || self.divergent_exit
            || self.loops.iter().any(|f| f.divergent_jump);
        if !divergent {
            return Ok(());
        }
        Err(error(
            span,
            "this barrier is in code that only some work-items of a group reach (a condition, loop \
             bound or early exit depends on a work-item id): every work-item of the group must \
             reach the same barrier; move it out of the `if` or loop",
        ))
    }
}
