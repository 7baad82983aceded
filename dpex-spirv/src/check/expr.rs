//! Type checking of expression trees: every [`Expr::ty`] must be what its operation produces.

use super::{CheckError, Checker};
use crate::ir::{BinaryOp, Builtin, Expr, ExprKind, Literal, ParamKind, Scalar, UnaryOp};

/// The Rust spelling of a unary operator, for messages.
fn unary_name(op: UnaryOp) -> &'static str {
    match op {
        UnaryOp::Neg => "-",
        UnaryOp::Not => "!",
    }
}

/// The Rust spelling of a binary operator, for messages.
fn binary_name(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        BinaryOp::Rem => "%",
        BinaryOp::BitAnd => "&",
        BinaryOp::BitOr => "|",
        BinaryOp::BitXor => "^",
        BinaryOp::Shl => "<<",
        BinaryOp::Shr => ">>",
        BinaryOp::Eq => "==",
        BinaryOp::Ne => "!=",
        BinaryOp::Lt => "<",
        BinaryOp::Le => "<=",
        BinaryOp::Gt => ">",
        BinaryOp::Ge => ">=",
        BinaryOp::LogicalAnd => "&&",
        BinaryOp::LogicalOr => "||",
    }
}

/// Whether Rust allows `value as to` for a value of type `from`.
fn cast_allowed(from: Scalar, to: Scalar) -> bool {
    match (from, to) {
        (Scalar::Bool, to) => !to.is_float(),
        (_, Scalar::Bool) => false,
        _ => true,
    }
}

impl Checker<'_> {
    /// Checks `expr` and that its type is `ty`; `what` describes the position for messages.
    pub(super) fn expect_type(
        &self,
        expr: &Expr,
        ty: Scalar,
        what: impl FnOnce() -> String,
    ) -> Result<(), CheckError> {
        self.expr(expr)?;
        self.has_type(expr.ty, ty, what)
    }

    pub(super) fn has_type(
        &self,
        found: Scalar,
        ty: Scalar,
        what: impl FnOnce() -> String,
    ) -> Result<(), CheckError> {
        if found == ty {
            Ok(())
        } else {
            Err(CheckError::TypeMismatch {
                owner: self.owner(),
                what: what(),
                expected: format!("`{ty}`"),
                found,
            })
        }
    }

    fn invalid_operand(&self, op: &'static str, ty: Scalar) -> CheckError {
        CheckError::InvalidOperand {
            owner: self.owner(),
            op,
            ty,
        }
    }

    /// Checks that `expr` and all its operands are well typed.
    pub(super) fn expr(&self, expr: &Expr) -> Result<(), CheckError> {
        match &expr.kind {
            ExprKind::Literal(literal) => self.literal(*literal, expr.ty),
            ExprKind::Param(id) => {
                let param = self.param(*id)?;
                match param.kind {
                    ParamKind::Scalar(ty) => self.has_type(expr.ty, ty, || {
                        format!("the value of parameter `{}`", param.name)
                    }),
                    ParamKind::Tensor { .. } => Err(CheckError::NotAScalarParam {
                        owner: self.owner(),
                        param: param.name.clone(),
                    }),
                }
            }
            ExprKind::Local(id) => {
                let local = self.local(*id, false, "a read")?;
                self.has_type(expr.ty, local.ty, || {
                    format!("the value of local `{}`", local.name)
                })
            }
            ExprKind::Load { tensor, index } => {
                let (param, elem, _) = self.tensor(*tensor, "load")?;
                self.expect_type(index, Scalar::U64, || {
                    format!("the index of a load from `{param}`")
                })?;
                self.has_type(expr.ty, elem, || format!("a load from `{param}`"))
            }
            ExprKind::LocalElement { local, index } => {
                let local = self.local(*local, true, "an element read")?;
                self.expect_type(index, Scalar::U64, || {
                    format!("the index of a read from `{}`", local.name)
                })?;
                self.has_type(expr.ty, local.ty, || {
                    format!("an element of `{}`", local.name)
                })
            }
            ExprKind::Call { function, args } => {
                let callee = self.call(*function, args)?;
                match callee.result {
                    Some(result) => self.has_type(expr.ty, result, || {
                        format!("the result of `{}`", callee.name)
                    }),
                    None => Err(CheckError::CallWithoutResult {
                        owner: self.owner(),
                        callee: callee.name.clone(),
                    }),
                }
            }
            ExprKind::Math { fun, args } => self.math(expr.ty, *fun, args),
            ExprKind::TensorLen(tensor) => {
                let (param, _, _) = self.tensor(*tensor, "len")?;
                self.has_type(expr.ty, Scalar::U64, || format!("`{param}.len()`"))
            }
            ExprKind::Builtin(builtin) => {
                let (name, dim) = match *builtin {
                    Builtin::GlobalId(dim) => ("global_id", dim),
                    Builtin::GlobalSize(dim) => ("global_size", dim),
                };
                let Some(dims) = self.dims else {
                    return Err(CheckError::BuiltinInFunction {
                        owner: self.owner(),
                        builtin: name,
                    });
                };
                if dim >= dims {
                    return Err(CheckError::BuiltinDimOutOfRange {
                        owner: self.owner(),
                        builtin: name,
                        dim,
                        dims,
                    });
                }
                self.has_type(expr.ty, Scalar::U64, || format!("`{name}({dim})`"))
            }
            ExprKind::Unary { op, operand } => {
                self.expr(operand)?;
                let ty = operand.ty;
                let legal = match op {
                    UnaryOp::Neg => ty.is_signed_int() || ty.is_float(),
                    UnaryOp::Not => !ty.is_float(),
                };
                if !legal {
                    return Err(self.invalid_operand(unary_name(*op), ty));
                }
                self.has_type(expr.ty, ty, || {
                    format!("the result of unary `{}`", unary_name(*op))
                })
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(expr.ty, *op, lhs, rhs),
            ExprKind::Cast { value } => {
                self.expr(value)?;
                if cast_allowed(value.ty, expr.ty) {
                    Ok(())
                } else {
                    Err(CheckError::InvalidCast {
                        owner: self.owner(),
                        from: value.ty,
                        to: expr.ty,
                    })
                }
            }
            ExprKind::Select {
                condition,
                accept,
                reject,
            } => {
                self.expect_type(condition, Scalar::Bool, || {
                    "the condition of an `if` expression".into()
                })?;
                self.expect_type(accept, expr.ty, || {
                    "the `then` value of an `if` expression".into()
                })?;
                self.expect_type(reject, expr.ty, || {
                    "the `else` value of an `if` expression".into()
                })
            }
        }
    }

    fn literal(&self, literal: Literal, ty: Scalar) -> Result<(), CheckError> {
        let valid = match literal {
            Literal::Bool(_) => ty == Scalar::Bool,
            Literal::Int(bits) => ty.is_int() && (ty.bits() == 64 || bits >> ty.bits() == 0),
            Literal::Float(_) => ty.is_float(),
        };
        if valid {
            Ok(())
        } else {
            Err(CheckError::InvalidLiteral {
                owner: self.owner(),
                literal: format!("{literal:?}"),
                ty,
            })
        }
    }

    fn binary(&self, ty: Scalar, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Result<(), CheckError> {
        self.expr(lhs)?;
        self.expr(rhs)?;
        let name = binary_name(op);
        let operand = lhs.ty;
        let legal = match op {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
                operand.is_numeric()
            }
            BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => !operand.is_float(),
            BinaryOp::Shl | BinaryOp::Shr => operand.is_int(),
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => true,
            BinaryOp::LogicalAnd | BinaryOp::LogicalOr => operand == Scalar::Bool,
        };
        if !legal {
            return Err(self.invalid_operand(name, operand));
        }
        if op.is_shift() {
            if !rhs.ty.is_int() {
                return Err(CheckError::TypeMismatch {
                    owner: self.owner(),
                    what: format!("the shift amount of `{name}`"),
                    expected: "an integer type".into(),
                    found: rhs.ty,
                });
            }
        } else {
            self.has_type(rhs.ty, operand, || {
                format!("the right operand of `{name}` (left is `{operand}`)")
            })?;
        }
        let result = if op.is_comparison() {
            Scalar::Bool
        } else {
            operand
        };
        self.has_type(ty, result, || format!("the result of `{name}`"))
    }
}
