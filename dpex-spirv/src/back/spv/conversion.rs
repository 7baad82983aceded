//! `as` casts between scalar types with Rust's rules: integer truncation or extension by the
//! source's signedness, saturating float-to-integer with NaN giving 0, `bool` to 0 or 1.

use rspirv::spirv::{Decoration, Op, Word};

use super::f16::{f16_bits_to_f64, f64_to_f16_bits};
use super::{BuildError, BuildResult, Emitter, Flavour};
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
            return self.float_to_int(from, to, value);
        }
        Err(BuildError::Internal(format!("cast from {from} to {to}")))
    }

    /// Rust's `f as int`: saturates at the integer type's bounds and maps NaN to 0.
    fn float_to_int(&mut self, from: Scalar, to: Scalar, value: Word) -> BuildResult<Word> {
        if self.flavour == Flavour::Vulkan {
            return self.clamped_float_to_int(from, to, value);
        }
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

impl Emitter {
    /// `f as int` without `SaturatedConversion` (it needs `Kernel`; an out-of-range
    /// conversion is undefined in Vulkan): `f` is clamped to the floats of type `from` that
    /// convert in range, converted, then values at or past `2^(bits - 1)` (`2^bits` for
    /// unsigned types) give `MAX` and NaN gives 0.
    fn clamped_float_to_int(&mut self, from: Scalar, to: Scalar, value: Word) -> BuildResult<Word> {
        let ty = self.ty(to);
        let float_ty = self.ty(from);
        let bool_ty = self.ty(Scalar::Bool);
        let (low, limit) = if to.is_signed_int() {
            (
                -(2f64.powi(to.bits() as i32 - 1)),
                2f64.powi(to.bits() as i32 - 1),
            )
        } else {
            (0.0, 2f64.powi(to.bits() as i32))
        };
        let low = self.const_float(from, low.to_bits());
        let highest = self.const_float(from, below(from, limit).to_bits());
        let limit_const = self.const_float(from, limit.to_bits());
        let under = self.op(Op::FOrdLessThan, bool_ty, &[value, low])?;
        let raised = self.op(Op::Select, float_ty, &[under, low, value])?;
        let over = self.op(Op::FOrdGreaterThan, bool_ty, &[raised, highest])?;
        let clamped = self.op(Op::Select, float_ty, &[over, highest, raised])?;
        let op = if to.is_signed_int() {
            Op::ConvertFToS
        } else {
            Op::ConvertFToU
        };
        let converted = self.op(op, ty, &[clamped])?;
        let saturated = self.op(Op::FOrdGreaterThanEqual, bool_ty, &[value, limit_const])?;
        let max = self.const_int(
            to,
            if to.is_signed_int() {
                (1u64 << (to.bits() - 1)) - 1
            } else {
                u64::MAX
            },
        );
        let bounded = self.op(Op::Select, ty, &[saturated, max, converted])?;
        let nan = self.op(Op::IsNan, bool_ty, &[value])?;
        let zero = self.const_zero(to);
        self.op(Op::Select, ty, &[nan, zero, bounded])
    }
}

/// The largest value of float type `ty` below `limit` (a power of two), as an `f64`; the
/// largest finite value when `limit` is past the type's range.
fn below(ty: Scalar, limit: f64) -> f64 {
    match ty {
        Scalar::F16 => {
            let bits = f64_to_f16_bits(limit);
            // 0x7c00 is infinity: the largest finite f16 is then the answer.
            let h = if bits >= 0x7c00 { 0x7bff } else { bits - 1 };
            f16_bits_to_f64(h)
        }
        Scalar::F32 => f64::from(f32::from_bits((limit as f32).to_bits() - 1)),
        _ => f64::from_bits(limit.to_bits() - 1),
    }
}
