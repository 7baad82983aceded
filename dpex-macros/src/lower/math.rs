//! The scalar methods kernels may call (`x.sqrt()`, `a.min(b)`, `n.count_ones()`, ...) and
//! the constants (`f32::MAX`, `f64::consts::PI`, ...), with the types Rust gives them.

use dpex_spirv::ir::{BinaryOp, Literal, MathFunction, Scalar, UnaryOp};

/// What a scalar method lowers to.
#[derive(Clone, Copy)]
pub(crate) enum Method {
    /// A math function.
    Math(MathFunction, Shape),
    /// `wrapping_add` and friends: the plain (wrapping) operator.
    Wrapping(BinaryOp),
    /// `wrapping_neg`.
    WrappingNeg(UnaryOp),
}

/// Which receivers a method takes and what its other operands and result are.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Floats only; `extra` more operands of the receiver's type; same result type.
    Float { extra: usize },
    /// Floats only; result `bool`.
    FloatPredicate,
    /// Floats and signed integers; no operands; same result type.
    SignedOrFloat,
    /// Any integer or float; `extra` more operands of the receiver's type.
    Number { extra: usize },
    /// Floats; one `i32` operand.
    FloatIntPower,
    /// Integers; one `u32` operand.
    IntPower,
    /// Integers; no operands; `u32` result.
    IntCount,
}

/// The method `name` on scalars, if kernels support it.
pub(crate) fn scalar_method(name: &str) -> Option<Method> {
    use MathFunction as M;
    use Shape::*;
    let float1 = Float { extra: 0 };
    Some(match name {
        "abs" => Method::Math(M::Abs, SignedOrFloat),
        "sqrt" => Method::Math(M::Sqrt, float1),
        "cbrt" => Method::Math(M::Cbrt, float1),
        "exp" => Method::Math(M::Exp, float1),
        "exp2" => Method::Math(M::Exp2, float1),
        "ln" => Method::Math(M::Ln, float1),
        "log2" => Method::Math(M::Log2, float1),
        "log10" => Method::Math(M::Log10, float1),
        "powf" => Method::Math(M::Powf, Float { extra: 1 }),
        "powi" => Method::Math(M::Powi, FloatIntPower),
        "sin" => Method::Math(M::Sin, float1),
        "cos" => Method::Math(M::Cos, float1),
        "tan" => Method::Math(M::Tan, float1),
        "asin" => Method::Math(M::Asin, float1),
        "acos" => Method::Math(M::Acos, float1),
        "atan" => Method::Math(M::Atan, float1),
        "atan2" => Method::Math(M::Atan2, Float { extra: 1 }),
        "sinh" => Method::Math(M::Sinh, float1),
        "cosh" => Method::Math(M::Cosh, float1),
        "tanh" => Method::Math(M::Tanh, float1),
        "floor" => Method::Math(M::Floor, float1),
        "ceil" => Method::Math(M::Ceil, float1),
        "round" => Method::Math(M::Round, float1),
        "trunc" => Method::Math(M::Trunc, float1),
        "fract" => Method::Math(M::Fract, float1),
        "mul_add" => Method::Math(M::MulAdd, Float { extra: 2 }),
        "min" => Method::Math(M::Min, Number { extra: 1 }),
        "max" => Method::Math(M::Max, Number { extra: 1 }),
        "clamp" => Method::Math(M::Clamp, Number { extra: 2 }),
        "signum" => Method::Math(M::Signum, float1),
        "hypot" => Method::Math(M::Hypot, Float { extra: 1 }),
        "recip" => Method::Math(M::Recip, float1),
        "to_radians" => Method::Math(M::ToRadians, float1),
        "to_degrees" => Method::Math(M::ToDegrees, float1),
        "is_nan" => Method::Math(M::IsNan, FloatPredicate),
        "is_finite" => Method::Math(M::IsFinite, FloatPredicate),
        "is_infinite" => Method::Math(M::IsInfinite, FloatPredicate),
        "asinh" => Method::Math(M::Asinh, float1),
        "acosh" => Method::Math(M::Acosh, float1),
        "atanh" => Method::Math(M::Atanh, float1),
        "exp_m1" => Method::Math(M::ExpM1, float1),
        "ln_1p" => Method::Math(M::Ln1p, float1),
        "copysign" => Method::Math(M::Copysign, Float { extra: 1 }),
        "ldexp" => Method::Math(M::Ldexp, FloatIntPower),
        "gamma" => Method::Math(M::Gamma, float1),
        "pow" => Method::Math(M::Pow, IntPower),
        "leading_zeros" => Method::Math(M::LeadingZeros, IntCount),
        "trailing_zeros" => Method::Math(M::TrailingZeros, IntCount),
        "count_ones" => Method::Math(M::CountOnes, IntCount),
        "wrapping_add" => Method::Wrapping(BinaryOp::Add),
        "wrapping_sub" => Method::Wrapping(BinaryOp::Sub),
        "wrapping_mul" => Method::Wrapping(BinaryOp::Mul),
        "wrapping_shl" => Method::Wrapping(BinaryOp::Shl),
        "wrapping_shr" => Method::Wrapping(BinaryOp::Shr),
        "wrapping_neg" => Method::WrappingNeg(UnaryOp::Neg),
        _ => return None,
    })
}

/// The functions of `dpex::math` (Rust's std has no `erf`).
pub(crate) fn dpex_math_function(name: &str) -> Option<MathFunction> {
    Some(match name {
        "erf" => MathFunction::Erf,
        "erfc" => MathFunction::Erfc,
        "rsqrt" => MathFunction::Rsqrt,
        _ => return None,
    })
}

/// Names of every supported scalar method, for messages.
pub(crate) const METHOD_NAMES: &str = "abs, sqrt, cbrt, exp, exp2, ln, log2, log10, powf, powi, \
    sin, cos, tan, asin, acos, atan, atan2, sinh, cosh, tanh, asinh, acosh, atanh, exp_m1, ln_1p, \
    copysign, ldexp, gamma, ln_gamma, floor, ceil, round, trunc, fract, \
    mul_add, min, max, clamp, signum, hypot, recip, to_radians, to_degrees, is_nan, is_finite, is_infinite, to_bits, \
    pow, leading_zeros, trailing_zeros, count_ones, wrapping_add/sub/mul/shl/shr/neg";

/// The value of the associated constant `ty::name` (`f32::MAX`, `u8::BITS`, ...), or of the
/// float constant `ty::consts::name` when `in_consts`.
pub(crate) fn constant(ty: Scalar, name: &str, in_consts: bool) -> Option<(Scalar, Literal)> {
    if in_consts {
        return float_const(ty, name).map(|v| (ty, Literal::Float(v.to_bits())));
    }
    if name == "BITS" && ty.is_int() {
        return Some((Scalar::U32, Literal::Int(u64::from(ty.bits()))));
    }
    if ty.is_int() {
        let bits = ty.bits();
        let mask = if bits == 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
        let value = match (name, ty.is_signed_int()) {
            ("MIN", false) => 0,
            ("MAX", false) => mask,
            ("MIN", true) => 1u64 << (bits - 1),
            ("MAX", true) => (1u64 << (bits - 1)) - 1,
            _ => return None,
        };
        return Some((ty, Literal::Int(value)));
    }
    let value = match (ty, name) {
        (Scalar::F32, "MAX") => f64::from(f32::MAX),
        (Scalar::F32, "MIN") => f64::from(f32::MIN),
        (Scalar::F32, "MIN_POSITIVE") => f64::from(f32::MIN_POSITIVE),
        (Scalar::F32, "EPSILON") => f64::from(f32::EPSILON),
        (Scalar::F64, "MAX") => f64::MAX,
        (Scalar::F64, "MIN") => f64::MIN,
        (Scalar::F64, "MIN_POSITIVE") => f64::MIN_POSITIVE,
        (Scalar::F64, "EPSILON") => f64::EPSILON,
        (Scalar::F16, "MAX") => 65504.0,
        (Scalar::F16, "MIN") => -65504.0,
        (Scalar::F16, "MIN_POSITIVE") => 6.103_515_625e-5,
        (Scalar::F16, "EPSILON") => 0.000_976_562_5,
        (t, "INFINITY") if t.is_float() => f64::INFINITY,
        (t, "NEG_INFINITY") if t.is_float() => f64::NEG_INFINITY,
        (t, "NAN") if t.is_float() => f64::NAN,
        _ => return None,
    };
    Some((ty, Literal::Float(value.to_bits())))
}

/// `std::{f32,f64}::consts::NAME`, as an `f64` that rounds to the right value of `ty`.
fn float_const(ty: Scalar, name: &str) -> Option<f64> {
    macro_rules! pick {
        ($($name:ident),*) => {
            match (ty, name) {
                $((Scalar::F32, stringify!($name)) => Some(f64::from(std::f32::consts::$name)),)*
                $((Scalar::F64 | Scalar::F16, stringify!($name)) => Some(std::f64::consts::$name),)*
                _ => None,
            }
        };
    }
    pick!(
        PI,
        TAU,
        E,
        SQRT_2,
        LN_2,
        LN_10,
        LOG2_E,
        LOG10_E,
        LOG2_10,
        LOG10_2,
        FRAC_PI_2,
        FRAC_PI_3,
        FRAC_PI_4,
        FRAC_PI_6,
        FRAC_PI_8,
        FRAC_1_PI,
        FRAC_2_PI,
        FRAC_2_SQRT_PI,
        FRAC_1_SQRT_2
    )
}
