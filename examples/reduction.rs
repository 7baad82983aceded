//! Sum of 2^24 f32 values with a work-group tree reduction in local memory, checked against an
//! f64 sum on the host.
//!
//! Run: `cargo run --release --example reduction` (after `scripts/setup-opencl.sh`).
//! `DPEX_DEVICE=cpu` (any selector) picks the device.
//!
//! Two launches: the first has every work-item add up a strided slice of the input, then each
//! work-group reduces its work-items' sums in local memory and writes one partial sum; the second
//! reduces the partial sums in a single work-group.

use dpex::prelude::*;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

/// Each work-item sums `x[gid]`, `x[gid + global range]`, ... ; the group then halves the number
/// of active work-items at each step, adding pairs in local memory, and work-item 0 writes the
/// group's sum to `partial[group id]`. The local range must be a power of two.
#[kernel]
pub fn reduce_sum(
    it: NdItem<1>,
    x: &Tensor<f32>,
    partial: &mut Tensor<f32>,
    tmp: LocalAccessor<f32>,
) {
    let lid = it.get_local_id(0);
    let mut sum = 0.0f32;
    let mut i = it.get_global_id(0);
    while i < x.len() {
        sum += x[i];
        i += it.get_global_range(0);
    }
    tmp[lid] = sum;
    let group = it.get_group();
    group_barrier(&group);
    let mut stride = it.get_local_range(0) / 2;
    while stride > 0 {
        if lid < stride {
            tmp[lid] += tmp[lid + stride];
        }
        group_barrier(&group);
        stride /= 2;
    }
    if lid == 0 {
        partial[it.get_group_id(0)] = tmp[0];
    }
}

/// The sum of `x`: `groups` work-groups of `local` work-items make `groups` partial sums, which
/// one work-group of `local` work-items adds up.
fn device_sum(
    x: &Tensor<f32>,
    partial: &mut Tensor<f32>,
    total: &mut Tensor<f32>,
    local: usize,
) -> dpex::Result<f32> {
    let groups = partial.len();
    reduce_sum
        .launch(
            NdRange::new([groups * local], [local]),
            (x, &mut *partial, LocalAccessor::new(local)),
        )?
        .wait()?;
    reduce_sum
        .launch(
            NdRange::new([local], [local]),
            (&*partial, &mut *total, LocalAccessor::new(local)),
        )?
        .wait()?;
    Ok(total.to_vec()?[0])
}

fn main() -> dpex::Result<()> {
    let n = 1usize << 24;
    let (groups, local) = (1024, 256);
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5e_d0);
    let host: Vec<f32> = (0..n).map(|_| rng.random_range(0.0..1.0)).collect();
    let want: f64 = host.iter().map(|&v| f64::from(v)).sum();

    let queue = Queue::default()?;
    println!("device: {}", queue.device());
    let x = Tensor::from_slice(&queue, &host)?;
    let mut partial = Tensor::<f32>::zeros(&queue, groups)?;
    let mut total = Tensor::<f32>::zeros(&queue, 1)?;

    let start = Instant::now();
    let got = device_sum(&x, &mut partial, &mut total, local)?;
    let first = start.elapsed();
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        let again = device_sum(&x, &mut partial, &mut total, local)?;
        best = best.min(start.elapsed());
        if again != got {
            eprintln!("repeated sums differ: {got} then {again}");
            std::process::exit(1);
        }
    }
    let gbs = (n * 4) as f64 / best.as_secs_f64() / 1e9;
    println!(
        "sum of {n} f32 in {groups} groups of {local}: first run (with driver build) {first:.2?}, \
         best of 5 {best:.2?} ({gbs:.1} GB/s)"
    );
    let relative = ((f64::from(got) - want) / want).abs();
    println!("device {got}, host (f64) {want}, relative error {relative:.2e}");
    if relative >= 1e-5 {
        eprintln!("the device sum differs from the host sum by more than 1e-5");
        std::process::exit(1);
    }
    println!("the device sum matches the host sum");
    Ok(())
}
