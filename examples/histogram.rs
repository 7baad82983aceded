//! A 256-bin histogram of 2^24 bytes: each work-group counts into local memory with local
//! atomics, then adds its counts to the global bins with global atomics. Checked exactly
//! against a host count.
//!
//! Run: `cargo run --release --example histogram` (after `scripts/setup-opencl.sh`).
//! `DPEX_DEVICE=cpu` (any selector) picks the device.

use dpex::prelude::*;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

/// Adds the counts of the values of `data` to `bins` (256 of them, zeroed by the caller). The
/// work-items of a group stride over `data` by the global range, counting into the group's
/// local bins; after a barrier, the group adds each local bin to its global bin once.
#[kernel]
pub fn histogram_256(it: NdItem<1>, data: &Tensor<u8>, bins: &mut Tensor<u32>) {
    let group = it.get_group();
    let mut counts = LocalArray::<u32, 256>::new(&group);
    let lid = it.get_local_id(0);
    let size = it.get_local_range(0);
    let mut b = lid;
    while b < 256 {
        counts[b] = 0;
        b += size;
    }
    group_barrier(&group);
    let mut i = it.get_global_id(0);
    while i < data.len() {
        AtomicRef::new(&mut counts[data[i] as usize]).fetch_add(1);
        i += it.get_global_range(0);
    }
    group_barrier(&group);
    let mut b = lid;
    while b < 256 {
        let c = counts[b];
        if c != 0 {
            AtomicRef::new(&mut bins[b]).fetch_add(c);
        }
        b += size;
    }
}

fn main() -> dpex::Result<()> {
    let n = 1usize << 24;
    let (groups, local) = (256, 256);
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x4157);
    // Uneven data: a quarter of the values are 0x20, so that one bin sees heavy contention,
    // and the rest roughly bell-shaped around 128.
    let host: Vec<u8> = (0..n)
        .map(|_| {
            if rng.random_bool(0.25) {
                0x20
            } else {
                let v: u32 = (0..4).map(|_| rng.random_range(0..64u32)).sum();
                v as u8
            }
        })
        .collect();
    let mut want = vec![0u32; 256];
    for &v in &host {
        want[usize::from(v)] += 1;
    }

    let queue = Queue::default()?;
    println!("device: {}", queue.device());
    let data = Tensor::from_slice(&queue, &host)?;
    let range = NdRange::new([groups * local], [local]);

    let mut bins = Tensor::<u32>::zeros(&queue, 256)?;
    let start = Instant::now();
    histogram_256.launch(range, (&data, &mut bins))?.wait()?;
    let first = start.elapsed();
    let got = bins.to_vec()?;
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let mut again = Tensor::<u32>::zeros(&queue, 256)?;
        let start = Instant::now();
        histogram_256.launch(range, (&data, &mut again))?.wait()?;
        best = best.min(start.elapsed());
        if again.to_vec()? != want {
            eprintln!("a repeated launch gave different counts");
            std::process::exit(1);
        }
    }
    let gbs = n as f64 / best.as_secs_f64() / 1e9;
    println!(
        "histogram of {n} bytes in {groups} groups of {local}: first launch (with driver build) \
         {first:.2?}, best of 5 {best:.2?} ({gbs:.2} GB/s)"
    );
    let (fullest, most) = got
        .iter()
        .enumerate()
        .max_by_key(|&(_, c)| *c)
        .map_or((0, 0), |(b, &c)| (b, c));
    println!(
        "{} values counted; fullest bin {fullest:#04x} with {most}",
        got.iter().map(|&c| u64::from(c)).sum::<u64>()
    );
    let wrong: Vec<usize> = (0..256).filter(|&b| got[b] != want[b]).collect();
    if let Some(&b) = wrong.first() {
        eprintln!(
            "{} of 256 bins differ from the host count; first bin {b}: device {}, host {}",
            wrong.len(),
            got[b],
            want[b]
        );
        std::process::exit(1);
    }
    println!("all 256 bins match the host count exactly");
    Ok(())
}
