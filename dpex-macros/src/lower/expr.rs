//! Lowers expressions: names, literals, operators (short-circuit `&&`/`||` included), casts and
//! indexing; calls, control flow and aggregates are in their own modules.

use super::literal::lower_literal;
use super::unsupported::unsupported_expr;
use super::{error, read_local, Binding, Lowerer};
use dpex_spirv::ir::{BinaryOp, Expr, ExprKind, Scalar, Statement, UnaryOp};
use syn::spanned::Spanned;

impl Lowerer<'_> {
    /// Lowers `e`; `expected` is the type the context asks for (it only steers literals and
    /// `let`s whose type is not settled).
    pub(crate) fn lower_expr(
        &mut self,
        e: &syn::Expr,
        expected: Option<Scalar>,
    ) -> syn::Result<Expr> {
        match e {
            syn::Expr::Lit(l) => lower_literal(&l.lit, expected),
            syn::Expr::Paren(p) => self.lower_expr(&p.expr, expected),
            syn::Expr::Group(g) => self.lower_expr(&g.expr, expected),
            syn::Expr::Path(p) => self.lower_path(p, expected),
            syn::Expr::Unary(u) => self.lower_unary(u, expected),
            syn::Expr::Binary(b) => self.lower_binary(b, expected),
            syn::Expr::Cast(c) => self.lower_cast(c),
            syn::Expr::Index(i) => self.lower_index(i),
            syn::Expr::Field(f) => self.lower_field(f),
            syn::Expr::MethodCall(m) => self.lower_method_call(m, expected),
            syn::Expr::Call(c) => self.lower_call(c, expected),
            syn::Expr::If(i) => self.lower_if_value(i, expected),
            syn::Expr::Block(b) if b.label.is_none() => self.lower_block_value(&b.block, expected),
            syn::Expr::Loop(l) => self.lower_loop_value(l, expected),
            syn::Expr::Unsafe(u) => self.lower_unsafe(u, expected),
            other => Err(unsupported_expr(other, &self.sig.name.to_string())),
        }
    }

    /// `unsafe { x.get_unchecked(i) }`: a value computed without run-time checks.
    fn lower_unsafe(&mut self, u: &syn::ExprUnsafe, expected: Option<Scalar>) -> syn::Result<Expr> {
        let [syn::Stmt::Expr(inner, None)] = u.block.stmts.as_slice() else {
            return Err(error(
                u.unsafe_token.span,
                "`unsafe` in kernels only skips run-time checks: write `unsafe { x.get_unchecked(i) }`",
            ));
        };
        self.unchecked_depth += 1;
        let value = self.lower_expr(inner, expected);
        self.unchecked_depth -= 1;
        value
    }

    /// Lowers `e` and requires its type to be `ty`.
    pub(crate) fn lower_expr_as(&mut self, e: &syn::Expr, ty: Scalar) -> syn::Result<Expr> {
        let lowered = self.lower_expr(e, Some(ty))?;
        self.expect_type(e, &lowered, ty)?;
        Ok(lowered)
    }

    /// Requires `lowered` (the lowering of `e`) to have type `ty`.
    pub(crate) fn expect_type(
        &mut self,
        e: &syn::Expr,
        lowered: &Expr,
        ty: Scalar,
    ) -> syn::Result<()> {
        if lowered.ty == ty {
            return Ok(());
        }
        let found = lowered.ty;
        Err(self.mismatch(e, found, ty, || {
            let hint = if found.is_numeric() && ty.is_numeric() {
                format!(": convert with `as {ty}`")
            } else {
                String::new()
            };
            format!("mismatched types: expected `{ty}`, found `{found}`{hint}")
        }))
    }

    /// Lowers two operands that must share one type, letting a context-typed literal on either
    /// side take the other side's type (`2.0 * x` and `x * 2.0` both work for `x: f32`).
    /// Operands are evaluated left to right even when the right one needs statements.
    pub(crate) fn lower_pair(
        &mut self,
        left: &syn::Expr,
        right: &syn::Expr,
        expected: Option<Scalar>,
    ) -> syn::Result<(Expr, Expr)> {
        let (lhs, rhs) = if is_context_typed(left) && !is_context_typed(right) {
            let rhs = self.lower_expr(right, expected)?;
            (self.lower_expr(left, Some(rhs.ty))?, rhs)
        } else {
            let lhs = self.lower_expr(left, expected)?;
            let (stmts, rhs) = self.capture(|l| l.lower_expr(right, Some(lhs.ty)));
            let rhs = rhs?;
            let lhs = if stmts.is_empty() {
                lhs
            } else {
                self.spill("operand", lhs)
            };
            for stmt in stmts {
                self.emit(stmt);
            }
            (lhs, rhs)
        };
        if lhs.ty != rhs.ty {
            let (lt, rt) = (lhs.ty, rhs.ty);
            let message = || {
                format!(
                    "mismatched types: the left side is `{lt}` but the right side is `{rt}`; \
                     convert one side with `as {lt}`"
                )
            };
            if self.provisional_site(left).is_some() {
                return Err(self.mismatch(left, lt, rt, message));
            }
            return Err(self.mismatch(right, rt, lt, message));
        }
        Ok((lhs, rhs))
    }

    fn lower_path(&mut self, p: &syn::ExprPath, expected: Option<Scalar>) -> syn::Result<Expr> {
        let Some(ident) = p.path.get_ident().filter(|_| p.qself.is_none()) else {
            return self.lower_constant(p, expected);
        };
        let not_found = || {
            error(
                ident.span(),
                format!(
                    "cannot find `{ident}` in this kernel: kernels can use their parameters, local \
                     variables, `#[dpex::constant]`s and constants such as `f32::MAX`"
                ),
            )
        };
        match self.lookup(ident) {
            Some(Binding::Local { id, ty, .. }) => Ok(read_local(id, ty)),
            Some(Binding::Param { id, ty }) => Ok(Expr {
                ty,
                kind: ExprKind::Param(id),
            }),
            Some(Binding::Tensor { .. }) => Err(error(
                ident.span(),
                format!("a tensor is not a value: index it (`{ident}[i]`) or ask its `{ident}.len()`"),
            )),
            Some(Binding::Array { .. }) => Err(error(
                ident.span(),
                format!("an array is not a value here: index it (`{ident}[i]`)"),
            )),
            Some(Binding::Row(_)) => Err(error(
                ident.span(),
                format!("a row is a view, not a value: index it (`{ident}[j]`) or ask its `{ident}.len()`"),
            )),
            Some(Binding::LocalParam { .. } | Binding::WorkgroupArray { .. }) => Err(error(
                ident.span(),
                format!("local memory is not a value: index it (`{ident}[i]`)"),
            )),
            Some(Binding::Group | Binding::SubGroup | Binding::Atomic(_)) => Err(error(
                ident.span(),
                format!("`{ident}` is not a number: call its methods"),
            )),
            Some(Binding::Tuple(_)) => Err(error(
                ident.span(),
                format!("a tuple is not a value here: use its fields (`{ident}.0`) or destructure it"),
            )),
            Some(Binding::Item) => Err(error(
                ident.span(),
                format!("the work-item is not a value: ask it `{ident}.get_id(0)` or `{ident}.get_range(0)`"),
            )),
            None => self
                .lower_named_constant(ident)
                .unwrap_or_else(|| Err(not_found())),
            Some(Binding::Poisoned) => Err(not_found()),
        }
    }

    fn lower_unary(&mut self, u: &syn::ExprUnary, expected: Option<Scalar>) -> syn::Result<Expr> {
        let op =
            match u.op {
                syn::UnOp::Neg(_) => UnaryOp::Neg,
                syn::UnOp::Not(_) => UnaryOp::Not,
                syn::UnOp::Deref(_) => return Err(error(
                    u.op.span(),
                    "dereferencing is not supported in kernels: kernel values are plain scalars, \
                     so remove the `*`",
                )),
                _ => {
                    return Err(error(
                        u.op.span(),
                        "this unary operator is not supported in kernels",
                    ))
                }
            };
        let operand = self.lower_expr(&u.expr, expected)?;
        let ty = operand.ty;
        let allowed = match op {
            UnaryOp::Neg => ty.is_signed_int() || ty.is_float(),
            UnaryOp::Not => !ty.is_float(),
        };
        if !allowed {
            let what = if op == UnaryOp::Neg {
                "only signed integers and floats can be negated"
            } else {
                "`!` works on `bool` and integers"
            };
            return Err(error(
                u.span(),
                format!("cannot apply this operator to a `{ty}`: {what}"),
            ));
        }
        Ok(Expr {
            ty,
            kind: ExprKind::Unary {
                op,
                operand: Box::new(operand),
            },
        })
    }

    fn lower_binary(&mut self, b: &syn::ExprBinary, expected: Option<Scalar>) -> syn::Result<Expr> {
        let op = binary_op(&b.op)?;
        if op.is_logical() {
            return self.lower_short_circuit(op, &b.left, &b.right);
        }
        if op.is_shift() {
            let lhs = self.lower_expr(&b.left, expected)?;
            let rhs = self.lower_expr(&b.right, None)?;
            for (side, value) in [(&b.left, &lhs), (&b.right, &rhs)] {
                if !value.ty.is_int() {
                    return Err(error(
                        side.span(),
                        format!("shifts take integers, not `{}`", value.ty),
                    ));
                }
            }
            return Ok(Expr::binary(lhs.ty, op, lhs, rhs));
        }
        let hint = if op.is_comparison() { None } else { expected };
        let (lhs, rhs) = self.lower_pair(&b.left, &b.right, hint)?;
        let ty = lhs.ty;
        if !operator_applies(op, ty) {
            return Err(error(
                b.op.span(),
                format!(
                    "`{}` cannot be applied to `{ty}` operands",
                    operator_text(&b.op)
                ),
            ));
        }
        if op.is_comparison() {
            return Ok(Expr::binary(Scalar::Bool, op, lhs, rhs));
        }
        Ok(self.checked_binary(ty, op, lhs, rhs))
    }

    /// `a && b` / `a || b`. When `b` needs statements they must run only when `a` does not
    /// decide, so the pair becomes `t = a; if t { ...; t = b }` (`if !t` for `||`).
    fn lower_short_circuit(
        &mut self,
        op: BinaryOp,
        left: &syn::Expr,
        right: &syn::Expr,
    ) -> syn::Result<Expr> {
        let lhs = self.lower_expr_as(left, Scalar::Bool)?;
        // The right side runs only when the left is true (`&&`) or false (`||`).
        let left_holds = op == BinaryOp::LogicalAnd;
        let (stmts, rhs) = self.under_condition(&lhs.clone(), |l| {
            l.assuming(&lhs, left_holds, |l| {
                l.capture(|l| l.lower_expr_as(right, Scalar::Bool))
            })
        });
        let rhs = rhs?;
        if stmts.is_empty() {
            return Ok(Expr::binary(Scalar::Bool, op, lhs, rhs));
        }
        let result = self.new_local("logical", Scalar::Bool);
        self.emit(Statement::Assign {
            local: result,
            value: lhs,
        });
        let mut run_right = stmts;
        run_right.push(Statement::Assign {
            local: result,
            value: rhs,
        });
        let decided = read_local(result, Scalar::Bool);
        let condition = if op == BinaryOp::LogicalAnd {
            decided
        } else {
            Expr {
                ty: Scalar::Bool,
                kind: ExprKind::Unary {
                    op: UnaryOp::Not,
                    operand: Box::new(decided),
                },
            }
        };
        self.emit(Statement::If {
            condition,
            accept: run_right,
            reject: Vec::new(),
        });
        Ok(read_local(result, Scalar::Bool))
    }

    fn lower_cast(&mut self, c: &syn::ExprCast) -> syn::Result<Expr> {
        let Some(to) = self.scalar_type(&c.ty) else {
            return Err(error(
                c.ty.span(),
                "kernels can only cast to scalar types: bool, i8..i64, isize, u8..u64, usize, f16, f32, f64",
            ));
        };
        let value = self.lower_expr(&c.expr, None)?;
        cast(value, to).map_err(|message| error(c.span(), message))
    }

    /// The scalar type a written type names (generic parameters resolved).
    pub(crate) fn scalar_type(&self, ty: &syn::Type) -> Option<Scalar> {
        self.sig.types.scalar(ty)
    }

    /// Lowers an index, which must be a `usize` as in Rust.
    pub(crate) fn lower_index_value(&mut self, index: &syn::Expr) -> syn::Result<Expr> {
        let lowered = self.lower_expr(index, Some(Scalar::U64))?;
        if lowered.ty != Scalar::U64 {
            let found = lowered.ty;
            return Err(self.mismatch(index, found, Scalar::U64, || {
                format!("indices are `usize`, found `{found}`: write `... as usize`")
            }));
        }
        Ok(lowered)
    }

    /// Resolves `expr` to a tensor parameter: (id, element type, access).
    pub(crate) fn tensor_operand(
        &self,
        expr: &syn::Expr,
    ) -> syn::Result<(dpex_spirv::ir::ParamId, Scalar, dpex_spirv::ir::Access, u32)> {
        if let syn::Expr::Path(p) = expr {
            if let Some(ident) = p.path.get_ident() {
                if let Some(Binding::Tensor {
                    id,
                    elem,
                    access,
                    dims,
                }) = self.lookup(ident)
                {
                    return Ok((id, elem, access, dims));
                }
            }
        }
        Err(error(
            expr.span(),
            "only tensor parameters and private arrays can be indexed in kernels (`x[i]`)",
        ))
    }

    /// The local-accessor parameter `expr` names, with its element type and number of axes.
    pub(crate) fn local_operand(
        &self,
        expr: &syn::Expr,
    ) -> Option<(dpex_spirv::ir::ParamId, Scalar, u32)> {
        let syn::Expr::Path(p) = expr else {
            return None;
        };
        match self.lookup(p.path.get_ident()?)? {
            Binding::LocalParam { id, elem, dims } => Some((id, elem, dims)),
            _ => None,
        }
    }
}

/// Converts `value` to `to` with Rust's `as` rules, or says why Rust forbids it.
pub(crate) fn cast(value: Expr, to: Scalar) -> Result<Expr, String> {
    let from = value.ty;
    if to == Scalar::Bool && from != Scalar::Bool {
        return Err(format!(
            "cannot cast `{from}` to `bool`: compare instead, e.g. `x != 0`"
        ));
    }
    if from == Scalar::Bool && to.is_float() {
        return Err(format!(
            "cannot cast `bool` to `{to}`: cast to an integer first (`b as u8 as {to}`)"
        ));
    }
    if from == to {
        return Ok(value);
    }
    Ok(Expr {
        ty: to,
        kind: ExprKind::Cast {
            value: Box::new(value),
        },
    })
}

/// True when Rust defines `op` on two `ty` operands.
pub(crate) fn operator_applies(op: BinaryOp, ty: Scalar) -> bool {
    match op {
        BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => !ty.is_float(),
        BinaryOp::Shl | BinaryOp::Shr => ty.is_int(),
        BinaryOp::LogicalAnd | BinaryOp::LogicalOr => ty == Scalar::Bool,
        _ if op.is_comparison() => true,
        _ => ty.is_numeric(),
    }
}

/// True when `e`'s type comes from its context (an unsuffixed literal, possibly negated,
/// parenthesized or combined with other such literals).
pub(crate) fn is_context_typed(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Lit(l) => match &l.lit {
            syn::Lit::Int(i) => i.suffix().is_empty(),
            syn::Lit::Float(f) => f.suffix().is_empty(),
            _ => false,
        },
        syn::Expr::Paren(p) => is_context_typed(&p.expr),
        syn::Expr::Group(g) => is_context_typed(&g.expr),
        syn::Expr::Unary(u) => is_context_typed(&u.expr),
        syn::Expr::Binary(b) => {
            !matches!(binary_op(&b.op), Ok(op) if op.is_comparison() || op.is_logical())
                && is_context_typed(&b.left)
                && is_context_typed(&b.right)
        }
        syn::Expr::Block(b) => match b.block.stmts.as_slice() {
            [syn::Stmt::Expr(tail, None)] => is_context_typed(tail),
            _ => false,
        },
        syn::Expr::If(i) => match (i.then_branch.stmts.as_slice(), &i.else_branch) {
            ([syn::Stmt::Expr(tail, None)], Some((_, other))) => {
                is_context_typed(tail) && is_context_typed(other)
            }
            _ => false,
        },
        _ => false,
    }
}

/// The operator as the user wrote it, for messages.
fn operator_text(op: &syn::BinOp) -> String {
    quote::quote!(#op).to_string()
}

/// Maps a non-assigning binary operator to the IR's.
pub(crate) fn binary_op(op: &syn::BinOp) -> syn::Result<BinaryOp> {
    use syn::BinOp as B;
    Ok(match op {
        B::Add(_) => BinaryOp::Add,
        B::Sub(_) => BinaryOp::Sub,
        B::Mul(_) => BinaryOp::Mul,
        B::Div(_) => BinaryOp::Div,
        B::Rem(_) => BinaryOp::Rem,
        B::And(_) => BinaryOp::LogicalAnd,
        B::Or(_) => BinaryOp::LogicalOr,
        B::BitXor(_) => BinaryOp::BitXor,
        B::BitAnd(_) => BinaryOp::BitAnd,
        B::BitOr(_) => BinaryOp::BitOr,
        B::Shl(_) => BinaryOp::Shl,
        B::Shr(_) => BinaryOp::Shr,
        B::Eq(_) => BinaryOp::Eq,
        B::Lt(_) => BinaryOp::Lt,
        B::Le(_) => BinaryOp::Le,
        B::Ne(_) => BinaryOp::Ne,
        B::Ge(_) => BinaryOp::Ge,
        B::Gt(_) => BinaryOp::Gt,
        other => {
            return Err(error(
                other.span(),
                "compound assignment is a statement: write it on its own line, e.g. `x += 1;`",
            ))
        }
    })
}

/// Maps a compound assignment operator (`+=`, ...) to the binary operation it applies.
pub(crate) fn compound_op(op: &syn::BinOp) -> Option<BinaryOp> {
    use syn::BinOp as B;
    Some(match op {
        B::AddAssign(_) => BinaryOp::Add,
        B::SubAssign(_) => BinaryOp::Sub,
        B::MulAssign(_) => BinaryOp::Mul,
        B::DivAssign(_) => BinaryOp::Div,
        B::RemAssign(_) => BinaryOp::Rem,
        B::BitXorAssign(_) => BinaryOp::BitXor,
        B::BitAndAssign(_) => BinaryOp::BitAnd,
        B::BitOrAssign(_) => BinaryOp::BitOr,
        B::ShlAssign(_) => BinaryOp::Shl,
        B::ShrAssign(_) => BinaryOp::Shr,
        _ => return None,
    })
}
