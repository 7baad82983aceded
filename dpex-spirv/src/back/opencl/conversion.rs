//! `as` casts between scalar types with Rust's rules: integer truncation or extension by the
//! source's signedness, saturating float-to-integer with NaN giving 0, `bool` to 0 or 1.

use rspirv::spirv::{Decoration, Op, Word};

use super::{BuildError, BuildResult, Emitter};
use crate::ir::Scalar;

impl Emitter {
    /// Converts `value` of type `from` to type `to`.
    pub(super) fn cast(&mut self, from: Scalar, to: Scalar, value: Word) -> BuildResult<Word> {
        if from == to {
            return Ok(value);
        }
        let ty = self.ty(to);
        if from == Scalar::Bool && to.is_int() {
            let one = self.const_int(to, 1);
            let zero = self.const_zero(to);
            return self.op(Op::Select, ty, &[value, one, zero]);
        }
        if from.is_int() && to.is_int() {
            // All integer types have signedness 0: one width means one SPIR-V type.
            if from.bits() == to.bits() {
                return Ok(value);
            }
            let op = if from.bits() < to.bits() && from.is_signed_int() {
                Op::SConvert
            } else {
                Op::UConvert
            };
            return self.op(op, ty, &[value]);
        }
        if from.is_int() && to.is_float() {
            let op = if from.is_signed_int() {
                Op::ConvertSToF
            } else {
                Op::ConvertUToF
            };
            return self.op(op, ty, &[value]);
        }
        if from.is_float() && to.is_float() {
            return self.op(Op::FConvert, ty, &[value]);
        }
        if from.is_float() && to.is_int() {
            return self.float_to_int(to, value);
        }
        Err(BuildError(format!("cast from {from} to {to}")))
    }

    /// Rust's `f as int`: saturates at the integer type's bounds and maps NaN to 0.
    fn float_to_int(&mut self, to: Scalar, value: Word) -> BuildResult<Word> {
        let ty = self.ty(to);
        let op = if to.is_signed_int() {
            Op::ConvertFToS
        } else {
            Op::ConvertFToU
        };
        let converted = self.op(op, ty, &[value])?;
        self.b
            .decorate(converted, Decoration::SaturatedConversion, []);
        let bool_ty = self.ty(Scalar::Bool);
        let nan = self.op(Op::IsNan, bool_ty, &[value])?;
        let zero = self.const_zero(to);
        self.op(Op::Select, ty, &[nan, zero, converted])
    }
}
