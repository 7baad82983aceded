//! The differential test's runner (copied into the generated crate as `src/runner.rs`):
//! launches every generated kernel on the OpenCL device over seeded inputs (each type's edge
//! values, then random values), calls the same function on the host, compares the results and
//! prints one line per mismatch and a summary line.

use dpex::prelude::*;
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

/// A splitmix64 step: the inputs' generator.
pub fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A scalar type the kernels take and return.
pub trait Value: dpex::Element + Copy + Debug {
    /// The type's edge values.
    fn edge() -> Vec<Self>;
    /// A random value.
    fn random(state: &mut u64) -> Self;
    /// Whether a device result agrees with the host's within `ulps`.
    fn agrees(device: Self, host: Self, ulps: u64) -> bool;

    /// `ROWS` inputs: edge values in random order, then random values.
    fn samples(seed: u64) -> Vec<Self> {
        let mut state = seed;
        let edge = Self::edge();
        (0..ROWS)
            .map(|row| {
                if row < EDGE_ROWS {
                    edge[next(&mut state) as usize % edge.len()]
                } else {
                    Self::random(&mut state)
                }
            })
            .collect()
    }
}

macro_rules! int_value {
    ($($t:ty),*) => {$(
        impl Value for $t {
            #[allow(unused_comparisons)]
            fn edge() -> Vec<Self> {
                let mut v = vec![<$t>::MIN, <$t>::MAX, 0, 1, 2, 7, <$t>::MAX - 1, <$t>::MIN + 1];
                if <$t>::MIN < 0 {
                    v.extend([(0 as $t).wrapping_sub(1), (0 as $t).wrapping_sub(2)]);
                }
                v
            }
            fn random(state: &mut u64) -> Self {
                let r = next(state);
                if r & 1 == 0 {
                    (r >> 1) as $t
                } else {
                    (((r >> 1) % 601) as i64 - 300) as $t
                }
            }
            fn agrees(device: Self, host: Self, _ulps: u64) -> bool {
                device == host
            }
        }
    )*};
}

int_value!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

macro_rules! float_value {
    ($t:ident, $bits:ty) => {
        impl Value for $t {
            fn edge() -> Vec<Self> {
                vec![
                    0.0,
                    -0.0,
                    1.0,
                    -1.0,
                    0.5,
                    -2.5,
                    $t::NAN,
                    $t::INFINITY,
                    $t::NEG_INFINITY,
                    $t::MAX,
                    $t::MIN,
                    $t::MIN_POSITIVE,
                    $t::MIN_POSITIVE / 8.0,
                    $t::EPSILON,
                    1e30,
                    -4_294_967_296.0,
                    std::$t::consts::PI,
                ]
            }
            fn random(state: &mut u64) -> Self {
                let r = next(state);
                let unit = (r >> 11) as $t / (1u64 << 53) as $t;
                match r % 3 {
                    0 => (unit - 0.5) * 200.0,
                    1 => ((unit - 0.5) * 60.0).exp() * if r & 8 == 0 { 1.0 } else { -1.0 },
                    _ => ((r >> 3) % 81) as $t * 0.5 - 20.0,
                }
            }
            fn agrees(device: Self, host: Self, ulps: u64) -> bool {
                if device.is_nan() || host.is_nan() {
                    return device.is_nan() && host.is_nan();
                }
                if ulps == 0 {
                    return device.to_bits() == host.to_bits();
                }
                if device.is_infinite() || host.is_infinite() {
                    // Past the largest finite value on one side only: near MAX.
                    let (inf, other) = if device.is_infinite() {
                        (device, host)
                    } else {
                        (host, device)
                    };
                    return inf == other
                        || (other.is_finite()
                            && other.is_sign_negative() == inf.is_sign_negative()
                            && $t::MAX.to_bits() - other.abs().to_bits() <= ulps as $bits);
                }
                if device.is_sign_negative() != host.is_sign_negative()
                    && device != 0.0
                    && host != 0.0
                {
                    return false;
                }
                device.abs().to_bits().abs_diff(host.abs().to_bits()) as u64 <= ulps
            }
        }
    };
}

float_value!(f32, u32);
float_value!(f64, u64);

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
                    $( let $p = <$t as $crate::runner::Value>::samples($crate::runner::next(&mut salt)); )*
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
/// (`DPEX_DEVICE` selects it; the Intel OpenCL CPU device by default) and prints the
/// mismatches and the summary; exits with status 1 on a mismatch and 2 without a device.
pub fn main(seed: u64, cases: &[Case]) {
    let only: Option<Vec<String>> = std::env::var("DPEX_DIFF_ONLY")
        .ok()
        .map(|names| names.split(',').map(str::to_owned).collect());
    let device = match std::env::var("DPEX_DEVICE") {
        Ok(selector) => Device::select(&selector),
        Err(_) => Device::select("cpu"),
    };
    let q = match device.and_then(|d| Queue::new(&d)) {
        Ok(q) => q,
        Err(e) => {
            eprintln!("differential: no usable OpenCL device: {e}");
            std::process::exit(2);
        }
    };
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
