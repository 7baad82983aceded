//! Every [`CheckError`] variant, triggered by a malformed module, with its message.

mod common;

use common::*;
use dpex_spirv::check::check_module;
use dpex_spirv::ir::{
    Access, BinaryOp as B, Builtin, Expr, ExprKind, Kernel, Literal, Memory, Module, ParamId,
    Scalar as S, Statement, UnaryOp,
};
use dpex_spirv::{emit_opencl, CheckError, EmitError, Options, Owner};

/// A valid kernel `k` with params `x: &Tensor<f32>`, `y: &mut Tensor<f32>`, `a: f32` and one
/// local `t: f32`, whose body is `body`.
fn with_body(body: Vec<Statement>) -> Kernel {
    kernel(
        "k",
        1,
        vec![
            tensor("x", S::F32, Access::Read),
            tensor("y", S::F32, Access::ReadWrite),
            scalar("a", S::F32),
        ],
        vec![local("t", S::F32)],
        body,
    )
}

/// Checks a module holding `kernels` and returns its error and message.
fn error_of(kernels: Vec<Kernel>) -> (CheckError, String) {
    let err = check_module(&Module {
        functions: vec![],
        kernels,
    })
    .expect_err("the module is malformed");
    let message = err.to_string();
    (err, message)
}

/// Checks a one-kernel module whose body is `body`.
fn body_error(body: Vec<Statement>) -> (CheckError, String) {
    error_of(vec![with_body(body)])
}

#[test]
fn valid_module_passes() {
    let body = vec![store(
        1,
        gid(0),
        bin(B::Mul, param(S::F32, 2), load(S::F32, 0, gid(0))),
    )];
    assert_eq!(
        check_module(&Module {
            functions: vec![],
            kernels: vec![with_body(body)]
        }),
        Ok(())
    );
    assert_eq!(check_module(&Module::default()), Ok(()));
}

#[test]
fn duplicate_kernel() {
    let (err, message) = error_of(vec![with_body(vec![]), with_body(vec![])]);
    assert!(matches!(err, CheckError::DuplicateName { .. }), "{err:?}");
    assert_eq!(message, "kernel `k` is defined twice in one module");
}

#[test]
fn invalid_kernel_name() {
    for name in ["", "_", "1st", "has space", "dash-ed", "ünï"] {
        let mut k = with_body(vec![]);
        k.name = name.into();
        let (err, message) = error_of(vec![k]);
        assert!(
            matches!(err, CheckError::InvalidName { .. }),
            "{name}: {err:?}"
        );
        assert!(message.contains("not a valid identifier"), "{message}");
    }
    let mut k = with_body(vec![]);
    k.name = "_ok_2".into();
    assert_eq!(
        check_module(&Module {
            functions: vec![],
            kernels: vec![k],
        }),
        Ok(())
    );
}

#[test]
fn invalid_dims() {
    for dims in [0, 4] {
        let mut k = with_body(vec![]);
        k.dims = dims;
        let (err, message) = error_of(vec![k]);
        assert!(matches!(err, CheckError::InvalidDims { .. }), "{err:?}");
        assert_eq!(
            message,
            format!("kernel `k`: launch range has {dims} dimensions, expected 1, 2 or 3")
        );
    }
}

#[test]
fn unknown_param() {
    let (err, message) = body_error(vec![store(7, gid(0), float(S::F32, 1.0))]);
    assert!(
        matches!(err, CheckError::UnknownParam { param: 7, .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "kernel `k`: parameter #7 does not exist (the kernel has 3)"
    );
    let (err, _) = body_error(vec![store(1, gid(0), param(S::F32, 3))]);
    assert!(
        matches!(err, CheckError::UnknownParam { param: 3, .. }),
        "{err:?}"
    );
}

#[test]
fn unknown_local() {
    let (err, message) = body_error(vec![assign(1, float(S::F32, 1.0))]);
    assert!(
        matches!(err, CheckError::UnknownLocal { local: 1, .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "kernel `k`: local #1 does not exist (the kernel has 1)"
    );
    let (err, _) = body_error(vec![store(1, gid(0), get(S::F32, 5))]);
    assert!(
        matches!(err, CheckError::UnknownLocal { local: 5, .. }),
        "{err:?}"
    );
}

#[test]
fn param_expression_on_a_tensor() {
    let (err, message) = body_error(vec![store(1, gid(0), param(S::F32, 0))]);
    assert!(matches!(err, CheckError::NotAScalarParam { .. }), "{err:?}");
    assert_eq!(
        message,
        "kernel `k`: parameter `x` is a tensor, not a scalar value"
    );
}

#[test]
fn tensor_operations_on_a_scalar() {
    let (err, message) = body_error(vec![store(2, gid(0), float(S::F32, 1.0))]);
    assert!(
        matches!(
            err,
            CheckError::NotATensor {
                operation: "store",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        message,
        "kernel `k`: `store` needs a tensor, but parameter `a` is a scalar"
    );
    let (err, _) = body_error(vec![store(1, gid(0), load(S::F32, 2, gid(0)))]);
    assert!(
        matches!(
            err,
            CheckError::NotATensor {
                operation: "load",
                ..
            }
        ),
        "{err:?}"
    );
    let (err, _) = body_error(vec![store(1, len(2), float(S::F32, 0.0))]);
    assert!(
        matches!(
            err,
            CheckError::NotATensor {
                operation: "len",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn store_to_read_only_tensor() {
    let (err, message) = body_error(vec![store(0, gid(0), float(S::F32, 1.0))]);
    assert!(matches!(err, CheckError::StoreToReadOnly { .. }), "{err:?}");
    assert_eq!(
        message,
        "kernel `k`: cannot store to `x`, a read-only tensor (`&Tensor`)"
    );
}

#[test]
fn type_mismatches() {
    let cases: Vec<(Vec<Statement>, &str)> = vec![
        (
            vec![assign(0, float(S::F64, 1.0))],
            "kernel `k`: the value assigned to `t` has type `f64`, expected `f32`",
        ),
        (
            vec![store(1, int(S::U32, 0), float(S::F32, 1.0))],
            "kernel `k`: the index of a store to `y` has type `u32`, expected `u64`",
        ),
        (
            vec![if_(int(S::I32, 1), vec![], vec![])],
            "kernel `k`: the condition of an `if` has type `i32`, expected `bool`",
        ),
        (
            vec![assign(
                0,
                bin(B::Add, float(S::F32, 1.0), float(S::F64, 1.0)),
            )],
            "kernel `k`: the right operand of `+` (left is `f32`) has type `f64`, expected `f32`",
        ),
        (
            vec![assign(
                0,
                Expr::binary(S::F32, B::Lt, float(S::F32, 1.0), float(S::F32, 2.0)),
            )],
            "kernel `k`: the result of `<` has type `f32`, expected `bool`",
        ),
        (
            vec![assign(
                0,
                Expr {
                    ty: S::F64,
                    kind: ExprKind::Param(ParamId(2)),
                },
            )],
            "kernel `k`: the value of parameter `a` has type `f64`, expected `f32`",
        ),
        (
            vec![store(
                1,
                gid(0),
                Expr {
                    ty: S::F32,
                    kind: ExprKind::Len(Memory::Tensor(ParamId(0))),
                },
            )],
            "kernel `k`: `x.len()` has type `f32`, expected `u64`",
        ),
        (
            vec![store(
                1,
                gid(0),
                Expr {
                    ty: S::F32,
                    kind: ExprKind::Builtin(Builtin::GlobalId(0)),
                },
            )],
            "kernel `k`: `global_id(0)` has type `f32`, expected `u64`",
        ),
        (
            vec![assign(
                0,
                select(boolean(true), float(S::F32, 1.0), float(S::F64, 2.0)),
            )],
            "kernel `k`: the `else` value of an `if` expression has type `f64`, expected `f32`",
        ),
        (
            vec![assign(0, load(S::F64, 0, gid(0)))],
            "kernel `k`: a load from `x` has type `f64`, expected `f32`",
        ),
    ];
    for (body, expected) in cases {
        let (err, message) = body_error(body);
        assert!(matches!(err, CheckError::TypeMismatch { .. }), "{err:?}");
        assert_eq!(message, expected);
    }
    let amount = bin(B::Shl, int(S::U32, 1), float(S::F32, 2.0));
    let (err, message) = error_of(vec![kernel(
        "shifty",
        1,
        vec![],
        vec![local("v", S::U32)],
        vec![assign(0, amount)],
    )]);
    assert!(matches!(err, CheckError::TypeMismatch { .. }), "{err:?}");
    assert_eq!(
        message,
        "kernel `shifty`: the shift amount of `<<` has type `f32`, expected an integer type"
    );
}

#[test]
fn invalid_operands() {
    let cases = [
        (unary(UnaryOp::Neg, int(S::U32, 1)), "-", S::U32),
        (unary(UnaryOp::Neg, boolean(true)), "-", S::Bool),
        (unary(UnaryOp::Not, float(S::F32, 1.0)), "!", S::F32),
        (bin(B::Add, boolean(true), boolean(false)), "+", S::Bool),
        (
            bin(B::BitAnd, float(S::F64, 1.0), float(S::F64, 1.0)),
            "&",
            S::F64,
        ),
        (
            bin(B::Shr, float(S::F32, 1.0), int(S::U32, 1)),
            ">>",
            S::F32,
        ),
        (
            bin(B::LogicalAnd, int(S::I32, 1), int(S::I32, 1)),
            "&&",
            S::I32,
        ),
    ];
    for (expr, op, ty) in cases {
        let k = kernel(
            "ops",
            1,
            vec![],
            vec![local("v", expr.ty)],
            vec![assign(0, expr)],
        );
        let (err, message) = error_of(vec![k]);
        assert_eq!(
            err,
            CheckError::InvalidOperand {
                owner: Owner::Kernel("ops".into()),
                op,
                ty
            }
        );
        assert_eq!(
            message,
            format!("kernel `ops`: operator `{op}` is not defined on `{ty}`")
        );
    }
}

#[test]
fn invalid_casts() {
    for (from, to) in [(S::I32, S::Bool), (S::F64, S::Bool), (S::Bool, S::F32)] {
        let value = match from {
            S::I32 => int(S::I32, 1),
            S::F64 => float(S::F64, 1.0),
            _ => boolean(true),
        };
        let k = kernel(
            "casts",
            1,
            vec![],
            vec![local("v", to)],
            vec![assign(0, cast(value, to))],
        );
        let (err, message) = error_of(vec![k]);
        assert!(matches!(err, CheckError::InvalidCast { .. }), "{err:?}");
        assert_eq!(
            message,
            format!("kernel `casts`: cannot cast `{from}` to `{to}`")
        );
    }
}

/// A bit cast goes between a float and the unsigned integer of its width, either way.
#[test]
fn bit_casts_keep_the_width_and_reach_an_unsigned_integer() {
    let bitcast = |value: Expr, to: S| Expr {
        ty: to,
        kind: ExprKind::Bitcast {
            value: Box::new(value),
        },
    };
    let casts_kernel = |value: Expr, to: S| {
        kernel(
            "casts",
            1,
            vec![],
            vec![local("v", to)],
            vec![assign(0, bitcast(value, to))],
        )
    };
    let valid = [
        (float(S::F32, 1.5), S::U32),
        (float(S::F64, -2.0), S::U64),
        (int(S::U32, 7), S::F32),
        (int(S::U64, 7), S::F64),
        (Expr::literal(S::U16, Literal::Int(1)), S::F16),
    ];
    for (value, to) in valid {
        let module = Module {
            functions: vec![],
            kernels: vec![casts_kernel(value, to)],
        };
        assert_eq!(check_module(&module), Ok(()), "to {to}");
    }
    let invalid = [
        (float(S::F32, 1.5), S::I32),
        (float(S::F32, 1.5), S::U64),
        (float(S::F64, 1.0), S::F32),
        (int(S::I32, 1), S::F32),
        (boolean(true), S::U8),
    ];
    for (value, to) in invalid {
        let (err, _) = error_of(vec![casts_kernel(value, to)]);
        assert!(matches!(err, CheckError::InvalidCast { .. }), "{err:?}");
    }
}

#[test]
fn invalid_literals() {
    let cases = [
        (Expr::literal(S::U8, Literal::Int(256)), "Int(256)", S::U8),
        (
            Expr::literal(S::I32, Literal::Int(1 << 32)),
            "Int(4294967296)",
            S::I32,
        ),
        (Expr::literal(S::F32, Literal::Int(1)), "Int(1)", S::F32),
        (
            Expr::literal(S::I64, Literal::Bool(true)),
            "Bool(true)",
            S::I64,
        ),
        (
            Expr::literal(S::Bool, Literal::Float(0)),
            "Float(0)",
            S::Bool,
        ),
    ];
    for (expr, literal, ty) in cases {
        let k = kernel(
            "lits",
            1,
            vec![],
            vec![local("v", ty)],
            vec![assign(0, expr)],
        );
        let (err, message) = error_of(vec![k]);
        assert!(matches!(err, CheckError::InvalidLiteral { .. }), "{err:?}");
        assert_eq!(
            message,
            format!("kernel `lits`: literal {literal} is not a valid `{ty}`")
        );
    }
}

#[test]
fn builtin_dimension_out_of_range() {
    let (err, message) = body_error(vec![store(1, gid(1), float(S::F32, 0.0))]);
    assert!(
        matches!(err, CheckError::BuiltinDimOutOfRange { dim: 1, .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "kernel `k`: global_id(1) used in a 1-dimensional kernel"
    );
    let mut k = with_body(vec![store(1, gsize(3), float(S::F32, 0.0))]);
    k.dims = 3;
    let (err, message) = error_of(vec![k]);
    assert!(
        matches!(err, CheckError::BuiltinDimOutOfRange { dim: 3, .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "kernel `k`: global_size(3) used in a 3-dimensional kernel"
    );
}

#[test]
fn jumps_outside_loops() {
    for (jump, name) in [
        (Statement::Break, "break"),
        (Statement::Continue, "continue"),
    ] {
        let (err, message) = body_error(vec![if_(boolean(true), vec![jump.clone()], vec![])]);
        assert!(matches!(err, CheckError::JumpOutsideLoop { .. }), "{err:?}");
        assert_eq!(message, format!("kernel `k`: `{name}` outside of a loop"));

        let (err, message) = body_error(vec![loop_(vec![Statement::Break], vec![jump.clone()])]);
        assert!(
            matches!(err, CheckError::JumpInContinuing { .. }),
            "{err:?}"
        );
        assert_eq!(
            message,
            format!("kernel `k`: `{name}` in the continuing block of a loop")
        );
    }
    // A loop nested in `continuing` has a body of its own where jumps are fine.
    let inner = loop_(vec![Statement::Break], vec![]);
    let body = vec![loop_(vec![Statement::Break], vec![inner])];
    assert_eq!(
        check_module(&Module {
            functions: vec![],
            kernels: vec![with_body(body)]
        }),
        Ok(())
    );
}

#[test]
fn errors_found_deep_inside_expressions() {
    let deep = select(
        bin(
            B::LogicalOr,
            boolean(false),
            bin(B::Lt, get(S::F32, 0), float(S::F32, 1.0)),
        ),
        float(S::F32, 1.0),
        cast(load(S::F32, 0, gid(2)), S::F32),
    );
    let (err, _) = body_error(vec![loop_(
        vec![if_(boolean(true), vec![assign(0, deep)], vec![])],
        vec![],
    )]);
    assert!(
        matches!(err, CheckError::BuiltinDimOutOfRange { dim: 2, .. }),
        "{err:?}"
    );
}

#[test]
fn emit_runs_the_check() {
    let module = Module {
        functions: vec![],
        kernels: vec![with_body(vec![store(0, gid(0), float(S::F32, 1.0))])],
    };
    let err = emit_opencl(&module, &Options::default()).unwrap_err();
    assert!(
        matches!(err, EmitError::Check(CheckError::StoreToReadOnly { .. })),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "kernel `k`: cannot store to `x`, a read-only tensor (`&Tensor`)"
    );
}
