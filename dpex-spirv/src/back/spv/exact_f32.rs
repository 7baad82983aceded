//! Rust's `f32` `/` and `sqrt` for Vulkan, correctly rounded: Vulkan lets `OpFDiv` be 2.5 ulp
//! and `Sqrt` 3 ulp off (the NVIDIA H200's are), so where the specialization constant
//! [`CORRECT_F32_DIV_SQRT_SPEC_ID`](dpex_abi::vulkan::CORRECT_F32_DIV_SQRT_SPEC_ID) says the device's
//! division and square root are not known to be correctly rounded and [`FUSED_FMA_SPEC_ID`]
//! says its `Fma` is fused, the device's result is refined with exact residuals.
//!
//! Division:
//!
//! ```text
//! q0 = a / b                          // the device's, a few ulps off
//! q1 = q0 + fma(-q0, b, a) / b        // within 0.5 ulp + 2^-20 ulp of a / b
//! r1 = fma(-q1, b, a)                 // exact: |b| * |a/b - q1|, with its sign
//! qn = q1's neighbour towards a / b   // on the bits
//! result = |fma(-qn, b, a)| < |r1| ? qn : q1
//! ```
//!
//! The residuals are exact while `|q0|` and `|b|` lie in `[2^-100, 2^100]`, and a quotient of
//! two `f32`s is never a midpoint there, so the nearer candidate is the correctly rounded one.
//! Outside that range (and for zeros, infinities and NaNs) the device's quotient is kept.
//!
//! Square root, of `a` in `[2^-100, 2^100]` (elsewhere the device's root is kept):
//!
//! ```text
//! s0 = sqrt(a)                        // the device's, a few ulps off
//! s1 = s0 + fma(-s0, s0, a) / (s0 + s0) // within 0.5 ulp + 2^-20 ulp of sqrt(a)
//! r = fma(-s1, s1, a)                 // a - s1^2, exact wherever the decision is close
//! u = ulp(s1); d = ulp below s1 (u / 2 when s1 is a power of two, else u)
//! result = r > s1 * u ? next_up(s1) : r <= -(s1 * d) ? next_down(s1) : s1
//! ```
//!
//! With `s1 = k * u`, `a - s1^2` is a whole multiple `n * u^2`, and `sqrt(a)` lies beyond the
//! midpoint above `s1` exactly when `n > k` (below: when `n <= -k`, or `-k / 2` next to a
//! power of two); `|n|` is below 2^24 in those cases, so `r` is exact there.
//!
//! [`FUSED_FMA_SPEC_ID`]: dpex_abi::vulkan::FUSED_FMA_SPEC_ID

use rspirv::spirv::{GlslStd450Op as Glsl, Op, Word};

use super::{BuildResult, Emitter};
use crate::ir::Scalar;

/// The bounds of the range where the residuals are exact: `2^-100` and `2^100`.
const SAFE_RANGE: [f64; 2] = [7.888609052210118e-31, 1.2676506002282294e30];

impl Emitter {
    /// `lhs / rhs` on `f32` for Vulkan, correctly rounded where the device needs it (see the
    /// module documentation).
    pub(super) fn vulkan_f32_div(&mut self, lhs: Word, rhs: Word) -> BuildResult<Word> {
        let f32_ty = self.ty(Scalar::F32);
        let u32_ty = self.ty(Scalar::U32);
        let bool_ty = self.ty(Scalar::Bool);
        let quotient = self.op(Op::FDiv, f32_ty, &[lhs, rhs])?;
        let residual = |e: &mut Emitter, q: Word| -> BuildResult<Word> {
            let minus_q = e.op(Op::FNegate, f32_ty, &[q])?;
            e.glsl(Glsl::Fma, Scalar::F32, &[minus_q, rhs, lhs])
        };
        let r0 = residual(self, quotient)?;
        let correction = self.op(Op::FDiv, f32_ty, &[r0, rhs])?;
        let q1 = self.op(Op::FAdd, f32_ty, &[quotient, correction])?;
        let r1 = residual(self, q1)?;
        // The neighbour of q1 towards a / b: away from zero when a / b is beyond q1.
        let zero = self.const_zero(Scalar::F32);
        let r1_positive = self.op(Op::FOrdGreaterThan, bool_ty, &[r1, zero])?;
        let rhs_positive = self.op(Op::FOrdGreaterThan, bool_ty, &[rhs, zero])?;
        let above = self.op(Op::LogicalEqual, bool_ty, &[r1_positive, rhs_positive])?;
        let q1_positive = self.op(Op::FOrdGreaterThan, bool_ty, &[q1, zero])?;
        let away = self.op(Op::LogicalEqual, bool_ty, &[above, q1_positive])?;
        let bits = self.op(Op::Bitcast, u32_ty, &[q1])?;
        let one = self.const_int(Scalar::U32, 1);
        let up = self.op(Op::IAdd, u32_ty, &[bits, one])?;
        let down = self.op(Op::ISub, u32_ty, &[bits, one])?;
        let neighbour_bits = self.op(Op::Select, u32_ty, &[away, up, down])?;
        let neighbour = self.op(Op::Bitcast, f32_ty, &[neighbour_bits])?;
        let rn = residual(self, neighbour)?;
        let rn_size = self.glsl(Glsl::FAbs, Scalar::F32, &[rn])?;
        let r1_size = self.glsl(Glsl::FAbs, Scalar::F32, &[r1])?;
        let nearer = self.op(Op::FOrdLessThan, bool_ty, &[rn_size, r1_size])?;
        let refined = self.op(Op::Select, f32_ty, &[nearer, neighbour, q1])?;
        let quotient_in_range = self.in_safe_range(quotient)?;
        let rhs_in_range = self.in_safe_range(rhs)?;
        let exact = self.op(Op::LogicalAnd, bool_ty, &[quotient_in_range, rhs_in_range])?;
        let refine = self.refine_f32(exact)?;
        self.op(Op::Select, f32_ty, &[refine, refined, quotient])
    }

    /// Whether to refine an `f32` result: where `exact` holds, on a device that needs the
    /// refinement (not correctly rounded) and can do it (fused `Fma`).
    fn refine_f32(&mut self, exact: Word) -> BuildResult<Word> {
        let bool_ty = self.ty(Scalar::Bool);
        let correct = self.correct_f32_div_sqrt();
        let needed = self.op(Op::LogicalNot, bool_ty, &[correct])?;
        let fused = self.fused_fma();
        let possible = self.op(Op::LogicalAnd, bool_ty, &[needed, fused])?;
        self.op(Op::LogicalAnd, bool_ty, &[possible, exact])
    }

    /// Whether `|x|` lies in [`SAFE_RANGE`].
    fn in_safe_range(&mut self, x: Word) -> BuildResult<Word> {
        let bool_ty = self.ty(Scalar::Bool);
        let size = self.glsl(Glsl::FAbs, Scalar::F32, &[x])?;
        let low = self.const_float(Scalar::F32, SAFE_RANGE[0].to_bits());
        let high = self.const_float(Scalar::F32, SAFE_RANGE[1].to_bits());
        let above_low = self.op(Op::FOrdGreaterThanEqual, bool_ty, &[size, low])?;
        let below_high = self.op(Op::FOrdLessThanEqual, bool_ty, &[size, high])?;
        self.op(Op::LogicalAnd, bool_ty, &[above_low, below_high])
    }

    /// `x.sqrt()` on `f32` for Vulkan, correctly rounded where the device needs it (see the
    /// module documentation).
    pub(super) fn vulkan_f32_sqrt(&mut self, a: Word) -> BuildResult<Word> {
        let f32_ty = self.ty(Scalar::F32);
        let u32_ty = self.ty(Scalar::U32);
        let bool_ty = self.ty(Scalar::Bool);
        let root = self.glsl(Glsl::Sqrt, Scalar::F32, &[a])?;
        let residual = |e: &mut Emitter, s: Word| -> BuildResult<Word> {
            let minus_s = e.op(Op::FNegate, f32_ty, &[s])?;
            e.glsl(Glsl::Fma, Scalar::F32, &[minus_s, s, a])
        };
        let r0 = residual(self, root)?;
        let twice = self.op(Op::FAdd, f32_ty, &[root, root])?;
        let correction = self.op(Op::FDiv, f32_ty, &[r0, twice])?;
        let s1 = self.op(Op::FAdd, f32_ty, &[root, correction])?;
        let r = residual(self, s1)?;
        // ulp(s1) = 2^(exponent - 23): the exponent bits times 2^-23.
        let bits = self.op(Op::Bitcast, u32_ty, &[s1])?;
        let exponent_mask = self.const_int(Scalar::U32, 0x7f80_0000);
        let exponent_bits = self.op(Op::BitwiseAnd, u32_ty, &[bits, exponent_mask])?;
        let power = self.op(Op::Bitcast, f32_ty, &[exponent_bits])?;
        let scale = self.const_float(Scalar::F32, (2f64).powi(-23).to_bits());
        let ulp = self.op(Op::FMul, f32_ty, &[power, scale])?;
        let half = self.const_float(Scalar::F32, 0.5f64.to_bits());
        let half_ulp = self.op(Op::FMul, f32_ty, &[ulp, half])?;
        let is_power = self.op(Op::IEqual, bool_ty, &[bits, exponent_bits])?;
        let ulp_below = self.op(Op::Select, f32_ty, &[is_power, half_ulp, ulp])?;
        let above_limit = self.op(Op::FMul, f32_ty, &[s1, ulp])?;
        let below = self.op(Op::FMul, f32_ty, &[s1, ulp_below])?;
        let below_limit = self.op(Op::FNegate, f32_ty, &[below])?;
        let up = self.op(Op::FOrdGreaterThan, bool_ty, &[r, above_limit])?;
        let down = self.op(Op::FOrdLessThanEqual, bool_ty, &[r, below_limit])?;
        let one = self.const_int(Scalar::U32, 1);
        let next_up = self.op(Op::IAdd, u32_ty, &[bits, one])?;
        let next_down = self.op(Op::ISub, u32_ty, &[bits, one])?;
        let lower = self.op(Op::Select, u32_ty, &[down, next_down, bits])?;
        let chosen = self.op(Op::Select, u32_ty, &[up, next_up, lower])?;
        let refined = self.op(Op::Bitcast, f32_ty, &[chosen])?;
        let exact = self.in_safe_range(a)?;
        let refine = self.refine_f32(exact)?;
        self.op(Op::Select, f32_ty, &[refine, refined, root])
    }
}

#[cfg(test)]
mod tests {
    use super::SAFE_RANGE;

    /// The refinement of the module documentation on the host, from a first quotient `q0`.
    fn refine(a: f32, b: f32, q0: f32) -> f32 {
        let residual = |q: f32| (-q).mul_add(b, a);
        let q1 = q0 + residual(q0) / b;
        let r1 = residual(q1);
        let away = ((r1 > 0.0) == (b > 0.0)) == (q1 > 0.0);
        let neighbour = f32::from_bits(if away {
            q1.to_bits() + 1
        } else {
            q1.to_bits() - 1
        });
        if residual(neighbour).abs() < r1.abs() {
            neighbour
        } else {
            q1
        }
    }

    /// The square-root refinement of the module documentation on the host, from `s0`.
    fn refine_sqrt(a: f32, s0: f32) -> f32 {
        let residual = |s: f32| (-s).mul_add(s, a);
        let s1 = s0 + residual(s0) / (s0 + s0);
        let r = residual(s1);
        let bits = s1.to_bits();
        let exponent_bits = bits & 0x7f80_0000;
        let ulp = f32::from_bits(exponent_bits) * 2f32.powi(-23);
        let ulp_below = if bits == exponent_bits {
            ulp * 0.5
        } else {
            ulp
        };
        f32::from_bits(if r > s1 * ulp {
            bits + 1
        } else if r <= -(s1 * ulp_below) {
            bits - 1
        } else {
            bits
        })
    }

    #[test]
    fn refined_roots_are_correctly_rounded_on_every_significand() {
        // sqrt(4a) = 2 sqrt(a): [1, 4) holds every case (both exponent parities); the bounds
        // of the safe range are checked too.
        let ends = [SAFE_RANGE[0] as f32, SAFE_RANGE[1] as f32];
        let every = (1f32.to_bits()..4f32.to_bits()).map(f32::from_bits);
        for a in every.chain(ends) {
            let want = a.sqrt();
            for ulps in [-3, -1, 0, 2] {
                let s0 = perturbed(want, ulps);
                assert_eq!(
                    refine_sqrt(a, s0).to_bits(),
                    want.to_bits(),
                    "sqrt({a:e}) from {s0:e}"
                );
            }
        }
    }

    /// A first quotient up to 3 ulps off, as a device's `OpFDiv` may give.
    fn perturbed(q: f32, ulps: i32) -> f32 {
        f32::from_bits(q.to_bits().wrapping_add_signed(ulps))
    }

    #[test]
    fn refined_quotients_are_correctly_rounded_in_the_safe_range() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let in_range = |x: f32| (SAFE_RANGE[0]..=SAFE_RANGE[1]).contains(&f64::from(x.abs()));
        let mut checked = 0;
        while checked < 1_000_000 {
            let bits = next();
            // Exponents within 2^-60..2^60, any sign and significand.
            let float = |b: u32| f32::from_bits((b & 0x807f_ffff) | ((67 + (b >> 23) % 120) << 23));
            let (a, b) = (float(bits as u32), float((bits >> 32) as u32));
            let want = a / b;
            if !in_range(want) || !in_range(b) {
                continue;
            }
            for ulps in [-3, -2, -1, 0, 1, 2, 3] {
                let q0 = perturbed(want, ulps);
                assert_eq!(
                    refine(a, b, q0).to_bits(),
                    want.to_bits(),
                    "{a:e} / {b:e} from {q0:e}"
                );
            }
            checked += 1;
        }
    }
}
