//! Reads a `#[kernel]` function's signature into a [`KernelSignature`], rejecting what kernels
//! cannot take.

mod types;

pub(crate) use types::{scalar_of_name, scalar_of_type};

use dpex_spirv::ir::{Access, Scalar};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, Ident, ItemFn, Pat, PathArguments, ReturnType, Type};

/// The checked signature of a kernel.
pub(crate) struct KernelSignature {
    /// The function's name.
    pub name: Ident,
    /// The name bound to the `Item<N>` parameter (`None` for `_`).
    pub item: Option<Ident>,
    /// The `N` of `Item<N>`.
    pub dims: u32,
    /// The parameters after the item, in order.
    pub params: Vec<ParamDecl>,
}

/// One kernel parameter after the `Item<N>`.
pub(crate) struct ParamDecl {
    /// The parameter's name.
    pub name: Ident,
    /// Whether it was declared `mut` (scalars only).
    pub mutable: bool,
    /// What is passed.
    pub kind: ParamDeclKind,
    /// The declared type, as written.
    pub ty: Type,
}

/// How a parameter is passed, as the macro sees it.
#[derive(Clone, Copy)]
pub(crate) enum ParamDeclKind {
    /// A scalar by value.
    Scalar(Scalar),
    /// `&Tensor<T>` or `&mut Tensor<T>`.
    Tensor { elem: Scalar, access: Access },
}

/// Parses and checks the signature; collects every problem into one error.
pub(crate) fn parse_signature(func: &ItemFn) -> syn::Result<KernelSignature> {
    let sig = &func.sig;
    let mut errors: Vec<syn::Error> = Vec::new();
    reject_signature_modifiers(sig, &mut errors);

    let mut inputs = sig.inputs.iter();
    let (item, dims) = match inputs.next() {
        Some(first) => match parse_item_param(first) {
            Ok(found) => found,
            Err(e) => {
                errors.push(e);
                (None, 1)
            }
        },
        None => {
            errors.push(syn::Error::new(
                sig.paren_token.span.join(),
                "a kernel's first parameter must be the work-item index: write `item: Item<1>` \
                 (or `Item<2>`, `Item<3>`)",
            ));
            (None, 1)
        }
    };

    let mut params = Vec::new();
    for input in inputs {
        match parse_param(input) {
            Ok(p) => params.push(p),
            Err(e) => errors.push(e),
        }
    }
    let mut seen: Vec<&Ident> = item.iter().collect();
    for p in &params {
        if seen.contains(&&p.name) {
            errors.push(syn::Error::new(
                p.name.span(),
                format!("parameter `{}` is declared twice", p.name),
            ));
        }
        seen.push(&p.name);
    }
    match combine(errors) {
        Some(e) => Err(e),
        None => Ok(KernelSignature {
            name: sig.ident.clone(),
            item,
            dims,
            params,
        }),
    }
}

/// Folds several errors into one that reports them all.
pub(crate) fn combine(errors: Vec<syn::Error>) -> Option<syn::Error> {
    errors.into_iter().reduce(|mut all, e| {
        all.combine(e);
        all
    })
}

fn reject_signature_modifiers(sig: &syn::Signature, errors: &mut Vec<syn::Error>) {
    if let Some(t) = &sig.constness {
        errors.push(syn::Error::new(
            t.span,
            "a kernel cannot be `const`: remove `const`",
        ));
    }
    if let Some(t) = &sig.asyncness {
        errors.push(syn::Error::new(
            t.span,
            "a kernel cannot be `async`: remove `async`",
        ));
    }
    if let Some(t) = &sig.unsafety {
        errors.push(syn::Error::new(
            t.span,
            "`unsafe fn` kernels are not supported: remove `unsafe`",
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            "a kernel cannot declare an ABI: remove it",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "generic kernels are not supported yet: use concrete types such as `f32`",
        ));
    }
    if let Some(v) = &sig.variadic {
        errors.push(syn::Error::new_spanned(v, "a kernel cannot be variadic"));
    }
    if let ReturnType::Type(_, ty) = &sig.output {
        errors.push(syn::Error::new_spanned(
            ty,
            "a kernel returns nothing: write results into a `&mut Tensor<T>` parameter",
        ));
    }
}

fn param_name(input: &FnArg) -> syn::Result<(&Pat, &Type)> {
    match input {
        FnArg::Receiver(r) => Err(syn::Error::new_spanned(
            r,
            "a kernel is a free function: remove `self`",
        )),
        FnArg::Typed(t) => Ok((&t.pat, &t.ty)),
    }
}

fn parse_item_param(input: &FnArg) -> syn::Result<(Option<Ident>, u32)> {
    let (pat, ty) = param_name(input)?;
    let help = "a kernel's first parameter must be the work-item index: write `item: Item<1>` \
                (or `Item<2>`, `Item<3>`)";
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
    Ok((name, dims))
}

/// `Some(dims)` when `ty` is `Item<N>`; `None` when it is not an `Item` at all.
fn item_dims(ty: &Type) -> Option<syn::Result<u32>> {
    let Type::Path(tp) = ty else { return None };
    let last = tp.path.segments.last()?;
    if last.ident != "Item" {
        return None;
    }
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
    Some(match dims {
        Some(d @ 1..=3) => Ok(d),
        _ => Err(syn::Error::new_spanned(
            ty,
            "a work-item index has 1, 2 or 3 dimensions: write `Item<1>`, `Item<2>` or `Item<3>`",
        )),
    })
}

fn parse_param(input: &FnArg) -> syn::Result<ParamDecl> {
    let (pat, ty) = param_name(input)?;
    let (name, mutable) = match pat {
        Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
            (p.ident.clone(), p.mutability.is_some())
        }
        other => {
            return Err(syn::Error::new_spanned(
                other,
                "kernel parameters must be plain names: write `name: Type`",
            ))
        }
    };
    if item_dims(ty).is_some() {
        return Err(syn::Error::new_spanned(
            ty,
            "only the first parameter can be the work-item index `Item<N>`",
        ));
    }
    let kind =
        match ty {
            Type::Reference(r) => {
                let elem = tensor_elem(&r.elem)?;
                let access = if r.mutability.is_some() {
                    Access::ReadWrite
                } else {
                    Access::Read
                };
                ParamDeclKind::Tensor { elem, access }
            }
            other => match scalar_of_type(other) {
                Some(s) => ParamDeclKind::Scalar(s),
                None if is_tensor(other) => return Err(syn::Error::new_spanned(
                    other,
                    "pass tensors by reference: write `&Tensor<T>` to read or `&mut Tensor<T>` \
                     to write",
                )),
                None => return Err(unsupported_param_type(other)),
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

fn tensor_elem(ty: &Type) -> syn::Result<Scalar> {
    let not_tensor = || {
        syn::Error::new_spanned(
            ty,
            "kernel parameters taken by reference must be tensors: write `&Tensor<f32>` or \
             `&mut Tensor<f32>` (scalars are passed by value)",
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
    let elem_ty = match &last.arguments {
        PathArguments::AngleBracketed(a) if a.args.len() == 1 => match &a.args[0] {
            GenericArgument::Type(t) => t,
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "write the element type, e.g. `Tensor<f32>`",
                ))
            }
        },
        _ => {
            return Err(syn::Error::new_spanned(
                last,
                "write one element type, e.g. `Tensor<f32>` (1-d tensors only for now)",
            ))
        }
    };
    match scalar_of_type(elem_ty) {
        Some(Scalar::Bool) => Err(syn::Error::new_spanned(
            elem_ty,
            "tensors of `bool` are not supported: use `Tensor<u8>` holding 0 or 1",
        )),
        Some(s) => Ok(s),
        None => Err(syn::Error::new_spanned(
            elem_ty,
            "tensor elements must be a numeric scalar type: i8, i16, i32, i64, isize, u8, u16, \
             u32, u64, usize, f32 or f64",
        )),
    }
}

fn unsupported_param_type(ty: &Type) -> syn::Error {
    syn::Error::new(
        ty.span(),
        format!(
            "`{}` cannot be a kernel parameter: kernels take scalars by value (bool, i8..i64, \
             isize, u8..u64, usize, f32, f64), `&Tensor<T>` and `&mut Tensor<T>`",
            quote::quote!(#ty)
        ),
    )
}
