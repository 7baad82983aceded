//! Writes what a `#[kernel]` expands to: the embedded SPIR-V and parameter list, a unit type
//! named after the kernel with typed `launch`/`launch_on` methods, and a hidden host copy of
//! the function that rustc type-checks.

mod host;

use crate::lower::lower_kernel;
use crate::parse::{parse_signature, KernelSignature, ParamDeclKind};
use dpex_spirv::ir::{self, Access, Scalar};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use syn::ItemFn;

/// Expands `#[kernel]` (with arguments `attr`) on `item`.
pub(crate) fn kernel(attr: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            let e = syn::Error::new(
                e.span(),
                "#[kernel] goes on a function: `#[kernel] fn name(item: Item<1>, ...) { ... }`",
            );
            let error = e.to_compile_error();
            return quote!(#error #item);
        }
    };
    let mut errors = Vec::new();
    if !attr.is_empty() {
        errors.push(syn::Error::new_spanned(
            &attr,
            "#[kernel] takes no arguments yet: write `#[kernel]`",
        ));
    }
    let sig = match parse_signature(&func) {
        Ok(sig) => sig,
        Err(e) => {
            errors.push(e);
            return crate::parse::combine(errors)
                .map(|e| e.to_compile_error())
                .unwrap_or_default();
        }
    };
    let words = lower_kernel(&sig, &func.block).and_then(|k| emit(&sig, k));
    match (words, crate::parse::combine(errors)) {
        (Ok(words), None) => {
            let host = host::host_copy(&func, &sig);
            let launcher = launcher(&func, &sig, &words);
            quote!(#host #launcher)
        }
        // The launcher is still generated (with no SPIR-V: `compile_error!` stops the build
        // anyway) so that call sites do not add errors of their own; the host copy is not, so
        // that rustc does not repeat the errors reported here.
        (Ok(_), Some(e)) | (Err(e), None) => {
            let launcher = launcher(&func, &sig, &[]);
            let e = e.to_compile_error();
            quote!(#e #launcher)
        }
        (Err(mut e), Some(rest)) => {
            e.combine(rest);
            let launcher = launcher(&func, &sig, &[]);
            let e = e.to_compile_error();
            quote!(#e #launcher)
        }
    }
}

/// Emits the kernel's SPIR-V. An emitter error here is a bug in dpex, reported at the name.
fn emit(sig: &KernelSignature, kernel: ir::Kernel) -> syn::Result<Vec<u32>> {
    let module = ir::Module {
        functions: Vec::new(),
        kernels: vec![kernel],
    };
    dpex_spirv::emit_opencl(&module, &dpex_spirv::Options::default()).map_err(|e| {
        syn::Error::new(
            sig.name.span(),
            format!("internal error in dpex: the SPIR-V emitter rejected this kernel ({e}); please report it"),
        )
    })
}

/// The unit type named after the kernel and its launch methods.
fn launcher(func: &ItemFn, sig: &KernelSignature, words: &[u32]) -> TokenStream {
    let name = &sig.name;
    let vis = &func.vis;
    let docs = func.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let name_str = name.to_string();
    let dims = sig.dims as usize;
    let word_literals = words.iter().map(|w| Literal::u32_unsuffixed(*w));
    let hash = Literal::u64_suffixed(dpex_spirv::spirv_hash(words));
    let param_specs = sig.params.iter().map(|p| {
        let pname = p.name.to_string();
        let kind = match p.kind {
            ParamDeclKind::Scalar(s) => {
                let dtype = dtype_tokens(s);
                quote!(::dpex::__private::ParamSpecKind::Scalar(#dtype))
            }
            ParamDeclKind::Tensor { elem, access } => {
                let dtype = dtype_tokens(elem);
                let writable = access == Access::ReadWrite;
                quote!(::dpex::__private::ParamSpecKind::Tensor {
                    elem: #dtype,
                    writable: #writable,
                })
            }
        };
        quote!(::dpex::__private::ParamSpec { name: #pname, kind: #kind })
    });
    let arg_types: Vec<TokenStream> = sig.params.iter().map(launch_arg_type).collect();
    let arg_names: Vec<_> = (0..sig.params.len())
        .map(|i| format_ident!("__dpex_arg{}", i))
        .collect();
    let signature_doc = format!(
        "Arguments, in order: {}.",
        sig.params
            .iter()
            .map(|p| {
                let ty = &p.ty;
                format!("`{}: {}`", p.name, quote!(#ty))
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    quote! {
        #(#docs)*
        ///
        /// This is a dpex kernel: launch it with `launch` (on the queue of its tensor
        /// arguments) or `launch_on` (on a queue you name).
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug)]
        #vis struct #name;

        impl #name {
            /// The kernel's build-time description: name, SPIR-V words and parameters.
            pub fn spec(&self) -> &'static ::dpex::__private::KernelSpec {
                static SPEC: ::dpex::__private::KernelSpec = ::dpex::__private::KernelSpec {
                    name: #name_str,
                    dims: #dims,
                    spirv: &[#(#word_literals),*],
                    spirv_hash: #hash,
                    params: &[#(#param_specs),*],
                };
                &SPEC
            }

            /// The SPIR-V module the macro emitted for this kernel.
            pub fn spirv(&self) -> &'static [u32] {
                self.spec().spirv
            }

            /// Launches the kernel over `range` on the queue its tensor arguments live on
            /// ("compute follows data"); returns once the launch is enqueued.
            #[doc = #signature_doc]
            pub fn launch(
                &self,
                range: ::dpex::Range<#dims>,
                args: (#(#arg_types,)*),
            ) -> ::dpex::Result<::dpex::Event> {
                self.launch_with(::core::option::Option::None, range, args)
            }

            /// Launches the kernel over `range` on `queue`; tensor arguments must live on its
            /// device. Kernels without tensor arguments are launched this way.
            #[doc = #signature_doc]
            pub fn launch_on(
                &self,
                queue: &::dpex::Queue,
                range: ::dpex::Range<#dims>,
                args: (#(#arg_types,)*),
            ) -> ::dpex::Result<::dpex::Event> {
                self.launch_with(::core::option::Option::Some(queue), range, args)
            }

            fn launch_with(
                &self,
                queue: ::core::option::Option<&::dpex::Queue>,
                range: ::dpex::Range<#dims>,
                args: (#(#arg_types,)*),
            ) -> ::dpex::Result<::dpex::Event> {
                let (#(#arg_names,)*) = args;
                ::dpex::__private::launch(
                    self.spec(),
                    &range.global(),
                    queue,
                    &[#(::dpex::__private::KernelArg::from(#arg_names)),*],
                )
            }
        }
    }
}

/// The runtime's `DType` value for a scalar type.
fn dtype_tokens(scalar: Scalar) -> TokenStream {
    let variant = format_ident!("{}", format!("{scalar:?}"));
    quote!(::dpex::__private::DType::#variant)
}

/// The type a launch takes for one parameter: the scalar as declared, or a reference to a
/// runtime tensor.
fn launch_arg_type(p: &crate::parse::ParamDecl) -> TokenStream {
    match (&p.kind, &p.ty) {
        (ParamDeclKind::Tensor { access, .. }, syn::Type::Reference(r)) => {
            let elem = host::tensor_elem_type(&r.elem);
            match access {
                Access::Read => quote!(&::dpex::Tensor<#elem>),
                Access::ReadWrite => quote!(&mut ::dpex::Tensor<#elem>),
            }
        }
        (_, ty) => quote!(#ty),
    }
}
