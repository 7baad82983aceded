//! Shared helpers of the end-to-end tests: the device queue and random, non-zero test data.

#![allow(dead_code)]

use dpex::{Device, Queue};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A queue on the Intel OpenCL CPU device (`DPEX_DEVICE` overrides the choice). A missing
/// device fails the test with the runtime's explanation.
pub fn queue() -> Queue {
    let device = match std::env::var("DPEX_DEVICE") {
        Ok(selector) => Device::select(&selector),
        Err(_) => Device::select("cpu"),
    };
    match device.and_then(|d| Queue::new(&d)) {
        Ok(q) => q,
        Err(e) => panic!("no usable OpenCL device for the tests: {e}"),
    }
}

/// A seeded generator, so a failure reproduces.
pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// `n` random `f32` values in ±[0.5, 100), never zero.
pub fn nonzero_f32(rng: &mut StdRng, n: usize) -> Vec<f32> {
    (0..n)
        .map(|_| {
            let magnitude: f32 = rng.random_range(0.5..100.0);
            if rng.random::<bool>() {
                magnitude
            } else {
                -magnitude
            }
        })
        .collect()
}

/// `n` random `f64` values in ±[0.5, 100), never zero.
pub fn nonzero_f64(rng: &mut StdRng, n: usize) -> Vec<f64> {
    nonzero_f32(rng, n)
        .into_iter()
        .map(|v| f64::from(v) * 1.000_123_4)
        .collect()
}

/// `n` random `i32` values in `range`, with zero replaced by 1.
pub fn nonzero_i32(rng: &mut StdRng, n: usize, range: std::ops::Range<i32>) -> Vec<i32> {
    (0..n)
        .map(|_| match rng.random_range(range.clone()) {
            0 => 1,
            v => v,
        })
        .collect()
}

/// Asserts two float slices agree within a relative tolerance, reporting the first mismatch.
pub fn assert_close_f32(got: &[f32], want: &[f32], rel: f32) {
    assert_eq!(got.len(), want.len(), "lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let tolerance = rel * w.abs().max(1.0);
        assert!(
            (g - w).abs() <= tolerance,
            "element {i}: device {g}, host {w}"
        );
    }
}
