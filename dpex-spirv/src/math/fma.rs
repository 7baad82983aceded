//! `mul_add` with one rounding: f32 through f64 with a round-to-odd sum, f64 in integers.

use super::build::{f, i, sel, u, Builder, V};
use super::wide::{lt128, U128};
use crate::ir::Scalar;

const SIGN: u64 = 1 << 63;

/// `x * a + b` for `f64` values holding `f32`s, rounded once to `f32` when the caller casts
/// the result: the product is exact in f64 and the sum is rounded to odd (Boldo-Melquiond),
/// so the final rounding to f32 (24 bits, 53 >= 24 + 2) is the only one that counts.
pub(crate) fn fma_f32_in_f64(b: &mut Builder, x: V, a: V, c: V) -> V {
    let p = b.let_("p", x * a);
    let s = b.two_sum(p, c);
    let bits = b.let_("s_bits", s.hi.clone().bits());
    let finite = s.hi.clone().abs().lt(f(f64::INFINITY));
    let inexact = s.lo.clone().ne(f(0.0));
    let even = (bits.clone() & u(1)).eq(u(0));
    // Away from zero when the error has the sum's sign, toward zero otherwise.
    let away = s.lo.clone().gt(f(0.0)).eq(s.hi.clone().gt(f(0.0)));
    let odd = sel(away, bits.clone() + u(1), bits - u(1)).into_f64();
    sel(finite.and(inexact).and(even), odd, s.hi)
}

/// The fields of a finite nonzero `f64`: its 53-bit significand (subnormals normalized) and
/// the exponent `e` of its last bit (`v = m * 2^e`).
fn unpack(b: &mut Builder, v: V) -> (V, V) {
    let v = b.let_("v", v);
    let tiny = v.clone().abs().lt(f(f64::MIN_POSITIVE));
    // Scaling a subnormal by 2^64 is exact and makes it normal.
    let scaled = b.let_(
        "scaled",
        sel(tiny.clone(), v.clone() * f(2f64.powi(64)), v).bits(),
    );
    let field = b.let_(
        "field",
        ((scaled.clone() >> u(52)) & u(0x7ff)).cast(Scalar::I64),
    );
    let m = b.let_("m", (scaled & u((1 << 52) - 1)) | u(1 << 52));
    let e = b.let_("e", field - i(1075) - sel(tiny, i(64), i(0)));
    (m, e)
}

/// `x * a + c` for `f64` with one rounding, exactly as IEEE 754 `fusedMultiplyAdd`.
///
/// Special operands (zeros, infinities, NaN) go through plain `x * a + c`, which is then
/// exact or right; finite nonzero operands go through 128-bit integer arithmetic: the exact
/// product, the aligned sum with a sticky bit, and one rounding to nearest even.
pub(crate) fn fma_f64(b: &mut Builder, x: V, a: V, c: V) -> V {
    let (x, a, c) = (b.let_("x", x), b.let_("a", a), b.let_("c", c));
    let inf = || f(f64::INFINITY);
    let finite = |v: &V| v.clone().abs().lt(inf());
    let nonzero = |v: &V| v.clone().ne(f(0.0));
    let product_finite = b.let_("pf", finite(&x).and(finite(&a)));
    let product_nonzero = b.let_("pnz", nonzero(&x).and(nonzero(&a)));
    let general = product_finite
        .clone()
        .and(product_nonzero.clone())
        .and(finite(&c))
        .and(nonzero(&c));
    let result = b.var("r", x.clone() * a.clone() + c.clone());
    // `x * a` rounds once when `c` is zero (keeping the sign of a product that underflows);
    // an infinite or NaN `c` wins over a finite product, even one that overflows.
    let plain_product = product_finite
        .clone()
        .and(product_nonzero)
        .and(c.clone().eq(f(0.0)));
    b.when(plain_product, |b| b.set(result, x.clone() * a.clone()));
    b.when(product_finite.and(finite(&c).not()), |b| {
        b.set(result, c.clone())
    });
    b.when(general, |b| {
        let r = fma_finite(b, &x, &a, &c);
        b.set(result, r);
    });
    b.get(result)
}

/// [`fma_f64`] for finite nonzero operands.
fn fma_finite(b: &mut Builder, x: &V, a: &V, c: &V) -> V {
    let sign_p = b.let_("sign_p", (x.clone().bits() ^ a.clone().bits()) & u(SIGN));
    let sign_c = b.let_("sign_c", c.clone().bits() & u(SIGN));
    let (mx, ex) = unpack(b, x.clone());
    let (ma, ea) = unpack(b, a.clone());
    let (mc, ec) = unpack(b, c.clone());
    // The product is in [2^104, 2^106): at bits 124..=125 after a shift by 20. The addend's
    // 53 bits go to bits 72..=124. Two bits of headroom remain for the sum.
    let product = b.mul_53(mx, ma);
    let p = b.shl_const(&product, 20);
    let ep = b.let_("ep", ex + ea - i(20));
    let z = U128 {
        hi: b.let_("z_hi", mc << u(8)),
        lo: u(0),
    };
    let ez = b.let_("ez", ec - i(72));
    let d = b.let_("d", ep.clone() - ez.clone());
    let product_first = b.let_("pfirst", d.clone().ge(i(0)));
    // `big` has the larger exponent, `small` is shifted right to it with a sticky bit.
    let shift = sel(product_first.clone(), d.clone(), -d).cast(Scalar::U64);
    let to_shift = U128 {
        hi: sel(product_first.clone(), z.hi.clone(), p.hi.clone()),
        lo: sel(product_first.clone(), z.lo.clone(), p.lo.clone()),
    };
    let (shifted, lost) = b.shr_sticky(&to_shift, shift);
    let small = U128 {
        hi: shifted.hi,
        lo: b.let_("small_lo", shifted.lo | sel(lost, u(1), u(0))),
    };
    let big = U128 {
        hi: b.let_("big_hi", sel(product_first.clone(), p.hi, z.hi)),
        lo: b.let_("big_lo", sel(product_first.clone(), p.lo, z.lo)),
    };
    let e = b.let_("e_sum", sel(product_first.clone(), ep, ez));
    let sign_big = b.let_(
        "sign_big",
        sel(product_first, sign_p.clone(), sign_c.clone()),
    );
    let subtract = sign_p.ne(sign_c);
    let hi = b.var("sum_hi", u(0));
    let lo = b.var("sum_lo", u(0));
    let sign = b.var("sign", sign_big.clone());
    b.if_else(
        subtract,
        |b| {
            let swap = b.let_("swap", lt128(&big, &small));
            let top = U128 {
                hi: sel(swap.clone(), small.hi.clone(), big.hi.clone()),
                lo: sel(swap.clone(), small.lo.clone(), big.lo.clone()),
            };
            let bottom = U128 {
                hi: sel(swap.clone(), big.hi.clone(), small.hi.clone()),
                lo: sel(swap.clone(), big.lo.clone(), small.lo.clone()),
            };
            let top = U128 {
                hi: b.let_("top_hi", top.hi),
                lo: b.let_("top_lo", top.lo),
            };
            let diff = b.sub128(&top, &bottom);
            b.set(hi, diff.hi);
            b.set(lo, diff.lo);
            b.set(sign, sel(swap, sign_big.clone() ^ u(SIGN), sign_big));
        },
        |b| {
            let sum = b.add128(&big, &small);
            b.set(hi, sum.hi);
            b.set(lo, sum.lo);
        },
    );
    let sum = U128 {
        hi: b.get(hi),
        lo: b.get(lo),
    };
    let out = b.var("bits", u(0));
    let exact_zero = sum.hi.clone().eq(u(0)).and(sum.lo.clone().eq(u(0)));
    // An exact zero sum is +0 under round-to-nearest.
    b.when(exact_zero.not(), |b| {
        let r = round_to_f64(b, &sum, e);
        b.set(out, r | b.get(sign));
    });
    b.get(out).into_f64()
}

/// The bits of `r * 2^e` (`r` nonzero, below 2^127) rounded to nearest even as a positive
/// `f64`: infinity on overflow, a subnormal or zero on underflow.
fn round_to_f64(b: &mut Builder, r: &U128, e: V) -> V {
    let zeros = b.clz128(r);
    let top = b.let_("top", i(127) - zeros.cast(Scalar::I64));
    // The value is in [2^exponent, 2^(exponent + 1)).
    let exponent = b.let_("exponent", top.clone() + e.clone());
    let normal = b.let_("normal", exponent.clone().ge(i(-1022)));
    // How many low bits of `r` to drop: to 53 significant bits, or to the 2^-1074 grid.
    let drop = b.let_("drop", sel(normal.clone(), top - i(52), i(-1074) - e));
    let field = sel(normal, exponent.clone() + i(1022), i(0)).cast(Scalar::U64);
    let field = b.let_("field", field << u(52));
    let out = b.var("rounded", u(0));
    b.if_else(
        drop.clone().le(i(0)),
        // Exact: r < 2^53 here.
        |b| {
            b.set(
                out,
                field.clone() + (r.lo.clone() << (-drop.clone()).cast(Scalar::U64)),
            )
        },
        |b| {
            // Keep one more bit (the round bit) and fold the rest into `lost`.
            let amount = (drop.clone() - i(1)).cast(Scalar::U64);
            let (kept, lost) = b.shr_sticky(r, amount);
            let kept = b.let_("kept", kept.lo);
            let m = b.let_("m", kept.clone() >> u(1));
            let round = (kept & u(1)).ne(u(0));
            let up = round.and(lost.or((m.clone() & u(1)).ne(u(0))));
            let m = m.clone() + sel(up, u(1), u(0));
            // A carry out of the significand moves into the exponent field, up to infinity.
            b.set(out, field.clone() + m);
        },
    );
    let infinity = u(f64::INFINITY.to_bits());
    sel(exponent.gt(i(1023)), infinity, b.get(out))
}
