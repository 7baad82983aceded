//! Types of `let`s initialized from literals alone, inferred from their later uses as rustc
//! does (`let mut n = 0; ...; n += len` makes `n` a `usize`).
//!
//! Such a `let` first takes the literal's default type (`i32` / `f64`) and is marked with its
//! [`LetSite`]. When a later use needs another type of the same kind (integer or float) and the
//! mismatching value's type comes only from such a `let`, the lowerer records the type the use
//! wants and lowering starts over with it. Each restart settles one more `let`, so it ends.

use super::{Binding, Lowerer};
use dpex_spirv::ir::Scalar;

/// A `let` statement, by its position among the `let`s of the body in source order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct LetSite(pub u32);

impl Lowerer<'_> {
    /// The site of the next literal-initialized `let`, and the type learned for it, if any.
    pub(crate) fn next_let_site(&mut self) -> (LetSite, Option<Scalar>) {
        let site = LetSite(self.next_let);
        self.next_let += 1;
        (site, self.let_types.get(&site).copied())
    }

    /// The error for a value `e` of type `found` where `wanted` is needed. When `found` comes
    /// only from a literal-initialized `let` whose type is not settled, the lowerer learns
    /// `wanted` for that `let` instead (and the caller's lowering will be redone).
    pub(crate) fn mismatch(
        &mut self,
        e: &syn::Expr,
        found: Scalar,
        wanted: Scalar,
        message: impl FnOnce() -> String,
    ) -> syn::Error {
        let same_kind =
            (found.is_int() && wanted.is_int()) || (found.is_float() && wanted.is_float());
        if same_kind && self.learned.is_none() {
            if let Some(site) = self.provisional_site(e) {
                self.learned = Some((site, wanted));
            }
        }
        super::error(syn::spanned::Spanned::span(e), message())
    }

    /// The unsettled `let` whose type alone decides the type of `e`, if there is one.
    pub(crate) fn provisional_site(&self, e: &syn::Expr) -> Option<LetSite> {
        match e {
            syn::Expr::Path(p) => match self.lookup(p.path.get_ident()?)? {
                Binding::Local { site, .. } => site,
                _ => None,
            },
            syn::Expr::Index(i) => match &*i.expr {
                syn::Expr::Path(p) => match self.lookup(p.path.get_ident()?)? {
                    Binding::Array { site, .. } => site,
                    _ => None,
                },
                _ => None,
            },
            syn::Expr::Paren(p) => self.provisional_site(&p.expr),
            syn::Expr::Group(g) => self.provisional_site(&g.expr),
            syn::Expr::Unary(u) => self.provisional_site(&u.expr),
            syn::Expr::Binary(b) => {
                let left = self.provisional_site(&b.left);
                let right = self.provisional_site(&b.right);
                match (left, right) {
                    (Some(site), None) if super::expr::is_context_typed(&b.right) => Some(site),
                    (None, Some(site)) if super::expr::is_context_typed(&b.left) => Some(site),
                    (Some(site), Some(_)) => Some(site),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}
