//! Golden SPIR-V of the example kernels: the disassembly must match the checked-in `.spvasm`
//! snapshot (a change to the emitter shows up as a diff) and must pass `spirv-val`.
//!
//! After an intended emitter change: `DPEX_BLESS=1 cargo test --test golden`, then review the
//! diff of `tests/golden/`.

#[path = "../examples/histogram.rs"]
#[allow(dead_code)]
mod histogram_example;
#[path = "../examples/mandelbrot.rs"]
#[allow(dead_code)]
mod mandelbrot_example;
#[path = "../examples/matmul_tiled.rs"]
#[allow(dead_code)]
mod matmul_tiled_example;
#[path = "../examples/pairwise_distance.rs"]
#[allow(dead_code)]
mod pairwise_distance_example;
#[path = "../examples/reduction.rs"]
#[allow(dead_code)]
mod reduction_example;
#[path = "../examples/saxpy.rs"]
#[allow(dead_code)]
mod saxpy_example;
#[path = "../examples/vector_add.rs"]
#[allow(dead_code)]
mod vector_add_example;

use std::path::PathBuf;
use std::process::Command;

fn check_golden(name: &str, words: &[u32]) {
    let text = match dpex_spirv::disasm::disassemble(words) {
        Ok(t) => t,
        Err(e) => panic!("{name}: cannot disassemble: {e}"),
    };
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/{name}.spvasm"));
    if std::env::var_os("DPEX_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("golden folder"))
            .expect("create tests/golden");
        std::fs::write(&path, &text).expect("write snapshot");
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (create it with DPEX_BLESS=1)", path.display()));
    assert_eq!(
        text,
        expected,
        "{name}: emitted SPIR-V differs from {}",
        path.display()
    );
    validate(name, words);
}

fn validate(name: &str, words: &[u32]) {
    let file = std::env::temp_dir().join(format!("dpex-golden-{}-{name}.spv", std::process::id()));
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    std::fs::write(&file, bytes).expect("write temporary module");
    let output = Command::new("spirv-val")
        .args(["--target-env", "opencl2.2"])
        .arg(&file)
        .output();
    let _ = std::fs::remove_file(&file);
    match output {
        Ok(out) => assert!(
            out.status.success(),
            "{name}: spirv-val rejects the module:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!("spirv-val cannot run ({e}): run scripts/setup-test-tools.sh (apt-get install spirv-tools)"),
    }
}

#[test]
fn saxpy_spirv_matches_snapshot() {
    check_golden("saxpy", saxpy_example::saxpy.spirv());
}

#[test]
fn vector_add_spirv_matches_snapshot() {
    check_golden("vector_add", vector_add_example::vector_add.spirv());
}

#[test]
fn pairwise_distance_spirv_matches_snapshot() {
    check_golden(
        "pairwise_distance",
        pairwise_distance_example::pairwise_distance.spirv(),
    );
}

#[test]
fn mandelbrot_spirv_matches_snapshot() {
    for (name, dtype) in [
        ("mandelbrot_f32", dpex::DType::F32),
        ("mandelbrot_f64", dpex::DType::F64),
    ] {
        let spec = mandelbrot_example::mandelbrot
            .spec_for(&[dtype])
            .unwrap_or_else(|| panic!("no {dtype} instance of mandelbrot"));
        check_golden(name, spec.spirv);
    }
}

#[test]
fn reduction_spirv_matches_snapshot() {
    check_golden("reduce_sum", reduction_example::reduce_sum.spirv());
}

#[test]
fn histogram_spirv_matches_snapshot() {
    check_golden("histogram_256", histogram_example::histogram_256.spirv());
}

#[test]
fn matmul_tiled_spirv_matches_snapshot() {
    check_golden("matmul_tiled", matmul_tiled_example::matmul_tiled.spirv());
}

/// The example kernels' variants that launches fitting their tensors run: the checks the launch
/// proves are left out (see SAFETY.md, "Checks proven at launch").
fn proven_examples() -> Vec<(&'static str, &'static dpex::KernelSpec)> {
    use dpex::DType;
    let proven = [
        ("saxpy", saxpy_example::saxpy.proven_spec()),
        ("vector_add", vector_add_example::vector_add.proven_spec()),
        ("reduce_sum", reduction_example::reduce_sum.proven_spec()),
        (
            "histogram_256",
            histogram_example::histogram_256.proven_spec(),
        ),
        (
            "matmul_tiled",
            matmul_tiled_example::matmul_tiled.proven_spec(),
        ),
        (
            "pairwise_distance",
            pairwise_distance_example::pairwise_distance.proven_spec(),
        ),
        (
            "mandelbrot_f32",
            mandelbrot_example::mandelbrot.proven_spec_for(&[DType::F32]),
        ),
    ];
    proven
        .into_iter()
        .map(|(name, spec)| {
            (
                name,
                spec.unwrap_or_else(|| panic!("{name}: no proven variant")),
            )
        })
        .collect()
}

#[test]
fn proven_variants_match_snapshots() {
    for (name, spec) in proven_examples() {
        check_golden(&format!("{name}.proven"), spec.spirv);
    }
}

/// Every example kernel has a variant whose launches need no run-time check at all (what the
/// README claims): each index is bounded by the launch.
#[test]
fn every_example_kernel_can_run_without_checks() {
    for (name, spec) in proven_examples() {
        assert!(!spec.reports_errors, "{name}: some checks cannot be proven");
    }
}
