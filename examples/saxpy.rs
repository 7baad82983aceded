//! saxpy, y = a*x + y, over 2^24 f32 values on the default device, checked against a CPU loop.
//!
//! Run: `cargo run --release --example saxpy` (after `scripts/setup-opencl.sh`, or through
//! `scripts/run-example.sh saxpy`). `DPEX_DEVICE=cpu` (any selector) picks the device.

use dpex::prelude::*;
use rand::{Rng, SeedableRng};
use std::time::Instant;

/// y[i] = a * x[i] + y[i] for every work-item i below the lengths of both tensors.
#[kernel]
pub fn saxpy(item: Item<1>, a: f32, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] += a * x[i];
}

fn main() -> dpex::Result<()> {
    let n = 1usize << 24;
    let a = 2.5f32;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5a_c9);
    let host_x: Vec<f32> = (0..n).map(|_| rng.random_range(-100.0..100.0)).collect();
    let host_y: Vec<f32> = (0..n).map(|_| rng.random_range(-100.0..100.0)).collect();

    let queue = Queue::default()?;
    println!("device: {}", queue.device());
    let x = Tensor::from_slice(&queue, &host_x)?;
    let mut y = Tensor::from_slice(&queue, &host_y)?;

    let first = Instant::now();
    saxpy.launch(Range::new([n]), (a, &x, &mut y))?.wait()?;
    let first = first.elapsed();
    // The second launch reuses the compiled program: its time is the kernel's.
    let mut y2 = Tensor::from_slice(&queue, &host_y)?;
    let cached = Instant::now();
    saxpy.launch(Range::new([n]), (a, &x, &mut y2))?.wait()?;
    let cached = cached.elapsed();

    let result = y.to_vec()?;
    let expected: Vec<f32> = host_x.iter().zip(&host_y).map(|(x, y)| a * x + y).collect();
    let mismatches = result
        .iter()
        .zip(&expected)
        .filter(|(got, want)| (*got - *want).abs() > 1e-4 * want.abs().max(1.0))
        .count();
    println!("saxpy over {n} f32 values: first launch (with driver build) {first:.2?}, cached launch {cached:.2?}");
    if mismatches > 0 || y2.to_vec()? != result {
        eprintln!("{mismatches} of {n} results differ from the CPU reference");
        std::process::exit(1);
    }
    println!("all {n} results match the CPU reference");
    Ok(())
}
