//! Writes what `#[kernel]` and `#[dpex::func]` expand to: for a kernel, the embedded SPIR-V
//! of each instantiation, a unit type named after it with typed `launch`/`launch_on` methods,
//! and a hidden host copy that rustc type-checks; for a function, the function itself and the
//! carrier that hands its source to the kernels calling it ([`state`]).

mod collect;
mod host;
mod launcher;
mod state;

use crate::lower::{lower_module, path_key, Assumption, Checks, FunctionTable, Scope};
use crate::parse::{
    combine, instantiations, parse_function_signature, parse_options, parse_signature,
    KernelOptions, ParamDeclKind, Signature,
};
use dpex_spirv::ir;
use proc_macro2::TokenStream;
use quote::quote;
use state::KernelState;
use syn::ItemFn;

/// One instantiation of a kernel: its signature, SPIR-V (empty when the build has failed),
/// the device features it needs and the bytes of its fixed-size local arrays.
pub(crate) struct Instance {
    pub sig: Signature,
    pub words: Vec<u32>,
    /// How the parameters reach the OpenCL kernel, as the emitter declared them.
    pub opencl: dpex_abi::opencl::Interface,
    /// The Vulkan module, or why the Vulkan flavour of the emitter cannot compile the kernel.
    pub vulkan: Result<dpex_abi::vulkan::Module, String>,
    pub features: dpex_spirv::Features,
    pub static_local_bytes: u64,
    /// True for the variant that assumes C-contiguous tensor views.
    pub contiguous: bool,
    /// True when the kernel reports failed run-time checks through an error record.
    pub reports_errors: bool,
    /// True for `#[kernel(fast_math)]`.
    pub fast_math: bool,
    /// The index checks this variant leaves out (see `lower::bounds`); empty for all but a
    /// proven variant.
    pub assumes: Vec<Assumption>,
    /// For a checked variant of a safe kernel: the variant of the same layout that leaves out
    /// the checks a launch can prove, if there are any.
    pub proven: Option<Box<Instance>>,
}

/// Expands `#[kernel]` (with arguments `attr`) on `item`.
pub(crate) fn kernel(attr: TokenStream, item: TokenStream) -> TokenStream {
    match syn::parse2::<ItemFn>(item.clone()) {
        Ok(kernel) => expand(KernelState {
            attr,
            kernel,
            funcs: Vec::new(),
            via: None,
            consts: Vec::new(),
        }),
        Err(e) => {
            let e = syn::Error::new(
                e.span(),
                "#[kernel] goes on a function: `#[kernel] fn name(item: Item<1>, ...) { ... }`",
            );
            let error = e.to_compile_error();
            quote!(#error #item)
        }
    }
}

/// Resumes a kernel's expansion with one more gathered function (see [`state`]).
pub(crate) fn kernel_step(input: TokenStream) -> TokenStream {
    match syn::parse2::<KernelState>(input) {
        Ok(state) => expand(state),
        Err(e) => e.to_compile_error(),
    }
}

/// Expands `#[dpex::func]` on `item`: the function stays (with tensor and local-accessor
/// parameters typed as kernels see them), and a carrier is added.
pub(crate) fn func(attr: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            let e =
                syn::Error::new(e.span(), "#[dpex::func] goes on a function").to_compile_error();
            return quote!(#e #item);
        }
    };
    let mut errors = Vec::new();
    if !attr.is_empty() {
        errors.push(syn::Error::new_spanned(
            &attr,
            "#[dpex::func] takes no arguments: write `#[dpex::func]`",
        ));
    }
    match instantiations(&func.sig.generics) {
        Ok(all) => {
            if let Some(types) = all.first() {
                if let Err(e) = parse_function_signature(&func, types) {
                    errors.push(e);
                }
            }
        }
        Err(e) => errors.push(e),
    }
    let carrier = state::func_carrier(&func);
    let errors = combine(errors).map(|e| e.to_compile_error());
    // Tensor and local-accessor parameters take the kernel-side types, so that the body
    // type-checks the way kernels see it (and kernels' host copies can call it).
    let mut host = func;
    host::use_kernel_types(&mut host);
    host.attrs.push(host::allow_unstable_name_collisions());
    quote!(#errors #host #carrier)
}

/// Expands `#[dpex::constant]` on `item`: the constant stays, and a carrier is added that
/// hands its value to the kernels naming it.
pub(crate) fn constant(attr: TokenStream, item: TokenStream) -> TokenStream {
    let constant: syn::ItemConst = match syn::parse2(item.clone()) {
        Ok(c) => c,
        Err(e) => {
            let e = syn::Error::new(
                e.span(),
                "#[dpex::constant] goes on a constant: `#[dpex::constant] const TILE: usize = 16;`",
            )
            .to_compile_error();
            return quote!(#e #item);
        }
    };
    let error = (!attr.is_empty()).then(|| {
        syn::Error::new_spanned(
            &attr,
            "#[dpex::constant] takes no arguments: write `#[dpex::constant]`",
        )
        .to_compile_error()
    });
    let carrier = state::const_carrier(&constant);
    quote!(#error #constant #carrier)
}

/// Gathers the next missing function, or expands the kernel when none is missing.
fn expand(mut state: KernelState) -> TokenStream {
    let nested = collect::nested_functions(&state.kernel);
    let nested_names: Vec<String> = nested.iter().map(|f| f.sig.ident.to_string()).collect();
    let gathered: Vec<String> = state.funcs.iter().map(|(p, _)| path_key(p)).collect();
    let bodies: Vec<(&ItemFn, Scope)> = std::iter::once((&state.kernel, Scope::Kernel))
        .chain(state.funcs.iter().map(|(p, f)| (f, Scope::of_gathered(p))))
        .collect();
    let kernel_name = state.kernel.sig.ident.to_string();
    if let Some(path) = collect::first_missing_call(&bodies, &nested_names, &gathered, &kernel_name)
    {
        // `odd::f(x)` names the function `odd::f`: its carrier is `odd::f::__dpex_func!`.
        let mut carrier = path.clone();
        carrier.segments.push(syn::parse_quote!(__dpex_func));
        state.via = Some(path);
        let tokens = state.to_tokens();
        return quote!(#carrier! { #tokens });
    }
    let known_consts: Vec<String> = state.consts.iter().map(|c| c.ident.to_string()).collect();
    let bodies: Vec<&ItemFn> = bodies.into_iter().map(|(f, _)| f).collect();
    if let Some(name) = collect::first_missing_constant(&bodies, &known_consts) {
        // `TILE` names the constant: its carrier is the macro `TILE!`.
        let tokens = state.to_tokens();
        return quote!(#name! { #tokens });
    }
    build(&state, nested)
}

/// Type-checks, lowers and emits every instantiation of the kernel, then writes its items.
fn build(state: &KernelState, nested: Vec<ItemFn>) -> TokenStream {
    let kernel = &state.kernel;
    let mut errors = Vec::new();
    let options = match parse_options(&state.attr) {
        Ok(options) => options,
        Err(e) => {
            errors.push(e);
            KernelOptions::default()
        }
    };
    let all_types = match instantiations(&kernel.sig.generics) {
        Ok(all) => all,
        Err(e) => {
            errors.push(e);
            return combine(errors)
                .map(|e| e.to_compile_error())
                .unwrap_or_default();
        }
    };
    let mut instances = Vec::new();
    for types in &all_types {
        let sig = match parse_signature(kernel, types) {
            Ok(sig) => sig,
            Err(e) => {
                errors.push(e);
                return combine(errors)
                    .map(|e| e.to_compile_error())
                    .unwrap_or_default();
            }
        };
        let has_tensors = sig
            .params
            .iter()
            .any(|p| matches!(p.kind, ParamDeclKind::Tensor { .. }));
        let layouts: &[bool] = if has_tensors { &[true, false] } else { &[true] };
        let items = (&nested[..], &state.funcs[..], &state.consts[..]);
        let checks = if options.unchecked {
            Checks::Off
        } else {
            Checks::On
        };
        for &contiguous in layouts {
            match build_instance(&sig, kernel, items, contiguous, options, checks) {
                Ok(mut instance) => {
                    if checks == Checks::On {
                        let proven = Checks::UnlessProven;
                        match build_instance(&sig, kernel, items, contiguous, options, proven) {
                            Ok(p) if !p.assumes.is_empty() => instance.proven = Some(Box::new(p)),
                            Ok(_) => {}
                            Err(e) => errors.push(e),
                        }
                    }
                    instances.push(instance)
                }
                Err(e) => {
                    errors.push(e);
                    instances.push(Instance {
                        sig: sig.clone(),
                        words: Vec::new(),
                        opencl: dpex_abi::opencl::Interface::layout(&[], false),
                        vulkan: Err(String::new()),
                        features: dpex_spirv::Features::default(),
                        static_local_bytes: 0,
                        contiguous,
                        reports_errors: false,
                        fast_math: options.fast_math,
                        assumes: Vec::new(),
                        proven: None,
                    });
                    break;
                }
            }
        }
        if !errors.is_empty() {
            // Other instantiations would mostly repeat the same errors.
            break;
        }
    }
    let launcher = launcher::launcher(kernel, &instances);
    match combine(errors) {
        // Without the host copy rustc does not repeat the errors reported here; the launcher
        // (with no SPIR-V: the build stops anyway) keeps call sites from adding errors of theirs.
        Some(e) => {
            let e = e.to_compile_error();
            quote!(#e #launcher)
        }
        None => {
            let host = instances.first().map(|i| host::host_copy(kernel, &i.sig));
            quote!(#host #launcher)
        }
    }
}

/// What a kernel may name besides its own body: the functions nested in it, the gathered
/// `#[dpex::func]`s (with their paths) and the gathered `#[dpex::constant]`s.
type Items<'a> = (
    &'a [ItemFn],
    &'a [(syn::Path, ItemFn)],
    &'a [syn::ItemConst],
);

/// Lowers and emits one variant of one instantiation of `kernel`.
fn build_instance(
    sig: &Signature,
    kernel: &ItemFn,
    (nested, gathered, consts): Items,
    contiguous: bool,
    options: KernelOptions,
    checks: Checks,
) -> syn::Result<Instance> {
    let table =
        FunctionTable::new(nested.to_vec(), gathered.to_vec()).with_constants(consts.to_vec());
    let lowered = lower_module(sig, &kernel.block, &table, contiguous, checks)?;
    let mut module = lowered.module;
    dpex_spirv::proc::narrow_barrier_fences(&mut module);
    let features = dpex_spirv::required_features(&module);
    let static_local_bytes = module
        .kernels
        .iter()
        .flat_map(|k| &k.workgroup_arrays)
        .map(|a| u64::from(a.len) * u64::from(a.elem.bits() / 8))
        .sum();
    let reports_errors = module.kernels.iter().any(|k| k.reports_errors);
    let vulkan = emit_vulkan(&module, options.contract);
    let (words, opencl) = emit(sig, module, options.contract)?;
    Ok(Instance {
        sig: sig.clone(),
        words,
        opencl,
        vulkan,
        features,
        static_local_bytes,
        contiguous,
        reports_errors,
        fast_math: options.fast_math,
        assumes: lowered.assumes,
        proven: None,
    })
}

/// Emits a module's SPIR-V for Vulkan (`contraction`: `#[kernel(contract)]`), or says why the
/// Vulkan flavour cannot: the kernel then still builds, and a launch on a Vulkan device returns
/// that reason.
fn emit_vulkan(module: &ir::Module, contraction: bool) -> Result<dpex_abi::vulkan::Module, String> {
    let options = dpex_spirv::VulkanOptions { contraction };
    dpex_spirv::emit_vulkan(module, &options).map_err(|e| e.to_string())
}

/// Emits a module's SPIR-V for OpenCL (`contraction`: `#[kernel(contract)]`) and its kernel's
/// interface. An emitter error here is a bug in dpex, reported at the name.
fn emit(
    sig: &Signature,
    module: ir::Module,
    contraction: bool,
) -> syn::Result<(Vec<u32>, dpex_abi::opencl::Interface)> {
    let options = dpex_spirv::Options {
        contraction,
        ..dpex_spirv::Options::default()
    };
    let internal = |what: String| {
        syn::Error::new(
            sig.name.span(),
            format!("internal error in dpex: {what}; please report it"),
        )
    };
    let emitted = dpex_spirv::emit_opencl(&module, &options)
        .map_err(|e| internal(format!("the SPIR-V emitter rejected this kernel ({e})")))?;
    let [kernel] = &emitted.kernels[..] else {
        return Err(internal(format!(
            "the OpenCL module has {} kernels, not one",
            emitted.kernels.len()
        )));
    };
    Ok((emitted.words.into_owned(), kernel.interface.clone()))
}
