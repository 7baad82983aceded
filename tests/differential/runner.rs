//! The differential test's runner (copied into the generated crate as `src/runner.rs`):
//! launches every generated kernel on the OpenCL device over seeded inputs (each type's edge
//! values, then random values, from `tests/common`), calls the same function on the host,
//! compares the results and prints one line per mismatch and a summary line.

use crate::common::{self, TestFloat, TestInt};
use dpex::prelude::*;
use rand::rngs::StdRng;
use rand::Rng;
use std::fmt::Debug;
use std::time::Instant;

/// The number of elements (rows of inputs) each kernel runs on.
pub const ROWS: usize = 64;

/// Of these, the first rows take their inputs from the types' edge values.
const EDGE_ROWS: usize = 24;

/// One generated function and its kernel: runs both on seeded inputs and describes the first
/// disagreement (or the launch error), if any.
pub struct Case {
    /// The function's name (`f_<index>`).
    pub name: &'static str,
    /// Runs the case on a queue with the inputs' seed.
    pub run: fn(&Queue, u64) -> Option<String>,
}

/// A scalar type the kernels take and return, with its test data from `tests/common`.
pub trait Value: dpex::Element + Copy + Debug {
    /// The type's edge values.
    fn edge() -> Vec<Self>;
    /// A random value.
    fn random(rng: &mut StdRng) -> Self;
    /// Whether a device result agrees with the host's within `ulps`.
    fn agrees(device: Self, host: Self, ulps: u64) -> bool;

    /// `ROWS` inputs: edge values in random order, then random values.
    fn samples(seed: u64) -> Vec<Self> {
        let mut rng = common::rng(seed);
        let edge = Self::edge();
        (0..ROWS)
            .map(|row| {
                if row < EDGE_ROWS {
                    edge[rng.random_range(0..edge.len())]
                } else {
                    Self::random(&mut rng)
                }
            })
            .collect()
    }
}

/// Implements [`Value`] for `$t` from the test data of trait `$data` (its edge values come
/// from `$edge`) with the comparison `$agrees(device, host, ulps)`.
macro_rules! value {
    ($data:ident::$edge:ident, $agrees:expr; $($t:ty),*) => {$(
        impl Value for $t {
            fn edge() -> Vec<Self> {
                <$t as $data>::$edge()
            }
            fn random(rng: &mut StdRng) -> Self {
                <$t as $data>::random(rng)
            }
            fn agrees(device: Self, host: Self, ulps: u64) -> bool {
                ($agrees)(device, host, ulps)
            }
        }
    )*};
}

value!(TestInt::boundary, |device: Self, host: Self, _| device == host;
    i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);
value!(TestFloat::special, |device, host, ulps| float_agrees(device, host, ulps, Self::MIN, Self::MAX);
    f32, f64);

/// Bit for bit (any NaN matching any NaN) when `ulps` is 0; else within `ulps`, where an
/// infinity also matches a finite value within `ulps` of the finite extreme of its sign
/// (`min` or `max`): a product that overflows on one side only.
fn float_agrees<T: TestFloat + Copy>(device: T, host: T, ulps: u64, min: T, max: T) -> bool {
    if ulps == 0 || device.nan() || host.nan() {
        return device.same(host);
    }
    let (d, h) = (device.to_f64(), host.to_f64());
    if d.is_infinite() != h.is_infinite() {
        let (finite, infinite) = if d.is_infinite() {
            (host, d)
        } else {
            (device, h)
        };
        let extreme = if infinite < 0.0 { min } else { max };
        return finite.ulps(extreme) <= ulps;
    }
    device.ulps(host) <= ulps
}

/// The first row where device and host results disagree, described with the row's inputs.
pub fn first_mismatch<T: Value>(
    device: &[T],
    host: &[T],
    ulps: u64,
    inputs: impl Fn(usize) -> String,
) -> Option<String> {
    (0..host.len())
        .find(|&row| !T::agrees(device[row], host[row], ulps))
        .map(|row| {
            format!(
                "row {row} ({}): device {:?}, host {:?} (allowed: {ulps} ulp)",
                inputs(row),
                device[row],
                host[row]
            )
        })
}

/// A [`Case`] for function `$f` and kernel `$k` of module `$m` with parameters `$p` of types `$t`, result
/// type `$r` and ulp bound `$ulps`.
macro_rules! case {
    ($m:ident, $f:ident, $k:ident, $ulps:expr, ($($p:ident: $t:ty),*) -> $r:ty) => {
        $crate::runner::Case {
            name: stringify!($f),
            run: {
                fn run(q: &Queue, seed: u64) -> Option<String> {
                    let mut salt = seed;
                    $(
                        salt = salt.wrapping_add(1);
                        let $p = <$t as $crate::runner::Value>::samples(salt);
                    )*
                    let host: Vec<$r> = (0..$crate::runner::ROWS).map(|row| $m::$f($($p[row]),*)).collect();
                    let device = (|| -> dpex::Result<Vec<$r>> {
                        $( let $p = Tensor::from_slice(q, &$p)?; )*
                        let mut out = Tensor::<$r>::zeros(q, $crate::runner::ROWS)?;
                        $m::$k.launch(Range::new([$crate::runner::ROWS]), ($(&$p,)* &mut out))?.wait()?;
                        out.to_vec()
                    })();
                    match device {
                        Err(e) => Some(format!("launch failed: {e}")),
                        Ok(device) => $crate::runner::first_mismatch(&device, &host, $ulps, |row| {
                            let mut s = String::new();
                            $( s.push_str(&format!("{} = {:?} ", stringify!($p), $p[row])); )*
                            s
                        }),
                    }
                }
                run
            },
        }
    };
}

/// Runs every case (or those named in `DPEX_DIFF_ONLY`, separated by commas) on the device
/// of `common::queue` and prints the mismatches and the summary; exits with status 1 on a
/// mismatch (and panics without a device).
pub fn main(seed: u64, cases: &[Case]) {
    let only: Option<Vec<String>> = std::env::var("DPEX_DIFF_ONLY")
        .ok()
        .map(|names| names.split(',').map(str::to_owned).collect());
    let q = common::queue();
    let start = Instant::now();
    let (mut compared, mut mismatches) = (0, 0);
    for (index, case) in cases.iter().enumerate() {
        if only
            .as_ref()
            .is_some_and(|names| !names.iter().any(|n| n == case.name))
        {
            continue;
        }
        compared += 1;
        if let Some(what) = (case.run)(&q, seed ^ index as u64) {
            mismatches += 1;
            println!("mismatch {}: {what}", case.name);
        }
    }
    println!(
        "differential: {compared} kernels compared ({ROWS} rows each), {mismatches} mismatched, {:.1} s",
        start.elapsed().as_secs_f64()
    );
    if mismatches > 0 {
        std::process::exit(1);
    }
}
