//! The scalar types of the kernel language.

use std::fmt;

/// A scalar type of the kernel language: the element type of tensors and local memory, the type
/// of scalar kernel arguments and of IR values. `isize`/`usize` are 64-bit
/// ([`Scalar::I64`]/[`Scalar::U64`]), as on every 64-bit Rust target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scalar {
    /// `bool`, passed to kernels as one byte (0 or 1).
    Bool,
    /// `i8`.
    I8,
    /// `i16`.
    I16,
    /// `i32`.
    I32,
    /// `i64` and `isize`.
    I64,
    /// `u8`.
    U8,
    /// `u16`.
    U16,
    /// `u32`.
    U32,
    /// `u64` and `usize`.
    U64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `half::f16` (re-exported as `dpex::f16`): needs a device with half-precision support.
    F16,
}

/// How a local accessor's type reads in messages, as the user writes it: `LocalAccessor<f32>`
/// for one axis, `LocalAccessor<f32, 2>` for more.
pub fn local_accessor_type(elem: Scalar, dims: usize) -> String {
    if dims == 1 {
        format!("LocalAccessor<{elem}>")
    } else {
        format!("LocalAccessor<{elem}, {dims}>")
    }
}

impl Scalar {
    /// Every scalar type, in declaration order.
    pub const ALL: [Scalar; 12] = [
        Scalar::Bool,
        Scalar::I8,
        Scalar::I16,
        Scalar::I32,
        Scalar::I64,
        Scalar::U8,
        Scalar::U16,
        Scalar::U32,
        Scalar::U64,
        Scalar::F32,
        Scalar::F64,
        Scalar::F16,
    ];

    /// Width in bits (`bool` counts as 8, its size in memory and in kernel arguments).
    pub const fn bits(self) -> u32 {
        match self {
            Scalar::Bool | Scalar::I8 | Scalar::U8 => 8,
            Scalar::I16 | Scalar::U16 | Scalar::F16 => 16,
            Scalar::I32 | Scalar::U32 | Scalar::F32 => 32,
            Scalar::I64 | Scalar::U64 | Scalar::F64 => 64,
        }
    }

    /// Size in bytes of one value in memory and in kernel arguments (1 for `bool`).
    pub const fn size(self) -> usize {
        (self.bits() / 8) as usize
    }

    /// True for the signed integer types.
    pub fn is_signed_int(self) -> bool {
        matches!(self, Scalar::I8 | Scalar::I16 | Scalar::I32 | Scalar::I64)
    }

    /// True for the unsigned integer types.
    pub fn is_unsigned_int(self) -> bool {
        matches!(self, Scalar::U8 | Scalar::U16 | Scalar::U32 | Scalar::U64)
    }

    /// True for every integer type, signed or not.
    pub fn is_int(self) -> bool {
        self.is_signed_int() || self.is_unsigned_int()
    }

    /// True for `f16`, `f32` and `f64`.
    pub fn is_float(self) -> bool {
        matches!(self, Scalar::F16 | Scalar::F32 | Scalar::F64)
    }

    /// True for integers and floats (everything but `bool`).
    pub fn is_numeric(self) -> bool {
        self != Scalar::Bool
    }

    /// The Rust name of the type: `"f32"`, `"bool"`, ... (`usize` is spelled `u64`).
    pub const fn name(self) -> &'static str {
        match self {
            Scalar::Bool => "bool",
            Scalar::I8 => "i8",
            Scalar::I16 => "i16",
            Scalar::I32 => "i32",
            Scalar::I64 => "i64",
            Scalar::U8 => "u8",
            Scalar::U16 => "u16",
            Scalar::U32 => "u32",
            Scalar::U64 => "u64",
            Scalar::F32 => "f32",
            Scalar::F64 => "f64",
            Scalar::F16 => "f16",
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_bit_widths() {
        for s in Scalar::ALL {
            assert_eq!(s.size() * 8, s.bits() as usize, "{s}");
        }
        assert_eq!(Scalar::Bool.size(), 1);
        assert_eq!(Scalar::F16.size(), 2);
        assert_eq!(Scalar::U64.to_string(), "u64");
    }
}
