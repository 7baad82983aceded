//! Lowers statements and control flow: `let`, assignments, `if`/`else`, `for i in a..b`,
//! `break`, `continue`, `return` and nested blocks.

use super::expr::compound_op;
use super::unsupported::{unsupported_expr, unsupported_stmt};
use super::{error, Binding, Lowerer};
use crate::parse::{combine, scalar_of_type};
use dpex_spirv::ir::{BinaryOp, Block, Expr, ExprKind, Literal, Scalar, Statement};
use syn::spanned::Spanned;

impl Lowerer<'_> {
    /// Lowers statements in the current scope, reporting the errors of every statement.
    pub(crate) fn lower_block_statements(&mut self, stmts: &[syn::Stmt]) -> syn::Result<Block> {
        let mut block = Vec::new();
        let mut errors = Vec::new();
        for stmt in stmts {
            let outer_poisoned = self.used_poisoned.replace(false);
            if let Err(e) = self.lower_stmt(stmt, &mut block) {
                if !self.used_poisoned.get() {
                    errors.push(e);
                }
            }
            self.used_poisoned
                .set(self.used_poisoned.get() | outer_poisoned);
        }
        match combine(errors) {
            Some(e) => Err(e),
            None => Ok(block),
        }
    }

    fn lower_stmt(&mut self, stmt: &syn::Stmt, out: &mut Block) -> syn::Result<()> {
        match stmt {
            syn::Stmt::Local(local) => {
                let lowered = self.lower_let(local, out);
                if lowered.is_err() {
                    self.poison_let(local);
                }
                lowered
            }
            syn::Stmt::Expr(e, _) => self.lower_expr_stmt(e, out),
            other => Err(unsupported_stmt(other)),
        }
    }

    fn lower_let(&mut self, local: &syn::Local, out: &mut Block) -> syn::Result<()> {
        let (pat, declared) = match &local.pat {
            syn::Pat::Type(t) => {
                let Some(ty) = scalar_of_type(&t.ty) else {
                    return Err(error(
                        t.ty.span(),
                        "kernel variables hold scalars: bool, i8..i64, isize, u8..u64, usize, f32 or f64",
                    ));
                };
                (&*t.pat, Some(ty))
            }
            other => (other, None),
        };
        let syn::Pat::Ident(binding) = pat else {
            return Err(error(
                pat.span(),
                "write a plain name in `let` (patterns and tuples are not supported yet)",
            ));
        };
        if binding.by_ref.is_some() || binding.subpat.is_some() {
            return Err(error(
                pat.span(),
                "write a plain name in `let`, e.g. `let x = ...;`",
            ));
        }
        let Some(init) = &local.init else {
            return Err(error(
                local.span(),
                format!(
                    "give `{}` an initial value: `let {} = ...;`",
                    binding.ident, binding.ident
                ),
            ));
        };
        if let Some((else_token, _)) = &init.diverge {
            return Err(error(
                else_token.span(),
                "`let ... else` is not supported in kernels",
            ));
        }
        let value = match declared {
            Some(ty) => self.lower_expr_as(&init.expr, ty)?,
            None => self.lower_expr(&init.expr, None)?,
        };
        let id = self.new_local(&binding.ident, value.ty);
        out.push(Statement::Assign {
            local: id,
            value: value.clone(),
        });
        self.bind(
            &binding.ident,
            Binding::Local {
                id,
                ty: value.ty,
                mutable: binding.mutability.is_some(),
            },
        );
        Ok(())
    }

    /// Binds the names of a failed `let` so that their uses add no errors of their own.
    fn poison_let(&mut self, local: &syn::Local) {
        let pat = match &local.pat {
            syn::Pat::Type(t) => &*t.pat,
            other => other,
        };
        if let syn::Pat::Ident(binding) = pat {
            self.bind(&binding.ident, Binding::Poisoned);
        }
    }

    fn lower_expr_stmt(&mut self, e: &syn::Expr, out: &mut Block) -> syn::Result<()> {
        match e {
            syn::Expr::Assign(a) => {
                let stmt = self.lower_assignment(&a.left, None, &a.right)?;
                out.push(stmt);
            }
            syn::Expr::Binary(b) if compound_op(&b.op).is_some() => {
                let stmt = self.lower_assignment(&b.left, compound_op(&b.op), &b.right)?;
                out.push(stmt);
            }
            syn::Expr::If(i) => out.push(self.lower_if_stmt(i)?),
            syn::Expr::ForLoop(f) => self.lower_for(f, out)?,
            syn::Expr::Block(b) if b.label.is_none() => {
                let mut inner = self.scoped(|l| l.lower_block_statements(&b.block.stmts))?;
                out.append(&mut inner);
            }
            syn::Expr::Return(r) => {
                if let Some(value) = &r.expr {
                    return Err(error(
                        value.span(),
                        "a kernel returns nothing: write `return;`",
                    ));
                }
                out.push(Statement::Return);
            }
            syn::Expr::Break(b) => {
                self.check_in_loop(b.break_token.span, "break")?;
                if let Some(label) = &b.label {
                    return Err(error(label.span(), "labelled `break` is not supported yet"));
                }
                if let Some(value) = &b.expr {
                    return Err(error(
                        value.span(),
                        "`break` with a value is not supported yet",
                    ));
                }
                out.push(Statement::Break);
            }
            syn::Expr::Continue(c) => {
                self.check_in_loop(c.continue_token.span, "continue")?;
                if let Some(label) = &c.label {
                    return Err(error(
                        label.span(),
                        "labelled `continue` is not supported yet",
                    ));
                }
                out.push(Statement::Continue);
            }
            syn::Expr::Paren(p) => self.lower_expr_stmt(&p.expr, out)?,
            // A pure expression as a statement has no effect; lower it only to check it.
            syn::Expr::Lit(_)
            | syn::Expr::Path(_)
            | syn::Expr::Unary(_)
            | syn::Expr::Binary(_)
            | syn::Expr::Cast(_)
            | syn::Expr::Index(_)
            | syn::Expr::MethodCall(_) => {
                self.lower_expr(e, None)?;
            }
            other => return Err(unsupported_expr(other, &self.sig.name.to_string())),
        }
        Ok(())
    }

    fn check_in_loop(&self, span: proc_macro2::Span, keyword: &str) -> syn::Result<()> {
        if self.loop_depth == 0 {
            return Err(error(span, format!("`{keyword}` outside of a loop")));
        }
        Ok(())
    }

    fn lower_if_stmt(&mut self, i: &syn::ExprIf) -> syn::Result<Statement> {
        let condition = self.lower_expr_as(&i.cond, Scalar::Bool)?;
        let accept = self.scoped(|l| l.lower_block_statements(&i.then_branch.stmts))?;
        let reject = match &i.else_branch {
            None => Vec::new(),
            Some((_, branch)) => match &**branch {
                syn::Expr::If(nested) => vec![self.lower_if_stmt(nested)?],
                syn::Expr::Block(b) => self.scoped(|l| l.lower_block_statements(&b.block.stmts))?,
                other => return Err(error(other.span(), "expected `else { ... }` or `else if`")),
            },
        };
        Ok(Statement::If {
            condition,
            accept,
            reject,
        })
    }

    /// `for i in start..end { body }` becomes: `cursor = start; end = end; loop { if cursor >=
    /// end { break } let i = cursor; body; continuing: cursor += 1 }`.
    fn lower_for(&mut self, f: &syn::ExprForLoop, out: &mut Block) -> syn::Result<()> {
        if let Some(label) = &f.label {
            return Err(error(label.span(), "labelled loops are not supported yet"));
        }
        let name = match &*f.pat {
            syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p),
            syn::Pat::Wild(_) => None,
            other => {
                return Err(error(
                    other.span(),
                    "write a plain loop variable, e.g. `for i in 0..n`",
                ))
            }
        };
        let range = match &*f.expr {
            syn::Expr::Range(r) => r,
            syn::Expr::Paren(p) => match &*p.expr {
                syn::Expr::Range(r) => r,
                other => return Err(for_range_error(other)),
            },
            other => return Err(for_range_error(other)),
        };
        if let syn::RangeLimits::Closed(dots) = range.limits {
            return Err(error(
                dots.span(),
                "inclusive ranges `a..=b` are not supported yet: write `a..b + 1`",
            ));
        }
        let (Some(start), Some(end)) = (&range.start, &range.end) else {
            return Err(error(
                range.span(),
                "a kernel `for` loop needs both bounds: `for i in a..b`",
            ));
        };
        let (start, end) = self.lower_pair(start, end, None)?;
        let ty = start.ty;
        if !ty.is_int() {
            return Err(error(
                range.span(),
                format!("loop bounds must be integers, found `{ty}`"),
            ));
        }
        let counter_name = name.map_or_else(|| "_".to_string(), |p| p.ident.to_string());
        let cursor = self.new_hidden_local(&format!("{counter_name}.cursor"), ty);
        let limit = self.new_hidden_local(&format!("{counter_name}.end"), ty);
        out.push(Statement::Assign {
            local: cursor,
            value: start,
        });
        out.push(Statement::Assign {
            local: limit,
            value: end,
        });
        let read = |id| Expr {
            ty,
            kind: ExprKind::Local(id),
        };
        let mut body = vec![Statement::If {
            condition: Expr::binary(Scalar::Bool, BinaryOp::Ge, read(cursor), read(limit)),
            accept: vec![Statement::Break],
            reject: Vec::new(),
        }];
        self.loop_depth += 1;
        let user_body = self.scoped(|l| {
            if let Some(p) = name {
                let var = l.new_local(&p.ident, ty);
                body.push(Statement::Assign {
                    local: var,
                    value: read(cursor),
                });
                l.bind(
                    &p.ident,
                    Binding::Local {
                        id: var,
                        ty,
                        mutable: p.mutability.is_some(),
                    },
                );
            }
            l.lower_block_statements(&f.body.stmts)
        });
        self.loop_depth -= 1;
        body.extend(user_body?);
        let one = Expr::literal(ty, Literal::Int(1));
        out.push(Statement::Loop {
            body,
            continuing: vec![Statement::Assign {
                local: cursor,
                value: Expr::binary(ty, BinaryOp::Add, read(cursor), one),
            }],
        });
        Ok(())
    }
}

fn for_range_error(e: &syn::Expr) -> syn::Error {
    error(
        e.span(),
        "kernel `for` loops iterate over integer ranges only: write `for i in a..b`",
    )
}
