//! The hidden host copy of a kernel: the user's function with its parameter types replaced by
//! `dpex::kernel_api` host types, so that rustc type-checks the body and IDEs see it. It can
//! never be called (`Item<N>` has no values).

use crate::parse::Signature;
use proc_macro2::TokenStream;
use quote::quote;
use syn::{FnArg, ItemFn, PathArguments, Type};

/// The host copy, wrapped in an anonymous `const` so that it adds no name to the module.
pub(crate) fn host_copy(func: &ItemFn, sig: &Signature) -> TokenStream {
    let mut host = func.clone();
    host.attrs.retain(|a| !a.path().is_ident("doc"));
    let dims = sig.dims as usize;
    if let Some(FnArg::Typed(item)) = host.sig.inputs.first_mut() {
        *item.ty = if sig.nd_range {
            syn::parse_quote!(::dpex::kernel_api::NdItem<#dims>)
        } else {
            syn::parse_quote!(::dpex::kernel_api::Item<#dims>)
        };
    }
    use_kernel_types(&mut host);
    for stmt in &mut host.block.stmts {
        if let syn::Stmt::Item(syn::Item::Fn(nested)) = stmt {
            use_kernel_types(nested);
        }
    }
    let allow_unstable = allow_unstable_name_collisions();
    quote! {
        const _: () = {
            #[allow(dead_code, clippy::too_many_arguments)]
            #allow_unstable
            #host
        };
    }
}

/// `#[allow(unstable_name_collisions)]`: `x.gamma()` and `x.ln_gamma()` in a body call the
/// kernel `Float` trait's methods, as std's `f64::gamma` and `ln_gamma` are unstable
/// (`float_gamma`), and rustc warns that std may add them.
pub(crate) fn allow_unstable_name_collisions() -> syn::Attribute {
    syn::parse_quote!(#[allow(unstable_name_collisions)])
}

/// Gives `&Tensor<T>` / `&mut Tensor<T>` parameters the kernel-side type
/// `dpex::kernel_api::KernelTensor<T>`, which indexes like a slice, and `LocalAccessor<T, N>`
/// parameters (of a kernel or a device function) `mut` and the type
/// `dpex::kernel_api::KernelLocalAccessor<T, N>`, a `Copy` handle whose elements it writes.
pub(crate) fn use_kernel_types(func: &mut ItemFn) {
    for input in func.sig.inputs.iter_mut() {
        let FnArg::Typed(typed) = input else { continue };
        let is_local = matches!(&*typed.ty, syn::Type::Path(p)
            if p.path.segments.last().is_some_and(|s| s.ident == "LocalAccessor"));
        if is_local {
            let args = tensor_type_args(&typed.ty);
            *typed.ty = syn::parse_quote!(::dpex::kernel_api::KernelLocalAccessor<#args>);
            if let syn::Pat::Ident(p) = &mut *typed.pat {
                p.mutability = Some(Default::default());
            }
            continue;
        }
        let Type::Reference(r) = &*typed.ty else {
            continue;
        };
        let is_tensor = matches!(&*r.elem, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Tensor"));
        if !is_tensor {
            continue;
        }
        let args = tensor_type_args(&r.elem);
        *typed.ty = match r.mutability {
            None => syn::parse_quote!(&::dpex::kernel_api::KernelTensor<#args>),
            Some(_) => syn::parse_quote!(&mut ::dpex::kernel_api::KernelTensor<#args>),
        };
    }
}

/// The generic arguments of a written `Tensor<T, N>` (`T, N`), or the whole type when it has
/// none.
pub(crate) fn tensor_type_args(ty: &Type) -> TokenStream {
    if let Type::Path(tp) = ty {
        if let Some(last) = tp.path.segments.last() {
            if let PathArguments::AngleBracketed(a) = &last.arguments {
                let args = &a.args;
                return quote!(#args);
            }
        }
    }
    quote!(#ty)
}
