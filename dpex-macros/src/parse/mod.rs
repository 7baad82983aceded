//! Reads the signature of a `#[kernel]` or a device function into a [`Signature`], rejecting
//! what kernels cannot take; [`generics`] lists the instantiations of a generic kernel.

mod generics;
mod options;
mod params;
mod types;

pub(crate) use generics::{instantiations, parameter_types};
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
    /// The name bound to the `Item<N>` parameter (`None` for `_`, and for device functions
    /// unless they take `it: &NdItem<N>` first).
    pub item: Option<Ident>,
    /// The name of a device function's first parameter when it is `g: &Group<N>`.
    pub group: Option<Ident>,
    /// The `N` of `Item<N>` / `NdItem<N>` / `Group<N>` (0 for device functions without one).
    pub dims: u32,
    /// True for an ND-range kernel (first parameter `NdItem<N>`, launched over an `NdRange`),
    /// and for a device function taking `&NdItem<N>` or `&Group<N>` first (callable from
    /// ND-range kernels only).
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
    /// `LocalAccessor<T>` / `LocalAccessor<T, N>`: work-group local memory sized at launch,
    /// `dims` = N, 1 to 3. A kernel declares it; a device function takes one of the kernel's
    /// by value (a handle: its writes are the work-group's).
    Local { elem: Scalar, dims: u32 },
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
        Context {
            item,
            group: None,
            dims,
            nd_range,
        },
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
    let mut inputs = sig.inputs.iter().peekable();
    let context = match inputs.peek().map(|input| parse_context_param(input)) {
        Some(Some(Ok(context))) => {
            inputs.next();
            context
        }
        Some(Some(Err(e))) => {
            inputs.next();
            errors.push(e);
            Context::default()
        }
        _ => Context::default(),
    };
    let params = parse_params(inputs, types, Owner::Function, &mut errors);
    finish(func, context, params, result, true, types, errors)
}

/// What a signature's work-item (or work-group) parameter gives its body.
#[derive(Default)]
struct Context {
    item: Option<Ident>,
    group: Option<Ident>,
    dims: u32,
    nd_range: bool,
}

/// A device function's first parameter when it is `it: &NdItem<N>` or `g: &Group<N>`.
fn parse_context_param(input: &syn::FnArg) -> Option<syn::Result<Context>> {
    let syn::FnArg::Typed(t) = input else {
        return None;
    };
    let (is_group, dims, referent) = match &*t.ty {
        Type::Reference(r) if r.mutability.is_none() => match params::group_dims(&r.elem) {
            Some(dims) => (true, dims, &*r.elem),
            None => (false, params::item_dims(&r.elem)?, &*r.elem),
        },
        ty => {
            let what = if params::group_dims(ty).is_some() {
                "Group"
            } else {
                params::item_dims(ty)?.ok()?;
                "NdItem"
            };
            return Some(Err(syn::Error::new_spanned(
                ty,
                format!("a device function takes the work-item by reference: write `&{what}<N>`"),
            )));
        }
    };
    let dims = match dims {
        Ok(d) => d,
        Err(e) => return Some(Err(e)),
    };
    let name = match &*t.pat {
        syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident.clone(),
        other => {
            return Some(Err(syn::Error::new_spanned(
                other,
                "write a plain name for this parameter, e.g. `it`",
            )))
        }
    };
    if !is_group && !params::is_nd_item(referent) {
        return Some(Err(syn::Error::new_spanned(
            &t.ty,
            "a device function can take the work-item of an ND-range kernel (`&NdItem<N>`) or its \
             work-group (`&Group<N>`), not an `Item`: pass the ids it needs as `usize`s",
        )));
    }
    let (item, group) = if is_group {
        (None, Some(name))
    } else {
        (Some(name), None)
    };
    Some(Ok(Context {
        item,
        group,
        dims,
        nd_range: true,
    }))
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
    context: Context,
    params: Vec<ParamDecl>,
    result: Option<Scalar>,
    is_function: bool,
    types: &TypeNames,
    mut errors: Vec<syn::Error>,
) -> syn::Result<Signature> {
    let Context {
        item,
        group,
        dims,
        nd_range,
    } = context;
    let mut seen: Vec<&Ident> = item.iter().chain(&group).collect();
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
            group,
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
