//! Kernel arguments as the launcher passes them: scalars by value, tensors by reference to their memory, local accessors by size.

use std::fmt;
use std::sync::Arc;

use crate::local::{LocalAccessor, MAX_LOCAL_DIMS};
use crate::queue::Queue;
use crate::spec::tensor_type_name;
use crate::tensor::{DType, DeviceMemory, Element, Tensor, TensorLayout};
use dpex_abi::local_accessor_type;

/// One argument of a kernel launch. Build it with `From`/`into()` from a scalar, `&Tensor<T, N>`
/// (read-only), `&mut Tensor<T, N>` (writable) or a [`LocalAccessor<T>`] (work-group local memory).
#[derive(Clone, Copy, Debug)]
pub enum KernelArg<'a> {
    /// A scalar, stored as its native-endian bytes in the first [`DType::size`] bytes.
    Scalar {
        /// The scalar's type.
        dtype: DType,
        /// The value's bytes (native endian), zero padded to 8.
        bytes: [u8; 8],
    },
    /// A tensor view of any layout. The kernel receives the underlying buffer's base pointer,
    /// the view's offset (`u64`), its extents (`u64` each) and its strides (`i64` each): see
    /// [`ParamSpecKind`](crate::ParamSpecKind) for the ABI.
    ///
    /// A launch checks that `layout.dims` is the parameter's, that `len` is the layout's element
    /// count and that every element of the view lies inside `mem`
    /// ([`Error::InvalidArgument`](crate::Error::InvalidArgument) otherwise).
    Tensor {
        /// The tensor's element type.
        dtype: DType,
        /// Whether the tensor was passed as `&mut`.
        writable: bool,
        /// The tensor's device memory (borrowed for `'a`).
        mem: MemRef<'a>,
        /// The view's number of elements (the product of `layout`'s extents).
        len: u64,
        /// The view's shape, strides and offset.
        layout: TensorLayout,
        /// The queue the tensor lives on.
        queue: &'a Queue,
    },
    /// Work-group local memory of `len` elements in `dims` axes of the extents `shape`; an
    /// OpenCL kernel receives a `__local` pointer and then the extents as `u64`s.
    Local {
        /// The element type.
        dtype: DType,
        /// The number of elements (per work-group): the product of the extents, saturating.
        len: u64,
        /// The number of axes.
        dims: usize,
        /// The extents, axis 0 first; the first `dims` are set.
        shape: [u64; MAX_LOCAL_DIMS],
    },
}

/// A borrowed reference to a tensor's device memory; only a [`Tensor`] can create one.
#[derive(Clone, Copy)]
pub struct MemRef<'a> {
    memory: &'a Arc<DeviceMemory>,
}

impl<'a> MemRef<'a> {
    /// The tensor's memory (a launch on Vulkan keeps it alive until the kernel completed).
    pub(crate) fn memory(&self) -> &'a Arc<DeviceMemory> {
        self.memory
    }

    /// Whether two references are to the same buffer (never true of empty memory).
    pub(crate) fn same_buffer(&self, other: &MemRef<'_>) -> bool {
        self.memory.bytes() > 0 && Arc::ptr_eq(self.memory, other.memory)
    }

    /// Size of the whole underlying buffer in bytes (views may cover less of it).
    pub fn bytes(&self) -> u64 {
        self.memory.bytes() as u64
    }
}

impl fmt::Debug for MemRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "MemRef({:p}, {} bytes)",
            Arc::as_ptr(self.memory),
            self.bytes()
        )
    }
}

impl KernelArg<'_> {
    /// How the argument reads in error messages, e.g. `f32`, `&mut Tensor<f32>` or
    /// `&Tensor<f32, 2>`.
    pub fn describe(&self) -> String {
        match self {
            KernelArg::Scalar { dtype, .. } => dtype.name().to_string(),
            KernelArg::Tensor {
                dtype,
                writable,
                layout,
                ..
            } => tensor_type_name(*dtype, *writable, layout.dims),
            KernelArg::Local { dtype, dims, .. } => local_accessor_type(*dtype, *dims),
        }
    }

    /// Whether a kernel compiled for C-contiguous tensors can take this argument: true for
    /// scalars and local accessors, and for a tensor whose strides are the row-major strides of
    /// its shape (axes of extent 1 may have any stride; the offset may be anything; see
    /// [`TensorLayout::is_c_contiguous`]).
    pub fn is_c_contiguous(&self) -> bool {
        match self {
            KernelArg::Tensor { layout, .. } => layout.is_c_contiguous(),
            KernelArg::Scalar { .. } | KernelArg::Local { .. } => true,
        }
    }
}

/// Whether every argument [`is_c_contiguous`](KernelArg::is_c_contiguous): what a launcher asks
/// to pick the kernel variant that ignores the strides over the one that honours them.
pub fn all_c_contiguous(args: &[KernelArg<'_>]) -> bool {
    args.iter().all(KernelArg::is_c_contiguous)
}

fn tensor_arg<T: Element, const N: usize>(tensor: &Tensor<T, N>, writable: bool) -> KernelArg<'_> {
    KernelArg::Tensor {
        dtype: T::DTYPE,
        writable,
        mem: MemRef {
            memory: tensor.memory(),
        },
        len: tensor.len() as u64,
        layout: tensor.layout(),
        queue: tensor.queue(),
    }
}

impl<'a, T: Element, const N: usize> From<&'a Tensor<T, N>> for KernelArg<'a> {
    fn from(tensor: &'a Tensor<T, N>) -> Self {
        tensor_arg(tensor, false)
    }
}

impl<'a, T: Element, const N: usize> From<&'a mut Tensor<T, N>> for KernelArg<'a> {
    fn from(tensor: &'a mut Tensor<T, N>) -> Self {
        tensor_arg(tensor, true)
    }
}

impl KernelArg<'static> {
    /// A scalar argument of any element type (what generic launchers use).
    pub fn scalar<T: Element>(value: T) -> Self {
        let mut bytes = [0u8; 8];
        let size = std::mem::size_of::<T>().min(bytes.len());
        // SAFETY: `Element` types are plain integers and floats of at most 8 bytes with no
        // padding, so viewing one as `size` initialized bytes is sound.
        let raw = unsafe { std::slice::from_raw_parts((&value as *const T).cast::<u8>(), size) };
        bytes[..size].copy_from_slice(raw);
        KernelArg::Scalar {
            dtype: T::DTYPE,
            bytes,
        }
    }
}

impl<T: Element, const N: usize> From<LocalAccessor<T, N>> for KernelArg<'static> {
    /// The accessor's extents (an accessor of more than [`MAX_LOCAL_DIMS`] axes keeps only the
    /// first ones here; no kernel takes one, so its launch is an `ArgumentType` error).
    fn from(local: LocalAccessor<T, N>) -> Self {
        let mut shape = [0u64; MAX_LOCAL_DIMS];
        for (to, &from) in shape.iter_mut().zip(&local.shape()) {
            *to = from as u64;
        }
        KernelArg::Local {
            dtype: T::DTYPE,
            len: local.len() as u64,
            dims: N,
            shape,
        }
    }
}

macro_rules! scalar_arg {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for KernelArg<'static> {
            fn from(value: $t) -> Self {
                KernelArg::scalar(value)
            }
        }
    )*};
}

scalar_arg!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, half::f16);

#[cfg(target_pointer_width = "64")]
scalar_arg!(isize, usize);

impl From<bool> for KernelArg<'static> {
    fn from(value: bool) -> Self {
        KernelArg::Scalar {
            dtype: DType::Bool,
            bytes: [u8::from(value), 0, 0, 0, 0, 0, 0, 0],
        }
    }
}
