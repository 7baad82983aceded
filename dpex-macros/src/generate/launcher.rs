//! The unit type named after a kernel, with its embedded instances and typed launch methods.

use super::Instance;
use crate::lower::bound_tokens;
use crate::parse::ParamDeclKind;
use dpex_abi::opencl::Arg;
use dpex_abi::vulkan::Slot;
use dpex_spirv::ir::{Access, Scalar};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use syn::ItemFn;

/// The kernel's unit type and its methods. `instances` has one entry per instantiation (one
/// for a non-generic kernel).
pub(crate) fn launcher(kernel: &ItemFn, instances: &[Instance]) -> TokenStream {
    let Some(first) = instances.first() else {
        return TokenStream::new();
    };
    let sig = &first.sig;
    let name = &sig.name;
    let vis = &kernel.vis;
    let docs = kernel.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let dims = sig.dims as usize;
    let generics = &kernel.sig.generics;
    let (range_type, local) = if sig.nd_range {
        let local = quote!(::core::option::Option::Some(&range.local()[..]));
        (quote!(::dpex::NdRange<#dims>), local)
    } else {
        (
            quote!(::dpex::Range<#dims>),
            quote!(::core::option::Option::None),
        )
    };
    let specs = instances.iter().map(spec_tokens);
    // The proven variants, each its own static that its checked instance refers to.
    let proven_names: Vec<Option<proc_macro2::Ident>> = instances
        .iter()
        .enumerate()
        .map(|(n, i)| i.proven.as_ref().map(|_| format_ident!("PROVEN_{}", n)))
        .collect();
    let proven_statics = instances.iter().zip(&proven_names).filter_map(|(i, name)| {
        let spec = spec_tokens(i.proven.as_deref()?);
        let name = name.as_ref()?;
        Some(quote!(static #name: ::dpex::__private::KernelSpec = #spec;))
    });
    let proven_refs = proven_names.iter().map(|name| match name {
        Some(name) => quote!(::core::option::Option::Some(&#name)),
        None => quote!(::core::option::Option::None),
    });
    let keys = instances.iter().map(|i| {
        let dtypes = i.sig.types.generic().iter().map(|(_, s)| dtype_tokens(*s));
        quote!(&[#(#dtypes),*])
    });
    let key_of_launch = generics.type_params().map(|t| {
        let t = &t.ident;
        quote!(<#t as ::dpex::Element>::DTYPE)
    });
    let arg_types: Vec<TokenStream> = sig.params.iter().map(launch_arg_type).collect();
    let arg_names: Vec<_> = (0..sig.params.len())
        .map(|i| format_ident!("__dpex_arg{}", i))
        .collect();
    let arg_values = sig
        .params
        .iter()
        .zip(&arg_names)
        .map(|(p, a)| match p.kind {
            ParamDeclKind::Scalar(Scalar::Bool)
            | ParamDeclKind::Tensor { .. }
            | ParamDeclKind::Local { .. } => {
                quote!(::dpex::__private::KernelArg::from(#a))
            }
            ParamDeclKind::Scalar(_) => quote!(::dpex::__private::KernelArg::scalar(#a)),
        });
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
    let count = instances.len();
    let layouts = instances.iter().map(|i| i.contiguous);
    let has_tensors = sig
        .params
        .iter()
        .any(|p| matches!(p.kind, ParamDeclKind::Tensor { .. }));
    let single = if generics.params.is_empty() {
        quote! {
            /// The kernel's build-time description: name, SPIR-V words and parameters.
            pub fn spec(&self) -> &'static ::dpex::__private::KernelSpec {
                &Self::instances()[0].2
            }

            /// The variant for C-contiguous tensors that leaves out the index checks a launch
            /// can prove (run when [`dpex::assumptions_hold`] for the launch), if the kernel has
            /// such checks.
            pub fn proven_spec(&self) -> ::core::option::Option<&'static ::dpex::__private::KernelSpec> {
                self.proven_spec_for(&[])
            }

            /// The SPIR-V module the macro emitted for this kernel.
            pub fn spirv(&self) -> &'static [u32] {
                self.spec().spirv
            }
        }
    } else {
        TokenStream::new()
    };
    quote! {
        #(#docs)*
        ///
        /// This is a dpex kernel: launch it with `launch` (on the queue of its tensor
        /// arguments) or `launch_on` (on a queue you name), and with `launch_after` or
        /// `launch_on_after` after other launches (their events).
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug)]
        #vis struct #name;

        impl #name {
            /// Every compiled variant: element types of the type parameters, whether it assumes
            /// C-contiguous tensors, its description, and the variant of it that leaves out the
            /// checks a launch can prove.
            #[allow(clippy::type_complexity)]
            fn instances() -> &'static [(&'static [::dpex::__private::DType], bool, ::dpex::__private::KernelSpec, ::core::option::Option<&'static ::dpex::__private::KernelSpec>); #count] {
                #(#proven_statics)*
                static INSTANCES: [(&[::dpex::__private::DType], bool, ::dpex::__private::KernelSpec, ::core::option::Option<&'static ::dpex::__private::KernelSpec>); #count] =
                    [#((#keys, #layouts, #specs, #proven_refs)),*];
                &INSTANCES
            }

            /// The variant for C-contiguous tensors and the given element types of the type
            /// parameters, in order (no types for a kernel without type parameters).
            pub fn spec_for(&self, types: &[::dpex::__private::DType]) -> ::core::option::Option<&'static ::dpex::__private::KernelSpec> {
                self.spec_for_layout(types, true)
            }

            /// The variant for the given element types that assumes C-contiguous tensor views
            /// (`contiguous`) or honours any strides.
            pub fn spec_for_layout(&self, types: &[::dpex::__private::DType], contiguous: bool) -> ::core::option::Option<&'static ::dpex::__private::KernelSpec> {
                self.variants_for_layout(types, contiguous).map(|(spec, _)| spec)
            }

            /// The variant for C-contiguous tensors and the given element types of the type
            /// parameters that leaves out the index checks a launch can prove (run when
            /// [`dpex::assumptions_hold`] for the launch), if the kernel has such checks.
            pub fn proven_spec_for(&self, types: &[::dpex::__private::DType]) -> ::core::option::Option<&'static ::dpex::__private::KernelSpec> {
                self.proven_spec_for_layout(types, true)
            }

            /// As [`Self::proven_spec_for`], for C-contiguous tensor views (`contiguous`) or
            /// views of any strides.
            pub fn proven_spec_for_layout(&self, types: &[::dpex::__private::DType], contiguous: bool) -> ::core::option::Option<&'static ::dpex::__private::KernelSpec> {
                self.variants_for_layout(types, contiguous).and_then(|(_, proven)| proven)
            }

            /// As [`Self::spec_for_layout`], with the variant that leaves out the checks a launch
            /// can prove, if there is one.
            fn variants_for_layout(&self, types: &[::dpex::__private::DType], contiguous: bool) -> ::core::option::Option<(&'static ::dpex::__private::KernelSpec, ::core::option::Option<&'static ::dpex::__private::KernelSpec>)> {
                Self::instances()
                    .iter()
                    .find(|(key, layout, _, _)| *key == types && (*layout == contiguous || !#has_tensors))
                    .map(|(_, _, spec, proven)| (spec, *proven))
            }

            #single

            /// Launches the kernel over `range` on the queue its tensor arguments live on
            /// ("compute follows data"); returns once the launch is enqueued.
            #[doc = #signature_doc]
            pub fn launch #generics (
                &self,
                range: #range_type,
                args: (#(#arg_types,)*),
            ) -> ::dpex::Result<::dpex::Event> {
                self.launch_with(::core::option::Option::None, &[], range, args)
            }

            /// Launches the kernel over `range` on `queue`; tensor arguments must live on its
            /// device. Kernels without tensor arguments are launched this way.
            #[doc = #signature_doc]
            pub fn launch_on #generics (
                &self,
                queue: &::dpex::Queue,
                range: #range_type,
                args: (#(#arg_types,)*),
            ) -> ::dpex::Result<::dpex::Event> {
                self.launch_with(::core::option::Option::Some(queue), &[], range, args)
            }

            /// As [`launch`](Self::launch), but the kernel starts only after every launch in
            /// `wait_for` has completed (SYCL's `depends_on`, a CUDA event wait): how launches
            /// that use each other's results are ordered on an out-of-order queue
            /// (`QueueOptions::out_of_order`).
            #[doc = #signature_doc]
            pub fn launch_after #generics (
                &self,
                wait_for: &[&::dpex::Event],
                range: #range_type,
                args: (#(#arg_types,)*),
            ) -> ::dpex::Result<::dpex::Event> {
                self.launch_with(::core::option::Option::None, wait_for, range, args)
            }

            /// As [`launch_on`](Self::launch_on), after every launch in `wait_for` (see
            /// [`launch_after`](Self::launch_after)).
            #[doc = #signature_doc]
            pub fn launch_on_after #generics (
                &self,
                queue: &::dpex::Queue,
                wait_for: &[&::dpex::Event],
                range: #range_type,
                args: (#(#arg_types,)*),
            ) -> ::dpex::Result<::dpex::Event> {
                self.launch_with(::core::option::Option::Some(queue), wait_for, range, args)
            }

            fn launch_with #generics (
                &self,
                queue: ::core::option::Option<&::dpex::Queue>,
                wait_for: &[&::dpex::Event],
                range: #range_type,
                args: (#(#arg_types,)*),
            ) -> ::dpex::Result<::dpex::Event> {
                let types: &[::dpex::__private::DType] = &[#(#key_of_launch),*];
                let (#(#arg_names,)*) = args;
                let args = [#(#arg_values),*];
                let contiguous = ::dpex::__private::all_c_contiguous(&args);
                let (spec, proven) = self.variants_for_layout(types, contiguous).ok_or_else(|| ::dpex::Error::NoInstance {
                    kernel: ::std::string::String::from(::core::stringify!(#name)),
                    types: types.iter().map(|t| t.name()).collect::<::std::vec::Vec<_>>().join(", "),
                })?;
                match proven {
                    ::core::option::Option::Some(proven) => ::dpex::__private::launch_best(&[proven, spec], &range.global(), #local, queue, &args, wait_for),
                    ::core::option::Option::None => ::dpex::__private::launch_after(spec, &range.global(), #local, queue, &args, wait_for),
                }
            }
        }
    }
}

/// The `KernelSpec` of one instance.
fn spec_tokens(instance: &Instance) -> TokenStream {
    let sig = &instance.sig;
    let name = syn::ext::IdentExt::unraw(&sig.name).to_string();
    let dims = sig.dims as usize;
    let words = instance.words.iter().map(|w| Literal::u32_unsuffixed(*w));
    let hash = Literal::u64_suffixed(dpex_spirv::spirv_hash(&instance.words));
    let f = instance.features;
    let needed = [
        (f.fp64, "Fp64"),
        (f.fp16, "Fp16"),
        (f.int64_atomics, "Int64Atomics"),
        (f.sub_groups, "SubGroups"),
    ];
    let requires = needed.into_iter().filter(|(n, _)| *n).map(|(_, name)| {
        let variant = format_ident!("{}", name);
        quote!(::dpex::__private::Feature::#variant)
    });
    let build_options = if instance.fast_math {
        "-cl-fast-relaxed-math"
    } else {
        ""
    };
    let reports_errors = instance.reports_errors;
    let static_local_bytes = Literal::usize_unsuffixed(
        usize::try_from(instance.static_local_bytes).unwrap_or(usize::MAX),
    );
    let assumes = instance.assumes.iter().map(|(index, limit)| {
        let (index, limit) = (bound_tokens(index), bound_tokens(limit));
        quote!(::dpex::__private::Obligation { index: #index, limit: #limit })
    });
    let params = sig.params.iter().map(|p| {
        let pname = p.name.to_string();
        let kind = match p.kind {
            ParamDeclKind::Scalar(s) => {
                let dtype = dtype_tokens(s);
                quote!(::dpex::__private::ParamSpecKind::Scalar(#dtype))
            }
            ParamDeclKind::Tensor { elem, access, dims } => {
                let dtype = dtype_tokens(elem);
                let writable = access == Access::ReadWrite;
                let dims = dims as usize;
                quote!(::dpex::__private::ParamSpecKind::Tensor { elem: #dtype, writable: #writable, dims: #dims })
            }
            ParamDeclKind::Local { elem, dims } => {
                let dtype = dtype_tokens(elem);
                let dims = dims as usize;
                quote!(::dpex::__private::ParamSpecKind::Local { elem: #dtype, dims: #dims })
            }
        };
        quote!(::dpex::__private::ParamSpec { name: #pname, kind: #kind })
    });
    let opencl = opencl_tokens(&instance.opencl);
    let vulkan = vulkan_tokens(&instance.vulkan);
    quote! {
        ::dpex::__private::KernelSpec {
            name: #name,
            dims: #dims,
            spirv: &[#(#words),*],
            spirv_hash: #hash,
            params: &[#(#params),*],
            requires: &[#(#requires),*],
            static_local_bytes: #static_local_bytes,
            build_options: #build_options,
            reports_errors: #reports_errors,
            assumes: &[#(#assumes),*],
            opencl: #opencl,
            vulkan: #vulkan,
        }
    }
}

/// `KernelSpec::opencl`: the OpenCL module's interface as a constant expression.
fn opencl_tokens(interface: &dpex_abi::opencl::Interface) -> TokenStream {
    let args = interface.params.iter().map(|arg| match *arg {
        Arg::Scalar { index } => quote!(::dpex::__private::opencl::Arg::Scalar { index: #index }),
        Arg::Tensor { index, dims } => {
            quote!(::dpex::__private::opencl::Arg::Tensor { index: #index, dims: #dims })
        }
        Arg::Local { index, dims } => {
            quote!(::dpex::__private::opencl::Arg::Local { index: #index, dims: #dims })
        }
    });
    let error_record = option_tokens(interface.error_record);
    let count = interface.args;
    quote! {
        ::dpex::__private::opencl::Interface {
            params: ::std::borrow::Cow::Borrowed(&[#(#args),*]),
            error_record: #error_record,
            args: #count,
        }
    }
}

/// `Some(value)` or `None` as an expression.
fn option_tokens(value: Option<u32>) -> TokenStream {
    match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    }
}

/// `KernelSpec::vulkan`: the module, its hash and its interface as a constant expression, or
/// the reason the Vulkan flavour could not compile the kernel.
fn vulkan_tokens(vulkan: &Result<dpex_abi::vulkan::Module, String>) -> TokenStream {
    let module = match vulkan {
        Ok(module) => module,
        Err(reason) => return quote!(::core::result::Result::Err(#reason)),
    };
    let words = module.words.iter().map(|w| Literal::u32_unsuffixed(*w));
    let hash = Literal::u64_suffixed(module.hash);
    let interface = &module.interface;
    let block_words = interface.block_words;
    let range_word = interface.range_word;
    let slots = interface.params.iter().map(|slot| match *slot {
        Slot::Scalar { word } => quote!(::dpex::__private::vulkan::Slot::Scalar { word: #word }),
        Slot::Tensor { word, dims } => {
            quote!(::dpex::__private::vulkan::Slot::Tensor { word: #word, dims: #dims })
        }
        Slot::Local {
            spec_id,
            word,
            dims,
        } => {
            quote!(::dpex::__private::vulkan::Slot::Local { spec_id: #spec_id, word: #word, dims: #dims })
        }
    });
    let error_record_word = option_tokens(interface.error_record_word);
    quote! {
        ::core::result::Result::Ok(::dpex::__private::vulkan::Module {
            words: ::std::borrow::Cow::Borrowed(&[#(#words),*]),
            hash: #hash,
            interface: ::dpex::__private::vulkan::Interface {
                block_words: #block_words,
                range_word: #range_word,
                params: ::std::borrow::Cow::Borrowed(&[#(#slots),*]),
                error_record_word: #error_record_word,
            },
        })
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
            let args = super::host::tensor_type_args(&r.elem);
            match access {
                Access::Read => quote!(&::dpex::Tensor<#args>),
                Access::ReadWrite => quote!(&mut ::dpex::Tensor<#args>),
            }
        }
        (ParamDeclKind::Local { .. }, ty) => {
            let args = super::host::tensor_type_args(ty);
            quote!(::dpex::LocalAccessor<#args>)
        }
        (_, ty) => quote!(#ty),
    }
}
