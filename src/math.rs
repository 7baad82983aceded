//! Math functions kernels may call that Rust's float types do not have (`erf`, `erfc`,
//! `rsqrt`). On the device they are OpenCL's; on the host these definitions (from `libm`) let
//! rustc type-check kernels and let device functions run on the host.

use crate::kernel_api::Float;

/// The error function.
pub fn erf<T: Float>(x: T) -> T {
    x.erf_host()
}

/// The complementary error function, `1 - erf(x)`.
pub fn erfc<T: Float>(x: T) -> T {
    x.erfc_host()
}

/// `1 / sqrt(x)`.
pub fn rsqrt<T: Float>(x: T) -> T {
    x.sqrt().recip()
}
