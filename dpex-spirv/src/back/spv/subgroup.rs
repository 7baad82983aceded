//! Sub-group collectives with `Subgroup` scope.
//!
//! Broadcasts, reductions, scans and `any`/`all` use the `Groups` capability instructions of
//! `cl_khr_subgroups` (`OpGroupBroadcast`, `OpGroupIAdd`/`FAdd`/`SMin`/`UMin`/`FMin`/`SMax`/
//! `UMax`/`FMax` with `Reduce`, `InclusiveScan` or `ExclusiveScan`, `OpGroupAny`/`All`).
//! Shuffles use `OpGroupNonUniformShuffle`/`ShuffleXor` (capability `GroupNonUniformShuffle`,
//! `cl_khr_subgroup_shuffle`), which need SPIR-V 1.3: a module using them is written with at
//! least that version.
//!
//! Vulkan uses the `OpGroupNonUniform*` forms of all of them (capabilities
//! `GroupNonUniform` plus `GroupNonUniformVote` for `any`/`all`, `...Ballot` for broadcasts,
//! `...Shuffle` and `...Arithmetic`), as the `Groups` capability needs `Kernel`.
//!
//! `cl_khr_subgroups` defines its collectives on 32- and 64-bit integers and on floats only,
//! so 8- and 16-bit integers go through `i32`/`u32` (sign- or zero-extended, the result
//! truncated back: wrapping sums, minima and maxima come out the same).

use rspirv::dr::{InsertPoint, Instruction, Operand};
use rspirv::spirv::{Capability, GroupOperation, Op, Word};

use super::sync::scope_value;
use super::{BuildError, BuildResult, Emitter, Flavour};
use crate::ir::{Expr, Scalar, Scope, SubGroupOp};

/// The type a collective computes in: 8- and 16-bit integers widen to 32 bits.
fn compute_scalar(s: Scalar) -> Scalar {
    match s {
        Scalar::I8 | Scalar::I16 => Scalar::I32,
        Scalar::U8 | Scalar::U16 => Scalar::U32,
        other => other,
    }
}

/// The `OpGroup*` arithmetic instruction for `op` on values of type `s`, with its group
/// operation.
fn arithmetic(op: SubGroupOp, s: Scalar) -> Option<(Op, GroupOperation)> {
    let (float, signed) = (s.is_float(), s.is_signed_int());
    Some(match op {
        SubGroupOp::ReduceAdd | SubGroupOp::InclusiveScanAdd | SubGroupOp::ExclusiveScanAdd => {
            let group_op = match op {
                SubGroupOp::ReduceAdd => GroupOperation::Reduce,
                SubGroupOp::InclusiveScanAdd => GroupOperation::InclusiveScan,
                _ => GroupOperation::ExclusiveScan,
            };
            (if float { Op::GroupFAdd } else { Op::GroupIAdd }, group_op)
        }
        SubGroupOp::ReduceMin if float => (Op::GroupFMin, GroupOperation::Reduce),
        SubGroupOp::ReduceMin if signed => (Op::GroupSMin, GroupOperation::Reduce),
        SubGroupOp::ReduceMin => (Op::GroupUMin, GroupOperation::Reduce),
        SubGroupOp::ReduceMax if float => (Op::GroupFMax, GroupOperation::Reduce),
        SubGroupOp::ReduceMax if signed => (Op::GroupSMax, GroupOperation::Reduce),
        SubGroupOp::ReduceMax => (Op::GroupUMax, GroupOperation::Reduce),
        _ => return None,
    })
}

/// The `OpGroupNonUniform*` twin of an `OpGroup*` arithmetic instruction.
fn non_uniform(instruction: Op) -> Op {
    match instruction {
        Op::GroupIAdd => Op::GroupNonUniformIAdd,
        Op::GroupFAdd => Op::GroupNonUniformFAdd,
        Op::GroupSMin => Op::GroupNonUniformSMin,
        Op::GroupUMin => Op::GroupNonUniformUMin,
        Op::GroupFMin => Op::GroupNonUniformFMin,
        Op::GroupSMax => Op::GroupNonUniformSMax,
        Op::GroupUMax => Op::GroupNonUniformUMax,
        _ => Op::GroupNonUniformFMax,
    }
}

impl Emitter {
    /// Sub-group `op` on `args`, giving a `ty`.
    pub(super) fn sub_group(
        &mut self,
        op: SubGroupOp,
        ty: Scalar,
        args: &[Expr],
    ) -> BuildResult<Word> {
        let values = args
            .iter()
            .map(|arg| self.expr(arg))
            .collect::<BuildResult<Vec<_>>>()?;
        let Some(&value) = values.first() else {
            return Err(BuildError::Internal(format!(
                "sub-group {op:?} without operands"
            )));
        };
        let vulkan = self.flavour == Flavour::Vulkan;
        self.require(if vulkan {
            Capability::GroupNonUniform
        } else {
            Capability::Groups
        });
        let scope = self.const_u32(scope_value(Scope::SubGroup));
        if matches!(op, SubGroupOp::Any | SubGroupOp::All) {
            let instruction = match (op, vulkan) {
                (SubGroupOp::Any, false) => Op::GroupAny,
                (_, false) => Op::GroupAll,
                (SubGroupOp::Any, true) => Op::GroupNonUniformAny,
                (_, true) => Op::GroupNonUniformAll,
            };
            if vulkan {
                self.require(Capability::GroupNonUniformVote);
            }
            let bool_ty = self.ty(Scalar::Bool);
            return self.op(instruction, bool_ty, &[scope, value]);
        }
        let wide = compute_scalar(ty);
        let value = self.cast(ty, wide, value)?;
        let wide_ty = self.ty(wide);
        let result = match (op, values.get(1)) {
            (SubGroupOp::Broadcast, Some(&lane)) if vulkan => {
                self.require(Capability::GroupNonUniformBallot);
                self.op(Op::GroupNonUniformBroadcast, wide_ty, &[scope, value, lane])?
            }
            (SubGroupOp::Broadcast, Some(&lane)) => {
                self.op(Op::GroupBroadcast, wide_ty, &[scope, value, lane])?
            }
            (SubGroupOp::Shuffle | SubGroupOp::ShuffleXor, Some(&lane)) => {
                self.require(Capability::GroupNonUniformShuffle);
                self.require_version((1, 3));
                let instruction = if op == SubGroupOp::Shuffle {
                    Op::GroupNonUniformShuffle
                } else {
                    Op::GroupNonUniformShuffleXor
                };
                self.op(instruction, wide_ty, &[scope, value, lane])?
            }
            _ => {
                let (instruction, group_op) = arithmetic(op, wide)
                    .ok_or_else(|| BuildError::Internal(format!("sub-group {op:?} operands")))?;
                let instruction = if vulkan {
                    self.require(Capability::GroupNonUniformArithmetic);
                    non_uniform(instruction)
                } else {
                    instruction
                };
                let id = self.b.id();
                let operands = vec![
                    Operand::IdRef(scope),
                    Operand::GroupOperation(group_op),
                    Operand::IdRef(value),
                ];
                let instruction = Instruction::new(instruction, Some(wide_ty), Some(id), operands);
                self.b.insert_into_block(InsertPoint::End, instruction)?;
                id
            }
        };
        self.cast(wide, ty, result)
    }
}
