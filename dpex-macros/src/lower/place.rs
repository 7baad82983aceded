//! Lowers assignments: `x = v`, `y[i] = v` and the compound forms `x += v`, `y[i] *= v`.

use super::expr::expect_type;
use super::{error, Binding, Lowerer};
use dpex_spirv::ir::{Access, BinaryOp, Expr, ExprKind, LocalId, ParamId, Scalar, Statement};
use syn::spanned::Spanned;

/// Where an assignment writes.
enum Place {
    /// A mutable local.
    Local { id: LocalId, ty: Scalar },
    /// An element of a writable tensor.
    Element {
        tensor: ParamId,
        elem: Scalar,
        index: Expr,
    },
}

impl Place {
    fn ty(&self) -> Scalar {
        match self {
            Place::Local { ty, .. } => *ty,
            Place::Element { elem, .. } => *elem,
        }
    }

    /// The place's current value.
    fn read(&self) -> Expr {
        match self {
            Place::Local { id, ty } => Expr {
                ty: *ty,
                kind: ExprKind::Local(*id),
            },
            Place::Element {
                tensor,
                elem,
                index,
            } => Expr {
                ty: *elem,
                kind: ExprKind::Load {
                    tensor: *tensor,
                    index: Box::new(index.clone()),
                },
            },
        }
    }

    /// The statement writing `value` to the place.
    fn write(self, value: Expr) -> Statement {
        match self {
            Place::Local { id, .. } => Statement::Assign { local: id, value },
            Place::Element { tensor, index, .. } => Statement::Store {
                tensor,
                index,
                value,
            },
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
    ) -> syn::Result<Statement> {
        let place = self.lower_place(target)?;
        let ty = place.ty();
        let new_value = match op {
            None => self.lower_expr_as(value, ty)?,
            Some(op) if op.is_shift() => {
                let amount = self.lower_expr(value, None)?;
                if !ty.is_int() || !amount.ty.is_int() {
                    return Err(error(value.span(), "shifts take integers"));
                }
                Expr::binary(ty, op, place.read(), amount)
            }
            Some(op) => {
                let operand = self.lower_expr(value, Some(ty))?;
                expect_type(value, &operand, ty)?;
                let allowed = match op {
                    BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => !ty.is_float(),
                    _ => ty.is_numeric(),
                };
                if !allowed {
                    return Err(error(
                        target.span(),
                        format!("this compound assignment cannot be applied to `{ty}`"),
                    ));
                }
                Expr::binary(ty, op, place.read(), operand)
            }
        };
        Ok(place.write(new_value))
    }

    fn lower_place(&mut self, target: &syn::Expr) -> syn::Result<Place> {
        match target {
            syn::Expr::Paren(p) => self.lower_place(&p.expr),
            syn::Expr::Path(p) => {
                let Some(ident) = p.path.get_ident() else {
                    return Err(error(p.span(), "only local variables and tensor elements can be assigned"));
                };
                match self.lookup(ident) {
                    Some(Binding::Local { id, ty, mutable: true }) => Ok(Place::Local { id, ty }),
                    Some(Binding::Local { .. }) | Some(Binding::Param { .. }) => Err(error(
                        ident.span(),
                        format!("cannot assign twice to immutable variable `{ident}`: declare it `let mut {ident}` (or `mut {ident}` as a parameter)"),
                    )),
                    Some(Binding::Tensor { .. }) => Err(error(
                        ident.span(),
                        format!("a tensor parameter cannot be reassigned: write into its elements, `{ident}[i] = ...`"),
                    )),
                    Some(Binding::Item) => Err(error(ident.span(), "the work-item parameter cannot be assigned")),
                    Some(Binding::Poisoned) | None => Err(error(ident.span(), format!("cannot find `{ident}` in this kernel"))),
                }
            }
            syn::Expr::Index(i) => {
                let (tensor, elem, access) = self.tensor_operand(&i.expr)?;
                if access == Access::Read {
                    let name = self.param_name(tensor);
                    return Err(error(
                        i.expr.span(),
                        format!("`{name}` is read-only: declare the parameter `{name}: &mut Tensor<{elem}>` to write into it"),
                    ));
                }
                let index = self.lower_index_value(&i.index)?;
                Ok(Place::Element { tensor, elem, index })
            }
            other => Err(error(
                other.span(),
                "only local variables (`x = ...`) and tensor elements (`y[i] = ...`) can be assigned in kernels",
            )),
        }
    }
}
