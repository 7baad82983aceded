//! Kernels and tensors on Vulkan (lavapipe here, `vulkan:cpu:0`): hand-written SPIR-V modules
//! following `dpex_abi::vulkan`, launched through the runtime and checked against host
//! references on random data. A missing lavapipe device fails every test (none skips).

mod kernels;
mod launches;
mod tensors;

use dpex_runtime::{Device, Queue};
use rand::{Rng, SeedableRng};

/// The selector of the Vulkan device under test: `DPEX_TEST_VULKAN_DEVICE` (e.g. `vulkan:gpu:0`
/// on the H200 machine), else lavapipe's `vulkan:cpu:0`.
pub fn selector() -> String {
    std::env::var("DPEX_TEST_VULKAN_DEVICE").unwrap_or_else(|_| "vulkan:cpu:0".to_string())
}

/// Whether the device under test is lavapipe (the tests of its listing and limits apply).
pub fn on_lavapipe() -> bool {
    selector() == "vulkan:cpu:0"
}

/// The device under test (lavapipe unless [`selector`] says otherwise); a test that needs it
/// fails with the runtime's listing when it is missing.
pub fn lavapipe() -> Device {
    match Device::select(&selector()) {
        Ok(device) => device,
        Err(e) => panic!(
            "no usable Vulkan CPU device (install mesa-vulkan-drivers libvulkan1: \
             scripts/setup-test-tools.sh):\n{e}"
        ),
    }
}

/// A new queue on lavapipe.
pub fn queue() -> Queue {
    Queue::new(&lavapipe()).unwrap_or_else(|e| panic!("{e}"))
}

/// `n` random non-zero floats in [-4, -0.25] or [0.25, 4], from `seed`.
pub fn random(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let magnitude: f32 = rng.random_range(0.25..4.0);
            if rng.random_bool(0.5) {
                magnitude
            } else {
                -magnitude
            }
        })
        .collect()
}

/// Unwraps with the error's message.
pub fn ok<T>(result: dpex_runtime::Result<T>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}
