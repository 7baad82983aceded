//! Matrix product of two 1024x1024 f32 matrices with 16x16 tiles in work-group local memory,
//! checked against f64 dot products on the host for a sample of entries.
//!
//! Run: `cargo run --release --example matmul_tiled` (after `scripts/setup-opencl.sh`).
//! `DPEX_DEVICE=cpu` (any selector) picks the device.

use dpex::prelude::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

/// `c = a * b` for row-major `a` (m x k), `b` (k x n) and `c` (m x n). Each 16x16 work-group
/// computes a 16x16 block of `c`: it walks along k in steps of 16, each work-item loading one
/// element of the `a` tile and one of the `b` tile into local memory, and after a barrier
/// accumulates the 16 products of its row and column. The global range is `[n, m]` (columns
/// first) rounded up to multiples of 16; the extra work-items load zeros and write nothing.
#[kernel]
pub fn matmul_tiled(
    it: NdItem<2>,
    m: usize,
    k: usize,
    n: usize,
    a: &Tensor<f32>,
    b: &Tensor<f32>,
    c: &mut Tensor<f32>,
) {
    let group = it.get_group();
    let mut tile_a = LocalArray2::<f32, 16, 16>::new(&group);
    let mut tile_b = LocalArray2::<f32, 16, 16>::new(&group);
    // Dimension 0 runs along the columns, so neighbouring work-items load neighbouring
    // elements of `a`'s and `b`'s rows and store neighbouring elements of `c`.
    let col = it.get_global_id(0);
    let row = it.get_global_id(1);
    let lc = it.get_local_id(0);
    let lr = it.get_local_id(1);
    let mut acc = 0.0f32;
    let mut t = 0;
    while t < k {
        // The column of `a` and the row of `b` this work-item loads.
        let (ka, kb) = (t + lc, t + lr);
        tile_a[[lr, lc]] = if row < m && ka < k {
            a[row * k + ka]
        } else {
            0.0
        };
        tile_b[[lr, lc]] = if kb < k && col < n {
            b[kb * n + col]
        } else {
            0.0
        };
        group_barrier(&group);
        for e in 0..16 {
            acc += tile_a[[lr, e]] * tile_b[[e, lc]];
        }
        group_barrier(&group);
        t += 16;
    }
    if row < m && col < n {
        c[row * n + col] = acc;
    }
}

fn main() -> dpex::Result<()> {
    let (m, k, n) = (1024usize, 1024usize, 1024usize);
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x3a716);
    let host_a: Vec<f32> = (0..m * k).map(|_| rng.random_range(-1.0..1.0)).collect();
    let host_b: Vec<f32> = (0..k * n).map(|_| rng.random_range(-1.0..1.0)).collect();

    let queue = Queue::default()?;
    println!("device: {}", queue.device());
    let a = Tensor::from_slice(&queue, &host_a)?;
    let b = Tensor::from_slice(&queue, &host_b)?;
    let mut c = Tensor::<f32>::zeros(&queue, m * n)?;
    let range = NdRange::new([n.div_ceil(16) * 16, m.div_ceil(16) * 16], [16, 16]);

    let start = Instant::now();
    matmul_tiled
        .launch(range, (m, k, n, &a, &b, &mut c))?
        .wait()?;
    let first = start.elapsed();
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        matmul_tiled
            .launch(range, (m, k, n, &a, &b, &mut c))?
            .wait()?;
        best = best.min(start.elapsed());
    }
    let flops = 2.0 * (m * k * n) as f64;
    println!(
        "{m}x{k} times {k}x{n} in 16x16 tiles: first launch (with driver build) {first:.2?}, \
         best of 5 {best:.2?} ({:.1} GFLOP/s)",
        flops / best.as_secs_f64() / 1e9
    );

    // The host check: every row once and every column once (a random pairing), then random
    // entries, 4096 in all; f64 dot products. A length-k f32 dot product is within
    // k * eps * sum |a_e * b_e| of the exact one.
    let got = c.to_vec()?;
    let mut rows: Vec<usize> = (0..m).collect();
    let mut cols: Vec<usize> = (0..n).collect();
    rows.shuffle(&mut rng);
    cols.shuffle(&mut rng);
    let mut sample: Vec<(usize, usize)> =
        (0..m.max(n)).map(|i| (rows[i % m], cols[i % n])).collect();
    while sample.len() < 4096 {
        sample.push((rng.random_range(0..m), rng.random_range(0..n)));
    }
    let eps = k as f64 * f64::from(f32::EPSILON);
    let mut worst = 0.0f64;
    let mut mismatches = 0;
    for &(i, j) in &sample {
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
    println!(
        "{} sampled entries: largest error {worst:.2e} of the magnitude sum (bound {eps:.2e})",
        sample.len()
    );
    if mismatches > 0 {
        eprintln!(
            "{mismatches} of {} sampled entries differ from the host",
            sample.len()
        );
        std::process::exit(1);
    }
    println!("all sampled entries match the host reference");
    Ok(())
}
