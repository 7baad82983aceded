//! Type checking of expression trees: every [`Expr::ty`] must be what its operation produces.

use super::{CheckError, Checker, Owner};
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
                    kind => Err(CheckError::NotAScalarParam {
                        owner: self.owner(),
                        param: param.name.clone(),
                        found: super::memory::kind_name(kind),
                    }),
                }
            }
            ExprKind::Local(id) => {
                let local = self.local(*id, false, "a read")?;
                self.has_type(expr.ty, local.ty, || {
                    format!("the value of local `{}`", local.name)
                })
            }
            ExprKind::Element { memory, index } => self.element(*memory, index, expr.ty),
            ExprKind::Len(memory) => self.len(*memory, expr.ty),
            ExprKind::TensorLayout { tensor, field } => {
                self.tensor_layout(*tensor, *field, expr.ty)
            }
            ExprKind::LocalExtent { local, axis } => self.local_extent(*local, *axis, expr.ty),
            ExprKind::Atomic {
                op,
                memory,
                index,
                operands,
                order,
                scope: _,
            } => self.atomic(expr.ty, *op, *memory, index, operands, *order),
            ExprKind::SubGroup { op, args } => self.sub_group(expr.ty, *op, args),
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
            ExprKind::Builtin(builtin) => self.builtin(expr.ty, *builtin),
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
            ExprKind::Bitcast { value } => {
                self.expr(value)?;
                // A float and the unsigned integer of its width, either way.
                let (from, to) = (value.ty, expr.ty);
                let pair = |float: Scalar, int: Scalar| {
                    float.is_float()
                        && !int.is_float()
                        && !int.is_signed_int()
                        && int != Scalar::Bool
                        && float.bits() == int.bits()
                };
                if pair(from, to) || pair(to, from) {
                    Ok(())
                } else {
                    Err(CheckError::InvalidCast {
                        owner: self.owner(),
                        from,
                        to,
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

    /// Checks that `builtin` is read in one of the kernel's dimensions, as a `ty`; the launch
    /// sizes (global size, group count) in a kernel only.
    fn builtin(&self, ty: Scalar, builtin: Builtin) -> Result<(), CheckError> {
        let (name, dim) = match builtin {
            Builtin::GlobalId(dim) => ("global_id", Some(dim)),
            Builtin::GlobalSize(dim) => ("global_size", Some(dim)),
            Builtin::LocalId(dim) => ("local_id", Some(dim)),
            Builtin::LocalSize(dim) => ("local_size", Some(dim)),
            Builtin::GroupId(dim) => ("group_id", Some(dim)),
            Builtin::NumGroups(dim) => ("num_groups", Some(dim)),
            Builtin::SubGroupLocalId => ("sub_group_local_id", None),
            Builtin::SubGroupId => ("sub_group_id", None),
            Builtin::SubGroupSize => ("sub_group_size", None),
            Builtin::NumSubGroups => ("num_sub_groups", None),
        };
        let launch_size = matches!(builtin, Builtin::GlobalSize(_) | Builtin::NumGroups(_));
        let in_function = matches!(self.owner, Owner::Function(_));
        let (Some(dims), false) = (self.dims, in_function && launch_size) else {
            return Err(CheckError::BuiltinInFunction {
                owner: self.owner(),
                builtin: name,
            });
        };
        match dim {
            Some(dim) if dim >= dims => Err(CheckError::BuiltinDimOutOfRange {
                owner: self.owner(),
                builtin: name,
                dim,
                dims,
            }),
            Some(dim) => self.has_type(ty, Scalar::U64, || format!("`{name}({dim})`")),
            None => self.has_type(ty, Scalar::U32, || format!("`{name}()`")),
        }
    }
}
