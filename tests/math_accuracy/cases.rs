//! The (function, precision) pairs under test: their inputs, host references and bounds.

use dpex_spirv::ir::{MathFunction as M, Scalar};

use super::inputs::{specials, Gen};

/// One (function, precision) pair.
pub struct Case {
    /// The function.
    pub fun: M,
    /// Its name in the library (`__dpex_<name>_<ty>`).
    pub name: &'static str,
    /// The precision.
    pub ty: Scalar,
    /// The largest error allowed, in ulps.
    pub bound: f64,
    /// `n` operand rows (one vector per operand) of values of `ty`.
    pub inputs: fn(Scalar, usize) -> Vec<Vec<f64>>,
    /// The exact (or most accurate available) value at the operands.
    pub reference: fn(&[f64]) -> f64,
    /// A second, independent reference, for functions whose references are both known to be
    /// off by several ulps here and there (`gamma`, `ln_gamma`): the nearer of the two counts.
    pub second: Option<fn(&[f64]) -> f64>,
}

/// Every case, in the order of the table.
pub fn cases() -> Vec<Case> {
    let both = |fun, name, bounds: [f64; 2], inputs, reference: [fn(&[f64]) -> f64; 2]| {
        [
            Case {
                fun,
                name,
                ty: Scalar::F32,
                bound: bounds[0],
                inputs,
                reference: reference[0],
                second: None,
            },
            Case {
                fun,
                name,
                ty: Scalar::F64,
                bound: bounds[1],
                inputs,
                reference: reference[1],
                second: None,
            },
        ]
    };
    [
        both(
            M::MulAdd,
            "mul_add",
            [0.0, 0.0],
            fma_inputs,
            [
                |a| f64::from((a[0] as f32).mul_add(a[1] as f32, a[2] as f32)),
                |a| a[0].mul_add(a[1], a[2]),
            ],
        ),
        both(M::Exp, "exp", [3.0, 2.0], exp_inputs, [|a| a[0].exp(); 2]),
        both(
            M::Exp2,
            "exp2",
            [3.0, 2.0],
            exp2_inputs,
            [|a| a[0].exp2(); 2],
        ),
        both(M::Ln, "ln", [3.0, 2.0], log_inputs, [|a| a[0].ln(); 2]),
        both(
            M::Log2,
            "log2",
            [3.0, 2.0],
            log_inputs,
            [|a| a[0].log2(); 2],
        ),
        both(
            M::Log10,
            "log10",
            [3.0, 2.0],
            log_inputs,
            [|a| a[0].log10(); 2],
        ),
        both(
            M::Erf,
            "erf",
            [16.0, 2.0],
            erf_inputs,
            [|a| libm::erf(a[0]); 2],
        ),
        both(
            M::Erfc,
            "erfc",
            // The `libm` crate's erfc is itself 3 ulp off near 1.53: at 1.534795295225365 the
            // library gives 2.9966845472681622e-2, the correctly rounded value (mpmath, 200
            // bits), and libm ...632e-2. So the f64 bound against libm is 3.
            [16.0, 3.0],
            erfc_inputs,
            [|a| libm::erfc(a[0]); 2],
        ),
        both(
            M::Powf,
            "powf",
            [16.0, 2.0],
            pow_inputs,
            [|a| a[0].powf(a[1]); 2],
        ),
        // The host's own `powi` (compiler-rt's repeated squaring), bit for bit.
        both(
            M::Powi,
            "powi",
            [0.0, 0.0],
            powi_inputs,
            [
                |a| f64::from((a[0] as f32).powi(a[1] as i32)),
                |a| a[0].powi(a[1] as i32),
            ],
        ),
        both(
            M::Cbrt,
            "cbrt",
            [2.0, 2.0],
            cbrt_inputs,
            [|a| a[0].cbrt(); 2],
        ),
        both(
            M::Hypot,
            "hypot",
            [4.0, 2.0],
            hypot_inputs,
            [|a| a[0].hypot(a[1]); 2],
        ),
        both(
            M::Sinh,
            "sinh",
            // glibc's sinh is itself up to 2 ulp off (1.85 ulp on every 97th f64 input,
            // against mpmath at 160 bits, where the IR library is within 0.67 ulp): at the f64
            // points listed in MATH.md the device's value is within 1 ulp of the correctly
            // rounded one. So the f64 bound against glibc is 3.
            [4.0, 3.0],
            hyperbolic_inputs,
            [|a| a[0].sinh(); 2],
        ),
        both(
            M::Cosh,
            "cosh",
            [4.0, 2.0],
            hyperbolic_inputs,
            [|a| a[0].cosh(); 2],
        ),
        both(
            M::Tanh,
            "tanh",
            // glibc's tanh is itself up to 2 ulp off (1.85 ulp on every 97th f64 input,
            // against mpmath at 160 bits, where the IR library is within 0.67 ulp): at the f64
            // points listed in MATH.md the device's value is within 1 ulp of the correctly
            // rounded one. So the f64 bound against glibc is 3.
            [4.0, 3.0],
            hyperbolic_inputs,
            [|a| a[0].tanh(); 2],
        ),
        // The host's glibc 2.36 is 8 and 14 ulp off for cos and tan at the hardest
        // reduction, 6381956970095103 * 2^797 = 5.319372648326541e255: the correctly rounded
        // values (mpmath, 3000 bits) are -4.687165924254628e-19 and -2.133485385753704e18,
        // which the library gives and glibc does not. The `libm` crate (fdlibm's reduction)
        // gets them right, so it is the reference for these three.
        both(
            M::Sin,
            "sin",
            [4.0, 2.0],
            trig_inputs,
            [|a| libm::sin(a[0]); 2],
        ),
        both(
            M::Cos,
            "cos",
            [4.0, 2.0],
            trig_inputs,
            [|a| libm::cos(a[0]); 2],
        ),
        both(
            M::Tan,
            "tan",
            [4.0, 2.0],
            trig_inputs,
            [|a| libm::tan(a[0]); 2],
        ),
        both(
            M::Asin,
            "asin",
            [4.0, 2.0],
            asin_acos_inputs,
            [|a| a[0].asin(); 2],
        ),
        both(
            M::Acos,
            "acos",
            [4.0, 2.0],
            asin_acos_inputs,
            [|a| a[0].acos(); 2],
        ),
        both(
            M::Atan,
            "atan",
            [5.0, 2.0],
            atan_inputs,
            [|a| a[0].atan(); 2],
        ),
        both(
            M::Atan2,
            "atan2",
            [6.0, 2.0],
            atan2_inputs,
            [|a| a[0].atan2(a[1]); 2],
        ),
        // musl's (the `libm` crate's) inverse hyperbolics and `expm1`/`log1p` are within
        // an ulp: the references for these.
        both(
            M::Asinh,
            "asinh",
            [4.0, 2.0],
            asinh_inputs,
            [|a| libm::asinh(a[0]); 2],
        ),
        both(
            M::Acosh,
            "acosh",
            [4.0, 2.0],
            acosh_inputs,
            // The `libm` crate's acosh is not NaN below -1 (it gives -3.3097408 at
            // -53323.39): below 1 the reference is NaN itself.
            [|a| {
                if a[0] < 1.0 {
                    f64::NAN
                } else {
                    libm::acosh(a[0])
                }
            }; 2],
        ),
        both(
            M::Atanh,
            "atanh",
            [4.0, 2.0],
            atanh_inputs,
            [|a| libm::atanh(a[0]); 2],
        ),
        both(
            M::ExpM1,
            "exp_m1",
            [3.0, 2.0],
            exp_m1_inputs,
            [|a| libm::expm1(a[0]); 2],
        ),
        both(
            M::Ln1p,
            "ln_1p",
            [2.0, 2.0],
            ln_1p_inputs,
            [|a| libm::log1p(a[0]); 2],
        ),
        both(
            M::Copysign,
            "copysign",
            [0.0, 0.0],
            copysign_inputs,
            [|a| a[0].copysign(a[1]); 2],
        ),
        both(
            M::Ldexp,
            "ldexp",
            [0.0, 0.0],
            ldexp_inputs,
            [
                |a| f64::from(libm::scalbnf(a[0] as f32, a[1] as i32)),
                |a| libm::scalbn(a[0], a[1] as i32),
            ],
        ),
        // musl's `tgamma` is up to 9 ulp off (at 6.802963184010288) and glibc's up to 5; glibc's
        // `lgamma` up to 6 (at -3.9234485814791222, and musl's loses all its digits next to
        // the zeros of negative arguments): each is measured against both (checked with
        // mpmath at the worst points).
        with_second(
            both(
                M::Gamma,
                "gamma",
                [4.0, 5.0],
                gamma_inputs,
                [|a| libm::tgamma(a[0]); 2],
            ),
            |a| glibc_tgamma(a[0]),
        ),
        with_second(
            both(
                M::LnGamma,
                "ln_gamma",
                [4.0, 5.0],
                ln_gamma_inputs,
                [|a| glibc_lgamma(a[0]); 2],
            ),
            |a| libm::lgamma_r(a[0]).0,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// `cases` with the second reference `second` (see [`Case::second`]).
fn with_second(mut cases: [Case; 2], second: fn(&[f64]) -> f64) -> [Case; 2] {
    for case in &mut cases {
        case.second = Some(second);
    }
    cases
}

extern "C" {
    /// glibc's `lgamma_r` (what Rust's unstable `f64::ln_gamma` calls).
    fn lgamma_r(x: f64, sign: *mut i32) -> f64;
    /// glibc's `tgamma` (what Rust's unstable `f64::gamma` calls).
    fn tgamma(x: f64) -> f64;
}

/// `gamma(x)` by the host's glibc.
fn glibc_tgamma(x: f64) -> f64 {
    // SAFETY: `tgamma` is a pure function of a double.
    unsafe { tgamma(x) }
}

/// `ln |gamma(x)|` by the host's glibc, which unlike musl's (the `libm` crate's, 247 ulp off at
/// -2.4608924383335378) keeps its relative accuracy next to the zeros of negative arguments.
fn glibc_lgamma(x: f64) -> f64 {
    let mut sign = 0;
    // SAFETY: `lgamma_r` only writes the sign through the pointer, to a live local.
    unsafe { lgamma_r(x, &mut sign) }
}

/// `gamma`: the overflow threshold, tiny arguments (2^-56, where it is `1 / x`), next to the
/// poles at the negative integers, where it underflows (near -184 in f64, -45 in f32), the
/// bound 12 of Stirling's series, and the whole range.
fn gamma_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let (overflow, underflow) = if ty == Scalar::F32 {
        (35.04, 45.0)
    } else {
        (171.6243769563027, 185.0)
    };
    unary(
        ty,
        n,
        17,
        &around(&[overflow, 2f64.powi(-56), 12.0, 0.5, 100.0]),
        &[
            &move |g| g.uniform(0.0, overflow + 1.0),
            &move |g| g.uniform(-underflow, 0.0),
            &|g| g.uniform(-8.0, 8.0),
            &|g| g.log_uniform(-80.0, 3.0, true),
            &move |g| {
                // Next to a pole: -k plus or minus a tiny offset.
                let k = g.uniform(0.0, underflow).floor();
                let d = g.log_uniform(-50.0, -1.0, true);
                g.of(d - k)
            },
        ],
    )
}

/// Below this magnitude of `ln_gamma(x)` for negative `x` (next to its zeros, one in each
/// interval from (-3, -2) down), the table leaves `x` out (it measures `-x` instead): there
/// the library keeps only an absolute accuracy of about 2^-58, that of the sine in the
/// reflection formula (MATH.md).
const LN_GAMMA_NEGATIVE_ABOVE: f64 = 1.0 / 64.0;

/// `ln_gamma`: next to its zeros at 1 and 2 and the bounds of the series there (1/4 away),
/// tiny and huge arguments (2^-56, 2^60), negative ones (next to the poles, and to the zeros
/// of negative arguments down to [`LN_GAMMA_NEGATIVE_ABOVE`]), and the whole range.
fn ln_gamma_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let (max, min) = range(ty);
    let digits = if ty == Scalar::F32 { 24.0 } else { 53.0 };
    let mut rows = unary(
        ty,
        n,
        18,
        &around(&[
            0.75,
            1.25,
            1.75,
            2.25,
            2f64.powi(-56),
            2f64.powi(60),
            12.0,
            -2.4570247382208006 + LN_GAMMA_NEGATIVE_ABOVE,
        ]),
        &[
            &move |g| {
                // 1 or 2, plus or minus a small offset.
                let zero = if g.coin() { 1.0 } else { 2.0 };
                let d = g.log_uniform(-digits, -1.0, true);
                g.of(zero + d)
            },
            &|g| g.uniform(0.0, 4.0),
            &|g| g.uniform(-8.0, 0.0),
            &|g| g.uniform(-200.0, 200.0),
            &move |g| g.log_uniform(min, max, true),
        ],
    );
    for x in rows.iter_mut().flatten() {
        let next_to_zero =
            *x < 0.0 && x.floor() != *x && glibc_lgamma(*x).abs() < LN_GAMMA_NEGATIVE_ABOVE;
        if next_to_zero {
            *x = -*x;
        }
    }
    rows
}

/// `x`, its neighbours and their negations, for each of `points`.
fn around(points: &[f64]) -> Vec<f64> {
    points
        .iter()
        .flat_map(|&x| {
            [
                x,
                x.next_up(),
                x.next_down(),
                -x,
                -x.next_up(),
                -x.next_down(),
            ]
        })
        .collect()
}

/// `asinh`: tiny and huge arguments, the bounds between its formulas (2^-28, 2^28), moderate
/// ones, and the whole range.
fn asinh_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let (max, min) = range(ty);
    unary(
        ty,
        n,
        11,
        &around(&[2f64.powi(-28), 2f64.powi(28), 1.0, 0.5]),
        &[
            &|g| g.uniform(-10.0, 10.0),
            &|g| g.log_uniform(-40.0, 40.0, true),
            &|g| g.log_uniform(min, max, true),
        ],
    )
}

/// `acosh`: next to 1 (where it is `sqrt(2 (x - 1))`), moderate and huge arguments, the
/// bound 2^28, and random bits (mostly outside the domain).
fn acosh_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let (max, _) = range(ty);
    let digits = if ty == Scalar::F32 { 24.0 } else { 53.0 };
    unary(
        ty,
        n,
        12,
        &around(&[2f64.powi(28), 1.0, 2.0]),
        &[
            &move |g| {
                let d = g.log_uniform(-digits, 0.0, false);
                g.of(1.0 + d)
            },
            &|g| g.uniform(1.0, 10.0),
            &move |g| g.log_uniform(0.0, max, false),
        ],
    )
}

/// `atanh`: the whole domain, next to ±1 and 0, tiny arguments, and random bits (mostly
/// outside the domain).
fn atanh_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let (_, min) = range(ty);
    let digits = if ty == Scalar::F32 { 24.0 } else { 53.0 };
    unary(
        ty,
        n,
        13,
        &around(&[
            2f64.powi(-28),
            0.5,
            1.0 - 2f64.powi(-24),
            1.0 - 2f64.powi(-53),
        ]),
        &[
            &|g| g.uniform(-1.0, 1.0),
            &move |g| g.near_unit(digits),
            &|g| g.log_uniform(min, 0.0, true),
        ],
    )
}

/// `exp_m1`: tiny arguments, both sides of the bound 0.5 between its formulas, moderate ones,
/// where it reaches -1, and the overflow threshold.
fn exp_m1_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let (max, _) = range(ty);
    let hi = max * std::f64::consts::LN_2;
    unary(
        ty,
        n,
        14,
        &around(&[2f64.powi(-54), 0.5, 40.0, hi]),
        &[
            &|g| g.log_uniform(-80.0, 0.0, true),
            &|g| g.uniform(-0.6, 0.6),
            &|g| g.uniform(-45.0, 45.0),
            &move |g| g.uniform(-hi - 2.0, hi + 2.0),
        ],
    )
}

/// `ln_1p`: next to -1, tiny arguments of both signs, moderate ones and the whole positive
/// range.
fn ln_1p_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let (max, min) = range(ty);
    let digits = if ty == Scalar::F32 { 24.0 } else { 53.0 };
    unary(
        ty,
        n,
        15,
        &around(&[2f64.powi(-54), 0.5, 1.0 - 2f64.powi(-53)]),
        &[
            &move |g| {
                let d = g.log_uniform(-digits, 0.0, false);
                g.of(d - 1.0)
            },
            &|g| g.log_uniform(-80.0, 0.0, true),
            &|g| g.uniform(-1.0, 3.0),
            &move |g| g.log_uniform(min, max, false),
        ],
    )
}

/// `copysign`: every pair of special values and random bits.
fn copysign_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let mut g = Gen::new(ty, 16);
    let mut rows = special_pairs(ty);
    while rows.len() < n {
        rows.push([g.bits(), g.bits()]);
    }
    (0..2)
        .map(|k| rows.iter().map(|r| r[k]).collect())
        .collect()
}

/// `ldexp`: every special value with the extreme and boundary exponents, random bits with
/// exponents of every size, and results near and below the smallest normal (where it rounds)
/// and near overflow. Exponents are exact `i32`s.
fn ldexp_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let mut g = Gen::new(ty, 17);
    let (max, min) = range(ty);
    let exponents = [
        0,
        1,
        -1,
        127,
        -126,
        -149,
        -150,
        1023,
        -1022,
        -1074,
        -1075,
        2046,
        -2098,
        2200,
        -2200,
        i32::MAX,
        i32::MIN,
    ];
    let mut rows: Vec<[f64; 2]> = specials(ty)
        .iter()
        .flat_map(|&x| exponents.iter().map(move |&e| [x, f64::from(e)]))
        .collect();
    let mut k = 0;
    while rows.len() < n {
        let row = match k % 4 {
            0 => [g.bits(), f64::from((g.raw() % 4801) as i32 - 2400)],
            1 => [g.bits(), f64::from(g.raw() as i32)],
            // `x 2^n` within 60 binades of the smallest subnormal: rounded there.
            2 => {
                let x = g.log_uniform(min, max, true);
                let target = min + (g.raw() % 60) as f64;
                [x, (target - x.abs().log2().floor()).round()]
            }
            _ => {
                let x = g.log_uniform(min, max, true);
                let target = max - 3.0 + (g.raw() % 6) as f64;
                [x, (target - x.abs().log2().floor()).round()]
            }
        };
        rows.push(row);
        k += 1;
    }
    (0..2)
        .map(|k| rows.iter().map(|r| r[k]).collect())
        .collect()
}

/// Operands of `mul_add`: random bits, cancellations, subnormal and overflowing results,
/// exact halfway cases, and every combination of special values.
fn fma_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let mut g = Gen::new(ty, 0xf3a);
    let (emin, emax, digits) = if ty == Scalar::F32 {
        (-149.0, 128.0, 24)
    } else {
        (-1074.0, 1024.0, 53)
    };
    let s = specials(ty);
    let mut rows: Vec<[f64; 3]> = vec![];
    for &x in &s {
        for &a in &s {
            for &c in &s {
                rows.push([x, a, c]);
            }
        }
    }
    let rest = n.saturating_sub(rows.len());
    for k in 0..rest {
        let row = match k % 6 {
            0 => [g.bits(), g.bits(), g.bits()],
            // x * a + c cancels: c is -(x * a) rounded, nudged by a few ulps.
            1 => {
                let x = g.log_uniform(-60.0, 60.0, true);
                let a = g.log_uniform(-60.0, 60.0, true);
                let p = g.of(-(x * a));
                let nudge = (g.raw() % 5) as i64 - 2;
                let c = if ty == Scalar::F32 {
                    f64::from(f32::from_bits(
                        (p as f32).to_bits().wrapping_add(nudge as u32),
                    ))
                } else {
                    f64::from_bits(p.to_bits().wrapping_add(nudge as u64))
                };
                [x, a, c]
            }
            // Results near and below the smallest normal.
            2 => {
                let ex = g.log_uniform(emin / 2.0 - 30.0, emin / 2.0 + 30.0, true);
                let a = g.log_uniform(emin / 2.0 - 30.0, emin / 2.0 + 30.0, true);
                let c = if g.coin() {
                    g.log_uniform(emin, emin + 60.0, true)
                } else {
                    0.0
                };
                [ex, a, c]
            }
            // Results near overflow.
            3 => {
                let x = g.log_uniform(emax / 2.0 - 3.0, emax / 2.0 + 3.0, true);
                let a = g.log_uniform(emax / 2.0 - 3.0, emax / 2.0 + 3.0, true);
                let c = g.log_uniform(emax - 3.0, emax, true);
                [x, a, c]
            }
            // Exact products near 2^digits plus small addends: halfway cases.
            4 => {
                let half = 1u64 << (digits / 2 + 1);
                let x = (half + g.raw() % half) as f64;
                let a = (half + g.raw() % half) as f64;
                let c = [0.5, -0.5, 0.25, -1.0, 1e-30, -1e-30, 1.5][(g.raw() % 7) as usize];
                [g.of(x), g.of(a), g.of(c)]
            }
            // Operands of very different sizes.
            _ => [
                g.log_uniform(emin, emax, true),
                g.log_uniform(emin, emax, true),
                g.log_uniform(emin, emax, true),
            ],
        };
        rows.push(row);
    }
    (0..3)
        .map(|k| rows.iter().map(|r| r[k]).collect())
        .collect()
}

/// `n` operands of a one-operand function: the special values and `extra`, then in turn
/// random bits and a draw from each of `parts`.
fn unary(
    ty: Scalar,
    n: usize,
    seed: u64,
    extra: &[f64],
    parts: &[&dyn Fn(&mut Gen) -> f64],
) -> Vec<Vec<f64>> {
    let mut g = Gen::new(ty, seed);
    let mut v = specials(ty);
    v.extend(extra.iter().map(|&x| g.of(x)));
    let mut k = 0;
    while v.len() < n {
        let x = match k % (parts.len() + 1) {
            0 => g.bits(),
            p => parts[p - 1](&mut g),
        };
        v.push(x);
        k += 1;
    }
    vec![v]
}

/// The largest finite exponent of `ty`'s values, and its smallest subnormal exponent.
fn range(ty: Scalar) -> (f64, f64) {
    if ty == Scalar::F32 {
        (128.0, -149.0)
    } else {
        (1024.0, -1074.0)
    }
}

/// `exp`: the whole range up to both thresholds, small arguments, and the thresholds.
fn exp_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let (max, min) = range(ty);
    let (hi, lo) = (
        max * std::f64::consts::LN_2,
        (min - 1.0) * std::f64::consts::LN_2,
    );
    let extra = [
        hi,
        hi.next_up(),
        hi.next_down(),
        lo,
        lo.next_up(),
        lo.next_down(),
        -708.4,
        -708.3,
    ];
    unary(
        ty,
        n,
        1,
        &extra,
        &[
            &|g| g.uniform(lo - 2.0, hi + 2.0),
            &|g| g.log_uniform(-60.0, 3.0, true),
            &|g| g.uniform(hi - 5.0, hi + 0.5),
            &|g| g.uniform(lo - 1.0, lo + 30.0),
        ],
    )
}

/// `exp2`: the whole range, integers, small arguments, the thresholds.
fn exp2_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let (max, min) = range(ty);
    unary(
        ty,
        n,
        2,
        &[max, max.next_down(), min, min - 1.0, min - 0.5, -1022.5],
        &[
            &|g| g.uniform(min - 3.0, max + 3.0),
            &|g| g.uniform(min - 3.0, max + 3.0).round(),
            &|g| g.log_uniform(-60.0, 3.0, true),
            &|g| g.uniform(min - 3.0, min + 30.0),
        ],
    )
}

/// Logarithms: the whole positive range, subnormals, near 1, powers of 2 and 10.
fn log_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let (max, min) = range(ty);
    let extra: Vec<f64> = (-40..40)
        .flat_map(|k| [10f64.powi(k), 2f64.powi(k)])
        .collect();
    unary(
        ty,
        n,
        3,
        &extra,
        &[
            &|g| g.log_uniform(min, max, false),
            &|g| g.log_uniform(min, min + 30.0, false),
            &|g| g.uniform(0.5, 2.0),
            &|g| 1.0 + g.log_uniform(-60.0, -1.0, true),
        ],
    )
}

/// `powf`: random bits, moderate bases and exponents, bases near 1 with large exponents,
/// negative bases with integer exponents, results near overflow and underflow, and every
/// pair of special values.
fn pow_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let mut g = Gen::new(ty, 4);
    let (max, min) = range(ty);
    let mut rows = special_pairs(ty);
    let mut k = 0;
    while rows.len() < n {
        let row = match k % 6 {
            0 => [g.bits(), g.bits()],
            1 => [g.uniform(0.0, 10.0), g.uniform(-40.0, 40.0)],
            2 => [
                1.0 + g.log_uniform(-40.0, -1.0, true),
                g.log_uniform(0.0, 40.0, true),
            ],
            3 => [g.uniform(-10.0, 0.0), g.uniform(-60.0, 60.0).round()],
            4 => {
                let x = g.log_uniform(min, max, false);
                let t = g.uniform(
                    min * std::f64::consts::LN_2 - 2.0,
                    max * std::f64::consts::LN_2 + 2.0,
                );
                [x, g.of(t / x.ln())]
            }
            _ => [
                g.log_uniform(min, max, true),
                g.log_uniform(-20.0, 10.0, true),
            ],
        };
        rows.push(row);
        k += 1;
    }
    (0..2)
        .map(|k| rows.iter().map(|r| r[k]).collect())
        .collect()
}

/// The bounds between the pieces of the erf/erfc approximations, and their neighbours.
fn erf_bounds() -> Vec<f64> {
    [0.5, 0.75, 1.0, 2.0, 6.0, 27.0, 28.0]
        .iter()
        .flat_map(|&x: &f64| {
            [
                x,
                x.next_up(),
                x.next_down(),
                -x,
                -x.next_up(),
                -x.next_down(),
            ]
        })
        .collect()
}

/// `erf`: the whole range where it is not ±1, tiny arguments, and the piece bounds.
fn erf_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    unary(
        ty,
        n,
        5,
        &erf_bounds(),
        &[&|g| g.uniform(-6.5, 6.5), &|g| g.uniform(-1.0, 1.0), &|g| {
            g.log_uniform(-80.0, 1.0, true)
        }],
    )
}

/// `erfc`: both signs, the region where it becomes subnormal, and the piece bounds.
fn erfc_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    unary(
        ty,
        n,
        6,
        &erf_bounds(),
        &[
            &|g| g.uniform(-6.5, 28.5),
            &|g| g.uniform(-1.0, 3.0),
            &|g| g.uniform(9.0, 28.0),
            &|g| g.log_uniform(-80.0, 1.0, true),
        ],
    )
}

/// `powi`: bases of every size with exponents of every size (most results overflow or
/// underflow), small exponents, bases near 1 with large exponents, subnormal and negative
/// bases, and every special base with the extreme exponents. Exponents are exact `i32`s.
fn powi_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let mut g = Gen::new(ty, 7);
    let (max, min) = range(ty);
    let exponents = [
        0,
        1,
        -1,
        2,
        -2,
        3,
        31,
        -31,
        i32::MAX,
        i32::MIN,
        i32::MIN + 1,
    ];
    let mut rows: Vec<[f64; 2]> = specials(ty)
        .iter()
        .flat_map(|&x| exponents.iter().map(move |&e| [x, f64::from(e)]))
        .collect();
    let mut k = 0;
    while rows.len() < n {
        let small = (g.raw() % 81) as i32 - 40;
        let row = match k % 5 {
            0 => [g.bits(), f64::from(g.raw() as i32)],
            1 => [g.log_uniform(min, max, true), f64::from(small)],
            2 => [
                1.0 + g.log_uniform(-30.0, -1.0, true),
                f64::from((g.raw() % 20_001) as i32 - 10_000),
            ],
            3 => [
                g.log_uniform(-8.0, 8.0, true),
                f64::from((g.raw() % 601) as i32 - 300),
            ],
            _ => [g.log_uniform(min, min + 30.0, true), f64::from(small)],
        };
        rows.push(row);
        k += 1;
    }
    (0..2)
        .map(|k| rows.iter().map(|r| r[k]).collect())
        .collect()
}

/// `cbrt`: the whole range, subnormals, near 1, and exact cubes of integers and of small
/// binary fractions.
fn cbrt_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let (max, min) = range(ty);
    let cubes: Vec<f64> = (1..=200)
        .flat_map(|k| {
            let c = f64::from(k).powi(3);
            [c, -c, c / 8.0, c * 2f64.powi(-300), c * 2f64.powi(300)]
        })
        .collect();
    unary(
        ty,
        n,
        8,
        &cubes,
        &[
            &|g| g.log_uniform(min, max, true),
            &|g| g.log_uniform(min, min + 40.0, true),
            &|g| g.uniform(0.5, 8.0),
            &|g| {
                let k = (g.raw() % 200_000) as f64 + 1.0;
                g.of(k * k * k)
            },
        ],
    )
}

/// `hypot`: random bits, operands of every size, both huge, both subnormal, far apart and
/// close together, and every pair of special values.
fn hypot_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let mut g = Gen::new(ty, 9);
    let (max, min) = range(ty);
    let mut rows = special_pairs(ty);
    let mut k = 0;
    while rows.len() < n {
        let row = match k % 6 {
            0 => [g.bits(), g.bits()],
            1 => [g.log_uniform(min, max, true), g.log_uniform(min, max, true)],
            2 => [
                g.log_uniform(max - 3.0, max, true),
                g.log_uniform(max - 3.0, max, true),
            ],
            3 => [
                g.log_uniform(min, min + 30.0, true),
                g.log_uniform(min, min + 30.0, true),
            ],
            4 => {
                let x = g.log_uniform(-20.0, 20.0, true);
                let near = x * (1.0 + g.log_uniform(-40.0, -1.0, true));
                [x, g.of(near)]
            }
            _ => [g.uniform(-10.0, 10.0), g.uniform(-10.0, 10.0)],
        };
        rows.push(row);
        k += 1;
    }
    (0..2)
        .map(|k| rows.iter().map(|r| r[k]).collect())
        .collect()
}

/// `sinh`, `cosh`, `tanh`: tiny arguments, the bounds between their formulas (0.25, 0.5),
/// moderate ones, and the range up to and beyond the overflow thresholds.
fn hyperbolic_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let (max, _) = range(ty);
    let overflow = (max + 1.0) * std::f64::consts::LN_2;
    let extra: Vec<f64> = [0.25, 0.5, 1.0, 19.0, 22.0, overflow - 1.0, overflow]
        .iter()
        .flat_map(|&x: &f64| {
            [
                x,
                x.next_up(),
                x.next_down(),
                -x,
                -x.next_up(),
                -x.next_down(),
            ]
        })
        .collect();
    unary(
        ty,
        n,
        10,
        &extra,
        &[
            &|g| g.log_uniform(-80.0, 0.0, true),
            &|g| g.uniform(-1.0, 1.0),
            &|g| g.uniform(-25.0, 25.0),
            &move |g| g.uniform(-overflow - 2.0, overflow + 2.0),
            &move |g| g.uniform(overflow - 3.0, overflow + 1.0),
        ],
    )
}

/// `sin`, `cos` and `tan`: moderate and huge arguments, arguments next to multiples of pi/2
/// (where reduction cancels most), tiny ones and subnormals, and known hard cases.
fn trig_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let (max, min) = range(ty);
    let epsilon = if ty == Scalar::F32 {
        f64::from(f32::EPSILON)
    } else {
        f64::EPSILON
    };
    // 6381956970095103 * 2^797 is the f64 closest to a multiple of pi/2 relative to its size.
    let hard = [
        6381956970095103.0 * 2f64.powi(797),
        1e300,
        2f64.powi(1000),
        1e22,
        1e38,
    ];
    let mut extra: Vec<f64> = hard
        .iter()
        .flat_map(|&x: &f64| [x, x.next_up(), x.next_down(), -x])
        .collect();
    extra.extend((1..200).map(|k| f64::from(k) * std::f64::consts::FRAC_PI_2));
    extra.extend([f64::from(f32::MAX), 1048576.0, 1048576f64.next_down()]);
    unary(
        ty,
        n,
        7,
        &extra,
        &[
            &|g| g.uniform(-10.0, 10.0),
            &|g| g.log_uniform(-30.0, 20.0, true),
            &|g| g.log_uniform(20.0, max, true),
            &|g| {
                // Next to k pi/2 for k of up to 2^40: a few ulps (of `ty`) off the nearest value.
                let k = (g.raw() >> (g.raw() % 64).max(24)) as f64;
                let x = g.of(k * std::f64::consts::FRAC_PI_2);
                let nudge = (g.raw() % 7) as f64 - 3.0;
                g.of(x + nudge * x * epsilon)
            },
            &|g| g.log_uniform(min, -20.0, true),
        ],
    )
}

/// The bounds between the pieces of the arctangent's reduction, and their neighbours.
fn atan_bounds() -> Vec<f64> {
    [
        7.0 / 16.0,
        11.0 / 16.0,
        19.0 / 16.0,
        39.0 / 16.0,
        2f64.powi(60),
    ]
    .iter()
    .flat_map(|&x: &f64| [x, x.next_up(), x.next_down(), -x])
    .collect()
}

/// `asin` and `acos`: the whole domain, next to ±1 and 0, tiny values, and random bits
/// (mostly outside the domain).
fn asin_acos_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let (_, min) = range(ty);
    let digits = if ty == Scalar::F32 { 24.0 } else { 53.0 };
    let extra: Vec<f64> = [1.0f64, 0.5, 1.0 - 2f64.powi(-24), 1.0 - 2f64.powi(-53)]
        .iter()
        .flat_map(|&x| [x, -x, x.next_up(), -x.next_up()])
        .collect();
    unary(
        ty,
        n,
        8,
        &extra,
        &[&|g| g.uniform(-1.0, 1.0), &|g| g.near_unit(digits), &|g| {
            g.log_uniform(min, 0.0, true)
        }],
    )
}

/// `atan`: moderate, tiny and huge arguments, and the piece bounds.
fn atan_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let (max, min) = range(ty);
    unary(
        ty,
        n,
        9,
        &atan_bounds(),
        &[
            &|g| g.uniform(-4.0, 4.0),
            &|g| g.log_uniform(-40.0, 80.0, true),
            &|g| g.log_uniform(min, max, true),
        ],
    )
}

/// `atan2(y, x)`: every pair of special values (all signs of zeros and infinities), random
/// bits, moderate operands of both signs, quotients over the whole range and at the piece
/// bounds, and operands far apart in size.
fn atan2_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let mut g = Gen::new(ty, 10);
    let (max, min) = range(ty);
    let s = specials(ty);
    let mut rows: Vec<[f64; 2]> = s
        .iter()
        .flat_map(|&y| s.iter().map(move |&x| [y, x]))
        .collect();
    let bounds = atan_bounds();
    let mut k = 0;
    while rows.len() < n {
        let row = match k % 5 {
            0 => [g.bits(), g.bits()],
            1 => [g.uniform(-4.0, 4.0), g.uniform(-4.0, 4.0)],
            2 => {
                let x = g.log_uniform(min / 2.0, max / 2.0, true);
                let t = g.log_uniform(-70.0, 70.0, true);
                [g.of(x * t), x]
            }
            3 => {
                let x = g.log_uniform(-100.0, 100.0, true);
                let t = bounds[(g.raw() % bounds.len() as u64) as usize];
                [g.of(x * t), x]
            }
            _ => [g.log_uniform(min, max, true), g.log_uniform(min, max, true)],
        };
        rows.push(row);
        k += 1;
    }
    (0..2)
        .map(|k| rows.iter().map(|r| r[k]).collect())
        .collect()
}

/// Every pair of `ty`'s special values, as operand rows.
fn special_pairs(ty: Scalar) -> Vec<[f64; 2]> {
    let s = specials(ty);
    s.iter()
        .flat_map(|&x| s.iter().map(move |&y| [x, y]))
        .collect()
}
