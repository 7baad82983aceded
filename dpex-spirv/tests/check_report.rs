//! The checks of error reporting: where `Statement::Fail` may appear, the types of its
//! operands, and the agreement of kernels sharing device functions on `reports_errors`.

mod common;

use common::report::*;
use common::*;
use dpex_spirv::check::check_module;
use dpex_spirv::ir::{Check, Kernel, Module, Scalar as S, Statement};
use dpex_spirv::{required_features, CheckError, Features, Owner};

fn single(kernel: Kernel) -> Module {
    Module {
        functions: vec![],
        kernels: vec![kernel],
    }
}

fn error_of(module: &Module) -> (CheckError, String) {
    let err = check_module(module).expect_err("the module is malformed");
    let message = err.to_string();
    (err, message)
}

fn failing(body: Vec<Statement>) -> Kernel {
    kernel("k", 1, vec![], vec![], body)
}

#[test]
fn reporting_modules_pass() {
    check_module(&single(bounded())).unwrap();
    check_module(&clamped_module()).unwrap();
    for dims in 1..=3 {
        check_module(&single(all_fail(dims))).unwrap();
    }
    // Kernels without device functions may differ.
    let module = Module {
        functions: vec![],
        kernels: vec![bounded(), vector_add()],
    };
    check_module(&module).unwrap();
}

#[test]
fn fail_in_a_kernel_that_does_not_report_errors() {
    let k = failing(vec![fail(Check::OutOfBounds, 0, gid(0), int(S::U64, 4))]);
    let (err, message) = error_of(&single(k));
    assert_eq!(
        err,
        CheckError::FailWithoutErrorRecord {
            owner: Owner::Kernel("k".into())
        }
    );
    assert!(message.contains("kernel `k`"), "{message}");
    assert!(message.contains("reports_errors"), "{message}");
}

#[test]
fn fail_nested_in_a_loop_of_a_kernel_that_does_not_report_errors() {
    let k = failing(vec![loop_(
        vec![if_(
            boolean(true),
            vec![fail(Check::DivideByZero, 0, int(S::U64, 0), int(S::U64, 0))],
            vec![Statement::Break],
        )],
        vec![],
    )]);
    let (err, _) = error_of(&single(k));
    assert!(matches!(err, CheckError::FailWithoutErrorRecord { .. }));
}

#[test]
fn fail_in_a_function_of_a_module_that_does_not_report_errors() {
    let mut module = clamped_module();
    module.kernels[0].reports_errors = false;
    let (err, message) = error_of(&module);
    assert_eq!(
        err,
        CheckError::FailWithoutErrorRecord {
            owner: Owner::Function("clamp_index".into())
        }
    );
    assert!(message.contains("function `clamp_index`"), "{message}");
    // Nor without any kernel.
    module.kernels.clear();
    let (err, _) = error_of(&module);
    assert!(matches!(err, CheckError::FailWithoutErrorRecord { .. }));
}

#[test]
fn index_and_length_are_u64() {
    let index = reporting(failing(vec![fail(
        Check::OutOfBounds,
        0,
        int(S::U32, 1),
        int(S::U64, 4),
    )]));
    let (err, message) = error_of(&single(index));
    assert!(matches!(err, CheckError::TypeMismatch { .. }), "{err:?}");
    assert!(message.contains("the index of a failed check"), "{message}");
    assert!(message.contains("`u64`"), "{message}");

    let len = reporting(failing(vec![fail(
        Check::OutOfBounds,
        0,
        gid(0),
        int(S::I64, 4),
    )]));
    let (err, message) = error_of(&single(len));
    assert!(matches!(err, CheckError::TypeMismatch { .. }), "{err:?}");
    assert!(
        message.contains("the length of a failed check"),
        "{message}"
    );
}

#[test]
fn operands_are_checked_as_expressions() {
    // A built-in of a dimension the kernel does not have, inside the index.
    let k = reporting(failing(vec![fail(
        Check::OutOfBounds,
        0,
        gid(2),
        int(S::U64, 4),
    )]));
    let (err, _) = error_of(&single(k));
    assert!(
        matches!(err, CheckError::BuiltinDimOutOfRange { .. }),
        "{err:?}"
    );
}

#[test]
fn kernels_sharing_functions_agree_on_reporting() {
    let mut module = clamped_module();
    module.functions[0].body.remove(0);
    let mut other = module.kernels[0].clone();
    other.name = "quiet".into();
    other.reports_errors = false;
    module.kernels.push(other);
    let (err, message) = error_of(&module);
    assert_eq!(
        err,
        CheckError::MixedErrorReporting {
            owner: Owner::Kernel("quiet".into())
        }
    );
    assert!(message.contains("kernel `quiet`"), "{message}");
    assert!(message.contains("share device functions"), "{message}");
    // And the emitter refuses it the same way.
    let emitted = dpex_spirv::emit_opencl(&module, &Default::default());
    assert!(matches!(
        emitted,
        Err(dpex_spirv::EmitError::Check(
            CheckError::MixedErrorReporting { .. }
        ))
    ));
}

#[test]
fn reporting_needs_no_device_feature() {
    assert_eq!(required_features(&single(bounded())), Features::default());
    assert_eq!(required_features(&clamped_module()), Features::default());
    assert_eq!(required_features(&single(all_fail(3))), Features::default());
}
