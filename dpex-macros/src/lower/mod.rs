//! Type-checks a kernel body and lowers it to `dpex_spirv::ir`, reporting errors at the user's
//! tokens.
//!
//! Typing follows rustc for the supported subset: operands of arithmetic and comparisons must
//! have one type, unsuffixed literals take the type their context asks for (else `i32` / `f64`),
//! indices are `usize`. Each statement is lowered on its own, so one bad statement does not hide
//! the errors in the next.

mod expr;
mod literal;
mod place;
mod stmt;
mod unsupported;

use crate::parse::{KernelSignature, ParamDeclKind};
use dpex_spirv::ir::{self, LocalId, ParamId, Scalar};
use proc_macro2::Span;
use syn::Ident;

/// What a name in scope refers to.
#[derive(Clone, Copy)]
pub(crate) enum Binding {
    /// The `Item<N>` parameter.
    Item,
    /// A scalar parameter that is never assigned (read straight from the argument).
    Param { id: ParamId, ty: Scalar },
    /// A tensor parameter.
    Tensor {
        id: ParamId,
        elem: Scalar,
        access: ir::Access,
    },
    /// A local variable (or a `mut` scalar parameter copied into one).
    Local {
        id: LocalId,
        ty: Scalar,
        mutable: bool,
    },
    /// A `let` whose initializer had an error (already reported): uses of the name are
    /// errors too, but they are not reported again.
    Poisoned,
}

/// The state of lowering one kernel body.
pub(crate) struct Lowerer<'s> {
    sig: &'s KernelSignature,
    locals: Vec<ir::Local>,
    /// Innermost scope last; each maps names to bindings, later entries shadowing earlier ones.
    scopes: Vec<Vec<(String, Binding)>>,
    /// How many loops enclose the statement being lowered.
    loop_depth: u32,
    /// Set when a poisoned name is used: the current statement's error is a consequence of an
    /// earlier one and is not reported.
    used_poisoned: std::cell::Cell<bool>,
}

/// Lowers the body of a kernel whose signature is `sig`.
pub(crate) fn lower_kernel(sig: &KernelSignature, body: &syn::Block) -> syn::Result<ir::Kernel> {
    let mut lowerer = Lowerer {
        sig,
        locals: Vec::new(),
        scopes: vec![Vec::new()],
        loop_depth: 0,
        used_poisoned: std::cell::Cell::new(false),
    };
    let mut prologue = Vec::new();
    if let Some(item) = &sig.item {
        lowerer.bind(item, Binding::Item);
    }
    let params = lowerer.bind_params(&mut prologue);
    let mut block = lowerer.lower_block_statements(&body.stmts)?;
    prologue.append(&mut block);
    Ok(ir::Kernel {
        name: sig.name.to_string(),
        dims: sig.dims,
        params,
        locals: lowerer.locals,
        body: prologue,
    })
}

impl Lowerer<'_> {
    /// Declares the IR parameters and binds their names; `mut` scalars get a local copy.
    fn bind_params(&mut self, prologue: &mut ir::Block) -> Vec<ir::Param> {
        let mut params = Vec::new();
        for (index, decl) in self.sig.params.iter().enumerate() {
            let id = ParamId(index as u32);
            let (kind, binding) = match decl.kind {
                ParamDeclKind::Scalar(ty) => (ir::ParamKind::Scalar(ty), Binding::Param { id, ty }),
                ParamDeclKind::Tensor { elem, access } => (
                    ir::ParamKind::Tensor { elem, access },
                    Binding::Tensor { id, elem, access },
                ),
            };
            params.push(ir::Param {
                name: decl.name.to_string(),
                kind,
            });
            match (decl.mutable, binding) {
                (true, Binding::Param { ty, .. }) => {
                    let local = self.new_local(&decl.name, ty);
                    prologue.push(ir::Statement::Assign {
                        local,
                        value: ir::Expr {
                            ty,
                            kind: ir::ExprKind::Param(id),
                        },
                    });
                    self.bind(
                        &decl.name,
                        Binding::Local {
                            id: local,
                            ty,
                            mutable: true,
                        },
                    );
                }
                _ => self.bind(&decl.name, binding),
            }
        }
        params
    }

    /// Adds a local variable named after `name` and returns its id.
    fn new_local(&mut self, name: &Ident, ty: Scalar) -> LocalId {
        self.new_hidden_local(&name.to_string(), ty)
    }

    /// Adds a local the user cannot name (loop counters, bounds).
    fn new_hidden_local(&mut self, name: &str, ty: Scalar) -> LocalId {
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(ir::Local {
            name: name.to_string(),
            ty,
        });
        id
    }

    fn bind(&mut self, name: &Ident, binding: Binding) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name.to_string(), binding));
        }
    }

    /// Looks a name up, innermost scope first. A poisoned name is reported as not found, and
    /// the error that follows is not reported (see [`Binding::Poisoned`]).
    fn lookup(&self, name: &Ident) -> Option<Binding> {
        let name = name.to_string();
        let found = self
            .scopes
            .iter()
            .rev()
            .flat_map(|scope| scope.iter().rev())
            .find(|(n, _)| *n == name)
            .map(|(_, b)| *b);
        if let Some(Binding::Poisoned) = found {
            self.used_poisoned.set(true);
            return None;
        }
        found
    }

    /// Runs `f` inside a new innermost scope.
    fn scoped<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.scopes.push(Vec::new());
        let out = f(self);
        self.scopes.pop();
        out
    }

    /// The name of a parameter, for messages.
    fn param_name(&self, id: ParamId) -> String {
        self.sig
            .params
            .get(id.0 as usize)
            .map(|p| p.name.to_string())
            .unwrap_or_default()
    }
}

/// An error at `span` with `message`.
pub(crate) fn error(span: Span, message: impl std::fmt::Display) -> syn::Error {
    syn::Error::new(span, message)
}

#[cfg(test)]
mod tests;
