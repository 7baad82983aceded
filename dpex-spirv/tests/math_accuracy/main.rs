//! The math library (`dpex_spirv::math::library`) on the OpenCL CPU device: every function
//! and precision over at least 10^6 inputs, against the host's libm, in ulps. Asserts each
//! bound; `DPEX_BLESS=1` also writes the measured table to `MATH.md` at the repository root.

mod cases;
#[path = "../common/mod.rs"]
mod common;
mod harness;
mod inputs;

use std::fmt::Write;
use std::time::Instant;

use dpex_spirv::ir::{MathFunction, Scalar};
use dpex_spirv::math::library;

use cases::{cases, Case};
use harness::{run_on_device, worst, Float, Worst};

/// Inputs per (function, precision).
const INPUTS: usize = 1 << 20;

/// One measured row of the table.
struct Row {
    case: Case,
    inputs: usize,
    worst: Worst,
}

fn measure<T: Float>(case: &Case) -> (usize, Worst) {
    let args = (case.inputs)(case.ty, INPUTS);
    let typed: Vec<Vec<T>> = args
        .iter()
        .map(|a| a.iter().map(|&x| T::narrow(x)).collect())
        .collect();
    let got = run_on_device(case.fun, &typed);
    (got.len(), worst(&typed, &got, case.reference))
}

#[test]
fn every_library_function_is_self_contained_valid_ir() {
    for case in cases() {
        let function = library(case.fun, case.ty).expect("implemented");
        assert_eq!(function.name, format!("__dpex_{}_{}", case.name, case.ty));
        assert_eq!(function.result, Some(case.ty));
        let module = dpex_spirv::ir::Module {
            functions: vec![function],
            kernels: vec![],
        };
        assert_eq!(
            dpex_spirv::check::check_module(&module),
            Ok(()),
            "{}",
            case.name
        );
    }
    assert_eq!(library(MathFunction::Powi, Scalar::F64), None);
    assert_eq!(library(MathFunction::MulAdd, Scalar::I32), None);
}

#[test]
fn library_functions_meet_their_bounds_on_the_device() {
    let start = Instant::now();
    let mut rows = vec![];
    for case in cases() {
        let (inputs, worst) = match case.ty {
            Scalar::F32 => measure::<f32>(&case),
            _ => measure::<f64>(&case),
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
            case,
            inputs,
            worst,
        });
    }
    if std::env::var_os("DPEX_BLESS").is_some() {
        write_table(&rows);
    }
    let failures: Vec<String> = rows
        .iter()
        .filter(|r| {
            r.worst.ulps.partial_cmp(&r.case.bound) != Some(std::cmp::Ordering::Less)
                && r.worst.ulps != r.case.bound
        })
        .map(|r| {
            format!(
                "{} {}: {} ulp > {} at {:?} (got {:e}, want {:e})",
                r.case.name,
                r.case.ty,
                r.worst.ulps,
                r.case.bound,
                r.worst.at,
                r.worst.got,
                r.worst.want
            )
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Writes `MATH.md`: the measured table.
fn write_table(rows: &[Row]) {
    let mut s = String::new();
    s.push_str(include_str!("header.md"));
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
            r.case.bound,
            at.join(", ")
        );
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../MATH.md");
    std::fs::write(&path, s).expect("write MATH.md");
}
