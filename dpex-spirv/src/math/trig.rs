//! `sin`, `cos` and `tan` in f64: reduction by pi/2 over the whole f64 range (Cody-Waite
//! below 2^20, Payne-Hanek with 2/pi as integer words above), then Taylor series of sine and
//! cosine on [-pi/4, pi/4] in double-double.

use super::build::{f, horner, i, pow2, sel, sel_dd, u, Builder, Dd, V};
use super::exp_log::dd_const;
use crate::ir::Scalar;

/// pi/2 as a double-double.
pub(crate) const PIO2: (f64, f64) = (std::f64::consts::FRAC_PI_2, 6.123233995736766e-17);
/// The first part of pi/2 for Cody-Waite: 33 significant bits, so `k * PIO2_1` is exact for
/// `k < 2^20`, as are the products with the next two parts.
const PIO2_1: f64 = 1.5707963267341256;
/// The second part of pi/2 (33 bits).
const PIO2_2: f64 = 6.077100506303966e-11;
/// The third part of pi/2 (33 bits).
const PIO2_3: f64 = 2.0222662487111665e-21;
/// The rest of pi/2, rounded: the four parts are within 2^-152 of pi/2.
const PIO2_4: f64 = 8.4784276603689e-32;
/// 1/6 as a double-double.
const SIXTH: (f64, f64) = (0.16666666666666666, 9.25185853854297e-18);
/// Below this, Cody-Waite reduction is exact enough; from it on Payne-Hanek.
const CODY_WAITE_BELOW: f64 = 1_048_576.0;

/// The bits of 2/pi, 64 to a word, most significant first, after one word of zeros:
/// `2/pi = sum(TWO_OVER_PI[n] 2^(-64 n))`. Enough bits for the largest f64 (computed with
/// mpmath at 2000 bits).
const TWO_OVER_PI: [u64; 20] = [
    0x0000000000000000,
    0xa2f9836e4e441529,
    0xfc2757d1f534ddc0,
    0xdb6295993c439041,
    0xfe5163abdebbc561,
    0xb7246e3a424dd2e0,
    0x06492eea09d1921c,
    0xfe1deb1cb129a73e,
    0xe88235f52ebb4484,
    0xe99c7026b45f7e41,
    0x3991d639835339f4,
    0x9c845f8bbdf9283b,
    0x1ff897ffde05980f,
    0xef2f118b5a0a6d1f,
    0x6d367ecf27cb09b7,
    0x4f463f669e5fea2d,
    0x7527bac7ebe5f17b,
    0x3d0739f78a5292ea,
    0x6bfb5fb11f8d5d08,
    0x56033046fc7b6bab,
];

/// `TWO_OVER_PI[index]` for a `u64` index in `lo..hi` (the last word beyond), by a binary
/// tree of selects.
fn table_word(index: &V, lo: usize, hi: usize) -> V {
    if hi - lo == 1 {
        return u(TWO_OVER_PI[lo]);
    }
    let mid = (lo + hi) / 2;
    sel(
        index.clone().lt(u(mid as u64)),
        table_word(index, lo, mid),
        table_word(index, mid, hi),
    )
}

/// Taylor coefficients `(-1)^n / (2n + offset)!` for n = 2..=11: sine's (offset 1) after
/// `r - r^3/6` over `r^5`, cosine's (offset 0) after `1 - r^2/2` over `r^4`.
fn taylor(offset: u32) -> Vec<f64> {
    (2..=11)
        .map(|n: u32| {
            let factorial: f64 = (1..=2 * n + offset).map(f64::from).product();
            if n % 2 == 1 {
                -1.0 / factorial
            } else {
                1.0 / factorial
            }
        })
        .collect()
}

/// `ax = k pi/2 + r` for `0 <= ax < 2^20` (Cody-Waite): sets `r` and `k mod 4`.
fn cody_waite(b: &mut Builder, ax: V) -> (Dd, V) {
    let kf = b.let_(
        "kf",
        (ax.clone() * f(std::f64::consts::FRAC_2_PI) + f(0.5)).floor(),
    );
    // Exact: `k PIO2_1` is exact and within a factor of two of `ax`, or `ax` is below 0.5.
    let r0 = b.let_("r0", ax - kf.clone() * f(PIO2_1));
    let s = b.two_sum(r0, -(kf.clone() * f(PIO2_2)));
    let t = b.two_sum(s.hi, -(kf.clone() * f(PIO2_3)));
    let r = b.fast_two_sum(t.hi, t.lo + (s.lo - kf.clone() * f(PIO2_4)));
    (r, kf.cast(Scalar::U64) & u(3))
}

/// `ax = k pi/2 + r` for finite `ax >= 2^20` (Payne-Hanek): `ax = m 2^e` with a 53-bit `m`;
/// the 192 bits of `2^e 2/pi mod 4` (two integer bits, 190 fraction bits) times `m`, mod
/// 2^192, are `k mod 4` and the fraction `r / (pi/2)`, to 2^-137 absolute.
fn payne_hanek(b: &mut Builder, ax: V) -> (Dd, V) {
    let bits = b.let_("ph_bits", ax.bits());
    let m = b.let_("ph_m", (bits.clone() & u((1 << 52) - 1)) | u(1 << 52));
    // The window starts at bit `e + 62` of the table (its word of zeros included):
    // e = biased exponent - 1075, at least -32 here.
    let start = b.let_("ph_start", (bits >> u(52)) - u(1013));
    let word = b.let_("ph_word", start.clone() >> u(6));
    let shift = b.let_("ph_shift", start & u(63));
    let words: Vec<V> = (0..4)
        .map(|k| {
            let index = b.let_("ph_index", word.clone() + u(k));
            b.let_("ph_w", table_word(&index, 0, TWO_OVER_PI.len()))
        })
        .collect();
    // `(w >> 1) >> (63 - s)` is `w >> (64 - s)`, also for s = 0.
    let g: Vec<V> = (0..3)
        .map(|k| {
            let v = (words[k].clone() << shift.clone())
                | ((words[k + 1].clone() >> u(1)) >> (u(63) - shift.clone()));
            b.let_("ph_g", v)
        })
        .collect();
    let p2 = b.mul_64(m.clone(), g[2].clone());
    let p1 = b.mul_64(m.clone(), g[1].clone());
    let r2 = p2.lo;
    let r1 = b.let_("ph_r1", p1.lo.clone() + p2.hi);
    let carry = sel(r1.clone().lt(p1.lo), u(1), u(0));
    let r0 = b.let_("ph_r0", m * g[0].clone() + p1.hi + carry);
    // A fraction of 1/2 or more counts as the next quadrant minus the rest.
    let negative = b.let_("ph_neg", ((r0.clone() >> u(61)) & u(1)).eq(u(1)));
    let quadrant = ((r0.clone() >> u(62)) + sel(negative.clone(), u(1), u(0))) & u(3);
    let ones = || u(u64::MAX);
    let n2 = b.let_(
        "ph_n2",
        sel(negative.clone(), (r2.clone() ^ ones()) + u(1), r2.clone()),
    );
    let carry2 = sel(r2.clone().eq(u(0)), u(1), u(0));
    let n1 = b.let_(
        "ph_n1",
        sel(negative.clone(), (r1.clone() ^ ones()) + carry2, r1.clone()),
    );
    let carry1 = sel(r2.eq(u(0)).and(r1.eq(u(0))), u(1), u(0));
    let n0 = sel(negative.clone(), (r0.clone() ^ ones()) + carry1, r0);
    let n0 = b.let_("ph_n0", n0 & u((1 << 62) - 1));
    // Normalize the 190-bit magnitude: its leading 128 bits as `hw 2^64 + lw`, times 2^base.
    let top = b.let_("ph_top", n0.clone().ne(u(0)));
    let a0 = b.let_("ph_a0", sel(top.clone(), n0, n1.clone()));
    let a1 = b.let_("ph_a1", sel(top.clone(), n1, n2.clone()));
    let a2 = sel(top.clone(), n2, u(0));
    let lz = b.clz64(a0.clone());
    let hw = (a0 << lz.clone()) | ((a1.clone() >> u(1)) >> (u(63) - lz.clone()));
    let hw = b.let_("ph_hw", hw);
    let lw = (a1 << lz.clone()) | ((a2 >> u(1)) >> (u(63) - lz.clone()));
    let base = b.let_("ph_base", sel(top, i(-126), i(-190)) - lz.cast(Scalar::I64));
    let lead = (hw.clone() >> u(11)).cast(Scalar::F64);
    let next = (((hw & u(0x7ff)) << u(42)) | (lw >> u(22))).cast(Scalar::F64);
    let fraction = b.fast_two_sum(lead * pow2(base.clone() + i(75)), next * pow2(base + i(22)));
    let r = b.dd_mul(&fraction, &dd_const(PIO2));
    (sel_dd(&negative, &r.neg(), &r), quadrant)
}

/// `ax = k pi/2 + r` with `|r| <= pi/4` (a little more below 2^20) for any `ax >= 0`:
/// `(r, k mod 4)`; garbage for infinity and NaN.
fn reduce(b: &mut Builder, ax: V) -> (Dd, V) {
    let rh = b.var("rh", f(0.0));
    let rl = b.var("rl", f(0.0));
    let q = b.var("q", u(0));
    let store = |b: &mut Builder, (r, k): (Dd, V)| {
        b.set(rh, r.hi);
        b.set(rl, r.lo);
        b.set(q, k);
    };
    b.if_else(
        ax.clone().lt(f(CODY_WAITE_BELOW)),
        |b| {
            let v = cody_waite(b, ax.clone());
            store(b, v);
        },
        |b| {
            let v = payne_hanek(b, ax.clone());
            store(b, v);
        },
    );
    let r = Dd {
        hi: b.get(rh),
        lo: b.get(rl),
    };
    (r, b.get(q))
}

/// `(sin r, cos r)` as double-doubles for `|r| <= pi/4 + 2^-20`, to about 2^-58 relative:
/// the first two terms of each series in double-double, the rest in f64.
pub(crate) fn sin_cos(b: &mut Builder, r: &Dd) -> (Dd, Dd) {
    let rh = r.hi.clone();
    let sq = b.two_prod(rh.clone(), rh.clone());
    let sq = b.fast_two_sum(sq.hi, sq.lo + f(2.0) * rh.clone() * r.lo.clone());
    let z = b.let_("z", sq.hi.clone());
    let z2 = b.let_("z2", z.clone() * z.clone());
    let cube = b.dd_mul(&sq, r);
    let third = b.dd_mul(&cube, &dd_const(SIXTH));
    let d = b.dd_add(r, &third.neg());
    let sin_tail = rh * z2.clone() * horner(&z, &taylor(1));
    let sin = b.fast_two_sum(d.hi, d.lo + sin_tail);
    let c = b.two_sum(f(1.0), -(f(0.5) * sq.hi));
    let cos_tail = z2 * horner(&z, &taylor(0));
    let cos = b.fast_two_sum(c.hi, (c.lo - f(0.5) * sq.lo) + cos_tail);
    (sin, cos)
}

/// The reduction of `|x|` and the sine and cosine of its remainder: `(sin r, cos r, k mod 4)`.
fn reduced(b: &mut Builder, x: &V) -> (Dd, Dd, V) {
    let ax = b.let_("ax", x.clone().abs());
    let (r, q) = reduce(b, ax);
    let q = b.let_("quadrant", q);
    let (s, c) = sin_cos(b, &r);
    (s, c, q)
}

/// `value` with the sign of `x` flipped for negative `x`, except at the special operands of
/// an odd function: `x` itself at ±0 and NaN for infinities and NaN.
fn odd_specials(x: &V, value: V) -> V {
    let signed = sel(x.clone().lt(f(0.0)), -value.clone(), value);
    let finite = x.clone().abs().lt(f(f64::INFINITY));
    sel(
        x.clone().eq(f(0.0)),
        x.clone(),
        sel(finite, signed, f(f64::NAN)),
    )
}

/// `-v` where `negate`, else `v`.
fn negate_if(negate: V, v: V) -> V {
    sel(negate, -v.clone(), v)
}

/// `sin x`.
pub(crate) fn sin(b: &mut Builder, x: V) -> V {
    let x = b.let_("x", x);
    let (s, c, q) = reduced(b, &x);
    let odd = (q.clone() & u(1)).eq(u(1));
    let v = negate_if((q & u(2)).eq(u(2)), sel(odd, c.hi, s.hi));
    odd_specials(&x, v)
}

/// `cos x`.
pub(crate) fn cos(b: &mut Builder, x: V) -> V {
    let x = b.let_("x", x);
    let (s, c, q) = reduced(b, &x);
    let odd = (q.clone() & u(1)).eq(u(1));
    // Negative in quadrants 1 and 2.
    let v = negate_if(((q + u(1)) & u(2)).eq(u(2)), sel(odd, s.hi, c.hi));
    let finite = x.abs().lt(f(f64::INFINITY));
    sel(finite, v, f(f64::NAN))
}

/// `tan x`: `sin r / cos r` in even quadrants, `-cos r / sin r` in odd ones, divided in
/// double-double.
pub(crate) fn tan(b: &mut Builder, x: V) -> V {
    let x = b.let_("x", x);
    let (s, c, q) = reduced(b, &x);
    let odd = b.let_("odd", (q & u(1)).eq(u(1)));
    let num = b.let_dd("num", sel_dd(&odd, &c, &s));
    let den = b.let_dd("den", sel_dd(&odd, &s, &c));
    let t = b.dd_div(&num, &den);
    odd_specials(&x, negate_if(odd, t.hi))
}
