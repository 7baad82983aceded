//! The [`CheckError`]s of N-d tensor parameters: their number of axes, layout reads
//! ([`ExprKind::TensorLayout`]) and tensors passed to functions, with their messages.

mod common;

use common::builders::*;
use common::nd::local_param;
use common::tensors::{row_sums_module, strided_copy};
use common::*;
use dpex_spirv::check::{check_module, MAX_TENSOR_DIMS};
use dpex_spirv::ir::{
    Access, Expr, ExprKind, Function, Kernel, LayoutField as L, Module, ParamId, Scalar as S,
    Statement,
};
use dpex_spirv::{CheckError, Owner};

/// Kernel `k(x: &Tensor<f32, 2>, out: &mut Tensor<i64>, a: u64, acc: LocalAccessor<f32>)`
/// running `body`.
fn with_body(body: Vec<Statement>) -> Kernel {
    kernel(
        "k",
        1,
        vec![
            tensor_nd("x", S::F32, Access::Read, 2),
            tensor("out", S::I64, Access::ReadWrite),
            scalar("a", S::U64),
            local_param("acc", S::F32),
        ],
        vec![],
        body,
    )
}

/// Checks `module` and returns its error and message.
fn error_of(module: &Module) -> (CheckError, String) {
    let err = check_module(module).expect_err("the module is malformed");
    let message = err.to_string();
    (err, message)
}

/// Checks a module of `functions` and one [`with_body`] kernel running `body`.
fn body_error(functions: Vec<Function>, body: Vec<Statement>) -> (CheckError, String) {
    error_of(&Module {
        functions,
        kernels: vec![with_body(body)],
    })
}

/// `out[0] = value`.
fn put(value: Expr) -> Vec<Statement> {
    vec![store(1, int(S::U64, 0), value)]
}

/// A layout read of parameter `tensor` with the stated type `ty`.
fn layout_as(tensor: u32, field: L, ty: S) -> Expr {
    Expr {
        ty,
        kind: ExprKind::TensorLayout {
            tensor: ParamId(tensor),
            field,
        },
    }
}

#[test]
fn views_of_one_to_four_axes_pass() {
    for dims in 1..=MAX_TENSOR_DIMS {
        let mut body = vec![];
        for axis in 0..dims {
            body.push(store(1, int(S::U64, 0), layout(0, L::Stride(axis))));
            let extent = cast(layout(0, L::Shape(axis)), S::I64);
            body.push(store(1, int(S::U64, 1), extent));
        }
        body.push(store(1, int(S::U64, 2), cast(layout(0, L::Offset), S::I64)));
        body.push(store(1, int(S::U64, 3), cast(len(0), S::I64)));
        let mut k = with_body(body);
        k.params[0] = tensor_nd("x", S::F32, Access::Read, dims);
        let module = Module {
            functions: vec![],
            kernels: vec![k],
        };
        assert_eq!(check_module(&module), Ok(()), "{dims} axes");
    }
    for module in [
        row_sums_module(),
        Module {
            functions: vec![],
            kernels: vec![strided_copy()],
        },
    ] {
        assert_eq!(check_module(&module), Ok(()));
    }
}

#[test]
fn tensor_axes_outside_one_to_four() {
    for dims in [0, 5, 100] {
        let mut k = with_body(vec![]);
        k.params[0] = tensor_nd("x", S::F32, Access::Read, dims);
        let (err, message) = error_of(&Module {
            functions: vec![],
            kernels: vec![k],
        });
        assert_eq!(
            err,
            CheckError::InvalidTensorDims {
                owner: Owner::Kernel("k".into()),
                param: "x".into(),
                dims,
            }
        );
        assert_eq!(
            message,
            format!("kernel `k`: tensor `x` has {dims} axes, expected 1 to 4")
        );
    }
    // A function's parameters too, even when nothing calls it.
    let f = function(
        "f",
        vec![tensor_nd("t", S::I32, Access::ReadWrite, 0)],
        None,
        vec![],
        vec![],
    );
    let (err, message) = error_of(&Module {
        functions: vec![f],
        kernels: vec![],
    });
    assert!(
        matches!(err, CheckError::InvalidTensorDims { dims: 0, .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "function `f`: tensor `t` has 0 axes, expected 1 to 4"
    );
}

#[test]
fn layout_axis_beyond_the_tensors_axes() {
    for (field, name) in [(L::Shape(2), "shape"), (L::Stride(2), "stride")] {
        let (err, message) = body_error(vec![], put(cast(layout(0, field), S::I64)));
        assert_eq!(
            err,
            CheckError::LayoutAxisOutOfRange {
                owner: Owner::Kernel("k".into()),
                param: "x".into(),
                field: name,
                axis: 2,
                dims: 2,
            }
        );
        assert_eq!(
            message,
            format!("kernel `k`: `{name}(2)` of `x`, which has 2 axes")
        );
    }
}

#[test]
fn layout_of_a_parameter_that_is_no_tensor() {
    for (param, found) in [(2, "a scalar"), (3, "a local accessor")] {
        let (err, message) = body_error(vec![], put(cast(layout(param, L::Offset), S::I64)));
        assert!(
            matches!(&err, CheckError::NotATensor { operation: "layout", found: f, .. } if *f == found),
            "{err:?}"
        );
        assert!(message.contains("`layout` needs a tensor"), "{message}");
    }
    let (err, _) = body_error(vec![], put(cast(layout(9, L::Offset), S::I64)));
    assert!(
        matches!(err, CheckError::UnknownParam { param: 9, .. }),
        "{err:?}"
    );
}

#[test]
fn layout_values_have_fixed_types() {
    let cases = [
        (L::Offset, S::I64, "`offset` of tensor `x`", "`u64`"),
        (L::Shape(1), S::U32, "`shape(1)` of tensor `x`", "`u64`"),
        (L::Stride(0), S::U64, "`stride(0)` of tensor `x`", "`i64`"),
    ];
    for (field, ty, what, expected) in cases {
        let value = cast(layout_as(0, field, ty), S::I64);
        let (err, message) = body_error(vec![], put(value));
        assert_eq!(
            err,
            CheckError::TypeMismatch {
                owner: Owner::Kernel("k".into()),
                what: what.into(),
                expected: expected.into(),
                found: ty,
            }
        );
        assert!(message.contains(what), "{message}");
    }
}

#[test]
fn a_tensor_passed_with_other_axes_than_the_parameter() {
    // fn g(m: &Tensor<f32, 3>) {}, called with the 2-d `x`.
    let g = function(
        "g",
        vec![tensor_nd("m", S::F32, Access::Read, 3)],
        None,
        vec![],
        vec![],
    );
    let (err, message) = body_error(vec![g], vec![call_stmt(0, vec![ten(0)])]);
    assert_eq!(
        err,
        CheckError::TensorDimsMismatch {
            owner: Owner::Kernel("k".into()),
            callee: "g".into(),
            param: "m".into(),
            tensor: "x".into(),
            expected: 3,
            found: 2,
        }
    );
    assert_eq!(
        message,
        "kernel `k`: `g` takes `m` with 3 axes, but tensor `x` has 2"
    );
}

#[test]
fn a_function_reads_the_layout_of_its_own_tensor_parameter() {
    // fn first(m: &Tensor<f32, 2>) -> f32 { m[m.offset] }, and its 3rd axis is rejected.
    let first = |field| {
        function(
            "first",
            vec![tensor_nd("m", S::F32, Access::Read, 2)],
            Some(S::F32),
            vec![],
            vec![ret(load(S::F32, 0, layout(0, field)))],
        )
    };
    let call_first = vec![store(
        1,
        int(S::U64, 0),
        cast(call(S::F32, 0, vec![ten(0)]), S::I64),
    )];
    let module = Module {
        functions: vec![first(L::Offset)],
        kernels: vec![with_body(call_first.clone())],
    };
    assert_eq!(check_module(&module), Ok(()));
    let (err, message) = body_error(vec![first(L::Shape(2))], call_first);
    assert!(
        matches!(&err, CheckError::LayoutAxisOutOfRange { owner: Owner::Function(f), .. } if f == "first"),
        "{err:?}"
    );
    assert!(message.starts_with("function `first`: "), "{message}");
}
