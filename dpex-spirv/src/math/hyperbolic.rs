//! `sinh`, `cosh`, `tanh` and `exp_m1` in f64: from the double-double `e^|x|` of
//! [`exp_parts`](super::exp_log::exp_parts), and near zero, where `e^x - e^-x` (or `e^x - 1`)
//! cancels, from a double-double `expm1` series; `asinh`, `acosh` and `atanh` as the
//! logarithm ([`ln_of_dd`]) of a double-double argument, so that nothing cancels near zero.

use super::build::{copysign, f, horner, i, pow2, sel, Builder, Dd, V};
use super::exp_log::{dd_const, exp_parts, ln_dd, ln_of_dd, scale, LN2};

/// `1 / n!` for n = 3..=17: the Taylor coefficients of `(e^x - 1 - x - x^2/2) / x^3`.
fn expm1_tail() -> Vec<f64> {
    let mut c = vec![];
    let mut factorial = 2.0f64;
    for n in 3..=17 {
        factorial *= f64::from(n);
        c.push(1.0 / factorial);
    }
    c
}

/// `e^x - 1` as a double-double for `|x| <= 0.5`, to about 2^-57 relative: `x + x^2/2`
/// in double-double, the rest of Taylor's series (at most 5% of the sum) in f64.
fn expm1_small(b: &mut Builder, x: V) -> Dd {
    let x = b.let_("mx", x);
    let square = b.two_prod(x.clone(), x.clone());
    let half = Dd {
        hi: square.hi.clone() * f(0.5),
        lo: square.lo * f(0.5),
    };
    let lead = b.dd_add(
        &Dd {
            hi: x.clone(),
            lo: f(0.0),
        },
        &half,
    );
    let tail = square.hi * x.clone() * horner(&x, &expm1_tail());
    b.fast_two_sum(lead.hi, lead.lo + tail)
}

/// `e^a = 2^k y` and `e^-a = 2^-k t` for `a >= 0`, with `y` and `t` double-doubles. `t`
/// is `2^(-2 min(k, 60)) / y`: beyond `k = 60` it is far below an ulp of `y`.
fn exp_pair(b: &mut Builder, a: V) -> (Dd, Dd, V) {
    let (y, k) = exp_parts(b, a, f(0.0));
    let kc = sel(k.clone().gt(i(60)), i(60), k.clone());
    let power = b.let_("epow", pow2(-(kc * i(2))));
    let one = dd_const((1.0, 0.0));
    let inverse = b.dd_div(&one, &y);
    let t = Dd {
        hi: inverse.hi * power.clone(),
        lo: inverse.lo * power,
    };
    (y, t, k)
}

/// The negation of a double-double.
fn neg(a: &Dd) -> Dd {
    Dd {
        hi: -a.hi.clone(),
        lo: -a.lo.clone(),
    }
}

/// `r` with the sign of `x`, or `x` itself when it is NaN.
fn signed(x: &V, r: V) -> V {
    sel(x.clone().nan_test(), x.clone(), copysign(r, x.clone()))
}

/// `x.sinh()`: below 0.5 `(u + u / (1 + u)) / 2` with `u = expm1 |x|`; above,
/// `2^(k-1) (y - t)` (see [`exp_pair`]), which cancels at most a factor 1.6 there and
/// overflows only where `sinh` does.
pub(crate) fn sinh(b: &mut Builder, x: V) -> V {
    let x = b.let_("sx", x);
    let a = b.let_("sa", x.clone().abs());
    let u = expm1_small(b, sel(a.clone().lt(f(0.5)), a.clone(), f(0.0)));
    let one = dd_const((1.0, 0.0));
    let den = b.dd_add(&u, &one);
    let v = b.dd_div(&u, &den);
    let near = b.dd_add(&u, &v);
    let (y, t, k) = exp_pair(b, a.clone());
    let far = b.dd_add(&y, &neg(&t));
    let far = scale(b, far.hi, k - i(1));
    signed(&x, sel(a.lt(f(0.5)), near.hi * f(0.5), far))
}

/// `x.cosh()`: `2^(k-1) (y + t)` (see [`exp_pair`]), with no cancellation anywhere.
pub(crate) fn cosh(b: &mut Builder, x: V) -> V {
    let x = b.let_("hx", x);
    let (y, t, k) = exp_pair(b, x.clone().abs());
    let sum = b.dd_add(&y, &t);
    let r = scale(b, sum.hi, k - i(1));
    sel(x.clone().nan_test(), x, r)
}

/// `x.tanh()`: below 0.25 `u / (u + 2)` with `u = expm1 2|x|`; above, `(y - t) / (y + t)`
/// (see [`exp_pair`]), which cancels at most a factor 2.5 there and rounds to 1 from
/// about 19.1 on.
pub(crate) fn tanh(b: &mut Builder, x: V) -> V {
    let x = b.let_("tx", x);
    let a = b.let_("ta", x.clone().abs());
    let u = expm1_small(b, sel(a.clone().lt(f(0.25)), a.clone() * f(2.0), f(0.0)));
    let two = dd_const((2.0, 0.0));
    let den = b.dd_add(&u, &two);
    let near = b.dd_div(&u, &den);
    let (y, t, _) = exp_pair(b, a.clone());
    let num = b.dd_add(&y, &neg(&t));
    let den = b.dd_add(&y, &t);
    let far = b.dd_div(&num, &den);
    signed(&x, sel(a.lt(f(0.25)), near.hi, far.hi))
}

/// `x.exp_m1()`: below 0.5 in magnitude the series of [`expm1_small`] (`x` itself below
/// 2^-54, where `x + x^2/2` rounds to `x`, ±0 included); above, `2^k (y - 2^-k)` with
/// `e^x = 2^k y` ([`exp_parts`]), which cancels at most a factor 2.6 there; -1 below -40.
pub(crate) fn exp_m1(b: &mut Builder, x: V) -> V {
    let x = b.let_("ex", x);
    let a = b.let_("ea", x.clone().abs());
    let small = b.let_("esmall", a.clone().lt(f(0.5)));
    let near = expm1_small(b, sel(small.clone(), x.clone(), f(0.0)));
    let (y, k) = exp_parts(b, sel(small.clone(), f(1.0), x.clone()), f(0.0));
    // Beyond |k| = 60, 2^-k is far below an ulp of `y` (or `y` far below one of 2^-k).
    let kc = sel(
        k.clone().gt(i(60)),
        i(60),
        sel(k.clone().lt(i(-60)), i(-60), k.clone()),
    );
    let d = b.dd_add(&y, &Dd::of(-pow2(-kc)));
    let far = scale(b, d.hi, k);
    let r = sel(small, near.hi, sel(x.clone().lt(f(-40.0)), f(-1.0), far));
    sel(a.lt(f(2f64.powi(-54))), x, r)
}

/// `x.asinh()`: `ln(|x| + sqrt(x^2 + 1))` with the argument in double-double; `ln 2|x|`
/// above 2^28 (the rest is below 2^-58), `x` below 2^-28 (`x - x^3/6` rounds to `x`).
pub(crate) fn asinh(b: &mut Builder, x: V) -> V {
    let x = b.let_("ix", x);
    let a = b.let_("ia", x.clone().abs());
    let big = b.let_("ibig", a.clone().gt(f(2f64.powi(28))));
    let m = b.let_("im", sel(big.clone(), f(1.0), a.clone()));
    let square = b.two_prod(m.clone(), m.clone());
    let sum = b.dd_add(&square, &Dd::of(f(1.0)));
    let root = b.dd_sqrt(&sum);
    let t = b.dd_add(&root, &Dd::of(m));
    let middle = ln_of_dd(b, &t);
    let far = ln_dd(b, sel(big.clone(), a.clone(), f(1.0)));
    let far = b.dd_add(&far, &dd_const(LN2));
    let r = sel(big, far.hi, middle.hi);
    let r = sel(a.clone().lt(f(2f64.powi(-28))), a.clone(), r);
    signed(&x, sel(a.clone().eq(f(f64::INFINITY)), a, r))
}

/// `x.acosh()`: `ln(x + sqrt(x^2 - 1))` with the argument in double-double (`x^2 - 1` is
/// exact to far below an ulp, also next to 1); `ln 2x` above 2^28; NaN below 1.
pub(crate) fn acosh(b: &mut Builder, x: V) -> V {
    let x = b.let_("cx", x);
    let regular = b.let_(
        "cregular",
        x.clone().ge(f(1.0)).and(x.clone().lt(f(f64::INFINITY))),
    );
    let big = b.let_("cbig", x.clone().gt(f(2f64.powi(28))));
    let m = sel(regular.clone().and(big.clone().not()), x.clone(), f(1.0));
    let m = b.let_("cm", m);
    let square = b.two_prod(m.clone(), m.clone());
    let less = b.dd_add(&square, &Dd::of(f(-1.0)));
    let root = b.dd_sqrt(&less);
    let t = b.dd_add(&root, &Dd::of(m));
    let middle = ln_of_dd(b, &t);
    let far = ln_dd(b, sel(big.clone(), x.clone(), f(1.0)));
    let far = b.dd_add(&far, &dd_const(LN2));
    let r = sel(big, far.hi, middle.hi);
    let special = sel(x.clone().eq(f(f64::INFINITY)), x, f(f64::NAN));
    sel(regular, r, special)
}

/// `x.atanh()`: `ln((1 + |x|) / (1 - |x|)) / 2` with the quotient in double-double; `x`
/// below 2^-28 (`x + x^3/3` rounds to `x`); ±infinity at ±1, NaN beyond.
pub(crate) fn atanh(b: &mut Builder, x: V) -> V {
    let x = b.let_("ax", x);
    let a = b.let_("aa", x.clone().abs());
    let inside = b.let_("ainside", a.clone().lt(f(1.0)));
    let m = b.let_("am", sel(inside.clone(), a.clone(), f(0.0)));
    let num = b.two_sum(f(1.0), m.clone());
    let den = b.two_sum(f(1.0), -m);
    let q = b.dd_div(&num, &den);
    let l = ln_of_dd(b, &q);
    let r = sel(a.clone().lt(f(2f64.powi(-28))), a.clone(), l.hi * f(0.5));
    let outside = sel(a.eq(f(1.0)), f(f64::INFINITY), f(f64::NAN));
    signed(&x, sel(inside, r, outside))
}
