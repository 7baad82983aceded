//! A small IR builder that lets the library's function bodies read like math.
//!
//! A [`V`] is an expression tree; the arithmetic operators build new trees from clones of it.
//! Anything used more than once should be bound to a local first ([`Builder::let_`]), so that
//! it is computed once and the trees stay small. [`Var`]s are mutable locals for values that
//! `if` statements update.

use std::ops::{Add, BitAnd, BitOr, BitXor, Div, Mul, Neg, Shl, Shr, Sub};

use crate::ir::{
    BinaryOp, Block, Expr, ExprKind, Function, Literal, Local, LocalId, MathFunction, Param,
    ParamId, ParamKind, Scalar, Statement, UnaryOp,
};

const F64: Scalar = Scalar::F64;
const U64: Scalar = Scalar::U64;
const I64: Scalar = Scalar::I64;
const BOOL: Scalar = Scalar::Bool;

/// A value: an IR expression.
#[derive(Clone, Debug)]
pub(crate) struct V(pub(crate) Expr);

/// A mutable local of the function being built.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Var {
    id: LocalId,
    ty: Scalar,
}

/// An `f64` constant.
pub(crate) fn f(x: f64) -> V {
    V(Expr::literal(F64, Literal::Float(x.to_bits())))
}

/// A `u64` constant.
pub(crate) fn u(x: u64) -> V {
    V(Expr::literal(U64, Literal::Int(x)))
}

/// An `i64` constant.
pub(crate) fn i(x: i64) -> V {
    V(Expr::literal(I64, Literal::Int(x as u64)))
}

/// A constant of the float type `ty` (`x` rounded to it).
pub(crate) fn float(ty: Scalar, x: f64) -> V {
    let x = if ty == Scalar::F32 {
        f64::from(x as f32)
    } else {
        x
    };
    V(Expr::literal(ty, Literal::Float(x.to_bits())))
}

/// A non-negative constant of the integer type `ty`.
pub(crate) fn int(ty: Scalar, x: u64) -> V {
    V(Expr::literal(ty, Literal::Int(x)))
}

/// A `bool` constant.
pub(crate) fn boolean(x: bool) -> V {
    V(Expr::literal(BOOL, Literal::Bool(x)))
}

impl V {
    fn ty(&self) -> Scalar {
        self.0.ty
    }

    fn bin(self, op: BinaryOp, rhs: V) -> V {
        let ty = if op.is_comparison() { BOOL } else { self.ty() };
        V(Expr::binary(ty, op, self.0, rhs.0))
    }

    fn math(self, fun: MathFunction, rest: &[V]) -> V {
        let ty = if fun == MathFunction::IsNan {
            BOOL
        } else {
            self.ty()
        };
        let args = std::iter::once(self.0)
            .chain(rest.iter().map(|v| v.0.clone()))
            .collect();
        V(Expr {
            ty,
            kind: ExprKind::Math { fun, args },
        })
    }

    /// `self < rhs`.
    pub(crate) fn lt(self, rhs: V) -> V {
        self.bin(BinaryOp::Lt, rhs)
    }
    /// `self <= rhs`.
    pub(crate) fn le(self, rhs: V) -> V {
        self.bin(BinaryOp::Le, rhs)
    }
    /// `self > rhs`.
    pub(crate) fn gt(self, rhs: V) -> V {
        self.bin(BinaryOp::Gt, rhs)
    }
    /// `self >= rhs`.
    pub(crate) fn ge(self, rhs: V) -> V {
        self.bin(BinaryOp::Ge, rhs)
    }
    /// `self == rhs`.
    pub(crate) fn eq(self, rhs: V) -> V {
        self.bin(BinaryOp::Eq, rhs)
    }
    /// `self != rhs`.
    pub(crate) fn ne(self, rhs: V) -> V {
        self.bin(BinaryOp::Ne, rhs)
    }
    /// `self && rhs` (both sides are evaluated).
    pub(crate) fn and(self, rhs: V) -> V {
        self.bin(BinaryOp::BitAnd, rhs)
    }
    /// `self || rhs` (both sides are evaluated).
    pub(crate) fn or(self, rhs: V) -> V {
        self.bin(BinaryOp::BitOr, rhs)
    }
    /// `!self` on `bool`.
    pub(crate) fn not(self) -> V {
        let ty = self.ty();
        V(Expr {
            ty,
            kind: ExprKind::Unary {
                op: UnaryOp::Not,
                operand: Box::new(self.0),
            },
        })
    }
    /// `self.abs()`.
    pub(crate) fn abs(self) -> V {
        self.math(MathFunction::Abs, &[])
    }
    /// `self.sqrt()` (correctly rounded).
    pub(crate) fn sqrt(self) -> V {
        self.math(MathFunction::Sqrt, &[])
    }
    /// `self.floor()`.
    pub(crate) fn floor(self) -> V {
        self.math(MathFunction::Floor, &[])
    }
    /// `self.trunc()`.
    pub(crate) fn trunc(self) -> V {
        self.math(MathFunction::Trunc, &[])
    }
    /// `self.nan_test()`, as a `bool` value.
    pub(crate) fn nan_test(self) -> V {
        self.math(MathFunction::IsNan, &[])
    }
    /// `self as ty`.
    pub(crate) fn cast(self, ty: Scalar) -> V {
        V(Expr {
            ty,
            kind: ExprKind::Cast {
                value: Box::new(self.0),
            },
        })
    }
    /// The bits of `self` as the type `ty` of the same width.
    pub(crate) fn bitcast(self, ty: Scalar) -> V {
        V(Expr {
            ty,
            kind: ExprKind::Bitcast {
                value: Box::new(self.0),
            },
        })
    }
    /// `f64::to_bits`.
    pub(crate) fn bits(self) -> V {
        self.bitcast(U64)
    }
    /// `f64::from_bits` of these `u64` bits.
    pub(crate) fn into_f64(self) -> V {
        self.bitcast(F64)
    }
}

/// `if condition { accept } else { reject }` as a value (only the chosen side runs).
pub(crate) fn sel(condition: V, accept: V, reject: V) -> V {
    let ty = accept.ty();
    V(Expr {
        ty,
        kind: ExprKind::Select {
            condition: Box::new(condition.0),
            accept: Box::new(accept.0),
            reject: Box::new(reject.0),
        },
    })
}

macro_rules! binary_operator {
    ($trait:ident, $method:ident, $op:ident) => {
        impl $trait for V {
            type Output = V;
            fn $method(self, rhs: V) -> V {
                self.bin(BinaryOp::$op, rhs)
            }
        }
    };
}

binary_operator!(Add, add, Add);
binary_operator!(Sub, sub, Sub);
binary_operator!(Mul, mul, Mul);
binary_operator!(Div, div, Div);
binary_operator!(BitAnd, bitand, BitAnd);
binary_operator!(BitOr, bitor, BitOr);
binary_operator!(BitXor, bitxor, BitXor);
binary_operator!(Shl, shl, Shl);
binary_operator!(Shr, shr, Shr);

impl Neg for V {
    type Output = V;
    fn neg(self) -> V {
        let ty = self.ty();
        V(Expr {
            ty,
            kind: ExprKind::Unary {
                op: UnaryOp::Neg,
                operand: Box::new(self.0),
            },
        })
    }
}

/// Builds one device function: its parameters, locals and structured body.
pub(crate) struct Builder {
    params: Vec<Param>,
    locals: Vec<Local>,
    /// The open blocks: the function body first, then one per `if` arm being built.
    blocks: Vec<Block>,
}

impl Builder {
    /// A function with scalar parameters `params` (name, type), in order.
    pub(crate) fn new(params: &[(&str, Scalar)]) -> Builder {
        Builder {
            params: params
                .iter()
                .map(|&(name, ty)| Param {
                    name: name.into(),
                    kind: ParamKind::Scalar(ty),
                })
                .collect(),
            locals: vec![],
            blocks: vec![vec![]],
        }
    }

    /// The value of parameter `index`.
    pub(crate) fn param(&self, index: usize) -> V {
        let ty = match self.params[index].kind {
            ParamKind::Scalar(ty) => ty,
            _ => unreachable!("the library's parameters are scalars"),
        };
        V(Expr {
            ty,
            kind: ExprKind::Param(ParamId(index as u32)),
        })
    }

    fn push(&mut self, statement: Statement) {
        if let Some(block) = self.blocks.last_mut() {
            block.push(statement);
        }
    }

    /// A new mutable local holding `init`.
    pub(crate) fn var(&mut self, name: &str, init: V) -> Var {
        let var = Var {
            id: LocalId(self.locals.len() as u32),
            ty: init.ty(),
        };
        self.locals.push(Local {
            name: name.into(),
            ty: var.ty,
            array_len: None,
        });
        self.set(var, init);
        var
    }

    /// `var = value`.
    pub(crate) fn set(&mut self, var: Var, value: V) {
        self.push(Statement::Assign {
            local: var.id,
            value: value.0,
        });
    }

    /// The current value of `var`.
    pub(crate) fn get(&self, var: Var) -> V {
        V(Expr {
            ty: var.ty,
            kind: ExprKind::Local(var.id),
        })
    }

    /// `value`, computed once into a new local.
    pub(crate) fn let_(&mut self, name: &str, value: V) -> V {
        let var = self.var(name, value);
        self.get(var)
    }

    fn block(&mut self, build: impl FnOnce(&mut Builder)) -> Block {
        self.blocks.push(vec![]);
        build(self);
        self.blocks.pop().unwrap_or_default()
    }

    /// `if condition { accept }`.
    pub(crate) fn when(&mut self, condition: V, accept: impl FnOnce(&mut Builder)) {
        self.if_else(condition, accept, |_| {});
    }

    /// `if condition { accept } else { reject }`.
    pub(crate) fn if_else(
        &mut self,
        condition: V,
        accept: impl FnOnce(&mut Builder),
        reject: impl FnOnce(&mut Builder),
    ) {
        let accept = self.block(accept);
        let reject = self.block(reject);
        self.push(Statement::If {
            condition: condition.0,
            accept,
            reject,
        });
    }

    /// `loop { body }`: runs `body` until a [`Builder::break_`] in it leaves the loop.
    pub(crate) fn loop_(&mut self, body: impl FnOnce(&mut Builder)) {
        let body = self.block(body);
        self.push(Statement::Loop {
            body,
            continuing: vec![],
            unroll: false,
        });
    }

    /// `break`: leaves the innermost loop being built.
    pub(crate) fn break_(&mut self) {
        self.push(Statement::Break);
    }

    /// The finished function `name`, returning `result` at the end of its body.
    pub(crate) fn finish(mut self, name: String, result: V) -> Function {
        let ty = result.ty();
        self.push(Statement::ReturnValue(result.0));
        Function {
            name,
            params: self.params,
            result: Some(ty),
            locals: self.locals,
            body: self.blocks.pop().unwrap_or_default(),
        }
    }
}

/// An unevaluated sum `hi + lo` with `|lo| <= ulp(hi) / 2`: a double-double.
#[derive(Clone, Debug)]
pub(crate) struct Dd {
    /// The leading part.
    pub(crate) hi: V,
    /// The trailing part.
    pub(crate) lo: V,
}

impl Dd {
    /// The double `v` as a double-double.
    pub(crate) fn of(v: V) -> Dd {
        Dd { hi: v, lo: f(0.0) }
    }

    /// `-self` (exact).
    pub(crate) fn neg(&self) -> Dd {
        Dd {
            hi: -self.hi.clone(),
            lo: -self.lo.clone(),
        }
    }
}

/// [`sel`] of double-doubles: `accept` where `condition` holds, else `reject`.
pub(crate) fn sel_dd(condition: &V, accept: &Dd, reject: &Dd) -> Dd {
    Dd {
        hi: sel(condition.clone(), accept.hi.clone(), reject.hi.clone()),
        lo: sel(condition.clone(), accept.lo.clone(), reject.lo.clone()),
    }
}

impl Builder {
    /// `value`, both parts computed once into new locals.
    pub(crate) fn let_dd(&mut self, name: &str, value: Dd) -> Dd {
        Dd {
            hi: self.let_(&format!("{name}_hi"), value.hi),
            lo: self.let_(&format!("{name}_lo"), value.lo),
        }
    }

    /// Knuth's TwoSum: `s + e == a + b` exactly, `s = a + b` rounded (no ordering needed).
    pub(crate) fn two_sum(&mut self, a: V, b: V) -> Dd {
        let a = self.let_("ts_a", a);
        let b = self.let_("ts_b", b);
        let s = self.let_("ts_s", a.clone() + b.clone());
        let bb = self.let_("ts_bb", s.clone() - a.clone());
        let e = (a - (s.clone() - bb.clone())) + (b - bb);
        let e = self.let_("ts_e", e);
        Dd { hi: s, lo: e }
    }

    /// Dekker's FastTwoSum, valid when `|a| >= |b|` (or `a` is 0).
    pub(crate) fn fast_two_sum(&mut self, a: V, b: V) -> Dd {
        let a = self.let_("fts_a", a);
        let b = self.let_("fts_b", b);
        let s = self.let_("fts_s", a.clone() + b.clone());
        let e = self.let_("fts_e", b - (s.clone() - a));
        Dd { hi: s, lo: e }
    }

    /// Veltkamp's split of `a` (|a| < 2^996) into two halves of 26 bits each.
    pub(crate) fn split(&mut self, a: V) -> Dd {
        let a = self.let_("sp_a", a);
        let c = self.let_("sp_c", f(134_217_729.0) * a.clone());
        let hi = self.let_("sp_hi", c.clone() - (c - a.clone()));
        let lo = self.let_("sp_lo", a - hi.clone());
        Dd { hi, lo }
    }

    /// Dekker's TwoProduct: `p + e == a * b` exactly, for operands below 2^996 whose product
    /// does not underflow.
    pub(crate) fn two_prod(&mut self, a: V, b: V) -> Dd {
        let a = self.let_("tp_a", a);
        let b = self.let_("tp_b", b);
        let p = self.let_("tp_p", a.clone() * b.clone());
        let x = self.split(a);
        let y = self.split(b);
        let e = ((x.hi.clone() * y.hi.clone() - p.clone()) + x.hi * y.lo.clone())
            + x.lo.clone() * y.hi
            + x.lo * y.lo;
        let e = self.let_("tp_e", e);
        Dd { hi: p, lo: e }
    }

    /// `a * b` for a double-double `a` and a double `b`, to about 2^-104 relative.
    pub(crate) fn dd_mul_d(&mut self, a: &Dd, b: V) -> Dd {
        let b = self.let_("dm_b", b);
        let p = self.two_prod(a.hi.clone(), b.clone());
        let lo = p.lo + a.lo.clone() * b;
        self.fast_two_sum(p.hi, lo)
    }

    /// `a * b` for double-doubles, to about 2^-104 relative.
    pub(crate) fn dd_mul(&mut self, a: &Dd, b: &Dd) -> Dd {
        let p = self.two_prod(a.hi.clone(), b.hi.clone());
        let lo = p.lo + (a.hi.clone() * b.lo.clone() + a.lo.clone() * b.hi.clone());
        self.fast_two_sum(p.hi, lo)
    }

    /// `a + b` for double-doubles, to about 2^-104 relative unless it cancels.
    pub(crate) fn dd_add(&mut self, a: &Dd, b: &Dd) -> Dd {
        let s = self.two_sum(a.hi.clone(), b.hi.clone());
        let lo = s.lo + (a.lo.clone() + b.lo.clone());
        self.fast_two_sum(s.hi, lo)
    }
}

impl Builder {
    /// `a / b` for double-doubles, to about 2^-100 relative: the quotient of the leading
    /// parts corrected by the exact remainder. `b.hi` and the quotient must be below 2^996.
    pub(crate) fn dd_div(&mut self, a: &Dd, b: &Dd) -> Dd {
        let q1 = self.let_("dd_q1", a.hi.clone() / b.hi.clone());
        let p = self.dd_mul_d(b, q1.clone());
        // `a.hi - p.hi` is exact: they are within a few ulps of each other.
        let rem = ((a.hi.clone() - p.hi) - p.lo) + a.lo.clone();
        let q2 = rem / b.hi.clone();
        self.fast_two_sum(q1, q2)
    }

    /// The square root of a double-double `a >= 0`, to about 2^-100 relative (zero at zero).
    pub(crate) fn dd_sqrt(&mut self, a: &Dd) -> Dd {
        let s = self.let_("dd_s", a.hi.clone().sqrt());
        let p = self.two_prod(s.clone(), s.clone());
        let rem = ((a.hi.clone() - p.hi) - p.lo) + a.lo.clone();
        let lo = sel(s.clone().gt(f(0.0)), rem / (f(2.0) * s.clone()), f(0.0));
        self.fast_two_sum(s, lo)
    }
}

/// `c[0] + x * (c[1] + x * (c[2] + ...))`, Horner's scheme.
pub(crate) fn horner(x: &V, c: &[f64]) -> V {
    let mut coefficients = c.iter().rev();
    let last = coefficients.next().copied().unwrap_or(0.0);
    coefficients.fold(f(last), |acc, &ci| f(ci) + x.clone() * acc)
}

/// `2^k` for an `i64` value `k` in -1022..=1023, built from its bits.
pub(crate) fn pow2(k: V) -> V {
    ((k + i(1023)).cast(U64) << u(52)).into_f64()
}

/// `y` with the sign bit of `x` (both `f64`).
pub(crate) fn copysign(y: V, x: V) -> V {
    ((y.bits() & u(!(1 << 63))) | (x.bits() & u(1 << 63))).into_f64()
}
