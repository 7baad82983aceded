//! Math functions with Rust's semantics: for OpenCL most are one `OpenCL.std` extended
//! instruction (for Vulkan, see `glsl`); the rest are built from core instructions (`fract`,
//! `signum`, float `clamp`, `recip`, angle conversions, `is_nan`, `is_finite`, `is_infinite`)
//! or call a helper function (integer `pow`, and f32/f64 `powi` from dpex's math library).

use rspirv::dr::Operand;
use rspirv::spirv::{GlslStd450Op as Glsl, Op, OpenclStd100Op as Cl, Word};

use super::{BuildError, BuildResult, Emitter, Flavour};
use crate::ir::{
    BinaryOp, Expr, ExprKind, Function, Literal, Local, LocalId, MathFunction as M, Param, ParamId,
    ParamKind, Scalar, Statement,
};

/// The `OpenCL.std` instruction computing `fun` on operands of type `operand` exactly as Rust
/// does, when there is one.
fn extended(fun: M, operand: Scalar) -> Option<Cl> {
    let float = operand.is_float();
    let signed = operand.is_signed_int();
    Some(match fun {
        M::Abs if float => Cl::fabs,
        // `i32::MIN.abs()` wraps to `MIN` in a release build; so does `s_abs`.
        M::Abs => Cl::s_abs,
        M::Sqrt => Cl::sqrt,
        M::Cbrt => Cl::cbrt,
        M::Exp => Cl::exp,
        M::Exp2 => Cl::exp2,
        M::Ln => Cl::log,
        M::Log2 => Cl::log2,
        M::Log10 => Cl::log10,
        M::Powf => Cl::pow,
        // f32 and f64 `powi` come from the library, bit-identical to the host's (`pown` is
        // rounded differently, and Intel's loses the sign of underflowing odd powers).
        M::Powi if operand == Scalar::F16 => Cl::pown,
        M::Sin => Cl::sin,
        M::Cos => Cl::cos,
        M::Tan => Cl::tan,
        M::Asin => Cl::asin,
        M::Acos => Cl::acos,
        M::Atan => Cl::atan,
        M::Atan2 => Cl::atan2,
        M::Sinh => Cl::sinh,
        M::Cosh => Cl::cosh,
        M::Tanh => Cl::tanh,
        M::Asinh => Cl::asinh,
        M::Acosh => Cl::acosh,
        M::Atanh => Cl::atanh,
        M::ExpM1 => Cl::expm1,
        M::Ln1p => Cl::log1p,
        M::Copysign => Cl::copysign,
        M::Ldexp => Cl::ldexp,
        M::Gamma => Cl::tgamma,
        M::LnGamma => Cl::lgamma,
        M::Floor => Cl::floor,
        M::Ceil => Cl::ceil,
        // OpenCL's `round` takes half-way cases away from zero, as Rust's does.
        M::Round => Cl::round,
        M::Trunc => Cl::trunc,
        M::MulAdd => Cl::fma,
        M::Hypot => Cl::hypot,
        M::Erf => Cl::erf,
        M::Erfc => Cl::erfc,
        M::Rsqrt => Cl::rsqrt,
        // `fmin`/`fmax` return the other operand when one is NaN, as Rust's `min`/`max` do.
        M::Min if float => Cl::fmin,
        M::Min if signed => Cl::s_min,
        M::Min => Cl::u_min,
        M::Max if float => Cl::fmax,
        M::Max if signed => Cl::s_max,
        M::Max => Cl::u_max,
        M::Clamp if signed => Cl::s_clamp,
        M::Clamp if !float => Cl::u_clamp,
        M::LeadingZeros => Cl::clz,
        M::TrailingZeros => Cl::ctz,
        M::CountOnes => Cl::popcount,
        _ => return None,
    })
}

/// The bits (as an `f64`) of the factor Rust's `to_radians`/`to_degrees` multiply a value of
/// type `ty` by.
fn angle_factor(fun: M, ty: Scalar) -> u64 {
    use std::f64::consts::PI;
    let factor = match (fun, ty) {
        (M::ToRadians, Scalar::F32) => f64::from(std::f32::consts::PI / 180.0),
        // Rust's `f32::to_degrees` uses the literal 57.2957795130823208767981548141051703_f32.
        (M::ToDegrees, Scalar::F32) => f64::from((180.0 / PI) as f32),
        (M::ToRadians, _) => PI / 180.0,
        _ => 180.0 / PI,
    };
    factor.to_bits()
}

impl Emitter {
    /// `fun(args)` with result type `ty`; operands are evaluated left to right.
    pub(super) fn math(&mut self, fun: M, ty: Scalar, args: &[Expr]) -> BuildResult<Word> {
        let values = args
            .iter()
            .map(|arg| self.expr(arg))
            .collect::<BuildResult<Vec<_>>>()?;
        let (Some(operand), Some(&x)) = (args.first().map(|a| a.ty), values.first()) else {
            return Err(BuildError::Internal(format!("{fun:?} without operands")));
        };
        let result = self.ty(ty);
        if self.flavour == Flavour::Vulkan {
            if let Some(value) = self.vulkan_math(fun, ty, operand, &values)? {
                return Ok(value);
            }
        } else if let Some(instruction) = extended(fun, operand) {
            let value = self.opencl_std(instruction, operand, &values)?;
            // The bit counts have the operand's type; Rust returns a `u32`.
            return if ty == operand || operand.bits() == 32 {
                Ok(value)
            } else {
                self.op(Op::UConvert, result, &[value])
            };
        }
        match (fun, values.as_slice()) {
            (M::Powi, _) => self.library_call(fun, ty, &values),
            (M::Fract, _) => {
                let truncated = self.trunc(ty, x)?;
                self.op(Op::FSub, result, &[x, truncated])
            }
            (M::Recip, _) => {
                let one = self.const_float(ty, 1f64.to_bits());
                self.op(Op::FDiv, result, &[one, x])
            }
            (M::ToRadians | M::ToDegrees, _) => {
                let factor = self.const_float(ty, angle_factor(fun, ty));
                self.op(Op::FMul, result, &[x, factor])
            }
            (M::Signum, _) => {
                // `1.0.copysign(x)` gives ±1 for ±0 too; NaN gives NaN.
                let one = self.const_float(ty, 1f64.to_bits());
                let signed_one = self.copysign(ty, one, x)?;
                let bool_ty = self.ty(Scalar::Bool);
                let is_nan = self.op(Op::IsNan, bool_ty, &[x])?;
                let nan = self.const_float(ty, f64::NAN.to_bits());
                self.op(Op::Select, result, &[is_nan, nan, signed_one])
            }
            (M::Clamp, &[_, lo, hi]) => {
                // `if x < lo { lo } else if x > hi { hi } else { x }`: a NaN `x` stays NaN,
                // which `fclamp` does not promise.
                let bool_ty = self.ty(Scalar::Bool);
                let below = self.op(Op::FOrdLessThan, bool_ty, &[x, lo])?;
                let raised = self.op(Op::Select, result, &[below, lo, x])?;
                let above = self.op(Op::FOrdGreaterThan, bool_ty, &[raised, hi])?;
                self.op(Op::Select, result, &[above, hi, raised])
            }
            (M::IsNan, _) => self.op(Op::IsNan, result, &[x]),
            (M::IsFinite, _) => self.is_finite(x),
            (M::IsInfinite, _) => self.op(Op::IsInf, result, &[x]),
            (M::Pow, _) => {
                let helper = self.pow_function(operand);
                self.call_id(helper, Some(ty), &values)
            }
            _ => Err(BuildError::Internal(format!("{fun:?} on {operand}"))),
        }
    }

    /// The `OpenCL.std` instruction `instruction` with result type `ty` on `operands`.
    fn opencl_std(&mut self, instruction: Cl, ty: Scalar, operands: &[Word]) -> BuildResult<Word> {
        self.ext_inst(instruction as u32, ty, operands)
    }

    /// Instruction `instruction` of the flavour's extended instruction set (`OpenCL.std` or
    /// `GLSL.std.450`) with result type `ty` on `operands`, importing the set on first use.
    pub(super) fn ext_inst(
        &mut self,
        instruction: u32,
        ty: Scalar,
        operands: &[Word],
    ) -> BuildResult<Word> {
        let set = match self.ext_inst_set {
            Some(set) => set,
            None => {
                let name = match self.flavour {
                    Flavour::OpenCl => "OpenCL.std",
                    Flavour::Vulkan => "GLSL.std.450",
                };
                let set = self.b.ext_inst_import(name);
                self.ext_inst_set = Some(set);
                set
            }
        };
        let ty = self.ty(ty);
        let operands = operands.iter().map(|&id| Operand::IdRef(id));
        Ok(self.b.ext_inst(ty, None, set, instruction, operands)?)
    }

    /// `x.trunc()`.
    fn trunc(&mut self, ty: Scalar, x: Word) -> BuildResult<Word> {
        match self.flavour {
            Flavour::OpenCl => self.opencl_std(Cl::trunc, ty, &[x]),
            Flavour::Vulkan => self.glsl(Glsl::Trunc, ty, &[x]),
        }
    }

    /// `magnitude.copysign(sign)` (Vulkan: on the bits, as GLSL has no `copysign`).
    fn copysign(&mut self, ty: Scalar, magnitude: Word, sign: Word) -> BuildResult<Word> {
        match self.flavour {
            Flavour::OpenCl => self.opencl_std(Cl::copysign, ty, &[magnitude, sign]),
            Flavour::Vulkan => self.copysign_bits(ty, magnitude, sign),
        }
    }

    /// `x.is_finite()` (Vulkan: `!(is_nan || is_inf)`, as `OpIsFinite` needs `Kernel`).
    fn is_finite(&mut self, x: Word) -> BuildResult<Word> {
        let bool_ty = self.ty(Scalar::Bool);
        match self.flavour {
            Flavour::OpenCl => self.op(Op::IsFinite, bool_ty, &[x]),
            Flavour::Vulkan => {
                let nan = self.op(Op::IsNan, bool_ty, &[x])?;
                let inf = self.op(Op::IsInf, bool_ty, &[x])?;
                let either = self.op(Op::LogicalOr, bool_ty, &[nan, inf])?;
                self.op(Op::LogicalNot, bool_ty, &[either])
            }
        }
    }

    /// Rust's float `a.min(b)` (`max` if `max`): a NaN operand gives the other one.
    pub(super) fn float_min_max(
        &mut self,
        max: bool,
        ty: Scalar,
        a: Word,
        b: Word,
    ) -> BuildResult<Word> {
        match (self.flavour, max) {
            (Flavour::OpenCl, false) => self.opencl_std(Cl::fmin, ty, &[a, b]),
            (Flavour::OpenCl, true) => self.opencl_std(Cl::fmax, ty, &[a, b]),
            (Flavour::Vulkan, false) => self.glsl(Glsl::NMin, ty, &[a, b]),
            (Flavour::Vulkan, true) => self.glsl(Glsl::NMax, ty, &[a, b]),
        }
    }

    /// The id of the integer `pow` helper for operands of type `ty`; one helper per width
    /// serves signed and unsigned types alike (wrapping products have the same bits).
    pub(super) fn pow_function(&mut self, ty: Scalar) -> Word {
        let key = match ty.bits() {
            8 => Scalar::U8,
            16 => Scalar::U16,
            32 => Scalar::U32,
            _ => Scalar::U64,
        };
        *self.pow_helpers.entry(key).or_insert_with(|| self.b.id())
    }
}

/// `fn pow(base: ty, exp: u32) -> ty` by squaring with wrapping products: the helper behind
/// integer [`M::Pow`], written in IR and emitted like a user's function.
pub(super) fn pow_helper(ty: Scalar) -> Function {
    let (acc, square, exp) = (LocalId(0), LocalId(1), LocalId(2));
    let get = |id: LocalId, ty: Scalar| Expr {
        ty,
        kind: ExprKind::Local(id),
    };
    let int = |ty: Scalar, value: u64| Expr::literal(ty, Literal::Int(value));
    let param = |id: u32, ty: Scalar| Expr {
        ty,
        kind: ExprKind::Param(ParamId(id)),
    };
    let assign = |local: LocalId, value: Expr| Statement::Assign { local, value };
    let when = |condition: Expr, then: Statement| Statement::If {
        condition,
        accept: vec![then],
        reject: vec![],
    };
    let u32_ = Scalar::U32;
    let times = |a: LocalId, b: LocalId| Expr::binary(ty, BinaryOp::Mul, get(a, ty), get(b, ty));
    let low_bit = Expr::binary(u32_, BinaryOp::BitAnd, get(exp, u32_), int(u32_, 1));
    let body = vec![
        assign(acc, int(ty, 1)),
        assign(square, param(0, ty)),
        assign(exp, param(1, u32_)),
        Statement::Loop {
            body: vec![
                when(
                    Expr::binary(Scalar::Bool, BinaryOp::Eq, get(exp, u32_), int(u32_, 0)),
                    Statement::Break,
                ),
                when(
                    Expr::binary(Scalar::Bool, BinaryOp::Ne, low_bit, int(u32_, 0)),
                    assign(acc, times(acc, square)),
                ),
                assign(square, times(square, square)),
                assign(
                    exp,
                    Expr::binary(u32_, BinaryOp::Shr, get(exp, u32_), int(u32_, 1)),
                ),
            ],
            continuing: vec![],
            unroll: false,
        },
        Statement::ReturnValue(get(acc, ty)),
    ];
    let scalar = |name: &str, ty: Scalar| Param {
        name: name.into(),
        kind: ParamKind::Scalar(ty),
    };
    let local = |name: &str, ty: Scalar| Local {
        name: name.into(),
        ty,
        array_len: None,
    };
    Function {
        name: format!("__dpex_pow_{ty}"),
        params: vec![scalar("base", ty), scalar("exp", u32_)],
        result: Some(ty),
        locals: vec![local("acc", ty), local("square", ty), local("exp", u32_)],
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::{angle_factor, pow_helper, M};
    use crate::check::check_module;
    use crate::ir::{Module, Scalar};

    #[test]
    fn pow_helpers_are_valid_ir() {
        let functions = [Scalar::U8, Scalar::U16, Scalar::U32, Scalar::U64]
            .map(pow_helper)
            .to_vec();
        let module = Module {
            functions,
            kernels: vec![],
        };
        assert_eq!(check_module(&module), Ok(()));
    }

    #[test]
    #[allow(clippy::excessive_precision)]
    fn f32_degrees_factor_is_rusts_literal() {
        let rust = 57.2957795130823208767981548141051703_f32;
        let ours = f64::from_bits(angle_factor(M::ToDegrees, Scalar::F32)) as f32;
        assert_eq!(ours.to_bits(), rust.to_bits());
        assert_eq!(1f32.to_degrees().to_bits(), rust.to_bits());
        let radians = f64::from_bits(angle_factor(M::ToRadians, Scalar::F32)) as f32;
        assert_eq!(radians.to_bits(), 1f32.to_radians().to_bits());
    }
}
