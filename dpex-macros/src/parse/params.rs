//! Reads kernel and device-function parameters: the work-item `Item<N>`, scalars by value and
//! tensors by reference.

use super::{ParamDecl, ParamDeclKind, TypeNames};
use dpex_spirv::ir::{Access, Scalar};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, Ident, Pat, PathArguments, Type};

/// Whose parameters are read: the messages name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    /// A `#[kernel]`.
    Kernel,
    /// A device function (`#[dpex::func]` or a function nested in a kernel).
    Function,
}

impl Owner {
    /// `kernel` / `device-function`, as in "a kernel parameter".
    fn adjective(self) -> &'static str {
        match self {
            Owner::Kernel => "kernel",
            Owner::Function => "device-function",
        }
    }

    /// `a kernel` / `a device function`.
    fn noun(self) -> &'static str {
        match self {
            Owner::Kernel => "a kernel",
            Owner::Function => "a device function",
        }
    }
}

pub(super) fn param_name(input: &FnArg, owner: Owner) -> syn::Result<(&Pat, &Type)> {
    match input {
        FnArg::Receiver(r) => Err(syn::Error::new_spanned(
            r,
            format!("{} is a free function: remove `self`", owner.noun()),
        )),
        FnArg::Typed(t) => Ok((&t.pat, &t.ty)),
    }
}

/// The work-item parameter: its name, dimensions, and whether it is an `NdItem`.
pub(super) fn parse_item_param(input: &FnArg) -> syn::Result<(Option<Ident>, u32, bool)> {
    let (pat, ty) = param_name(input, Owner::Kernel)?;
    let help = "a kernel's first parameter must be the work-item index: write `item: Item<1>` \
                (or `Item<2>`, `Item<3>`), or `it: NdItem<1>` for an ND-range kernel";
    let nd_range = is_nd_item(ty);
    let dims = match item_dims(ty) {
        Some(Ok(d)) => d,
        Some(Err(e)) => return Err(e),
        None => return Err(syn::Error::new_spanned(ty, help)),
    };
    let name = match pat {
        Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p.ident.clone()),
        Pat::Wild(_) => None,
        other => {
            return Err(syn::Error::new_spanned(
                other,
                "write a plain name for the work-item parameter, e.g. `item`",
            ))
        }
    };
    Ok((name, dims, nd_range))
}

/// True when `ty` is `NdItem<..>`.
pub(super) fn is_nd_item(ty: &Type) -> bool {
    matches!(ty, Type::Path(tp) if tp.path.segments.last().is_some_and(|s| s.ident == "NdItem"))
}

/// `Some(dims)` when `ty` is `Item<N>`; `None` when it is not an `Item` at all.
pub(super) fn item_dims(ty: &Type) -> Option<syn::Result<u32>> {
    let Type::Path(tp) = ty else { return None };
    let last = tp.path.segments.last()?;
    if last.ident != "Item" && last.ident != "NdItem" {
        return None;
    }
    Some(const_dims(last).ok_or_else(|| {
        syn::Error::new_spanned(
            ty,
            "a work-item index has 1, 2 or 3 dimensions: write `Item<1>`, `Item<2>` or `Item<3>` \
             (or `NdItem<..>`)",
        )
    }))
}

/// `Some(dims)` when `ty` is `Group<N>`; `None` when it is not a `Group` at all.
pub(super) fn group_dims(ty: &Type) -> Option<syn::Result<u32>> {
    let Type::Path(tp) = ty else { return None };
    let last = tp.path.segments.last()?;
    (last.ident == "Group").then(|| {
        const_dims(last).ok_or_else(|| {
            syn::Error::new_spanned(
                ty,
                "a work-group has 1, 2 or 3 dimensions: write `Group<1>`, `Group<2>` or `Group<3>`",
            )
        })
    })
}

/// The `N` (1 to 3) of `Item<N>`, `NdItem<N>` or `Group<N>`.
fn const_dims(last: &syn::PathSegment) -> Option<u32> {
    let dims = match &last.arguments {
        PathArguments::AngleBracketed(a) if a.args.len() == 1 => match &a.args[0] {
            GenericArgument::Const(syn::Expr::Lit(l)) => match &l.lit {
                syn::Lit::Int(i) => i.base10_parse::<u32>().ok(),
                _ => None,
            },
            GenericArgument::Type(Type::Path(p)) => {
                p.path.get_ident().and_then(|i| i.to_string().parse().ok())
            }
            _ => None,
        },
        _ => None,
    };
    dims.filter(|d| (1..=3).contains(d))
}

pub(super) fn parse_param(
    input: &FnArg,
    types: &TypeNames,
    owner: Owner,
) -> syn::Result<ParamDecl> {
    let (pat, ty) = param_name(input, owner)?;
    let (name, mutable) = match pat {
        Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
            (p.ident.clone(), p.mutability.is_some())
        }
        other => {
            return Err(syn::Error::new_spanned(
                other,
                format!(
                    "{} parameters must be plain names: write `name: Type`",
                    owner.adjective()
                ),
            ))
        }
    };
    if item_dims(ty).is_some() {
        return Err(syn::Error::new_spanned(
            ty,
            "only the first parameter can be the work-item index `Item<N>` / `NdItem<N>`",
        ));
    }
    let kind =
        match ty {
            Type::Reference(r) if is_named(&r.elem, "LocalAccessor") => {
                let (elem, dims) = local_accessor_args(&r.elem, types)?;
                let written = dpex_abi::local_accessor_type(elem, dims as usize);
                return Err(syn::Error::new_spanned(
                    ty,
                    format!(
                        "take the local accessor by value: write `{name}: {written}` (it is a \
                         handle to the work-group's memory; writes through it are the group's)"
                    ),
                ));
            }
            Type::Reference(r) => {
                let (elem, dims) = tensor_elem(&r.elem, types, owner)?;
                let access = if r.mutability.is_some() {
                    Access::ReadWrite
                } else {
                    Access::Read
                };
                ParamDeclKind::Tensor { elem, access, dims }
            }
            other if is_named(other, "LocalAccessor") => {
                let (elem, dims) = local_accessor_args(other, types)?;
                ParamDeclKind::Local { elem, dims }
            }
            other => match types.scalar(other) {
                Some(s) => ParamDeclKind::Scalar(s),
                None if is_tensor(other) => return Err(syn::Error::new_spanned(
                    other,
                    "pass tensors by reference: write `&Tensor<T>` to read or `&mut Tensor<T>` \
                     to write",
                )),
                None => return Err(unsupported_param_type(other, owner)),
            },
        };
    if mutable && matches!(kind, ParamDeclKind::Tensor { .. }) {
        return Err(syn::Error::new_spanned(
            pat,
            "a tensor parameter cannot be `mut`: write `x: &mut Tensor<T>` to write into it",
        ));
    }
    Ok(ParamDecl {
        name,
        mutable,
        kind,
        ty: ty.clone(),
    })
}

fn is_tensor(ty: &Type) -> bool {
    matches!(ty, Type::Path(tp) if tp.path.segments.last().is_some_and(|s| s.ident == "Tensor"))
}

/// True when `ty`'s last path segment is `name`.
fn is_named(ty: &Type, name: &str) -> bool {
    matches!(ty, Type::Path(tp) if tp.path.segments.last().is_some_and(|s| s.ident == name))
}

/// The element type `T` and the number of axes `N` (1 when not written, up to 3) of
/// `LocalAccessor<T>` / `LocalAccessor<T, N>`.
fn local_accessor_args(ty: &Type, types: &TypeNames) -> syn::Result<(Scalar, u32)> {
    let args = match ty {
        Type::Path(tp) => match tp.path.segments.last().map(|s| &s.arguments) {
            Some(PathArguments::AngleBracketed(a)) if (1..=2).contains(&a.args.len()) => {
                Some(&a.args)
            }
            _ => None,
        },
        _ => None,
    };
    let elem = match args.map(|a| &a[0]) {
        Some(GenericArgument::Type(t)) => types.scalar(t),
        _ => None,
    };
    let elem = match elem {
        Some(Scalar::Bool) | None => {
            return Err(syn::Error::new_spanned(
                ty,
                "write a numeric element type, e.g. `LocalAccessor<f32>` (or `LocalAccessor<f32, 2>` for two axes)",
            ))
        }
        Some(s) => s,
    };
    let dims = match args.and_then(|a| a.get(1)) {
        None => 1,
        Some(GenericArgument::Const(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }))) => match i.base10_parse::<u32>() {
            Ok(d @ 1..=3) => d,
            _ => {
                return Err(syn::Error::new_spanned(
                    i,
                    "a local accessor has 1, 2 or 3 axes: write `LocalAccessor<f32>`, `LocalAccessor<f32, 2>` or `LocalAccessor<f32, 3>`",
                ))
            }
        },
        Some(other) => {
            return Err(syn::Error::new_spanned(
                other,
                "write the number of axes as an integer literal: `LocalAccessor<f32, 2>`",
            ))
        }
    };
    Ok((elem, dims))
}

/// The element type and number of axes of `Tensor<T>` / `Tensor<T, N>`.
fn tensor_elem(ty: &Type, types: &TypeNames, owner: Owner) -> syn::Result<(Scalar, u32)> {
    let not_tensor = || {
        syn::Error::new_spanned(
            ty,
            format!(
                "{} parameters taken by reference must be tensors: write `&Tensor<f32>` or \
                 `&mut Tensor<f32>` (scalars are passed by value)",
                owner.adjective()
            ),
        )
    };
    let Type::Path(tp) = ty else {
        return Err(not_tensor());
    };
    let Some(last) = tp.path.segments.last() else {
        return Err(not_tensor());
    };
    if last.ident != "Tensor" {
        return Err(not_tensor());
    }
    let help = "write the element type and, for more than one axis, their number: `Tensor<f32>`, \
                `Tensor<f32, 2>` (up to 4 axes)";
    let (elem_ty, dims) = match &last.arguments {
        PathArguments::AngleBracketed(a) if (1..=2).contains(&a.args.len()) => {
            let GenericArgument::Type(t) = &a.args[0] else {
                return Err(syn::Error::new_spanned(&a.args[0], help));
            };
            let dims = match a.args.get(1) {
                None => 1,
                Some(GenericArgument::Const(syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(i),
                    ..
                }))) => match i.base10_parse::<u32>() {
                    Ok(d @ 1..=4) => d,
                    _ => return Err(syn::Error::new_spanned(i, help)),
                },
                Some(other) => return Err(syn::Error::new_spanned(other, help)),
            };
            (t, dims)
        }
        _ => return Err(syn::Error::new_spanned(last, help)),
    };
    let elem = match types.scalar(elem_ty) {
        Some(Scalar::Bool) => Err(syn::Error::new_spanned(
            elem_ty,
            "tensors of `bool` are not supported: use `Tensor<u8>` holding 0 or 1",
        )),
        Some(s) => Ok(s),
        None => Err(syn::Error::new_spanned(
            elem_ty,
            "tensor elements must be a numeric scalar type: i8, i16, i32, i64, isize, u8, u16, \
             u32, u64, usize, f16, f32 or f64",
        )),
    }?;
    Ok((elem, dims))
}

fn unsupported_param_type(ty: &Type, owner: Owner) -> syn::Error {
    let takers = match owner {
        Owner::Kernel => "kernels",
        Owner::Function => "device functions",
    };
    syn::Error::new(
        ty.span(),
        format!(
            "`{}` cannot be a {} parameter: {takers} take scalars by value (bool, i8..i64, \
             isize, u8..u64, usize, f16, f32, f64), `&Tensor<T>` and `&mut Tensor<T>`",
            type_text(ty),
            owner.adjective()
        ),
    )
}

/// A type as the user would write it (`Box<f32>`, not `Box < f32 >`).
fn type_text(ty: &Type) -> String {
    quote::quote!(#ty)
        .to_string()
        .replace(" < ", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("& ", "&")
}
