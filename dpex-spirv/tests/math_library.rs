//! dpex's IR math library as IR: every function it implements, in f32 and f64, is one
//! self-contained device function that passes the IR checker. (Its accuracy is measured on
//! every device by the root test `tests/math_accuracy`.)

use dpex_spirv::ir::{MathFunction as M, Module, ParamKind, Scalar};
use dpex_spirv::math::library;

/// The functions the library implements, with their names (`__dpex_<name>_<ty>`) and the
/// types of their operands after the first (of the function's float type unless given).
const FUNCTIONS: &[(M, &str, &[Option<Scalar>])] = &[
    (M::MulAdd, "mul_add", &[None, None]),
    (M::Exp, "exp", &[]),
    (M::Exp2, "exp2", &[]),
    (M::Ln, "ln", &[]),
    (M::Log2, "log2", &[]),
    (M::Log10, "log10", &[]),
    (M::Erf, "erf", &[]),
    (M::Erfc, "erfc", &[]),
    (M::Powf, "powf", &[None]),
    (M::Powi, "powi", &[Some(Scalar::I32)]),
    (M::Cbrt, "cbrt", &[]),
    (M::Hypot, "hypot", &[None]),
    (M::Sinh, "sinh", &[]),
    (M::Cosh, "cosh", &[]),
    (M::Tanh, "tanh", &[]),
    (M::Sin, "sin", &[]),
    (M::Cos, "cos", &[]),
    (M::Tan, "tan", &[]),
    (M::Asin, "asin", &[]),
    (M::Acos, "acos", &[]),
    (M::Atan, "atan", &[]),
    (M::Atan2, "atan2", &[None]),
    (M::Asinh, "asinh", &[]),
    (M::Acosh, "acosh", &[]),
    (M::Atanh, "atanh", &[]),
    (M::ExpM1, "exp_m1", &[]),
    (M::Ln1p, "ln_1p", &[]),
    (M::Ldexp, "ldexp", &[Some(Scalar::I32)]),
    (M::Gamma, "gamma", &[]),
    (M::LnGamma, "ln_gamma", &[]),
];

#[test]
fn every_library_function_is_self_contained_valid_ir() {
    for &(fun, name, rest) in FUNCTIONS {
        for ty in [Scalar::F32, Scalar::F64] {
            let function = library(fun, ty).unwrap_or_else(|| panic!("no {name} for {ty}"));
            assert_eq!(function.name, format!("__dpex_{name}_{ty}"));
            assert_eq!(function.result, Some(ty));
            let params: Vec<ParamKind> = function.params.iter().map(|p| p.kind).collect();
            let want: Vec<ParamKind> = std::iter::once(ty)
                .chain(rest.iter().map(|t| t.unwrap_or(ty)))
                .map(ParamKind::Scalar)
                .collect();
            assert_eq!(params, want, "{name} {ty}");
            let module = Module {
                functions: vec![function],
                kernels: vec![],
            };
            assert_eq!(
                dpex_spirv::check::check_module(&module),
                Ok(()),
                "{name} {ty}"
            );
        }
    }
}

#[test]
fn the_library_has_no_integer_functions() {
    assert_eq!(library(M::MulAdd, Scalar::I32), None);
    assert_eq!(library(M::Exp, Scalar::U64), None);
}
