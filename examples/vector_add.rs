//! c = a + b over 1,000,003 f32 values (not a multiple of any work-group size), checked
//! against a CPU loop.
//!
//! Run: `cargo run --release --example vector_add`.

use dpex::prelude::*;
use rand::{Rng, SeedableRng};
use std::time::Instant;

/// c[i] = a[i] + b[i].
#[kernel]
pub fn vector_add(item: Item<1>, a: &Tensor<f32>, b: &Tensor<f32>, c: &mut Tensor<f32>) {
    let i = item.get_id(0);
    c[i] = a[i] + b[i];
}

fn main() -> dpex::Result<()> {
    let n = 1_000_003;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let host_a: Vec<f32> = (0..n).map(|_| rng.random_range(-1e3..1e3)).collect();
    let host_b: Vec<f32> = (0..n).map(|_| rng.random_range(-1e3..1e3)).collect();

    let queue = Queue::default()?;
    println!("device: {}", queue.device());
    let a = Tensor::from_slice(&queue, &host_a)?;
    let b = Tensor::from_slice(&queue, &host_b)?;
    let mut c = Tensor::<f32>::zeros(&queue, n)?;

    let start = Instant::now();
    vector_add
        .launch(Range::new([n]), (&a, &b, &mut c))?
        .wait()?;
    println!(
        "vector_add over {n} values: {:.2?} (first launch, driver build included)",
        start.elapsed()
    );

    let result = c.to_vec()?;
    let wrong = (0..n)
        .filter(|&i| result[i] != host_a[i] + host_b[i])
        .count();
    if wrong > 0 {
        eprintln!("{wrong} of {n} results differ from the CPU reference");
        std::process::exit(1);
    }
    println!("all {n} results match the CPU reference");
    Ok(())
}
