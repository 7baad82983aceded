//! Lowers statements: `let` (scalars, arrays, tuples), assignments and expression statements;
//! control-flow statements are dispatched to [`super::control`] and `for_loop`.

use super::aggregate::{is_tuple_expr, Declared};
use super::expr::{compound_op, is_context_typed};
use super::memory::Shape;
use super::unsupported::{unsupported_expr, unsupported_stmt};
use super::{error, Binding, Lowerer};
use crate::parse::combine;
use dpex_spirv::ir::{ExprKind, Statement};
use syn::spanned::Spanned;

impl Lowerer<'_> {
    /// Lowers statements into the current block, reporting the errors of every statement.
    pub(crate) fn lower_statements(&mut self, stmts: &[syn::Stmt]) -> syn::Result<()> {
        let mut errors = Vec::new();
        for stmt in stmts {
            let outer_poisoned = self.used_poisoned.replace(false);
            if let Err(e) = self.lower_stmt(stmt) {
                if self.learned.is_some() {
                    // A `let`'s type was learned: lowering starts over, these errors are moot.
                    return Err(e);
                }
                if !self.used_poisoned.get() {
                    errors.push(e);
                }
            }
            self.used_poisoned
                .set(self.used_poisoned.get() | outer_poisoned);
        }
        match combine(errors) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn lower_stmt(&mut self, stmt: &syn::Stmt) -> syn::Result<()> {
        match stmt {
            syn::Stmt::Local(local) => {
                let lowered = self.lower_let(local);
                if lowered.is_err() {
                    self.poison_let(&local.pat);
                }
                lowered
            }
            syn::Stmt::Expr(e, semi) => self.lower_expr_stmt(e, semi.is_some()),
            syn::Stmt::Item(syn::Item::Fn(f)) if self.funcs.is_nested(&f.sig.ident) => Ok(()),
            other => Err(unsupported_stmt(other)),
        }
    }

    fn lower_let(&mut self, local: &syn::Local) -> syn::Result<()> {
        let (pat, declared) = match &local.pat {
            syn::Pat::Type(t) => (&*t.pat, Some(self.declared_type(&t.ty)?)),
            other => (other, None),
        };
        let Some(init) = &local.init else {
            return Err(error(
                local.span(),
                "give the variable an initial value: `let x = ...;`",
            ));
        };
        if let Some((else_token, _)) = &init.diverge {
            return Err(error(
                else_token.span(),
                "`let ... else` is not supported in kernels",
            ));
        }
        let init = &*init.expr;
        let is_tuple = matches!(pat, syn::Pat::Tuple(_))
            || matches!(declared, Some(Declared::Tuple(_)))
            || is_tuple_expr(init)
            || matches!(self.place_binding(init), Ok(Binding::Tuple(_)))
            || matches!(init, syn::Expr::MethodCall(m) if m.method == "compare_exchange" || m.method == "ln_gamma");
        if is_tuple {
            let value = self.lower_tuple(init, declared.as_ref())?;
            return self.bind_tuple_pattern(pat, value, false);
        }
        let (name, mutable) = match pat {
            syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                (&p.ident, p.mutability.is_some())
            }
            syn::Pat::Wild(_) => {
                self.lower_expr(init, None)?;
                return Ok(());
            }
            other => {
                return Err(error(
                    other.span(),
                    "write a plain name in `let`, e.g. `let x = ...;`",
                ))
            }
        };
        if self.is_row(init) {
            let copies_array_row = !matches!(init, syn::Expr::Reference(_))
                && matches!(self.row_base(init), Some((m, _)) if matches!(m.shape, Shape::Fixed(_)));
            if copies_array_row {
                return Err(error(
                    init.span(),
                    "a row of an array is not copied in kernels: borrow it (`let r = &a[i];`, `&mut a[i]` to write) or index its elements (`a[i][j]`)",
                ));
            }
            let mut row = self.lower_row_operand(init)?;
            // The row keeps the indices' values at the `let`, as a reference would.
            for index in &mut row.prefix {
                if !matches!(index.kind, ExprKind::Literal(_) | ExprKind::Param(_)) {
                    *index = self.spill("row", index.clone());
                }
            }
            self.bind(name, Binding::Row(row));
            return Ok(());
        }
        if let Some(binding) = self.nd_range_let(name, init) {
            let binding = binding?;
            self.bind(name, binding);
            return Ok(());
        }
        if let Some(atomic) = self.atomic_ref(init) {
            let atomic = atomic?;
            self.bind(name, Binding::Atomic(atomic));
            return Ok(());
        }
        let is_array = matches!(init, syn::Expr::Repeat(_) | syn::Expr::Array(_));
        match declared {
            Some(Declared::Array(elem, shape)) => {
                return self.lower_array_let(name, mutable, Some((elem, shape)), init)
            }
            None if is_array => return self.lower_array_let(name, mutable, None, init),
            Some(Declared::Tuple(_)) => unreachable_tuple(pat)?,
            _ => {}
        }
        let (value, site) = match declared {
            Some(Declared::Scalar(ty)) => (self.lower_expr_as(init, ty)?, None),
            _ if is_context_typed(init) => {
                let (site, learned) = self.next_let_site();
                let value = self.lower_expr(init, learned)?;
                (value, learned.is_none().then_some(site))
            }
            _ => (self.lower_expr(init, None)?, None),
        };
        let ty = value.ty;
        let id = self.new_local(&name.to_string(), ty);
        if mutable {
            self.note_mutable(id, &name.to_string(), &value);
        } else {
            self.note_stable(id, &value);
        }
        self.emit(Statement::Assign { local: id, value });
        self.bind(
            name,
            Binding::Local {
                id,
                ty,
                mutable,
                site,
            },
        );
        Ok(())
    }

    /// Binds the names of a failed `let` so that their uses add no errors of their own.
    fn poison_let(&mut self, pat: &syn::Pat) {
        match pat {
            syn::Pat::Type(t) => self.poison_let(&t.pat),
            syn::Pat::Ident(binding) => self.bind(&binding.ident, Binding::Poisoned),
            syn::Pat::Tuple(t) => t.elems.iter().for_each(|p| self.poison_let(p)),
            _ => {}
        }
    }

    fn lower_expr_stmt(&mut self, e: &syn::Expr, has_semicolon: bool) -> syn::Result<()> {
        match e {
            syn::Expr::Assign(a) => self.lower_assignment(&a.left, None, &a.right),
            syn::Expr::Binary(b) if compound_op(&b.op).is_some() => {
                self.lower_assignment(&b.left, compound_op(&b.op), &b.right)
            }
            syn::Expr::If(i) => self.lower_if_stmt(i),
            syn::Expr::ForLoop(f) => self.lower_for(f),
            syn::Expr::While(w) => self.lower_while(w),
            syn::Expr::Loop(l) => self.lower_loop_stmt(l),
            syn::Expr::Block(b) if b.label.is_none() => {
                let block = self.lower_scoped_block(&b.block.stmts)?;
                block.into_iter().for_each(|s| self.emit(s));
                Ok(())
            }
            syn::Expr::Return(r) => self.lower_return(r),
            syn::Expr::Call(c) => {
                if let Some(sync) = self.lower_sync_call(c) {
                    return sync;
                }
                match &*c.func {
                    syn::Expr::Path(path) => match self.called_function(path) {
                        Some(item) => self.lower_function_call(item, c, true).map(drop),
                        None => self.lower_value_stmt(e, has_semicolon),
                    },
                    _ => self.lower_value_stmt(e, has_semicolon),
                }
            }
            syn::Expr::MethodCall(m) if m.method == "store" => {
                match self.atomic_receiver(&m.receiver) {
                    Some(atomic) => self.lower_atomic_store(atomic?, m),
                    None => self.lower_value_stmt(e, has_semicolon),
                }
            }
            syn::Expr::Break(b) => self.lower_break(b),
            syn::Expr::Continue(c) => self.lower_continue(c),
            syn::Expr::Paren(p) => self.lower_expr_stmt(&p.expr, has_semicolon),
            // A value computed for nothing: lower it for its checks and its statements.
            syn::Expr::Lit(_)
            | syn::Expr::Path(_)
            | syn::Expr::Unary(_)
            | syn::Expr::Binary(_)
            | syn::Expr::Cast(_)
            | syn::Expr::Index(_)
            | syn::Expr::Field(_)
            | syn::Expr::MethodCall(_) => self.lower_value_stmt(e, has_semicolon),
            other => Err(unsupported_expr(other, &self.sig.name.to_string())),
        }
    }

    /// A value computed as a statement: lowered for its checks and its statements.
    fn lower_value_stmt(&mut self, e: &syn::Expr, has_semicolon: bool) -> syn::Result<()> {
        if !has_semicolon {
            let what = if self.sig.is_function {
                "this function"
            } else {
                "a kernel"
            };
            return Err(error(
                e.span(),
                format!("{what} returns nothing: end this expression with `;`"),
            ));
        }
        let value = self.lower_expr(e, None)?;
        if has_effects(&value) {
            // An atomic or a call done for its effect: evaluate it into a throwaway local.
            self.spill("unused", value);
        }
        Ok(())
    }

    fn lower_return(&mut self, r: &syn::ExprReturn) -> syn::Result<()> {
        match (&r.expr, self.sig.result) {
            (None, None) => {
                self.report_failure();
                self.emit(Statement::Return);
            }
            (Some(value), Some(ty)) => {
                let value = self.lower_expr_as(value, ty)?;
                self.emit(Statement::ReturnValue(value));
            }
            (Some(value), None) => {
                let what = if self.sig.is_function {
                    "this function"
                } else {
                    "a kernel"
                };
                return Err(error(
                    value.span(),
                    format!("{what} returns nothing: write `return;`"),
                ));
            }
            (None, Some(ty)) => {
                return Err(error(
                    r.span(),
                    format!("this function returns a `{ty}`: write `return value;`"),
                ));
            }
        }
        Ok(())
    }
}

fn unreachable_tuple(pat: &syn::Pat) -> syn::Result<()> {
    Err(error(
        pat.span(),
        "a tuple type needs a tuple pattern or value",
    ))
}

/// True when evaluating `e` changes memory (an atomic or a device-function call).
fn has_effects(e: &dpex_spirv::ir::Expr) -> bool {
    use dpex_spirv::ir::ExprKind;
    matches!(e.kind, ExprKind::Atomic { .. } | ExprKind::Call { .. })
        || e.operands().into_iter().any(has_effects)
}
