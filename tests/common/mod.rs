//! Shared helpers of the end-to-end tests: the device queue, seeded test data (random values
//! mixed with each type's boundary and special values) and comparisons of device results with
//! host references.

#![allow(dead_code)]

use dpex::{Device, Queue};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::ffi::OsStr;
use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the test's device flushes `f32` subnormals (set by [`queue`] from
/// `Device::keeps_f32_subnormals`; the NVIDIA H200 through Vulkan does). The generators then
/// leave subnormal `f32` values out of the test data, and the comparisons take the device's
/// zero where the host's `f32` result is subnormal: flushed results are that device's
/// documented behaviour, everything else must match as on any device.
static FLUSHES_F32_SUBNORMALS: AtomicBool = AtomicBool::new(false);

/// A queue on the Intel OpenCL CPU device (`DPEX_DEVICE` overrides the choice). A missing
/// device fails the test with the runtime's explanation.
pub fn queue() -> Queue {
    let device = match std::env::var("DPEX_DEVICE") {
        Ok(selector) => Device::select(&selector),
        Err(_) => Device::select("cpu"),
    };
    match device.and_then(|d| Queue::new(&d)) {
        Ok(q) => {
            FLUSHES_F32_SUBNORMALS.store(!q.device().keeps_f32_subnormals(), Ordering::Relaxed);
            q
        }
        Err(e) => panic!("no usable device for the tests: {e}"),
    }
}

/// Whether the test's device flushes `f32` subnormals (see [`queue`]).
pub fn flushes_f32_subnormals() -> bool {
    FLUSHES_F32_SUBNORMALS.load(Ordering::Relaxed)
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

// ---------------------------------------------------------------------------------------------
// Test data with boundary and special values
// ---------------------------------------------------------------------------------------------

/// An integer type the tests generate data for.
pub trait TestInt: dpex::Element + Debug + PartialEq {
    /// MIN, MAX, 0, 1, -1 (signed) and their neighbours.
    fn boundary() -> Vec<Self>;
    /// A value drawn from the whole range, or a small one (|v| < 300), half of the time each.
    fn random(rng: &mut StdRng) -> Self;
    /// `b`, or 1 when `a / b` would be a launch error (division by zero, `MIN / -1`).
    /// Those two cases are the subject of the Safety issue, not of these tests.
    fn safe_divisor(a: Self, b: Self) -> Self;
}

macro_rules! test_int {
    ($($t:ty),*) => {$(
        impl TestInt for $t {
            fn boundary() -> Vec<Self> {
                let mut v = vec![
                    <$t>::MIN,
                    <$t>::MIN.wrapping_add(1),
                    <$t>::MAX,
                    <$t>::MAX.wrapping_sub(1),
                    0,
                    1,
                    2,
                    <$t>::MAX / 2,
                    (<$t>::MAX / 2).wrapping_add(1),
                ];
                #[allow(unused_comparisons)]
                if <$t>::MIN < 0 {
                    v.extend([(0 as $t).wrapping_sub(1), (0 as $t).wrapping_sub(2)]);
                }
                v
            }
            fn random(rng: &mut StdRng) -> Self {
                if rng.random::<bool>() {
                    rng.random::<u64>() as $t
                } else {
                    rng.random_range(-300i64..300) as $t
                }
            }
            fn safe_divisor(a: Self, b: Self) -> Self {
                if a.checked_div(b).is_some() { b } else { 1 }
            }
        }
    )*};
}

test_int!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

/// The boundary values of `T`, then random values, `n` in all (at least the boundary values).
pub fn int_samples<T: TestInt>(seed: u64, n: usize) -> Vec<T> {
    edge_then_random(seed, n, T::boundary(), T::random)
}

/// `edge`, then values drawn by `random`, `n` in all (at least `edge`).
fn edge_then_random<T>(
    seed: u64,
    n: usize,
    mut edge: Vec<T>,
    random: impl Fn(&mut StdRng) -> T,
) -> Vec<T> {
    let mut r = rng(seed);
    while edge.len() < n {
        edge.push(random(&mut r));
    }
    edge
}

/// Every pair of `edge` values, then random pairs, `n` in all: the first operand drawn by
/// `random`, the second an `edge` value one time in `edge_one_in`, else drawn by `random`.
fn edge_pairs_then_random<T: Copy>(
    seed: u64,
    n: usize,
    edge: &[T],
    random: impl Fn(&mut StdRng) -> T,
    edge_one_in: u32,
) -> (Vec<T>, Vec<T>) {
    let mut r = rng(seed);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for &x in edge {
        for &y in edge {
            a.push(x);
            b.push(y);
        }
    }
    while a.len() < n {
        a.push(random(&mut r));
        b.push(if r.random_range(0..edge_one_in) == 0 {
            edge[r.random_range(0..edge.len())]
        } else {
            random(&mut r)
        });
    }
    (a, b)
}

/// Operand pairs: every pair of boundary values, then random pairs, `n` in all (at least all
/// boundary pairs).
pub fn int_pairs<T: TestInt>(seed: u64, n: usize) -> (Vec<T>, Vec<T>) {
    edge_pairs_then_random(seed, n, &T::boundary(), T::random, 4)
}

/// Shift amounts: every amount below twice `bits`, `u32::MAX` and its neighbours, then random
/// amounts, `n` in all.
pub fn shift_amounts(seed: u64, n: usize, bits: u32) -> Vec<u32> {
    let mut r = rng(seed);
    let mut v: Vec<u32> = (0..2 * bits + 3).collect();
    v.extend([u32::MAX, u32::MAX - 1, 1 << 31, 255, 256, 257]);
    while v.len() < n {
        v.push(if r.random::<bool>() {
            r.random()
        } else {
            r.random_range(0..3 * bits)
        });
    }
    v.truncate(n.max(2 * bits as usize + 9));
    v
}

/// A float type the tests generate data for.
pub trait TestFloat: dpex::Element + Debug + PartialOrd {
    /// Zeros of both signs, ±1, halves (rounding ties), NaN, ±infinity, the extremes,
    /// the smallest normal and a subnormal, and values past every integer type's range.
    fn special() -> Vec<Self>;
    /// A random value: uniform in ±100, or of random magnitude 1e-30..1e30 (clamped to the
    /// type's range), or a small integer or half-integer.
    fn random(rng: &mut StdRng) -> Self;
    /// The value as `f64`.
    fn to_f64(self) -> f64;
    /// True for NaN.
    fn nan(self) -> bool;
    /// Units in the last place between `self` and `other` (same-sign finite values; infinite
    /// distance otherwise).
    fn ulps(self, other: Self) -> u64;
    /// True when both are equal bit for bit, or both are NaN.
    fn same(self, other: Self) -> bool;
    /// The value as the test's device computes it: a subnormal `f32` becomes a zero of its
    /// sign on a device that flushes them ([`flushes_f32_subnormals`]); otherwise the value.
    fn as_device_keeps(self) -> Self;
}

macro_rules! test_float {
    ($t:ident, $bits:ty, $ibits:ty, $flushable:expr) => {
        impl TestFloat for $t {
            fn special() -> Vec<Self> {
                vec![
                    0.0,
                    -0.0,
                    1.0,
                    -1.0,
                    0.5,
                    -0.5,
                    1.5,
                    -1.5,
                    2.5,
                    -2.5,
                    0.499_999_97,
                    $t::NAN,
                    -$t::NAN,
                    $t::INFINITY,
                    $t::NEG_INFINITY,
                    $t::MAX,
                    $t::MIN,
                    $t::MIN_POSITIVE,
                    -$t::MIN_POSITIVE,
                    $t::MIN_POSITIVE / 4.0,
                    $t::EPSILON,
                    127.0,
                    128.0,
                    -128.0,
                    -129.0,
                    255.0,
                    256.0,
                    65_535.0,
                    65_536.0,
                    -32_769.0,
                    2_147_483_520.0,
                    2_147_483_648.0,
                    -2_147_483_904.0,
                    4_294_967_296.0,
                    (2.0 as $t).powi(63),
                    -(2.0 as $t).powi(63),
                    (2.0 as $t).powi(64),
                    1e30,
                    -1e30,
                    std::$t::consts::PI,
                    -std::$t::consts::FRAC_PI_2,
                ]
            }
            fn random(rng: &mut StdRng) -> Self {
                match rng.random_range(0..4) {
                    0 | 1 => rng.random_range(-100.0..100.0),
                    2 => {
                        let exponent: $t = rng.random_range(-30.0..30.0);
                        let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
                        sign * (10.0 as $t).powf(exponent)
                    }
                    _ => rng.random_range(-40i32..40) as $t * 0.5,
                }
            }
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn nan(self) -> bool {
                self.is_nan()
            }
            fn ulps(self, other: Self) -> u64 {
                if self.is_nan()
                    || other.is_nan()
                    || self.is_infinite()
                    || other.is_infinite()
                    || (self.is_sign_negative() != other.is_sign_negative()
                        && self != 0.0
                        && other != 0.0)
                {
                    return if self == other { 0 } else { u64::MAX };
                }
                let a = self.abs().to_bits() as $ibits;
                let b = other.abs().to_bits() as $ibits;
                (a - b).unsigned_abs() as u64
            }
            fn same(self, other: Self) -> bool {
                (self.is_nan() && other.is_nan()) || self.to_bits() == other.to_bits()
            }
            fn as_device_keeps(self) -> Self {
                if $flushable && flushes_f32_subnormals() && self.is_subnormal() {
                    (0.0 as $t).copysign(self)
                } else {
                    self
                }
            }
        }
    };
}

test_float!(f32, u32, i32, true);
test_float!(f64, u64, i64, false);

/// The special values of `T` the test's device keeps (no `f32` subnormals on a device that
/// flushes them).
pub fn float_specials<T: TestFloat>() -> Vec<T> {
    T::special()
        .into_iter()
        .filter(|&v| v.as_device_keeps().same(v))
        .collect()
}

/// The special values of `T`, then random values, `n` in all (at least the special values).
pub fn float_samples<T: TestFloat>(seed: u64, n: usize) -> Vec<T> {
    edge_then_random(seed, n, float_specials(), T::random)
}

/// Operand pairs: every pair of special values, then random pairs, `n` in all.
pub fn float_pairs<T: TestFloat>(seed: u64, n: usize) -> (Vec<T>, Vec<T>) {
    edge_pairs_then_random(seed, n, &float_specials(), T::random, 8)
}

// ---------------------------------------------------------------------------------------------
// Comparing device results with host references
// ---------------------------------------------------------------------------------------------

/// Asserts `got == want` element by element; `input(i)` describes element `i`'s inputs for the
/// message.
pub fn assert_eq_each<T: PartialEq + Debug>(
    what: &str,
    got: &[T],
    want: &[T],
    input: impl Fn(usize) -> String,
) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    let bad: Vec<usize> = (0..got.len()).filter(|&i| got[i] != want[i]).collect();
    if let Some(&i) = bad.first() {
        panic!(
            "{what}: {} of {} elements differ; first at {i} ({}): device {:?}, host {:?}",
            bad.len(),
            got.len(),
            input(i),
            got[i],
            want[i]
        );
    }
}

/// Asserts floats agree bit for bit (any NaN matches any NaN); a host result the device
/// flushes ([`TestFloat::as_device_keeps`]) must be the device's zero.
pub fn assert_same_each<T: TestFloat>(
    what: &str,
    got: &[T],
    want: &[T],
    input: impl Fn(usize) -> String,
) {
    let kept: Vec<T> = want.iter().map(|w| w.as_device_keeps()).collect();
    assert_bits_each(what, got, &kept, input);
}

/// Asserts floats agree bit for bit (any NaN matches any NaN), subnormals included even on a
/// device that flushes them in arithmetic: for results computed on the bits (`ldexp`).
pub fn assert_bits_each<T: TestFloat>(
    what: &str,
    got: &[T],
    want: &[T],
    input: impl Fn(usize) -> String,
) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    let bad: Vec<usize> = (0..got.len()).filter(|&i| !got[i].same(want[i])).collect();
    if let Some(&i) = bad.first() {
        panic!(
            "{what}: {} of {} elements differ; first at {i} ({}): device {:?}, expected {:?}",
            bad.len(),
            got.len(),
            input(i),
            got[i],
            want[i]
        );
    }
}

/// Asserts floats agree within `ulps` units in the last place or within `abs` (for results
/// near zero from cancellation); NaN must match NaN and infinities must match exactly.
pub fn assert_ulps_each<T: TestFloat>(
    what: &str,
    got: &[T],
    want: &[T],
    ulps: u64,
    abs: f64,
    input: impl Fn(usize) -> String,
) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    let ok = |g: T, w: T| {
        if g.nan() || w.nan() {
            return g.nan() && w.nan();
        }
        let (gf, wf) = (g.to_f64(), w.to_f64());
        if gf.is_infinite() || wf.is_infinite() {
            return gf == wf;
        }
        g.ulps(w) <= ulps || (gf - wf).abs() <= abs
    };
    let bad: Vec<usize> = (0..got.len())
        .filter(|&i| !ok(got[i], want[i]) && !ok(got[i], want[i].as_device_keeps()))
        .collect();
    if let Some(&i) = bad.first() {
        panic!(
            "{what}: {} of {} elements differ by more than {ulps} ulp; first at {i} ({}): device {:?}, host {:?}",
            bad.len(),
            got.len(),
            input(i),
            got[i],
            want[i]
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------

/// Set in the child process that runs one test of a test binary alone ([`in_child`]).
const CHILD: &str = "DPEX_TEST_CHILD";

/// Runs `body` in a child process: this test binary re-executed with only the test `name`
/// (`--exact`), so that a driver that crashes on the launch fails this test instead of killing
/// the whole suite. In the child (`DPEX_TEST_CHILD` set to `name`), runs `body` itself.
pub fn in_child(name: &str, body: impl FnOnce() -> dpex::Result<()>) -> dpex::Result<()> {
    in_child_with_env::<&str>(name, &[], body)
}

/// [`in_child`] with the environment variables `env` set in the child (for the runtime's
/// `DPEX_*` switches, which it reads from the environment).
pub fn in_child_with_env<V: AsRef<OsStr>>(
    name: &str,
    env: &[(&str, V)],
    body: impl FnOnce() -> dpex::Result<()>,
) -> dpex::Result<()> {
    if std::env::var_os(CHILD).is_some_and(|v| v == name) {
        return body();
    }
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("the test binary: {e}"));
    let mut child = std::process::Command::new(exe);
    child
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, name);
    for (key, value) in env {
        child.env(key, value);
    }
    let out = child
        .output()
        .unwrap_or_else(|e| panic!("running the child process of {name}: {e}"));
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success() && stdout.contains("test result: ok. 1 passed"),
        "the child process of {name} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    Ok(())
}
