//! `gamma` and `ln_gamma` in f64: Stirling's series in double-double after shifting the
//! argument up to 12 (the shift's product kept apart), the reflection formula with an exactly
//! reduced `sin(pi t)` for negative arguments, and a series around 2 (and through it around 1)
//! where `ln_gamma` has its zeros.

use super::build::{f, horner, i, sel, sel_dd, Builder, Dd, V};
use super::exp_log::{dd_const, exp_parts, ln, ln_dd, ln_of_dd, scale, LN2};
use super::trig::sin_cos;

/// pi as a double-double.
const PI: (f64, f64) = (std::f64::consts::PI, 1.2246467991473532e-16);
/// ln(2 pi) / 2 as a double-double.
const HALF_LN_2PI: (f64, f64) = (0.9189385332046728, -3.8782941580672414e-17);
/// 1 - Euler's gamma as a double-double: the slope of `ln_gamma` at 2.
const ONE_MINUS_EULER: (f64, f64) = (0.42278433509846713, 4.942915152430645e-18);
/// (zeta(2) - 1) / 2 as a double-double: the second coefficient of `ln_gamma` around 2.
const ZETA2_TERM: (f64, f64) = (0.3224670334241132, 1.520336175199238e-17);
/// `(-1)^k (zeta(k) - 1) / k` for k = 3..=26 (mpmath at 200 bits): `ln_gamma(2 + e)` after
/// its first two terms, over `e^3`. The terms fall by about `e / 2` each.
const AROUND_TWO: [f64; 24] = [
    -0.0673523010531981,
    0.020580808427784546,
    -0.007385551028673986,
    0.0028905103307415234,
    -0.001192753911703261,
    0.0005096695247430425,
    -0.00022315475845357939,
    9.945751278180853e-05,
    -4.492623673813314e-05,
    2.050721277567069e-05,
    -9.439488275268397e-06,
    4.374866789907488e-06,
    -2.039215753801366e-06,
    9.55141213040742e-07,
    -4.492469198764566e-07,
    2.1207184805554665e-07,
    -1.0043224823968099e-07,
    4.7698101693639804e-08,
    -2.2711094608943164e-08,
    1.0838659214896955e-08,
    -5.183475041970047e-09,
    2.4836745438024785e-09,
    -1.1921401405860912e-09,
    5.731367241678862e-10,
];
/// `B(2k) / (2k (2k - 1))` for k = 2..=10: Stirling's series after `1 / 12z`, in powers of
/// `1 / z^2`, over `1 / z^3`. From z = 12 on, the first term left out is below 3.2e-22.
const STIRLING: [f64; 9] = [
    -0.002777777777777778,
    0.0007936507936507937,
    -0.0005952380952380953,
    0.0008417508417508417,
    -0.0019175269175269176,
    0.00641025641025641,
    -0.029550653594771242,
    0.17964437236883057,
    -1.3924322169059011,
];
/// Stirling's series is summed from here on; smaller arguments are shifted up to it.
const STIRLING_FROM: f64 = 12.0;
/// Below this magnitude `gamma(x)` is `1 / x` and `ln_gamma(x)` is `-ln |x|` to far below
/// an ulp (the next term is Euler's gamma, below `|x| / 1.7` relative).
const TINY: f64 = 1.0 / 72_057_594_037_927_936.0;
/// From this magnitude on every f64 is an integer: negative ones are poles.
const INTEGERS_FROM: f64 = 4_503_599_627_370_496.0;
/// From here on `ln_gamma(x)` is `x (ln x - 1)` to far below an ulp.
const LN_GAMMA_PLAIN_FROM: f64 = 1_152_921_504_606_846_976.0;
/// Beyond this `gamma` overflows.
const GAMMA_OVERFLOWS_ABOVE: f64 = 172.0;
/// `ln_gamma` is summed from its series around 1 and 2 within this distance of them.
const NEAR_ZERO: f64 = 0.25;

/// `(s, p)` with `ln_gamma(a) = s - ln p` for `a` in `[TINY, 2^60)`, both double-doubles:
/// `p = a (a + 1) ... (a + n - 1)` (1 from 12 on) and `s` Stirling's series at `z = a + n
/// >= 12` (`z` exact as a double-double), to about 4e-22 absolute.
fn shifted_stirling(b: &mut Builder, a: V) -> (Dd, Dd) {
    let zh = b.var("gz_hi", a);
    let zl = b.var("gz_lo", f(0.0));
    let ph = b.var("gp_hi", f(1.0));
    let pl = b.var("gp_lo", f(0.0));
    b.loop_(|b| {
        b.when(b.get(zh).ge(f(STIRLING_FROM)), |b| b.break_());
        let z = Dd {
            hi: b.get(zh),
            lo: b.get(zl),
        };
        let p = b.dd_mul(
            &Dd {
                hi: b.get(ph),
                lo: b.get(pl),
            },
            &z,
        );
        b.set(ph, p.hi);
        b.set(pl, p.lo);
        let s = b.two_sum(z.hi, f(1.0));
        let next = b.fast_two_sum(s.hi, s.lo + z.lo);
        b.set(zh, next.hi);
        b.set(zl, next.lo);
    });
    let z = b.let_dd(
        "gz",
        Dd {
            hi: b.get(zh),
            lo: b.get(zl),
        },
    );
    let p = Dd {
        hi: b.get(ph),
        lo: b.get(pl),
    };
    // (z - 1/2) ln z - z + ln(2 pi) / 2 + 1 / 12z + ...
    let lz = ln_of_dd(b, &z);
    let zm = b.dd_add(&z, &Dd::of(f(-0.5)));
    let s = b.dd_mul(&zm, &lz);
    let s = b.dd_add(&s, &z.neg());
    let s = b.dd_add(&s, &dd_const(HALF_LN_2PI));
    let twelve_z = b.dd_mul_d(&z, f(12.0));
    let first = b.dd_div(&Dd::of(f(1.0)), &twelve_z);
    let s = b.dd_add(&s, &first);
    let r = b.let_("gr", f(1.0) / z.hi);
    let w = b.let_("gw", r.clone() * r.clone());
    let tail = r * w.clone() * horner(&w, &STIRLING);
    (b.fast_two_sum(s.hi, s.lo + tail), p)
}

/// `sin(pi t)` as a double-double for `t` in `[0, 2^52)`, to about 2^-58 relative: `t` is
/// reduced exactly, first modulo 2, then by the symmetries of the sine to `pi c` with `c` in
/// `[0, 1/4]`, whose sine or cosine is taken.
fn sin_pi(b: &mut Builder, t: V) -> Dd {
    let t = b.let_("st", t);
    let r = b.let_("sr", t.clone() - f(2.0) * (t * f(0.5)).floor());
    let negative = b.let_("sneg", r.clone().ge(f(1.0)));
    let r = b.let_("sr1", sel(negative.clone(), r.clone() - f(1.0), r));
    let a = b.let_("sa", sel(r.clone().gt(f(0.5)), f(1.0) - r.clone(), r));
    let cosine = b.let_("scos", a.clone().gt(f(0.25)));
    let c = sel(cosine.clone(), f(0.5) - a.clone(), a);
    let theta = b.dd_mul_d(&dd_const(PI), c);
    let (s, co) = sin_cos(b, &theta);
    let v = b.let_dd("sv", sel_dd(&cosine, &co, &s));
    sel_dd(&negative, &v.neg(), &v)
}

/// The parts shared by `gamma` and `ln_gamma` of a finite `x` with `TINY <= |x| <` 2^52
/// (or 2^60 for positive `x`) (other operands give garbage): the double-double `s` of
/// [`shifted_stirling`] at `|x|` and `(num, den)` with `gamma(x) = num / den e^(±s)` (`+s` for
/// positive `x`): `(1, p)` for positive `x`, and by the reflection formula
/// `gamma(-t) = -pi / (t sin(pi t) gamma(t))` `(-pi p, t sin(pi t))` for negative ones.
fn parts(b: &mut Builder, x: &V, negative: &V) -> (Dd, Dd, Dd) {
    let a = b.let_("ga", x.clone().abs());
    let (s, p) = shifted_stirling(b, a.clone());
    let s = b.let_dd("gs", s);
    let p = b.let_dd("gp", p);
    let sine = sin_pi(b, sel(negative.clone(), a.clone(), f(0.5)));
    let d = b.dd_mul_d(&sine, a);
    let pi_p = b.dd_mul(&dd_const(PI), &p);
    let num = b.let_dd("gnum", sel_dd(negative, &pi_p.neg(), &Dd::of(f(1.0))));
    let den = b.let_dd("gden", sel_dd(negative, &d, &p));
    (s, num, den)
}

/// `x` where it is in the range of [`parts`], else 1 (NaN included).
fn in_range(x: &V, negative: &V, positive_below: f64) -> V {
    let a = x.clone().abs();
    let regular = a.clone().ge(f(TINY)).and(sel(
        negative.clone(),
        a.clone().lt(f(INTEGERS_FROM)),
        a.lt(f(positive_below)),
    ));
    sel(regular, x.clone(), f(1.0))
}

/// True at the poles of negative `x`: the negative integers and -infinity.
fn negative_pole(x: &V) -> V {
    x.clone().lt(f(0.0)).and(x.clone().floor().eq(x.clone()))
}

/// `x.gamma()` (C's `tgamma`): `num / den e^(±s)` of [`parts`], rounded once; `1 / x` below
/// 2^-56 in magnitude (±infinity at ±0); NaN at the negative integers and -infinity;
/// infinity beyond 172. For negative `x` below -100 the exponential is taken of
/// `-s + 128 ln 2` and scaled back, so that tiny results (down to the subnormals, near
/// -184) keep their digits.
pub(crate) fn gamma(b: &mut Builder, x: V) -> V {
    let x = b.let_("gx", x);
    let negative = b.let_("gneg", x.clone().lt(f(0.0)));
    let xr = b.let_("gxr", in_range(&x, &negative, GAMMA_OVERFLOWS_ABOVE));
    let (s, num, den) = parts(b, &xr, &negative);
    let factor = b.dd_div(&num, &den);
    let offset = b.let_("goff", negative.clone().and(xr.clone().lt(f(-100.0))));
    let shift = Dd {
        hi: sel(offset.clone(), f(128.0 * LN2.0), f(0.0)),
        lo: sel(offset.clone(), f(128.0 * LN2.1), f(0.0)),
    };
    let reflected = b.dd_add(&s.neg(), &shift);
    let exponent = b.let_dd("gexp", sel_dd(&negative, &reflected, &s));
    let (y, k) = exp_parts(b, exponent.hi, exponent.lo);
    let v = b.dd_mul(&factor, &y);
    let k = k - sel(offset, i(128), i(0));
    let r = scale(b, v.hi, k);
    let r = sel(x.clone().abs().lt(f(TINY)), f(1.0) / x.clone(), r);
    let r = sel(negative_pole(&x), f(f64::NAN), r);
    let r = sel(x.clone().gt(f(GAMMA_OVERFLOWS_ABOVE)), f(f64::INFINITY), r);
    sel(x.clone().nan_test(), x, r)
}

/// `ln_gamma(2 + e)` as a double-double for `|e| <= 1/4`: `(1 - gamma) e + e^2 (c2 + e q(e))`
/// (see [`AROUND_TWO`]), the first two terms in double-double.
fn around_two(b: &mut Builder, e: V) -> Dd {
    let e = b.let_("ee", e);
    let lead = b.dd_mul_d(&dd_const(ONE_MINUS_EULER), e.clone());
    let q = e.clone() * horner(&e, &AROUND_TWO);
    let t = b.fast_two_sum(f(ZETA2_TERM.0), f(ZETA2_TERM.1) + q);
    let square = b.two_prod(e.clone(), e);
    let p = b.dd_mul(&square, &t);
    b.dd_add(&lead, &p)
}

/// `ln |gamma(x)|` (C's `lgamma`): `ln(num / den) ± s` of [`parts`] in double-double; within
/// 1/4 of 2 the series [`around_two`], and within 1/4 of 1 the same series less `ln x`
/// (`ln_gamma(x) = ln_gamma(x + 1) - ln x`), so that the zeros at 1 and 2 keep their relative
/// accuracy; `-ln |x|` below 2^-56 in magnitude; `x (ln x - 1)` from 2^60 on; infinity at
/// the poles (0, the negative integers) and at ±infinity.
pub(crate) fn ln_gamma(b: &mut Builder, x: V) -> V {
    let x = b.let_("lgx", x);
    let negative = b.let_("lgneg", x.clone().lt(f(0.0)));
    let xr = b.let_("lgxr", in_range(&x, &negative, LN_GAMMA_PLAIN_FROM));
    let (s, num, den) = parts(b, &xr, &negative);
    // `num / den` is positive for positive `x`; for negative `x` its magnitude is taken.
    let num = sel_dd(&negative, &num.neg(), &num);
    let den = b.let_dd("lgden", den);
    let den = sel_dd(&den.hi.clone().lt(f(0.0)), &den.neg(), &den);
    let q = b.dd_div(&num, &den);
    let lq = ln_of_dd(b, &q);
    let signed_s = sel_dd(&negative, &s.neg(), &s);
    let general = b.dd_add(&lq, &signed_s);
    let near_one = b.let_("lgn1", (x.clone() - f(1.0)).abs().le(f(NEAR_ZERO)));
    let near_two = b.let_("lgn2", (x.clone() - f(2.0)).abs().le(f(NEAR_ZERO)));
    let e = sel(
        near_one.clone(),
        x.clone() - f(1.0),
        sel(near_two.clone(), x.clone() - f(2.0), f(0.0)),
    );
    let e = b.let_("lge", e);
    let series = around_two(b, e.clone());
    let one_plus = b.two_sum(f(1.0), sel(near_one.clone(), e, f(0.0)));
    let ln_x = ln_of_dd(b, &one_plus);
    let series = b.dd_add(&series, &ln_x.neg());
    let r = sel(near_one.or(near_two), series.hi, general.hi);
    let a = b.let_("lga", x.clone().abs());
    let r = sel(a.clone().lt(f(TINY)), -ln(b, a.clone()), r);
    let finite = a.clone().lt(f(f64::INFINITY));
    let plain_at = sel(
        a.clone().ge(f(LN_GAMMA_PLAIN_FROM)).and(finite.clone()),
        a.clone(),
        f(1.0),
    );
    let ln_a = ln_dd(b, plain_at);
    let less = b.dd_add(&ln_a, &Dd::of(f(-1.0)));
    let r = sel(a.clone().ge(f(LN_GAMMA_PLAIN_FROM)), less.hi * a.clone(), r);
    let r = sel(negative_pole(&x).or(finite.not()), f(f64::INFINITY), r);
    sel(x.clone().nan_test(), x, r)
}
