//! Types literals as rustc does: the suffix, else the type the context expects, else `i32` /
//! `f64`.

use super::error;
use crate::parse::scalar_of_name;
use dpex_spirv::ir::{Expr, Literal, Scalar};

/// Lowers a literal; `expected` is the type the context asks for, if any.
pub(crate) fn lower_literal(lit: &syn::Lit, expected: Option<Scalar>) -> syn::Result<Expr> {
    match lit {
        syn::Lit::Bool(b) => Ok(Expr::literal(Scalar::Bool, Literal::Bool(b.value))),
        syn::Lit::Int(i) => lower_int(i, expected),
        syn::Lit::Float(f) => lower_float(f, expected),
        other => Err(error(
            other.span(),
            "only numeric and `bool` literals are supported in kernels (no strings or chars)",
        )),
    }
}

fn suffix_type(suffix: &str, span: proc_macro2::Span) -> syn::Result<Scalar> {
    scalar_of_name(suffix).ok_or_else(|| error(span, format!("unknown literal suffix `{suffix}`")))
}

fn lower_int(lit: &syn::LitInt, expected: Option<Scalar>) -> syn::Result<Expr> {
    let ty = match lit.suffix() {
        "" => match expected {
            Some(t) if t.is_int() => t,
            Some(t) if t.is_float() => {
                return Err(error(
                    lit.span(),
                    format!(
                        "expected `{t}`, found an integer literal: write `{}.0`",
                        lit.base10_digits()
                    ),
                ))
            }
            _ => Scalar::I32,
        },
        suffix => suffix_type(suffix, lit.span())?,
    };
    if ty.is_float() {
        let value: f64 = lit.base10_parse()?;
        return Ok(Expr::literal(ty, Literal::Float(value.to_bits())));
    }
    let value: u128 = lit.base10_parse()?;
    // Signed types accept up to 2^(bits-1) here so that `-128i8` (a negated literal) works;
    // rustc's own check on the hidden host copy rejects `128i8` on its own.
    let limit: u128 = if ty.is_signed_int() {
        1u128 << (ty.bits() - 1)
    } else {
        (1u128 << ty.bits()) - 1
    };
    if value > limit {
        return Err(error(
            lit.span(),
            format!("literal out of range for `{ty}`: its largest value is {limit}"),
        ));
    }
    Ok(Expr::literal(ty, Literal::Int(value as u64)))
}

fn lower_float(lit: &syn::LitFloat, expected: Option<Scalar>) -> syn::Result<Expr> {
    let ty = match lit.suffix() {
        "" => match expected {
            Some(t) if t.is_float() => t,
            Some(t) if t.is_int() => {
                return Err(error(
                    lit.span(),
                    format!("expected `{t}`, found a float literal: write an integer, or cast"),
                ))
            }
            _ => Scalar::F64,
        },
        suffix => suffix_type(suffix, lit.span())?,
    };
    let value: f64 = lit.base10_parse()?;
    Ok(Expr::literal(ty, Literal::Float(value.to_bits())))
}
