//! `ldexp`: `x * 2^n` rounded once, for every `i32` `n`, by exact power-of-two products.

use super::build::{f, int, sel, u, Builder, V};
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

/// `x.ldexp(n)` for `x` of type `ty` and an `i32` `n`. f32: see [`ldexp_f32`]. f64 (musl's `scalbn`): while `n` is above 1023,
/// multiply by 2^1023; while below -1022, by 2^-969 (= 2^-1022 2^53, so that a step that
/// leaves the normal range rounds only results that round to zero anyway); twice at most
/// for `n` limited to ±2200, then one product by 2^n, the one rounding (also into the
/// subnormal range, and to infinity on overflow). Zeros, infinities and NaN stay as they are.
pub(crate) fn ldexp(b: &mut Builder, ty: Scalar, x: V, n: V) -> V {
    let n = b.let_("ln", n);
    if ty == Scalar::F32 {
        return ldexp_f32(b, x, n);
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

/// `x.ldexp(n)` for an `f32` `x`, without one f32 operation: a device that flushes f32
/// subnormals (NVIDIA's) must neither flush a subnormal `x` nor a subnormal result, and its
/// f64-to-f32 conversion gave wrong subnormals on the H200. `x` is widened to f64 from its
/// bits (a subnormal as its integer significand times 2^-149), multiplied by 2^n (`n`
/// limited to ±400, beyond which every result is 0 or infinity: exact, and never
/// subnormal in f64), and that product is rounded to f32 bits by integer arithmetic, to
/// nearest, ties to even: the 53-bit significand shifted right by 29 bits for a normal
/// result, by more for a subnormal one, with the carry of the rounding moving into the
/// exponent (up to infinity) on its own. Zeros, infinities and NaN stay as they are.
fn ldexp_f32(b: &mut Builder, x: V, n: V) -> V {
    let bits = b.let_("lfb", x.clone().bitcast(Scalar::U32));
    let magnitude = b.let_("lfm", bits.clone() & int(Scalar::U32, 0x7fff_ffff));
    let sign = bits & int(Scalar::U32, 0x8000_0000);
    let normal =
        ((magnitude.clone().cast(Scalar::U64) << u(29)) + u((1023 - 127) << 52)).into_f64();
    let subnormal = magnitude.clone().cast(Scalar::F64) * f(2f64.powi(-149));
    let wide = sel(
        magnitude.clone().lt(int(Scalar::U32, 0x0080_0000)),
        subnormal,
        normal,
    );
    let product = b.let_("lfp", (wide * pow2_i32(clamp(n, 400))).bits());
    let exponent = b.let_(
        "lfe",
        (product.clone() >> u(52)).cast(Scalar::I32) - i32_(1023),
    );
    let below_normal = b.let_("lfs", exponent.clone().lt(i32_(-126)));
    let shift = sel(
        below_normal.clone(),
        sel(
            exponent.clone().lt(i32_(-157)),
            i32_(60),
            i32_(-97) - exponent.clone(),
        ),
        i32_(29),
    );
    let shift = b.let_("lfsh", shift.cast(Scalar::U32).cast(Scalar::U64));
    let significand = b.let_("lfsig", (product & u((1 << 52) - 1)) | u(1 << 52));
    let kept = b.let_("lfq", significand.clone() >> shift.clone());
    let rest = significand - (kept.clone() << shift.clone());
    let half = b.let_("lfhalf", u(1) << (shift - u(1)));
    let rest = b.let_("lfr", rest);
    let odd = (kept.clone() & u(1)).eq(u(1));
    let round_up = rest.clone().gt(half.clone()).or(rest.eq(half).and(odd));
    let rounded = kept + sel(round_up, u(1), u(0));
    let biased = sel(below_normal, i32_(0), exponent.clone() + i32_(126));
    let result = (biased.cast(Scalar::U32).cast(Scalar::U64) << u(23)) + rounded;
    let result = sel(
        exponent.gt(i32_(127)),
        int(Scalar::U32, 0x7f80_0000),
        result.cast(Scalar::U32),
    );
    let finite = (result | sign).bitcast(Scalar::F32);
    sel(magnitude.ge(int(Scalar::U32, 0x7f80_0000)), x, finite)
}
