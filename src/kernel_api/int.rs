//! `Int`: what a generic kernel's `T: Int` may do, for rustc's checking of the host copy.

use std::ops::{
    Add, AddAssign, BitAnd, BitAndAssign, BitOr, BitOrAssign, BitXor, BitXorAssign, Div, DivAssign,
    Mul, MulAssign, Not, Rem, RemAssign, Shl, ShlAssign, Shr, ShrAssign, Sub, SubAssign,
};

mod sealed {
    /// Keeps [`super::Int`] implemented by the integer types dpex instantiates it with only.
    pub trait Sealed {}
    impl Sealed for i32 {}
    impl Sealed for u32 {}
    impl Sealed for i64 {}
    impl Sealed for u64 {}
}

/// The integer types a generic kernel's or device function's `T: Int` stands for: `i32`,
/// `u32`, `i64` and `u64`.
///
/// A generic kernel is instantiated for each at build time; `launch` picks the instance from
/// the argument types (a generic `#[dpex::func]` is instantiated for the types of each call).
/// Inside the body, `T` values take the operators of Rust's integers (`+ - * / %`, which a
/// safe kernel checks for division by zero and overflow as it does for concrete types;
/// comparisons; `& | ^ !`; `<<` and `>>` by a `u32`), `T::from_i64(3)` writes a constant
/// (wrapping, as `3i64 as T`), `T::MIN`, `T::MAX` and `T::BITS` are the type's constants,
/// and the methods below (with `min`, `max` and `clamp` from [`Ord`]) work as they do on
/// each type.
pub trait Int:
    dpex_runtime::Element
    + sealed::Sealed
    + Ord
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Rem<Output = Self>
    + BitAnd<Output = Self>
    + BitOr<Output = Self>
    + BitXor<Output = Self>
    + Not<Output = Self>
    + Shl<u32, Output = Self>
    + Shr<u32, Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + RemAssign
    + BitAndAssign
    + BitOrAssign
    + BitXorAssign
    + ShlAssign<u32>
    + ShrAssign<u32>
{
    /// The smallest value of the type.
    const MIN: Self;
    /// The largest value of the type.
    const MAX: Self;
    /// The width of the type in bits.
    const BITS: u32;
    /// `value as Self` (wrapping).
    fn from_i64(value: i64) -> Self;
    /// `self^exp`, wrapping on overflow in kernels (release-build semantics).
    fn pow(self, exp: u32) -> Self;
    /// The number of leading zero bits.
    fn leading_zeros(self) -> u32;
    /// The number of trailing zero bits.
    fn trailing_zeros(self) -> u32;
    /// The number of one bits.
    fn count_ones(self) -> u32;
    /// `self + rhs`, wrapping.
    fn wrapping_add(self, rhs: Self) -> Self;
    /// `self - rhs`, wrapping.
    fn wrapping_sub(self, rhs: Self) -> Self;
    /// `self * rhs`, wrapping.
    fn wrapping_mul(self, rhs: Self) -> Self;
    /// `-self`, wrapping.
    fn wrapping_neg(self) -> Self;
    /// `self << (n % BITS)`.
    fn wrapping_shl(self, n: u32) -> Self;
    /// `self >> (n % BITS)`.
    fn wrapping_shr(self, n: u32) -> Self;
}

macro_rules! int_impls {
    ($($t:ty),*) => {$(
        impl Int for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            const BITS: u32 = <$t>::BITS;
            fn from_i64(value: i64) -> Self {
                value as $t
            }
            fn pow(self, exp: u32) -> Self {
                self.wrapping_pow(exp)
            }
            fn leading_zeros(self) -> u32 {
                <$t>::leading_zeros(self)
            }
            fn trailing_zeros(self) -> u32 {
                <$t>::trailing_zeros(self)
            }
            fn count_ones(self) -> u32 {
                <$t>::count_ones(self)
            }
            fn wrapping_add(self, rhs: Self) -> Self {
                <$t>::wrapping_add(self, rhs)
            }
            fn wrapping_sub(self, rhs: Self) -> Self {
                <$t>::wrapping_sub(self, rhs)
            }
            fn wrapping_mul(self, rhs: Self) -> Self {
                <$t>::wrapping_mul(self, rhs)
            }
            fn wrapping_neg(self) -> Self {
                <$t>::wrapping_neg(self)
            }
            fn wrapping_shl(self, n: u32) -> Self {
                <$t>::wrapping_shl(self, n)
            }
            fn wrapping_shr(self, n: u32) -> Self {
                <$t>::wrapping_shr(self, n)
            }
        }
    )*};
}

int_impls!(i32, u32, i64, u64);
