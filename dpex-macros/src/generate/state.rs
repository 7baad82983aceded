//! The state a kernel's expansion carries while it gathers the `#[dpex::func]` items it calls
//! and the `#[dpex::constant]`s it names.
//!
//! A proc macro sees only its own item, so `#[dpex::func] fn f` also defines a hidden
//! `f::__dpex_func!` macro holding f's tokens. A kernel that calls `f` expands to
//! `f::__dpex_func! { <state> via: [f] }`, which expands to
//! `::dpex::__kernel_step! { <state> via: [f] func: {f} }`:
//! the kernel's expansion resumes with f's source added, and repeats for every function still
//! missing. Tokens keep their spans through this, so errors point into the functions' source.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{braced, bracketed, Ident, ItemConst, ItemFn, Path, Token};

/// A kernel and the device functions gathered so far.
pub(crate) struct KernelState {
    /// The `#[kernel(...)]` arguments.
    pub attr: TokenStream,
    /// The kernel function.
    pub kernel: ItemFn,
    /// `#[dpex::func]` functions gathered so far, each with the path (from the kernel's module)
    /// it was gathered through.
    pub funcs: Vec<(Path, ItemFn)>,
    /// The path of the function being gathered, while its carrier runs.
    pub via: Option<Path>,
    /// `#[dpex::constant]`s gathered so far.
    pub consts: Vec<ItemConst>,
}

impl KernelState {
    /// The state as tokens, to pass through a function's `__dpex_func!` macro.
    pub(crate) fn to_tokens(&self) -> TokenStream {
        let attr = &self.attr;
        let kernel = &self.kernel;
        let paths = self.funcs.iter().map(|(p, _)| p);
        let funcs = self.funcs.iter().map(|(_, f)| f);
        let consts = &self.consts;
        let via = self.via.as_ref().map(|p| quote!(via: [#p]));
        quote!(attr: [#attr] kernel: { #kernel } funcs: [ #([#paths] { #funcs })* ] consts: [ #({ #consts })* ] #via)
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

/// `name: [ {item} {item} ... ]`.
fn braced_items<T: Parse>(input: ParseStream, name: &str) -> syn::Result<Vec<T>> {
    keyword(input, name)?;
    let content;
    bracketed!(content in input);
    let mut items = Vec::new();
    while !content.is_empty() {
        let item;
        braced!(item in content);
        items.push(item.parse()?);
    }
    Ok(items)
}

/// `funcs: [ [path] {item} [path] {item} ... ]`.
fn gathered_funcs(input: ParseStream) -> syn::Result<Vec<(Path, ItemFn)>> {
    keyword(input, "funcs")?;
    let content;
    bracketed!(content in input);
    let mut funcs = Vec::new();
    while !content.is_empty() {
        let (path, item);
        bracketed!(path in content);
        braced!(item in content);
        funcs.push((path.parse()?, item.parse()?));
    }
    Ok(funcs)
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
        let mut funcs = gathered_funcs(input)?;
        let mut consts: Vec<ItemConst> = braced_items(input, "consts")?;
        if !input.is_empty() {
            let what: Ident = input.fork().parse()?;
            let item;
            if what == "constant" {
                keyword(input, "constant")?;
                braced!(item in input);
                consts.push(item.parse()?);
            } else {
                keyword(input, "via")?;
                let path;
                bracketed!(path in input);
                let path: Path = path.parse()?;
                keyword(input, "func")?;
                braced!(item in input);
                funcs.push((path, item.parse()?));
            }
        }
        Ok(KernelState {
            attr,
            kernel,
            funcs,
            via: None,
            consts,
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

/// The hidden macro `#[dpex::constant]` adds next to constant `constant`: a `macro_rules!`
/// of the constant's own name (the macro namespace, so the name still means the constant in
/// expressions and generic arguments) that hands the constant's tokens to a kernel's expansion.
/// It is defined in a hidden module and imported from there, so that the import does not also
/// re-import the constant.
pub(crate) fn const_carrier(constant: &ItemConst) -> TokenStream {
    let name = &constant.ident;
    let vis = &constant.vis;
    let module = quote::format_ident!("__dpex_const_{}", name);
    let body = TokenTree::Group(Group::new(Delimiter::Brace, quote!(#constant)));
    let doc = format!("Carries the value of the constant `{name}` to the kernels that use it.");
    let import = match vis {
        syn::Visibility::Inherited => quote!(),
        _ => quote!(pub(crate)),
    };
    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case, unused_imports, unused_macros)]
        #vis mod #module {
            #[doc = #doc]
            macro_rules! #name {
                ($($state:tt)*) => {
                    ::dpex::__kernel_step! { $($state)* constant: #body }
                };
            }
            pub(crate) use #name;
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        #import use #module::#name;
    }
}
