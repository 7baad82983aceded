//! Maps Rust type syntax to the kernel language's scalar types.

use dpex_spirv::ir::Scalar;
use syn::Type;

/// The scalar type that a written type names, or `None` when it is not a kernel scalar.
/// `isize`/`usize` are 64-bit (`Physical64` addressing).
pub(crate) fn scalar_of_type(ty: &Type) -> Option<Scalar> {
    match ty {
        Type::Paren(p) => scalar_of_type(&p.elem),
        Type::Group(g) => scalar_of_type(&g.elem),
        Type::Path(tp) if tp.qself.is_none() => {
            let ident = tp.path.get_ident()?;
            scalar_of_name(&ident.to_string())
        }
        _ => None,
    }
}

/// The scalar type spelled `name` (`"f32"`, `"usize"`, ...).
pub(crate) fn scalar_of_name(name: &str) -> Option<Scalar> {
    Some(match name {
        "bool" => Scalar::Bool,
        "i8" => Scalar::I8,
        "i16" => Scalar::I16,
        "i32" => Scalar::I32,
        "i64" | "isize" => Scalar::I64,
        "u8" => Scalar::U8,
        "u16" => Scalar::U16,
        "u32" => Scalar::U32,
        "u64" | "usize" => Scalar::U64,
        "f32" => Scalar::F32,
        "f64" => Scalar::F64,
        "f16" => Scalar::F16,
        _ => return None,
    })
}
