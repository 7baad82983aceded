//! Every [`CheckError`] variant of the ND-range model (local memory, work-group arrays,
//! built-ins, atomics, fences, sub-groups), triggered by a malformed module, with its message.

mod common;

use common::builders::*;
use common::nd::*;
use common::*;
use dpex_spirv::check::check_module;
use dpex_spirv::ir::{
    Access, Argument, AtomicOp, Builtin, Expr, Function, Kernel, LocalId, Memory, MemoryOrder,
    Module, Param, ParamId, ParamKind, Scalar as S, Scope, Statement, SubGroupOp, WorkgroupArrayId,
};
use dpex_spirv::CheckError;

const X: Memory = Memory::Tensor(ParamId(0));
const Y: Memory = Memory::Tensor(ParamId(1));
const ACC: Memory = Memory::Local(ParamId(2));
const SHARED: Memory = Memory::Workgroup(WorkgroupArrayId(0));
const ARR: Memory = Memory::Private(LocalId(1));

/// `k(x: &Tensor<f32>, y: &mut Tensor<f32>, acc: LocalAccessor<u32>, s: u32)` with locals
/// `t: f32`, `arr: [f32; 4]` and a work-group array `shared: [i64; 8]`, running `body`.
fn nd_kernel(body: Vec<Statement>) -> Kernel {
    kernel_with_arrays(
        "k",
        1,
        vec![
            tensor("x", S::F32, Access::Read),
            tensor("y", S::F32, Access::ReadWrite),
            local_param("acc", S::U32),
            scalar("s", S::U32),
        ],
        vec![local("t", S::F32), array("arr", S::F32, 4)],
        vec![wg_array("shared", S::I64, 8)],
        body,
    )
}

fn module_error(module: Module) -> (CheckError, String) {
    let err = check_module(&module).expect_err("the module is malformed");
    let message = err.to_string();
    (err, message)
}

fn error_of(body: Vec<Statement>) -> (CheckError, String) {
    module_error(Module {
        functions: vec![],
        kernels: vec![nd_kernel(body)],
    })
}

fn u64c(v: u64) -> Expr {
    int(S::U64, v)
}

fn rmw(ty: S, op: AtomicOp, memory: Memory, operands: Vec<Expr>) -> Expr {
    atomic(
        ty,
        op,
        memory,
        u64c(0),
        operands,
        MemoryOrder::Relaxed,
        Scope::Device,
    )
}

/// A statement evaluating `value` (stored to `y[0]` after a cast to `f32`).
fn eval(value: Expr) -> Statement {
    store(1, u64c(0), cast(value, S::F32))
}

#[test]
fn valid_nd_kernel_passes() {
    let body = vec![
        write(ACC, builtin(Builtin::LocalId(0)), int(S::U32, 1)),
        write(
            SHARED,
            u64c(0),
            rmw(S::I64, AtomicOp::Add, SHARED, vec![int(S::I64, 1)]),
        ),
        barrier(true),
        Statement::Fence {
            order: MemoryOrder::AcqRel,
            scope: Scope::WorkGroup,
        },
        atomic_store(
            Y,
            u64c(0),
            float(S::F32, 1.0),
            MemoryOrder::SeqCst,
            Scope::Device,
        ),
        eval(rmw(S::F32, AtomicOp::Load, X, vec![])),
        eval(mem_len(ACC)),
        eval(sub_group(
            S::U32,
            SubGroupOp::ReduceAdd,
            vec![builtin(Builtin::SubGroupId)],
        )),
    ];
    let module = Module {
        functions: vec![],
        kernels: vec![nd_kernel(body)],
    };
    assert_eq!(check_module(&module), Ok(()));
}

#[test]
fn memory_of_the_wrong_kind() {
    let cases = [
        (
            eval(read(S::U32, Memory::Tensor(ParamId(2)), u64c(0))),
            "kernel `k`: `load` needs a tensor, but parameter `acc` is a local accessor",
        ),
        (
            write(Memory::Local(ParamId(1)), u64c(0), float(S::F32, 0.0)),
            "kernel `k`: `store` needs a local accessor, but parameter `y` is a tensor",
        ),
        (
            eval(read(S::U32, Memory::Local(ParamId(3)), u64c(0))),
            "kernel `k`: `load` needs a local accessor, but parameter `s` is a scalar",
        ),
        (
            eval(param(S::U32, 2)),
            "kernel `k`: parameter `acc` is a local accessor, not a scalar value",
        ),
    ];
    for (statement, expected) in cases {
        let (err, message) = error_of(vec![statement]);
        assert!(
            matches!(
                err,
                CheckError::NotATensor { .. }
                    | CheckError::NotALocalAccessor { .. }
                    | CheckError::NotAScalarParam { .. }
            ),
            "{err:?}"
        );
        assert_eq!(message, expected);
    }
}

/// `name(acc: LocalAccessor<elem, dims>)` storing `acc[0] = 1` or calling function `inner`
/// with its accessor.
fn local_function(name: &str, elem: S, dims: u32, inner: Option<u32>) -> Function {
    let acc = Memory::Local(ParamId(0));
    let body = match inner {
        Some(f) => call_stmt(f, vec![Argument::Local(ParamId(0))]),
        None if elem.is_float() => write(acc, u64c(0), float(elem, 1.0)),
        None => write(acc, u64c(0), int(elem, 1)),
    };
    let param = Param {
        name: "acc".into(),
        kind: ParamKind::Local { elem, dims },
    };
    function(name, vec![param], None, vec![], vec![body])
}

#[test]
fn functions_take_local_accessors() {
    let module = Module {
        functions: vec![local_function("f", S::U32, 1, None)],
        kernels: vec![nd_kernel(vec![call_stmt(
            0,
            vec![Argument::Local(ParamId(2))],
        )])],
    };
    check_module(&module).expect("a kernel passes its local accessor to a function");
}

#[test]
fn local_accessor_arguments_of_other_kinds() {
    let tensor_function = function(
        "g",
        vec![tensor("t", S::F32, Access::Read)],
        None,
        vec![],
        vec![],
    );
    let cases = [
        (
            call_stmt(0, vec![val(param(S::U32, 3))]),
            "kernel `k`: `f` takes `acc` as a local accessor, but a value is passed",
        ),
        (
            call_stmt(0, vec![ten(0)]),
            "kernel `k`: `f` takes `acc` as a local accessor, but tensor `x` is passed",
        ),
        (
            call_stmt(0, vec![Argument::Local(ParamId(3))]),
            "kernel `k`: `f` takes `acc` as a local accessor, but scalar parameter `s` is passed",
        ),
        (
            call_stmt(0, vec![ten(2)]),
            "kernel `k`: `f` takes `acc` as a local accessor, but local accessor `acc` (as \
             `Argument::Tensor`) is passed",
        ),
        (
            call_stmt(1, vec![Argument::Local(ParamId(2))]),
            "kernel `k`: `g` takes `t` as a tensor, but local accessor `acc` is passed",
        ),
        (
            call_stmt(1, vec![Argument::Local(ParamId(0))]),
            "kernel `k`: `g` takes `t` as a tensor, but tensor `x` (as `Argument::Local`) is \
             passed",
        ),
    ];
    for (call, expected) in cases {
        let (err, message) = module_error(Module {
            functions: vec![
                local_function("f", S::U32, 1, None),
                tensor_function.clone(),
            ],
            kernels: vec![nd_kernel(vec![call])],
        });
        assert!(matches!(err, CheckError::ArgumentKind { .. }), "{err:?}");
        assert_eq!(message, expected);
    }
}

#[test]
fn local_accessors_of_another_type_or_rank() {
    let cases = [
        (
            local_function("f", S::F32, 1, None),
            "kernel `k`: `f` takes `acc` as a `LocalAccessor<f32>`, but local accessor `acc` is \
             a `LocalAccessor<u32>`",
        ),
        (
            local_function("f", S::U32, 2, None),
            "kernel `k`: `f` takes `acc` as a `LocalAccessor<u32, 2>`, but local accessor `acc` \
             is a `LocalAccessor<u32>`",
        ),
    ];
    for (f, expected) in cases {
        let (err, message) = module_error(Module {
            functions: vec![f],
            kernels: vec![nd_kernel(vec![call_stmt(
                0,
                vec![Argument::Local(ParamId(2))],
            )])],
        });
        assert!(
            matches!(err, CheckError::LocalAccessorMismatch { .. }),
            "{err:?}"
        );
        assert_eq!(message, expected);
    }
}

/// A kernel `name` with two local accessors `a` and `b` of `u32`, running `body`.
fn two_accessors(name: &str, body: Vec<Statement>) -> Kernel {
    kernel(
        name,
        1,
        vec![local_param("a", S::U32), local_param("b", S::U32)],
        vec![],
        body,
    )
}

#[test]
fn a_function_stands_for_one_accessor_of_each_kernel() {
    let pass = |f: u32, p: u32| call_stmt(f, vec![Argument::Local(ParamId(p))]);
    // `g` passes its accessor on to `f`.
    let functions = vec![
        local_function("f", S::U32, 1, None),
        local_function("g", S::U32, 1, Some(0)),
    ];
    // One accessor per function: through `g` or directly, and per kernel.
    let fine = Module {
        functions: functions.clone(),
        kernels: vec![
            two_accessors("k", vec![pass(1, 0), pass(0, 0)]),
            two_accessors("other", vec![pass(0, 1)]),
        ],
    };
    check_module(&fine).expect("each function's accessor stands for one of each kernel's");
    let cases = [
        (
            vec![pass(0, 0), pass(0, 1)],
            "kernel `k`: the local accessor `acc` of `f` stands for both `a` and `b`; a function \
             takes one kernel's accessor per parameter (call another function for the other \
             accessor)",
        ),
        (
            vec![pass(1, 0), pass(0, 1)],
            "kernel `k`: the local accessor `acc` of `f` stands for both `b` and `a`; a function \
             takes one kernel's accessor per parameter (call another function for the other \
             accessor)",
        ),
    ];
    for (body, expected) in cases {
        let (err, message) = module_error(Module {
            functions: functions.clone(),
            kernels: vec![two_accessors("k", body)],
        });
        assert!(
            matches!(err, CheckError::LocalAccessorOrigins { .. }),
            "{err:?}"
        );
        assert_eq!(message, expected);
    }
}

#[test]
fn work_group_arrays() {
    let (err, message) = error_of(vec![eval(read(
        S::I64,
        Memory::Workgroup(WorkgroupArrayId(1)),
        u64c(0),
    ))]);
    assert!(
        matches!(err, CheckError::UnknownWorkgroupArray { .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "kernel `k`: work-group array #1 does not exist (the kernel has 1)"
    );

    // Functions have none.
    let f = function(
        "f",
        vec![],
        None,
        vec![],
        vec![write(SHARED, u64c(0), int(S::I64, 0))],
    );
    let (_, message) = module_error(Module {
        functions: vec![f],
        kernels: vec![],
    });
    assert_eq!(
        message,
        "function `f`: work-group array #0 does not exist (the function has 0)"
    );

    let mut k = nd_kernel(vec![]);
    k.workgroup_arrays[0].len = 0;
    let (err, message) = module_error(Module {
        functions: vec![],
        kernels: vec![k],
    });
    assert!(
        matches!(err, CheckError::EmptyWorkgroupArray { .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "kernel `k`: work-group array `shared` has length 0"
    );
}

#[test]
fn element_types_and_indices() {
    let cases = [
        (
            eval(read(S::F32, SHARED, u64c(0))),
            "kernel `k`: an element of `shared` has type `f32`, expected `i64`",
        ),
        (
            write(ACC, int(S::U32, 0), int(S::U32, 0)),
            "kernel `k`: the index of a store to `acc` has type `u32`, expected `u64`",
        ),
        (
            write(SHARED, u64c(0), int(S::I32, 0)),
            "kernel `k`: the value stored to `shared` has type `i32`, expected `i64`",
        ),
        (
            eval(read(S::U32, ACC, int(S::I64, 0))),
            "kernel `k`: the index of a load from `acc` has type `i64`, expected `u64`",
        ),
    ];
    for (statement, expected) in cases {
        let (err, message) = error_of(vec![statement]);
        assert!(matches!(err, CheckError::TypeMismatch { .. }), "{err:?}");
        assert_eq!(message, expected);
    }
    let (err, message) = error_of(vec![write(X, u64c(0), float(S::F32, 0.0))]);
    assert!(matches!(err, CheckError::StoreToReadOnly { .. }), "{err:?}");
    assert_eq!(
        message,
        "kernel `k`: cannot store to `x`, a read-only tensor (`&Tensor`)"
    );
}

#[test]
fn len_of_arrays() {
    for (memory, expected) in [
        (SHARED, "`shared` is a work-group array"),
        (ARR, "`arr` is a private array"),
    ] {
        let (err, message) = error_of(vec![eval(mem_len(memory))]);
        assert!(matches!(err, CheckError::LenOfArray { .. }), "{err:?}");
        assert_eq!(
            message,
            format!("kernel `k`: `len` needs a tensor or a local accessor, but {expected}")
        );
    }
}

#[test]
fn builtins() {
    let (err, message) = error_of(vec![eval(builtin(Builtin::GroupId(1)))]);
    assert!(
        matches!(err, CheckError::BuiltinDimOutOfRange { .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "kernel `k`: group_id(1) used in a 1-dimensional kernel"
    );
    let wrong = Expr {
        ty: S::U64,
        kind: dpex_spirv::ir::ExprKind::Builtin(Builtin::SubGroupSize),
    };
    let (err, message) = error_of(vec![eval(wrong)]);
    assert!(matches!(err, CheckError::TypeMismatch { .. }), "{err:?}");
    assert_eq!(
        message,
        "kernel `k`: `sub_group_size()` has type `u64`, expected `u32`"
    );
    for b in [Builtin::LocalId(0), Builtin::SubGroupLocalId] {
        let f = function(
            "f",
            vec![],
            None,
            vec![],
            vec![Statement::If {
                condition: bin(dpex_spirv::ir::BinaryOp::Eq, builtin(b), builtin(b)),
                accept: vec![],
                reject: vec![],
            }],
        );
        let (err, _) = module_error(Module {
            functions: vec![f],
            kernels: vec![],
        });
        assert!(
            matches!(err, CheckError::BuiltinInFunction { .. }),
            "{err:?}"
        );
    }
}

#[test]
fn atomics() {
    let cases = [
        (
            eval(rmw(S::F32, AtomicOp::Add, ARR, vec![float(S::F32, 1.0)])),
            "kernel `k`: atomic `fetch_add` on private array `arr`; atomics need a tensor or local memory",
        ),
        (
            eval(rmw(S::F32, AtomicOp::And, Y, vec![float(S::F32, 1.0)])),
            "kernel `k`: atomic `fetch_and` is not defined on `f32`",
        ),
        (
            eval(rmw(S::F32, AtomicOp::Add, X, vec![float(S::F32, 1.0)])),
            "kernel `k`: cannot store to `x`, a read-only tensor (`&Tensor`)",
        ),
        (
            eval(rmw(S::U32, AtomicOp::CompareExchange, ACC, vec![int(S::U32, 1)])),
            "kernel `k`: atomic `compare_exchange` takes 2 operand(s), 1 given",
        ),
        (
            eval(rmw(S::U32, AtomicOp::Load, ACC, vec![int(S::U32, 1)])),
            "kernel `k`: atomic `load` takes 0 operand(s), 1 given",
        ),
        (
            eval(rmw(S::U32, AtomicOp::Exchange, ACC, vec![int(S::I32, 1)])),
            "kernel `k`: operand 1 of atomic `exchange` on `acc` has type `i32`, expected `u32`",
        ),
        (
            eval(rmw(S::I32, AtomicOp::Max, ACC, vec![int(S::U32, 1)])),
            "kernel `k`: the result of atomic `fetch_max` on `acc` has type `i32`, expected `u32`",
        ),
        (
            eval(atomic(S::F32, AtomicOp::Load, X, u64c(0), vec![], MemoryOrder::Release, Scope::Device)),
            "kernel `k`: atomic `load` cannot have memory order Release",
        ),
        (
            atomic_store(Y, u64c(0), float(S::F32, 1.0), MemoryOrder::AcqRel, Scope::Device),
            "kernel `k`: atomic `store` cannot have memory order AcqRel",
        ),
        (
            atomic_store(X, u64c(0), float(S::F32, 1.0), MemoryOrder::Relaxed, Scope::Device),
            "kernel `k`: cannot store to `x`, a read-only tensor (`&Tensor`)",
        ),
        (
            Statement::Fence { order: MemoryOrder::Relaxed, scope: Scope::Device },
            "kernel `k`: a fence cannot be `Relaxed`",
        ),
    ];
    for (statement, expected) in cases {
        let (_, message) = error_of(vec![statement]);
        assert_eq!(message, expected);
    }
    // Element types atomics do not take.
    let mut k = nd_kernel(vec![]);
    k.params[2] = local_param("acc", S::U8);
    k.body = vec![eval(rmw(S::U8, AtomicOp::Add, ACC, vec![int(S::U8, 1)]))];
    let (err, message) = module_error(Module {
        functions: vec![],
        kernels: vec![k],
    });
    assert!(
        matches!(err, CheckError::InvalidAtomicType { .. }),
        "{err:?}"
    );
    assert_eq!(
        message,
        "kernel `k`: atomic `fetch_add` is not defined on `u8`"
    );
}

#[test]
fn sub_groups() {
    let v = || int(S::U32, 1);
    let cases = [
        (
            sub_group(S::U32, SubGroupOp::Broadcast, vec![v()]),
            "kernel `k`: `sub_group.broadcast` takes 2 argument(s), 1 given",
        ),
        (
            sub_group(S::Bool, SubGroupOp::ReduceAdd, vec![boolean(true)]),
            "kernel `k`: sub-group `reduce_add` is not defined on `bool`",
        ),
        (
            sub_group(S::U32, SubGroupOp::Any, vec![v()]),
            "kernel `k`: sub-group `any` is not defined on `u32`",
        ),
        (
            sub_group(S::U32, SubGroupOp::ShuffleXor, vec![v(), u64c(1)]),
            "kernel `k`: the mask of sub-group `shuffle_xor` has type `u64`, expected `u32`",
        ),
        (
            sub_group(S::I32, SubGroupOp::ReduceMax, vec![v()]),
            "kernel `k`: the result of sub-group `reduce_max` has type `i32`, expected `u32`",
        ),
    ];
    for (value, expected) in cases {
        let statement = if value.ty == S::Bool {
            eval(cast(value, S::U8))
        } else {
            eval(value)
        };
        let (_, message) = error_of(vec![statement]);
        assert_eq!(message, expected);
    }
}
