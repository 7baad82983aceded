//! Stress: many launches of a small checked kernel from 4 threads, and many tensor allocations
//! and drops, with the process's resident memory measured before and after; the results are
//! checked exactly.
//!
//! `.ci/run` runs 100,000 launches and 10,000 allocations. The full run:
//! `DPEX_STRESS_LAUNCHES=1000000 cargo test --release --test stress -- --nocapture`
//! (SAFETY.md records its numbers).

mod common;

use common::{queue, rng};
use dpex::prelude::*;
use rand::Rng;

/// Threads that launch at once.
const THREADS: usize = 4;
/// Work-items per launch.
const ITEMS: usize = 64;

/// Held by each test while it runs: both measure the one process's resident memory.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Adds one to every element: after `k` launches each element has grown by `k`.
#[kernel]
fn bump(item: Item<1>, y: &mut Tensor<u32>) {
    let i = item.get_id(0);
    y[i] += 1;
}

/// The resident set size of this process in KiB (`VmRSS` of `/proc/self/status`).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

/// The number of launches (all threads together) from `DPEX_STRESS_LAUNCHES`, 100,000 unless set.
fn total_launches() -> usize {
    match std::env::var("DPEX_STRESS_LAUNCHES") {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("DPEX_STRESS_LAUNCHES={text:?} is not a count")),
        Err(_) => 100_000,
    }
}

/// Runs `per_thread` launches of [`bump`] on each of [`THREADS`] threads, each on its own
/// tensor of random values on the shared queue, waiting for every launch; checks each tensor
/// grew by exactly `per_thread`.
fn launch_from_threads(q: &Queue, per_thread: usize, seed: u64) -> dpex::Result<()> {
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                scope.spawn(move || -> dpex::Result<()> {
                    let mut r = rng(seed + t as u64);
                    let start: Vec<u32> = (0..ITEMS).map(|_| r.random_range(1..1 << 20)).collect();
                    let mut y = Tensor::from_slice(q, &start)?;
                    for _ in 0..per_thread {
                        bump.launch(Range::new([ITEMS]), (&mut y,))?.wait()?;
                    }
                    let want: Vec<u32> = start.iter().map(|&v| v + per_thread as u32).collect();
                    assert_eq!(y.to_vec()?, want, "thread {t}");
                    Ok(())
                })
            })
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().expect("launch thread panicked"))
    })
}

#[test]
fn many_launches_from_four_threads_do_not_grow_memory() -> dpex::Result<()> {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let q = queue();
    let total = total_launches();
    // A tenth of the launches first, so that the program cache, the driver's pools and the
    // allocator reach their steady state; then the rest, measured.
    let warm = (total / 10 / THREADS).max(1);
    let measured = (total / THREADS).saturating_sub(warm).max(1);
    launch_from_threads(&q, warm, 1)?;
    let before = rss_kib();
    let clock = std::time::Instant::now();
    launch_from_threads(&q, measured, 100)?;
    let seconds = clock.elapsed().as_secs_f64();
    let after = rss_kib();
    let launches = measured * THREADS;
    let growth = after.saturating_sub(before);
    println!(
        "{launches} launches in {seconds:.1} s ({:.1} us each): RSS {before} KiB -> {after} KiB",
        seconds * 1e6 / launches as f64
    );
    // A leak of even 16 bytes per launch would show as launches / 64 KiB; allow 2 MiB of
    // allocator noise on top.
    let bound = 2048 + (launches / 64) as u64;
    assert!(
        growth <= bound,
        "RSS grew by {growth} KiB over {launches} launches (bound {bound} KiB)"
    );
    Ok(())
}

#[test]
fn ten_thousand_tensor_allocations_and_drops_do_not_grow_memory() -> dpex::Result<()> {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let q = queue();
    let mut r = rng(7);
    let data: Vec<f32> = (0..1 << 16).map(|_| r.random_range(0.5f32..2.0)).collect();
    let round = |count: usize| -> dpex::Result<()> {
        for k in 0..count {
            let len = 1 + (k * 7919) % data.len();
            let t = Tensor::from_slice(&q, &data[..len])?;
            if k % 1000 == 0 {
                assert_eq!(t.to_vec()?, &data[..len], "allocation {k}");
            }
        }
        Ok(())
    };
    round(1000)?;
    let before = rss_kib();
    round(10_000)?;
    let after = rss_kib();
    println!("10000 allocations and drops: RSS {before} KiB -> {after} KiB");
    // Each allocation holds up to 256 KiB: a leak of any of them would show; allow 4 MiB of
    // allocator noise.
    let growth = after.saturating_sub(before);
    assert!(
        growth <= 4096,
        "RSS grew by {growth} KiB over 10000 allocations"
    );
    Ok(())
}
