//! `erf` and `erfc` in f64: a Taylor series below 0.5, and above it
//! `erfc x = e^(-x^2) H(1/x^2) / x` with `H` fitted piecewise, in double-double throughout.

use super::build::{f, horner, sel, Builder, Dd, V};
use super::exp_log::{dd_const, exp_parts};

/// 2 / sqrt(pi) as a double-double.
const TWO_OVER_SQRT_PI: (f64, f64) = (std::f64::consts::FRAC_2_SQRT_PI, 1.533545961316588e-17);

/// Beyond this, `erfc x` is below half the smallest subnormal and `erf x` is ±1.
const ERFC_ZERO: f64 = 28.0;

/// One piece of `H(w) = x erfc(x) e^(x^2)`, `w = 1/x^2`, for `x` up to `below`: a polynomial
/// in `t = scale w + shift` (`t` in [-1, 1] over the piece).
///
/// The coefficients are a Chebyshev interpolant of `H` (computed at 160 bits with mpmath by
/// `fit_erfc.py` beside this file) converted to powers of `t`; each piece is within 0.3 ulp
/// of `H` in exact arithmetic.
struct Piece {
    below: f64,
    scale: f64,
    shift: f64,
    c0_lo: f64,
    c: &'static [f64],
}

/// The pieces, for x in [0.5, 0.75), [0.75, 1), [1, 2), [2, 6) and [6, 28).
const PIECES: [Piece; 5] = [
    Piece {
        below: 0.75,
        scale: 0.8999999999999999,
        shift: -2.5999999999999996,
        c0_lo: 7.776977972941406e-18,
        c: &[
            0.3371554625904423,
            -0.03461115273757285,
            0.006475207023877066,
            -0.0014630611141268153,
            0.0003644404686303484,
            -9.649162364056594e-05,
            2.6653887520431276e-05,
            -7.5979694256111735e-06,
            2.219514624995069e-06,
            -6.61242098274224e-07,
            2.002217273842898e-07,
            -6.146075122352894e-08,
            1.9088250286844358e-08,
            -5.988711105808516e-09,
            1.8957639592265505e-09,
            -6.052344512156648e-10,
            1.944868900068578e-10,
            -6.237307574674594e-11,
            2.0281422326672e-11,
            -7.1431378666808396e-12,
            2.350843594377037e-12,
            -4.5427832962346505e-13,
            1.489913535928624e-13,
            -1.6644460660729972e-13,
            5.582383032685388e-14,
        ],
    },
    Piece {
        below: 1.0,
        scale: 2.5714285714285716,
        shift: -3.5714285714285716,
        c0_lo: -6.616199569450435e-18,
        c: &[
            0.40118911315424105,
            -0.02330558101026107,
            0.0026428493016025663,
            -0.00037401740413853647,
            5.952878027309058e-05,
            -1.0209824691479379e-05,
            1.8455719284008386e-06,
            -3.470132347416749e-07,
            6.72910183082266e-08,
            -1.3378510215598793e-08,
            2.7155055943779777e-09,
            -5.609211968414425e-10,
            1.176234338128369e-10,
            -2.4991117600395665e-11,
            5.3714894077090965e-12,
            -1.166262060066004e-12,
            2.556027146367478e-13,
            -5.6698841223356134e-14,
            1.2626981632444676e-14,
            -2.6827743134709178e-15,
            6.046204254523528e-16,
            -1.9657307236328434e-16,
            4.4992563000809436e-17,
        ],
    },
    Piece {
        below: 2.0,
        scale: 2.6666666666666665,
        shift: -1.6666666666666667,
        c0_lo: -1.849170295416964e-17,
        c: &[
            0.46135447772515253,
            -0.03968464172784614,
            0.007290206329987019,
            -0.0017508162115718695,
            0.00048694527281273423,
            -0.00014897198533247638,
            4.8780878593184944e-05,
            -1.6817386000115282e-05,
            6.038586600309998e-06,
            -2.241345268766425e-06,
            8.552549638047206e-07,
            -3.341170245645107e-07,
            1.3320522263889474e-07,
            -5.4054586553189466e-08,
            2.2283406587338666e-08,
            -9.325309228390308e-09,
            3.9483329980498426e-09,
            -1.6688912513139857e-09,
            7.212255699788816e-10,
            -3.5014656950152726e-10,
            1.553468640206315e-10,
            -2.8912973371091948e-11,
            1.2026049755294483e-11,
            -3.707862859042681e-11,
            1.733058700083241e-11,
            8.536338699781177e-12,
            -4.0862917199419535e-12,
            -3.169449765124966e-12,
            1.4946744767862566e-12,
        ],
    },
    Piece {
        below: 6.0,
        scale: 9.0,
        shift: -1.2500000000000002,
        c0_lo: 1.7295548582651786e-17,
        c: &[
            0.5312118330102713,
            -0.022532890108195137,
            0.002433720338153722,
            -0.00038268262041716807,
            7.506224468155187e-05,
            -1.7114544693168312e-05,
            4.360448028729891e-06,
            -1.211066230374522e-06,
            3.6058074502172096e-07,
            -1.1372144702584439e-07,
            3.7655369221572e-08,
            -1.3001504588185803e-08,
            4.6559766622130575e-09,
            -1.7219006744951705e-09,
            6.553081568543951e-10,
            -2.5582953366801627e-10,
            1.0224214686623464e-10,
            -4.1897732613299883e-11,
            1.7451407815985114e-11,
            -7.079151055187619e-12,
            3.0272089775219e-12,
            -1.7720117608499139e-12,
            8.105591079334323e-13,
            9.516152673177719e-14,
            -6.257748721198631e-14,
            -3.0122794741431635e-13,
            1.5016391554860848e-13,
            8.698136346592445e-14,
            -4.435434719952224e-14,
            -2.3668205198449853e-14,
            1.1863137544827106e-14,
        ],
    },
    Piece {
        below: 28.0,
        scale: 75.46524064171123,
        shift: -1.0962566844919788,
        c0_lo: -6.504600245077902e-18,
        c: &[
            0.5601778979027973,
            -0.0035834882903295275,
            6.694855417445617e-05,
            -2.031410032172889e-06,
            8.417020772050079e-08,
            -4.377372755745401e-09,
            2.7184110948933405e-10,
            -1.9506800204741164e-11,
            1.5802441079770589e-12,
            -1.4204328338649377e-13,
            1.3979651346758394e-14,
            -1.4905422025641322e-15,
            1.7032698796298084e-16,
            -2.0793879722258138e-17,
            2.9242500922919165e-18,
            -4.0267830248024414e-19,
        ],
    },
];

/// The Taylor coefficients of `erf(x) / (x 2/sqrt(pi)) - 1` in `z = x^2`, from `z^1` on:
/// `(-1)^n / (n! (2n + 1))`.
fn erf_taylor() -> Vec<f64> {
    let mut c = vec![];
    let mut factorial = 1.0f64;
    for n in 1..=14 {
        factorial *= f64::from(n);
        let sign = if n % 2 == 1 { -1.0 } else { 1.0 };
        c.push(sign / (factorial * f64::from(2 * n + 1)));
    }
    c
}

/// `erf x` for `|x| < 0.5` as a double-double: `(2/sqrt(pi)) x (1 + z P(z))`.
fn erf_small(b: &mut Builder, x: V) -> Dd {
    let x = b.let_("xs", x);
    let z = b.let_("z", x.clone() * x.clone());
    let v = z.clone() * horner(&z, &erf_taylor());
    let cx = b.dd_mul_d(&dd_const(TWO_OVER_SQRT_PI), x);
    let lo = cx.lo + cx.hi.clone() * v;
    b.fast_two_sum(cx.hi, lo)
}

/// `erfc x` for `x` in `[0.5, 28)` as a double-double times `2^k`: `(value, k)`.
fn erfc_large(b: &mut Builder, x: V) -> (Dd, V) {
    let x = b.let_("xl", x);
    let w = b.let_("w", f(1.0) / (x.clone() * x.clone()));
    let h_hi = b.var("h_hi", f(0.0));
    let h_lo = b.var("h_lo", f(0.0));
    // The first piece whose bound is above x; the last one takes the rest.
    let last = PIECES.len() - 1;
    let mut chain: Box<dyn FnOnce(&mut Builder)> = Box::new(|_| {});
    for (n, piece) in PIECES.iter().enumerate().rev() {
        let w = w.clone();
        let evaluate = move |b: &mut Builder| {
            let t = b.let_("t", w * f(piece.scale) + f(piece.shift));
            let tail = t.clone() * horner(&t, &piece.c[1..]);
            let s = b.two_sum(f(piece.c[0]), tail);
            b.set(h_hi, s.hi);
            b.set(h_lo, s.lo + f(piece.c0_lo));
        };
        chain = if n == last {
            Box::new(evaluate)
        } else {
            let x = x.clone();
            let rest = chain;
            Box::new(move |b: &mut Builder| b.if_else(x.lt(f(piece.below)), evaluate, rest))
        };
    }
    chain(b);
    // G = H / x in double-double.
    let (hh, hl) = (b.get(h_hi), b.get(h_lo));
    let g_hi = b.let_("g_hi", hh.clone() / x.clone());
    let p = b.two_prod(g_hi.clone(), x.clone());
    let g_lo = (((hh - p.hi) - p.lo) + hl) / x.clone();
    let g = Dd {
        hi: g_hi,
        lo: b.let_("g_lo", g_lo),
    };
    // e^(-x^2) with x^2 exact as a double-double.
    let square = b.two_prod(x.clone(), x);
    let (e, k) = exp_parts(b, -square.hi, -square.lo);
    (b.dd_mul(&e, &g), k)
}

/// `1 - erfc |x|` with the sign of `x`, as an unrounded double-double, for |x| >= 0.5.
fn erf_from_erfc(b: &mut Builder, ax: V) -> V {
    let (c, k) = erfc_large(b, ax);
    let scaled_hi = super::exp_log::scale(b, c.hi, k.clone());
    let scaled_lo = super::exp_log::scale(b, c.lo, k);
    let s = b.two_sum(f(1.0), -scaled_hi);
    s.hi + (s.lo - scaled_lo)
}

/// `erf x`.
pub(crate) fn erf(b: &mut Builder, x: V) -> V {
    let x = b.let_("x", x);
    let ax = b.let_("ax", x.clone().abs());
    let r = b.var("r", f(1.0));
    let small = ax.clone().lt(f(0.5));
    let middle = ax.clone().lt(f(6.0));
    b.if_else(
        small,
        |b| {
            let e = erf_small(b, x.clone());
            b.set(r, e.hi);
        },
        |b| {
            b.when(middle, |b| {
                let v = erf_from_erfc(b, ax.clone());
                b.set(r, v);
            });
            // Odd, and NaN for NaN.
            b.set(r, super::build::copysign(b.get(r), x.clone()));
        },
    );
    let r = b.get(r);
    sel(
        x.clone().nan_test(),
        x.clone(),
        sel(x.clone().eq(f(0.0)), x, r),
    )
}

/// `erfc x`.
pub(crate) fn erfc(b: &mut Builder, x: V) -> V {
    let x = b.let_("x", x);
    let ax = b.let_("ax", x.clone().abs());
    let r = b.var("r", f(0.0));
    b.if_else(
        ax.clone().lt(f(0.5)),
        |b| {
            let e = erf_small(b, x.clone());
            let s = b.two_sum(f(1.0), -e.hi);
            b.set(r, s.hi + (s.lo - e.lo));
        },
        |b| {
            let clamped = sel(ax.clone().lt(f(ERFC_ZERO)), ax.clone(), f(ERFC_ZERO));
            let (c, k) = erfc_large(b, clamped);
            let positive = x.clone().gt(f(0.0));
            b.if_else(
                positive,
                |b| {
                    let v = super::exp_log::scale(b, c.hi.clone(), k.clone());
                    b.set(r, sel(ax.clone().lt(f(ERFC_ZERO)), v, f(0.0)));
                },
                |b| {
                    // erfc(-a) = 2 - erfc(a).
                    let hi = super::exp_log::scale(b, c.hi.clone(), k.clone());
                    let lo = super::exp_log::scale(b, c.lo.clone(), k.clone());
                    let s = b.two_sum(f(2.0), -hi);
                    b.set(r, s.hi + (s.lo - lo));
                },
            );
        },
    );
    sel(x.clone().nan_test(), x, b.get(r))
}
