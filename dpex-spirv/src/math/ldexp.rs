//! `ldexp`: `x * 2^n` rounded once, for every `i32` `n`, by exact power-of-two products.

use super::build::{f, int, sel, Builder, V};
use crate::ir::Scalar;

/// An `i32` constant.
fn i32_(x: i32) -> V {
    int(Scalar::I32, u64::from(x as u32))
}

/// The `i32` `n` limited to `[-limit, limit]`.
fn clamp(n: V, limit: i32) -> V {
    let (lo, hi) = (i32_(-limit), i32_(limit));
    sel(
        n.clone().lt(lo.clone()),
        lo,
        sel(n.clone().gt(hi.clone()), hi, n),
    )
}

/// `2^k` (`f64`) for an `i32` `k` in -1022..=1023, built from its bits. The biased exponent
/// is positive and widens as a `u32`: with `k` widened to `i64` first (as `pow2` takes it),
/// lavapipe gave wrong results for negative `k` (seen, not yet explained).
fn pow2_i32(k: V) -> V {
    let biased = (k + i32_(1023)).cast(Scalar::U32).cast(Scalar::U64);
    (biased << int(Scalar::U64, 52)).into_f64()
}

/// `x.ldexp(n)` for `x` of type `ty` and an `i32` `n`. f32: `x` widened to f64 times 2^n
/// (`n` limited to ±400, beyond which every f32 result is 0 or infinity) is exact, and
/// rounding it to f32 is the one rounding. f64 (musl's `scalbn`): while `n` is above 1023,
/// multiply by 2^1023; while below -1022, by 2^-969 (= 2^-1022 2^53, so that a step that
/// leaves the normal range rounds only results that round to zero anyway); twice at most
/// for `n` limited to ±2200, then one product by 2^n, the one rounding (also into the
/// subnormal range, and to infinity on overflow). Zeros, infinities and NaN stay as they are.
pub(crate) fn ldexp(b: &mut Builder, ty: Scalar, x: V, n: V) -> V {
    let n = b.let_("ln", n);
    if ty == Scalar::F32 {
        let product = x.cast(Scalar::F64) * pow2_i32(clamp(n, 400));
        return product.cast(Scalar::F32);
    }
    let (mut y, mut k) = (b.let_("ly0", x), b.let_("lk0", clamp(n, 2200)));
    for step in 1..=2 {
        let up = b.let_(&format!("lup{step}"), k.clone().gt(i32_(1023)));
        let down = b.let_(&format!("ldown{step}"), k.clone().lt(i32_(-1022)));
        let scaled = sel(
            up.clone(),
            y.clone() * f(2f64.powi(1023)),
            sel(down.clone(), y.clone() * f(2f64.powi(-969)), y),
        );
        let moved = sel(
            up,
            k.clone() - i32_(1023),
            sel(down, k.clone() + i32_(969), k),
        );
        y = b.let_(&format!("ly{step}"), scaled);
        k = b.let_(&format!("lk{step}"), moved);
    }
    y * pow2_i32(k)
}
