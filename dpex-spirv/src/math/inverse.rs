//! `atan`, `atan2`, `asin` and `acos` in f64, all from one double-double arctangent:
//! `atan t = atan c + atan((t - c) / (1 + c t))` for `c` in {0, 1/2, 1, 3/2, infinity}, then
//! Taylor's series on `|u| <= 7/16`.

use super::build::{copysign, f, horner, i, sel, sel_dd, u, Builder, Dd, V};
use super::exp_log::{dd_const, scale};
use super::trig::PIO2;
use crate::ir::Scalar;

/// pi as a double-double.
const PI: (f64, f64) = (std::f64::consts::PI, 1.2246467991473532e-16);
/// atan(1/2) as a double-double.
const ATAN_HALF: (f64, f64) = (0.4636476090008061, 2.2698777452961687e-17);
/// atan(1) = pi/4 as a double-double.
const ATAN_ONE: (f64, f64) = (std::f64::consts::FRAC_PI_4, 3.061616997868383e-17);
/// atan(3/2) as a double-double.
const ATAN_THREE_HALVES: (f64, f64) = (0.982793723247329, 1.3903311031230998e-17);
/// 3 pi / 4, rounded: `atan2(±inf, -inf)`.
const THREE_PI_4: f64 = 2.356194490192345;
/// Below this, `atan x`, `asin x` and `atan2`'s quotient round to themselves.
const TINY: f64 = 3.725290298461914e-9; // 2^-28

/// The Taylor coefficients of `(atan u - u) / u^3` in `z = u^2`: `(-1)^n / (2n + 1)`,
/// n = 1..=26 (enough for `|u| <= 7/16` to 2^-64).
fn atan_taylor() -> Vec<f64> {
    (1..=26)
        .map(|n: u32| {
            let sign = if n % 2 == 1 { -1.0 } else { 1.0 };
            sign / f64::from(2 * n + 1)
        })
        .collect()
}

/// `atan t` as a double-double, to about 2^-55 relative, for a double-double `t >= 0`
/// (`t.hi` may be infinite; `t.lo` is ignored above 2^60, where it may be NaN).
fn atan_dd(b: &mut Builder, t: &Dd) -> Dd {
    let th = b.let_("at_th", t.hi.clone());
    let tl = b.let_(
        "at_tl",
        sel(th.clone().gt(f(2f64.powi(60))), f(0.0), t.lo.clone()),
    );
    let big = b.let_("at_big", th.clone().ge(f(39.0 / 16.0)));
    // The pieces: [0, 7/16), [7/16, 11/16), [11/16, 19/16), [19/16, 39/16) and beyond.
    let piece = |c: [f64; 4]| {
        sel(
            th.clone().lt(f(7.0 / 16.0)),
            f(c[0]),
            sel(
                th.clone().lt(f(11.0 / 16.0)),
                f(c[1]),
                sel(th.clone().lt(f(19.0 / 16.0)), f(c[2]), f(c[3])),
            ),
        )
    };
    let c = b.let_("at_c", piece([0.0, 0.5, 1.0, 1.5]));
    let base_hi = sel(
        big.clone(),
        f(PIO2.0),
        piece([0.0, ATAN_HALF.0, ATAN_ONE.0, ATAN_THREE_HALVES.0]),
    );
    let base_lo = sel(
        big.clone(),
        f(PIO2.1),
        piece([0.0, ATAN_HALF.1, ATAN_ONE.1, ATAN_THREE_HALVES.1]),
    );
    let base = b.let_dd(
        "at_base",
        Dd {
            hi: base_hi,
            lo: base_lo,
        },
    );
    // u = (t - c) / (1 + c t), or -1/t beyond 39/16; `th - c` is exact in each piece.
    let num = b.two_sum(th.clone() - c.clone(), tl.clone());
    let t = Dd {
        hi: th.clone(),
        lo: tl.clone(),
    };
    let ct = b.dd_mul_d(&t, c);
    let den = b.dd_add(&Dd::of(f(1.0)), &ct);
    let clamped = Dd {
        hi: sel(th.clone().gt(f(2f64.powi(100))), f(2f64.powi(100)), th),
        lo: tl,
    };
    let num = b.let_dd("at_num", sel_dd(&big, &Dd::of(f(-1.0)), &num));
    let den = b.let_dd("at_den", sel_dd(&big, &clamped, &den));
    let q = b.dd_div(&num, &den);
    // atan(uh + ul) = atan(uh) + ul / (1 + uh^2) to far below an ulp.
    let uh = b.let_("at_uh", q.hi);
    let z = b.let_("at_z", uh.clone() * uh.clone());
    let tail = q.lo / (f(1.0) + z.clone()) + uh.clone() * z.clone() * horner(&z, &atan_taylor());
    let a = b.fast_two_sum(uh, tail);
    b.dd_add(&base, &a)
}

/// `num / den` for `num, den >= 0` as a double-double fit for [`atan_dd`]: above 2^60 (and
/// at infinity) the plain quotient, whose double-double correction may be NaN there.
fn quotient(b: &mut Builder, num: &Dd, den: &Dd) -> Dd {
    let plain = b.let_("plain", num.hi.clone() / den.hi.clone());
    let q = b.dd_div(num, den);
    Dd {
        hi: sel(plain.clone().gt(f(2f64.powi(60))), plain, q.hi),
        lo: q.lo,
    }
}

/// `pi - a` rounded where `x` is negative (its sign bit set), else `a` rounded.
fn mirror_if_negative(b: &mut Builder, x: &V, a: &Dd) -> V {
    let mirrored = b.dd_add(&dd_const(PI), &a.neg());
    sel(x.clone().bits().ge(u(1 << 63)), mirrored.hi, a.hi.clone())
}

/// `atan x`.
pub(crate) fn atan(b: &mut Builder, x: V) -> V {
    let x = b.let_("x", x);
    let ax = b.let_("ax", x.clone().abs());
    let a = atan_dd(b, &Dd::of(ax.clone()));
    let v = copysign(a.hi, x.clone());
    sel(ax.lt(f(TINY)).or(x.clone().nan_test()), x.clone(), v)
}

/// `atan2(y, x)`, the angle of the point `(x, y)`, with C99's special cases.
pub(crate) fn atan2(b: &mut Builder, y: V, x: V) -> V {
    let (y, x) = (b.let_("y", y), b.let_("x", x));
    let (ay, ax) = (b.let_("ay", y.clone().abs()), b.let_("ax", x.clone().abs()));
    let direct = b.let_("direct", ay.clone() / ax.clone());
    // Both scaled by one power of 2 so that the larger is in [2^-52, 2): the quotient in
    // double-double then neither overflows nor underflows where it matters.
    let (ey, ex) = (ay.clone().bits() >> u(52), ax.clone().bits() >> u(52));
    let e = sel(ey.clone().gt(ex.clone()), ey, ex);
    let e = b.let_("e", sel(e.clone().lt(u(1)), u(1), e));
    let k = b.let_("k", i(1023) - e.cast(Scalar::I64));
    let ys = scale(b, ay.clone(), k.clone());
    let xs = scale(b, ax.clone(), k);
    let t = quotient(b, &Dd::of(ys), &Dd::of(xs));
    let core = atan_dd(b, &t);
    let small = b.let_("small", direct.clone().lt(f(TINY)));
    let a = b.let_dd("a", sel_dd(&small, &Dd::of(direct), &core));
    let v = mirror_if_negative(b, &x, &a);
    let inf = f(f64::INFINITY);
    let both_zero = ay.clone().eq(f(0.0)).and(ax.clone().eq(f(0.0)));
    let zero_angle = sel(x.clone().bits().ge(u(1 << 63)), f(PI.0), f(0.0));
    let both_inf = ay.eq(inf.clone()).and(ax.eq(inf));
    let inf_angle = sel(
        x.clone().lt(f(0.0)),
        f(THREE_PI_4),
        f(std::f64::consts::FRAC_PI_4),
    );
    let v = sel(both_zero, zero_angle, sel(both_inf, inf_angle, v));
    sel(
        x.clone().nan_test().or(y.clone().nan_test()),
        x + y.clone(),
        copysign(v, y),
    )
}

/// `sqrt(1 - x^2)` as a double-double for `|x| <= 1`, with `1 - x^2` exact.
fn cosine_of(b: &mut Builder, ax: V) -> Dd {
    let square = b.two_prod(ax.clone(), ax);
    let d = b.two_sum(f(1.0), -square.hi);
    let w = b.fast_two_sum(d.hi, d.lo - square.lo);
    b.dd_sqrt(&w)
}

/// `value` for `|x| <= 1`, NaN beyond and for NaN.
fn domain(x: &V, value: V) -> V {
    sel(x.clone().abs().le(f(1.0)), value, f(f64::NAN))
}

/// `asin x = atan(|x| / sqrt(1 - x^2))` with the sign of `x`.
pub(crate) fn asin(b: &mut Builder, x: V) -> V {
    let x = b.let_("x", x);
    let ax = b.let_("ax", x.clone().abs());
    let w = cosine_of(b, ax.clone());
    let t = quotient(b, &Dd::of(ax.clone()), &w);
    let a = atan_dd(b, &t);
    let v = sel(ax.lt(f(TINY)), x.clone(), copysign(a.hi, x.clone()));
    domain(&x, v)
}

/// `acos x = atan(sqrt(1 - x^2) / |x|)`, mirrored to `pi - ...` for negative `x`.
pub(crate) fn acos(b: &mut Builder, x: V) -> V {
    let x = b.let_("x", x);
    let ax = b.let_("ax", x.clone().abs());
    let w = cosine_of(b, ax.clone());
    let t = quotient(b, &w, &Dd::of(ax));
    let a = atan_dd(b, &t);
    let v = mirror_if_negative(b, &x, &a);
    domain(&x, v)
}
