//! Error reporting on the OpenCL CPU device: kernels that record failed checks in the error
//! record, run through `opencl3` with the record passed by hand as the last argument (the
//! runtime does not pass it yet).

mod common;

use common::cl::{Arg, Cl};
use common::report::*;
use common::validate;
use dpex_spirv::ir::{Check, Kernel, Module, ERROR_RECORD_WORDS};
use dpex_spirv::{emit_opencl, Options};

const WORDS: usize = ERROR_RECORD_WORDS as usize;

/// Emits `module` (validated by `spirv-val`).
fn words(module: &Module) -> Vec<u32> {
    let name = &module.kernels[0].name;
    let words = emit_opencl(module, &Options::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .words
        .into_owned();
    validate(name, &words);
    words
}

fn single(kernel: Kernel) -> Module {
    Module {
        functions: vec![],
        kernels: vec![kernel],
    }
}

/// The arguments of a 1-d tensor of `len` elements over `buffer` (pointer, offset, shape,
/// stride).
fn tensor_args(buffer: &opencl3::memory::Buffer<u64>, len: u64) -> [Arg<'_>; 4] {
    [Arg::Buffer(buffer), Arg::U64(0), Arg::U64(len), Arg::I64(1)]
}

#[test]
fn an_out_of_bounds_index_is_recorded_with_its_work_item_and_execution_goes_on() {
    let cl = Cl::cpu();
    let words = words(&single(bounded()));
    for _ in 0..5 {
        let out = cl.buffer(&[0; 32]);
        let record = cl.buffer(&[0; WORDS]);
        let [a, b, c, d] = tensor_args(&out, 32);
        cl.run(
            &words,
            "bounded",
            &[a, b, c, d, Arg::Buffer(&record)],
            &[16],
        );
        let r = cl.read(&record, WORDS);
        assert_eq!(r[0], Check::OutOfBounds.code(), "{r:?}");
        assert_eq!(r[1], 3, "{r:?}");
        assert!((10..16).contains(&r[2]), "{r:?}");
        assert_eq!(r[3], 10, "{r:?}");
        assert_eq!(r[4], r[2], "the work-item id is the failing index: {r:?}");
        assert_eq!(r[5], 0, "{r:?}");
        let out = cl.read(&out, 32);
        let expected: Vec<u64> = (1..=10).chain([0; 6]).chain([7; 16]).collect();
        assert_eq!(
            out, expected,
            "in-bounds work-items stored, failed ones went on"
        );
    }
}

#[test]
fn when_every_work_item_fails_exactly_one_consistent_failure_is_recorded() {
    let cl = Cl::cpu();
    for (dims, global) in [(1, vec![1000]), (2, vec![37, 29]), (3, vec![9, 7, 5])] {
        let words = words(&single(all_fail(dims)));
        let name = format!("all_fail_{dims}d");
        let total: usize = global.iter().product();
        for _ in 0..10 {
            let record = cl.buffer(&[0; WORDS]);
            cl.run(&words, &name, &[Arg::Buffer(&record)], &global);
            let r = cl.read(&record, WORDS);
            assert_eq!(r[0], Check::DivideByZero.code(), "{name}: {r:?}");
            assert_eq!(r[1], 0, "{name}: {r:?}");
            assert!((r[2] as usize) < total, "{name}: {r:?}");
            assert_eq!(r[3], 7, "{name}: {r:?}");
            // The kernel's linear id (dimension 0 fastest) equals the one the IR computed.
            assert_eq!(r[4], r[2], "{name}: one work-item wrote every word: {r:?}");
            assert_eq!(r[5], 0, "{name}: {r:?}");
        }
    }
}

#[test]
fn an_earlier_failure_is_kept() {
    let cl = Cl::cpu();
    let words = words(&single(all_fail(1)));
    let earlier = [Check::OutOfBounds.code(), 9, 99, 999, 9999, 0];
    let record = cl.buffer(&earlier);
    cl.run(&words, "all_fail_1d", &[Arg::Buffer(&record)], &[64]);
    assert_eq!(cl.read(&record, WORDS), earlier);
}

#[test]
fn a_failure_in_a_nested_function_records_the_calling_work_item() {
    let cl = Cl::cpu();
    let words = words(&clamped_module());
    let (cols, rows) = (8u64, 3u64);
    let n = (cols * rows) as usize;
    for _ in 0..5 {
        let out = cl.buffer(&vec![u64::MAX; n]);
        let record = cl.buffer(&[0; WORDS]);
        let [a, b, c, d] = tensor_args(&out, n as u64);
        let args = [a, b, c, d, Arg::Buffer(&record)];
        cl.run(&words, "clamped", &args, &[cols as usize, rows as usize]);
        let r = cl.read(&record, WORDS);
        assert_eq!(r[0], Check::OutOfBounds.code(), "{r:?}");
        assert_eq!(r[1], PRIVATE_5, "{r:?}");
        assert!((5..cols).contains(&r[2]), "{r:?}");
        assert_eq!(r[3], 5, "{r:?}");
        // Work-item (i, j) has linear id i + j * cols and passed index i.
        assert!(r[4] < cols * rows, "{r:?}");
        assert_eq!(r[4] % cols, r[2], "{r:?}");
        assert_eq!(r[5], 0, "{r:?}");
        let out = cl.read(&out, n);
        let expected: Vec<u64> = (0..n as u64).map(|k| (k % cols).min(4)).collect();
        assert_eq!(
            out, expected,
            "results returned through the hidden parameters"
        );
    }
}

#[test]
fn a_kernel_that_does_not_fail_leaves_the_record_zero() {
    let cl = Cl::cpu();
    let words = words(&clamped_module());
    let out = cl.buffer(&[0; 8]);
    let record = cl.buffer(&[0; WORDS]);
    let [a, b, c, d] = tensor_args(&out, 8);
    // Indices 0 to 3 are below 5: nothing fails.
    cl.run(
        &words,
        "clamped",
        &[a, b, c, d, Arg::Buffer(&record)],
        &[4, 2],
    );
    assert_eq!(cl.read(&record, WORDS), [0; WORDS]);
}
