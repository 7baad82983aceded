//! Reads the signature of a `#[kernel]` or a device function into a [`Signature`], rejecting
//! what kernels cannot take; [`generics`] lists the instantiations of a generic kernel.

mod generics;
mod options;
mod params;
mod types;

pub(crate) use generics::instantiations;
pub(crate) use options::{parse_options, KernelOptions};
pub(crate) use types::{scalar_of_name, TypeNames};

use dpex_spirv::ir::{Access, Scalar};
use params::{parse_item_param, parse_param, Owner};
use syn::{Ident, ItemFn, ReturnType, Type};

/// The checked signature of a kernel or a device function.
#[derive(Clone)]
pub(crate) struct Signature {
    /// The function's name.
    pub name: Ident,
    /// The name bound to the `Item<N>` parameter (`None` for `_` and for device functions).
    pub item: Option<Ident>,
    /// The `N` of `Item<N>` / `NdItem<N>` (0 for device functions).
    pub dims: u32,
    /// True for an ND-range kernel (first parameter `NdItem<N>`, launched over an `NdRange`).
    pub nd_range: bool,
    /// The parameters after the item, in order.
    pub params: Vec<ParamDecl>,
    /// The result type of a device function (`None` for `()` and for kernels).
    pub result: Option<Scalar>,
    /// True for a device function, false for a kernel.
    pub is_function: bool,
    /// The scalar types the body may name (generic parameters included).
    pub types: TypeNames,
}

/// One parameter after the `Item<N>`.
#[derive(Clone)]
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
    /// `&Tensor<T, N>` or `&mut Tensor<T, N>` (`dims` = N, 1 to 4).
    Tensor {
        elem: Scalar,
        access: Access,
        dims: u32,
    },
    /// `LocalAccessor<T>`: work-group local memory sized at launch (kernels only).
    Local { elem: Scalar },
}

/// Parses and checks a kernel's signature; collects every problem into one error.
pub(crate) fn parse_signature(func: &ItemFn, types: &TypeNames) -> syn::Result<Signature> {
    let sig = &func.sig;
    let mut errors: Vec<syn::Error> = Vec::new();
    reject_modifiers(sig, "a kernel", &mut errors);
    if let ReturnType::Type(_, ty) = &sig.output {
        errors.push(syn::Error::new_spanned(
            ty,
            "a kernel returns nothing: write results into a `&mut Tensor<T>` parameter",
        ));
    }
    let mut inputs = sig.inputs.iter();
    let first = inputs.next().map(parse_item_param);
    let item_kernel = matches!(first, Some(Ok((_, _, false))));
    let (item, dims, nd_range) = match first {
        Some(Ok(found)) => found,
        Some(Err(e)) => {
            errors.push(e);
            (None, 1, false)
        }
        None => {
            errors.push(syn::Error::new(
                sig.paren_token.span.join(),
                "a kernel's first parameter must be the work-item index: write `item: Item<1>` \
                 (or `Item<2>`, `Item<3>`)",
            ));
            (None, 1, false)
        }
    };
    let params = parse_params(inputs, types, Owner::Kernel, &mut errors);
    if item_kernel {
        let locals = params
            .iter()
            .filter(|p| matches!(p.kind, ParamDeclKind::Local { .. }));
        errors.extend(locals.map(|p| {
            syn::Error::new_spanned(
                &p.ty,
                "local memory needs work-groups: declare the kernel's first parameter \
                 `NdItem<N>` and launch it on an `NdRange`",
            )
        }));
    }
    finish(
        func,
        (item, dims, nd_range),
        params,
        None,
        false,
        types,
        errors,
    )
}

/// Parses and checks a device function's signature.
pub(crate) fn parse_function_signature(func: &ItemFn, types: &TypeNames) -> syn::Result<Signature> {
    let sig = &func.sig;
    let mut errors: Vec<syn::Error> = Vec::new();
    reject_modifiers(sig, "a device function", &mut errors);
    let result = match &sig.output {
        ReturnType::Default => None,
        ReturnType::Type(_, ty) if matches!(&**ty, Type::Tuple(t) if t.elems.is_empty()) => None,
        ReturnType::Type(_, ty) => match types.scalar(ty) {
            Some(s) => Some(s),
            None => {
                errors.push(syn::Error::new_spanned(
                    ty,
                    "device functions return a scalar (bool, i8..i64, isize, u8..u64, usize, f16, \
                     f32, f64) or nothing",
                ));
                None
            }
        },
    };
    let params = parse_params(sig.inputs.iter(), types, Owner::Function, &mut errors);
    if let Some(p) = params
        .iter()
        .find(|p| matches!(p.kind, ParamDeclKind::Local { .. }))
    {
        errors.push(syn::Error::new_spanned(
            &p.ty,
            "a device function cannot take a `LocalAccessor`: declare it on the kernel",
        ));
    }
    finish(func, (None, 0, false), params, result, true, types, errors)
}

fn parse_params<'a>(
    inputs: impl Iterator<Item = &'a syn::FnArg>,
    types: &TypeNames,
    owner: Owner,
    errors: &mut Vec<syn::Error>,
) -> Vec<ParamDecl> {
    let mut params = Vec::new();
    for input in inputs {
        match parse_param(input, types, owner) {
            Ok(p) => params.push(p),
            Err(e) => errors.push(e),
        }
    }
    params
}

fn finish(
    func: &ItemFn,
    (item, dims, nd_range): (Option<Ident>, u32, bool),
    params: Vec<ParamDecl>,
    result: Option<Scalar>,
    is_function: bool,
    types: &TypeNames,
    mut errors: Vec<syn::Error>,
) -> syn::Result<Signature> {
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
        None => Ok(Signature {
            name: func.sig.ident.clone(),
            item,
            dims,
            nd_range,
            params,
            result,
            is_function,
            types: types.clone(),
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

fn reject_modifiers(sig: &syn::Signature, what: &str, errors: &mut Vec<syn::Error>) {
    if let Some(t) = &sig.constness {
        errors.push(syn::Error::new(
            t.span,
            format!("{what} cannot be `const`: remove `const`"),
        ));
    }
    if let Some(t) = &sig.asyncness {
        errors.push(syn::Error::new(
            t.span,
            format!("{what} cannot be `async`: remove `async`"),
        ));
    }
    if let Some(t) = &sig.unsafety {
        errors.push(syn::Error::new(
            t.span,
            format!("{what} cannot be `unsafe fn`: remove `unsafe`"),
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            format!("{what} cannot declare an ABI: remove it"),
        ));
    }
    if let Some(v) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            v,
            format!("{what} cannot be variadic"),
        ));
    }
}
