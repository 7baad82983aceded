//! Lowers assignments: `x = v`, `t.0 = v`, `y[i] = v`, `acc[k] = v` and the compound forms
//! `x += v`, `y[i] *= v`, ...

use super::checks::{guarded_read, BoundsCheck};
use super::expr::operator_applies;
use super::memory::is_simple;
use super::{error, read_local, Binding, Lowerer};
use dpex_spirv::ir::{BinaryOp, Expr, LocalId, Memory, Scalar, Statement};
use syn::spanned::Spanned;

/// Where an assignment writes.
enum Place {
    /// A mutable scalar local.
    Local { id: LocalId, ty: Scalar },
    /// An element of a writable tensor, array or local memory.
    Element {
        memory: Memory,
        elem: Scalar,
        index: Expr,
        check: Option<Box<BoundsCheck>>,
    },
}

impl Place {
    fn ty(&self) -> Scalar {
        match self {
            Place::Local { ty, .. } => *ty,
            Place::Element { elem, .. } => *elem,
        }
    }

    /// The place's current value (0 for an element a failed check skips).
    fn read(&self) -> Expr {
        match self {
            Place::Local { id, ty } => read_local(*id, *ty),
            Place::Element {
                memory,
                elem,
                index,
                check,
            } => guarded_read(check.as_deref(), *memory, *elem, index.clone()),
        }
    }
}

impl Lowerer<'_> {
    /// Lowers `target = value` (`op` is `None`) or `target op= value`.
    pub(crate) fn lower_assignment(
        &mut self,
        target: &syn::Expr,
        op: Option<BinaryOp>,
        value: &syn::Expr,
    ) -> syn::Result<()> {
        let place = self.lower_place(target)?;
        // An index used twice (`y[i] += v` reads and writes y[i]) is computed once.
        let place = match place {
            Place::Element {
                memory,
                elem,
                index,
                check,
            } if op.is_some() && !is_simple(&index) => {
                let index = self.spill("index", index);
                Place::Element {
                    memory,
                    elem,
                    index,
                    check,
                }
            }
            other => other,
        };
        let ty = place.ty();
        let new_value = match op {
            None => self.lower_assigned(target, value, ty)?,
            Some(op) if op.is_shift() => {
                let amount = self.lower_expr(value, None)?;
                if !ty.is_int() || !amount.ty.is_int() {
                    return Err(error(value.span(), "shifts take integers"));
                }
                Expr::binary(ty, op, place.read(), amount)
            }
            Some(op) => {
                let operand = self.lower_assigned(target, value, ty)?;
                if !operator_applies(op, ty) {
                    return Err(error(
                        target.span(),
                        format!("this compound assignment cannot be applied to `{ty}`"),
                    ));
                }
                let current = place.read();
                self.checked_binary(ty, op, current, operand)
            }
        };
        match place {
            Place::Local { id, .. } => self.emit(Statement::Assign {
                local: id,
                value: new_value,
            }),
            Place::Element {
                memory,
                index,
                check,
                ..
            } => {
                let store = Statement::StoreElement {
                    memory,
                    index,
                    value: new_value,
                };
                self.guarded_store(check.as_deref(), store);
            }
        }
        Ok(())
    }

    /// Lowers the value assigned to `target` (of type `ty`). When `target`'s type comes only
    /// from a literal-initialized `let` (`let mut n = 0; n += len;`), a value of another type of
    /// the same kind settles that `let`'s type, as rustc infers it.
    fn lower_assigned(
        &mut self,
        target: &syn::Expr,
        value: &syn::Expr,
        ty: Scalar,
    ) -> syn::Result<Expr> {
        let lowered = self.lower_expr(value, Some(ty))?;
        let found = lowered.ty;
        let same_kind = (found.is_int() && ty.is_int()) || (found.is_float() && ty.is_float());
        if found != ty
            && same_kind
            && self.provisional_site(value).is_none()
            && self.provisional_site(target).is_some()
        {
            return Err(self.mismatch(target, ty, found, || {
                format!(
                    "mismatched types: expected `{ty}`, found `{found}`: convert with `as {ty}`"
                )
            }));
        }
        self.expect_type(value, &lowered, ty)?;
        Ok(lowered)
    }

    fn lower_place(&mut self, target: &syn::Expr) -> syn::Result<Place> {
        match target {
            syn::Expr::Paren(p) => self.lower_place(&p.expr),
            syn::Expr::Index(i) => {
                let element = self.lower_element_ref(i)?;
                let memory = element.memory;
                if !memory.writable || element.shared_row {
                    return Err(self.read_only_error(&memory, element.shared_row, &i.expr));
                }
                Ok(Place::Element {
                    memory: memory.memory,
                    elem: memory.elem,
                    index: element.index,
                    check: element.check.map(Box::new),
                })
            }
            syn::Expr::Path(_) | syn::Expr::Field(_) => {
                let name = quote::quote!(#target).to_string().replace(' ', "");
                match self.place_binding(target) {
                    Ok(Binding::Local { id, ty, mutable: true, .. }) => Ok(Place::Local { id, ty }),
                    Ok(Binding::Local { .. } | Binding::Param { .. }) => Err(error(
                        target.span(),
                        if matches!(target, syn::Expr::Path(_)) {
                            format!("cannot assign twice to immutable variable `{name}`: declare it `let mut {name}` (or `mut {name}` as a parameter)")
                        } else {
                            format!("cannot assign to `{name}`: declare the tuple with `let mut`")
                        },
                    )),
                    Ok(Binding::Tensor { .. }) => Err(error(
                        target.span(),
                        format!("a tensor parameter cannot be reassigned: write into its elements, `{name}[i] = ...`"),
                    )),
                    Ok(Binding::Array { .. }) => Err(error(
                        target.span(),
                        format!("arrays are assigned element by element: `{name}[i] = ...`"),
                    )),
                    Ok(Binding::Tuple(_)) => Err(error(
                        target.span(),
                        format!("tuples are assigned field by field: `{name}.0 = ...`"),
                    )),
                    Ok(Binding::Row(_)) => Err(error(
                        target.span(),
                        format!("a row is assigned element by element: `{name}[j] = ...`"),
                    )),
                    Ok(Binding::Item | Binding::Group | Binding::SubGroup | Binding::Atomic(_)) => {
                        Err(error(target.span(), format!("`{name}` cannot be assigned")))
                    }
                    Ok(Binding::LocalParam { .. } | Binding::WorkgroupArray { .. }) => Err(error(
                        target.span(),
                        format!("local memory is assigned element by element: `{name}[i] = ...`"),
                    )),
                    Ok(Binding::Poisoned) => Err(error(target.span(), format!("cannot find `{name}` in this kernel"))),
                    Err(e) => Err(e),
                }
            }
            other => Err(error(
                other.span(),
                "only variables (`x = ...`), tuple fields (`t.0 = ...`) and elements of tensors and \
                 arrays (`y[i] = ...`) can be assigned in kernels",
            )),
        }
    }
}
