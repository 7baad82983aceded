//! Unary and binary operators (all but the short-circuit ones) with Rust's release-build
//! semantics: wrapping integer arithmetic, masked shift amounts, IEEE float comparisons.

use rspirv::spirv::{Op, Word};

use super::{BuildError, BuildResult, Emitter, Flavour};
use crate::ir::{BinaryOp, Scalar, UnaryOp};

/// The type family an operator instruction is chosen by.
#[derive(Clone, Copy)]
enum Family {
    Bool,
    Signed,
    Unsigned,
    Float,
}

fn family(s: Scalar) -> Family {
    if s == Scalar::Bool {
        Family::Bool
    } else if s.is_signed_int() {
        Family::Signed
    } else if s.is_unsigned_int() {
        Family::Unsigned
    } else {
        Family::Float
    }
}

/// The single instruction computing `op` on operands of family `family`, if there is one.
fn binary_op(op: BinaryOp, family: Family) -> Option<Op> {
    use BinaryOp as B;
    use Family::{Bool, Float, Signed, Unsigned};
    Some(match (op, family) {
        (B::Add, Signed | Unsigned) => Op::IAdd,
        (B::Add, Float) => Op::FAdd,
        (B::Sub, Signed | Unsigned) => Op::ISub,
        (B::Sub, Float) => Op::FSub,
        (B::Mul, Signed | Unsigned) => Op::IMul,
        (B::Mul, Float) => Op::FMul,
        (B::Div, Signed) => Op::SDiv,
        (B::Div, Unsigned) => Op::UDiv,
        (B::Div, Float) => Op::FDiv,
        // Rust's `%` takes the dividend's sign: SRem and FRem do, SMod and FMod do not.
        (B::Rem, Signed) => Op::SRem,
        (B::Rem, Unsigned) => Op::UMod,
        (B::Rem, Float) => Op::FRem,
        (B::BitAnd, Signed | Unsigned) => Op::BitwiseAnd,
        (B::BitAnd, Bool) => Op::LogicalAnd,
        (B::BitOr, Signed | Unsigned) => Op::BitwiseOr,
        (B::BitOr, Bool) => Op::LogicalOr,
        (B::BitXor, Signed | Unsigned) => Op::BitwiseXor,
        (B::BitXor, Bool) => Op::LogicalNotEqual,
        (B::Eq, Signed | Unsigned) => Op::IEqual,
        (B::Eq, Float) => Op::FOrdEqual,
        (B::Eq, Bool) => Op::LogicalEqual,
        (B::Ne, Signed | Unsigned) => Op::INotEqual,
        // NaN != NaN is true in Rust: unordered.
        (B::Ne, Float) => Op::FUnordNotEqual,
        (B::Ne, Bool) => Op::LogicalNotEqual,
        (B::Lt, Signed) => Op::SLessThan,
        (B::Lt, Unsigned) => Op::ULessThan,
        (B::Lt, Float) => Op::FOrdLessThan,
        (B::Le, Signed) => Op::SLessThanEqual,
        (B::Le, Unsigned) => Op::ULessThanEqual,
        (B::Le, Float) => Op::FOrdLessThanEqual,
        (B::Gt, Signed) => Op::SGreaterThan,
        (B::Gt, Unsigned) => Op::UGreaterThan,
        (B::Gt, Float) => Op::FOrdGreaterThan,
        (B::Ge, Signed) => Op::SGreaterThanEqual,
        (B::Ge, Unsigned) => Op::UGreaterThanEqual,
        (B::Ge, Float) => Op::FOrdGreaterThanEqual,
        _ => return None,
    })
}

impl Emitter {
    /// `op operand` where `operand` has type `ty`.
    pub(super) fn unary(&mut self, op: UnaryOp, ty: Scalar, operand: Word) -> BuildResult<Word> {
        let instruction = match (op, family(ty)) {
            (UnaryOp::Neg, Family::Signed) => Op::SNegate,
            (UnaryOp::Neg, Family::Float) => Op::FNegate,
            (UnaryOp::Not, Family::Bool) => Op::LogicalNot,
            (UnaryOp::Not, Family::Signed | Family::Unsigned) => Op::Not,
            _ => return Err(BuildError::Internal(format!("unary {op:?} on {ty}"))),
        };
        let result = self.ty(ty);
        self.op(instruction, result, &[operand])
    }

    /// `lhs op rhs` (not `&&`/`||`), with operand types `lhs_ty` and `rhs_ty`.
    pub(super) fn binary(
        &mut self,
        op: BinaryOp,
        lhs_ty: Scalar,
        lhs: Word,
        rhs_ty: Scalar,
        rhs: Word,
    ) -> BuildResult<Word> {
        if op.is_shift() {
            return self.shift(op, lhs_ty, lhs, rhs_ty, rhs);
        }
        let result = self.ty(if op.is_comparison() {
            Scalar::Bool
        } else {
            lhs_ty
        });
        if self.flavour == Flavour::Vulkan && matches!(op, BinaryOp::Div | BinaryOp::Rem) {
            if lhs_ty.is_float() && op == BinaryOp::Rem {
                return self.exact_fmod(lhs_ty, lhs, rhs);
            }
            if lhs_ty.is_signed_int() {
                return self.signed_div_rem(op, lhs_ty, lhs, rhs);
            }
            if matches!(lhs_ty, Scalar::F32 | Scalar::F64)
                && op == BinaryOp::Div
                && !self.plain_divisions()
            {
                return self.vulkan_div(lhs_ty, lhs, rhs);
            }
        }
        if let Some(instruction) = binary_op(op, family(lhs_ty)) {
            return self.op(instruction, result, &[lhs, rhs]);
        }
        // Ordering on bool (false < true): `a < b` is `!a && b`, `a <= b` is `!a || b`.
        let (negated, other, combine) = match op {
            BinaryOp::Lt if lhs_ty == Scalar::Bool => (lhs, rhs, Op::LogicalAnd),
            BinaryOp::Le if lhs_ty == Scalar::Bool => (lhs, rhs, Op::LogicalOr),
            BinaryOp::Gt if lhs_ty == Scalar::Bool => (rhs, lhs, Op::LogicalAnd),
            BinaryOp::Ge if lhs_ty == Scalar::Bool => (rhs, lhs, Op::LogicalOr),
            _ => return Err(BuildError::Internal(format!("binary {op:?} on {lhs_ty}"))),
        };
        let not = self.op(Op::LogicalNot, result, &[negated])?;
        self.op(combine, result, &[not, other])
    }

    /// Signed `lhs / rhs` or `lhs % rhs` for Vulkan, in unsigned arithmetic on the magnitudes:
    /// Vulkan leaves `OpSDiv` and `OpSRem` on negative operands to the driver (NVIDIA's differ
    /// from Rust's), so the quotient truncates towards zero and the remainder takes the
    /// dividend's sign explicitly. Integer types have signedness 0, so `UDiv`/`UMod` take the
    /// operands as they are; `|MIN|` wraps to `MIN`, whose bits are the right magnitude.
    fn signed_div_rem(
        &mut self,
        op: BinaryOp,
        ty: Scalar,
        lhs: Word,
        rhs: Word,
    ) -> BuildResult<Word> {
        let result = self.ty(ty);
        let bool_ty = self.ty(Scalar::Bool);
        let zero = self.const_zero(ty);
        let lhs_negative = self.op(Op::SLessThan, bool_ty, &[lhs, zero])?;
        let lhs_magnitude = self.int_abs(ty, lhs)?;
        let rhs_magnitude = self.int_abs(ty, rhs)?;
        let (magnitude, negative) = if op == BinaryOp::Div {
            let rhs_negative = self.op(Op::SLessThan, bool_ty, &[rhs, zero])?;
            let quotient = self.op(Op::UDiv, result, &[lhs_magnitude, rhs_magnitude])?;
            let signs_differ =
                self.op(Op::LogicalNotEqual, bool_ty, &[lhs_negative, rhs_negative])?;
            (quotient, signs_differ)
        } else {
            let remainder = self.op(Op::UMod, result, &[lhs_magnitude, rhs_magnitude])?;
            (remainder, lhs_negative)
        };
        let negated = self.op(Op::SNegate, result, &[magnitude])?;
        self.op(Op::Select, result, &[negative, negated, magnitude])
    }

    /// `lhs << rhs` / `lhs >> rhs`: the amount is converted to `lhs`'s type and masked to
    /// its width, as Rust's release build does.
    fn shift(
        &mut self,
        op: BinaryOp,
        lhs_ty: Scalar,
        lhs: Word,
        rhs_ty: Scalar,
        rhs: Word,
    ) -> BuildResult<Word> {
        let ty = self.ty(lhs_ty);
        // Truncating or zero-extending keeps the low bits, and the mask keeps only those.
        let amount = if rhs_ty.bits() == lhs_ty.bits() {
            rhs
        } else {
            self.op(Op::UConvert, ty, &[rhs])?
        };
        let mask = self.const_int(lhs_ty, u64::from(lhs_ty.bits() - 1));
        let amount = self.op(Op::BitwiseAnd, ty, &[amount, mask])?;
        let instruction = match op {
            BinaryOp::Shl => Op::ShiftLeftLogical,
            _ if lhs_ty.is_signed_int() => Op::ShiftRightArithmetic,
            _ => Op::ShiftRightLogical,
        };
        self.op(instruction, ty, &[lhs, amount])
    }
}
