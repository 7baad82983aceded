//! Sub-group collective operations: operand counts and types.

use super::{CheckError, Checker};
use crate::ir::{Expr, Scalar, SubGroupOp};

/// The Rust name of a sub-group operation, for messages.
fn sub_group_name(op: SubGroupOp) -> &'static str {
    match op {
        SubGroupOp::Broadcast => "broadcast",
        SubGroupOp::Shuffle => "shuffle",
        SubGroupOp::ShuffleXor => "shuffle_xor",
        SubGroupOp::ReduceAdd => "reduce_add",
        SubGroupOp::ReduceMin => "reduce_min",
        SubGroupOp::ReduceMax => "reduce_max",
        SubGroupOp::InclusiveScanAdd => "inclusive_scan_add",
        SubGroupOp::ExclusiveScanAdd => "exclusive_scan_add",
        SubGroupOp::Any => "any",
        SubGroupOp::All => "all",
    }
}

impl Checker<'_> {
    /// Checks sub-group `op` on `args` with result type `ty`.
    pub(super) fn sub_group(
        &self,
        ty: Scalar,
        op: SubGroupOp,
        args: &[Expr],
    ) -> Result<(), CheckError> {
        args.iter().try_for_each(|arg| self.expr(arg))?;
        let name = sub_group_name(op);
        let arity = match op {
            SubGroupOp::Broadcast | SubGroupOp::Shuffle | SubGroupOp::ShuffleXor => 2,
            _ => 1,
        };
        let Some(value) = args.first().filter(|_| args.len() == arity) else {
            return Err(CheckError::ArgumentCount {
                owner: self.owner(),
                callee: format!("sub_group.{name}"),
                expected: arity,
                found: args.len(),
            });
        };
        let predicate = matches!(op, SubGroupOp::Any | SubGroupOp::All);
        if predicate != (value.ty == Scalar::Bool) {
            return Err(CheckError::InvalidSubGroupOperand {
                owner: self.owner(),
                op: name,
                ty: value.ty,
            });
        }
        if let Some(lane) = args.get(1) {
            self.has_type(lane.ty, Scalar::U32, || {
                let what = if op == SubGroupOp::ShuffleXor {
                    "mask"
                } else {
                    "lane"
                };
                format!("the {what} of sub-group `{name}`")
            })?;
        }
        self.has_type(ty, value.ty, || format!("the result of sub-group `{name}`"))
    }
}
