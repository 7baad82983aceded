//! `#[kernel]`: checks a restricted Rust subset at `cargo build`, lowers it to SPIR-V and
//! generates a typed launcher.
//!
//! Pipeline: [`parse`] reads the signature, [`lower`] type-checks the body while turning it into
//! `dpex_spirv::ir`, `dpex_spirv::emit_opencl` produces the SPIR-V words and the kernel's OpenCL
//! interface (`emit_vulkan` the Vulkan module), and [`generate`] writes the items users link
//! against. Every problem is reported at the user's token; when there are
//! several, all are reported at once.

#![warn(missing_docs)]

#[cfg(test)]
mod fuzz;
mod generate;
mod lower;
mod parse;

use proc_macro::TokenStream;

/// Turns a Rust function into a dpex kernel.
///
/// The first parameter must be `Item<N>` (N = 1, 2 or 3); the others are scalars passed by
/// value (`bool`, `i8`..`i64`, `isize`, `u8`..`u64`, `usize`, `f32`, `f64`), `&Tensor<T>` (read)
/// or `&mut Tensor<T>` (read and write). The function becomes a value of a generated unit type
/// with `launch(Range<N>, (args...))` and `launch_on(&Queue, Range<N>, (args...))` methods.
/// See the crate documentation of `dpex` for the supported body subset.
#[proc_macro_attribute]
pub fn kernel(attr: TokenStream, item: TokenStream) -> TokenStream {
    generate::kernel(attr.into(), item.into()).into()
}

/// Makes a function callable from kernels: a device function.
///
/// The function stays an ordinary Rust function (callable on the host, type-checked by
/// rustc). Kernels that call it get its body compiled into their SPIR-V; it may take scalars
/// and tensors, return a scalar or nothing, and be generic over `T: Float` or `T: Int`. Kernels must
/// reach it by the path they call it with (define it in the same module, `use` it, or write
/// `odd::f(x)`). Calls are resolved by path as rustc resolves them: a call to `g` in the body
/// of `odd::f` names `odd::g`, which the kernel's module must be able to reach as well.
#[proc_macro_attribute]
pub fn func(attr: TokenStream, item: TokenStream) -> TokenStream {
    generate::func(attr.into(), item.into()).into()
}

/// Makes a constant usable in kernels: `#[dpex::constant] const TILE: usize = 16;`.
///
/// The constant stays an ordinary Rust constant. Kernels and device functions that name it get
/// its value compiled in: in expressions (of a scalar type), and as a size where a literal is
/// expected (`LocalArray2::<f32, TILE, TILE>`, `[0.0f32; TILE]`) when its value is an integer
/// literal or another such constant. Kernels must reach it by the name they use (same module,
/// or `use` it).
#[proc_macro_attribute]
pub fn constant(attr: TokenStream, item: TokenStream) -> TokenStream {
    generate::constant(attr.into(), item.into()).into()
}

/// Resumes a kernel's expansion once a `#[dpex::func]` it calls has handed over its source.
/// Not a public API: generated code calls it.
#[doc(hidden)]
#[proc_macro]
pub fn __kernel_step(input: TokenStream) -> TokenStream {
    generate::kernel_step(input.into()).into()
}
