//! The accuracy of the math functions on the test's device (`DPEX_DEVICE`, else the OpenCL
//! CPU device): every function and precision over 2^20 inputs, through one `#[kernel]` per
//! function, against the host's libm, in ulps. Asserts each bound. `DPEX_BLESS=1` writes the
//! device's table into its section of `MATH.md` at the repository root (leaving the other
//! devices' sections as they are); `DPEX_MATH_TABLE=<path>` writes that section to `<path>`.

mod cases;
#[path = "../common/mod.rs"]
mod common;
mod harness;
mod inputs;

use std::fmt::Write;
use std::path::Path;
use std::time::Instant;

use dpex::prelude::*;
use dpex_abi::Api;
use dpex_spirv::ir::{MathFunction as M, Scalar};

use cases::{cases, Case};
use harness::{integer_operand, run_on_device, worst, Precision, Worst};

/// Inputs per (function, precision).
const INPUTS: usize = 1 << 20;

/// One measured row of the table.
struct Row {
    case: Case,
    inputs: usize,
    worst: Worst,
    /// The bound asserted on this device ([`bound`]).
    bound: f64,
}

/// The bound of `case` on a device of `api`. Vulkan kernels call dpex's IR library, held to
/// the case's bound (f64: 2 ulp where the reference allows; f32: OpenCL's full profile).
/// OpenCL kernels call the driver's `OpenCL.std` (but `powi`), held to the OpenCL full
/// profile's bound for that function (OpenCL 3.0, section 7.4), which is the same in f32 and
/// f64, or the case's when that is looser (a reference's own error).
fn bound(case: &Case, api: Api) -> f64 {
    use dpex_spirv::ir::MathFunction as M;
    let opencl = match case.fun {
        M::Exp | M::Exp2 | M::Ln | M::Log2 | M::Log10 => 3.0,
        M::Sin | M::Cos | M::Tan | M::Asin | M::Acos => 4.0,
        M::Sinh | M::Cosh | M::Tanh | M::Hypot => 4.0,
        M::Asinh | M::Acosh | M::Atanh => 4.0,
        M::ExpM1 => 3.0,
        M::Ln1p => 2.0,
        M::Atan => 5.0,
        M::Atan2 => 6.0,
        M::Cbrt => 2.0,
        M::Powf | M::Erf | M::Erfc | M::Gamma => 16.0,
        // OpenCL leaves `lgamma`'s accuracy undefined: the case's bound.
        // `fma`, `copysign` and `ldexp` are exact; `powi` is dpex's library on both APIs.
        _ => 0.0,
    };
    match api {
        Api::OpenCl => case.bound.max(opencl),
        Api::Vulkan => case.bound,
    }
}

/// `x` (a value of `f32`) as a device that flushes `f32` subnormals sees it: a subnormal
/// becomes a zero of its sign.
fn flush_f32(x: f64) -> f64 {
    let narrow = x as f32;
    if narrow.is_subnormal() {
        0.0f64.copysign(x)
    } else {
        x
    }
}

/// Runs `case` on the device of `queue` in precision `T`. On a device that may flush `f32`
/// subnormals (`Device::keeps_f32_subnormals` false), subnormal `f32` operands read as zero and
/// a subnormal result may be zero (the H200 flushes them in arithmetic and conversions from
/// `f32`, not in conversions to it): that documented behaviour is what is measured against.
fn measure<T: Precision>(queue: &Queue, case: &Case) -> dpex::Result<(usize, Worst)> {
    let flush = T::SCALAR == Scalar::F32 && !queue.device().keeps_f32_subnormals();
    let as_seen = |x: f64| if flush { flush_f32(x) } else { x };
    // The operands exactly as the device gets them: floats rounded to `T`, integers exact.
    let args: Vec<Vec<f64>> = (case.inputs)(case.ty, INPUTS)
        .into_iter()
        .enumerate()
        .map(|(k, a)| {
            if integer_operand(case.fun, k) {
                a
            } else {
                a.into_iter()
                    .map(|x| as_seen(T::narrow(x).wide()))
                    .collect()
            }
        })
        .collect();
    let got = run_on_device::<T>(queue, case.fun, &args)?;
    // Flushing f32 arithmetic flushes powi's intermediate products too: the host's repeated
    // squaring, flushed after each step, is that device's exact result.
    let reference = |operands: &[f64]| match case.fun {
        M::Powi if flush => f64::from(powi_flushed(operands[0] as f32, operands[1] as i32)),
        _ => (case.reference)(operands),
    };
    // Also right: the flushed result on a flushing device, else the second reference.
    let also_right = |operands: &[f64], exact: f64| match case.second {
        _ if flush => as_seen(exact),
        Some(second) => second(operands),
        None => exact,
    };
    Ok((got.len(), worst(&args, &got, reference, also_right)))
}

/// `x.powi(n)` by compiler-rt's repeated squaring (as the host and the library compute it), each
/// product's subnormal result flushed to zero, as a device that flushes `f32` subnormals does.
fn powi_flushed(mut x: f32, n: i32) -> f32 {
    let flushed = |v: f32| {
        if v.is_subnormal() {
            0.0f32.copysign(v)
        } else {
            v
        }
    };
    let mut r = 1.0f32;
    let mut b = n;
    loop {
        if b & 1 != 0 {
            r = flushed(r * x);
        }
        b /= 2;
        if b == 0 {
            break;
        }
        x = flushed(x * x);
    }
    if n < 0 {
        flushed(1.0 / r)
    } else {
        r
    }
}

#[test]
fn math_functions_meet_their_bounds_on_the_device() -> dpex::Result<()> {
    let queue = common::queue();
    let device = queue.device();
    // Both target devices have f64: a device without it fails here rather than skipping.
    assert!(
        device.has_fp64(),
        "{} has no f64: the accuracy table needs it",
        device.name()
    );
    let start = Instant::now();
    let mut rows = vec![];
    for case in cases() {
        let (inputs, worst) = match case.ty {
            Scalar::F32 => measure::<f32>(&queue, &case)?,
            _ => measure::<f64>(&queue, &case)?,
        };
        eprintln!(
            "{} {}: {inputs} inputs, max {} ulp at {:?} (got {:e}, want {:e}), {:.1?}",
            case.name,
            case.ty,
            worst.ulps,
            worst.at,
            worst.got,
            worst.want,
            start.elapsed()
        );
        rows.push(Row {
            bound: bound(&case, device.api()),
            case,
            inputs,
            worst,
        });
    }
    let section = section(device, &rows);
    if let Some(path) = std::env::var_os("DPEX_MATH_TABLE") {
        std::fs::write(&path, &section).expect("write DPEX_MATH_TABLE");
    }
    if std::env::var_os("DPEX_BLESS").is_some() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("MATH.md");
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        std::fs::write(&path, bless(&old, &section)).expect("write MATH.md");
    }
    let failures: Vec<String> = rows
        .iter()
        .filter(|r| r.worst.ulps.partial_cmp(&r.bound).is_none_or(|o| o.is_gt()))
        .map(|r| {
            format!(
                "{} {}: {} ulp > {} at {:?} (got {:e}, want {:e})",
                r.case.name,
                r.case.ty,
                r.worst.ulps,
                r.bound,
                r.worst.at,
                r.worst.got,
                r.worst.want
            )
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}

/// The heading of `device`'s section of `MATH.md`: its name and selector.
fn heading(device: &Device) -> String {
    format!("## {} ({})", device.name(), device.filter_string())
}

/// `device`'s section of `MATH.md`: its heading, what its kernels call, and the table.
fn section(device: &Device, rows: &[Row]) -> String {
    let mut s = heading(device);
    s.push_str("\n\n");
    s.push_str(match device.api() {
        Api::OpenCl => {
            "Through OpenCL: the kernels call `OpenCL.std`, the driver's own functions (`powi`: dpex's library).\n"
        }
        Api::Vulkan => {
            "Through Vulkan: the kernels call dpex's IR math library (`dpex_spirv::math`).\n"
        }
    });
    if !device.keeps_f32_subnormals() {
        s.push_str(
            "The device may flush `f32` subnormals (no `shaderDenormPreserveFloat32`): \
             subnormal `f32` operands are measured as zeros, a subnormal result may be zero, \
             and `powi`'s reference flushes its products.\n",
        );
    }
    s.push('\n');
    s.push_str(
        "| function | precision | inputs | max error (ulp) | bound (ulp) | where (operands) |\n",
    );
    s.push_str("| --- | --- | --- | --- | --- | --- |\n");
    for r in rows {
        let at: Vec<String> = r.worst.at.iter().map(|x| format!("{x:e}")).collect();
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {:.3} | {} | {} |",
            r.case.name,
            r.case.ty,
            r.inputs,
            r.worst.ulps,
            r.bound,
            at.join(", ")
        );
    }
    s
}

/// `MATH.md` (`old`) with the current header and `section` in place of the section of the
/// same heading (appended when there is none); the other sections stay as they are.
fn bless(old: &str, section: &str) -> String {
    let heading = section.lines().next().unwrap_or_default();
    let mut sections: Vec<String> = vec![];
    for line in old.lines() {
        if line.starts_with("## ") || sections.is_empty() {
            sections.push(String::new());
        }
        if let Some(last) = sections.last_mut() {
            last.push_str(line);
            last.push('\n');
        }
    }
    // The first part is the header, replaced by the current one.
    let mut devices: Vec<String> = sections
        .into_iter()
        .filter(|s| s.starts_with("## "))
        .map(|s| s.trim_end().to_owned() + "\n")
        .collect();
    match devices
        .iter_mut()
        .find(|s| s.lines().next() == Some(heading))
    {
        Some(existing) => *existing = section.to_owned(),
        None => devices.push(section.to_owned()),
    }
    let mut out = include_str!("header.md").trim_end().to_owned() + "\n";
    for s in devices {
        out.push('\n');
        out.push_str(&s);
    }
    out
}

#[test]
fn blessing_replaces_only_the_device_section() {
    let header = include_str!("header.md").trim_end();
    let a = "## A (opencl:cpu:0)\n\nold a\n";
    let b = "## B (vulkan:cpu:0)\n\nold b\n";
    let old = format!("# stale header\n\ntext\n\n{a}\n{b}");
    let new_b = "## B (vulkan:cpu:0)\n\nnew b\n";
    assert_eq!(bless(&old, new_b), format!("{header}\n\n{a}\n{new_b}"));
    let c = "## C (vulkan:gpu:0)\n\nc\n";
    assert_eq!(bless(&old, c), format!("{header}\n\n{a}\n{b}\n{c}"));
    assert_eq!(bless("", c), format!("{header}\n\n{c}"));
}
