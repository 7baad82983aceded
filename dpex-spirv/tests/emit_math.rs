//! Every math function on every type the IR allows it on (`f16`, `f32`, `f64` and all
//! integers), each module validated by `spirv-val`; the lowering of the functions whose Rust
//! semantics differ from the nearest OpenCL built-in; and the check of every illegal pairing.

mod common;

use common::builders::*;
use common::*;
use dpex_spirv::check::check_module;
use dpex_spirv::ir::{Access, Kernel, MathFunction as M, Module, Scalar as S};
use dpex_spirv::CheckError;

const ALL_MATH: [M; 53] = [
    M::Abs,
    M::Sqrt,
    M::Cbrt,
    M::Exp,
    M::Exp2,
    M::Ln,
    M::Log2,
    M::Log10,
    M::Powf,
    M::Powi,
    M::Sin,
    M::Cos,
    M::Tan,
    M::Asin,
    M::Acos,
    M::Atan,
    M::Atan2,
    M::Sinh,
    M::Cosh,
    M::Tanh,
    M::Floor,
    M::Ceil,
    M::Round,
    M::Trunc,
    M::Fract,
    M::MulAdd,
    M::Min,
    M::Max,
    M::Clamp,
    M::Signum,
    M::Hypot,
    M::Recip,
    M::ToRadians,
    M::ToDegrees,
    M::IsNan,
    M::IsFinite,
    M::Pow,
    M::LeadingZeros,
    M::TrailingZeros,
    M::CountOnes,
    M::Erf,
    M::Erfc,
    M::Rsqrt,
    M::Asinh,
    M::Acosh,
    M::Atanh,
    M::ExpM1,
    M::Ln1p,
    M::Copysign,
    M::IsInfinite,
    M::Ldexp,
    M::Gamma,
    M::LnGamma,
];

/// The operand count of `fun`.
fn arity(fun: M) -> usize {
    match fun {
        M::Clamp | M::MulAdd => 3,
        M::Powf
        | M::Powi
        | M::Atan2
        | M::Hypot
        | M::Min
        | M::Max
        | M::Pow
        | M::Copysign
        | M::Ldexp => 2,
        _ => 1,
    }
}

/// The operand types and result type of `fun` with a first operand of type `t`, as the IR
/// documents them; `None` where `fun` is not defined on `t`.
fn signature(fun: M, t: S) -> Option<(Vec<S>, S)> {
    let float = t.is_float();
    let numeric = float || t.is_int();
    let same = |ok: bool| ok.then(|| (vec![t; arity(fun)], t));
    match fun {
        M::Abs => same(float || t.is_signed_int()),
        M::Min | M::Max | M::Clamp => same(numeric),
        M::Powi | M::Ldexp => float.then(|| (vec![t, S::I32], t)),
        M::IsNan | M::IsFinite | M::IsInfinite => float.then(|| (vec![t], S::Bool)),
        M::Pow => t.is_int().then(|| (vec![t, S::U32], t)),
        M::LeadingZeros | M::TrailingZeros | M::CountOnes => t.is_int().then(|| (vec![t], S::U32)),
        _ => same(float),
    }
}

/// One kernel applying every math function legal on `t` to elements of `a` (and the `i32`
/// parameter `n` / `u32` parameter `e` where a function takes those), storing each result
/// at its own index of `out` (type `t`), `flags` (`bool`) or `counts` (`u32`).
fn math_kernel(t: S) -> Kernel {
    let mut body = Vec::new();
    for (slot, fun) in ALL_MATH.into_iter().enumerate() {
        let Some((operands, result)) = signature(fun, t) else {
            continue;
        };
        let args = operands
            .iter()
            .enumerate()
            .map(|(k, &ty)| match ty {
                _ if ty == t => load(
                    t,
                    0,
                    bin(dpex_spirv::ir::BinaryOp::Add, gid(0), int(S::U64, k as u64)),
                ),
                S::I32 => param(S::I32, 1),
                _ => param(S::U32, 2),
            })
            .collect();
        let target = match result {
            S::Bool => 4,
            S::U32 if t != S::U32 => 5,
            _ => 3,
        };
        body.push(store(
            target,
            int(S::U64, slot as u64),
            math(result, fun, args),
        ));
    }
    kernel(
        &format!("math_{t}"),
        1,
        vec![
            tensor("a", t, Access::Read),
            scalar("n", S::I32),
            scalar("e", S::U32),
            tensor("out", t, Access::ReadWrite),
            tensor("flags", S::Bool, Access::ReadWrite),
            tensor("counts", S::U32, Access::ReadWrite),
        ],
        vec![],
        body,
    )
}

#[test]
fn every_math_function_on_every_legal_type() {
    for t in S::ALL.into_iter().filter(|t| t.is_numeric()) {
        let text = emit_valid(&format!("math_{t}"), vec![math_kernel(t)]);
        assert!(text.contains("OpExtInstImport \"OpenCL.std\""), "{text}");
    }
    for fun in ALL_MATH {
        assert!(
            S::ALL.into_iter().any(|t| signature(fun, t).is_some()),
            "{fun:?} is legal nowhere"
        );
    }
}

#[test]
fn all_math_kernels_in_one_module() {
    let kernels = S::ALL
        .into_iter()
        .filter(|t| t.is_numeric())
        .map(math_kernel)
        .collect();
    let text = emit_valid("math_all", kernels);
    assert_eq!(text.matches("OpExtInstImport").count(), 1, "{text}");
    // One integer `pow` helper per width, shared by signed and unsigned types.
    for width in ["u8", "u16", "u32", "u64"] {
        let helper = format!("\"__dpex_pow_{width}\"");
        assert_eq!(text.matches(&helper).count(), 1, "{helper} in\n{text}");
    }
    assert!(text.contains("OpCapability Float16"), "{text}");
}

#[test]
fn no_import_without_math() {
    let text = emit_valid("no_math", vec![vector_add()]);
    assert!(!text.contains("OpExtInstImport"), "{text}");
}

#[test]
fn illegal_operand_types_are_rejected() {
    for fun in ALL_MATH {
        for t in S::ALL.into_iter().filter(|&t| signature(fun, t).is_none()) {
            let args = (0..arity(fun)).map(|_| load(t, 0, gid(0))).collect();
            let k = kernel(
                "k",
                1,
                vec![
                    tensor("a", t, Access::Read),
                    tensor("out", t, Access::ReadWrite),
                ],
                vec![],
                vec![store(1, gid(0), math(t, fun, args))],
            );
            let err = check_module(&Module {
                functions: vec![],
                kernels: vec![k],
            })
            .expect_err("illegal");
            assert!(
                matches!(err, CheckError::InvalidMathOperand { ty, .. } if ty == t),
                "{fun:?} on {t}: {err:?}"
            );
        }
    }
}
