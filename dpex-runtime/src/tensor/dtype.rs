//! Element types: the `DType` tag kernels see and the `Element` trait of types a tensor can hold.

/// The element type of a tensor or the type of a scalar kernel argument: the kernel language's
/// scalar type, shared with the IR ([`dpex_abi::Scalar`]).
pub use dpex_abi::Scalar as DType;

/// A type that can live in a [`Tensor`](crate::Tensor).
///
/// # Safety
///
/// `DTYPE` must describe `Self` exactly (same size and bit layout), every bit pattern of that
/// size must be a valid `Self`, and `Self` must have no padding: device memory is copied into
/// values of this type byte for byte.
pub unsafe trait Element: Copy + Send + Sync + Default + 'static {
    /// The element type as kernels see it.
    const DTYPE: DType;
    /// The value one (what [`Tensor::ones`](crate::Tensor::ones) fills with).
    const ONE: Self;
}

macro_rules! element {
    ($($t:ty => $d:ident, $one:expr);* $(;)?) => {$(
        // SAFETY: a plain integer or float of exactly `$d`'s size; every bit pattern is valid.
        unsafe impl Element for $t {
            const DTYPE: DType = DType::$d;
            const ONE: Self = $one;
        }
    )*};
}

element!(i8 => I8, 1; i16 => I16, 1; i32 => I32, 1; i64 => I64, 1; u8 => U8, 1; u16 => U16, 1;
    u32 => U32, 1; u64 => U64, 1; f32 => F32, 1.0; f64 => F64, 1.0);

#[cfg(target_pointer_width = "64")]
element!(isize => I64, 1; usize => U64, 1);

element!(half::f16 => F16, half::f16::ONE);

/// The bytes of a slice of elements.
pub(crate) fn as_bytes<T: Element>(data: &[T]) -> &[u8] {
    // SAFETY: `Element` types have no padding, so every byte of the slice is initialised; the
    // byte slice covers exactly the same memory with the same lifetime.
    unsafe { std::slice::from_raw_parts(data.as_ptr().cast::<u8>(), std::mem::size_of_val(data)) }
}

/// The bytes of a mutable slice of elements, for reading device memory into.
pub(crate) fn as_bytes_mut<T: Element>(data: &mut [T]) -> &mut [u8] {
    // SAFETY: as in `as_bytes`; and every bit pattern is a valid `T` (`Element`'s contract), so
    // any bytes written through the result leave valid elements behind.
    unsafe {
        std::slice::from_raw_parts_mut(data.as_mut_ptr().cast::<u8>(), std::mem::size_of_val(data))
    }
}
