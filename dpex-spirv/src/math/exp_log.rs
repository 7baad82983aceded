//! Exponentials, logarithms and `powf` in f64: Cody-Waite reduction by ln 2 with a Taylor
//! polynomial for `exp`, and a double-double `atanh` series for `ln` that `log2`, `log10`,
//! `ln_1p` and `powf` share (and the inverse hyperbolic functions, through [`ln_of_dd`]).

use super::build::{f, horner, i, pow2, sel, u, Builder, Dd, V};
use crate::ir::Scalar;

/// ln 2 as a double-double.
pub(crate) const LN2: (f64, f64) = (std::f64::consts::LN_2, 2.3190468138462996e-17);
/// 1 / ln 2 as a double-double.
const INV_LN2: (f64, f64) = (std::f64::consts::LOG2_E, 2.0355273740931033e-17);
/// 1 / ln 10 as a double-double.
const INV_LN10: (f64, f64) = (std::f64::consts::LOG10_E, 1.098319650216765e-17);
/// 2 / 3 as a double-double.
const TWO_THIRDS: (f64, f64) = (0.6666666666666666, 3.700743415417188e-17);
/// ln 2 in three parts: the first has 21 significant bits, so `k * LN2_1` is exact for
/// `|k| < 2^32`.
const LN2_1: f64 = 0.6931467056274414;
/// The second part of ln 2.
const LN2_2: f64 = 4.7493250390316726e-07;
/// The third part of ln 2.
const LN2_3: f64 = -2.3407938865678234e-23;

/// A double-double constant.
pub(crate) fn dd_const(c: (f64, f64)) -> Dd {
    Dd {
        hi: f(c.0),
        lo: f(c.1),
    }
}

/// `1 / n!` for n = 2..=14: the Taylor coefficients of `(e^r - 1 - r) / r^2`.
fn exp_taylor() -> Vec<f64> {
    let mut c = vec![];
    let mut factorial = 1.0f64;
    for n in 2..=14 {
        factorial *= f64::from(n);
        c.push(1.0 / factorial);
    }
    c
}

/// `e^(h + l)` for a double-double argument (`l` tiny next to `h`) as `(y, k)` with
/// `e^(h + l) = (y.hi + y.lo) 2^k` to about 2^-60 relative: `h + l = k ln 2 + r` with
/// `|r| <= ln 2 / 2` (Cody-Waite, ln 2 in three parts) and `e^r` by Taylor's series. Beyond
/// the overflow and underflow thresholds `k` is clamped so that [`scale`] gives infinity or
/// zero; NaN stays NaN.
pub(crate) fn exp_parts(b: &mut Builder, h: V, l: V) -> (Dd, V) {
    let h = b.let_("h", h);
    let hc = sel(
        h.clone().gt(f(720.0)),
        f(720.0),
        sel(h.clone().lt(f(-760.0)), f(-760.0), h.clone()),
    );
    let hc = b.let_("hc", hc);
    // `l` is NaN when `h` came from an overflowing product.
    let lc = b.let_("lc", sel(h.abs().lt(f(800.0)), l, f(0.0)));
    let kf = b.let_("kf", (hc.clone() * f(INV_LN2.0) + f(0.5)).floor());
    let hi = b.let_("r_hi", hc - kf.clone() * f(LN2_1));
    let t = b.two_sum(hi, -(kf.clone() * f(LN2_2)));
    // Renormalized, so that `e^(rh + rl) = e^rh (1 + rl)` to far below an ulp.
    let r = b.fast_two_sum(t.hi, t.lo + (lc - kf.clone() * f(LN2_3)));
    let (rh, rl) = (r.hi, r.lo);
    let p = b.let_("p", rh.clone() * rh.clone() * horner(&rh, &exp_taylor()));
    let s = b.two_sum(f(1.0), rh.clone());
    let y = b.fast_two_sum(s.hi, s.lo + (p + (rl.clone() + rl * rh)));
    (y, b.let_("k", kf.cast(Scalar::I64)))
}

/// `y 2^k` for `k` in -1100..=1100, in two steps: the first is exact, the second rounds
/// once (also into the subnormal range).
pub(crate) fn scale(b: &mut Builder, y: V, k: V) -> V {
    let k1 = b.let_("k1", k.clone() >> i(1));
    y * pow2(k1.clone()) * pow2(k - k1)
}

/// `e^(h + l)` (see [`exp_parts`]), rounded: within about 0.6 ulp.
pub(crate) fn exp_dd(b: &mut Builder, h: V, l: V) -> V {
    let (y, k) = exp_parts(b, h, l);
    scale(b, y.hi, k)
}

/// `e^x`.
pub(crate) fn exp(b: &mut Builder, x: V) -> V {
    exp_dd(b, x, f(0.0))
}

/// `2^x`: `e^(x ln 2)` with the product as a double-double, so integers give exact powers.
pub(crate) fn exp2(b: &mut Builder, x: V) -> V {
    let x = b.let_("x", x);
    // Beyond ±1100 the result is 0 or infinity; clamping keeps the product finite.
    let xc = sel(
        x.clone().gt(f(1100.0)),
        f(1100.0),
        sel(x.clone().lt(f(-1100.0)), f(-1100.0), x),
    );
    let xl = b.dd_mul_d(&dd_const(LN2), xc);
    exp_dd(b, xl.hi, xl.lo)
}

/// ln x as a double-double for a finite positive `x`, to about 2^-100 relative:
/// `x = 2^k m` with `m` in `[sqrt(1/2), sqrt(2))`, `ln m = 2 atanh(s)` with
/// `s = (m - 1) / (m + 1)`, `|s| <= 0.172`: `2s + 2s^3/3` in double-double, the rest of the
/// series in f64.
pub(crate) fn ln_dd(b: &mut Builder, x: V) -> Dd {
    let x = b.let_("x", x);
    let tiny = b.let_("tiny", x.clone().lt(f(f64::MIN_POSITIVE)));
    let bits = b.let_(
        "xbits",
        sel(tiny.clone(), x.clone() * f(2f64.powi(64)), x).bits(),
    );
    let e = (bits.clone() >> u(52)).cast(Scalar::I64) - i(1023) - sel(tiny, i(64), i(0));
    let mbits = b.let_("mbits", (bits & u((1 << 52) - 1)) | u(1f64.to_bits()));
    let big = b.let_(
        "big",
        mbits.clone().gt(u(std::f64::consts::SQRT_2.to_bits())),
    );
    // Halving m takes one off its exponent field.
    let m = sel(big.clone(), mbits.clone() - u(1 << 52), mbits).into_f64();
    let k = b.let_("kf", (e + sel(big, i(1), i(0))).cast(Scalar::F64));
    let fr = b.let_("f", m - f(1.0));
    let d = b.two_sum(f(2.0), fr.clone());
    let s_hi = b.let_("s_hi", fr.clone() / d.hi.clone());
    let p = b.two_prod(s_hi.clone(), d.hi.clone());
    let residual = ((fr - p.hi) - p.lo) - s_hi.clone() * d.lo;
    let s_lo = b.let_("s_lo", residual / d.hi);
    let z = b.let_("z", s_hi.clone() * s_hi.clone());
    let series: Vec<f64> = (2..=12).map(|n| 2.0 / f64::from(2 * n + 1)).collect();
    let q = z.clone() * z.clone() * horner(&z, &series);
    let small = b.let_(
        "small",
        s_hi.clone() * q + f(2.0) * z.clone() * s_lo.clone(),
    );
    let square = b.two_prod(s_hi.clone(), s_hi.clone());
    let cube = b.dd_mul_d(&square, s_hi.clone());
    let t3 = b.dd_mul(&cube, &dd_const(TWO_THIRDS));
    let two_s = Dd {
        hi: f(2.0) * s_hi,
        lo: f(2.0) * s_lo,
    };
    let m_part = b.dd_add(&two_s, &t3);
    let m_part = b.fast_two_sum(m_part.hi, m_part.lo + small);
    let kl = b.dd_mul_d(&dd_const(LN2), k);
    b.dd_add(&kl, &m_part)
}

/// `value`, except at the special operands of a logarithm: NaN below zero and for NaN,
/// -infinity at ±0, infinity at infinity.
fn log_specials(x: &V, value: V) -> V {
    let special = sel(
        x.clone().eq(f(0.0)),
        f(f64::NEG_INFINITY),
        sel(x.clone().eq(f(f64::INFINITY)), x.clone(), f(f64::NAN)),
    );
    let regular = x.clone().gt(f(0.0)).and(x.clone().lt(f(f64::INFINITY)));
    sel(regular, value, special)
}

/// `ln x`, rounded from [`ln_dd`].
pub(crate) fn ln(b: &mut Builder, x: V) -> V {
    let x = b.let_("x0", x);
    let l = ln_dd(b, x.clone());
    log_specials(&x, l.hi)
}

/// `ln t` for a double-double `t` (`t.hi` finite and positive), to about 2^-100 relative:
/// `ln t.hi + t.lo / t.hi`, as `ln(1 + e) = e` to far below that for `|e| <= 2^-53`.
pub(crate) fn ln_of_dd(b: &mut Builder, t: &Dd) -> Dd {
    let l = ln_dd(b, t.hi.clone());
    b.dd_add(&l, &Dd::of(t.lo.clone() / t.hi.clone()))
}

/// `x.ln_1p()`: `ln` of the exact sum `1 + x` (a double-double, [`ln_of_dd`]); `x` itself
/// below 2^-54 in magnitude (`ln(1 + x) = x - x^2/2` rounds to `x` there, ±0 included), and
/// the special cases of `ln` shifted by one.
pub(crate) fn ln_1p(b: &mut Builder, x: V) -> V {
    let x = b.let_("lx", x);
    let regular = b.let_(
        "lregular",
        x.clone().gt(f(-1.0)).and(x.clone().lt(f(f64::INFINITY))),
    );
    let sum = b.two_sum(f(1.0), sel(regular.clone(), x.clone(), f(0.0)));
    let l = ln_of_dd(b, &sum);
    let special = sel(
        x.clone().eq(f(-1.0)),
        f(f64::NEG_INFINITY),
        sel(x.clone().eq(f(f64::INFINITY)), x.clone(), f(f64::NAN)),
    );
    let value = sel(x.clone().abs().lt(f(2f64.powi(-54))), x, l.hi);
    sel(regular, value, special)
}

/// `log2 x` and `log10 x`: [`ln_dd`] times `1 / ln 2` or `1 / ln 10` in double-double.
pub(crate) fn log_base(b: &mut Builder, x: V, inv_ln_base: (f64, f64)) -> V {
    let x = b.let_("x0", x);
    let l = ln_dd(b, x.clone());
    let r = b.dd_mul(&l, &dd_const(inv_ln_base));
    log_specials(&x, r.hi)
}

/// `log2 x`.
pub(crate) fn log2(b: &mut Builder, x: V) -> V {
    log_base(b, x, INV_LN2)
}

/// `log10 x`.
pub(crate) fn log10(b: &mut Builder, x: V) -> V {
    log_base(b, x, INV_LN10)
}

/// `x^y` as C's `pow` (and Rust's `powf`): `e^(y ln |x|)` with `y ln |x|` in double-double,
/// the sign from odd integer `y`, and IEEE 754's special cases.
pub(crate) fn powf(b: &mut Builder, x: V, y: V) -> V {
    let (x, y) = (b.let_("px", x), b.let_("py", y));
    let ax = b.let_("ax", x.clone().abs());
    let l = ln_dd(b, ax.clone());
    let t = b.dd_mul_d(&l, y.clone());
    // Where the product is far out of exp's range, its double-double parts may be NaN
    // (splitting a huge `y` overflows): the plain product decides then.
    let plain = b.let_("plain", l.hi * y.clone());
    let in_range = plain
        .clone()
        .abs()
        .lt(f(800.0))
        .and(y.clone().abs().lt(f(2f64.powi(996))));
    let in_range = b.let_("in_range", in_range);
    let magnitude = exp_dd(
        b,
        sel(in_range.clone(), t.hi, plain),
        sel(in_range, t.lo, f(0.0)),
    );
    let inf = || f(f64::INFINITY);
    let magnitude = sel(
        ax.clone().eq(f(0.0)),
        sel(y.clone().lt(f(0.0)), inf(), f(0.0)),
        sel(
            ax.clone().eq(inf()),
            sel(y.clone().lt(f(0.0)), f(0.0), inf()),
            magnitude,
        ),
    );
    let magnitude = b.let_("mag", magnitude);
    let integer = b.let_("integer", y.clone().trunc().eq(y.clone()));
    let half = y.clone() * f(0.5);
    let odd = b.let_(
        "odd",
        integer
            .clone()
            .and(y.clone().abs().lt(f(2f64.powi(53))))
            .and(half.clone().trunc().ne(half)),
    );
    let negative = b.let_("negative", x.clone().bits().ge(u(1 << 63)));
    let signed = sel(negative.clone().and(odd), -magnitude.clone(), magnitude);
    // A negative finite base to a non-integer power has no real value.
    let nan_case = negative
        .and(ax.clone().lt(inf()))
        .and(ax.clone().ne(f(0.0)))
        .and(integer.not())
        .and(y.clone().nan_test().not());
    let r = sel(nan_case, f(f64::NAN), signed);
    let r = sel(
        x.clone().nan_test().or(y.clone().nan_test()),
        x.clone() + y.clone(),
        r,
    );
    // pow(x, ±0) = 1 and pow(1, y) = 1, even for NaN; pow(-1, ±inf) = 1.
    let one = y
        .clone()
        .eq(f(0.0))
        .or(x.clone().eq(f(1.0)))
        .or(x.eq(f(-1.0)).and(y.abs().eq(inf())));
    sel(one, f(1.0), r)
}
