//! Every [`CheckError`] variant about device functions, calls, private arrays and math
//! functions, triggered by a malformed module, with its message.

mod common;

use common::builders::*;
use common::*;
use dpex_spirv::check::check_module;
use dpex_spirv::ir::{Access, Function, Kernel, MathFunction as M, Module, Scalar as S, Statement};
use dpex_spirv::{CheckError, Owner};

/// `fn f(a: f32, y: &mut Tensor<f32>) -> f32 { y[0] = a; return a }`: function 0 of every
/// module below.
fn callee() -> Function {
    function(
        "f",
        vec![scalar("a", S::F32), tensor("y", S::F32, Access::ReadWrite)],
        Some(S::F32),
        vec![],
        vec![
            store(1, int(S::U64, 0), param(S::F32, 0)),
            ret(param(S::F32, 0)),
        ],
    )
}

/// A kernel `k(x: &Tensor<f32>, y: &mut Tensor<f32>, d: &mut Tensor<f64>, s: f32)` with
/// locals `t: f32` and `arr: [f32; 4]`, running `body`.
fn caller(body: Vec<Statement>) -> Kernel {
    kernel(
        "k",
        1,
        vec![
            tensor("x", S::F32, Access::Read),
            tensor("y", S::F32, Access::ReadWrite),
            tensor("d", S::F64, Access::ReadWrite),
            scalar("s", S::F32),
        ],
        vec![local("t", S::F32), array("arr", S::F32, 4)],
        body,
    )
}

/// Checks a module of `functions` (after [`callee`]) and one [`caller`] kernel running
/// `body`; returns the error and its message.
fn error_of(functions: Vec<Function>, body: Vec<Statement>) -> (CheckError, String) {
    let mut all = vec![callee()];
    all.extend(functions);
    let module = Module {
        functions: all,
        kernels: vec![caller(body)],
    };
    let err = check_module(&module).expect_err("the module is malformed");
    let message = err.to_string();
    (err, message)
}

/// Checks a module whose only function is `f`, with no kernel.
fn function_error(f: Function) -> (CheckError, String) {
    let err = check_module(&Module {
        functions: vec![f],
        kernels: vec![],
    })
    .expect_err("the function is malformed");
    let message = err.to_string();
    (err, message)
}

/// `t = f(s, y)`, the valid call.
fn good_call() -> Statement {
    assign(0, call(S::F32, 0, vec![val(param(S::F32, 3)), ten(1)]))
}

#[test]
fn valid_calls_pass() {
    let module = Module {
        functions: vec![callee()],
        kernels: vec![caller(vec![
            good_call(),
            call_stmt(0, vec![val(get(S::F32, 0)), ten(1)]),
        ])],
    };
    assert_eq!(check_module(&module), Ok(()));
}

#[test]
fn function_names() {
    let (err, message) = function_error(function("1f", vec![], None, vec![], vec![]));
    assert!(matches!(err, CheckError::InvalidName { .. }), "{err:?}");
    assert_eq!(message, "function `1f`: the name is not a valid identifier");
    let (err, message) = error_of(vec![callee()], vec![]);
    assert_eq!(
        err,
        CheckError::DuplicateName {
            owner: Owner::Function("f".into())
        }
    );
    assert_eq!(message, "function `f` is defined twice in one module");
    // A kernel may share a function's name.
    let mut k = caller(vec![]);
    k.name = "f".into();
    let module = Module {
        functions: vec![callee()],
        kernels: vec![k],
    };
    assert_eq!(check_module(&module), Ok(()));
}

#[test]
fn ids_inside_functions() {
    let f = function("g", vec![], None, vec![], vec![assign(0, int(S::U8, 1))]);
    let (err, message) = function_error(f);
    assert!(
        matches!(err, CheckError::UnknownLocal { local: 0, .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "function `g`: local #0 does not exist (the function has 0)"
    );
    let f = function(
        "g",
        vec![],
        Some(S::I32),
        vec![],
        vec![ret(param(S::I32, 2))],
    );
    let (_, message) = function_error(f);
    assert_eq!(
        message,
        "function `g`: parameter #2 does not exist (the function has 0)"
    );
}

#[test]
fn unknown_function() {
    let (err, message) = error_of(vec![], vec![call_stmt(3, vec![])]);
    assert!(
        matches!(err, CheckError::UnknownFunction { function: 3, .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "kernel `k`: function #3 does not exist (the module has 1)"
    );
}

#[test]
fn argument_count() {
    let (err, message) = error_of(vec![], vec![call_stmt(0, vec![ten(1)])]);
    assert!(
        matches!(
            err,
            CheckError::ArgumentCount {
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(message, "kernel `k`: `f` takes 2 argument(s), 1 given");
    let (_, message) = error_of(
        vec![],
        vec![assign(0, math(S::F32, M::Hypot, vec![get(S::F32, 0)]))],
    );
    assert_eq!(message, "kernel `k`: `hypot` takes 2 argument(s), 1 given");
}

#[test]
fn argument_kinds() {
    let cases = [
        (
            vec![val(param(S::F32, 3)), val(param(S::F32, 3))],
            "kernel `k`: `f` takes `y` as a tensor, but a value is passed",
        ),
        (
            vec![ten(0), ten(1)],
            "kernel `k`: `f` takes `a` as a value, but tensor `x` is passed",
        ),
        (
            vec![val(param(S::F32, 3)), ten(3)],
            "kernel `k`: `f` takes `y` as a tensor, but scalar parameter `s` is passed",
        ),
    ];
    for (args, expected) in cases {
        let (err, message) = error_of(vec![], vec![call_stmt(0, args)]);
        assert!(matches!(err, CheckError::ArgumentKind { .. }), "{err:?}");
        assert_eq!(message, expected);
    }
}

#[test]
fn argument_types_and_access() {
    let (err, message) = error_of(
        vec![],
        vec![call_stmt(0, vec![val(param(S::F32, 3)), ten(2)])],
    );
    assert!(
        matches!(err, CheckError::TypeMismatch { found: S::F64, .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "kernel `k`: an element of tensor `d` (passed as `y` to `f`) has type `f64`, expected `f32`"
    );
    let (_, message) = error_of(
        vec![],
        vec![call_stmt(0, vec![val(float(S::F64, 1.0)), ten(1)])],
    );
    assert_eq!(
        message,
        "kernel `k`: the argument `a` of `f` has type `f64`, expected `f32`"
    );
    let (err, message) = error_of(
        vec![],
        vec![call_stmt(0, vec![val(param(S::F32, 3)), ten(0)])],
    );
    assert!(
        matches!(err, CheckError::ReadOnlyArgument { .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "kernel `k`: `f` takes `y` as `&mut Tensor`, but `x` is read-only (`&Tensor`)"
    );
}

#[test]
fn recursion() {
    // g (1) calls h (2), h calls g.
    let g = function("g", vec![], None, vec![], vec![call_stmt(2, vec![])]);
    let h = function("h", vec![], None, vec![], vec![call_stmt(1, vec![])]);
    let (err, message) = error_of(vec![g, h], vec![]);
    assert_eq!(
        err,
        CheckError::Recursion {
            cycle: vec!["g".into(), "h".into(), "g".into()]
        }
    );
    assert_eq!(
        message,
        "recursion is not supported on devices: `g` calls `h` calls `g`"
    );
    let own = function(
        "own",
        vec![],
        Some(S::I32),
        vec![],
        vec![ret(call(S::I32, 0, vec![]))],
    );
    let (_, message) = function_error(own);
    assert_eq!(
        message,
        "recursion is not supported on devices: `own` calls `own`"
    );
    // A diamond is no cycle: d calls b and c, both call a.
    let a = function("a", vec![], None, vec![], vec![]);
    let b = function("b", vec![], None, vec![], vec![call_stmt(0, vec![])]);
    let c = function("c", vec![], None, vec![], vec![call_stmt(0, vec![])]);
    let d = function(
        "d",
        vec![],
        None,
        vec![],
        vec![call_stmt(1, vec![]), call_stmt(2, vec![])],
    );
    let module = Module {
        functions: vec![a, b, c, d],
        kernels: vec![],
    };
    assert_eq!(check_module(&module), Ok(()));
}

#[test]
fn call_results() {
    let void = function("v", vec![], None, vec![], vec![]);
    let (err, message) = error_of(vec![void], vec![assign(0, call(S::F32, 1, vec![]))]);
    assert!(
        matches!(err, CheckError::CallWithoutResult { .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "kernel `k`: `v` returns `()`, so its call has no value"
    );
    let wrong = call(S::F64, 0, vec![val(param(S::F32, 3)), ten(1)]);
    let (_, message) = error_of(vec![], vec![store(2, gid(0), wrong)]);
    assert_eq!(
        message,
        "kernel `k`: the result of `f` has type `f64`, expected `f32`"
    );
}

#[test]
fn returns() {
    let (err, message) = error_of(vec![], vec![ret(float(S::F32, 1.0))]);
    assert!(
        matches!(err, CheckError::UnexpectedReturnValue { .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "kernel `k`: `return` with a value, but the kernel returns `()`"
    );
    let (_, message) = function_error(function(
        "v",
        vec![],
        None,
        vec![],
        vec![ret(int(S::U8, 0))],
    ));
    assert_eq!(
        message,
        "function `v`: `return` with a value, but the function returns `()`"
    );

    let f = function("r", vec![], Some(S::U8), vec![], vec![Statement::Return]);
    let (err, message) = function_error(f);
    assert!(
        matches!(err, CheckError::MissingReturnValue { result: S::U8, .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "function `r`: `return` without a value, but the function returns `u8`"
    );

    let f = function("r", vec![], Some(S::U8), vec![], vec![ret(int(S::U16, 0))]);
    let (_, message) = function_error(f);
    assert_eq!(
        message,
        "function `r`: the returned value has type `u16`, expected `u8`"
    );
}

#[test]
fn functions_must_not_fall_off_the_end() {
    let zero = || ret(int(S::I32, 0));
    let f = |body| function("r", vec![scalar("c", S::Bool)], Some(S::I32), vec![], body);
    let c = || param(S::Bool, 0);
    let falling = [
        vec![],
        vec![if_(c(), vec![zero()], vec![])],
        vec![if_(c(), vec![], vec![zero()])],
        vec![loop_(
            vec![if_(c(), vec![Statement::Break], vec![]), zero()],
            vec![],
        )],
        vec![loop_(
            vec![if_(c(), vec![], vec![Statement::Break])],
            vec![],
        )],
    ];
    for body in falling {
        let (err, message) = function_error(f(body.clone()));
        assert!(
            matches!(err, CheckError::MissingReturn { .. }),
            "{body:?}: {err:?}"
        );
        assert_eq!(
            message,
            "function `r`: the body may end without returning a `i32`"
        );
    }
    let returning = [
        vec![zero()],
        vec![zero(), if_(c(), vec![], vec![])],
        vec![if_(
            c(),
            vec![zero()],
            vec![if_(c(), vec![zero()], vec![zero()])],
        )],
        vec![if_(c(), vec![], vec![]), zero()],
        // Left only by returning; the inner loop's `break` leaves only the inner loop.
        vec![loop_(
            vec![
                loop_(vec![Statement::Break], vec![]),
                if_(c(), vec![zero()], vec![]),
            ],
            vec![],
        )],
        vec![
            loop_(vec![if_(c(), vec![Statement::Break], vec![])], vec![]),
            zero(),
        ],
    ];
    for body in returning {
        assert_eq!(
            check_module(&Module {
                functions: vec![f(body.clone())],
                kernels: vec![],
            }),
            Ok(()),
            "{body:?}"
        );
    }
}

#[test]
fn local_kinds() {
    let cases = [
        (
            assign(1, float(S::F32, 0.0)),
            "`arr` is an array, but an assignment needs a scalar",
        ),
        (
            assign(0, get(S::F32, 1)),
            "`arr` is an array, but a read needs a scalar",
        ),
        (
            store_elem(0, int(S::U64, 0), float(S::F32, 0.0)),
            "`t` is a scalar, but an element store needs an array",
        ),
        (
            assign(0, elem(S::F32, 0, int(S::U64, 0))),
            "`t` is a scalar, but an element read needs an array",
        ),
    ];
    for (statement, expected) in cases {
        let (err, message) = error_of(vec![], vec![statement]);
        assert!(matches!(err, CheckError::LocalKind { .. }), "{err:?}");
        assert_eq!(message, format!("kernel `k`: local {expected}"));
    }
}

#[test]
fn array_elements() {
    let (_, message) = error_of(
        vec![],
        vec![store_elem(1, int(S::U32, 0), float(S::F32, 0.0))],
    );
    assert_eq!(
        message,
        "kernel `k`: the index of a store to `arr` has type `u32`, expected `u64`"
    );
    let (_, message) = error_of(
        vec![],
        vec![store_elem(1, int(S::U64, 0), float(S::F64, 0.0))],
    );
    assert_eq!(
        message,
        "kernel `k`: the value stored to `arr` has type `f64`, expected `f32`"
    );
    let (_, message) = error_of(
        vec![],
        vec![store(2, gid(0), elem(S::F64, 1, int(S::U64, 0)))],
    );
    assert_eq!(
        message,
        "kernel `k`: an element of `arr` has type `f64`, expected `f32`"
    );
    let (_, message) = error_of(vec![], vec![assign(0, elem(S::F32, 1, int(S::I64, 0)))]);
    assert_eq!(
        message,
        "kernel `k`: the index of a read from `arr` has type `i64`, expected `u64`"
    );

    let f = function("e", vec![], None, vec![array("none", S::F32, 0)], vec![]);
    let (err, message) = function_error(f);
    assert!(matches!(err, CheckError::EmptyArray { .. }), "{err:?}");
    assert_eq!(message, "function `e`: array local `none` has length 0");
}

#[test]
fn math_operand_and_result_types() {
    let t = || get(S::F32, 0);
    let (err, message) = error_of(
        vec![],
        vec![
            store(
                2,
                gid(0),
                math(S::F64, M::Abs, vec![load(S::F64, 2, gid(0))]),
            ),
            assign(0, math(S::F32, M::Abs, vec![cast(t(), S::U32)])),
        ],
    );
    assert_eq!(
        err,
        CheckError::InvalidMathOperand {
            owner: Owner::Kernel("k".into()),
            function: "abs",
            ty: S::U32
        }
    );
    assert_eq!(message, "kernel `k`: `abs` is not defined on `u32`");
    let cases = [
        (
            math(S::F32, M::Powi, vec![t(), int(S::I64, 2)]),
            "operand 2 of `powi` has type `i64`, expected `i32`",
        ),
        (
            math(S::F32, M::Powf, vec![t(), float(S::F64, 2.0)]),
            "operand 2 of `powf` has type `f64`, expected `f32`",
        ),
        (
            math(S::F32, M::Clamp, vec![t(), t(), float(S::F64, 2.0)]),
            "operand 3 of `clamp` has type `f64`, expected `f32`",
        ),
        (
            cast(
                math(S::I32, M::Pow, vec![int(S::I32, 2), int(S::I32, 2)]),
                S::F32,
            ),
            "operand 2 of `pow` has type `i32`, expected `u32`",
        ),
        (
            cast(math(S::U8, M::LeadingZeros, vec![int(S::U8, 2)]), S::F32),
            "the result of `leading_zeros` has type `u8`, expected `u32`",
        ),
        (
            math(S::F32, M::IsNan, vec![t()]),
            "the result of `is_nan` has type `f32`, expected `bool`",
        ),
    ];
    for (value, expected) in cases {
        let (err, message) = error_of(vec![], vec![assign(0, value)]);
        assert!(matches!(err, CheckError::TypeMismatch { .. }), "{err:?}");
        assert_eq!(message, format!("kernel `k`: {expected}"));
    }
}

#[test]
fn builtins_only_in_kernels() {
    let f = function("b", vec![], Some(S::U64), vec![], vec![ret(gid(0))]);
    let (err, message) = function_error(f);
    assert!(
        matches!(err, CheckError::BuiltinInFunction { .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "function `b`: global_id can only be read in a kernel; pass it as a parameter"
    );
}

#[test]
fn jumps_in_functions() {
    let f = function("j", vec![], None, vec![], vec![Statement::Break]);
    let (_, message) = function_error(f);
    assert_eq!(message, "function `j`: `break` outside of a loop");
}
