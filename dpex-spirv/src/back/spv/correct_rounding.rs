//! Rust's float `/` and `sqrt` for Vulkan, correctly rounded: Vulkan lets `OpFDiv` be 2.5 ulp
//! and `Sqrt` 3 ulp off (the NVIDIA H200's are off in `f32` and `f64`), so where the
//! specialization constant [`CORRECT_DIV_SQRT_SPEC_ID`] says the device's division and square
//! root are not known to be correctly rounded and [`FUSED_FMA_SPEC_ID`] says its `Fma` is
//! fused, the device's result is refined with exact residuals. `p` is the precision (24 or 53
//! bits); the safe range `[2^-L, 2^L]` (`L` = 80 in `f32`, 900 in `f64`) keeps every residual
//! exact and normal.
//!
//! Division:
//!
//! ```text
//! f = |b| > 2^L ? 2^-S : |b| < 2^-L ? 2^S : 1  // S = 48 / 256: the device's reciprocal of
//! b' = b * f                          // a huge b underflows (NVIDIA: inf / MAX = NaN)
//! q0 = a / b'                         // the device's, a few ulps off
//! q1 = q0 + fma(-q0, b', a) / b'      // within 0.5 ulp + 2^-(p-4) ulp of a / b'
//! r1 = fma(-q1, b', a)                // exact: |b'| * |a/b' - q1|, with its sign
//! qn = q1's neighbour towards a / b'  // on the bits
//! q = |fma(-qn, b', a)| < |r1| ? qn : q1
//! result = q * f                      // a subnormal result from q rounded to odd first
//! ```
//!
//! The refinement applies where `|a|` is finite and at least `2^-L`, `|b'|` lies in the safe range and `q0` is well
//! inside the normal range (`2^(3-bias)..=2^(bias-1)`); a quotient of two floats is never a
//! midpoint there, so the nearer candidate is the correctly rounded one.
//! Elsewhere (and for zeros, infinities and NaNs) the device's quotient of the scaled operands
//! is kept. A device that needs no refinement divides the operands as they are.
//!
//! Square root, of finite `a >= 2^-L` (elsewhere the device's root is kept):
//!
//! ```text
//! s0 = sqrt(a)                          // the device's, a few ulps off
//! s1 = s0 + fma(-s0, s0, a) / (s0 + s0) // within 0.5 ulp + 2^-(p-4) ulp of sqrt(a)
//! r = fma(-s1, s1, a)                   // a - s1^2, exact wherever the decision is close
//! u = ulp(s1); d = ulp below s1 (u / 2 when s1 is a power of two, else u)
//! result = r > s1 * u ? next_up(s1) : r <= -(s1 * d) ? next_down(s1) : s1
//! ```
//!
//! With `s1 = k * u`, `a - s1^2` is a whole multiple `n * u^2`, and `sqrt(a)` lies beyond the
//! midpoint above `s1` exactly when `n > k` (below: when `n <= -k`, or `-k / 2` next to a
//! power of two); `|n|` is below `2^p` in those cases, so `r` is exact there.
//!
//! [`CORRECT_DIV_SQRT_SPEC_ID`]: dpex_abi::vulkan::CORRECT_DIV_SQRT_SPEC_ID
//! [`FUSED_FMA_SPEC_ID`]: dpex_abi::vulkan::FUSED_FMA_SPEC_ID

use rspirv::spirv::{GlslStd450Op as Glsl, Op, Word};

use super::glsl::float_bits;
use super::{BuildResult, Emitter};
use crate::ir::Scalar;

/// The constants of the refinement in one precision.
#[derive(Clone, Copy)]
struct Format {
    /// Significand bits after the point (23, 52).
    fraction_bits: u32,
    /// The exponent field's mask.
    exponent_mask: u64,
    /// `L`: the safe range is `[2^-L, 2^L]`.
    safe_exponent: i32,
    /// `S`: divisors beyond the safe range are scaled by `2^-S` or `2^S`.
    divisor_scale: i32,
    /// The exponent bias (127, 1023): `2^bias` is the largest power of two.
    bias: i32,
    /// The largest finite value.
    max: f64,
}

/// The [`Format`] of `ty` (`f32` or `f64`).
fn format(ty: Scalar) -> Format {
    if ty == Scalar::F32 {
        Format {
            fraction_bits: 23,
            exponent_mask: 0x7f80_0000,
            safe_exponent: 80,
            divisor_scale: 48,
            bias: 127,
            max: f32::MAX as f64,
        }
    } else {
        Format {
            fraction_bits: 52,
            exponent_mask: 0x7ff0_0000_0000_0000,
            safe_exponent: 900,
            divisor_scale: 256,
            bias: 1023,
            max: f64::MAX,
        }
    }
}

impl Emitter {
    /// `lhs / rhs` on `f32` or `f64` for Vulkan, correctly rounded where the device needs it
    /// (see the module documentation).
    pub(super) fn vulkan_div(&mut self, ty: Scalar, lhs: Word, rhs: Word) -> BuildResult<Word> {
        let fmt = format(ty);
        let float_ty = self.ty(ty);
        let bool_ty = self.ty(Scalar::Bool);
        let (l, bias) = (fmt.safe_exponent, fmt.bias);
        // Operands beyond the safe range are scaled into it by powers of two first, and the
        // quotient back after (all exact but a subnormal quotient's last rounding).
        let high = self.power_of_two(ty, l);
        let low = self.power_of_two(ty, -l);
        let down = self.power_of_two(ty, -fmt.divisor_scale);
        let up = self.power_of_two(ty, fmt.divisor_scale);
        let one = self.const_float(ty, 1f64.to_bits());
        let rhs_size = self.glsl(Glsl::FAbs, ty, &[rhs])?;
        let huge = self.op(Op::FOrdGreaterThan, bool_ty, &[rhs_size, high])?;
        let tiny = self.op(Op::FOrdLessThan, bool_ty, &[rhs_size, low])?;
        let small_factor = self.op(Op::Select, float_ty, &[tiny, up, one])?;
        let rhs_factor = self.op(Op::Select, float_ty, &[huge, down, small_factor])?;
        let divisor = self.op(Op::FMul, float_ty, &[rhs, rhs_factor])?;
        let lhs_size = self.glsl(Glsl::FAbs, ty, &[lhs])?;
        let lhs_tiny = self.op(Op::FOrdLessThan, bool_ty, &[lhs_size, low])?;
        let lhs_factor = self.op(Op::Select, float_ty, &[lhs_tiny, up, one])?;
        let dividend = self.op(Op::FMul, float_ty, &[lhs, lhs_factor])?;
        let rhs_factor_down = self.op(Op::FMul, float_ty, &[rhs_factor, down])?;
        let factor = self.op(
            Op::Select,
            float_ty,
            &[lhs_tiny, rhs_factor_down, rhs_factor],
        )?;
        let quotient = self.op(Op::FDiv, float_ty, &[dividend, divisor])?;
        let residual = |e: &mut Emitter, q: Word, b: Word, a: Word| -> BuildResult<Word> {
            let minus_q = e.op(Op::FNegate, float_ty, &[q])?;
            e.glsl(Glsl::Fma, ty, &[minus_q, b, a])
        };
        let r0 = residual(self, quotient, divisor, dividend)?;
        let correction = self.op(Op::FDiv, float_ty, &[r0, divisor])?;
        let q1 = self.op(Op::FAdd, float_ty, &[quotient, correction])?;
        let r1 = residual(self, q1, divisor, dividend)?;
        let zero = self.const_zero(ty);
        let (neighbour, rn) = self.neighbour_towards(ty, q1, r1, divisor, |e, q| {
            residual(e, q, divisor, dividend)
        })?;
        let rn_size = self.glsl(Glsl::FAbs, ty, &[rn])?;
        let r1_size = self.glsl(Glsl::FAbs, ty, &[r1])?;
        let nearer = self.op(Op::FOrdLessThan, bool_ty, &[rn_size, r1_size])?;
        let refined = self.op(Op::Select, float_ty, &[nearer, neighbour, q1])?;
        let p2 = |k: i32| 2f64.powi(k);
        let exact = self.all_within(
            ty,
            &[
                (dividend, p2(-l), fmt.max),
                (divisor, p2(-l), p2(l)),
                (quotient, p2(3 - bias), p2(bias - 1)),
            ],
        )?;
        let refine = self.needs_refining(exact)?;
        let chosen = self.op(Op::Select, float_ty, &[refine, refined, quotient])?;
        let scaled = self.op(Op::FMul, float_ty, &[chosen, factor])?;
        // A subnormal result rounds twice (to p bits, then to the subnormal's). Rounding the
        // first time to odd (the odd one of q1 and its neighbour when inexact) makes the
        // second rounding right wherever the subnormal has at most p - 2 bits; in f64 the
        // nearer of the result and its neighbour towards a / b on the subnormal grid is then
        // taken (exact residuals, ties to even).
        let r_chosen = self.op(Op::Select, float_ty, &[nearer, rn, r1])?;
        let inexact = self.op(Op::FUnordNotEqual, bool_ty, &[r_chosen, zero])?;
        let odd_candidate = self.odd_one(ty, q1, neighbour)?;
        let to_odd = self.op(Op::Select, float_ty, &[inexact, odd_candidate, chosen])?;
        let odd_scaled = self.op(Op::FMul, float_ty, &[to_odd, factor])?;
        let scaled_size = self.glsl(Glsl::FAbs, ty, &[scaled])?;
        let smallest_normal = self.power_of_two(ty, 1 - bias);
        let subnormal = self.op(Op::FOrdLessThan, bool_ty, &[scaled_size, smallest_normal])?;
        let round_odd = self.op(Op::LogicalAnd, bool_ty, &[refine, subnormal])?;
        let rounded = self.op(Op::Select, float_ty, &[round_odd, odd_scaled, scaled])?;
        // The subnormal-grid decision, on the scaled operands (`rounded / factor` is normal
        // and exact): the residuals' granule is about 2^-2p * |a'|, normal in f64.
        let rhs_inverse_small = self.op(Op::Select, float_ty, &[tiny, down, one])?;
        let rhs_inverse = self.op(Op::Select, float_ty, &[huge, up, rhs_inverse_small])?;
        let rhs_inverse_up = self.op(Op::FMul, float_ty, &[rhs_inverse, up])?;
        let inverse = self.op(
            Op::Select,
            float_ty,
            &[lhs_tiny, rhs_inverse_up, rhs_inverse],
        )?;
        let scaled_residual = |e: &mut Emitter, q: Word| -> BuildResult<Word> {
            let unscaled = e.op(Op::FMul, float_ty, &[q, inverse])?;
            residual(e, unscaled, divisor, dividend)
        };
        let rc = scaled_residual(self, rounded)?;
        let (other, ro) = self.neighbour_towards(ty, rounded, rc, divisor, scaled_residual)?;
        let rc_size = self.glsl(Glsl::FAbs, ty, &[rc])?;
        let ro_size = self.glsl(Glsl::FAbs, ty, &[ro])?;
        let other_nearer = self.op(Op::FOrdLessThan, bool_ty, &[ro_size, rc_size])?;
        let tie = self.op(Op::FOrdEqual, bool_ty, &[ro_size, rc_size])?;
        let odd = self.odd_one(ty, other, rounded)?;
        let other_even = self.op(Op::FOrdEqual, bool_ty, &[odd, rounded])?;
        let tie_to_other = self.op(Op::LogicalAnd, bool_ty, &[tie, other_even])?;
        let take_other = self.op(Op::LogicalOr, bool_ty, &[other_nearer, tie_to_other])?;
        // f64 only: the devices that need the refinement flush f32 subnormals (the H200).
        let grid = self.const_bool(ty == Scalar::F64);
        let second = self.op(Op::LogicalAnd, bool_ty, &[round_odd, grid])?;
        let second = self.op(Op::LogicalAnd, bool_ty, &[second, take_other])?;
        let fitted = self.op(Op::Select, float_ty, &[second, other, rounded])?;
        // A device whose division is right (or that cannot refine) divides as it is.
        let always = self.const_bool(true);
        let fit = self.needs_refining(always)?;
        let plain = self.op(Op::FDiv, float_ty, &[lhs, rhs])?;
        self.op(Op::Select, float_ty, &[fit, fitted, plain])
    }

    /// The neighbour of `q` towards `a / b`, given `q`'s residual `r = a - q * b` (`residual`
    /// computes another's), and the neighbour's residual: away from zero when `a / b` is
    /// beyond `q` (a zero's neighbour is then the smallest subnormal of its sign).
    fn neighbour_towards(
        &mut self,
        ty: Scalar,
        q: Word,
        r: Word,
        b: Word,
        residual: impl Fn(&mut Emitter, Word) -> BuildResult<Word>,
    ) -> BuildResult<(Word, Word)> {
        let bool_ty = self.ty(Scalar::Bool);
        let zero = self.const_zero(ty);
        let r_positive = self.op(Op::FOrdGreaterThan, bool_ty, &[r, zero])?;
        let b_positive = self.op(Op::FOrdGreaterThan, bool_ty, &[b, zero])?;
        let above = self.op(Op::LogicalEqual, bool_ty, &[r_positive, b_positive])?;
        let q_negative = self.op(Op::FOrdLessThan, bool_ty, &[q, zero])?;
        let q_positive = self.op(Op::LogicalNot, bool_ty, &[q_negative])?;
        let away_up = self.op(Op::LogicalAnd, bool_ty, &[above, q_positive])?;
        let below = self.op(Op::LogicalNot, bool_ty, &[above])?;
        let away_down = self.op(Op::LogicalAnd, bool_ty, &[below, q_negative])?;
        let q_zero = self.op(Op::FOrdEqual, bool_ty, &[q, zero])?;
        let away = self.op(Op::LogicalOr, bool_ty, &[away_up, away_down])?;
        let away = self.op(Op::LogicalOr, bool_ty, &[away, q_zero])?;
        let neighbour = self.neighbour(ty, q, away)?;
        let rn = residual(self, neighbour)?;
        Ok((neighbour, rn))
    }

    /// Of two neighbouring floats `x` and `y`, the one whose last significand bit is 1.
    fn odd_one(&mut self, ty: Scalar, x: Word, y: Word) -> BuildResult<Word> {
        let bool_ty = self.ty(Scalar::Bool);
        let float_ty = self.ty(ty);
        let bits_ty = self.ty(float_bits(ty));
        let bits = self.op(Op::Bitcast, bits_ty, &[x])?;
        let one = self.const_int(float_bits(ty), 1);
        let last_bit = self.op(Op::BitwiseAnd, bits_ty, &[bits, one])?;
        let x_odd = self.op(Op::IEqual, bool_ty, &[last_bit, one])?;
        self.op(Op::Select, float_ty, &[x_odd, x, y])
    }

    /// `x.sqrt()` on `f32` or `f64` for Vulkan, correctly rounded where the device needs it
    /// (see the module documentation).
    pub(super) fn vulkan_sqrt(&mut self, ty: Scalar, a: Word) -> BuildResult<Word> {
        let fmt = format(ty);
        let float_ty = self.ty(ty);
        let bits_ty = self.ty(float_bits(ty));
        let bool_ty = self.ty(Scalar::Bool);
        let root = self.glsl(Glsl::Sqrt, ty, &[a])?;
        let residual = |e: &mut Emitter, s: Word| -> BuildResult<Word> {
            let minus_s = e.op(Op::FNegate, float_ty, &[s])?;
            e.glsl(Glsl::Fma, ty, &[minus_s, s, a])
        };
        let r0 = residual(self, root)?;
        let twice = self.op(Op::FAdd, float_ty, &[root, root])?;
        let correction = self.op(Op::FDiv, float_ty, &[r0, twice])?;
        let s1 = self.op(Op::FAdd, float_ty, &[root, correction])?;
        let r = residual(self, s1)?;
        // ulp(s1) = 2^(exponent - fraction bits): the exponent bits times 2^-fraction bits.
        let bits = self.op(Op::Bitcast, bits_ty, &[s1])?;
        let exponent_mask = self.const_int(float_bits(ty), fmt.exponent_mask);
        let exponent_bits = self.op(Op::BitwiseAnd, bits_ty, &[bits, exponent_mask])?;
        let power = self.op(Op::Bitcast, float_ty, &[exponent_bits])?;
        let scale = self.power_of_two(ty, -(fmt.fraction_bits as i32));
        let ulp = self.op(Op::FMul, float_ty, &[power, scale])?;
        let half = self.const_float(ty, 0.5f64.to_bits());
        let half_ulp = self.op(Op::FMul, float_ty, &[ulp, half])?;
        let is_power = self.op(Op::IEqual, bool_ty, &[bits, exponent_bits])?;
        let ulp_below = self.op(Op::Select, float_ty, &[is_power, half_ulp, ulp])?;
        let above_limit = self.op(Op::FMul, float_ty, &[s1, ulp])?;
        let below = self.op(Op::FMul, float_ty, &[s1, ulp_below])?;
        let below_limit = self.op(Op::FNegate, float_ty, &[below])?;
        let up = self.op(Op::FOrdGreaterThan, bool_ty, &[r, above_limit])?;
        let down = self.op(Op::FOrdLessThanEqual, bool_ty, &[r, below_limit])?;
        let one = self.const_int(float_bits(ty), 1);
        let next_up = self.op(Op::IAdd, bits_ty, &[bits, one])?;
        let next_down = self.op(Op::ISub, bits_ty, &[bits, one])?;
        let lower = self.op(Op::Select, bits_ty, &[down, next_down, bits])?;
        let chosen = self.op(Op::Select, bits_ty, &[up, next_up, lower])?;
        let refined = self.op(Op::Bitcast, float_ty, &[chosen])?;
        let exact = self.all_within(ty, &[(a, 2f64.powi(-fmt.safe_exponent), fmt.max)])?;
        let refine = self.needs_refining(exact)?;
        self.op(Op::Select, float_ty, &[refine, refined, root])
    }

    /// The neighbour of the finite non-zero `x` away from zero (`away`) or towards it, on the
    /// bits.
    fn neighbour(&mut self, ty: Scalar, x: Word, away: Word) -> BuildResult<Word> {
        let bits_ty = self.ty(float_bits(ty));
        let float_ty = self.ty(ty);
        let bits = self.op(Op::Bitcast, bits_ty, &[x])?;
        let one = self.const_int(float_bits(ty), 1);
        let up = self.op(Op::IAdd, bits_ty, &[bits, one])?;
        let down = self.op(Op::ISub, bits_ty, &[bits, one])?;
        let chosen = self.op(Op::Select, bits_ty, &[away, up, down])?;
        self.op(Op::Bitcast, float_ty, &[chosen])
    }

    /// The constant `2^k` of float type `ty`.
    fn power_of_two(&mut self, ty: Scalar, k: i32) -> Word {
        self.const_float(ty, 2f64.powi(k).to_bits())
    }

    /// Whether every `(x, lo, hi)` of `bounds` has `lo <= |x| <= hi`.
    fn all_within(&mut self, ty: Scalar, bounds: &[(Word, f64, f64)]) -> BuildResult<Word> {
        let bool_ty = self.ty(Scalar::Bool);
        let mut all = self.const_bool(true);
        for &(x, lo, hi) in bounds {
            let size = self.glsl(Glsl::FAbs, ty, &[x])?;
            let low = self.const_float(ty, lo.to_bits());
            let high = self.const_float(ty, hi.to_bits());
            let above_low = self.op(Op::FOrdGreaterThanEqual, bool_ty, &[size, low])?;
            let below_high = self.op(Op::FOrdLessThanEqual, bool_ty, &[size, high])?;
            let inside = self.op(Op::LogicalAnd, bool_ty, &[above_low, below_high])?;
            all = self.op(Op::LogicalAnd, bool_ty, &[all, inside])?;
        }
        Ok(all)
    }

    /// Whether to refine a result: where `exact` holds, on a device that needs the refinement
    /// (not correctly rounded) and can do it (fused `Fma`).
    fn needs_refining(&mut self, exact: Word) -> BuildResult<Word> {
        let bool_ty = self.ty(Scalar::Bool);
        let correct = self.correct_div_sqrt();
        let needed = self.op(Op::LogicalNot, bool_ty, &[correct])?;
        let fused = self.fused_fma();
        let possible = self.op(Op::LogicalAnd, bool_ty, &[needed, fused])?;
        self.op(Op::LogicalAnd, bool_ty, &[possible, exact])
    }
}

#[cfg(test)]
mod tests {
    //! The refinements of the module documentation on the host, from first results a few ulps
    //! off (as a device's may be), against the host's correctly rounded `/` and `sqrt`.

    /// The host model of one precision's refinements.
    macro_rules! model {
        ($module:ident, $t:ident, $bits:ty, $fraction:expr, $mask:expr, $safe:expr, $scale:expr, $bias:expr, $grid:expr) => {
            mod $module {
                /// `2^k` in this precision.
                fn pow2(k: i32) -> $t {
                    (2.0 as $t).powi(k)
                }

                fn within(x: $t, lo: i32, hi: i32) -> bool {
                    (pow2(lo)..=pow2(hi)).contains(&x.abs())
                }

                /// `x` moved by `ulps` units in the last place, on the bits.
                pub fn perturbed(x: $t, ulps: i32) -> $t {
                    $t::from_bits((x.to_bits() as i64 + i64::from(ulps)) as $bits)
                }

                /// The neighbour of `q` towards `a / b`, given `q`'s residual `r`.
                fn towards(q: $t, r: $t, b: $t) -> $t {
                    let above = (r > 0.0) == (b > 0.0);
                    let negative = q < 0.0;
                    let away = (above && !negative) || (!above && negative) || q == 0.0;
                    let bits = q.to_bits();
                    $t::from_bits(if away {
                        bits.wrapping_add(1)
                    } else {
                        bits.wrapping_sub(1)
                    })
                }

                /// Of two neighbours, the odd one.
                fn odd_one(x: $t, y: $t) -> $t {
                    if x.to_bits() & 1 == 1 {
                        x
                    } else {
                        y
                    }
                }

                /// The division refinement, from the first quotient `first(a', b')`.
                pub fn div(a: $t, b: $t, first: impl Fn($t, $t) -> $t) -> $t {
                    let rhs_factor = if b.abs() > pow2($safe) {
                        pow2(-$scale)
                    } else if b.abs() < pow2(-$safe) {
                        pow2($scale)
                    } else {
                        1.0
                    };
                    let lhs_tiny = a.abs() < pow2(-$safe);
                    let dividend = if lhs_tiny { a * pow2($scale) } else { a };
                    let factor = if lhs_tiny {
                        rhs_factor * pow2(-$scale)
                    } else {
                        rhs_factor
                    };
                    let divisor = b * rhs_factor;
                    let q0 = first(dividend, divisor);
                    let residual = |q: $t| (-q).mul_add(divisor, dividend);
                    let q1 = q0 + residual(q0) / divisor;
                    let r1 = residual(q1);
                    let neighbour = towards(q1, r1, divisor);
                    let rn = residual(neighbour);
                    let nearer = rn.abs() < r1.abs();
                    let refined = if nearer { neighbour } else { q1 };
                    let exact = (pow2(-$safe)..=$t::MAX).contains(&dividend.abs())
                        && within(divisor, -$safe, $safe)
                        && within(q0, 3 - $bias, $bias - 1);
                    let chosen = if exact { refined } else { q0 };
                    let scaled = chosen * factor;
                    let r_chosen = if nearer { rn } else { r1 };
                    let to_odd = if r_chosen != 0.0 {
                        odd_one(q1, neighbour)
                    } else {
                        chosen
                    };
                    let round_odd = exact && scaled.abs() < $t::MIN_POSITIVE;
                    let rounded = if round_odd { to_odd * factor } else { scaled };
                    let inverse = 1.0 / factor;
                    let scaled_residual = |q: $t| (-(q * inverse)).mul_add(divisor, dividend);
                    let rc = scaled_residual(rounded);
                    let other = towards(rounded, rc, divisor);
                    let ro = scaled_residual(other);
                    let take_other = ro.abs() < rc.abs()
                        || (ro.abs() == rc.abs() && odd_one(other, rounded) == rounded);
                    if round_odd && $grid && take_other {
                        other
                    } else {
                        rounded
                    }
                }

                /// The square-root refinement, from the first root `s0`.
                pub fn sqrt(a: $t, s0: $t) -> $t {
                    let residual = |s: $t| (-s).mul_add(s, a);
                    let s1 = s0 + residual(s0) / (s0 + s0);
                    let r = residual(s1);
                    let bits = s1.to_bits();
                    let exponent_bits = bits & $mask;
                    let ulp = $t::from_bits(exponent_bits) * pow2(-$fraction);
                    let ulp_below = if bits == exponent_bits {
                        ulp * 0.5
                    } else {
                        ulp
                    };
                    let refined = $t::from_bits(if r > s1 * ulp {
                        bits + 1
                    } else if r <= -(s1 * ulp_below) {
                        bits - 1
                    } else {
                        bits
                    });
                    if (pow2(-$safe)..=$t::MAX).contains(&a) {
                        refined
                    } else {
                        s0
                    }
                }

                /// `n` random values of magnitude `2^e` for `e` in `exponents`, any sign.
                pub fn values(
                    seed: &mut u64,
                    n: usize,
                    exponents: std::ops::Range<i32>,
                ) -> Vec<$t> {
                    (0..n)
                        .map(|_| {
                            *seed ^= *seed << 13;
                            *seed ^= *seed >> 7;
                            *seed ^= *seed << 17;
                            let span = (exponents.end - exponents.start) as u64;
                            let e = exponents.start + (*seed % span) as i32;
                            let fraction = ((*seed >> 11) as $t) / (2.0 as $t).powi(53);
                            let sign = if *seed & 1 == 0 { 1.0 } else { -1.0 };
                            sign * (1.0 + fraction) * pow2(e)
                        })
                        .collect()
                }
            }
        };
    }

    model!(f32_model, f32, u32, 23, 0x7f80_0000, 80, 48, 127, false);
    model!(
        f64_model,
        f64,
        u64,
        52,
        0x7ff0_0000_0000_0000,
        900,
        256,
        1023,
        true
    );

    #[test]
    fn refined_f32_quotients_are_correctly_rounded() {
        use f32_model::{div, perturbed, values};
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        let a = values(&mut seed, 300_000, -126..128);
        let b = values(&mut seed, 300_000, -126..128);
        for (&a, &b) in a.iter().zip(&b) {
            let want = a / b;
            for ulps in [-3, -1, 0, 2] {
                let got = div(a, b, |a, b| perturbed(a / b, ulps));
                // Where the refinement applies: a at least 2^-80, b normal, the quotient well
                // inside the normal range.
                let applies =
                    b.is_normal() && (2f32.powi(-124)..=2f32.powi(126)).contains(&want.abs());
                if applies {
                    assert_eq!(
                        got.to_bits(),
                        want.to_bits(),
                        "{a:e} / {b:e}, first {ulps} ulp off"
                    );
                }
            }
            // A huge divisor: scaled, so an infinite or large dividend gives the right result.
            let scaled = div(a, b, |a, b| a / b);
            assert!(
                scaled == want
                    || (scaled.is_nan() && want.is_nan())
                    || want.is_subnormal()
                    || want == 0.0,
                "{a:e} / {b:e}"
            );
        }
        assert_eq!(div(f32::INFINITY, f32::MAX, |a, b| a / b), f32::INFINITY);
        assert_eq!(div(1e38, 3e38, |a, b| a / b), 1e38f32 / 3e38);
    }

    #[test]
    fn refined_f64_quotients_are_correctly_rounded() {
        use f64_model::{div, perturbed, values};
        let mut seed = 0x2545_f491_4f6c_dd1d;
        let a = values(&mut seed, 300_000, -1022..1023);
        let b = values(&mut seed, 300_000, -1022..1023);
        for (&a, &b) in a.iter().zip(&b) {
            let want = a / b;
            if want.abs() < f64::MIN_POSITIVE && b.is_normal() {
                // Subnormal results: exact residuals on the subnormal grid decide.
                assert_eq!(
                    div(a, b, |a, b| a / b).to_bits(),
                    want.to_bits(),
                    "{a:e} / {b:e}"
                );
            }
            if !(2f64.powi(-1020)..=2f64.powi(1022)).contains(&want.abs()) {
                continue;
            }
            for ulps in [-3, -1, 0, 2] {
                let got = div(a, b, |a, b| perturbed(a / b, ulps));
                assert_eq!(
                    got.to_bits(),
                    want.to_bits(),
                    "{a:e} / {b:e}, first {ulps} ulp off"
                );
            }
        }
        assert_eq!(div(f64::INFINITY, f64::MAX, |a, b| a / b), f64::INFINITY);
        // powi's reciprocal with a subnormal result of 52 bits (1 ulp off on the H200 before
        // the subnormal-grid decision), from a first quotient 2 ulps off.
        let r = 99.720_283_413_276_52f64.powi(154);
        let got = div(1.0, r, |a, b| perturbed(a / b, 2));
        assert_eq!(got.to_bits(), (1.0 / r).to_bits());
        // A tiny dividend (scaled up) with a 52-bit subnormal quotient.
        let a = f64::MIN_POSITIVE;
        assert_eq!(
            div(a, 1.5, |a, b| perturbed(a / b, -1)).to_bits(),
            (a / 1.5).to_bits()
        );
    }

    #[test]
    fn refined_f32_roots_are_correctly_rounded_on_every_significand() {
        use f32_model::{perturbed, sqrt};
        // sqrt(4a) = 2 sqrt(a): [1, 4) holds every case (both exponent parities); the bounds
        // of the safe range are checked too.
        let every = (1f32.to_bits()..4f32.to_bits()).map(f32::from_bits);
        for a in every.chain([2f32.powi(-80), 2f32.powi(80)]) {
            let want = a.sqrt();
            for ulps in [-3, -1, 0, 2] {
                let s0 = perturbed(want, ulps);
                assert_eq!(
                    sqrt(a, s0).to_bits(),
                    want.to_bits(),
                    "sqrt({a:e}) from {s0:e}"
                );
            }
        }
    }

    #[test]
    fn refined_f64_roots_are_correctly_rounded() {
        use f64_model::{perturbed, sqrt, values};
        let mut seed = 0x1234_5678_9abc_def1;
        let a = values(&mut seed, 1_000_000, -900..900);
        for a in a
            .into_iter()
            .map(f64::abs)
            .chain([2f64.powi(-900), 2f64.powi(900)])
        {
            let want = a.sqrt();
            for ulps in [-3, 0, 2] {
                let s0 = perturbed(want, ulps);
                assert_eq!(
                    sqrt(a, s0).to_bits(),
                    want.to_bits(),
                    "sqrt({a:e}) from {s0:e}"
                );
            }
        }
    }
}
