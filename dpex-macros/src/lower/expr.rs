//! Lowers expressions: names, literals, operators, casts, indexing, work-item queries and
//! `if` as a value.

use super::literal::lower_literal;
use super::unsupported::unsupported_expr;
use super::{error, Binding, Lowerer};
use crate::parse::scalar_of_type;
use dpex_spirv::ir::{BinaryOp, Builtin, Expr, ExprKind, Scalar, UnaryOp};
use syn::spanned::Spanned;

impl Lowerer<'_> {
    /// Lowers `e`; `expected` is the type the context asks for (it only steers literals).
    pub(crate) fn lower_expr(
        &mut self,
        e: &syn::Expr,
        expected: Option<Scalar>,
    ) -> syn::Result<Expr> {
        match e {
            syn::Expr::Lit(l) => lower_literal(&l.lit, expected),
            syn::Expr::Paren(p) => self.lower_expr(&p.expr, expected),
            syn::Expr::Group(g) => self.lower_expr(&g.expr, expected),
            syn::Expr::Path(p) => self.lower_path(p),
            syn::Expr::Unary(u) => self.lower_unary(u, expected),
            syn::Expr::Binary(b) => self.lower_binary(b, expected),
            syn::Expr::Cast(c) => self.lower_cast(c),
            syn::Expr::Index(i) => self.lower_index(i),
            syn::Expr::MethodCall(m) => self.lower_method_call(m),
            syn::Expr::If(i) => self.lower_if_value(i, expected),
            syn::Expr::Block(b) if b.label.is_none() => self.lower_block_value(&b.block, expected),
            other => Err(unsupported_expr(other, self.sig.name.to_string().as_str())),
        }
    }

    /// Lowers `e` and requires its type to be `ty`.
    pub(crate) fn lower_expr_as(&mut self, e: &syn::Expr, ty: Scalar) -> syn::Result<Expr> {
        let lowered = self.lower_expr(e, Some(ty))?;
        expect_type(e, &lowered, ty)?;
        Ok(lowered)
    }

    /// Lowers two operands that must share one type, letting a context-typed literal on either
    /// side take the other side's type (`2.0 * x` and `x * 2.0` both work for `x: f32`).
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
            let rhs = self.lower_expr(right, Some(lhs.ty))?;
            (lhs, rhs)
        };
        if lhs.ty != rhs.ty {
            return Err(error(
                right.span(),
                format!(
                    "mismatched types: the left side is `{}` but this is `{}`; convert one side \
                     with `as {}`",
                    lhs.ty, rhs.ty, lhs.ty
                ),
            ));
        }
        Ok((lhs, rhs))
    }

    fn lower_path(&mut self, p: &syn::ExprPath) -> syn::Result<Expr> {
        let Some(ident) = p.path.get_ident().filter(|_| p.qself.is_none()) else {
            return Err(error(
                p.span(),
                "paths are not supported in kernels yet: use a local variable or a parameter",
            ));
        };
        match self.lookup(ident) {
            Some(Binding::Local { id, ty, .. }) => Ok(Expr {
                ty,
                kind: ExprKind::Local(id),
            }),
            Some(Binding::Param { id, ty }) => Ok(Expr {
                ty,
                kind: ExprKind::Param(id),
            }),
            Some(Binding::Tensor { .. }) => Err(error(
                ident.span(),
                format!("a tensor is not a value: index it (`{ident}[i]`) or ask its `{ident}.len()`"),
            )),
            Some(Binding::Item) => Err(error(
                ident.span(),
                format!("the work-item is not a value: ask it `{ident}.get_id(0)` or `{ident}.get_range(0)`"),
            )),
            Some(Binding::Poisoned) | None => Err(error(
                ident.span(),
                format!(
                    "cannot find `{ident}` in this kernel: kernels can use their parameters and \
                     local variables (outside constants and statics are not supported yet)"
                ),
            )),
        }
    }

    fn lower_unary(&mut self, u: &syn::ExprUnary, expected: Option<Scalar>) -> syn::Result<Expr> {
        let (op, operand) =
            match u.op {
                syn::UnOp::Neg(_) => {
                    let operand = self.lower_expr(&u.expr, expected)?;
                    if !(operand.ty.is_signed_int() || operand.ty.is_float()) {
                        return Err(error(
                            u.span(),
                            format!(
                            "cannot negate a `{}`: only signed integers and floats can be negated",
                            operand.ty
                        ),
                        ));
                    }
                    (UnaryOp::Neg, operand)
                }
                syn::UnOp::Not(_) => {
                    let operand = self.lower_expr(&u.expr, expected)?;
                    if operand.ty.is_float() {
                        return Err(error(
                            u.span(),
                            "cannot apply `!` to a float: `!` works on `bool` and integers",
                        ));
                    }
                    (UnaryOp::Not, operand)
                }
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
        Ok(Expr {
            ty: operand.ty,
            kind: ExprKind::Unary {
                op,
                operand: Box::new(operand),
            },
        })
    }

    fn lower_binary(&mut self, b: &syn::ExprBinary, expected: Option<Scalar>) -> syn::Result<Expr> {
        let op = binary_op(&b.op)?;
        if op.is_logical() {
            let lhs = self.lower_expr_as(&b.left, Scalar::Bool)?;
            let rhs = self.lower_expr_as(&b.right, Scalar::Bool)?;
            return Ok(Expr::binary(Scalar::Bool, op, lhs, rhs));
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
        let allowed = match op {
            BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => !ty.is_float(),
            BinaryOp::Eq | BinaryOp::Ne => true,
            _ if op.is_comparison() => ty != Scalar::Bool,
            _ => ty.is_numeric(),
        };
        if !allowed {
            return Err(error(
                b.op.span(),
                format!(
                    "`{}` cannot be applied to `{ty}` operands",
                    operator_text(&b.op)
                ),
            ));
        }
        let result = if op.is_comparison() { Scalar::Bool } else { ty };
        Ok(Expr::binary(result, op, lhs, rhs))
    }

    fn lower_cast(&mut self, c: &syn::ExprCast) -> syn::Result<Expr> {
        let Some(to) = scalar_of_type(&c.ty) else {
            return Err(error(
                c.ty.span(),
                "kernels can only cast to scalar types: bool, i8..i64, isize, u8..u64, usize, f32, f64",
            ));
        };
        let value = self.lower_expr(&c.expr, None)?;
        let from = value.ty;
        if to == Scalar::Bool && from != Scalar::Bool {
            return Err(error(
                c.span(),
                format!("cannot cast `{from}` to `bool`: compare instead, e.g. `x != 0`"),
            ));
        }
        if from == Scalar::Bool && to.is_float() {
            return Err(error(
                c.span(),
                format!(
                    "cannot cast `bool` to `{to}`: cast to an integer first (`b as u8 as {to}`)"
                ),
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

    fn lower_index(&mut self, i: &syn::ExprIndex) -> syn::Result<Expr> {
        let (tensor, elem, _) = self.tensor_operand(&i.expr)?;
        let index = self.lower_index_value(&i.index)?;
        Ok(Expr {
            ty: elem,
            kind: ExprKind::Load {
                tensor,
                index: Box::new(index),
            },
        })
    }

    /// Lowers an index, which must be a `usize` as in Rust.
    pub(crate) fn lower_index_value(&mut self, index: &syn::Expr) -> syn::Result<Expr> {
        let lowered = self.lower_expr(index, Some(Scalar::U64))?;
        if lowered.ty != Scalar::U64 {
            return Err(error(
                index.span(),
                format!(
                    "tensors are indexed with `usize`, found `{}`: write `... as usize`",
                    lowered.ty
                ),
            ));
        }
        Ok(lowered)
    }

    fn lower_method_call(&mut self, m: &syn::ExprMethodCall) -> syn::Result<Expr> {
        let supported =
            "kernel methods are `item.get_id(d)`, `item.get_range(d)` and `tensor.len()`";
        if let Some(t) = &m.turbofish {
            return Err(error(
                t.span(),
                "turbofish (`::<>`) is not supported in kernels",
            ));
        }
        let receiver = match &*m.receiver {
            syn::Expr::Path(p) => p.path.get_ident().and_then(|id| self.lookup(id)),
            _ => None,
        };
        let method = m.method.to_string();
        match (receiver, method.as_str()) {
            (
                Some(Binding::Item),
                "get_id" | "get_global_id" | "get_range" | "get_global_range",
            ) => {
                let dim = self.dimension_argument(m)?;
                let builtin = if method.contains("range") {
                    Builtin::GlobalSize(dim)
                } else {
                    Builtin::GlobalId(dim)
                };
                Ok(Expr {
                    ty: Scalar::U64,
                    kind: ExprKind::Builtin(builtin),
                })
            }
            (Some(Binding::Tensor { id, .. }), "len") if m.args.is_empty() => Ok(Expr {
                ty: Scalar::U64,
                kind: ExprKind::TensorLen(id),
            }),
            _ => Err(error(
                m.method.span(),
                format!("`.{method}()` is not supported here: {supported}"),
            )),
        }
    }

    /// The constant dimension argument of `item.get_id(d)`, checked against the kernel's `N`.
    fn dimension_argument(&self, m: &syn::ExprMethodCall) -> syn::Result<u32> {
        let dims = self.sig.dims;
        let message = format!(
            "write a constant dimension below {dims}, e.g. `{}(0)`",
            m.method
        );
        if m.args.len() != 1 {
            return Err(error(m.method.span(), message));
        }
        match &m.args[0] {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(i),
                ..
            }) => match i.base10_parse::<u32>() {
                Ok(d) if d < dims => Ok(d),
                _ => Err(error(
                    i.span(),
                    format!("this kernel's work-items have {dims} dimension(s): {message}"),
                )),
            },
            other => Err(error(other.span(), message)),
        }
    }

    /// Resolves `expr` to a tensor parameter: (id, element type, access).
    pub(crate) fn tensor_operand(
        &self,
        expr: &syn::Expr,
    ) -> syn::Result<(dpex_spirv::ir::ParamId, Scalar, dpex_spirv::ir::Access)> {
        if let syn::Expr::Path(p) = expr {
            if let Some(ident) = p.path.get_ident() {
                if let Some(Binding::Tensor { id, elem, access }) = self.lookup(ident) {
                    return Ok((id, elem, access));
                }
            }
        }
        Err(error(
            expr.span(),
            "only tensor parameters can be indexed in kernels (`x[i]` with `x: &Tensor<T>`)",
        ))
    }

    fn lower_if_value(&mut self, i: &syn::ExprIf, expected: Option<Scalar>) -> syn::Result<Expr> {
        let Some((_, else_branch)) = &i.else_branch else {
            return Err(error(
                i.span(),
                "an `if` used as a value needs an `else` branch",
            ));
        };
        let condition = self.lower_expr_as(&i.cond, Scalar::Bool)?;
        let accept = self.lower_block_value(&i.then_branch, expected)?;
        let reject = self.lower_expr(else_branch, Some(accept.ty))?;
        expect_type(else_branch, &reject, accept.ty)?;
        Ok(Expr {
            ty: accept.ty,
            kind: ExprKind::Select {
                condition: Box::new(condition),
                accept: Box::new(accept),
                reject: Box::new(reject),
            },
        })
    }

    fn lower_block_value(
        &mut self,
        block: &syn::Block,
        expected: Option<Scalar>,
    ) -> syn::Result<Expr> {
        match block.stmts.as_slice() {
            [syn::Stmt::Expr(e, None)] => self.scoped(|l| l.lower_expr(e, expected)),
            _ => Err(error(
                block.span(),
                "a block used as a value must hold a single expression for now, e.g. `{ a * b }`; \
                 compute into a `let mut` variable in an `if` statement instead",
            )),
        }
    }
}

/// Requires `lowered` (the lowering of `e`) to have type `ty`.
pub(crate) fn expect_type(e: &syn::Expr, lowered: &Expr, ty: Scalar) -> syn::Result<()> {
    if lowered.ty == ty {
        return Ok(());
    }
    let hint = if lowered.ty.is_numeric() && ty.is_numeric() {
        format!(": convert with `as {ty}`")
    } else {
        String::new()
    };
    Err(error(
        e.span(),
        format!(
            "mismatched types: expected `{ty}`, found `{}`{hint}",
            lowered.ty
        ),
    ))
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
        syn::Expr::Binary(b) => is_context_typed(&b.left) && is_context_typed(&b.right),
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
