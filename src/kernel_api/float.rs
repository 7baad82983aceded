//! `Float`: what a generic kernel's `T: Float` may do, for rustc's checking of the host copy.

use std::ops::{
    Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign,
};

mod sealed {
    /// Keeps [`super::Float`] implemented by the float types dpex knows only.
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

macro_rules! float_methods {
    ($($(#[$doc:meta])* fn $name:ident(self $(, $arg:ident: $argty:ty)*) -> $ret:ty;)*) => {
        /// The float types a generic kernel's `T: Float` stands for: `f32` and `f64`.
        ///
        /// A generic kernel is instantiated for each at build time; `launch` picks the instance
        /// from the argument types. Inside the kernel, `T::from_f64(0.5)` writes a constant and
        /// the methods below work as they do on `f32` and `f64`.
        pub trait Float:
            dpex_runtime::Element
            + sealed::Sealed
            + PartialOrd
            + Add<Output = Self>
            + Sub<Output = Self>
            + Mul<Output = Self>
            + Div<Output = Self>
            + Rem<Output = Self>
            + Neg<Output = Self>
            + AddAssign
            + SubAssign
            + MulAssign
            + DivAssign
            + RemAssign
        {
            /// `value as Self`.
            fn from_f64(value: f64) -> Self;
            /// Host implementation of `dpex::math::erf`.
            #[doc(hidden)]
            fn erf_host(self) -> Self;
            /// Host implementation of `dpex::math::erfc`.
            #[doc(hidden)]
            fn erfc_host(self) -> Self;
            /// `self * 2^n`, rounded once (C's `ldexp`; Rust's std has none): exact unless the
            /// result is subnormal (then rounded to nearest) or overflows (then infinite).
            /// Kernels call it as `x.ldexp(n)` with this trait in scope (`dpex::prelude`).
            fn ldexp(self, n: i32) -> Self;
            /// The gamma function (C's `tgamma`; std's `gamma` is unstable): NaN at the negative
            /// integers, ±infinity at ±0. Kernels call it as `x.gamma()` with this trait in scope.
            fn gamma(self) -> Self;
            /// `(ln |gamma(self)|, sign)`, as std's unstable `ln_gamma` (C's `lgamma_r`): the
            /// sign of `gamma(self)` is 1 or -1 (-1 for -0 and for negative non-integers with an
            /// odd floor; 1 at the poles, where the logarithm is infinity, and for NaN).
            fn ln_gamma(self) -> (Self, i32);
            $($(#[$doc])* fn $name(self $(, $arg: $argty)*) -> $ret;)*
        }

        impl Float for f32 {
            fn from_f64(value: f64) -> Self {
                value as f32
            }
            fn erf_host(self) -> Self {
                libm::erff(self)
            }
            fn erfc_host(self) -> Self {
                libm::erfcf(self)
            }
            fn ldexp(self, n: i32) -> Self {
                libm::scalbnf(self, n)
            }
            fn gamma(self) -> Self {
                libm::tgammaf(self)
            }
            fn ln_gamma(self) -> (Self, i32) {
                libm::lgammaf_r(self)
            }
            $(fn $name(self $(, $arg: $argty)*) -> $ret {
                f32::$name(self $(, $arg)*)
            })*
        }

        impl Float for f64 {
            fn from_f64(value: f64) -> Self {
                value
            }
            fn erf_host(self) -> Self {
                libm::erf(self)
            }
            fn erfc_host(self) -> Self {
                libm::erfc(self)
            }
            fn ldexp(self, n: i32) -> Self {
                libm::scalbn(self, n)
            }
            fn gamma(self) -> Self {
                libm::tgamma(self)
            }
            fn ln_gamma(self) -> (Self, i32) {
                libm::lgamma_r(self)
            }
            $(fn $name(self $(, $arg: $argty)*) -> $ret {
                f64::$name(self $(, $arg)*)
            })*
        }
    };
}

float_methods! {
    /// `|self|`.
    fn abs(self) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// Cube root.
    fn cbrt(self) -> Self;
    /// `e^self`.
    fn exp(self) -> Self;
    /// `2^self`.
    fn exp2(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// Base-2 logarithm.
    fn log2(self) -> Self;
    /// Base-10 logarithm.
    fn log10(self) -> Self;
    /// `self^n`.
    fn powf(self, n: Self) -> Self;
    /// `self^n` for an integer `n`.
    fn powi(self, n: i32) -> Self;
    /// Sine.
    fn sin(self) -> Self;
    /// Cosine.
    fn cos(self) -> Self;
    /// Tangent.
    fn tan(self) -> Self;
    /// Arcsine.
    fn asin(self) -> Self;
    /// Arccosine.
    fn acos(self) -> Self;
    /// Arctangent.
    fn atan(self) -> Self;
    /// Four-quadrant arctangent of `self / other`.
    fn atan2(self, other: Self) -> Self;
    /// Hyperbolic sine.
    fn sinh(self) -> Self;
    /// Hyperbolic cosine.
    fn cosh(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Inverse hyperbolic sine.
    fn asinh(self) -> Self;
    /// Inverse hyperbolic cosine.
    fn acosh(self) -> Self;
    /// Inverse hyperbolic tangent.
    fn atanh(self) -> Self;
    /// `e^self - 1`, accurate near zero.
    fn exp_m1(self) -> Self;
    /// `ln(1 + self)`, accurate near zero.
    fn ln_1p(self) -> Self;
    /// `self`'s magnitude with `sign`'s sign bit.
    fn copysign(self, sign: Self) -> Self;
    /// Largest integer not above.
    fn floor(self) -> Self;
    /// Smallest integer not below.
    fn ceil(self) -> Self;
    /// Nearest integer, half-way cases away from zero.
    fn round(self) -> Self;
    /// Integer part.
    fn trunc(self) -> Self;
    /// `self - self.trunc()`.
    fn fract(self) -> Self;
    /// `self * a + b` with one rounding.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// The smaller value (a NaN operand gives the other).
    fn min(self, other: Self) -> Self;
    /// The larger value (a NaN operand gives the other).
    fn max(self, other: Self) -> Self;
    /// `self` limited to `[lo, hi]`.
    fn clamp(self, lo: Self, hi: Self) -> Self;
    /// 1 or -1 with the sign of `self`, NaN for NaN.
    fn signum(self) -> Self;
    /// `sqrt(self^2 + other^2)`.
    fn hypot(self, other: Self) -> Self;
    /// `1 / self`.
    fn recip(self) -> Self;
    /// Degrees to radians.
    fn to_radians(self) -> Self;
    /// Radians to degrees.
    fn to_degrees(self) -> Self;
    /// True for NaN.
    fn is_nan(self) -> bool;
    /// True unless infinite or NaN.
    fn is_finite(self) -> bool;
    /// True for positive and negative infinity.
    fn is_infinite(self) -> bool;
}
