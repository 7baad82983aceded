//! Control flow kernels (if/else, loops, break/continue/return, short-circuit operators,
//! `if` expressions) emitted and validated with `spirv-val --target-env opencl2.2`.

mod common;

use common::*;
use dpex_spirv::ir::{Access, BinaryOp as B, Scalar as S, Statement, UnaryOp};

#[test]
fn if_else_and_loop_with_break_and_continue() {
    let text = emit_valid("odd_sum", vec![control_flow_kernel()]);
    assert!(text.contains("OpLoopMerge"), "{text}");
    assert!(text.contains("OpSelectionMerge"), "{text}");
    assert!(text.contains("OpUMod"), "{text}");
}

#[test]
fn nested_loops() {
    // for i in 0..n { for j in 0..n { if j > i { break } out[i] += 1 } }
    let (i, j) = (0, 1);
    let n = || param(S::U64, 0);
    let inner = loop_(
        vec![
            break_unless_below(j, S::U64, n()),
            if_(
                bin(B::Gt, get(S::U64, j), get(S::U64, i)),
                vec![Statement::Break],
                vec![],
            ),
            store(
                1,
                get(S::U64, i),
                bin(B::Add, load(S::U32, 1, get(S::U64, i)), int(S::U32, 1)),
            ),
        ],
        vec![increment(j, S::U64, int(S::U64, 1))],
    );
    let outer = loop_(
        vec![
            break_unless_below(i, S::U64, n()),
            assign(j, int(S::U64, 0)),
            inner,
        ],
        vec![increment(i, S::U64, int(S::U64, 1))],
    );
    let k = kernel(
        "triangle",
        1,
        vec![
            scalar("n", S::U64),
            tensor("out", S::U32, Access::ReadWrite),
        ],
        vec![local("i", S::U64), local("j", S::U64)],
        vec![assign(i, int(S::U64, 0)), outer],
    );
    emit_valid("triangle", vec![k]);
}

#[test]
fn short_circuit_and_or() {
    // if (i < x.len() && x[i] > 0) || flag { out[i] = 1 } else { out[i] = 0 }
    let i = || gid(0);
    let guarded = bin(
        B::LogicalAnd,
        bin(B::Lt, i(), len(0)),
        bin(B::Gt, load(S::I32, 0, i()), int(S::I32, 0)),
    );
    let condition = bin(B::LogicalOr, guarded, param(S::Bool, 1));
    let nested = bin(
        B::LogicalAnd,
        bin(B::LogicalOr, param(S::Bool, 1), boolean(false)),
        bin(B::LogicalAnd, boolean(true), bin(B::Lt, i(), len(2))),
    );
    let k = kernel(
        "short_circuit",
        1,
        vec![
            tensor("x", S::I32, Access::Read),
            scalar("flag", S::Bool),
            tensor("out", S::I32, Access::ReadWrite),
        ],
        vec![local("b", S::Bool)],
        vec![
            if_(
                condition,
                vec![store(2, i(), int(S::I32, 1))],
                vec![store(2, i(), int(S::I32, 0))],
            ),
            assign(0, nested),
            if_(get(S::Bool, 0), vec![store(2, i(), int(S::I32, 2))], vec![]),
        ],
    );
    let text = emit_valid("short_circuit", vec![k]);
    assert!(text.contains("OpPhi"), "{text}");
    assert!(text.contains("OpINotEqual"), "{text}");
    assert!(text.contains("OpCapability Int8"), "{text}");
}

#[test]
fn short_circuit_in_loop_condition_and_continuing() {
    // while i < n && x[i] != 0 { i += 1 } with `i < n || false` recomputed in continuing
    let (i, b) = (0, 1);
    let cond = bin(
        B::LogicalAnd,
        bin(B::Lt, get(S::U64, i), len(0)),
        bin(B::Ne, load(S::U16, 0, get(S::U64, i)), int(S::U16, 0)),
    );
    let k = kernel(
        "scan_zero",
        1,
        vec![
            tensor("x", S::U16, Access::Read),
            tensor("out", S::U64, Access::ReadWrite),
        ],
        vec![local("i", S::U64), local("b", S::Bool)],
        vec![
            assign(i, int(S::U64, 0)),
            loop_(
                vec![if_(
                    unary(UnaryOp::Not, cond),
                    vec![Statement::Break],
                    vec![],
                )],
                vec![
                    increment(i, S::U64, int(S::U64, 1)),
                    assign(
                        b,
                        bin(
                            B::LogicalOr,
                            bin(B::Lt, get(S::U64, i), len(0)),
                            boolean(false),
                        ),
                    ),
                ],
            ),
            store(1, gid(0), get(S::U64, i)),
        ],
    );
    emit_valid("scan_zero", vec![k]);
}

#[test]
fn select_evaluates_one_side() {
    // out[i] = if i < x.len() { x[i] } else { if flag { 1.0 } else { -1.0 } }
    let i = || gid(0);
    let inner = select(param(S::Bool, 1), float(S::F64, 1.0), float(S::F64, -1.0));
    let value = select(bin(B::Lt, i(), len(0)), load(S::F64, 0, i()), inner);
    let k = kernel(
        "select",
        1,
        vec![
            tensor("x", S::F64, Access::Read),
            scalar("flag", S::Bool),
            tensor("out", S::F64, Access::ReadWrite),
        ],
        vec![],
        vec![store(2, i(), value)],
    );
    let text = emit_valid("select", vec![k]);
    // The side with a load is only evaluated when chosen (a branch and a phi); the inner
    // select of two constants cannot fault and becomes a branch-free OpSelect.
    assert!(text.contains("OpPhi"), "{text}");
    assert_eq!(text.matches("OpSelect ").count(), 1, "{text}");
}

#[test]
fn return_inside_loop() {
    // for i in 0..x.len() { if x[i] == key { out[0] = i; return } } out[0] = u64::MAX
    let i = 0;
    let k = kernel(
        "find",
        1,
        vec![
            tensor("x", S::I64, Access::Read),
            scalar("key", S::I64),
            tensor("out", S::U64, Access::ReadWrite),
        ],
        vec![local("i", S::U64)],
        vec![
            assign(i, int(S::U64, 0)),
            loop_(
                vec![
                    break_unless_below(i, S::U64, len(0)),
                    if_(
                        bin(B::Eq, load(S::I64, 0, get(S::U64, i)), param(S::I64, 1)),
                        vec![
                            store(2, int(S::U64, 0), get(S::U64, i)),
                            Statement::Return,
                            store(2, int(S::U64, 0), int(S::U64, 7)),
                        ],
                        vec![],
                    ),
                ],
                vec![increment(i, S::U64, int(S::U64, 1))],
            ),
            store(2, int(S::U64, 0), int(S::U64, u64::MAX)),
        ],
    );
    let text = emit_valid("find", vec![k]);
    assert_eq!(text.matches("OpReturn").count(), 2, "{text}");
}

#[test]
fn loop_left_only_by_return() {
    // loop { if x[i] > 0 { return } i += 1 }: the loop's merge block is unreachable.
    let k = kernel(
        "spin",
        1,
        vec![tensor("x", S::U32, Access::Read)],
        vec![local("i", S::U64)],
        vec![
            assign(0, gid(0)),
            loop_(
                vec![if_(
                    bin(B::Gt, load(S::U32, 0, get(S::U64, 0)), int(S::U32, 0)),
                    vec![Statement::Return],
                    vec![],
                )],
                vec![increment(0, S::U64, int(S::U64, 1))],
            ),
            assign(0, int(S::U64, 3)),
        ],
    );
    let text = emit_valid("spin", vec![k]);
    assert!(text.contains("OpUnreachable"), "{text}");
}

#[test]
fn loop_body_always_breaks() {
    // loop { out[i] = 1; break } continuing { ... }: the continue target is unreachable.
    let k = kernel(
        "once",
        1,
        vec![tensor("out", S::U32, Access::ReadWrite)],
        vec![local("n", S::U32)],
        vec![
            assign(0, int(S::U32, 0)),
            loop_(
                vec![store(0, gid(0), int(S::U32, 1)), Statement::Break],
                vec![increment(0, S::U32, int(S::U32, 1))],
            ),
        ],
    );
    emit_valid("once", vec![k]);
}

#[test]
fn if_whose_branches_both_end_in_terminators() {
    // loop { if c { break } else { continue } ; unreachable } and if c { return } else { return }
    let c = || bin(B::Lt, gid(0), int(S::U64, 4));
    let k = kernel(
        "dead_ends",
        1,
        vec![tensor("out", S::U32, Access::ReadWrite)],
        vec![],
        vec![
            loop_(
                vec![
                    if_(c(), vec![Statement::Break], vec![Statement::Continue]),
                    store(0, gid(0), int(S::U32, 9)),
                ],
                vec![],
            ),
            store(0, gid(0), int(S::U32, 1)),
            if_(c(), vec![Statement::Return], vec![Statement::Return]),
            store(0, gid(0), int(S::U32, 2)),
        ],
    );
    let text = emit_valid("dead_ends", vec![k]);
    // The store of 9 after the inner `if` is unreachable and dropped.
    let nine = text
        .lines()
        .any(|l| l.contains("OpConstant") && l.ends_with(" 9"));
    assert!(!nine, "{text}");
}

#[test]
fn return_at_top_level_drops_the_rest() {
    let k = kernel(
        "early",
        1,
        vec![tensor("out", S::U32, Access::ReadWrite)],
        vec![],
        vec![
            store(0, gid(0), int(S::U32, 1)),
            Statement::Return,
            store(0, gid(0), int(S::U32, 2)),
        ],
    );
    emit_valid("early", vec![k]);
}

#[test]
fn return_in_continuing() {
    // loop { if i >= n { break } } continuing { i += 1; if i == 5 { return } }
    let k = kernel(
        "bail",
        1,
        vec![scalar("n", S::U32)],
        vec![local("i", S::U32)],
        vec![
            assign(0, int(S::U32, 0)),
            loop_(
                vec![break_unless_below(0, S::U32, param(S::U32, 0))],
                vec![
                    increment(0, S::U32, int(S::U32, 1)),
                    if_(
                        bin(B::Eq, get(S::U32, 0), int(S::U32, 5)),
                        vec![Statement::Return],
                        vec![],
                    ),
                ],
            ),
        ],
    );
    emit_valid("bail", vec![k]);
}

#[test]
fn continuing_ends_in_return() {
    let k = kernel(
        "bail_always",
        1,
        vec![],
        vec![],
        vec![loop_(
            vec![if_(
                bin(B::Lt, gid(0), int(S::U64, 3)),
                vec![Statement::Break],
                vec![],
            )],
            vec![Statement::Return],
        )],
    );
    emit_valid("bail_always", vec![k]);
}
