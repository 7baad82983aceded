//! Math functions of the Vulkan flavour: `GLSL.std.450` where it computes what Rust does
//! (never `OpenCL.std`, which NVIDIA's Vulkan driver does not take), core instructions where it
//! does not, and dpex's IR math library (`library`) for the transcendental functions.
//!
//! - `abs` on integers is `x < 0 ? -x : x` (wrapping, as `i32::MIN.abs()` in release builds);
//! - `round` takes half-way cases away from zero: `t = trunc(x)`, then `t + copysign(1, x)` when
//!   `|x - t| >= 0.5` (`x - t` is exact);
//! - `copysign` (also behind `signum`) works on the bits;
//! - float `min`/`max` are `NMin`/`NMax` (a NaN operand gives the other);
//! - `leading_zeros`, `trailing_zeros`, `count_ones` use `FindUMsb`, `FindILsb` and
//!   `OpBitCount` on 32 bits, which is all Vulkan takes: 8- and 16-bit operands are widened,
//!   64-bit ones split into halves;
//! - `mul_add` is `Fma` when the specialization constant `FUSED_FMA_SPEC_ID` says the device's
//!   `Fma` is fused, the library's exact emulation otherwise.

use rspirv::spirv::{GlslStd450Op as Glsl, Op, SelectionControl, Word};

use super::library::missing;
use super::{BuildError, BuildResult, Emitter};
use crate::ir::{MathFunction as M, Scalar};

/// The unsigned integer type holding the bits of float type `s`.
pub(super) fn float_bits(s: Scalar) -> Scalar {
    match s.bits() {
        16 => Scalar::U16,
        32 => Scalar::U32,
        _ => Scalar::U64,
    }
}

impl Emitter {
    /// The `GLSL.std.450` instruction `instruction` with result type `ty` on `operands`.
    pub(super) fn glsl(
        &mut self,
        instruction: Glsl,
        ty: Scalar,
        operands: &[Word],
    ) -> BuildResult<Word> {
        self.ext_inst(instruction as u32, ty, operands)
    }

    /// `fun(values)` for Vulkan with result type `ty` and first operand type `operand`, or
    /// `None` for the functions both flavours build from core instructions.
    pub(super) fn vulkan_math(
        &mut self,
        fun: M,
        ty: Scalar,
        operand: Scalar,
        values: &[Word],
    ) -> BuildResult<Option<Word>> {
        let x = *values
            .first()
            .ok_or_else(|| BuildError::Internal(format!("{fun:?} without operands")))?;
        let float = operand.is_float();
        let signed = operand.is_signed_int();
        let glsl = match fun {
            M::Abs if float => Glsl::FAbs,
            M::Abs => return self.int_abs(ty, x).map(Some),
            M::Sqrt if matches!(ty, Scalar::F32 | Scalar::F64) => {
                return self.vulkan_sqrt(ty, x).map(Some)
            }
            M::Sqrt => Glsl::Sqrt,
            M::Rsqrt => Glsl::InverseSqrt,
            M::Floor => Glsl::Floor,
            M::Ceil => Glsl::Ceil,
            M::Trunc => Glsl::Trunc,
            M::Round => return self.round_away(ty, x).map(Some),
            M::Min if float => Glsl::NMin,
            M::Min if signed => Glsl::SMin,
            M::Min => Glsl::UMin,
            M::Max if float => Glsl::NMax,
            M::Max if signed => Glsl::SMax,
            M::Max => Glsl::UMax,
            M::Clamp if signed => Glsl::SClamp,
            M::Clamp if !float => Glsl::UClamp,
            M::LeadingZeros | M::TrailingZeros | M::CountOnes => {
                return self.bit_count(fun, operand, x).map(Some)
            }
            M::MulAdd => return self.mul_add(ty, values).map(Some),
            M::Copysign => match values {
                &[magnitude, sign] => return self.copysign_bits(ty, magnitude, sign).map(Some),
                _ => return Err(BuildError::Internal("copysign without 2 operands".into())),
            },
            M::Cbrt
            | M::Exp
            | M::Exp2
            | M::Ln
            | M::Log2
            | M::Log10
            | M::Powf
            | M::Powi
            | M::Sin
            | M::Cos
            | M::Tan
            | M::Asin
            | M::Acos
            | M::Atan
            | M::Atan2
            | M::Sinh
            | M::Cosh
            | M::Tanh
            | M::Hypot
            | M::Erf
            | M::Erfc
            | M::Asinh
            | M::Acosh
            | M::Atanh
            | M::ExpM1
            | M::Ln1p
            | M::Ldexp
            | M::Gamma
            | M::LnGamma => return self.library_call(fun, ty, values).map(Some),
            _ => return Ok(None),
        };
        self.glsl(glsl, ty, values).map(Some)
    }

    /// Integer `x.abs()`, wrapping: `x < 0 ? -x : x`.
    pub(super) fn int_abs(&mut self, ty: Scalar, x: Word) -> BuildResult<Word> {
        let result = self.ty(ty);
        let bool_ty = self.ty(Scalar::Bool);
        let zero = self.const_zero(ty);
        let negative = self.op(Op::SLessThan, bool_ty, &[x, zero])?;
        let negated = self.op(Op::SNegate, result, &[x])?;
        self.op(Op::Select, result, &[negative, negated, x])
    }

    /// `x.round()`, half-way cases away from zero (GLSL's `Round` leaves them open).
    fn round_away(&mut self, ty: Scalar, x: Word) -> BuildResult<Word> {
        let result = self.ty(ty);
        let bool_ty = self.ty(Scalar::Bool);
        let truncated = self.glsl(Glsl::Trunc, ty, &[x])?;
        let rest = self.op(Op::FSub, result, &[x, truncated])?;
        let distance = self.glsl(Glsl::FAbs, ty, &[rest])?;
        let half = self.const_float(ty, 0.5f64.to_bits());
        let up = self.op(Op::FOrdGreaterThanEqual, bool_ty, &[distance, half])?;
        let one = self.const_float(ty, 1f64.to_bits());
        let step = self.copysign_bits(ty, one, x)?;
        let away = self.op(Op::FAdd, result, &[truncated, step])?;
        self.op(Op::Select, result, &[up, away, truncated])
    }

    /// `magnitude.copysign(sign)` on the bits: `magnitude`'s bits but the sign bit, then
    /// `sign`'s sign bit.
    pub(super) fn copysign_bits(
        &mut self,
        ty: Scalar,
        magnitude: Word,
        sign: Word,
    ) -> BuildResult<Word> {
        let bits = float_bits(ty);
        let bits_ty = self.ty(bits);
        let sign_bit = 1u64 << (bits.bits() - 1);
        let sign_mask = self.const_int(bits, sign_bit);
        let rest_mask = self.const_int(bits, !sign_bit);
        let magnitude = self.op(Op::Bitcast, bits_ty, &[magnitude])?;
        let sign = self.op(Op::Bitcast, bits_ty, &[sign])?;
        let magnitude = self.op(Op::BitwiseAnd, bits_ty, &[magnitude, rest_mask])?;
        let sign = self.op(Op::BitwiseAnd, bits_ty, &[sign, sign_mask])?;
        let combined = self.op(Op::BitwiseOr, bits_ty, &[magnitude, sign])?;
        let result = self.ty(ty);
        self.op(Op::Bitcast, result, &[combined])
    }

    /// `leading_zeros`, `trailing_zeros` or `count_ones` of `x` (of type `operand`) as a
    /// `u32`, on 32-bit values only.
    fn bit_count(&mut self, fun: M, operand: Scalar, x: Word) -> BuildResult<Word> {
        let u32_ty = self.ty(Scalar::U32);
        let width = operand.bits();
        if width == 64 {
            let shift = self.const_int(Scalar::U64, 32);
            let u64_ty = self.ty(Scalar::U64);
            let high = self.op(Op::ShiftRightLogical, u64_ty, &[x, shift])?;
            let high = self.op(Op::UConvert, u32_ty, &[high])?;
            let low = self.op(Op::UConvert, u32_ty, &[x])?;
            if fun == M::CountOnes {
                let high = self.op(Op::BitCount, u32_ty, &[high])?;
                let low = self.op(Op::BitCount, u32_ty, &[low])?;
                return self.op(Op::IAdd, u32_ty, &[high, low]);
            }
            // The half counted first decides unless it is zero.
            let (first, second) = match fun {
                M::LeadingZeros => (high, low),
                _ => (low, high),
            };
            let in_first = self.count_32(fun, first, 32)?;
            let in_second = self.count_32(fun, second, 32)?;
            let thirty_two = self.const_u32(32);
            let past_first = self.op(Op::IAdd, u32_ty, &[thirty_two, in_second])?;
            let bool_ty = self.ty(Scalar::Bool);
            let zero = self.const_zero(Scalar::U32);
            let first_zero = self.op(Op::IEqual, bool_ty, &[first, zero])?;
            return self.op(Op::Select, u32_ty, &[first_zero, past_first, in_first]);
        }
        let wide = if width == 32 {
            x
        } else {
            self.op(Op::UConvert, u32_ty, &[x])?
        };
        let count = self.count_32(fun, wide, width)?;
        if fun == M::LeadingZeros && width < 32 {
            // The widened value has `32 - width` more leading zeros.
            let extra = self.const_u32(32 - width);
            return self.op(Op::ISub, u32_ty, &[count, extra]);
        }
        Ok(count)
    }

    /// `fun` of the `u32` `x` (zero-extended from `width` bits): the value for 0 is 32
    /// leading zeros, `width` trailing zeros.
    fn count_32(&mut self, fun: M, x: Word, width: u32) -> BuildResult<Word> {
        let u32_ty = self.ty(Scalar::U32);
        match fun {
            M::CountOnes => self.op(Op::BitCount, u32_ty, &[x]),
            M::LeadingZeros => {
                // `FindUMsb(0)` is -1, so `31 - msb` is 32 for 0, wrapping.
                let msb = self.glsl(Glsl::FindUMsb, Scalar::U32, &[x])?;
                let thirty_one = self.const_u32(31);
                self.op(Op::ISub, u32_ty, &[thirty_one, msb])
            }
            _ => {
                let lsb = self.glsl(Glsl::FindILsb, Scalar::U32, &[x])?;
                let bool_ty = self.ty(Scalar::Bool);
                let zero = self.const_zero(Scalar::U32);
                let is_zero = self.op(Op::IEqual, bool_ty, &[x, zero])?;
                let all = self.const_u32(width);
                self.op(Op::Select, u32_ty, &[is_zero, all, lsb])
            }
        }
    }

    /// `x.mul_add(a, b)`: `Fma` when the device's is fused (the specialization constant),
    /// else the math library's exact emulation; a branch on the constant, which the driver
    /// folds.
    fn mul_add(&mut self, ty: Scalar, values: &[Word]) -> BuildResult<Word> {
        let emulated = self
            .library_function(M::MulAdd, ty)
            .ok_or_else(|| missing(M::MulAdd, ty))?;
        let fused = self.fused_fma();
        let (fused_label, emulated_label, merge) = (self.b.id(), self.b.id(), self.b.id());
        self.b.selection_merge(merge, SelectionControl::NONE)?;
        self.b
            .branch_conditional(fused, fused_label, emulated_label, [])?;
        self.begin_block(fused_label)?;
        let by_device = self.glsl(Glsl::Fma, ty, values)?;
        self.branch(merge)?;
        self.begin_block(emulated_label)?;
        let by_library = self.call_id(emulated, Some(ty), values)?;
        self.branch(merge)?;
        self.begin_block(merge)?;
        let result = self.ty(ty);
        Ok(self.b.phi(
            result,
            None,
            [(by_device, fused_label), (by_library, emulated_label)],
        )?)
    }
}
