//! Operand and result types of [`MathFunction`]s, as their documentation states them.

use super::{CheckError, Checker};
use crate::ir::{Expr, MathFunction, Scalar};

/// The types the first operand of a math function may have.
#[derive(Clone, Copy)]
enum Domain {
    /// `f16`, `f32`, `f64`.
    Float,
    /// Every integer type.
    Int,
    /// Floats and signed integers (`abs`).
    FloatOrSigned,
    /// Floats and integers (`min`, `max`, `clamp`).
    Numeric,
}

impl Domain {
    fn contains(self, ty: Scalar) -> bool {
        match self {
            Domain::Float => ty.is_float(),
            Domain::Int => ty.is_int(),
            Domain::FloatOrSigned => ty.is_float() || ty.is_signed_int(),
            Domain::Numeric => ty.is_float() || ty.is_int(),
        }
    }
}

/// The type rule of one math function.
struct Signature {
    /// What the first operand may be.
    domain: Domain,
    /// The operand count.
    arity: usize,
    /// A fixed type of the second operand; otherwise every operand has the first's type.
    second: Option<Scalar>,
    /// A fixed result type; otherwise the result has the first operand's type.
    result: Option<Scalar>,
}

/// The Rust method name of `fun` (`dpex::math` functions by their name there).
fn name(fun: MathFunction) -> &'static str {
    use MathFunction as M;
    match fun {
        M::Abs => "abs",
        M::Sqrt => "sqrt",
        M::Cbrt => "cbrt",
        M::Exp => "exp",
        M::Exp2 => "exp2",
        M::Ln => "ln",
        M::Log2 => "log2",
        M::Log10 => "log10",
        M::Powf => "powf",
        M::Powi => "powi",
        M::Sin => "sin",
        M::Cos => "cos",
        M::Tan => "tan",
        M::Asin => "asin",
        M::Acos => "acos",
        M::Atan => "atan",
        M::Atan2 => "atan2",
        M::Sinh => "sinh",
        M::Cosh => "cosh",
        M::Tanh => "tanh",
        M::Floor => "floor",
        M::Ceil => "ceil",
        M::Round => "round",
        M::Trunc => "trunc",
        M::Fract => "fract",
        M::MulAdd => "mul_add",
        M::Min => "min",
        M::Max => "max",
        M::Clamp => "clamp",
        M::Signum => "signum",
        M::Hypot => "hypot",
        M::Recip => "recip",
        M::ToRadians => "to_radians",
        M::ToDegrees => "to_degrees",
        M::IsNan => "is_nan",
        M::IsFinite => "is_finite",
        M::Pow => "pow",
        M::LeadingZeros => "leading_zeros",
        M::TrailingZeros => "trailing_zeros",
        M::CountOnes => "count_ones",
        M::Erf => "erf",
        M::Erfc => "erfc",
        M::Rsqrt => "rsqrt",
        M::Asinh => "asinh",
        M::Acosh => "acosh",
        M::Atanh => "atanh",
        M::ExpM1 => "exp_m1",
        M::Ln1p => "ln_1p",
        M::Copysign => "copysign",
        M::IsInfinite => "is_infinite",
        M::Ldexp => "ldexp",
        M::Gamma => "gamma",
        M::LnGamma => "ln_gamma",
    }
}

fn signature(fun: MathFunction) -> Signature {
    use MathFunction as M;
    let (domain, arity, second, result) = match fun {
        M::Abs => (Domain::FloatOrSigned, 1, None, None),
        M::Min | M::Max => (Domain::Numeric, 2, None, None),
        M::Clamp => (Domain::Numeric, 3, None, None),
        M::Powf | M::Atan2 | M::Hypot | M::Copysign => (Domain::Float, 2, None, None),
        M::MulAdd => (Domain::Float, 3, None, None),
        M::Powi | M::Ldexp => (Domain::Float, 2, Some(Scalar::I32), None),
        M::IsNan | M::IsFinite | M::IsInfinite => (Domain::Float, 1, None, Some(Scalar::Bool)),
        M::Pow => (Domain::Int, 2, Some(Scalar::U32), None),
        M::LeadingZeros | M::TrailingZeros | M::CountOnes => {
            (Domain::Int, 1, None, Some(Scalar::U32))
        }
        M::Sqrt
        | M::Cbrt
        | M::Exp
        | M::Exp2
        | M::Ln
        | M::Log2
        | M::Log10
        | M::Sin
        | M::Cos
        | M::Tan
        | M::Asin
        | M::Acos
        | M::Atan
        | M::Sinh
        | M::Cosh
        | M::Tanh
        | M::Floor
        | M::Ceil
        | M::Round
        | M::Trunc
        | M::Fract
        | M::Signum
        | M::Recip
        | M::ToRadians
        | M::ToDegrees
        | M::Erf
        | M::Erfc
        | M::Rsqrt
        | M::Asinh
        | M::Acosh
        | M::Atanh
        | M::ExpM1
        | M::Ln1p
        | M::Gamma
        | M::LnGamma => (Domain::Float, 1, None, None),
    };
    Signature {
        domain,
        arity,
        second,
        result,
    }
}

impl Checker<'_> {
    /// Checks `fun(args)` and that its result type is `ty`.
    pub(super) fn math(
        &self,
        ty: Scalar,
        fun: MathFunction,
        args: &[Expr],
    ) -> Result<(), CheckError> {
        args.iter().try_for_each(|arg| self.expr(arg))?;
        let name = name(fun);
        let sig = signature(fun);
        let Some(first) = args.first().filter(|_| args.len() == sig.arity) else {
            return Err(CheckError::ArgumentCount {
                owner: self.owner(),
                callee: name.into(),
                expected: sig.arity,
                found: args.len(),
            });
        };
        if !sig.domain.contains(first.ty) {
            return Err(CheckError::InvalidMathOperand {
                owner: self.owner(),
                function: name,
                ty: first.ty,
            });
        }
        for (i, arg) in args.iter().enumerate().skip(1) {
            let expected = sig.second.filter(|_| i == 1).unwrap_or(first.ty);
            self.has_type(arg.ty, expected, || {
                format!("operand {} of `{name}`", i + 1)
            })?;
        }
        self.has_type(ty, sig.result.unwrap_or(first.ty), || {
            format!("the result of `{name}`")
        })
    }
}
