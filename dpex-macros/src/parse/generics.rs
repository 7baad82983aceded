//! Generic kernels: each type parameter bounded by `Float` stands for `f32` and `f64`, one
//! bounded by `Int` for `i32`, `u32`, `i64` and `u64`; the kernel is instantiated for every
//! combination at build time.

use super::TypeNames;
use dpex_spirv::ir::Scalar;
use syn::spanned::Spanned;
use syn::{GenericParam, TypeParamBound};

/// The concrete types a bound stands for.
fn bound_types(bound: &TypeParamBound) -> Option<&'static [Scalar]> {
    let TypeParamBound::Trait(t) = bound else {
        return None;
    };
    match t.path.segments.last()?.ident.to_string().as_str() {
        "Float" => Some(&[Scalar::F32, Scalar::F64]),
        "Int" => Some(&[Scalar::I32, Scalar::U32, Scalar::I64, Scalar::U64]),
        _ => None,
    }
}

/// The concrete types type parameter `t` stands for, and its bound's name (`None` when its
/// bound is not one dpex knows; [`instantiations`] reports that).
pub(crate) fn parameter_types(t: &syn::TypeParam) -> Option<(&'static [Scalar], String)> {
    let [bound] = t.bounds.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let TypeParamBound::Trait(tr) = bound else {
        return None;
    };
    let name = tr.path.segments.last()?.ident.to_string();
    Some((bound_types(bound)?, name))
}

/// Every instantiation of `generics`: one [`TypeNames`] per combination of concrete types
/// (a single empty one for a non-generic function).
pub(crate) fn instantiations(generics: &syn::Generics) -> syn::Result<Vec<TypeNames>> {
    let help = "generic kernels take type parameters bounded by `Float` (f32 and f64) or `Int` \
                (i32, u32, i64 and u64): write `fn name<T: Float>(...)` or `fn name<T: Int>(...)`";
    if let Some(w) = &generics.where_clause {
        return Err(syn::Error::new(
            w.span(),
            format!("`where` clauses are not supported: {help}"),
        ));
    }
    let mut combos: Vec<Vec<(String, Scalar)>> = vec![Vec::new()];
    for param in &generics.params {
        let GenericParam::Type(t) = param else {
            return Err(syn::Error::new(
                param.span(),
                format!("only type parameters are supported: {help}"),
            ));
        };
        let types = match t.bounds.iter().collect::<Vec<_>>().as_slice() {
            [bound] => bound_types(bound),
            _ => None,
        };
        let Some(types) = types else {
            return Err(syn::Error::new(t.span(), help));
        };
        let name = t.ident.to_string();
        let mut next = Vec::new();
        for combo in &combos {
            for scalar in types {
                let mut c = combo.clone();
                c.push((name.clone(), *scalar));
                next.push(c);
            }
        }
        combos = next;
    }
    Ok(combos.into_iter().map(TypeNames::new).collect())
}
