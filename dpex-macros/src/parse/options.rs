//! The arguments of `#[kernel(...)]`: `unchecked` (no bounds or division checks), `fast_math`
//! (the driver may use relaxed floating-point math) and `contract` (the driver may fuse
//! `a * b + c` into one rounding).

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Ident, Token};

/// What `#[kernel(...)]` asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct KernelOptions {
    /// `unchecked`: indices and integer divisions are not checked at run time.
    pub unchecked: bool,
    /// `fast_math`: the kernel is built with `-cl-fast-relaxed-math`.
    pub fast_math: bool,
    /// `contract`: the SPIR-V leaves out `ContractionOff`, so the driver may fuse `a * b + c`
    /// into one rounding (as OpenCL C does by default; Rust never does).
    pub contract: bool,
}

/// Reads `#[kernel(unchecked, fast_math, contract)]`'s arguments.
pub(crate) fn parse_options(attr: &TokenStream) -> syn::Result<KernelOptions> {
    let names = Punctuated::<Ident, Token![,]>::parse_terminated
        .parse2(attr.clone())
        .map_err(|e| {
            syn::Error::new(
                e.span(),
                "write `#[kernel]` or `#[kernel(...)]` with any of `unchecked`, `fast_math`, `contract`",
            )
        })?;
    let mut options = KernelOptions::default();
    for name in names {
        match name.to_string().as_str() {
            "unchecked" => options.unchecked = true,
            "fast_math" => options.fast_math = true,
            "contract" => options.contract = true,
            other => {
                return Err(syn::Error::new(
                    name.span(),
                    format!(
                    "unknown kernel option `{other}`: use `unchecked`, `fast_math` or `contract`"
                ),
                ))
            }
        }
    }
    Ok(options)
}
