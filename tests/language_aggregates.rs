//! Conformance of private arrays and tuples (issue 3, "Private arrays"): `[0.0f32; 8]` and
//! `[a, b, c]` arrays indexed with runtime indices in loops (a sorting network, a histogram,
//! accumulators), and tuples (construction, `t.0` access and assignment, destructuring).
//!
//! Each computation is a `#[dpex::func]` that the kernel calls per element and the host calls
//! for the reference.

// Kernels index arrays in counted loops and swap elements by hand (iterators and slice
// methods are not part of the kernel language).
#![allow(clippy::needless_range_loop, clippy::manual_swap)]

mod common;

use common::{assert_eq_each, assert_same_each, float_samples, int_pairs, nonzero_f32, queue, rng};
use dpex::prelude::*;
use rand::Rng;

/// Sorts five values in a private array with a runtime-indexed bubble sort and returns the
/// `k`-th smallest (NaN-free inputs: the comparison order is then total).
#[dpex::func]
fn kth_smallest(a: f32, b: f32, c: f32, d: f32, e: f32, k: usize) -> f32 {
    let mut v = [a, b, c, d, e];
    let n = v.len();
    for i in 0..n {
        for j in 0..n - 1 - i {
            if v[j] > v[j + 1] {
                let t = v[j];
                v[j] = v[j + 1];
                v[j + 1] = t;
            }
        }
    }
    v[k % n]
}

#[kernel]
fn kth_kernel(item: Item<1>, x: &Tensor<f32>, out: &mut Tensor<f32>) {
    let i = item.get_id(0);
    let b = i * 5;
    out[i] = kth_smallest(x[b], x[b + 1], x[b + 2], x[b + 3], x[b + 4], i);
}

#[test]
fn sorting_in_a_private_array() -> dpex::Result<()> {
    let q = queue();
    let n = 1237;
    let mut x = nonzero_f32(&mut rng(401), 5 * n);
    // Ties, zeros of both signs and infinities (but no NaN).
    x[0..5].copy_from_slice(&[0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, 0.0]);
    x[5..10].copy_from_slice(&[3.0, 3.0, -1.0, 3.0, -1.0]);
    let dx = Tensor::from_slice(&q, &x)?;
    let mut out = Tensor::<f32>::zeros(&q, n)?;
    kth_kernel
        .launch(Range::new([n]), (&dx, &mut out))?
        .wait()?;
    let want: Vec<f32> = (0..n)
        .map(|i| {
            let b = 5 * i;
            kth_smallest(x[b], x[b + 1], x[b + 2], x[b + 3], x[b + 4], i)
        })
        .collect();
    assert_same_each("k-th smallest", &out.to_vec()?, &want, |i| {
        format!("{:?}, k = {}", &x[5 * i..5 * i + 5], i % 5)
    });
    Ok(())
}

/// A sorting network on eight values in a `[0.0f32; 8]` array, with the network's pairs in
/// a second (integer) array; returns a position-weighted sum of the sorted values.
#[dpex::func]
fn sort8_signature(seed: u32, scale: f32) -> f32 {
    let mut v = [0.0f32; 8];
    let mut s = seed;
    for slot in 0..8 {
        s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        v[slot] = (s >> 8) as f32 * scale - 1000.0;
    }
    // Batcher's odd-even merge sort for 8 inputs: 19 comparators.
    let lo = [0usize, 2, 4, 6, 0, 1, 4, 5, 1, 5, 0, 1, 2, 3, 2, 3, 1, 3, 5];
    let hi = [1usize, 3, 5, 7, 2, 3, 6, 7, 2, 6, 4, 5, 6, 7, 4, 5, 2, 4, 6];
    for c in 0..19 {
        let (a, b) = (lo[c], hi[c]);
        if v[a] > v[b] {
            let t = v[a];
            v[a] = v[b];
            v[b] = t;
        }
    }
    let mut sorted = 1.0;
    let mut sum = 0.0;
    for k in 0..8 {
        sum += v[k] * (k + 1) as f32;
        if k > 0 && v[k - 1] > v[k] {
            sorted = 0.0;
        }
    }
    sum * sorted
}

#[kernel]
fn sort8_kernel(item: Item<1>, seeds: &Tensor<u32>, scale: f32, out: &mut Tensor<f32>) {
    let i = item.get_id(0);
    out[i] = sort8_signature(seeds[i], scale);
}

#[test]
fn sorting_network_in_a_private_array() -> dpex::Result<()> {
    let q = queue();
    let mut r = rng(402);
    let seeds: Vec<u32> = (0..2053).map(|_| r.random()).collect();
    let ds = Tensor::from_slice(&q, &seeds)?;
    let mut out = Tensor::<f32>::zeros(&q, seeds.len())?;
    sort8_kernel
        .launch(Range::new([seeds.len()]), (&ds, 1.5e-4, &mut out))?
        .wait()?;
    let want: Vec<f32> = seeds.iter().map(|&s| sort8_signature(s, 1.5e-4)).collect();
    assert!(want.iter().all(|&w| w != 0.0), "the host sort failed");
    assert_same_each("sorting network", &out.to_vec()?, &want, |i| {
        format!("seed = {}", seeds[i])
    });
    Ok(())
}

/// A histogram in a private `[u32; 10]`, a `[0i64; 4]` accumulator updated with compound
/// assignment at runtime indices, and an array literal of expressions.
#[dpex::func]
fn histogram_code(a: i32, b: i32) -> i64 {
    let mut hist = [0u32; 10];
    let mut s = (a as u32 ^ (b as u32).wrapping_mul(2_654_435_761)) | 1;
    for _ in 0..64 {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        hist[(s % 10) as usize] += 1;
    }
    let mut acc = [0i64; 4];
    let weights = [a as i64, b as i64, (a ^ b) as i64, 7];
    for k in 0..10 {
        acc[k % 4] += hist[k] as i64 * weights[k % weights.len()];
        acc[(k * 3) % 4] ^= k as i64;
    }
    let mut code = 0i64;
    let scales = [1i64, 100, 10_000, 1_000_000];
    for k in 0..4 {
        code = code.wrapping_add(acc[k].wrapping_mul(scales[k]));
    }
    code.wrapping_add(hist[0] as i64 * 1_000_000_007)
}

#[kernel]
fn histogram_kernel(item: Item<1>, a: &Tensor<i32>, b: &Tensor<i32>, out: &mut Tensor<i64>) {
    let i = item.get_id(0);
    out[i] = histogram_code(a[i], b[i]);
}

#[test]
fn histogram_and_accumulators_in_private_arrays() -> dpex::Result<()> {
    let q = queue();
    let (a, b) = int_pairs::<i32>(403, 1501);
    let (da, db) = (Tensor::from_slice(&q, &a)?, Tensor::from_slice(&q, &b)?);
    let mut out = Tensor::<i64>::zeros(&q, a.len())?;
    histogram_kernel
        .launch(Range::new([a.len()]), (&da, &db, &mut out))?
        .wait()?;
    let want: Vec<i64> = a
        .iter()
        .zip(&b)
        .map(|(&x, &y)| histogram_code(x, y))
        .collect();
    assert_eq_each("histogram", &out.to_vec()?, &want, |i| {
        format!("a = {}, b = {}", a[i], b[i])
    });
    Ok(())
}

/// A private array in the kernel body: a sliding window over the tensor, with loads into the
/// array, runtime indices and the array's `len()`.
#[kernel]
fn window_kernel(item: Item<1>, x: &Tensor<f64>, out: &mut Tensor<f64>) {
    let i = item.get_id(0);
    let mut w = [0.0; 6];
    for k in 0..w.len() {
        let j = i + k;
        w[k] = if j < x.len() { x[j] } else { -1.0 };
    }
    let mut best = w[0];
    let mut at = 0;
    for k in 1..w.len() {
        if w[k] > best {
            best = w[k];
            at = k;
        }
    }
    w[at] = 0.0;
    let mut sum = 0.0;
    for k in 0..6 {
        sum += w[k] * (k as f64 + 0.5);
    }
    out[i] = sum + at as f64;
}

#[test]
fn private_array_in_the_kernel_body() -> dpex::Result<()> {
    let q = queue();
    let x: Vec<f64> = float_samples::<f64>(404, 1999)
        .into_iter()
        .filter(|v| v.is_finite() && v.abs() < 1e100)
        .collect();
    let n = x.len();
    let dx = Tensor::from_slice(&q, &x)?;
    let mut out = Tensor::<f64>::zeros(&q, n)?;
    window_kernel
        .launch(Range::new([n]), (&dx, &mut out))?
        .wait()?;
    let want: Vec<f64> = (0..n)
        .map(|i| {
            let mut w = [0.0; 6];
            for (k, slot) in w.iter_mut().enumerate() {
                *slot = x.get(i + k).copied().unwrap_or(-1.0);
            }
            let mut at = 0;
            for k in 1..6 {
                if w[k] > w[at] {
                    at = k;
                }
            }
            w[at] = 0.0;
            let sum: f64 = (0..6).map(|k| w[k] * (k as f64 + 0.5)).sum();
            sum + at as f64
        })
        .collect();
    assert_same_each("window", &out.to_vec()?, &want, |i| format!("i = {i}"));
    Ok(())
}

/// Tuples: construction, field access, field assignment, destructuring (also with `_` and
/// nested parentheses), swapping through a tuple and tuples of mixed types.
#[dpex::func]
fn tuples(a: i32, b: i32) -> i64 {
    let t = (a, b);
    let (x, y) = t;
    let mut u = (x.wrapping_add(y), x ^ y, 0i64);
    u.2 = u.0 as i64 * 3;
    u.0 = u.1.wrapping_sub(t.0);
    u.1 ^= 0x5555;
    let (p, q, r) = u;
    let (mut m, mut n) = (p, q);
    if m > n {
        let swapped = (n, m);
        m = swapped.0;
        n = swapped.1;
    }
    let mixed = (a as f32 * 0.5, b > 0, a as u8);
    let (half, positive, _) = mixed;
    let flag = if positive { 1i64 } else { 0 };
    let (lo, hi) = (m.min(n), m.max(n));
    r.wrapping_mul(7) ^ (lo as i64) << 1 ^ (hi as i64) << 2 ^ flag ^ half as i64 ^ mixed.2 as i64
}

#[kernel]
fn tuple_kernel(item: Item<1>, a: &Tensor<i32>, b: &Tensor<i32>, out: &mut Tensor<i64>) {
    let i = item.get_id(0);
    let (x, y) = (a[i], b[i]);
    let pair = (tuples(x, y), tuples(y, x));
    out[i] = pair.0 ^ pair.1.wrapping_mul(3);
}

#[test]
fn tuples_construct_access_assign_destructure() -> dpex::Result<()> {
    let q = queue();
    let (a, b) = int_pairs::<i32>(405, 1301);
    let (da, db) = (Tensor::from_slice(&q, &a)?, Tensor::from_slice(&q, &b)?);
    let mut out = Tensor::<i64>::zeros(&q, a.len())?;
    tuple_kernel
        .launch(Range::new([a.len()]), (&da, &db, &mut out))?
        .wait()?;
    let want: Vec<i64> = a
        .iter()
        .zip(&b)
        .map(|(&x, &y)| tuples(x, y) ^ tuples(y, x).wrapping_mul(3))
        .collect();
    assert_eq_each("tuples", &out.to_vec()?, &want, |i| {
        format!("a = {}, b = {}", a[i], b[i])
    });
    Ok(())
}

/// A 4x4 block product in a private array of arrays: each work-item multiplies its blocks of
/// `a` and `b` (row-major, 16 values each) into `acc[r][c]`, then writes each row of the
/// product scaled by a 2x2 weight table written as nested literals, and the row sums read
/// through a borrowed row (`&acc[r]`, `row.len()`).
#[kernel]
fn block_product(
    item: Item<1>,
    a: &Tensor<f32>,
    b: &Tensor<f32>,
    out: &mut Tensor<f32>,
    sums: &mut Tensor<f32>,
) {
    let i = item.get_id(0);
    let mut acc = [[0.0f32; 4]; 4];
    let w: [[f32; 2]; 2] = [[1.0, -0.5], [0.25, 2.0]];
    for r in 0..acc.len() {
        for c in 0..acc[r].len() {
            for k in 0..4 {
                acc[r][c] += a[16 * i + 4 * r + k] * b[16 * i + 4 * k + c];
            }
        }
    }
    for r in 0..4 {
        let row = &acc[r];
        let mut sum = 0.0f32;
        for c in 0..row.len() {
            sum += row[c];
            out[16 * i + 4 * r + c] = row[c] * w[r % 2][c % 2];
        }
        sums[4 * i + r] = sum;
    }
}

#[test]
fn arrays_of_arrays_accumulate_a_block_product() -> dpex::Result<()> {
    let q = queue();
    let n = 257;
    let mut r = rng(406);
    let (a, b) = (nonzero_f32(&mut r, 16 * n), nonzero_f32(&mut r, 16 * n));
    let (da, db) = (Tensor::from_slice(&q, &a)?, Tensor::from_slice(&q, &b)?);
    let mut out = Tensor::<f32>::zeros(&q, 16 * n)?;
    let mut sums = Tensor::<f32>::zeros(&q, 4 * n)?;
    block_product
        .launch(Range::new([n]), (&da, &db, &mut out, &mut sums))?
        .wait()?;
    let weights = [1.0f32, -0.5, 0.25, 2.0];
    let (mut want, mut want_sums) = (vec![0.0f32; 16 * n], vec![0.0f32; 4 * n]);
    for i in 0..n {
        for row in 0..4 {
            let mut sum = 0.0f32;
            for col in 0..4 {
                let mut dot = 0.0f32;
                for k in 0..4 {
                    dot += a[16 * i + 4 * row + k] * b[16 * i + 4 * k + col];
                }
                sum += dot;
                want[16 * i + 4 * row + col] = dot * weights[2 * (row % 2) + col % 2];
            }
            want_sums[4 * i + row] = sum;
        }
    }
    assert_same_each("block product", &out.to_vec()?, &want, |k| {
        format!("block {}, element {}", k / 16, k % 16)
    });
    assert_same_each("row sums", &sums.to_vec()?, &want_sums, |k| {
        format!("block {}, row {}", k / 4, k % 4)
    });
    Ok(())
}

/// A 3-d private array: counts of the (sign, parity, residue mod 3) classes of six values,
/// filled through `counts[s][p][m] += 1` at runtime indices, then read back in a weighted
/// checksum (`[[[0u32; 3]; 2]; 2]`: 12 elements, filled by a loop).
#[dpex::func]
fn class_counts(x0: i32, x1: i32, x2: i32, x3: i32, x4: i32, x5: i32) -> u32 {
    let values = [x0, x1, x2, x3, x4, x5];
    let mut counts = [[[0u32; 3]; 2]; 2];
    for v in 0..values.len() {
        let x = values[v];
        let s = if x < 0 { 1 } else { 0 };
        let p = (x & 1) as usize;
        let m = ((x % 3 + 3) % 3) as usize;
        counts[s][p][m] += 1;
    }
    let mut checksum = 0u32;
    for s in 0..2 {
        for p in 0..counts[s].len() {
            for m in 0..counts[s][p].len() {
                checksum = checksum.wrapping_mul(7).wrapping_add(counts[s][p][m]);
            }
        }
    }
    checksum
}

#[kernel]
fn class_kernel(item: Item<1>, x: &Tensor<i32>, out: &mut Tensor<u32>) {
    let i = item.get_id(0);
    let b = 6 * i;
    out[i] = class_counts(x[b], x[b + 1], x[b + 2], x[b + 3], x[b + 4], x[b + 5]);
}

#[test]
fn three_dimensional_private_arrays() -> dpex::Result<()> {
    let q = queue();
    let n = 1031;
    let x = common::nonzero_i32(&mut rng(407), 6 * n, -1000..1000);
    let dx = Tensor::from_slice(&q, &x)?;
    let mut out = Tensor::<u32>::zeros(&q, n)?;
    class_kernel
        .launch(Range::new([n]), (&dx, &mut out))?
        .wait()?;
    // The reference counts into a flat table of 12 classes.
    let want: Vec<u32> = x
        .chunks(6)
        .map(|chunk| {
            let mut flat = [0u32; 12];
            for &v in chunk {
                let class =
                    6 * usize::from(v < 0) + 3 * (v & 1) as usize + v.rem_euclid(3) as usize;
                flat[class] += 1;
            }
            flat.iter()
                .fold(0u32, |acc, &c| acc.wrapping_mul(7).wrapping_add(c))
        })
        .collect();
    assert_eq_each("class counts", &out.to_vec()?, &want, |i| {
        format!("{:?}", &x[6 * i..6 * i + 6])
    });
    Ok(())
}
