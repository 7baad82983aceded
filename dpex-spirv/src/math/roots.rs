//! `cbrt` and `hypot` in f64: Newton's iteration for the cube root finished by one exactly
//! computed residual, and a double-double sum of squares between power-of-two scalings.

use super::build::{copysign, f, horner, i, pow2, sel, u, Builder, V};
use crate::ir::Scalar;

/// A quadratic through the cube root at 1.3, 3 and 7: within 1.8% of `cbrt y` on [1, 8].
const CBRT_START: [f64; 3] = [
    0.7660569896194751,
    0.26399040941511237,
    -0.014018688704860241,
];

/// `x.cbrt()`: `|x| = 2^(3q) y` with `y` in [1, 8), four Newton steps from [`CBRT_START`]
/// (to about 2^-53), then one correction by the residual `y - t^3` computed in
/// double-double, which leaves the error a hair above half an ulp (exact cubes stay exact).
/// Zeros, infinities and NaN are returned as they are; subnormals are scaled by 2^54 first.
pub(crate) fn cbrt(b: &mut Builder, x: V) -> V {
    let x = b.let_("cx", x);
    let ax = b.let_("cax", x.clone().abs());
    let tiny = b.let_("ctiny", ax.clone().lt(f(f64::MIN_POSITIVE)));
    let bits = b.let_(
        "cbits",
        sel(tiny.clone(), ax.clone() * f(2f64.powi(54)), ax.clone()).bits(),
    );
    // The unbiased exponent, made positive for the truncating division by 3.
    let e = (bits.clone() >> u(52)).cast(Scalar::I64) - i(1023) + i(1200) - sel(tiny, i(54), i(0));
    let e = b.let_("ce", e);
    let q = b.let_("cq", e.clone() / i(3));
    let r = e - q.clone() * i(3);
    let m = ((bits & u((1 << 52) - 1)) | u(1f64.to_bits())).into_f64();
    let y = b.let_("cy", m * pow2(r));
    let t = b.var("ct", horner(&y, &CBRT_START));
    for _ in 0..4 {
        let tv = b.get(t);
        b.set(
            t,
            (f(2.0) * tv.clone() + y.clone() / (tv.clone() * tv)) / f(3.0),
        );
    }
    let t = b.get(t);
    let square = b.two_prod(t.clone(), t.clone());
    let cube = b.dd_mul_d(&square, t.clone());
    // `y - cube.hi` is exact: both lie within a factor 2 of each other.
    let residual = (y - cube.hi) - cube.lo;
    let root = t.clone() + residual / (f(3.0) * square.hi);
    let magnitude = root * pow2(q - i(400));
    let special = ax
        .clone()
        .eq(f(0.0))
        .or(ax.eq(f(f64::INFINITY)))
        .or(x.clone().nan_test());
    sel(special, x.clone(), copysign(magnitude, x))
}

/// `x.hypot(y)`: `sqrt(x^2 + y^2)` without spurious overflow or underflow. The operands are
/// scaled by 2^-700 or 2^700 when the larger is beyond 2^±300 (exact but for parts far
/// below the result's last bit), the sum of squares is formed in double-double and its
/// square root corrected once by the exact residual. An infinite operand gives infinity
/// even when the other is NaN, as in C99.
pub(crate) fn hypot(b: &mut Builder, x: V, y: V) -> V {
    let ax = b.let_("hax", x.abs());
    let ay = b.let_("hay", y.abs());
    let big = b.let_(
        "hbig",
        sel(ax.clone().lt(ay.clone()), ay.clone(), ax.clone()),
    );
    let small = b.let_(
        "hsmall",
        sel(ax.clone().lt(ay.clone()), ax.clone(), ay.clone()),
    );
    let huge = b.let_("hhuge", big.clone().gt(f(2f64.powi(300))));
    let minute = b.let_("hminute", big.clone().lt(f(2f64.powi(-300))));
    let scale = sel(
        huge.clone(),
        f(2f64.powi(-700)),
        sel(minute.clone(), f(2f64.powi(700)), f(1.0)),
    );
    let scale = b.let_("hscale", scale);
    let unscale = sel(
        huge,
        f(2f64.powi(700)),
        sel(minute, f(2f64.powi(-700)), f(1.0)),
    );
    let p = b.let_("hp", big.clone() * scale.clone());
    let q = b.let_("hq", small.clone() * scale);
    let pp = b.two_prod(p.clone(), p);
    let qq = b.two_prod(q.clone(), q);
    let sum = b.dd_add(&pp, &qq);
    let root = b.let_("hroot", sum.hi.clone().sqrt());
    let rr = b.two_prod(root.clone(), root.clone());
    let residual = ((sum.hi - rr.hi) - rr.lo) + sum.lo;
    let corrected = root.clone() + residual / (f(2.0) * root);
    let value = corrected * unscale;
    let inf = f(f64::INFINITY);
    let value = sel(small.clone().eq(f(0.0)), big.clone(), value);
    let value = sel(
        big.clone().nan_test().or(small.clone().nan_test()),
        ax.clone() + ay.clone(),
        value,
    );
    sel(ax.eq(inf.clone()).or(ay.eq(inf.clone())), inf, value)
}
