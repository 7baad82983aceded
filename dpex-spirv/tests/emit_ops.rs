//! Every operator on every type where the IR allows it, every cast pair and literal edge
//! cases, each module validated with `spirv-val --target-env opencl2.2`.

mod common;

use common::*;
use dpex_spirv::ir::{Access, BinaryOp as B, Expr, Scalar as S, Statement, UnaryOp};

const BINARY_OPS: [B; 18] = [
    B::Add,
    B::Sub,
    B::Mul,
    B::Div,
    B::Rem,
    B::BitAnd,
    B::BitOr,
    B::BitXor,
    B::Shl,
    B::Shr,
    B::Eq,
    B::Ne,
    B::Lt,
    B::Le,
    B::Gt,
    B::Ge,
    B::LogicalAnd,
    B::LogicalOr,
];

/// Whether the IR defines `op` on a left operand of type `t`.
fn legal(op: B, t: S) -> bool {
    match op {
        B::Add | B::Sub | B::Mul | B::Div | B::Rem => t.is_numeric(),
        B::BitAnd | B::BitOr | B::BitXor => !t.is_float(),
        B::Shl | B::Shr => t.is_int(),
        B::Eq | B::Ne | B::Lt | B::Le | B::Gt | B::Ge => true,
        B::LogicalAnd | B::LogicalOr => t == S::Bool,
    }
}

fn name(t: S) -> &'static str {
    t.name()
}

/// One kernel applying every legal operator to `x = a[i]` and `y = a[i + 1]` of type `t`;
/// results go to `out` (type `t`) or `flags` (`bool`) at consecutive indices.
fn operators_kernel(t: S) -> dpex_spirv::ir::Kernel {
    let x = || get(t, 0);
    let y = || get(t, 1);
    let mut body = vec![
        assign(0, load(t, 0, gid(0))),
        assign(1, load(t, 0, bin(B::Add, gid(0), int(S::U64, 1)))),
    ];
    let mut slot = 0u64;
    let mut emit = |body: &mut Vec<Statement>, value: Expr| {
        let target = if value.ty == t { 1 } else { 2 };
        body.push(store(target, int(S::U64, slot), value));
        slot += 1;
    };
    for op in BINARY_OPS.into_iter().filter(|&op| legal(op, t)) {
        if op.is_shift() {
            for amount in S::ALL.into_iter().filter(|r| r.is_int()) {
                emit(&mut body, bin(op, x(), cast(y(), amount)));
            }
        } else {
            emit(&mut body, bin(op, x(), y()));
        }
    }
    if t.is_signed_int() || t.is_float() {
        emit(&mut body, unary(UnaryOp::Neg, x()));
    }
    if !t.is_float() {
        emit(&mut body, unary(UnaryOp::Not, x()));
    }
    kernel(
        &format!("ops_{}", name(t)),
        1,
        vec![
            tensor("a", t, Access::Read),
            tensor("out", t, Access::ReadWrite),
            tensor("flags", S::Bool, Access::ReadWrite),
        ],
        vec![local("x", t), local("y", t)],
        body,
    )
}

#[test]
fn every_operator_on_every_type() {
    for t in S::ALL {
        let text = emit_valid(&format!("ops_{}", name(t)), vec![operators_kernel(t)]);
        let expect: &[&str] = match t {
            S::Bool => &[
                "OpLogicalAnd",
                "OpLogicalOr",
                "OpLogicalNotEqual",
                "OpLogicalEqual",
            ],
            S::F16 | S::F32 | S::F64 => {
                &["OpFRem", "OpFUnordNotEqual", "OpFOrdLessThan", "OpFNegate"]
            }
            S::I8 | S::I16 | S::I32 | S::I64 => &["OpSDiv", "OpSRem", "OpShiftRightArithmetic"],
            _ => &[
                "OpUDiv",
                "OpUMod",
                "OpShiftRightLogical",
                "OpShiftLeftLogical",
            ],
        };
        for op in expect {
            assert!(text.contains(op), "{t}: no {op} in\n{text}");
        }
    }
}

#[test]
fn all_operator_kernels_in_one_module() {
    let text = emit_valid("ops_all", S::ALL.map(operators_kernel).to_vec());
    for capability in ["Int8", "Int16", "Float16", "Float64"] {
        assert!(
            text.contains(&format!("OpCapability {capability}")),
            "{text}"
        );
    }
}

/// One kernel casting `src[i]` of type `from` to every type Rust allows, each into a tensor
/// of the target type.
fn casts_kernel(from: S) -> dpex_spirv::ir::Kernel {
    let mut params = vec![tensor("src", from, Access::Read)];
    let mut body = Vec::new();
    for (index, to) in S::ALL.into_iter().enumerate() {
        params.push(tensor(&format!("to_{}", name(to)), to, Access::ReadWrite));
        let allowed = match (from, to) {
            (S::Bool, to) => !to.is_float(),
            (_, S::Bool) => false,
            _ => true,
        };
        if allowed {
            let tensor = u32::try_from(index + 1).expect("few params");
            body.push(store(tensor, gid(0), cast(load(from, 0, gid(0)), to)));
        }
    }
    kernel(
        &format!("cast_from_{}", name(from)),
        1,
        params,
        vec![],
        body,
    )
}

#[test]
fn every_cast_pair() {
    for from in S::ALL {
        let text = emit_valid(
            &format!("cast_from_{}", name(from)),
            vec![casts_kernel(from)],
        );
        if from.is_float() {
            for needle in [
                "OpConvertFToS",
                "OpConvertFToU",
                "SaturatedConversion",
                "OpIsNan",
            ] {
                assert!(text.contains(needle), "{from}: no {needle} in\n{text}");
            }
        }
        if from.is_signed_int() {
            assert!(text.contains("OpConvertSToF"), "{text}");
        }
        if from.is_unsigned_int() {
            assert!(text.contains("OpConvertUToF"), "{text}");
        }
    }
}

#[test]
fn integer_casts_follow_the_source_signedness() {
    let text = emit_valid("cast_from_i8", vec![casts_kernel(S::I8)]);
    assert!(text.contains("OpSConvert"), "{text}");
    assert!(!text.contains("OpUConvert"), "{text}");
    let text = emit_valid("cast_from_u8", vec![casts_kernel(S::U8)]);
    assert!(text.contains("OpUConvert"), "{text}");
    assert!(!text.contains("OpSConvert"), "{text}");
}

#[test]
fn literal_edge_cases() {
    let values = vec![
        (S::U8, int(S::U8, 255)),
        (S::I8, int(S::I8, 0xff)),
        (S::I16, int(S::I16, 0x8000)),
        (S::I32, int(S::I32, 0xffff_ffff)),
        (S::I64, int(S::I64, u64::MAX)),
        (S::U64, int(S::U64, 1 << 40)),
        (S::F32, float(S::F32, 0.1)),
        (S::F32, float(S::F32, f64::NAN)),
        (S::F64, float(S::F64, -0.0)),
        (S::F64, float(S::F64, f64::INFINITY)),
        (S::Bool, boolean(true)),
        (S::Bool, boolean(false)),
    ];
    let params = values
        .iter()
        .enumerate()
        .map(|(i, (t, _))| tensor(&format!("out{i}"), *t, Access::ReadWrite))
        .collect();
    let mut body: Vec<Statement> = values
        .iter()
        .enumerate()
        .map(|(i, (_, value))| store(u32::try_from(i).expect("few"), gid(0), value.clone()))
        .collect();
    // The same literal twice is one constant.
    body.push(store(0, gid(0), int(S::U8, 255)));
    let text = emit_valid(
        "literals",
        vec![kernel("literals", 1, params, vec![], body)],
    );
    assert!(text.contains("4294967295"), "{text}");
    assert!(text.contains("1099511627776"), "{text}");
    let u8_255 = text
        .lines()
        .filter(|l| l.contains("OpConstant") && l.ends_with(" 255"))
        .count();
    // `255u8`, `-1i8` and the repeated `255u8` share one 8-bit type and bit pattern.
    assert_eq!(u8_255, 1, "{text}");
}
