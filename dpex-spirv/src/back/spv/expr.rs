//! Expression dispatch: evaluates an [`Expr`] tree in the current block and returns the id of
//! its value; also literals and the generic instruction helper the other families use.

use rspirv::dr::{InsertPoint, Instruction, Operand};
use rspirv::spirv::{Decoration, Op, Word};

use super::{BuildResult, Emitter, Flavour};
use crate::ir::{Expr, ExprKind, Literal, Scalar};

impl Emitter {
    /// Appends `op` with result type `ty` and id operands `operands` to the current block.
    pub(super) fn op(&mut self, op: Op, ty: Word, operands: &[Word]) -> BuildResult<Word> {
        let id = self.b.id();
        self.op_with_id(op, ty, id, operands)
    }

    /// [`Self::op`] with result id `id`, allocated earlier (e.g. for a forward reference from
    /// an `OpPhi`).
    pub(super) fn op_with_id(
        &mut self,
        op: Op,
        ty: Word,
        id: Word,
        operands: &[Word],
    ) -> BuildResult<Word> {
        let operands = operands.iter().map(|&w| Operand::IdRef(w)).collect();
        let instruction = Instruction::new(op, Some(ty), Some(id), operands);
        self.b.insert_into_block(InsertPoint::End, instruction)?;
        // Vulkan may fuse `a * b + c` unless told not to; Rust never does (OpenCL's kernels
        // say so once, with `ContractionOff`).
        if self.flavour == Flavour::Vulkan
            && !self.contraction
            && matches!(op, Op::FAdd | Op::FSub | Op::FMul)
        {
            self.b.decorate(id, Decoration::NoContraction, []);
        }
        Ok(id)
    }

    /// Evaluates `expr` (operands left to right) and returns the id of its value.
    pub(super) fn expr(&mut self, expr: &Expr) -> BuildResult<Word> {
        match &expr.kind {
            ExprKind::Literal(literal) => Ok(self.literal(expr.ty, *literal)),
            ExprKind::Param(id) => self.scalar_param(*id),
            ExprKind::Local(id) => self.load_local(*id, expr.ty),
            ExprKind::Element { memory, index } => {
                let index = self.expr(index)?;
                self.load_element(*memory, index)
            }
            ExprKind::Len(memory) => self.memory_len(*memory),
            ExprKind::TensorLayout { tensor, field } => self.tensor_layout(*tensor, *field),
            ExprKind::LocalExtent { local, axis } => self.local_extent(*local, *axis),
            ExprKind::Atomic {
                op,
                memory,
                index,
                operands,
                order,
                scope,
            } => self.atomic(*op, *memory, index, operands, *order, *scope),
            ExprKind::SubGroup { op, args } => self.sub_group(*op, expr.ty, args),
            ExprKind::Call { function, args } => self.call(*function, args),
            ExprKind::Math { fun, args } => self.math(*fun, expr.ty, args),
            ExprKind::Builtin(builtin) => self.builtin(*builtin),
            ExprKind::Unary { op, operand } => {
                let value = self.expr(operand)?;
                self.unary(*op, operand.ty, value)
            }
            ExprKind::Binary { op, lhs, rhs } if op.is_logical() => {
                self.short_circuit(*op, lhs, rhs)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let l = self.expr(lhs)?;
                let r = self.expr(rhs)?;
                self.binary(*op, lhs.ty, l, rhs.ty, r)
            }
            ExprKind::Cast { value } => {
                let id = self.expr(value)?;
                self.cast(value.ty, expr.ty, id)
            }
            ExprKind::Bitcast { value } => {
                let id = self.expr(value)?;
                let ty = self.ty(expr.ty);
                self.op(rspirv::spirv::Op::Bitcast, ty, &[id])
            }
            ExprKind::Select {
                condition,
                accept,
                reject,
            } => self.select(expr.ty, condition, accept, reject),
        }
    }

    /// The constant for `literal` of type `ty` (the check guarantees kind and type agree).
    fn literal(&mut self, ty: Scalar, literal: Literal) -> Word {
        match literal {
            Literal::Bool(value) => self.const_bool(value),
            Literal::Int(bits) => self.const_int(ty, bits),
            Literal::Float(bits) => self.const_float(ty, bits),
        }
    }
}
