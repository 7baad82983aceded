//! The hidden host copy of a kernel: the user's function with its parameter types replaced by
//! `dpex::kernel_api` host types, so that rustc type-checks the body and IDEs see it. It can
//! never be called (`Item<N>` has no values).

use crate::parse::{ParamDeclKind, Signature};
use dpex_spirv::ir::Access;
use proc_macro2::TokenStream;
use quote::quote;
use syn::{FnArg, GenericArgument, ItemFn, PathArguments, Type};

/// The host copy, wrapped in an anonymous `const` so that it adds no name to the module.
pub(crate) fn host_copy(func: &ItemFn, sig: &Signature) -> TokenStream {
    let mut host = func.clone();
    host.attrs.retain(|a| !a.path().is_ident("doc"));
    let dims = sig.dims as usize;
    for (index, input) in host.sig.inputs.iter_mut().enumerate() {
        let FnArg::Typed(typed) = input else { continue };
        if index == 0 {
            *typed.ty = syn::parse_quote!(::dpex::kernel_api::Item<#dims>);
            continue;
        }
        let Some(decl) = sig.params.get(index - 1) else {
            continue;
        };
        if let (ParamDeclKind::Tensor { access, .. }, Type::Reference(r)) = (decl.kind, &decl.ty) {
            let elem = tensor_elem_type(&r.elem);
            *typed.ty = match access {
                Access::Read => syn::parse_quote!(&::dpex::kernel_api::KernelTensor<#elem>),
                Access::ReadWrite => {
                    syn::parse_quote!(&mut ::dpex::kernel_api::KernelTensor<#elem>)
                }
            };
        }
    }
    quote! {
        const _: () = {
            #[allow(dead_code, clippy::too_many_arguments)]
            #host
        };
    }
}

/// The `T` of a written `Tensor<T>` (the whole type when it has no such argument).
pub(crate) fn tensor_elem_type(ty: &Type) -> TokenStream {
    if let Type::Path(tp) = ty {
        if let Some(last) = tp.path.segments.last() {
            if let PathArguments::AngleBracketed(a) = &last.arguments {
                if let Some(GenericArgument::Type(t)) = a.args.first() {
                    return quote!(#t);
                }
            }
        }
    }
    quote!(#ty)
}
