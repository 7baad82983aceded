//! Maps Rust type syntax to the kernel language's scalar types.

use dpex_spirv::ir::Scalar;
use syn::Type;

/// The scalar types a body can name: the built-in ones and, in one instantiation of a generic
/// kernel, its type parameters.
#[derive(Clone, Debug, Default)]
pub(crate) struct TypeNames {
    generic: Vec<(String, Scalar)>,
}

impl TypeNames {
    /// Names for one instantiation: each generic parameter with its concrete type.
    pub(crate) fn new(generic: Vec<(String, Scalar)>) -> Self {
        TypeNames { generic }
    }

    /// The scalar type `ty` names here.
    pub(crate) fn scalar(&self, ty: &Type) -> Option<Scalar> {
        match ty {
            Type::Paren(p) => self.scalar(&p.elem),
            Type::Group(g) => self.scalar(&g.elem),
            Type::Path(tp) if tp.qself.is_none() => self.named(&tp.path.get_ident()?.to_string()),
            _ => None,
        }
    }

    /// The scalar type spelled `name` here.
    pub(crate) fn named(&self, name: &str) -> Option<Scalar> {
        self.generic
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| *s)
            .or_else(|| scalar_of_name(name))
    }

    /// The generic parameters and their types, for names of instantiations.
    pub(crate) fn generic(&self) -> &[(String, Scalar)] {
        &self.generic
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
