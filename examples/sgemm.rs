//! SGEMM, `c = a * b` in f32, written for speed as a GPU programmer writes it: each 16x16
//! work-group computes a 128x128 block of `c`, staging 8-deep slices of `a` and `b` in local
//! memory, and each work-item keeps an 8x8 block of `c` in registers (a private array),
//! accumulating with `mul_add` (one fused rounding, as cuBLAS does), while the next slice's
//! loads from global memory are in flight. Checked against f64 dot products on the host for a
//! sample of entries.
//!
//! Run: `cargo run --release --example sgemm` (1024^3; `-- 4096` for 4096^3). Sizes must be
//! multiples of 128. `DPEX_DEVICE` picks the device. GPU.md / BENCHMARKS.md compare it with
//! cuBLAS on the H200.

use dpex::prelude::*;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

/// Rows and columns of the block of `c` a work-group computes.
const BLOCK: usize = 128;
/// Depth of the slices of `a` and `b` staged in local memory per step.
const DEPTH: usize = 8;

/// `c = a * b` for row-major `a` (m x k), `b` (k x n), `c` (m x n), all multiples of 128.
///
/// Work-item `(tx, ty)` of a 16x16 group owns rows `ty * 4 + 64 * h + q` and columns
/// `tx * 4 + 64 * g + r` (`h, g < 2`; `q, r < 4`) of its group's 128x128 block: four
/// consecutive elements in each half, so its reads of a slice are runs of four, and
/// neighbouring work-items touch neighbouring runs. Each step stores the slice loaded during
/// the previous one (a 128x8 slice of `a`, transposed as `sa[e][r]`, and an 8x128 slice of
/// `b`, four elements of each per work-item), starts loading the next (into scalars: the
/// last step reloads its own slice rather than branch), then does 8 rank-1 updates of the 8x8
/// register block. Measured on the H200 (BENCHMARKS.md): 17.7 TFLOP/s with one element every
/// 16 rows and columns and no prefetch, 20.5 with runs of four, 30.1 with the prefetch too;
/// a prefetch into private arrays under an `if` ran at 4.3.
#[kernel]
pub fn sgemm(
    it: NdItem<2>,
    k: usize,
    n: usize,
    a: &Tensor<f32>,
    b: &Tensor<f32>,
    c: &mut Tensor<f32>,
) {
    let group = it.get_group();
    let mut sa = LocalArray2::<f32, 8, 128>::new(&group);
    let mut sb = LocalArray2::<f32, 8, 128>::new(&group);
    let tx = it.get_local_id(0);
    let ty = it.get_local_id(1);
    let col0 = it.get_group_id(0) * 128;
    let row0 = it.get_group_id(1) * 128;
    let linear = ty * 16 + tx;
    let mut acc = [[0.0f32; 8]; 8];
    let mut ra = [0.0f32; 8];
    let mut rb = [0.0f32; 8];
    // This work-item's elements of a slice: `a` rows `ar + 32 * p` at column `ac`, `b` rows
    // `br + 2 * p` at column `bc` (p < 4).
    let (ar, ac) = (linear / 8, linear % 8);
    let (br, bc) = (linear / 128, linear % 128);
    let mut a0 = a[(row0 + ar) * k + ac];
    let mut a1 = a[(row0 + ar + 32) * k + ac];
    let mut a2 = a[(row0 + ar + 64) * k + ac];
    let mut a3 = a[(row0 + ar + 96) * k + ac];
    let mut b0 = b[br * n + col0 + bc];
    let mut b1 = b[(br + 2) * n + col0 + bc];
    let mut b2 = b[(br + 4) * n + col0 + bc];
    let mut b3 = b[(br + 6) * n + col0 + bc];
    let mut k0 = 0;
    while k0 < k {
        sa[[ac, ar]] = a0;
        sa[[ac, ar + 32]] = a1;
        sa[[ac, ar + 64]] = a2;
        sa[[ac, ar + 96]] = a3;
        sb[[br, bc]] = b0;
        sb[[br + 2, bc]] = b1;
        sb[[br + 4, bc]] = b2;
        sb[[br + 6, bc]] = b3;
        group_barrier(&group);
        let next = if k0 + 8 < k { k0 + 8 } else { k0 };
        a0 = a[(row0 + ar) * k + next + ac];
        a1 = a[(row0 + ar + 32) * k + next + ac];
        a2 = a[(row0 + ar + 64) * k + next + ac];
        a3 = a[(row0 + ar + 96) * k + next + ac];
        b0 = b[(next + br) * n + col0 + bc];
        b1 = b[(next + br + 2) * n + col0 + bc];
        b2 = b[(next + br + 4) * n + col0 + bc];
        b3 = b[(next + br + 6) * n + col0 + bc];
        for e in 0..8 {
            for h in 0..2 {
                for q in 0..4 {
                    ra[h * 4 + q] = sa[[e, ty * 4 + 64 * h + q]];
                    rb[h * 4 + q] = sb[[e, tx * 4 + 64 * h + q]];
                }
            }
            for i in 0..8 {
                for j in 0..8 {
                    acc[i][j] = ra[i].mul_add(rb[j], acc[i][j]);
                }
            }
        }
        group_barrier(&group);
        k0 += 8;
    }
    for h in 0..2 {
        for q in 0..4 {
            for g in 0..2 {
                for r in 0..4 {
                    c[(row0 + ty * 4 + 64 * h + q) * n + col0 + tx * 4 + 64 * g + r] =
                        acc[h * 4 + q][g * 4 + r];
                }
            }
        }
    }
}

/// The ND-range of [`sgemm`] for an `m x n` result: one 16x16 group per 128x128 block,
/// dimension 0 along the columns.
pub fn sgemm_range(m: usize, n: usize) -> NdRange<2> {
    NdRange::new([n / BLOCK * 16, m / BLOCK * 16], [16, 16])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let size: usize = match std::env::args().nth(1) {
        Some(s) => s.parse()?,
        None => 1024,
    };
    if size == 0 || size % BLOCK != 0 || size % DEPTH != 0 {
        return Err(format!("the size must be a positive multiple of {BLOCK}, not {size}").into());
    }
    let (m, k, n) = (size, size, size);
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5_9e33);
    let host_a: Vec<f32> = (0..m * k).map(|_| rng.random_range(-1.0..1.0)).collect();
    let host_b: Vec<f32> = (0..k * n).map(|_| rng.random_range(-1.0..1.0)).collect();

    let queue = Queue::default()?;
    println!("device: {}", queue.device());
    let a = Tensor::from_slice(&queue, &host_a)?;
    let b = Tensor::from_slice(&queue, &host_b)?;
    let mut c = Tensor::<f32>::zeros(&queue, m * n)?;
    let range = sgemm_range(m, n);

    let start = Instant::now();
    sgemm.launch(range, (k, n, &a, &b, &mut c))?.wait()?;
    let first = start.elapsed();
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        sgemm.launch(range, (k, n, &a, &b, &mut c))?.wait()?;
        best = best.min(start.elapsed());
    }
    let flops = 2.0 * (m * k * n) as f64;
    println!(
        "sgemm {m}x{k} times {k}x{n}: first launch (with driver build) {first:.2?}, best of 5 \
         {best:.2?} ({:.1} GFLOP/s, host clock around launch + wait)",
        flops / best.as_secs_f64() / 1e9
    );

    // The host check: random entries, f64 dot products. A length-k f32 dot product with fused
    // updates is within k * eps * sum |a_e * b_e| of the exact one.
    let got = c.to_vec()?;
    let eps = k as f64 * f64::from(f32::EPSILON);
    let (mut worst, mut mismatches, samples) = (0.0f64, 0, 4096);
    for _ in 0..samples {
        let (i, j) = (rng.random_range(0..m), rng.random_range(0..n));
        let (mut want, mut magnitude) = (0.0f64, 0.0f64);
        for e in 0..k {
            let p = f64::from(host_a[i * k + e]) * f64::from(host_b[e * n + j]);
            want += p;
            magnitude += p.abs();
        }
        let error = (f64::from(got[i * n + j]) - want).abs();
        worst = worst.max(error / magnitude);
        if error > eps * magnitude {
            mismatches += 1;
        }
    }
    println!("{samples} sampled entries: largest error {worst:.2e} of the magnitude sum (bound {eps:.2e})");
    if mismatches > 0 {
        return Err(
            format!("{mismatches} of {samples} sampled entries differ from the host").into(),
        );
    }
    println!("all sampled entries match the host reference");
    Ok(())
}
