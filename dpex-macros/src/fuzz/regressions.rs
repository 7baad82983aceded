//! Regression tests: the minimized inputs that found bugs (each through the same check as the
//! fuzz tests), and checks that the harness itself catches what it should.
//!
//! A test of a bug that is not fixed yet is `#[ignore]`d with the place of the bug; remove the
//! `#[ignore]` with the fix (`cargo test -p dpex-macros fuzz::regressions -- --ignored` runs them).

use super::harness::{check, install_panic_hook, validate, Entry, FailureKind, Input, Outcome};
use proc_macro2::TokenStream;

fn tokens(source: &str) -> TokenStream {
    match source.parse() {
        Ok(t) => t,
        Err(e) => panic!("test input does not lex: {e}"),
    }
}

/// Fails with the failure's details unless `input` ends in a valid module, a compile error or
/// an expansion.
fn assert_passes(input: Input) -> Outcome {
    install_panic_hook();
    match check(&input) {
        Ok(outcome) => outcome,
        Err(f) => panic!("{}\n{}\n{}", f.summary(), input.render(), f.detail),
    }
}

fn kernel_entry(attr: &str, item: &str) -> Input {
    Input::Entry {
        which: Entry::Kernel,
        attr: tokens(attr),
        item: tokens(item),
    }
}

/// Found by `fuzz_macro_entry_points` (a seed with `LocalArray` renamed): a call through a
/// path with generic arguments to a function the kernel does not define, e.g.
/// `helper::<f32>(x)` or `Tile::<u32, 256>::new(..)` with a lower-case owner, is taken for a
/// `#[dpex::func]` to gather, and the expansion becomes `helper::<f32>::__dpex_func! { .. }`:
/// a macro path with generic arguments, which does not parse ("generic arguments in macro
/// path" from rustc instead of an error of the macro). The path comes from
/// `generate::collect::first_missing_call` and is extended in `generate::expand`
/// (`path.segments.push(__dpex_func)`) without removing the segments' generic arguments.
#[test]
fn a_turbofish_call_of_a_device_function_expands_to_a_parsable_macro_call() {
    assert_passes(kernel_entry(
        "",
        "fn k(item: Item<1>, y: &mut Tensor<f32>) { y[0] = helper::<f32>(1.0); }",
    ));
}

#[test]
fn a_local_array_of_an_unknown_lower_case_type_expands_to_a_parsable_macro_call() {
    assert_passes(kernel_entry(
        "",
        "fn k(it: NdItem<1>) { let group = it.get_group(); \
         let t = tile::<u32, 256>::new(&group); }",
    ));
}

/// The state `__kernel_step!` receives, with the same path in the kernel.
#[test]
fn a_turbofish_call_in_a_resumed_expansion_expands_to_a_parsable_macro_call() {
    assert_passes(Input::Entry {
        which: Entry::Step,
        attr: TokenStream::new(),
        item: tokens(
            "attr: [] kernel: { fn k(item: Item<1>, y: &mut Tensor<f32>) { \
             y[0] = helper::<f32>(1.0); } } funcs: []",
        ),
    });
}

// ---- the harness catches what it should ----

#[test]
fn spirv_val_runs_and_rejects_a_broken_module() {
    // A header and one instruction with an unknown opcode.
    let words = [0x0723_0203, 0x0001_0200, 0, 8, 0, (1 << 16) | 0xfff0];
    match validate(&words) {
        Err(f) => assert_eq!(f.kind, FailureKind::InvalidModule, "{}", f.detail),
        Ok(()) => panic!("spirv-val accepted a broken module"),
    }
}

#[test]
fn a_valid_kernel_reaches_spirv_val_in_every_variant() {
    let outcome = assert_passes(Input::Pipeline {
        kernel: tokens(
            "fn saxpy(item: Item<1>, a: f32, x: &Tensor<f32>, y: &mut Tensor<f32>) { \
             let i = item.get_id(0); y[i] = a * x[i] + y[i]; }",
        ),
        funcs: Vec::new(),
        checked: true,
    });
    // C-contiguous and strided, each also without the provable checks.
    assert_eq!(outcome, Outcome::Valid(4));
}

#[test]
fn a_rejected_kernel_is_a_compile_error_and_bad_tokens_a_syntax_error() {
    let rejected = assert_passes(Input::Pipeline {
        kernel: tokens("fn k(item: Item<1>) { let s = String::new(); }"),
        funcs: Vec::new(),
        checked: true,
    });
    assert_eq!(rejected, Outcome::Rejected);
    let syntax = assert_passes(Input::Pipeline {
        kernel: tokens("fn k(item: Item<1>) { let = ; }"),
        funcs: Vec::new(),
        checked: true,
    });
    assert_eq!(syntax, Outcome::Syntax);
}

#[test]
fn entry_points_expand_bad_input_to_compile_errors() {
    let outcome = assert_passes(kernel_entry("nonsense", "fn k(item: Item<1>) {}"));
    assert_eq!(outcome, Outcome::Expanded);
    let outcome = assert_passes(kernel_entry("", "struct NotAFunction;"));
    assert_eq!(outcome, Outcome::Expanded);
}

fn pipeline(source: &str) -> Input {
    Input::Pipeline {
        kernel: tokens(source),
        funcs: Vec::new(),
        checked: true,
    }
}

/// Found by `fuzz_mutated_kernels` (the stencil seed renamed `r#try`): a kernel named with a
/// raw identifier (`fn r#try(..)`, valid Rust) reaches the emitter as `r#try`, which rejects
/// it ("kernel `r#try`: the name is not a valid identifier": an `EmitError`, reported to the
/// user as an internal error). The name is taken with `Ident::to_string()` (which keeps `r#`)
/// in `lower_module` (dpex-macros/src/lower/mod.rs, `name: sig.name.to_string()`); the raw
/// prefix should be dropped (`syn::ext::IdentExt::unraw`).
#[test]
fn a_kernel_named_with_a_raw_identifier_lowers() {
    let outcome = assert_passes(pipeline(
        "fn r#try(item: Item<1>, y: &mut Tensor<f32>) { y[item.get_id(0)] = 1.0; }",
    ));
    assert!(matches!(outcome, Outcome::Valid(_)), "{outcome:?}");
}

/// The same for a device function (`instance_name` in dpex-macros/src/lower/mod.rs also takes
/// `sig.name.to_string()`): "function `r#fn`: the name is not a valid identifier".
#[test]
fn a_device_function_named_with_a_raw_identifier_lowers() {
    let outcome = assert_passes(pipeline(
        "fn k(item: Item<1>, y: &mut Tensor<f32>) { fn r#fn(x: f32) -> f32 { x } y[0] = r#fn(1.0); }",
    ));
    assert!(matches!(outcome, Outcome::Valid(_)), "{outcome:?}");
}

/// Raw identifiers as parameter and local names are fine.
#[test]
fn raw_identifiers_as_parameter_and_local_names_lower() {
    for source in [
        "fn k(item: Item<1>, r#type: f32, y: &mut Tensor<f32>) { y[0] = r#type; }",
        "fn k(item: Item<1>, y: &mut Tensor<f32>) { let r#loop = 2.0; y[0] = r#loop; }",
    ] {
        let outcome = assert_passes(pipeline(source));
        assert!(
            matches!(outcome, Outcome::Valid(_)),
            "{outcome:?}: {source}"
        );
    }
}
