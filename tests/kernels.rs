//! End-to-end tests of the kernel language on the real OpenCL device: every kernel runs on
//! random, non-zero data and is compared with an independent host computation.

mod common;

use common::{assert_close_f32, nonzero_f32, nonzero_f64, nonzero_i32, queue, rng};
use dpex::prelude::*;
use rand::Rng;

#[kernel]
fn saxpy(item: Item<1>, a: f32, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] += a * x[i];
}

#[test]
fn saxpy_matches_host_on_an_odd_size() -> dpex::Result<()> {
    let q = queue();
    let n = 1_000_003;
    let mut r = rng(1);
    let (x, y) = (nonzero_f32(&mut r, n), nonzero_f32(&mut r, n));
    let dx = Tensor::from_slice(&q, &x)?;
    let mut dy = Tensor::from_slice(&q, &y)?;
    saxpy
        .launch(Range::new([n]), (-1.75, &dx, &mut dy))?
        .wait()?;
    let want: Vec<f32> = x.iter().zip(&y).map(|(x, y)| -1.75 * x + y).collect();
    assert_close_f32(&dy.to_vec()?, &want, 1e-5);
    Ok(())
}

/// Each work-item of a 2-d range writes `a * m[r][c] + c` into row-major `out`.
#[kernel]
fn scale_rows(item: Item<2>, a: f32, m: &Tensor<f32>, out: &mut Tensor<f32>) {
    let row = item.get_id(0);
    let col = item.get_id(1);
    let cols = item.get_range(1);
    let k = row * cols + col;
    out[k] = a * m[k] + col as f32;
}

#[test]
fn two_dimensional_range_covers_every_element() -> dpex::Result<()> {
    let q = queue();
    let (rows, cols) = (37, 53);
    let m = nonzero_f32(&mut rng(2), rows * cols);
    let dm = Tensor::from_slice(&q, &m)?;
    let mut out = Tensor::<f32>::zeros(&q, rows * cols)?;
    scale_rows
        .launch(Range::new([rows, cols]), (3.0, &dm, &mut out))?
        .wait()?;
    let want: Vec<f32> = (0..rows * cols)
        .map(|k| 3.0 * m[k] + (k % cols) as f32)
        .collect();
    assert_close_f32(&out.to_vec()?, &want, 1e-6);
    Ok(())
}

/// Integer arithmetic and control flow: a bounded Collatz walk with `break`, `continue`,
/// `%`, `/`, shifts and bit operations.
#[kernel]
fn collatz(item: Item<1>, start: &Tensor<i32>, steps: &mut Tensor<i32>, bits: &mut Tensor<u32>) {
    let i = item.get_id(0);
    let mut v = start[i];
    let mut count = 0;
    let mut odd_seen: u32 = 0;
    for step in 0..200 {
        if v == 1 || v == -1 {
            break;
        }
        count += 1;
        if v % 2 == 0 {
            v /= 2;
            continue;
        }
        odd_seen = (odd_seen << 1) ^ (step as u32 & 0xff) | 1;
        v = 3 * v + 1;
    }
    steps[i] = count;
    bits[i] = odd_seen >> 3;
}

fn collatz_host(mut v: i32) -> (i32, u32) {
    let (mut count, mut odd_seen) = (0i32, 0u32);
    for step in 0..200i32 {
        if v == 1 || v == -1 {
            break;
        }
        count += 1;
        if v % 2 == 0 {
            v /= 2;
            continue;
        }
        odd_seen = (odd_seen << 1) ^ (step as u32 & 0xff) | 1;
        v = v.wrapping_mul(3).wrapping_add(1);
    }
    (count, odd_seen >> 3)
}

#[test]
fn integer_control_flow_matches_host() -> dpex::Result<()> {
    let q = queue();
    let n = 4099;
    let start = nonzero_i32(&mut rng(3), n, -100_000..100_000);
    let dstart = Tensor::from_slice(&q, &start)?;
    let mut steps = Tensor::<i32>::zeros(&q, n)?;
    let mut bits = Tensor::<u32>::zeros(&q, n)?;
    collatz
        .launch(Range::new([n]), (&dstart, &mut steps, &mut bits))?
        .wait()?;
    let (want_steps, want_bits): (Vec<i32>, Vec<u32>) =
        start.iter().map(|&v| collatz_host(v)).unzip();
    assert_eq!(steps.to_vec()?, want_steps);
    assert_eq!(bits.to_vec()?, want_bits);
    Ok(())
}

/// Rust's integer semantics: truncating division and remainder on signed values, arithmetic
/// shift right on signed and logical on unsigned, wrapping overflow.
#[kernel]
fn integer_semantics(item: Item<1>, a: &Tensor<i32>, b: &Tensor<i32>, out: &mut Tensor<i64>) {
    let i = item.get_id(0);
    let x = a[i];
    let y = b[i];
    let k = i * 5;
    out[k] = (x / y) as i64;
    out[k + 1] = (x % y) as i64;
    out[k + 2] = (x >> 3) as i64;
    out[k + 3] = ((x as u32) >> 3) as i64;
    out[k + 4] = (x * 65_537 + 2_000_000_000) as i64;
}

#[test]
fn integer_division_shifts_and_wrapping_follow_rust() -> dpex::Result<()> {
    let q = queue();
    let n = 3001;
    let mut r = rng(4);
    let a = nonzero_i32(&mut r, n, -1_000_000..1_000_000);
    let b = nonzero_i32(&mut r, n, -1000..1000);
    let (da, db) = (Tensor::from_slice(&q, &a)?, Tensor::from_slice(&q, &b)?);
    let mut out = Tensor::<i64>::zeros(&q, 5 * n)?;
    integer_semantics
        .launch(Range::new([n]), (&da, &db, &mut out))?
        .wait()?;
    let want: Vec<i64> = a
        .iter()
        .zip(&b)
        .flat_map(|(&x, &y)| {
            [
                i64::from(x / y),
                i64::from(x % y),
                i64::from(x >> 3),
                i64::from((x as u32) >> 3),
                i64::from(x.wrapping_mul(65_537).wrapping_add(2_000_000_000)),
            ]
        })
        .collect();
    assert_eq!(out.to_vec()?, want);
    Ok(())
}

/// Casts with Rust's rules: float to int saturates (NaN gives 0), narrowing truncates,
/// widening sign- or zero-extends, bool to int gives 0 or 1.
#[kernel]
fn casts(
    item: Item<1>,
    x: &Tensor<f64>,
    as_i8: &mut Tensor<i8>,
    as_u16: &mut Tensor<u16>,
    as_i32: &mut Tensor<i32>,
    as_f32: &mut Tensor<f32>,
) {
    let i = item.get_id(0);
    let v = x[i];
    as_i8[i] = v as i8;
    as_u16[i] = (v as i64) as u16;
    as_i32[i] = (v > 0.0) as i32 + (v as i8) as i32;
    as_f32[i] = v as f32;
}

#[test]
fn casts_follow_rust_rules() -> dpex::Result<()> {
    let q = queue();
    let mut r = rng(5);
    let mut x: Vec<f64> = (0..2000).map(|_| r.random_range(-1e6..1e6)).collect();
    x.extend([
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        127.9,
        -128.9,
        300.5,
        -0.7,
        1e300,
    ]);
    let n = x.len();
    let dx = Tensor::from_slice(&q, &x)?;
    let mut i8s = Tensor::<i8>::zeros(&q, n)?;
    let mut u16s = Tensor::<u16>::zeros(&q, n)?;
    let mut i32s = Tensor::<i32>::zeros(&q, n)?;
    let mut f32s = Tensor::<f32>::zeros(&q, n)?;
    casts
        .launch(
            Range::new([n]),
            (&dx, &mut i8s, &mut u16s, &mut i32s, &mut f32s),
        )?
        .wait()?;
    assert_eq!(
        i8s.to_vec()?,
        x.iter().map(|&v| v as i8).collect::<Vec<_>>()
    );
    assert_eq!(
        u16s.to_vec()?,
        x.iter().map(|&v| (v as i64) as u16).collect::<Vec<_>>()
    );
    assert_eq!(
        i32s.to_vec()?,
        x.iter()
            .map(|&v| (v > 0.0) as i32 + (v as i8) as i32)
            .collect::<Vec<_>>()
    );
    let got = f32s.to_vec()?;
    for (g, &v) in got.iter().zip(&x) {
        assert!(
            g.to_bits() == (v as f32).to_bits() || (g.is_nan() && v.is_nan()),
            "{v} as f32 gave {g}"
        );
    }
    Ok(())
}

/// Guards with `len()` and short-circuit `&&`: the launch range is larger than the tensor, and
/// the right side of `&&` must not read past the end.
#[kernel]
fn clamp_positive(item: Item<1>, limit: f32, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    if i < x.len() && x[i] > limit {
        y[i] = limit;
    } else if i < y.len() {
        y[i] = if x[i] < -limit { -limit } else { x[i] };
    }
}

#[test]
fn short_circuit_guards_and_if_values() -> dpex::Result<()> {
    let q = queue();
    let n = 10_007;
    let x = nonzero_f32(&mut rng(6), n);
    let dx = Tensor::from_slice(&q, &x)?;
    let mut dy = Tensor::<f32>::zeros(&q, n)?;
    clamp_positive
        .launch(Range::new([n + 61]), (50.0, &dx, &mut dy))?
        .wait()?;
    let want: Vec<f32> = x.iter().map(|v| v.clamp(-50.0, 50.0)).collect();
    assert_eq!(dy.to_vec()?, want);
    Ok(())
}

/// Scalars of every width as parameters, a `mut` parameter, a `bool` parameter, a nested loop
/// and an early `return`.
#[kernel]
fn mixed_scalars(
    item: Item<1>,
    flag: bool,
    small: i8,
    wide: u64,
    mut scale: f64,
    unsigned: u16,
    x: &Tensor<f64>,
    out: &mut Tensor<f64>,
) {
    let i = item.get_id(0);
    if i % 7 == 3 {
        out[i] = -1.0;
        return;
    }
    if flag {
        scale *= 2.0;
    }
    let mut acc = 0.0;
    for a in 0..3 {
        for b in 0..4u32 {
            if b == 2 {
                continue;
            }
            acc += x[i] * (a as f64) + b as f64;
        }
    }
    out[i] = acc * scale + small as f64 + (wide % 1000) as f64 - unsigned as f64;
}

#[test]
fn scalar_parameters_of_every_width() -> dpex::Result<()> {
    let q = queue();
    let n = 999;
    let x = nonzero_f64(&mut rng(7), n);
    let dx = Tensor::from_slice(&q, &x)?;
    let mut out = Tensor::<f64>::zeros(&q, n)?;
    let wide = u64::MAX - 12_345;
    mixed_scalars
        .launch(
            Range::new([n]),
            (true, -7, wide, 0.25, 40_000, &dx, &mut out),
        )?
        .wait()?;
    let want: Vec<f64> = (0..n)
        .map(|i| {
            if i % 7 == 3 {
                return -1.0;
            }
            let mut acc = 0.0;
            for a in 0..3 {
                for b in [0u32, 1, 3] {
                    acc += x[i] * f64::from(a) + f64::from(b);
                }
            }
            acc * 0.5 - 7.0 + (wide % 1000) as f64 - 40_000.0
        })
        .collect();
    let got = out.to_vec()?;
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-9 * w.abs().max(1.0),
            "element {i}: device {g}, host {w}"
        );
    }
    Ok(())
}
