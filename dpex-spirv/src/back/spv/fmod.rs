//! Rust's float `%` for Vulkan, exactly: `OpFRem` is only as precise there as
//! `x - y * trunc(x / y)`, so `x % y` calls `__dpex_fmod_<ty>`, an IR helper (emitted once per
//! type, like the integer `pow` helpers) that computes the exact remainder by binary long
//! division, each step an exact subtraction:
//!
//! ```text
//! if !x.is_finite() || y.is_nan() || y == 0 { return NaN }
//! ax = |x|; ay = |y|
//! if ax < ay { return x }
//! d = ay; while d + d <= ax { d = d + d }      // d <= ax < 2d
//! loop {
//!     if ax >= d { ax = ax - d }               // exact: d <= ax < 2d
//!     if d == ay { break }
//!     d = d * 0.5                              // exact: d is ay times a power of two
//! }
//! return ax with the sign of x                 // on the bits
//! ```
//!
//! At most twice the exponent range of iterations (about 4,200 for `f64`). Devices that
//! flush subnormals to zero get subnormal remainders wrong, as every float operation there.

use rspirv::spirv::Word;

use super::glsl::float_bits;
use super::{BuildResult, Emitter};
use crate::ir::{
    BinaryOp as B, Expr, ExprKind, Function, Literal, Local, LocalId, MathFunction, Param, ParamId,
    ParamKind, Scalar, Statement, UnaryOp,
};

impl Emitter {
    /// `lhs % rhs` on floats of type `ty`, exactly (a call of the type's helper).
    pub(super) fn exact_fmod(&mut self, ty: Scalar, lhs: Word, rhs: Word) -> BuildResult<Word> {
        let helper = *self.fmod_helpers.entry(ty).or_insert_with(|| self.b.id());
        self.call_id(helper, Some(ty), &[lhs, rhs])
    }
}

/// `fn fmod(x: ty, y: ty) -> ty`, Rust's `x % y` (see the module documentation).
pub(super) fn fmod_helper(ty: Scalar) -> Function {
    let (ax, ay, d) = (LocalId(0), LocalId(1), LocalId(2));
    let x = || Expr {
        ty,
        kind: ExprKind::Param(ParamId(0)),
    };
    let y = || Expr {
        ty,
        kind: ExprKind::Param(ParamId(1)),
    };
    let get = |id: LocalId| Expr {
        ty,
        kind: ExprKind::Local(id),
    };
    let float = |value: f64| Expr::literal(ty, Literal::Float(value.to_bits()));
    let math = |fun: MathFunction, result: Scalar, arg: Expr| Expr {
        ty: result,
        kind: ExprKind::Math {
            fun,
            args: vec![arg],
        },
    };
    let bool_op = |op: B, lhs: Expr, rhs: Expr| Expr::binary(Scalar::Bool, op, lhs, rhs);
    let float_op = |op: B, lhs: Expr, rhs: Expr| Expr::binary(ty, op, lhs, rhs);
    let assign = |local: LocalId, value: Expr| Statement::Assign { local, value };
    let when = |condition: Expr, accept: Vec<Statement>| Statement::If {
        condition,
        accept,
        reject: vec![],
    };
    let not = |operand: Expr| Expr {
        ty: Scalar::Bool,
        kind: ExprKind::Unary {
            op: UnaryOp::Not,
            operand: Box::new(operand),
        },
    };
    let bits = float_bits(ty);
    let sign_bit = 1u64 << (bits.bits() - 1);
    let to_bits = |value: Expr| Expr {
        ty: bits,
        kind: ExprKind::Bitcast {
            value: Box::new(value),
        },
    };
    let mask = |value: Expr, mask: u64| {
        Expr::binary(
            bits,
            B::BitAnd,
            value,
            Expr::literal(bits, Literal::Int(mask)),
        )
    };
    let signed = Expr {
        ty,
        kind: ExprKind::Bitcast {
            value: Box::new(Expr::binary(
                bits,
                B::BitOr,
                mask(to_bits(get(ax)), sign_bit - 1),
                mask(to_bits(x()), sign_bit),
            )),
        },
    };
    let undefined = bool_op(
        B::LogicalOr,
        bool_op(
            B::LogicalOr,
            not(math(MathFunction::IsFinite, Scalar::Bool, x())),
            math(MathFunction::IsNan, Scalar::Bool, y()),
        ),
        bool_op(B::Eq, y(), float(0.0)),
    );
    let body = vec![
        when(undefined, vec![Statement::ReturnValue(float(f64::NAN))]),
        assign(ax, math(MathFunction::Abs, ty, x())),
        assign(ay, math(MathFunction::Abs, ty, y())),
        when(
            bool_op(B::Lt, get(ax), get(ay)),
            vec![Statement::ReturnValue(x())],
        ),
        assign(d, get(ay)),
        Statement::Loop {
            body: vec![
                when(
                    not(bool_op(B::Le, float_op(B::Add, get(d), get(d)), get(ax))),
                    vec![Statement::Break],
                ),
                assign(d, float_op(B::Add, get(d), get(d))),
            ],
            continuing: vec![],
            unroll: false,
        },
        Statement::Loop {
            body: vec![
                when(
                    bool_op(B::Ge, get(ax), get(d)),
                    vec![assign(ax, float_op(B::Sub, get(ax), get(d)))],
                ),
                when(bool_op(B::Eq, get(d), get(ay)), vec![Statement::Break]),
                assign(d, float_op(B::Mul, get(d), float(0.5))),
            ],
            continuing: vec![],
            unroll: false,
        },
        Statement::ReturnValue(signed),
    ];
    let scalar = |name: &str| Param {
        name: name.into(),
        kind: ParamKind::Scalar(ty),
    };
    let local = |name: &str| Local {
        name: name.into(),
        ty,
        array_len: None,
    };
    Function {
        name: format!("__dpex_fmod_{ty}"),
        params: vec![scalar("x"), scalar("y")],
        result: Some(ty),
        locals: vec![local("ax"), local("ay"), local("d")],
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::fmod_helper;
    use crate::check::check_module;
    use crate::ir::{Module, Scalar};

    /// The helper's algorithm on `f64`, step for step.
    fn long_division(x: f64, y: f64) -> f64 {
        if !x.is_finite() || y.is_nan() || y == 0.0 {
            return f64::NAN;
        }
        let (mut ax, ay) = (x.abs(), y.abs());
        if ax < ay {
            return x;
        }
        let mut d = ay;
        while d + d <= ax {
            d = d + d;
        }
        loop {
            if ax >= d {
                ax -= d;
            }
            if d == ay {
                break;
            }
            d *= 0.5;
        }
        ax.copysign(x)
    }

    #[test]
    fn the_algorithm_is_rusts_remainder() {
        let values = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            3.0,
            -7.5,
            1e300,
            -1e-300,
            5e-324,
            1.5e-310,
            123456.789,
            f64::MAX,
            f64::MIN_POSITIVE,
            2f64.powi(60) + 1.0,
            1e16,
            0.3,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        for &x in &values {
            for &y in &values {
                let (ours, rust) = (long_division(x, y), x % y);
                assert!(
                    ours.to_bits() == rust.to_bits() || (ours.is_nan() && rust.is_nan()),
                    "{x} % {y}: {ours} != {rust}"
                );
            }
        }
    }

    #[test]
    fn fmod_helpers_are_valid_ir() {
        let module = Module {
            functions: [Scalar::F16, Scalar::F32, Scalar::F64]
                .map(fmod_helper)
                .to_vec(),
            kernels: vec![],
        };
        assert_eq!(check_module(&module), Ok(()));
    }
}
