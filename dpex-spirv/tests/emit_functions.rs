//! Device functions (scalar, `bool` and tensor parameters, results returned from inside
//! `if`/`else` and loops, early `return`, nested calls) and private arrays, each module
//! validated by `spirv-val`.

mod common;

use common::builders::*;
use common::*;
use dpex_spirv::ir::{Access, BinaryOp as B, Module, Scalar as S, Statement, UnaryOp};

/// `fn axpy_at(a: f32, x: &Tensor<f32>, y: &mut Tensor<f32>, i: u64) { y[i] = a * x[i] + y[i] }`
fn axpy_at() -> dpex_spirv::ir::Function {
    let i = || param(S::U64, 3);
    function(
        "axpy_at",
        vec![
            scalar("a", S::F32),
            tensor("x", S::F32, Access::Read),
            tensor("y", S::F32, Access::ReadWrite),
            scalar("i", S::U64),
        ],
        None,
        vec![],
        vec![store(
            2,
            i(),
            bin(
                B::Add,
                bin(B::Mul, param(S::F32, 0), load(S::F32, 1, i())),
                load(S::F32, 2, i()),
            ),
        )],
    )
}

#[test]
fn function_with_scalar_and_tensor_params_called_from_two_kernels() {
    let caller = |name: &str| {
        kernel(
            name,
            1,
            vec![
                scalar("alpha", S::F32),
                tensor("xs", S::F32, Access::Read),
                tensor("ys", S::F32, Access::ReadWrite),
            ],
            vec![],
            vec![call_stmt(
                0,
                vec![val(param(S::F32, 0)), ten(1), ten(2), val(gid(0))],
            )],
        )
    };
    // A `&mut Tensor` may be passed where the callee only reads.
    let reader = kernel(
        "reader",
        1,
        vec![tensor("buf", S::F32, Access::ReadWrite)],
        vec![],
        vec![call_stmt(
            0,
            vec![val(float(S::F32, 2.0)), ten(0), ten(0), val(gid(0))],
        )],
    );
    let module = Module {
        functions: vec![axpy_at()],
        kernels: vec![caller("first"), caller("second"), reader],
    };
    let text = emit_module_valid("axpy_at", &module);
    assert_eq!(text.matches("OpFunctionCall").count(), 3, "{text}");
    assert_eq!(text.matches("OpEntryPoint Kernel").count(), 3, "{text}");
    assert!(
        !text.contains("\"axpy_at\" %"),
        "a function is no entry point:\n{text}"
    );
}

/// `fn sign(v: f32) -> i32 { if v < 0 { return -1 } else if v > 0 { return 1 } else { return 0 } }`
fn sign() -> dpex_spirv::ir::Function {
    let v = || param(S::F32, 0);
    function(
        "sign",
        vec![scalar("v", S::F32)],
        Some(S::I32),
        vec![],
        vec![if_(
            bin(B::Lt, v(), float(S::F32, 0.0)),
            vec![ret(int(S::I32, u64::from(u32::MAX)))],
            vec![if_(
                bin(B::Gt, v(), float(S::F32, 0.0)),
                vec![ret(int(S::I32, 1))],
                vec![ret(int(S::I32, 0))],
            )],
        )],
    )
}

/// The index of the first element of `x` above `t`, or `x.len()`: returns from inside an
/// endless loop, which has no `break`.
fn first_above() -> dpex_spirv::ir::Function {
    let i = || get(S::U64, 0);
    function(
        "first_above",
        vec![tensor("x", S::F32, Access::Read), scalar("t", S::F32)],
        Some(S::U64),
        vec![local("i", S::U64)],
        vec![
            assign(0, int(S::U64, 0)),
            loop_(
                vec![
                    if_(bin(B::Ge, i(), len(0)), vec![ret(len(0))], vec![]),
                    if_(
                        bin(B::Gt, load(S::F32, 0, i()), param(S::F32, 1)),
                        vec![ret(i())],
                        vec![],
                    ),
                ],
                vec![increment(0, S::U64, int(S::U64, 1))],
            ),
        ],
    )
}

/// `fn clear_if(flag: bool, y: &mut Tensor<f32>, i: u64) { if !flag { return } y[i] = 0.0 }`
fn clear_if() -> dpex_spirv::ir::Function {
    function(
        "clear_if",
        vec![
            scalar("flag", S::Bool),
            tensor("y", S::F32, Access::ReadWrite),
            scalar("i", S::U64),
        ],
        None,
        vec![],
        vec![
            if_(
                unary(UnaryOp::Not, param(S::Bool, 0)),
                vec![Statement::Return],
                vec![],
            ),
            store(1, param(S::U64, 2), float(S::F32, 0.0)),
        ],
    )
}

/// `fn pick(c: bool, a: f32, b: f32) -> f32`: a `bool` parameter and result via `if`.
fn pick() -> dpex_spirv::ir::Function {
    function(
        "pick",
        vec![
            scalar("c", S::Bool),
            scalar("a", S::F32),
            scalar("b", S::F32),
        ],
        Some(S::F32),
        vec![],
        vec![if_(
            param(S::Bool, 0),
            vec![ret(param(S::F32, 1))],
            vec![ret(param(S::F32, 2))],
        )],
    )
}

/// `fn is_positive(v: f32) -> bool`: a `bool` result.
fn is_positive() -> dpex_spirv::ir::Function {
    function(
        "is_positive",
        vec![scalar("v", S::F32)],
        Some(S::Bool),
        vec![],
        vec![ret(bin(B::Gt, param(S::F32, 0), float(S::F32, 0.0)))],
    )
}

#[test]
fn results_from_if_else_and_loops_bool_params_and_early_return() {
    // Function ids: 0 sign, 1 first_above, 2 clear_if, 3 pick, 4 is_positive.
    let x = || load(S::F32, 0, gid(0));
    let body = vec![
        store(2, gid(0), call(S::I32, 0, vec![val(x())])),
        store(
            3,
            gid(0),
            call(S::U64, 1, vec![ten(0), val(param(S::F32, 4))]),
        ),
        // `flag` arrives as a `u8` and is passed on as a real `bool`.
        call_stmt(2, vec![val(param(S::Bool, 5)), ten(1), val(gid(0))]),
        store(
            1,
            gid(0),
            call(
                S::F32,
                3,
                vec![
                    val(call(S::Bool, 4, vec![val(x())])),
                    val(x()),
                    val(float(S::F32, -1.0)),
                ],
            ),
        ),
        // A call whose result is dropped.
        call_stmt(0, vec![val(x())]),
    ];
    let k = kernel(
        "uses_all",
        1,
        vec![
            tensor("x", S::F32, Access::Read),
            tensor("y", S::F32, Access::ReadWrite),
            tensor("signs", S::I32, Access::ReadWrite),
            tensor("firsts", S::U64, Access::ReadWrite),
            scalar("t", S::F32),
            scalar("flag", S::Bool),
        ],
        vec![],
        body,
    );
    let module = Module {
        functions: vec![sign(), first_above(), clear_if(), pick(), is_positive()],
        kernels: vec![k],
    };
    let text = emit_module_valid("function_bodies", &module);
    // sign 3, first_above 2, pick 2, is_positive 1.
    assert_eq!(text.matches("OpReturnValue").count(), 8, "{text}");
}

#[test]
fn nested_calls() {
    // h(v) = v * 2; g(v) = h(v) + 1; f(x, i) = g(x[i]): called in source order f -> g -> h,
    // defined in the module in reverse.
    let h = function(
        "h",
        vec![scalar("v", S::I64)],
        Some(S::I64),
        vec![],
        vec![ret(bin(B::Mul, param(S::I64, 0), int(S::I64, 2)))],
    );
    let g = function(
        "g",
        vec![scalar("v", S::I64)],
        Some(S::I64),
        vec![],
        vec![ret(bin(
            B::Add,
            call(S::I64, 0, vec![val(param(S::I64, 0))]),
            int(S::I64, 1),
        ))],
    );
    let f = function(
        "f",
        vec![tensor("x", S::I64, Access::Read), scalar("i", S::U64)],
        Some(S::I64),
        vec![],
        vec![ret(call(
            S::I64,
            1,
            vec![val(load(S::I64, 0, param(S::U64, 1)))],
        ))],
    );
    let k = kernel(
        "nested",
        1,
        vec![
            tensor("x", S::I64, Access::Read),
            tensor("y", S::I64, Access::ReadWrite),
        ],
        vec![],
        vec![store(1, gid(0), call(S::I64, 2, vec![ten(0), val(gid(0))]))],
    );
    let module = Module {
        functions: vec![h, g, f],
        kernels: vec![k],
    };
    let text = emit_module_valid("nested_calls", &module);
    assert_eq!(text.matches("OpFunctionCall").count(), 3, "{text}");
}

/// A kernel filling a private array of `n` elements of `t` from `x` in one loop, then summing
/// it in a second loop with a runtime index `(i * 3) % n`.
fn array_kernel(t: S, n: u32) -> dpex_spirv::ir::Kernel {
    let (i, acc, arr) = (0, 1, 2);
    let index = || get(S::U64, i);
    let for_each = |body: Vec<Statement>| {
        let mut full = vec![break_unless_below(i, S::U64, int(S::U64, u64::from(n)))];
        full.extend(body);
        vec![
            assign(i, int(S::U64, 0)),
            loop_(full, vec![increment(i, S::U64, int(S::U64, 1))]),
        ]
    };
    let zero = if t == S::Bool {
        boolean(false)
    } else {
        cast(int(S::U8, 0), t)
    };
    let combine = if t == S::Bool { B::BitXor } else { B::Add };
    let mut body = for_each(vec![store_elem(arr, index(), load(t, 0, index()))]);
    body.push(assign(acc, zero));
    body.extend(for_each(vec![assign(
        acc,
        bin(
            combine,
            get(t, acc),
            elem(
                t,
                arr,
                bin(
                    B::Rem,
                    bin(B::Mul, index(), int(S::U64, 3)),
                    int(S::U64, u64::from(n)),
                ),
            ),
        ),
    )]));
    body.push(store(1, gid(0), get(t, acc)));
    kernel(
        &format!("array_{t}"),
        1,
        vec![
            tensor("x", t, Access::Read),
            tensor("out", t, Access::ReadWrite),
        ],
        vec![local("i", S::U64), local("acc", t), array("arr", t, n)],
        body,
    )
}

#[test]
fn private_arrays_of_several_types_in_loops() {
    for (t, n) in [
        (S::F32, 8),
        (S::F64, 3),
        (S::F16, 5),
        (S::I8, 16),
        (S::U16, 2),
        (S::I64, 7),
        (S::Bool, 4),
        (S::U32, 1),
    ] {
        let text = emit_valid(&format!("array_{t}"), vec![array_kernel(t, n)]);
        assert!(text.contains("OpTypeArray"), "{text}");
        assert!(text.contains("OpInBoundsAccessChain"), "{text}");
    }
}

#[test]
fn arrays_math_and_pow_inside_a_function() {
    // fn norm(x: &Tensor<f32>) -> f32: squares of the first 4 elements into an array, then
    // sqrt of their sum; also calls integer `pow` (its helper function is shared).
    let i = || get(S::U64, 0);
    let f = function(
        "norm4",
        vec![tensor("x", S::F32, Access::Read)],
        Some(S::F32),
        vec![
            local("i", S::U64),
            local("s", S::F32),
            array("sq", S::F32, 4),
        ],
        vec![
            assign(0, int(S::U64, 0)),
            assign(1, float(S::F32, 0.0)),
            loop_(
                vec![
                    break_unless_below(0, S::U64, int(S::U64, 4)),
                    store_elem(
                        2,
                        i(),
                        math(
                            S::F32,
                            dpex_spirv::ir::MathFunction::Powi,
                            vec![load(S::F32, 0, i()), int(S::I32, 2)],
                        ),
                    ),
                    assign(1, bin(B::Add, get(S::F32, 1), elem(S::F32, 2, i()))),
                ],
                vec![increment(0, S::U64, int(S::U64, 1))],
            ),
            ret(math(
                S::F32,
                dpex_spirv::ir::MathFunction::Sqrt,
                vec![get(S::F32, 1)],
            )),
        ],
    );
    let pow = |base: u32| {
        math(
            S::U32,
            dpex_spirv::ir::MathFunction::Pow,
            vec![int(S::U32, u64::from(base)), int(S::U32, 3)],
        )
    };
    let g = function(
        "cube_sum",
        vec![],
        Some(S::U32),
        vec![],
        vec![ret(bin(B::Add, pow(2), pow(3)))],
    );
    let k = kernel(
        "norms",
        1,
        vec![
            tensor("x", S::F32, Access::Read),
            tensor("out", S::F32, Access::ReadWrite),
        ],
        vec![],
        vec![store(
            1,
            gid(0),
            bin(
                B::Add,
                call(S::F32, 0, vec![ten(0)]),
                cast(bin(B::Add, call(S::U32, 1, vec![]), pow(4)), S::F32),
            ),
        )],
    );
    let module = Module {
        functions: vec![f, g],
        kernels: vec![k],
    };
    let text = emit_module_valid("function_arrays", &module);
    assert_eq!(text.matches("\"__dpex_pow_u32\"").count(), 1, "{text}");
}
