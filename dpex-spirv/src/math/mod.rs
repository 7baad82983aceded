//! dpex's own math library: transcendental functions written as IR device functions.
//!
//! Vulkan's GLSL.std.450 has no f64 transcendentals and inaccurate f32 ones, and lavapipe's
//! `Fma` is not fused, so the Vulkan flavour calls these functions instead (and the OpenCL
//! flavour does for `powi`, whose results are bit-identical to the host's). [`library`]
//! returns one self-contained [`Function`] per (function, type): it calls nothing, and uses
//! only IR that both flavours emit exactly: float `+ - * /` (never contracted), comparisons,
//! selects, `if`, `loop`, locals, `Cast`, `Bitcast`, integer arithmetic and shifts, and the
//! math functions `Abs`, `Sqrt`, `Floor`, `Trunc` and `IsNan`.
//!
//! The library has, in f32 and f64: `mul_add` (exact, `fma.rs`); `exp`, `exp2`, `ln`, `log2`,
//! `log10` and `powf` (`exp_log.rs`); `erf` and `erfc` (`erf.rs`); `sin`, `cos` and `tan`,
//! reduced by pi/2 exactly enough over the whole f64 range (`trig.rs`); `asin`, `acos`,
//! `atan` and `atan2` with C99's special cases (`inverse.rs`); `cbrt` and `hypot`
//! (`roots.rs`); `sinh`, `cosh`, `tanh`, `asinh`, `acosh`, `atanh` and `exp_m1`
//! (`hyperbolic.rs`); `ln_1p` (`exp_log.rs`); `powi` (`powi.rs`); `ldexp`, exact
//! (`ldexp.rs`); `gamma` and `ln_gamma` (`gamma.rs`).
//!
//! The f64 functions are written for f64. Each f32 function but `powi` (which multiplies in
//! the type itself, as the host does) and `ldexp` (exact, `ldexp.rs`) computes in f64 with the f64 algorithm and rounds once
//! to f32, so **f32 library functions need a device with f64**
//! (`shaderFloat64`; both target devices have it). The measured accuracy of every function
//! on each device is in `MATH.md`, written by the root test `tests/math_accuracy`.

mod build;
mod erf;
mod exp_log;
mod fma;
mod gamma;
mod hyperbolic;
mod inverse;
mod ldexp;
mod powi;
mod roots;
mod trig;
mod wide;

use crate::ir::{Function, MathFunction, Scalar};
use build::{Builder, V};

/// The library's device function computing `fun` on operands of the float type `ty`, or
/// `None` where the library has none (non-float types, functions it does not implement).
///
/// The function is named `__dpex_<fun>_<ty>` (`__dpex_sin_f64`), takes `ParamKind::Scalar`
/// parameters in the operand order of [`MathFunction`] (`Atan2` is `(y, x)`, `MulAdd` is
/// `(x, a, b)`, `Powf` is `(x, y)`), all of type `ty` but the exponent of `Powi` and `Ldexp`
/// (`(x: ty, n: i32)`), returns `ty`, and calls no other function.
pub fn library(fun: MathFunction, ty: Scalar) -> Option<Function> {
    let (name, arity, body): (&str, usize, Body) = match fun {
        MathFunction::MulAdd => ("mul_add", 3, mul_add),
        MathFunction::Exp => ("exp", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| exp_log::exp(b, a[0].clone()))
        }),
        MathFunction::Exp2 => ("exp2", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| exp_log::exp2(b, a[0].clone()))
        }),
        MathFunction::Ln => ("ln", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| exp_log::ln(b, a[0].clone()))
        }),
        MathFunction::Log2 => ("log2", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| exp_log::log2(b, a[0].clone()))
        }),
        MathFunction::Log10 => ("log10", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| exp_log::log10(b, a[0].clone()))
        }),
        MathFunction::Erf => ("erf", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| erf::erf(b, a[0].clone()))
        }),
        MathFunction::Erfc => ("erfc", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| erf::erfc(b, a[0].clone()))
        }),
        MathFunction::Powf => ("powf", 2, |b, ty, a| {
            via_f64(b, ty, a, |b, a| {
                exp_log::powf(b, a[0].clone(), a[1].clone())
            })
        }),
        MathFunction::Cbrt => ("cbrt", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| roots::cbrt(b, a[0].clone()))
        }),
        MathFunction::Hypot => ("hypot", 2, |b, ty, a| {
            via_f64(b, ty, a, |b, a| roots::hypot(b, a[0].clone(), a[1].clone()))
        }),
        MathFunction::Sinh => ("sinh", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| hyperbolic::sinh(b, a[0].clone()))
        }),
        MathFunction::Cosh => ("cosh", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| hyperbolic::cosh(b, a[0].clone()))
        }),
        MathFunction::Tanh => ("tanh", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| hyperbolic::tanh(b, a[0].clone()))
        }),
        MathFunction::Asinh => ("asinh", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| hyperbolic::asinh(b, a[0].clone()))
        }),
        MathFunction::Acosh => ("acosh", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| hyperbolic::acosh(b, a[0].clone()))
        }),
        MathFunction::Atanh => ("atanh", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| hyperbolic::atanh(b, a[0].clone()))
        }),
        MathFunction::ExpM1 => ("exp_m1", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| hyperbolic::exp_m1(b, a[0].clone()))
        }),
        MathFunction::Ln1p => ("ln_1p", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| exp_log::ln_1p(b, a[0].clone()))
        }),
        MathFunction::Gamma => ("gamma", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| gamma::gamma(b, a[0].clone()))
        }),
        MathFunction::LnGamma => ("ln_gamma", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| gamma::ln_gamma(b, a[0].clone()))
        }),
        // Exact: one rounding of the exact product, in the type's own range.
        MathFunction::Ldexp => ("ldexp", 2, |b, ty, a| {
            ldexp::ldexp(b, ty, a[0].clone(), a[1].clone())
        }),
        // In the type itself, as the host does: never through f64.
        MathFunction::Powi => ("powi", 2, |b, ty, a| {
            powi::powi(b, ty, a[0].clone(), a[1].clone())
        }),
        MathFunction::Sin => ("sin", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| trig::sin(b, a[0].clone()))
        }),
        MathFunction::Cos => ("cos", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| trig::cos(b, a[0].clone()))
        }),
        MathFunction::Tan => ("tan", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| trig::tan(b, a[0].clone()))
        }),
        MathFunction::Asin => ("asin", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| inverse::asin(b, a[0].clone()))
        }),
        MathFunction::Acos => ("acos", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| inverse::acos(b, a[0].clone()))
        }),
        MathFunction::Atan => ("atan", 1, |b, ty, a| {
            via_f64(b, ty, a, |b, a| inverse::atan(b, a[0].clone()))
        }),
        MathFunction::Atan2 => ("atan2", 2, |b, ty, a| {
            via_f64(b, ty, a, |b, a| {
                inverse::atan2(b, a[0].clone(), a[1].clone())
            })
        }),
        _ => return None,
    };
    if !matches!(ty, Scalar::F32 | Scalar::F64) {
        return None;
    }
    let names = ["x", "y", "z"];
    let params: Vec<(&str, Scalar)> = names[..arity]
        .iter()
        .enumerate()
        .map(|(k, &n)| match (fun, k) {
            (MathFunction::Powi | MathFunction::Ldexp, 1) => (n, Scalar::I32),
            _ => (n, ty),
        })
        .collect();
    let mut b = Builder::new(&params);
    let args: Vec<V> = (0..arity).map(|k| b.param(k)).collect();
    let result = body(&mut b, ty, &args);
    Some(b.finish(format!("__dpex_{name}_{ty}"), result))
}

/// Builds a function's body from its parameters; returns the result (of type `ty`).
type Body = fn(&mut Builder, Scalar, &[V]) -> V;

/// The arguments of an f32 function widened to f64 (exact).
fn widen(args: &[V]) -> Vec<V> {
    args.iter().map(|a| a.clone().cast(Scalar::F64)).collect()
}

/// `body` on f64 operands: directly for f64; for f32 on the widened operands, rounding the
/// f64 result once to f32.
fn via_f64(b: &mut Builder, ty: Scalar, args: &[V], body: fn(&mut Builder, &[V]) -> V) -> V {
    if ty == Scalar::F32 {
        body(b, &widen(args)).cast(Scalar::F32)
    } else {
        body(b, args)
    }
}

fn mul_add(b: &mut Builder, ty: Scalar, args: &[V]) -> V {
    if ty == Scalar::F32 {
        let w = widen(args);
        let r = fma::fma_f32_in_f64(b, w[0].clone(), w[1].clone(), w[2].clone());
        r.cast(Scalar::F32)
    } else {
        fma::fma_f64(b, args[0].clone(), args[1].clone(), args[2].clone())
    }
}
