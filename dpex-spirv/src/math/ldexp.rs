//! `ldexp`: `x * 2^n` rounded once, for every `i32` `n`, by exact power-of-two products.

use super::build::{f, i, pow2, sel, Builder, V};
use crate::ir::Scalar;

/// `n` (an `i64`) limited to `[lo, hi]`.
fn clamp(n: V, lo: i64, hi: i64) -> V {
    sel(
        n.clone().lt(i(lo)),
        i(lo),
        sel(n.clone().gt(i(hi)), i(hi), n),
    )
}

/// `x.ldexp(n)` for `x` of type `ty` and an `i32` `n`. f32: `x` widened to f64 times 2^n
/// (`n` limited to ±400, beyond which every f32 result is 0 or infinity) is exact, and
/// rounding it to f32 is the one rounding. f64 (musl's `scalbn`): while `n` is above 1023,
/// multiply by 2^1023; while below -1022, by 2^-969 (= 2^-1022 2^53, so that a step that
/// leaves the normal range rounds only results that round to zero anyway); twice at most
/// for `n` limited to ±2200, then one product by 2^n, the one rounding (also into the
/// subnormal range, and to infinity on overflow). Zeros, infinities and NaN stay as they are.
pub(crate) fn ldexp(b: &mut Builder, ty: Scalar, x: V, n: V) -> V {
    let n = b.let_("ln", n.cast(Scalar::I64));
    if ty == Scalar::F32 {
        let product = x.cast(Scalar::F64) * pow2(clamp(n, -400, 400));
        return product.cast(Scalar::F32);
    }
    let y = b.var("ly", x);
    let k = b.var("lk", clamp(n, -2200, 2200));
    for _ in 0..2 {
        let up = b.get(k).gt(i(1023));
        b.when(up, |b| {
            b.set(y, b.get(y) * f(2f64.powi(1023)));
            b.set(k, b.get(k) - i(1023));
        });
        let down = b.get(k).lt(i(-1022));
        b.when(down, |b| {
            b.set(y, b.get(y) * f(2f64.powi(-969)));
            b.set(k, b.get(k) + i(969));
        });
    }
    b.get(y) * pow2(b.get(k))
}
