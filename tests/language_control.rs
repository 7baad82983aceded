//! Conformance of statements and control flow (issue 3, "Statements and control flow"):
//! `let` with and without a type, shadowing, block expressions, `if` / `else if` / `else` as
//! statement and value, `while`, `loop` with `break value`, `continue`, labelled `break` /
//! `continue`, `for` over every range form (`a..b`, `a..=b`, `step_by`, `rev` and their
//! combinations, empty ranges, ranges ending at a type's MAX) and early `return`.
//!
//! Each computation is a `#[dpex::func]` that the kernel calls per element and the host calls
//! for the reference.

mod common;

use common::{assert_eq_each, float_samples, int_pairs, int_samples, queue, rng};
use dpex::prelude::*;
use rand::Rng;

/// Runs `$func(a[i], b[i])` for every element on the device and on the host.
macro_rules! elementwise {
    ($kernel:ident, $func:ident, ($ta:ty, $tb:ty) -> $tr:ty) => {
        #[kernel]
        fn $kernel(item: Item<1>, a: &Tensor<$ta>, b: &Tensor<$tb>, out: &mut Tensor<$tr>) {
            let i = item.get_id(0);
            out[i] = $func(a[i], b[i]);
        }
    };
}

/// Launches `$kernel` on `a`, `b` and compares with `$func` on the host.
macro_rules! check {
    ($what:expr, $kernel:ident, $func:ident, $a:expr, $b:expr) => {{
        let q = queue();
        let (a, b) = ($a, $b);
        let (da, db) = (Tensor::from_slice(&q, &a)?, Tensor::from_slice(&q, &b)?);
        let mut out = Tensor::zeros(&q, a.len())?;
        $kernel
            .launch(Range::new([a.len()]), (&da, &db, &mut out))?
            .wait()?;
        let want: Vec<_> = a.iter().zip(&b).map(|(&x, &y)| $func(x, y)).collect();
        assert_eq_each($what, &out.to_vec()?, &want, |i| {
            format!("a = {:?}, b = {:?}", a[i], b[i])
        });
    }};
}

/// `let` with and without a type, shadowing (also with another type), block expressions with
/// statements, nested scopes.
#[dpex::func]
fn lets_and_blocks(a: i32, b: i32) -> i64 {
    let x = a;
    let y: i64 = b as i64;
    let x = x as i64 + 1;
    let z = {
        let x = y.wrapping_mul(3);
        let w: i64 = x ^ 5;
        w - x
    };
    let mut acc = x ^ z;
    {
        let acc2 = acc.wrapping_mul(31);
        acc = acc2.wrapping_add(y);
    }
    let shadow = acc > 0;
    let shadow = if shadow { 1i64 } else { -1 };
    let v = { acc } + shadow;
    v ^ x
}

elementwise!(lets_kernel, lets_and_blocks, (i32, i32) -> i64);

#[test]
fn let_shadowing_and_block_values() -> dpex::Result<()> {
    let (a, b) = int_pairs::<i32>(301, 1201);
    check!("lets and blocks", lets_kernel, lets_and_blocks, a, b);
    Ok(())
}

/// `if` / `else if` / `else` as statements and as values, nested, with statements inside the
/// value branches and comparisons on NaN and infinities.
#[dpex::func]
fn classify(x: f64, y: f64) -> i32 {
    let mut code = 0;
    if x.is_nan() {
        code += 1000;
    } else if x < 0.0 {
        code += 100;
    } else if x == 0.0 {
        code += 200;
    } else {
        code += 300;
    }
    if y > x {
        code += 7;
    }
    let band = if x > 1e10 {
        5
    } else if x > 1.0 {
        let t = (x * 10.0) as i32;
        4 + t % 2
    } else if x > -1.0 {
        3
    } else {
        let big = x < -1e10;
        if big {
            1
        } else {
            2
        }
    };
    code * 10 + band
}

elementwise!(classify_kernel, classify, (f64, f64) -> i32);

#[test]
fn if_else_chains_as_statements_and_values() -> dpex::Result<()> {
    let a = float_samples::<f64>(302, 1500);
    let b = float_samples::<f64>(303, a.len());
    check!("if/else", classify_kernel, classify, a, b);
    Ok(())
}

/// `while`: Euclid's algorithm and a digit count, with `continue` in a `while`.
#[dpex::func]
fn gcd_and_digits(a: u64, b: u64) -> u64 {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        let t = x % y;
        x = y;
        y = t;
    }
    let mut digits = 0u64;
    let mut odd_digits = 0u64;
    let mut v = a;
    while v > 0 {
        let d = v % 10;
        v /= 10;
        digits += 1;
        if d % 2 == 0 {
            continue;
        }
        odd_digits += 1;
    }
    x.wrapping_mul(1000).wrapping_add(digits * 100 + odd_digits)
}

elementwise!(gcd_kernel, gcd_and_digits, (u64, u64) -> u64);

#[test]
fn while_loops() -> dpex::Result<()> {
    let (a, b) = int_pairs::<u64>(304, 1201);
    check!("while", gcd_kernel, gcd_and_digits, a, b);
    Ok(())
}

/// `loop` with `break value` (also from a nested `if`), and `loop` as a statement.
#[dpex::func]
fn loops(a: u32, b: u32) -> u32 {
    let limit = a % 100_000;
    let mut k = 0u32;
    let root = loop {
        if k * k > limit {
            break k;
        }
        k += 1;
    };
    let mut s = b;
    let mut steps = 0u32;
    loop {
        if s <= 1 || steps == 40 {
            break;
        }
        s = if s % 2 == 0 {
            s / 2
        } else {
            (s / 2).wrapping_mul(3).wrapping_add(2)
        };
        steps += 1;
    }
    let first = loop {
        steps += 1;
        if steps % 7 == 0 {
            break steps * 2;
        }
    };
    root * 1_000_000 + first * 1000 + s % 1000
}

elementwise!(loops_kernel, loops, (u32, u32) -> u32);

#[test]
fn loop_with_break_values() -> dpex::Result<()> {
    let (a, b) = int_pairs::<u32>(305, 1201);
    check!("loop", loops_kernel, loops, a, b);
    Ok(())
}

/// Labelled `break` and `continue` across nested `for`, `while` and `loop`.
#[dpex::func]
fn labelled(n: i32, m: i32) -> i32 {
    let n = n % 23;
    let m = m % 19;
    let mut count = 0i32;
    'outer: for i in 0..n {
        let mut j = 0;
        'middle: while j < m {
            j += 1;
            for k in 0..5 {
                if (i * j + k) % 7 == 3 {
                    continue 'outer;
                }
                if (i + j + k) % 11 == 10 {
                    continue 'middle;
                }
                if i + j > 30 {
                    break 'outer;
                }
                if k == 3 && j % 4 == 1 {
                    break 'middle;
                }
                count = count * 3 + (i ^ j ^ k);
                count %= 1_000_003;
            }
        }
    }
    let mut r = 0;
    let found = 'search: loop {
        r += 1;
        let mut c = 0;
        loop {
            c += 1;
            if c > 4 {
                break;
            }
            if (r * c + n) % 13 == 0 {
                break 'search r * 10 + c;
            }
            if r > 40 {
                break 'search -1;
            }
        }
    };
    count * 1000 + found
}

elementwise!(labelled_kernel, labelled, (i32, i32) -> i32);

#[test]
fn labelled_break_and_continue() -> dpex::Result<()> {
    let mut r = rng(306);
    let a: Vec<i32> = (0..1111).map(|_| r.random_range(-5..40)).collect();
    let b: Vec<i32> = (0..1111).map(|_| r.random_range(-5..40)).collect();
    check!("labelled", labelled_kernel, labelled, a, b);
    Ok(())
}

/// An order-sensitive hash of the values a loop visits.
#[dpex::func]
fn step(h: i64, v: i64) -> i64 {
    h.wrapping_mul(1_000_003).wrapping_add(v) ^ (h >> 29)
}

/// Every range form over `i32` with runtime bounds and step (empty and reversed bounds
/// included).
#[dpex::func]
fn ranges(a: i32, b: i32) -> i64 {
    let s = ((a ^ b) & 3) as usize + 1;
    let mut h = 0i64;
    for i in a..b {
        h = step(h, i as i64);
    }
    h = step(h, 1);
    for i in a..=b {
        h = step(h, i as i64);
    }
    h = step(h, 2);
    for i in (a..b).step_by(s) {
        h = step(h, i as i64);
    }
    h = step(h, 3);
    for i in (a..=b).step_by(s) {
        h = step(h, i as i64);
    }
    h = step(h, 4);
    for i in (a..b).rev() {
        h = step(h, i as i64);
    }
    h = step(h, 5);
    for i in (a..=b).rev() {
        h = step(h, i as i64);
    }
    h = step(h, 6);
    for i in (a..b).rev().step_by(s) {
        h = step(h, i as i64);
    }
    h = step(h, 7);
    for i in (a..=b).rev().step_by(s) {
        h = step(h, i as i64);
    }
    h = step(h, 8);
    for i in (a..b).step_by(s).rev() {
        h = step(h, i as i64);
    }
    h = step(h, 9);
    // (`(a..=b).step_by(s).rev()` needs an exact size, which `RangeInclusive<i32>` lacks;
    // the `u8` version is in `ranges_at_the_ends`.)
    for i in ((a as i16)..=(b as i16)).step_by(s).rev() {
        h = step(h, i as i64);
    }
    h = step(h, 10);
    for _ in b..a {
        h = step(h, 11);
    }
    h
}

elementwise!(ranges_kernel, ranges, (i32, i32) -> i64);

#[test]
fn for_over_every_range_form() -> dpex::Result<()> {
    let mut r = rng(307);
    let a: Vec<i32> = (0..1500).map(|_| r.random_range(-30..30)).collect();
    let b: Vec<i32> = (0..1500).map(|_| r.random_range(-30..30)).collect();
    check!("ranges", ranges_kernel, ranges, a, b);
    Ok(())
}

/// Ranges that end at (or start from) a type's MIN / MAX, where a naive loop would overflow:
/// `0..=255u8`, `lo..=u8::MAX`, `i8::MIN..=i8::MAX`, `..=u64::MAX` and `i64::MIN..`, with
/// `rev` and `step_by`.
#[dpex::func]
fn ranges_at_the_ends(lo: u8, s: u8) -> i64 {
    let s = (s % 7) as usize + 1;
    let mut h = 0i64;
    let mut count = 0i64;
    for v in 0..=255u8 {
        count += 1;
        h = step(h, v as i64);
    }
    for v in lo..=u8::MAX {
        h = step(h, v as i64);
    }
    for v in (lo..=u8::MAX).rev() {
        h = step(h, v as i64);
    }
    for v in (lo..=255).step_by(s) {
        h = step(h, v as i64);
    }
    for v in (lo..=u8::MAX).rev().step_by(s) {
        h = step(h, v as i64);
    }
    for v in (lo..=u8::MAX).step_by(s).rev() {
        h = step(h, v as i64);
    }
    for v in i8::MIN..=i8::MAX {
        count += 1;
        h = step(h, v as i64);
    }
    let top = u64::MAX - lo as u64 % 9;
    for v in top..=u64::MAX {
        h = step(h, v as i64);
    }
    for v in (top..=u64::MAX).rev().step_by(s) {
        h = step(h, v as i64);
    }
    let bottom = i64::MIN + (lo % 5) as i64;
    for v in (i64::MIN..bottom).rev() {
        h = step(h, v);
    }
    for v in (i64::MIN..=bottom).step_by(s) {
        h = step(h, v);
    }
    for v in (i32::MAX - 3)..=i32::MAX {
        h = step(h, v as i64);
    }
    h ^ count
}

elementwise!(ends_kernel, ranges_at_the_ends, (u8, u8) -> i64);

#[test]
fn for_over_ranges_ending_at_max() -> dpex::Result<()> {
    let lo: Vec<u8> = (0..=255).chain([250, 254, 255, 0, 1]).collect();
    let s = int_samples::<u8>(308, lo.len());
    check!("ranges at the ends", ends_kernel, ranges_at_the_ends, lo, s);
    Ok(())
}

/// Early `return` from loops and branches of a function.
#[dpex::func]
fn first_divisor(n: u32, start: u32) -> u32 {
    if n < 2 {
        return 0;
    }
    let from = start % 50 + 2;
    for d in from..n {
        if d * d > n {
            return n;
        }
        if n % d == 0 {
            return d;
        }
    }
    let mut k = 0;
    while k < 10 {
        k += 1;
        if (n + k) % 17 == 0 {
            return 100_000 + k;
        }
    }
    1
}

elementwise!(divisor_kernel, first_divisor, (u32, u32) -> u32);

#[test]
fn early_return_from_functions() -> dpex::Result<()> {
    let mut r = rng(309);
    let a: Vec<u32> = (0..2000).map(|_| r.random_range(0..1_000_000)).collect();
    let b: Vec<u32> = (0..2000).map(|_| r.random()).collect();
    check!("early return", divisor_kernel, first_divisor, a, b);
    Ok(())
}

/// Control flow written in the kernel body itself: an early `return` of some work-items,
/// loops and `if` values on tensor data.
#[kernel]
fn kernel_body_control(item: Item<1>, x: &Tensor<i32>, out: &mut Tensor<i32>) {
    let i = item.get_id(0);
    if i % 5 == 2 {
        out[i] = -7;
        return;
    }
    let mut acc = 0;
    let mut j = 0;
    while j < 6 {
        j += 1;
        if j == 3 {
            continue;
        }
        acc += x[i] % (j + 3);
    }
    'rows: for r in 0..4 {
        for c in (0..5).rev() {
            if r * c == 6 {
                break 'rows;
            }
            acc += r - c;
        }
    }
    out[i] = if acc > 0 { acc } else { -acc + 1 };
}

#[test]
fn control_flow_in_the_kernel_body() -> dpex::Result<()> {
    let q = queue();
    let mut r = rng(310);
    let x: Vec<i32> = (0..1777).map(|_| r.random_range(-1000..1000)).collect();
    let dx = Tensor::from_slice(&q, &x)?;
    let mut out = Tensor::<i32>::zeros(&q, x.len())?;
    kernel_body_control
        .launch(Range::new([x.len()]), (&dx, &mut out))?
        .wait()?;
    let want: Vec<i32> = (0..x.len())
        .map(|i| {
            if i % 5 == 2 {
                return -7;
            }
            let mut acc = 0;
            for j in [1, 2, 4, 5, 6] {
                acc += x[i] % (j + 3);
            }
            'rows: for r in 0..4 {
                for c in (0..5).rev() {
                    if r * c == 6 {
                        break 'rows;
                    }
                    acc += r - c;
                }
            }
            if acc > 0 {
                acc
            } else {
                -acc + 1
            }
        })
        .collect();
    assert_eq_each("kernel body", &out.to_vec()?, &want, |i| {
        format!("i = {i}, x = {}", x[i])
    });
    Ok(())
}
