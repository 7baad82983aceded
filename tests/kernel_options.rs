//! The floating-point options of `#[kernel(...)]`: `contract` lets the driver fuse `a * b + c`
//! into one rounding (the SPIR-V leaves out `ContractionOff`), `fast_math` builds with
//! `-cl-fast-relaxed-math`. The default is Rust's semantics: no fusion, IEEE results.

mod common;

use common::{in_child_with_env, nonzero_f32, queue, rng};
use dpex::prelude::*;

/// `out[i] = a[i] * b[i] + c[i]`, built with the given kernel options.
macro_rules! axpb_kernel {
    ($name:ident $(, $option:ident)?) => {
        #[kernel $(($option))?]
        fn $name(
            item: Item<1>,
            a: &Tensor<f32>,
            b: &Tensor<f32>,
            c: &Tensor<f32>,
            out: &mut Tensor<f32>,
        ) {
            let i = item.get_id(0);
            out[i] = a[i] * b[i] + c[i];
        }
    };
}

axpb_kernel!(axpb);
axpb_kernel!(axpb_contract, contract);
axpb_kernel!(axpb_fast, fast_math);

/// Inputs whose product and sum round differently fused and unfused for many elements.
fn inputs(n: usize) -> [Vec<f32>; 3] {
    let a = nonzero_f32(&mut rng(31), n);
    let b = nonzero_f32(&mut rng(32), n);
    let c: Vec<f32> = a.iter().zip(&b).map(|(x, y)| -(x * y) * 0.999).collect();
    [a, b, c]
}

/// `kernel`'s results over the inputs.
fn run(
    launch: impl Fn(&Tensor<f32>, &Tensor<f32>, &Tensor<f32>, &mut Tensor<f32>) -> dpex::Result<()>,
    [a, b, c]: &[Vec<f32>; 3],
) -> dpex::Result<Vec<f32>> {
    let q = queue();
    let (da, db, dc) = (
        Tensor::from_slice(&q, a)?,
        Tensor::from_slice(&q, b)?,
        Tensor::from_slice(&q, c)?,
    );
    let mut out = Tensor::<f32>::zeros(&q, a.len())?;
    launch(&da, &db, &dc, &mut out)?;
    out.to_vec()
}

#[test]
fn the_default_never_fuses_and_contract_may() -> dpex::Result<()> {
    let n = 4099;
    let data = inputs(n);
    let [a, b, c] = &data;
    let unfused: Vec<f32> = (0..n).map(|i| a[i] * b[i] + c[i]).collect();
    let fused: Vec<f32> = (0..n).map(|i| a[i].mul_add(b[i], c[i])).collect();
    assert!(
        unfused.iter().zip(&fused).filter(|(u, f)| u != f).count() > n / 10,
        "the inputs must tell fused from unfused"
    );

    let has_contraction_off =
        |spec| dpex::disassemble(spec).is_ok_and(|text| text.contains("ContractionOff"));
    assert!(has_contraction_off(axpb.spec()));
    assert!(!has_contraction_off(axpb_contract.spec()));

    let range = Range::new([n]);
    let strict = run(
        |a, b, c, out| axpb.launch(range, (a, b, c, out))?.wait(),
        &data,
    )?;
    assert_eq!(strict, unfused, "the default build is Rust's a * b + c");
    let contracted = run(
        |a, b, c, out| axpb_contract.launch(range, (a, b, c, out))?.wait(),
        &data,
    )?;
    for i in 0..n {
        assert!(
            contracted[i] == unfused[i] || contracted[i] == fused[i],
            "element {i}: {} is neither a * b + c ({}) nor a.mul_add(b, c) ({})",
            contracted[i],
            unfused[i],
            fused[i]
        );
    }
    Ok(())
}

#[test]
fn fast_math_builds_with_relaxed_math() -> dpex::Result<()> {
    assert_eq!(axpb_fast.spec().build_options, "-cl-fast-relaxed-math");
    assert_eq!(axpb.spec().build_options, "");
    let n = 1025;
    let data = inputs(n);
    let [a, b, c] = &data;
    let got = run(
        |a, b, c, out| axpb_fast.launch(Range::new([n]), (a, b, c, out))?.wait(),
        &data,
    )?;
    for i in 0..n {
        // Relaxed math may fuse or reassociate: within the rounding of the terms.
        let scale = (a[i] * b[i]).abs() + c[i].abs();
        let want = f64::from(a[i]) * f64::from(b[i]) + f64::from(c[i]);
        assert!(
            (f64::from(got[i]) - want).abs() <= 1e-6 * f64::from(scale),
            "element {i}: {} against {want}",
            got[i]
        );
    }
    Ok(())
}

#[kernel]
fn dumped_double(item: Item<1>, x: &mut Tensor<f32>) {
    let i = item.get_id(0);
    x[i] *= 2.0;
}

/// `DPEX_DUMP_SPIRV=<dir>` writes the module the test's device builds, in its backend's
/// flavour (a `Kernel` entry point for OpenCL, `GLCompute` for Vulkan), named after the
/// kernel; run in a child process, since the runtime reads the variable from the environment.
#[test]
fn dump_spirv_writes_the_module_the_device_builds() -> dpex::Result<()> {
    let name = "dump_spirv_writes_the_module_the_device_builds";
    let dir = std::env::temp_dir().join(format!("dpex-dump-{}", std::process::id()));
    in_child_with_env(name, &[("DPEX_DUMP_SPIRV", &dir)], || {
        let q = queue();
        let values = nonzero_f32(&mut rng(77), 97);
        let mut x = Tensor::from_slice(&q, &values)?;
        dumped_double.launch(Range::new([97]), (&mut x,))?.wait()?;
        let want: Vec<f32> = values.iter().map(|v| v * 2.0).collect();
        assert_eq!(x.to_vec()?, want);
        let dir = std::env::var_os("DPEX_DUMP_SPIRV").expect("set by the parent");
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{dir:?}: {e}"))
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| {
                let file = path.file_name().unwrap_or_default().to_string_lossy();
                file.starts_with("dumped_double-") && file.ends_with(".spv")
            })
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let bytes = std::fs::read(&files[0]).unwrap_or_else(|e| panic!("{:?}: {e}", files[0]));
        let words: Vec<u32> = bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(words.first(), Some(&0x0723_0203), "the SPIR-V magic number");
        // The first OpEntryPoint (opcode 15): its execution model is the backend's.
        let mut at = 5;
        let model = loop {
            let Some(&word) = words.get(at) else {
                panic!("no OpEntryPoint in {:?}", files[0])
            };
            if word & 0xffff == 15 {
                break words[at + 1];
            }
            at += (word >> 16).max(1) as usize;
        };
        let want_model = match q.device().api() {
            dpex::Api::OpenCl => 6,
            dpex::Api::Vulkan => 5,
        };
        assert_eq!(model, want_model, "execution model of {:?}", files[0]);
        Ok(())
    })?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
