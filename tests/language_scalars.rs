//! Conformance of the scalar types (issue 3, "Scalar types"): every integer and float type as
//! a tensor element and as a scalar parameter, `bool` parameters, literal typing (suffixes,
//! context, the `i32` / `f64` defaults, literal `let`s typed by later uses) and `f16`.
//!
//! Each computation is a `#[dpex::func]`: the kernel calls it per element on the device, and the
//! host reference calls the very same function.

mod common;

use common::{
    assert_eq_each, assert_same_each, float_pairs, float_specials, int_pairs, queue, rng, TestInt,
};
use dpex::prelude::*;
use rand::Rng;

/// One scalar type as element and parameter: `$func` (the closure-like body given) mixes an element
/// with a scalar parameter and a `bool` parameter; the test launches it on `$pairs`' operands
/// with every one of `$edge` as the parameter and both flags, and checks each result against
/// the host's call of `$func` with `$check`.
macro_rules! scalar_case {
    (
        $t:ident, $func:ident, $kernel:ident, $test:ident, $seed:expr,
        samples: $pairs:ident($n:expr), edge: $edge:expr, check: $check:ident,
        body: |$a:ident, $s:ident, $flag:ident| { $($body:tt)* }
    ) => {
        #[dpex::func]
        fn $func($a: $t, $s: $t, $flag: bool) -> $t {
            $($body)*
        }

        #[kernel]
        fn $kernel(item: Item<1>, s: $t, flag: bool, a: &Tensor<$t>, out: &mut Tensor<$t>) {
            let i = item.get_id(0);
            out[i] = $func(a[i], s, flag);
        }

        #[test]
        fn $test() -> dpex::Result<()> {
            let q = queue();
            let (a, _) = $pairs::<$t>($seed, $n);
            let da = Tensor::from_slice(&q, &a)?;
            let mut out = Tensor::<$t>::zeros(&q, a.len())?;
            for s in $edge {
                for flag in [false, true] {
                    $kernel
                        .launch(Range::new([a.len()]), (s, flag, &da, &mut out))?
                        .wait()?;
                    let want: Vec<$t> = a.iter().map(|&x| $func(x, s, flag)).collect();
                    $check(
                        concat!(stringify!($t), " element and parameter"),
                        &out.to_vec()?,
                        &want,
                        |i| format!("a = {:?}, s = {s:?}, flag = {flag}", a[i]),
                    );
                }
            }
            Ok(())
        }
    };
}

/// One integer type: wrapping arithmetic and bit operations, every boundary value as the
/// parameter, results equal.
macro_rules! int_scalar_case {
    ($t:ident, $func:ident, $kernel:ident, $test:ident, $seed:expr) => {
        scalar_case!(
            $t, $func, $kernel, $test, $seed,
            samples: int_pairs(1001), edge: <$t as TestInt>::boundary(), check: assert_eq_each,
            body: |a, s, flag| {
                let x = if flag { a ^ s } else { a.wrapping_sub(s) };
                x.wrapping_mul(5).wrapping_add($t::MAX / 3) | (a & 1)
            }
        );
    };
}

int_scalar_case!(i8, mix_i8, scalar_i8, i8_element_and_parameter, 101);
int_scalar_case!(i16, mix_i16, scalar_i16, i16_element_and_parameter, 102);
int_scalar_case!(i32, mix_i32, scalar_i32, i32_element_and_parameter, 103);
int_scalar_case!(i64, mix_i64, scalar_i64, i64_element_and_parameter, 104);
int_scalar_case!(
    isize,
    mix_isize,
    scalar_isize,
    isize_element_and_parameter,
    105
);
int_scalar_case!(u8, mix_u8, scalar_u8, u8_element_and_parameter, 106);
int_scalar_case!(u16, mix_u16, scalar_u16, u16_element_and_parameter, 107);
int_scalar_case!(u32, mix_u32, scalar_u32, u32_element_and_parameter, 108);
int_scalar_case!(u64, mix_u64, scalar_u64, u64_element_and_parameter, 109);
int_scalar_case!(
    usize,
    mix_usize,
    scalar_usize,
    usize_element_and_parameter,
    110
);

/// One float type: special values on both sides (every one as the parameter), results the
/// same bits (NaN matching NaN).
macro_rules! float_scalar_case {
    ($t:ident, $func:ident, $kernel:ident, $test:ident, $seed:expr) => {
        scalar_case!(
            $t, $func, $kernel, $test, $seed,
            samples: float_pairs(999), edge: float_specials::<$t>(),
            check: assert_same_each,
            body: |a, s, flag| {
                if flag {
                    a * s + 0.5
                } else {
                    (a - s) * -2.0
                }
            }
        );
    };
}

float_scalar_case!(f32, mix_f32, scalar_f32, f32_element_and_parameter, 111);
float_scalar_case!(f64, mix_f64, scalar_f64, f64_element_and_parameter, 112);

/// `bool` parameters and `bool` values: logic on them, `bool as` integer, stored as `u8`.
#[dpex::func]
fn bool_logic(a: bool, b: bool, x: i32) -> u8 {
    let positive = x > 0;
    let c = (a && !b) || (positive ^ a);
    let d = a & b | !positive;
    (c as u8) | (d as u8) << 1 | ((a == b) as u8) << 2 | ((a != positive) as u8) << 3
}

#[kernel]
fn bool_kernel(item: Item<1>, a: bool, b: bool, x: &Tensor<i32>, out: &mut Tensor<u8>) {
    let i = item.get_id(0);
    out[i] = bool_logic(a, b, x[i]);
}

#[test]
fn bool_parameters_and_values() -> dpex::Result<()> {
    let q = queue();
    let (x, _) = int_pairs::<i32>(113, 301);
    let dx = Tensor::from_slice(&q, &x)?;
    let mut out = Tensor::<u8>::zeros(&q, x.len())?;
    for a in [false, true] {
        for b in [false, true] {
            bool_kernel
                .launch(Range::new([x.len()]), (a, b, &dx, &mut out))?
                .wait()?;
            let want: Vec<u8> = x.iter().map(|&v| bool_logic(a, b, v)).collect();
            assert_eq_each("bool logic", &out.to_vec()?, &want, |i| {
                format!("a = {a}, b = {b}, x = {}", x[i])
            });
        }
    }
    Ok(())
}

/// Literals typed as rustc types them. Each line's result differs when the literal gets
/// another type than rustc's.
#[dpex::func]
fn literal_typing(a: i64, len: usize, k: u32) -> i64 {
    // Suffixes.
    let big = 3_000_000_000u32;
    let byte = 0xF0u8;
    let neg = -128i8;
    let wide = 1u64 << 40;
    let r1 = big.wrapping_add(k) as i64 + byte.wrapping_add(k as u8) as i64 + neg as i64;
    // The `i32` default (a shift does not unify its operands' types): `1 << 31` is negative
    // in i32 (it would not be in i64).
    let d = 1;
    let r2 = (d << (k % 32)) as i64 + (k as i32).wrapping_mul(-1) as i64;
    // The `f64` default: 0.1 + 0.2 is not 0.3 in f64 (in f32 it would round differently).
    let f = 0.1 + 0.2;
    let r3 = (f * 1e17) as i64;
    // Context typing: the literal takes the type of the other operand.
    let r4 = a.wrapping_add(5_000_000_000) ^ (wide.wrapping_mul(3) as i64);
    let small: u8 = 200;
    let r5 = small.wrapping_add(100) as i64;
    let g: f32 = 16_777_216.0;
    let r6 = (g + 1.0) as i64;
    // `let n = 0;` that later code uses as `usize` and as `u64`: typed by that use.
    let mut n = 0;
    n += len;
    n *= 3;
    let mut m = 0;
    m += k as u64;
    m <<= 33;
    r1 ^ r2.wrapping_mul(7) ^ r3 ^ r4 ^ r5 ^ r6 ^ (n as i64) ^ (m as i64)
}

#[kernel]
fn literal_kernel(item: Item<1>, a: &Tensor<i64>, k: &Tensor<u32>, out: &mut Tensor<i64>) {
    let i = item.get_id(0);
    out[i] = literal_typing(a[i], i, k[i]);
}

#[test]
fn literals_typed_as_rustc_types_them() -> dpex::Result<()> {
    let q = queue();
    let (a, _) = int_pairs::<i64>(114, 403);
    let mut r = rng(115);
    let k: Vec<u32> = (0..a.len()).map(|_| r.random()).collect();
    let (da, dk) = (Tensor::from_slice(&q, &a)?, Tensor::from_slice(&q, &k)?);
    let mut out = Tensor::<i64>::zeros(&q, a.len())?;
    literal_kernel
        .launch(Range::new([a.len()]), (&da, &dk, &mut out))?
        .wait()?;
    let want: Vec<i64> = (0..a.len())
        .map(|i| literal_typing(a[i], i, k[i]))
        .collect();
    assert_eq_each("literal typing", &out.to_vec()?, &want, |i| {
        format!("a = {}, len = {i}, k = {}", a[i], k[i])
    });
    Ok(())
}

/// `f16` elements: arithmetic in `f16` and conversions to and from `f16`.
#[dpex::func]
fn half_math(a: f16, b: f16) -> f16 {
    let s = a * b + a;
    let t = s - f16::from_f64(0.25) / b;
    if t > a {
        t
    } else {
        -t
    }
}

#[kernel]
fn half_kernel(item: Item<1>, a: &Tensor<f16>, b: &Tensor<f16>, out: &mut Tensor<f16>) {
    let i = item.get_id(0);
    out[i] = half_math(a[i], b[i]);
}

#[test]
fn f16_arithmetic_matches_half() -> dpex::Result<()> {
    let q = queue();
    let (a32, b32) = float_pairs::<f32>(116, 777);
    let a: Vec<f16> = a32.iter().map(|&v| f16::from_f32(v)).collect();
    let b: Vec<f16> = b32.iter().map(|&v| f16::from_f32(v)).collect();
    let (da, db) = (Tensor::from_slice(&q, &a)?, Tensor::from_slice(&q, &b)?);
    let mut out = Tensor::<f16>::zeros(&q, a.len())?;
    half_kernel
        .launch(Range::new([a.len()]), (&da, &db, &mut out))?
        .wait()?;
    let want: Vec<f16> = a.iter().zip(&b).map(|(&x, &y)| half_math(x, y)).collect();
    let got = out.to_vec()?;
    let bad: Vec<usize> = (0..a.len())
        .filter(|&i| !(got[i] == want[i] || (got[i].is_nan() && want[i].is_nan())))
        .collect();
    assert!(
        bad.is_empty(),
        "f16: {} of {} differ; first at {} (a = {}, b = {}): device {}, host {}",
        bad.len(),
        a.len(),
        bad[0],
        a[bad[0]],
        b[bad[0]],
        got[bad[0]],
        want[bad[0]]
    );
    Ok(())
}

/// Conversions between `f16` and the other types, spelled as `half` spells them
/// (`f16::from_f32`, `f16::from_f64`, `h.to_f32()`, `h.to_f64()`).
#[dpex::func]
fn half_widen(a: f16, x: f32, d: f64) -> f64 {
    let h = f16::from_f32(x) + f16::from_f64(d);
    (h.to_f32() * 3.0) as f64 + a.to_f64()
}

#[dpex::func]
fn half_narrow(x: f32) -> f16 {
    f16::from_f32(x) * f16::from_f64(0.5)
}

#[dpex::func]
fn half_to_int(a: f16) -> i32 {
    a.to_f32() as i32
}

#[kernel]
fn half_conversions(
    item: Item<1>,
    a: &Tensor<f16>,
    x: &Tensor<f32>,
    d: &Tensor<f64>,
    wide: &mut Tensor<f64>,
    narrow: &mut Tensor<f16>,
    int: &mut Tensor<i32>,
) {
    let i = item.get_id(0);
    wide[i] = half_widen(a[i], x[i], d[i]);
    narrow[i] = half_narrow(x[i]);
    int[i] = half_to_int(a[i]);
}

#[test]
fn f16_conversions_match_half() -> dpex::Result<()> {
    let q = queue();
    let (x, y) = float_pairs::<f32>(117, 1003);
    let d: Vec<f64> = y.iter().map(|&v| f64::from(v) * 1.001).collect();
    let a: Vec<f16> = y.iter().map(|&v| f16::from_f32(v * 0.75)).collect();
    let (da, dx, dd) = (
        Tensor::from_slice(&q, &a)?,
        Tensor::from_slice(&q, &x)?,
        Tensor::from_slice(&q, &d)?,
    );
    let n = x.len();
    let mut wide = Tensor::<f64>::zeros(&q, n)?;
    let mut narrow = Tensor::<f16>::zeros(&q, n)?;
    let mut int = Tensor::<i32>::zeros(&q, n)?;
    half_conversions
        .launch(
            Range::new([n]),
            (&da, &dx, &dd, &mut wide, &mut narrow, &mut int),
        )?
        .wait()?;
    let describe = |i: usize| format!("a = {}, x = {:?}, d = {:?}", a[i], x[i], d[i]);
    let want: Vec<f64> = (0..n).map(|i| half_widen(a[i], x[i], d[i])).collect();
    assert_same_each("f16 widening", &wide.to_vec()?, &want, describe);
    let want: Vec<f32> = (0..n).map(|i| half_narrow(x[i]).to_f32()).collect();
    let got: Vec<f32> = narrow.to_vec()?.iter().map(|h| h.to_f32()).collect();
    assert_same_each("f16 narrowing", &got, &want, describe);
    let want: Vec<i32> = (0..n).map(|i| half_to_int(a[i])).collect();
    assert_eq_each("f16 to int", &int.to_vec()?, &want, describe);
    Ok(())
}

/// `to_bits` / `from_bits` on `f32`: flips the sign bit.
#[dpex::func]
fn f32_flip(x: f32) -> f32 {
    f32::from_bits(x.to_bits() ^ 0x8000_0000)
}

/// The bits of an `f32` mixed into a `u32`.
#[dpex::func]
fn f32_mix(x: f32) -> u32 {
    let bits = x.to_bits();
    (bits >> 7) ^ bits
}

/// `to_bits` / `from_bits` on `f64`.
#[dpex::func]
fn f64_bits(x: f64) -> f64 {
    f64::from_bits(x.to_bits() ^ (1u64 << 63))
}

#[kernel]
fn float_bits(
    item: Item<1>,
    x: &Tensor<f32>,
    y: &Tensor<f64>,
    flipped: &mut Tensor<f32>,
    mixed: &mut Tensor<u32>,
    flipped64: &mut Tensor<f64>,
) {
    let i = item.get_id(0);
    flipped[i] = f32_flip(x[i]);
    mixed[i] = f32_mix(x[i]);
    flipped64[i] = f64_bits(y[i]);
}

#[test]
fn float_bits_round_trip_exactly() -> dpex::Result<()> {
    let q = queue();
    let x: Vec<f32> = common::float_samples::<f32>(201, 1000);
    let y: Vec<f64> = common::float_samples::<f64>(202, 1000);
    let n = x.len().min(y.len());
    let (dx, dy) = (
        Tensor::from_slice(&q, &x[..n])?,
        Tensor::from_slice(&q, &y[..n])?,
    );
    let mut flipped = Tensor::<f32>::zeros(&q, n)?;
    let mut mixed = Tensor::<u32>::zeros(&q, n)?;
    let mut flipped64 = Tensor::<f64>::zeros(&q, n)?;
    float_bits
        .launch(
            Range::new([n]),
            (&dx, &dy, &mut flipped, &mut mixed, &mut flipped64),
        )?
        .wait()?;
    let (flipped, mixed, flipped64) = (flipped.to_vec()?, mixed.to_vec()?, flipped64.to_vec()?);
    for i in 0..n {
        assert_eq!(
            flipped[i].to_bits(),
            f32_flip(x[i]).to_bits(),
            "x = {:?}",
            x[i]
        );
        assert_eq!(mixed[i], f32_mix(x[i]), "x = {:?}", x[i]);
        assert_eq!(
            flipped64[i].to_bits(),
            f64_bits(y[i]).to_bits(),
            "y = {:?}",
            y[i]
        );
    }
    Ok(())
}
