//! The `dpex` command line tool: `dpex disasm` finds and prints the kernels a binary embeds (here,
//! this test binary's own).

use std::process::Command;

use dpex::prelude::*;

/// A kernel this binary embeds, for `dpex disasm` to find.
#[kernel]
fn cli_probe(item: Item<1>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] *= 2.0;
}

/// Runs `dpex` with `args`; its exit status and stdout.
fn dpex(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dpex"))
        .args(args)
        .output()
        .expect("run the dpex tool");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn disasm_prints_every_variant_of_a_binarys_kernels() {
    let me = std::env::current_exe().expect("the test binary's path");
    let me = me.to_str().expect("a UTF-8 path");
    let (ok, out, err) = dpex(&["disasm", me, "--kernel", "cli_probe"]);
    assert!(ok, "{err}");
    // The checked C-contiguous and strided variants and their proven twins, each for OpenCL
    // and for Vulkan.
    let headers = out
        .lines()
        .filter(|l| l.starts_with("; kernel cli_probe "))
        .count();
    assert_eq!(headers, 8, "{out}");
    assert_eq!(out.matches("OpEntryPoint Kernel").count(), 4, "{out}");
    assert_eq!(out.matches("OpEntryPoint GLCompute").count(), 4, "{out}");
    // The words printed are the kernel's own.
    let words = cli_probe.spirv().len();
    assert!(out.contains(&format!("({words} words")), "{out}");

    let (ok, _, err) = dpex(&["disasm", me, "--kernel", "no_such_kernel"]);
    assert!(!ok);
    assert!(
        err.contains("no SPIR-V module of a kernel `no_such_kernel`"),
        "{err}"
    );
    let (ok, _, err) = dpex(&["disasm", "/no/such/file"]);
    assert!(!ok);
    assert!(err.contains("/no/such/file"), "{err}");
}

/// `dpex devices` lists lavapipe (`vulkan:cpu:0`, installed by the test set-up) and the OpenCL
/// CPU device as usable, with the same columns; a missing device fails the test.
#[test]
fn devices_lists_the_vulkan_and_opencl_cpu_devices_as_usable() {
    let (ok, out, err) = dpex(&["devices"]);
    assert!(ok, "{err}");
    let header = out.lines().next().unwrap_or_default();
    for column in ["FILTER", "API", "TYPE", "NAME", "FEATURES", "DPEX"] {
        assert!(header.contains(column), "no column {column}: {out}");
    }
    for (filter, api) in [("vulkan:cpu:0", "vulkan"), ("opencl:", "opencl")] {
        let usable = out.lines().any(|l| {
            let mut fields = l.split_whitespace();
            fields.next().is_some_and(|f| f.starts_with(filter))
                && fields.next() == Some(api)
                && fields.next() == Some("cpu")
                && l.trim_end().ends_with("usable")
                && !l.contains("NOT usable")
        });
        assert!(usable, "no usable {filter} cpu device listed:\n{out}");
    }
}
