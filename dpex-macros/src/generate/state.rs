//! The state a kernel's expansion carries while it gathers the `#[dpex::func]` items it calls.
//!
//! A proc macro sees only its own item, so `#[dpex::func] fn f` also defines a hidden
//! `f::__dpex_func!` macro holding f's tokens. A kernel that calls `f` expands to
//! `f::__dpex_func! { <state> }`, which expands to `::dpex::__kernel_step! { <state> func: {f} }`:
//! the kernel's expansion resumes with f's source added, and repeats for every function still
//! missing. Tokens keep their spans through this, so errors point into the functions' source.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{braced, bracketed, Ident, ItemFn, Token};

/// A kernel and the device functions gathered so far.
pub(crate) struct KernelState {
    /// The `#[kernel(...)]` arguments.
    pub attr: TokenStream,
    /// The kernel function.
    pub kernel: ItemFn,
    /// `#[dpex::func]` functions gathered so far.
    pub funcs: Vec<ItemFn>,
}

impl KernelState {
    /// The state as tokens, to pass through a function's `__dpex_func!` macro.
    pub(crate) fn to_tokens(&self) -> TokenStream {
        let attr = &self.attr;
        let kernel = &self.kernel;
        let funcs = &self.funcs;
        quote!(attr: [#attr] kernel: { #kernel } funcs: [ #({ #funcs })* ])
    }
}

fn keyword(input: ParseStream, name: &str) -> syn::Result<()> {
    let ident: Ident = input.parse()?;
    if ident != name {
        return Err(syn::Error::new(ident.span(), format!("expected `{name}`")));
    }
    input.parse::<Token![:]>()?;
    Ok(())
}

impl Parse for KernelState {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        keyword(input, "attr")?;
        let attr_content;
        bracketed!(attr_content in input);
        let attr: TokenStream = attr_content.parse()?;
        keyword(input, "kernel")?;
        let kernel_content;
        braced!(kernel_content in input);
        let kernel: ItemFn = kernel_content.parse()?;
        keyword(input, "funcs")?;
        let funcs_content;
        bracketed!(funcs_content in input);
        let mut funcs = Vec::new();
        while !funcs_content.is_empty() {
            let func;
            braced!(func in funcs_content);
            funcs.push(func.parse()?);
        }
        if !input.is_empty() {
            keyword(input, "func")?;
            let func;
            braced!(func in input);
            funcs.push(func.parse()?);
        }
        Ok(KernelState {
            attr,
            kernel,
            funcs,
        })
    }
}

/// The hidden module `#[dpex::func]` adds next to function `func`: its `__dpex_func!` macro
/// hands the function's tokens to a kernel's expansion.
pub(crate) fn func_carrier(func: &ItemFn) -> TokenStream {
    let name = &func.sig.ident;
    let vis = &func.vis;
    let body = TokenTree::Group(Group::new(Delimiter::Brace, quote!(#func)));
    let doc =
        format!("Carries the source of the device function `{name}` to the kernels that call it.");
    quote! {
        #[doc = #doc]
        #[doc(hidden)]
        #[allow(non_snake_case, unused_imports, unused_macros)]
        #vis mod #name {
            macro_rules! __dpex_func {
                ($($state:tt)*) => {
                    ::dpex::__kernel_step! { $($state)* func: #body }
                };
            }
            pub(crate) use __dpex_func;
        }
    }
}
