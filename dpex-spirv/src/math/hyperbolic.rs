//! `sinh`, `cosh` and `tanh` in f64: from the double-double `e^|x|` of
//! [`exp_parts`](super::exp_log::exp_parts), and near zero, where `e^x - e^-x` cancels, from
//! a double-double `expm1` series.

use super::build::{copysign, f, horner, i, pow2, sel, Builder, Dd, V};
use super::exp_log::{dd_const, exp_parts, scale};

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

/// `e^x - 1` as a double-double for `0 <= x <= 0.5`, to about 2^-58 relative: `x + x^2/2`
/// in double-double, the rest of Taylor's series (at most 4% of the sum) in f64.
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
