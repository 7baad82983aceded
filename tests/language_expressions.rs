//! Conformance of expressions (issue 3, "Expressions"): unary `-` and `!`, arithmetic with
//! Rust's semantics (wrapping integers, truncating division, float `%` as `fmod`), bitwise
//! operators and shifts (amount masked to the width, arithmetic `>>` on signed types),
//! comparisons (NaN included), short-circuit `&&` / `||`, compound assignment, parentheses and
//! `as` between every pair of numeric types (and `bool` to integers).
//!
//! Where Rust's debug build would panic on the host (overflow, shift amounts >= the width), the
//! shared `#[dpex::func]` uses the `wrapping_*` methods; the plain operators, which wrap on the
//! device as in a release build, are checked against those methods on the host.
//!
//! Division by zero and `MIN / -1` are launch errors (the Safety issue), so the divisors here
//! avoid them (`TestInt::safe_divisor`).

mod common;

use common::{
    assert_eq_each, assert_same_each, float_pairs, float_samples, int_pairs, int_samples, queue,
    shift_amounts, TestInt,
};
use dpex::prelude::*;

/// The integer operators of one type, selected by `op` (the kernel runs every `op` on every
/// element; the host runs the same function).
macro_rules! int_ops {
    ($t:ident, $ops:ident, $ops_kernel:ident, $plain_kernel:ident, $test:ident, $seed:expr) => {
        #[dpex::func]
        fn $ops(op: u32, a: $t, b: $t, d: $t, s: u32) -> $t {
            if op == 0 {
                a.wrapping_add(b)
            } else if op == 1 {
                a.wrapping_sub(b)
            } else if op == 2 {
                a.wrapping_mul(b)
            } else if op == 3 {
                a / d
            } else if op == 4 {
                a % d
            } else if op == 5 {
                a & b
            } else if op == 6 {
                a | b
            } else if op == 7 {
                a ^ b
            } else if op == 8 {
                !a
            } else if op == 9 {
                a.wrapping_neg()
            } else if op == 10 {
                a.wrapping_shl(s)
            } else if op == 11 {
                a.wrapping_shr(s)
            } else if op == 12 {
                a << (s % $t::BITS)
            } else if op == 13 {
                a >> (s % $t::BITS)
            } else if op == 14 {
                // Comparisons, one bit each.
                (a < b) as $t
                    | ((a <= b) as $t) << 1
                    | ((a > b) as $t) << 2
                    | ((a >= b) as $t) << 3
                    | ((a == b) as $t) << 4
                    | ((a != b) as $t) << 5
            } else {
                // Parentheses and precedence.
                (a ^ (b & d)).wrapping_sub(a | b) & !(d.wrapping_add(1) ^ b)
            }
        }

        #[kernel]
        fn $ops_kernel(
            item: Item<1>,
            a: &Tensor<$t>,
            b: &Tensor<$t>,
            d: &Tensor<$t>,
            s: &Tensor<u32>,
            out: &mut Tensor<$t>,
        ) {
            let i = item.get_id(0);
            for op in 0..16u32 {
                out[i * 16 + op as usize] = $ops(op, a[i], b[i], d[i], s[i]);
            }
        }

        /// The plain operators, which wrap and mask on the device (release semantics).
        #[kernel]
        fn $plain_kernel(
            item: Item<1>,
            a: &Tensor<$t>,
            b: &Tensor<$t>,
            s: &Tensor<u32>,
            out: &mut Tensor<$t>,
        ) {
            let i = item.get_id(0);
            let (x, y, n) = (a[i], b[i], s[i]);
            let k = i * 6;
            out[k] = x + y;
            out[k + 1] = x - y;
            out[k + 2] = x * y;
            out[k + 3] = x << n;
            out[k + 4] = x >> n;
            let mut c = x;
            c += y;
            c *= y;
            c -= x;
            c <<= n;
            c ^= y;
            c >>= n % 3;
            c |= x & 6;
            c &= !y | 5;
            out[k + 5] = c;
        }

        #[test]
        fn $test() -> dpex::Result<()> {
            let q = queue();
            let (a, b) = int_pairs::<$t>($seed, 1500);
            let d: Vec<$t> = a
                .iter()
                .zip(&b)
                .map(|(&x, &y)| <$t as TestInt>::safe_divisor(x, y))
                .collect();
            let s = shift_amounts($seed + 1, a.len(), $t::BITS);
            let n = a.len();
            let (da, db, dd, ds) = (
                Tensor::from_slice(&q, &a)?,
                Tensor::from_slice(&q, &b)?,
                Tensor::from_slice(&q, &d)?,
                Tensor::from_slice(&q, &s)?,
            );
            let mut out = Tensor::<$t>::zeros(&q, 16 * n)?;
            $ops_kernel
                .launch(Range::new([n]), (&da, &db, &dd, &ds, &mut out))?
                .wait()?;
            let want: Vec<$t> = (0..16 * n)
                .map(|k| $ops((k % 16) as u32, a[k / 16], b[k / 16], d[k / 16], s[k / 16]))
                .collect();
            assert_eq_each(
                concat!(stringify!($t), " operators"),
                &out.to_vec()?,
                &want,
                |k| {
                    let i = k / 16;
                    format!(
                        "op {}, a = {:?}, b = {:?}, d = {:?}, s = {}",
                        k % 16,
                        a[i],
                        b[i],
                        d[i],
                        s[i]
                    )
                },
            );

            let mut out = Tensor::<$t>::zeros(&q, 6 * n)?;
            $plain_kernel
                .launch(Range::new([n]), (&da, &db, &ds, &mut out))?
                .wait()?;
            let want: Vec<$t> = (0..n)
                .flat_map(|i| {
                    let (x, y, n) = (a[i], b[i], s[i]);
                    let mut c = x.wrapping_add(y).wrapping_mul(y).wrapping_sub(x);
                    c = c.wrapping_shl(n) ^ y;
                    c = c.wrapping_shr(n % 3);
                    c |= x & 6;
                    c &= !y | 5;
                    [
                        x.wrapping_add(y),
                        x.wrapping_sub(y),
                        x.wrapping_mul(y),
                        x.wrapping_shl(n),
                        x.wrapping_shr(n),
                        c,
                    ]
                })
                .collect();
            assert_eq_each(
                concat!(stringify!($t), " plain operators"),
                &out.to_vec()?,
                &want,
                |k| {
                    format!(
                        "op {}, a = {:?}, b = {:?}, s = {}",
                        k % 6,
                        a[k / 6],
                        b[k / 6],
                        s[k / 6]
                    )
                },
            );
            Ok(())
        }
    };
}

int_ops!(i8, ops_i8, ops_i8_kernel, plain_i8, i8_operators, 201);
int_ops!(i16, ops_i16, ops_i16_kernel, plain_i16, i16_operators, 203);
int_ops!(i32, ops_i32, ops_i32_kernel, plain_i32, i32_operators, 205);
int_ops!(i64, ops_i64, ops_i64_kernel, plain_i64, i64_operators, 207);
int_ops!(
    isize,
    ops_isize,
    ops_isize_kernel,
    plain_isize,
    isize_operators,
    209
);
int_ops!(u8, ops_u8, ops_u8_kernel, plain_u8, u8_operators, 211);
int_ops!(u16, ops_u16, ops_u16_kernel, plain_u16, u16_operators, 213);
int_ops!(u32, ops_u32, ops_u32_kernel, plain_u32, u32_operators, 215);
int_ops!(u64, ops_u64, ops_u64_kernel, plain_u64, u64_operators, 217);
int_ops!(
    usize,
    ops_usize,
    ops_usize_kernel,
    plain_usize,
    usize_operators,
    219
);

/// Unary minus on signed types, written as the operator (wraps at MIN on the device).
macro_rules! negation {
    ($t:ident, $kernel:ident, $test:ident, $seed:expr) => {
        #[kernel]
        fn $kernel(item: Item<1>, a: &Tensor<$t>, out: &mut Tensor<$t>) {
            let i = item.get_id(0);
            out[i] = -a[i] ^ -(a[i] >> 1);
        }

        #[test]
        fn $test() -> dpex::Result<()> {
            let q = queue();
            let a = int_samples::<$t>($seed, 517);
            let da = Tensor::from_slice(&q, &a)?;
            let mut out = Tensor::<$t>::zeros(&q, a.len())?;
            $kernel
                .launch(Range::new([a.len()]), (&da, &mut out))?
                .wait()?;
            let want: Vec<$t> = a
                .iter()
                .map(|&x| x.wrapping_neg() ^ (x >> 1).wrapping_neg())
                .collect();
            assert_eq_each("negation", &out.to_vec()?, &want, |i| {
                format!("a = {}", a[i])
            });
            Ok(())
        }
    };
}

negation!(i8, neg_i8, i8_negation_wraps, 221);
negation!(i16, neg_i16, i16_negation_wraps, 222);
negation!(i32, neg_i32, i32_negation_wraps, 223);
negation!(i64, neg_i64, i64_negation_wraps, 224);
negation!(isize, neg_isize, isize_negation_wraps, 225);

/// The float operators of one type: arithmetic (`%` is `fmod`, also on negative operands),
/// negation, compound assignment and comparisons with NaN.
macro_rules! float_ops {
    ($t:ident, $ops:ident, $cmp:ident, $kernel:ident, $test:ident, $seed:expr) => {
        #[dpex::func]
        fn $ops(op: u32, a: $t, b: $t) -> $t {
            if op == 0 {
                a + b
            } else if op == 1 {
                a - b
            } else if op == 2 {
                a * b
            } else if op == 3 {
                a / b
            } else if op == 4 {
                a % b
            } else if op == 5 {
                -a
            } else if op == 6 {
                let mut c = a;
                c += b;
                c *= 0.5;
                c -= b;
                c /= 3.0;
                c %= b;
                c
            } else {
                -(a - (b * 2.0)) / (1.0 + b)
            }
        }

        // `!(a >= b)` differs from `a < b` when an operand is NaN: that is what is tested.
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        #[dpex::func]
        fn $cmp(a: $t, b: $t) -> u32 {
            (a < b) as u32
                | ((a <= b) as u32) << 1
                | ((a > b) as u32) << 2
                | ((a >= b) as u32) << 3
                | ((a == b) as u32) << 4
                | ((a != b) as u32) << 5
                | (!(a >= b) as u32) << 6
                | (!(a < b) as u32) << 7
        }

        #[kernel]
        fn $kernel(
            item: Item<1>,
            a: &Tensor<$t>,
            b: &Tensor<$t>,
            out: &mut Tensor<$t>,
            cmp: &mut Tensor<u32>,
        ) {
            let i = item.get_id(0);
            for op in 0..8u32 {
                out[i * 8 + op as usize] = $ops(op, a[i], b[i]);
            }
            cmp[i] = $cmp(a[i], b[i]);
        }

        #[test]
        fn $test() -> dpex::Result<()> {
            let q = queue();
            let (a, b) = float_pairs::<$t>($seed, 3001);
            let n = a.len();
            let (da, db) = (Tensor::from_slice(&q, &a)?, Tensor::from_slice(&q, &b)?);
            let mut out = Tensor::<$t>::zeros(&q, 8 * n)?;
            let mut cmp = Tensor::<u32>::zeros(&q, n)?;
            $kernel
                .launch(Range::new([n]), (&da, &db, &mut out, &mut cmp))?
                .wait()?;
            let want: Vec<$t> = (0..8 * n)
                .map(|k| $ops((k % 8) as u32, a[k / 8], b[k / 8]))
                .collect();
            assert_same_each(
                concat!(stringify!($t), " operators"),
                &out.to_vec()?,
                &want,
                |k| format!("op {}, a = {:?}, b = {:?}", k % 8, a[k / 8], b[k / 8]),
            );
            let want: Vec<u32> = (0..n).map(|i| $cmp(a[i], b[i])).collect();
            assert_eq_each(
                concat!(stringify!($t), " comparisons"),
                &cmp.to_vec()?,
                &want,
                |i| format!("a = {:?}, b = {:?}", a[i], b[i]),
            );
            Ok(())
        }
    };
}

float_ops!(f32, fops_f32, fcmp_f32, fops_f32_kernel, f32_operators, 231);
float_ops!(f64, fops_f64, fcmp_f64, fops_f64_kernel, f64_operators, 233);

/// `!` and `&&` / `||` on `bool`s, with nested and mixed operands.
#[dpex::func]
fn bool_ops(a: i32, b: i32) -> u32 {
    let p = a > b;
    let q = a % 3 == 0;
    let r = !(p || q) && (a != 0 || b > 7);
    ((!p) as u32)
        | (r as u32) << 1
        | (((p && a > 5) || (!q && b < 0)) as u32) << 2
        | ((p ^ q) as u32) << 3
}

/// Counts calls: the side effect shows whether the right side of `&&` / `||` ran.
#[dpex::func]
fn touch(count: &mut Tensor<u32>, i: usize, result: bool) -> bool {
    count[i] += 1;
    result
}

/// Short-circuit: the right side of `&&` and `||` runs only when the left does not decide,
/// and a right side that would read out of bounds is never evaluated.
#[kernel]
fn short_circuit(
    item: Item<1>,
    x: &Tensor<f32>,
    a: &Tensor<i32>,
    b: &Tensor<i32>,
    ands: &mut Tensor<u32>,
    ors: &mut Tensor<u32>,
    out: &mut Tensor<u32>,
) {
    let i = item.get_id(0);
    let n = out.len();
    if i >= n {
        return;
    }
    let mut flags = bool_ops(a[i], b[i]);
    // The launch range is out.len(), larger than x: the guard protects x[i].
    if i < x.len() && x[i] > 0.0 {
        flags |= 16;
    }
    if i >= x.len() || x[i] < 0.0 {
        flags |= 32;
    }
    if a[i] > 0 && touch(ands, i, b[i] > 0) {
        flags |= 64;
    }
    if a[i] > 0 || touch(ors, i, b[i] < 0) {
        flags |= 128;
    }
    out[i] = flags;
}

#[test]
fn short_circuit_and_or_skip_their_right_side() -> dpex::Result<()> {
    let q = queue();
    let (a, b) = int_pairs::<i32>(241, 2000);
    let n = a.len();
    let x = float_samples::<f32>(242, n - 333);
    let (dx, da, db) = (
        Tensor::from_slice(&q, &x)?,
        Tensor::from_slice(&q, &a)?,
        Tensor::from_slice(&q, &b)?,
    );
    let mut ands = Tensor::<u32>::zeros(&q, n)?;
    let mut ors = Tensor::<u32>::zeros(&q, n)?;
    let mut out = Tensor::<u32>::zeros(&q, n)?;
    short_circuit
        .launch(
            Range::new([n]),
            (&dx, &da, &db, &mut ands, &mut ors, &mut out),
        )?
        .wait()?;
    let want: Vec<u32> = (0..n)
        .map(|i| {
            let mut flags = bool_ops(a[i], b[i]);
            if i < x.len() && x[i] > 0.0 {
                flags |= 16;
            }
            if i >= x.len() || x[i] < 0.0 {
                flags |= 32;
            }
            if a[i] > 0 && b[i] > 0 {
                flags |= 64;
            }
            if a[i] > 0 || b[i] < 0 {
                flags |= 128;
            }
            flags
        })
        .collect();
    let describe = |i: usize| format!("i = {i}, a = {}, b = {}", a[i], b[i]);
    assert_eq_each("flags", &out.to_vec()?, &want, describe);
    let want: Vec<u32> = a.iter().map(|&v| u32::from(v > 0)).collect();
    assert_eq_each("right side of && ran", &ands.to_vec()?, &want, describe);
    let want: Vec<u32> = a.iter().map(|&v| u32::from(v <= 0)).collect();
    assert_eq_each("right side of || ran", &ors.to_vec()?, &want, describe);
    Ok(())
}

/// `as` from one source type to every numeric type (the same cast expressions run on the
/// host), and `bool as` every integer type.
macro_rules! casts_from {
    ($($kernel:ident, $test:ident: $src:ident = $samples:expr;)*) => {$(
        #[allow(clippy::unnecessary_cast)]
        #[kernel]
        fn $kernel(
            item: Item<1>,
            x: &Tensor<$src>,
            o_i8: &mut Tensor<i8>,
            o_i16: &mut Tensor<i16>,
            o_i32: &mut Tensor<i32>,
            o_i64: &mut Tensor<i64>,
            o_isize: &mut Tensor<isize>,
            o_u8: &mut Tensor<u8>,
            o_u16: &mut Tensor<u16>,
            o_u32: &mut Tensor<u32>,
            o_u64: &mut Tensor<u64>,
            o_usize: &mut Tensor<usize>,
            o_f32: &mut Tensor<f32>,
            o_f64: &mut Tensor<f64>,
        ) {
            let i = item.get_id(0);
            let v = x[i];
            o_i8[i] = v as i8;
            o_i16[i] = v as i16;
            o_i32[i] = v as i32;
            o_i64[i] = v as i64;
            o_isize[i] = v as isize;
            o_u8[i] = v as u8;
            o_u16[i] = v as u16;
            o_u32[i] = v as u32;
            o_u64[i] = v as u64;
            o_usize[i] = v as usize;
            o_f32[i] = v as f32;
            o_f64[i] = v as f64;
        }

        #[allow(clippy::unnecessary_cast)]
        #[test]
        fn $test() -> dpex::Result<()> {
            let q = queue();
            let x: Vec<$src> = $samples;
            let n = x.len();
            let dx = Tensor::from_slice(&q, &x)?;
            let mut o_i8 = Tensor::<i8>::zeros(&q, n)?;
            let mut o_i16 = Tensor::<i16>::zeros(&q, n)?;
            let mut o_i32 = Tensor::<i32>::zeros(&q, n)?;
            let mut o_i64 = Tensor::<i64>::zeros(&q, n)?;
            let mut o_isize = Tensor::<isize>::zeros(&q, n)?;
            let mut o_u8 = Tensor::<u8>::zeros(&q, n)?;
            let mut o_u16 = Tensor::<u16>::zeros(&q, n)?;
            let mut o_u32 = Tensor::<u32>::zeros(&q, n)?;
            let mut o_u64 = Tensor::<u64>::zeros(&q, n)?;
            let mut o_usize = Tensor::<usize>::zeros(&q, n)?;
            let mut o_f32 = Tensor::<f32>::zeros(&q, n)?;
            let mut o_f64 = Tensor::<f64>::zeros(&q, n)?;
            $kernel
                .launch(
                    Range::new([n]),
                    (
                        &dx, &mut o_i8, &mut o_i16, &mut o_i32, &mut o_i64, &mut o_isize,
                        &mut o_u8, &mut o_u16, &mut o_u32, &mut o_u64, &mut o_usize,
                        &mut o_f32, &mut o_f64,
                    ),
                )?
                .wait()?;
            let describe = |i: usize| format!("{:?} as ...", x[i]);
            macro_rules! check_int {
                ($out:ident, $dst:ident) => {
                    assert_eq_each(
                        concat!(stringify!($src), " as ", stringify!($dst)),
                        &$out.to_vec()?,
                        &x.iter().map(|&v| v as $dst).collect::<Vec<_>>(),
                        describe,
                    );
                };
            }
            check_int!(o_i8, i8);
            check_int!(o_i16, i16);
            check_int!(o_i32, i32);
            check_int!(o_i64, i64);
            check_int!(o_isize, isize);
            check_int!(o_u8, u8);
            check_int!(o_u16, u16);
            check_int!(o_u32, u32);
            check_int!(o_u64, u64);
            check_int!(o_usize, usize);
            assert_same_each(
                concat!(stringify!($src), " as f32"),
                &o_f32.to_vec()?,
                &x.iter().map(|&v| v as f32).collect::<Vec<_>>(),
                describe,
            );
            assert_same_each(
                concat!(stringify!($src), " as f64"),
                &o_f64.to_vec()?,
                &x.iter().map(|&v| v as f64).collect::<Vec<_>>(),
                describe,
            );
            Ok(())
        }
    )*};
}

casts_from! {
    cast_from_i8, casts_from_i8: i8 = int_samples(251, 300);
    cast_from_i16, casts_from_i16: i16 = int_samples(252, 700);
    cast_from_i32, casts_from_i32: i32 = int_samples(253, 1001);
    cast_from_i64, casts_from_i64: i64 = int_samples(254, 1001);
    cast_from_isize, casts_from_isize: isize = int_samples(255, 1001);
    cast_from_u8, casts_from_u8: u8 = (0..=255).collect();
    cast_from_u16, casts_from_u16: u16 = int_samples(256, 700);
    cast_from_u32, casts_from_u32: u32 = int_samples(257, 1001);
    cast_from_u64, casts_from_u64: u64 = int_samples(258, 1001);
    cast_from_usize, casts_from_usize: usize = int_samples(259, 1001);
    cast_from_f32, casts_from_f32: f32 = float_samples(260, 2001);
    cast_from_f64, casts_from_f64: f64 = float_samples(261, 2001);
}

/// `bool as` every integer type.
#[kernel]
fn bool_casts(item: Item<1>, flag: bool, x: &Tensor<i32>, out: &mut Tensor<i64>) {
    let i = item.get_id(0);
    let b = x[i] > 0;
    let k = i * 11;
    out[k] = (b as i8) as i64;
    out[k + 1] = (b as i16) as i64;
    out[k + 2] = (b as i32) as i64;
    out[k + 3] = b as i64;
    out[k + 4] = (b as isize) as i64;
    out[k + 5] = (b as u8) as i64;
    out[k + 6] = (b as u16) as i64;
    out[k + 7] = (b as u32) as i64;
    out[k + 8] = (b as u64) as i64;
    out[k + 9] = (b as usize) as i64;
    out[k + 10] = (flag as i64) - (!b as i64) * 2;
}

#[test]
fn bool_casts_to_every_integer_type() -> dpex::Result<()> {
    let q = queue();
    let x = int_samples::<i32>(262, 333);
    let dx = Tensor::from_slice(&q, &x)?;
    let mut out = Tensor::<i64>::zeros(&q, 11 * x.len())?;
    for flag in [false, true] {
        bool_casts
            .launch(Range::new([x.len()]), (flag, &dx, &mut out))?
            .wait()?;
        let want: Vec<i64> = x
            .iter()
            .flat_map(|&v| {
                let b = i64::from(v > 0);
                let mut row = [b; 11];
                row[10] = i64::from(flag) - i64::from(v <= 0) * 2;
                row
            })
            .collect();
        assert_eq_each("bool as int", &out.to_vec()?, &want, |k| {
            format!("flag = {flag}, x = {}, cast {}", x[k / 11], k % 11)
        });
    }
    Ok(())
}
