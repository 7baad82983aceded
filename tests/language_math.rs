//! Conformance of scalar math (issue 3, "Math on scalars"): every float method of the issue on
//! `f32` and `f64`, the integer methods (`min, max, abs, pow, clamp, leading_zeros,
//! trailing_zeros, count_ones, wrapping_*`), `dpex::math::{erf, erfc, rsqrt}` and constants;
//! and issue 13's `asinh, acosh, atanh, exp_m1, ln_1p, copysign, is_infinite, ldexp, gamma,
//! ln_gamma`.
//!
//! Each method runs in a `#[dpex::func]` that the kernel calls per element and the host calls
//! for the reference (on the host Rust's std and libm compute it). Device math is not bit-exact:
//! results are compared within OpenCL's ulp bounds (plus one ulp for the host's own rounding),
//! exactly where OpenCL requires correct rounding; NaN must match NaN and infinities must
//! match exactly.

mod common;

use common::{
    assert_bits_each, assert_eq_each, assert_same_each, assert_ulps_each, float_pairs,
    float_samples, int_pairs, int_samples, queue,
};
use dpex::math::{erf, erfc, rsqrt};
use dpex::prelude::*;

/// The float methods, by number: (name, allowed ulps). 0 = exact.
const FLOAT_METHODS: [(&str, u64); 41] = [
    ("abs", 0),
    ("sqrt", 3),
    ("cbrt", 3),
    ("exp", 4),
    ("exp2", 4),
    ("ln", 4),
    ("log2", 4),
    ("log10", 4),
    ("powf", 17),
    // Rust's `powi` multiplies repeatedly on the host (its precision is unspecified), so the
    // host's own error is the larger one here; subnormal results also get an absolute bound.
    ("powi", 64),
    ("sin", 5),
    ("cos", 5),
    ("tan", 6),
    ("asin", 5),
    ("acos", 5),
    ("atan", 6),
    ("atan2", 7),
    ("sinh", 5),
    ("cosh", 5),
    ("tanh", 6),
    ("floor", 0),
    ("ceil", 0),
    ("round", 0),
    ("trunc", 0),
    ("fract", 0),
    ("mul_add", 0),
    ("min", 0),
    ("max", 0),
    ("clamp", 0),
    ("signum", 0),
    ("hypot", 5),
    ("recip", 3),
    ("to_radians", 2),
    ("to_degrees", 2),
    ("is_nan", 0),
    ("is_finite", 0),
    ("erf", 17),
    ("erfc", 17),
    ("rsqrt", 4),
    ("constants", 0),
    ("T::method(x)", 0),
];

macro_rules! float_math {
    ($t:ident, $math:ident, $kernel:ident, $test:ident, $seed:expr) => {
        // (`RangeInclusive::contains` is not part of the kernel language.)
        #[allow(clippy::manual_range_contains)]
        #[dpex::func]
        fn $math(op: u32, a: $t, b: $t) -> $t {
            if op == 0 {
                a.abs()
            } else if op == 1 {
                a.sqrt()
            } else if op == 2 {
                a.cbrt()
            } else if op == 3 {
                a.exp()
            } else if op == 4 {
                a.exp2()
            } else if op == 5 {
                a.ln()
            } else if op == 6 {
                a.log2()
            } else if op == 7 {
                a.log10()
            } else if op == 8 {
                a.powf(b)
            } else if op == 9 {
                a.powi((b % 64.0) as i32)
            } else if op == 10 {
                a.sin()
            } else if op == 11 {
                a.cos()
            } else if op == 12 {
                a.tan()
            } else if op == 13 {
                a.asin()
            } else if op == 14 {
                a.acos()
            } else if op == 15 {
                a.atan()
            } else if op == 16 {
                a.atan2(b)
            } else if op == 17 {
                a.sinh()
            } else if op == 18 {
                a.cosh()
            } else if op == 19 {
                a.tanh()
            } else if op == 20 {
                a.floor()
            } else if op == 21 {
                a.ceil()
            } else if op == 22 {
                a.round()
            } else if op == 23 {
                a.trunc()
            } else if op == 24 {
                a.fract()
            } else if op == 25 {
                a.mul_add(b, 0.75)
            } else if op == 26 {
                a.min(b)
            } else if op == 27 {
                a.max(b)
            } else if op == 28 {
                a.clamp(-1.5, 2.25)
            } else if op == 29 {
                a.signum()
            } else if op == 30 {
                a.hypot(b)
            } else if op == 31 {
                a.recip()
            } else if op == 32 {
                a.to_radians()
            } else if op == 33 {
                a.to_degrees()
            } else if op == 34 {
                if a.is_nan() {
                    1.0
                } else {
                    0.0
                }
            } else if op == 35 {
                if a.is_finite() {
                    1.0
                } else {
                    0.0
                }
            } else if op == 36 {
                erf(a)
            } else if op == 37 {
                erfc(a)
            } else if op == 38 {
                rsqrt(a)
            } else if op == 39 {
                std::$t::consts::PI
                    + std::$t::consts::E * 2.0
                    + std::$t::consts::SQRT_2 * 4.0
                    + std::$t::consts::LN_2 * 8.0
                    + std::$t::consts::FRAC_1_SQRT_2 * 16.0
                    + $t::EPSILON * 1e6
                    + $t::MIN_POSITIVE * 1e30
                    + if a > $t::MAX || a < $t::MIN { 1e3 } else { 0.0 }
                    + if a == $t::INFINITY { 1e4 } else { 0.0 }
                    + if a == $t::NEG_INFINITY { 1e5 } else { 0.0 }
            } else {
                $t::max($t::floor(a), $t::min(b, 3.0))
            }
        }

        #[kernel]
        fn $kernel(item: Item<1>, a: &Tensor<$t>, b: &Tensor<$t>, out: &mut Tensor<$t>) {
            let i = item.get_id(0);
            for op in 0..41 {
                out[i * 41 + op as usize] = $math(op, a[i], b[i]);
            }
        }

        #[test]
        fn $test() -> dpex::Result<()> {
            let q = queue();
            let (a, b) = float_pairs::<$t>($seed, 4001);
            let n = a.len();
            let (da, db) = (Tensor::from_slice(&q, &a)?, Tensor::from_slice(&q, &b)?);
            let mut out = Tensor::<$t>::zeros(&q, 41 * n)?;
            $kernel
                .launch(Range::new([n]), (&da, &db, &mut out))?
                .wait()?;
            let got = out.to_vec()?;
            for (op, (name, ulps)) in FLOAT_METHODS.iter().enumerate() {
                let got: Vec<$t> = (0..n).map(|i| got[i * 41 + op]).collect();
                let want: Vec<$t> = (0..n).map(|i| $math(op as u32, a[i], b[i])).collect();
                let describe = |i: usize| format!("a = {:?}, b = {:?}", a[i], b[i]);
                let what = format!("{}::{name}", stringify!($t));
                // `min` and `max` do not specify which zero `min(0.0, -0.0)` is (Rust's docs;
                // NVIDIA's and lavapipe's `NMin` give -0.0, the host 0.0): for them (and
                // `T::method(x)`, a `max` of a `min`) zeros of either sign match (0 ulp apart),
                // everything else bit for bit.
                if *ulps == 0 && !matches!(*name, "min" | "max" | "T::method(x)") {
                    assert_same_each(&what, &got, &want, describe);
                } else {
                    let abs = if *name == "powi" {
                        $t::MIN_POSITIVE as f64
                    } else {
                        0.0
                    };
                    assert_ulps_each(&what, &got, &want, *ulps, abs, describe);
                }
            }
            Ok(())
        }
    };
}

float_math!(f32, math_f32, math_f32_kernel, f32_math_methods, 501);
float_math!(f64, math_f64, math_f64_kernel, f64_math_methods, 502);

/// The integer methods of one type, by number.
macro_rules! int_math {
    ($t:ident, $math:ident, $kernel:ident, $test:ident, $seed:expr) => {
        #[dpex::func]
        fn $math(op: u32, a: $t, b: $t, s: u32) -> $t {
            if op == 0 {
                a.min(b)
            } else if op == 1 {
                a.max(b)
            } else if op == 2 {
                $t::min(a, 5).max(b)
            } else if op == 3 {
                a.clamp(2, 100)
            } else if op == 4 {
                a.leading_zeros() as $t
            } else if op == 5 {
                a.trailing_zeros() as $t
            } else if op == 6 {
                a.count_ones() as $t
            } else if op == 7 {
                a.wrapping_add(b) ^ a.wrapping_sub(b)
            } else if op == 8 {
                a.wrapping_mul(b)
            } else if op == 9 {
                a.wrapping_shl(s) ^ a.wrapping_shr(s)
            } else if op == 10 {
                a.wrapping_neg()
            } else if op == 11 {
                // A base and exponent that cannot overflow (a panic in debug builds).
                (a % 6).pow(s % 4)
            } else if op == 12 {
                (b % 3).pow(3) ^ a.pow(0)
            } else {
                ($t::MAX - a.max(0)) ^ $t::MIN ^ ($t::BITS as $t)
            }
        }

        #[kernel]
        fn $kernel(
            item: Item<1>,
            a: &Tensor<$t>,
            b: &Tensor<$t>,
            s: &Tensor<u32>,
            out: &mut Tensor<$t>,
        ) {
            let i = item.get_id(0);
            for op in 0..14 {
                out[i * 14 + op as usize] = $math(op, a[i], b[i], s[i]);
            }
        }

        #[test]
        fn $test() -> dpex::Result<()> {
            let q = queue();
            let (a, b) = int_pairs::<$t>($seed, 1200);
            let n = a.len();
            let s: Vec<u32> = int_samples::<u32>($seed + 1, n);
            let (da, db, ds) = (
                Tensor::from_slice(&q, &a)?,
                Tensor::from_slice(&q, &b)?,
                Tensor::from_slice(&q, &s)?,
            );
            let mut out = Tensor::<$t>::zeros(&q, 14 * n)?;
            $kernel
                .launch(Range::new([n]), (&da, &db, &ds, &mut out))?
                .wait()?;
            let want: Vec<$t> = (0..14 * n)
                .map(|k| $math((k % 14) as u32, a[k / 14], b[k / 14], s[k / 14]))
                .collect();
            assert_eq_each(
                concat!(stringify!($t), " methods"),
                &out.to_vec()?,
                &want,
                |k| {
                    let i = k / 14;
                    format!(
                        "op {}, a = {:?}, b = {:?}, s = {}",
                        k % 14,
                        a[i],
                        b[i],
                        s[i]
                    )
                },
            );
            Ok(())
        }
    };
}

int_math!(i8, imath_i8, imath_i8_kernel, i8_methods, 511);
int_math!(i16, imath_i16, imath_i16_kernel, i16_methods, 512);
int_math!(i32, imath_i32, imath_i32_kernel, i32_methods, 513);
int_math!(i64, imath_i64, imath_i64_kernel, i64_methods, 514);
int_math!(isize, imath_isize, imath_isize_kernel, isize_methods, 515);
int_math!(u8, imath_u8, imath_u8_kernel, u8_methods, 516);
int_math!(u16, imath_u16, imath_u16_kernel, u16_methods, 517);
int_math!(u32, imath_u32, imath_u32_kernel, u32_methods, 518);
int_math!(u64, imath_u64, imath_u64_kernel, u64_methods, 519);
int_math!(usize, imath_usize, imath_usize_kernel, usize_methods, 520);

/// The math methods of issue 13, a few per kernel (not in the big kernels above, whose
/// compilation is already long): `asinh, acosh, atanh, exp_m1` in one, `ln_1p, copysign,
/// is_infinite, ldexp` in the other, each against the host's std (libm's `scalbn` for
/// `ldexp`; for the inverse hyperbolics musl's libm, as std's overflow near `MAX` and
/// lose digits next to 1) on random operands (special values included), any `i32` exponent for `ldexp`.
macro_rules! float_math_13 {
    ($t:ident, $inverse:ident, $rest:ident, $k1:ident, $k2:ident, $test:ident, $seed:expr, $asinh:path, $acosh:path, $atanh:path) => {
        #[dpex::func]
        fn $inverse(op: u32, a: $t) -> $t {
            if op == 0 {
                a.asinh()
            } else if op == 1 {
                (a.abs() + 1.0).acosh()
            } else if op == 2 {
                (a / (a.abs() + 1.0)).atanh()
            } else {
                a.exp_m1()
            }
        }

        #[dpex::func]
        fn $rest(op: u32, a: $t, b: $t, n: i32) -> $t {
            if op == 0 {
                a.abs().ln_1p()
            } else if op == 1 {
                a.copysign(b)
            } else if op == 2 {
                if a.is_infinite() {
                    1.0
                } else {
                    0.0
                }
            } else {
                a.ldexp(n)
            }
        }

        #[kernel]
        fn $k1(item: Item<1>, a: &Tensor<$t>, out: &mut Tensor<$t>) {
            let i = item.get_id(0);
            for op in 0..4 {
                out[i * 4 + op as usize] = $inverse(op, a[i]);
            }
        }

        #[kernel]
        fn $k2(
            item: Item<1>,
            a: &Tensor<$t>,
            b: &Tensor<$t>,
            n: &Tensor<i32>,
            out: &mut Tensor<$t>,
        ) {
            let i = item.get_id(0);
            for op in 0..4 {
                out[i * 4 + op as usize] = $rest(op, a[i], b[i], n[i]);
            }
        }

        #[test]
        fn $test() -> dpex::Result<()> {
            let q = queue();
            let (a, b) = float_pairs::<$t>($seed, 3001);
            let n = a.len();
            let e = int_samples::<i32>($seed + 1, n);
            let (da, db, de) = (
                Tensor::from_slice(&q, &a)?,
                Tensor::from_slice(&q, &b)?,
                Tensor::from_slice(&q, &e)?,
            );
            let mut first = Tensor::<$t>::zeros(&q, 4 * n)?;
            let mut second = Tensor::<$t>::zeros(&q, 4 * n)?;
            $k1.launch(Range::new([n]), (&da, &mut first))?.wait()?;
            $k2.launch(Range::new([n]), (&da, &db, &de, &mut second))?
                .wait()?;
            let (first, second) = (first.to_vec()?, second.to_vec()?);
            // (name, ulps, in the first kernel): OpenCL's bound plus one ulp for the host's own
            // rounding. `ldexp` works on the bits on every backend, so its subnormal results
            // must be the host's even on a device that flushes subnormals in arithmetic.
            let ops: [(&str, u64, bool); 8] = [
                ("asinh", 5, true),
                ("acosh", 5, true),
                ("atanh", 5, true),
                ("exp_m1", 4, true),
                ("ln_1p", 3, false),
                ("copysign", 0, false),
                ("is_infinite", 0, false),
                ("ldexp", 0, false),
            ];
            for (k, (name, ulps, in_first)) in ops.into_iter().enumerate() {
                let op = (k % 4) as u32;
                let got: Vec<$t> = (0..n)
                    .map(|i| {
                        if in_first {
                            first[i * 4 + k]
                        } else {
                            second[i * 4 + k - 4]
                        }
                    })
                    .collect();
                let want: Vec<$t> = (0..n)
                    .map(|i| {
                        if in_first && op == 0 {
                            $asinh(a[i])
                        } else if in_first && op == 1 {
                            $acosh(a[i].abs() + 1.0)
                        } else if in_first && op == 2 {
                            $atanh(a[i] / (a[i].abs() + 1.0))
                        } else if in_first {
                            $inverse(op, a[i])
                        } else {
                            $rest(op, a[i], b[i], e[i])
                        }
                    })
                    .collect();
                let describe = |i: usize| format!("a = {:?}, b = {:?}, n = {}", a[i], b[i], e[i]);
                let what = format!("{}::{name}", stringify!($t));
                if name == "ldexp" {
                    assert_bits_each(&what, &got, &want, describe);
                } else if ulps == 0 {
                    assert_same_each(&what, &got, &want, describe);
                } else {
                    assert_ulps_each(&what, &got, &want, ulps, 0.0, describe);
                }
            }
            Ok(())
        }
    };
}

float_math_13!(
    f32,
    inverse_f32,
    rest_f32,
    math13_f32_a,
    math13_f32_b,
    f32_inverse_hyperbolic_exp_m1_ln_1p_copysign_is_infinite_ldexp,
    531,
    libm::asinhf,
    libm::acoshf,
    libm::atanhf
);
float_math_13!(
    f64,
    inverse_f64,
    rest_f64,
    math13_f64_a,
    math13_f64_b,
    f64_inverse_hyperbolic_exp_m1_ln_1p_copysign_is_infinite_ldexp,
    532,
    libm::asinh,
    libm::acosh,
    libm::atanh
);

/// `gamma` and `ln_gamma` (issue 13) of `a % span` for random `a` (special values included),
/// so that the arguments cover the poles, the zeros of `ln_gamma` and both overflows, against
/// musl's `tgamma` and `lgamma_r` (the `libm` crate). `ln_gamma` is Rust's: `(ln |gamma|,
/// sign)`, read both as `x.ln_gamma().0` and as `let (_, sign) = x.ln_gamma();`.
macro_rules! gamma_math {
    ($t:ident, $func:ident, $kernel:ident, $test:ident, $seed:expr, $span:expr, $tgamma:path, $lgamma_r:path, $ulps:expr, $abs:expr) => {
        /// `gamma(x)`, `ln |gamma(x)|` and the sign of `gamma(x)` (ops 0, 1, 2) at `x = a % span`.
        #[dpex::func]
        fn $func(op: u32, a: $t) -> $t {
            let x = a % $span;
            if op == 0 {
                x.gamma()
            } else if op == 1 {
                x.ln_gamma().0
            } else {
                let (_, sign) = x.ln_gamma();
                sign as $t
            }
        }

        #[kernel]
        fn $kernel(item: Item<1>, a: &Tensor<$t>, out: &mut Tensor<$t>) {
            let i = item.get_id(0);
            for op in 0..3 {
                out[i * 3 + op as usize] = $func(op, a[i]);
            }
        }

        #[test]
        fn $test() -> dpex::Result<()> {
            let q = queue();
            let a = float_samples::<$t>($seed, 3001);
            let n = a.len();
            let da = Tensor::from_slice(&q, &a)?;
            let mut out = Tensor::<$t>::zeros(&q, 3 * n)?;
            $kernel.launch(Range::new([n]), (&da, &mut out))?.wait()?;
            let out = out.to_vec()?;
            let column = |op: usize| -> Vec<$t> { (0..n).map(|i| out[i * 3 + op]).collect() };
            let x: Vec<$t> = a.iter().map(|&v| v % $span).collect();
            let gamma: Vec<$t> = x.iter().map(|&v| $tgamma(v)).collect();
            let (ln, sign): (Vec<$t>, Vec<$t>) = x
                .iter()
                .map(|&v| {
                    let (l, s) = $lgamma_r(v);
                    (l, s as $t)
                })
                .unzip();
            let describe = |i: usize| format!("x = {:?}", x[i]);
            let what = |name: &str| format!("{}::{name}", stringify!($t));
            assert_ulps_each(&what("gamma"), &column(0), &gamma, $ulps, 0.0, describe);
            // Next to the zeros of negative arguments musl's `lgamma` keeps only absolute
            // accuracy: the absolute tolerance there.
            assert_ulps_each(&what("ln_gamma"), &column(1), &ln, $ulps, $abs, describe);
            assert_same_each(&what("ln_gamma sign"), &column(2), &sign, describe);
            Ok(())
        }
    };
}

gamma_math!(
    f32,
    gamma_f32,
    gamma_f32_kernel,
    f32_gamma_and_ln_gamma,
    533,
    40.0,
    libm::tgammaf,
    libm::lgammaf_r,
    16,
    1e-6
);
gamma_math!(
    f64,
    gamma_f64,
    gamma_f64_kernel,
    f64_gamma_and_ln_gamma,
    534,
    190.0,
    libm::tgamma,
    libm::lgamma_r,
    16,
    1e-13
);

/// `abs` on signed integers (MIN, whose `abs` overflows, is left out: a panic in debug).
macro_rules! int_abs {
    ($t:ident, $func:ident, $kernel:ident, $test:ident, $seed:expr) => {
        #[dpex::func]
        fn $func(a: $t) -> $t {
            if a == $t::MIN {
                0
            } else {
                a.abs() ^ (a / 2).abs() << 1
            }
        }

        #[kernel]
        fn $kernel(item: Item<1>, a: &Tensor<$t>, out: &mut Tensor<$t>) {
            let i = item.get_id(0);
            out[i] = $func(a[i]);
        }

        #[test]
        fn $test() -> dpex::Result<()> {
            let q = queue();
            let a = int_samples::<$t>($seed, 611);
            let da = Tensor::from_slice(&q, &a)?;
            let mut out = Tensor::<$t>::zeros(&q, a.len())?;
            $kernel
                .launch(Range::new([a.len()]), (&da, &mut out))?
                .wait()?;
            let want: Vec<$t> = a.iter().map(|&x| $func(x)).collect();
            assert_eq_each("abs", &out.to_vec()?, &want, |i| format!("a = {}", a[i]));
            Ok(())
        }
    };
}

int_abs!(i8, abs_i8, abs_i8_kernel, i8_abs, 521);
int_abs!(i16, abs_i16, abs_i16_kernel, i16_abs, 522);
int_abs!(i32, abs_i32, abs_i32_kernel, i32_abs, 523);
int_abs!(i64, abs_i64, abs_i64_kernel, i64_abs, 524);

/// Integer and float constants, written to a tensor and compared with the host's.
#[kernel]
fn constants(
    item: Item<1>,
    ints: &mut Tensor<i64>,
    floats: &mut Tensor<f64>,
    f32s: &mut Tensor<f32>,
) {
    let i = item.get_id(0);
    if i > 0 {
        return;
    }
    ints[0] = i32::MIN as i64;
    ints[1] = i32::MAX as i64;
    ints[2] = i64::MIN;
    ints[3] = u8::MAX as i64;
    ints[4] = i8::MIN as i64;
    ints[5] = u16::MAX as i64;
    ints[6] = u32::MAX as i64;
    ints[7] = u64::MAX as i64;
    ints[8] = usize::MAX as i64;
    ints[9] = isize::MIN as i64;
    ints[10] = u32::BITS as i64 + i16::BITS as i64 * 100;
    ints[11] = i16::MIN as i64;
    floats[0] = std::f64::consts::PI;
    floats[1] = f64::EPSILON;
    floats[2] = f64::MAX;
    floats[3] = f64::MIN_POSITIVE;
    floats[4] = std::f64::consts::TAU;
    floats[5] = std::f64::consts::LOG10_E;
    floats[6] = f64::NEG_INFINITY;
    floats[7] = f64::MIN;
    f32s[0] = std::f32::consts::PI;
    f32s[1] = f32::MAX;
    f32s[2] = f32::EPSILON;
    f32s[3] = f32::MIN_POSITIVE;
    f32s[4] = std::f32::consts::FRAC_PI_3;
    f32s[5] = std::f32::consts::LN_10;
    f32s[6] = f32::INFINITY;
    f32s[7] = f32::MIN;
    f32s[8] = std::f32::consts::FRAC_2_SQRT_PI;
}

#[test]
fn constants_match_the_host() -> dpex::Result<()> {
    let q = queue();
    let mut ints = Tensor::<i64>::zeros(&q, 12)?;
    let mut floats = Tensor::<f64>::zeros(&q, 8)?;
    let mut f32s = Tensor::<f32>::zeros(&q, 9)?;
    constants
        .launch(Range::new([3]), (&mut ints, &mut floats, &mut f32s))?
        .wait()?;
    let want_ints = vec![
        i32::MIN as i64,
        i32::MAX as i64,
        i64::MIN,
        u8::MAX as i64,
        i8::MIN as i64,
        u16::MAX as i64,
        u32::MAX as i64,
        u64::MAX as i64,
        usize::MAX as i64,
        isize::MIN as i64,
        u32::BITS as i64 + i16::BITS as i64 * 100,
        i16::MIN as i64,
    ];
    assert_eq_each("integer constants", &ints.to_vec()?, &want_ints, |i| {
        format!("#{i}")
    });
    let want_floats = vec![
        std::f64::consts::PI,
        f64::EPSILON,
        f64::MAX,
        f64::MIN_POSITIVE,
        std::f64::consts::TAU,
        std::f64::consts::LOG10_E,
        f64::NEG_INFINITY,
        f64::MIN,
    ];
    assert_same_each("f64 constants", &floats.to_vec()?, &want_floats, |i| {
        format!("#{i}")
    });
    let want_f32 = vec![
        std::f32::consts::PI,
        f32::MAX,
        f32::EPSILON,
        f32::MIN_POSITIVE,
        std::f32::consts::FRAC_PI_3,
        std::f32::consts::LN_10,
        f32::INFINITY,
        f32::MIN,
        std::f32::consts::FRAC_2_SQRT_PI,
    ];
    assert_same_each("f32 constants", &f32s.to_vec()?, &want_f32, |i| {
        format!("#{i}")
    });
    Ok(())
}
