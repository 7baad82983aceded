//! Tensors: 1-d arrays in device memory that remember the queue they live on.

use std::ffi::c_void;
use std::fmt;
use std::ptr;

use opencl3::memory::{Buffer, ClMem, CL_MEM_COPY_HOST_PTR, CL_MEM_READ_WRITE};
use opencl3::types::{cl_mem, CL_BLOCKING};

use crate::error::{cl, cl_with, Error, Result};
use crate::queue::Queue;

/// The element type of a tensor or the type of a scalar kernel argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DType {
    /// `bool`, passed to kernels as one byte (0 or 1).
    Bool,
    /// `i8`.
    I8,
    /// `i16`.
    I16,
    /// `i32`.
    I32,
    /// `i64` (also `isize`).
    I64,
    /// `u8`.
    U8,
    /// `u16`.
    U16,
    /// `u32`.
    U32,
    /// `u64` (also `usize`).
    U64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `half::f16` (re-exported as `dpex::f16`): needs a device with `cl_khr_fp16`.
    F16,
}

impl DType {
    /// The Rust name of the type: `"f32"`, `"bool"`, ...
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "i8",
            DType::I16 => "i16",
            DType::I32 => "i32",
            DType::I64 => "i64",
            DType::U8 => "u8",
            DType::U16 => "u16",
            DType::U32 => "u32",
            DType::U64 => "u64",
            DType::F32 => "f32",
            DType::F64 => "f64",
            DType::F16 => "f16",
        }
    }

    /// Size in bytes of one value as the kernel sees it (1 for `Bool`).
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::I8 | DType::U8 => 1,
            DType::I16 | DType::U16 | DType::F16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 => 8,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A type that can live in a [`Tensor`].
///
/// # Safety
///
/// `DTYPE` must describe `Self` exactly (same size and bit layout), every bit pattern of that
/// size must be a valid `Self`, and `Self` must have no padding: device memory is copied into
/// values of this type byte for byte.
pub unsafe trait Element: Copy + Send + Sync + Default + 'static {
    /// The element type as kernels see it.
    const DTYPE: DType;
}

macro_rules! element {
    ($($t:ty => $d:ident),* $(,)?) => {$(
        // SAFETY: a plain integer or float of exactly `$d`'s size; every bit pattern is valid.
        unsafe impl Element for $t {
            const DTYPE: DType = DType::$d;
        }
    )*};
}

element!(i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16, u32 => U32,
    u64 => U64, f32 => F32, f64 => F64);

#[cfg(target_pointer_width = "64")]
element!(isize => I64, usize => U64);

element!(half::f16 => F16);

/// A 1-d array of `T` in device memory, on a [`Queue`].
///
/// Operations are enqueued on the tensor's queue, which is in order, so a read after a launch
/// sees the launch's writes. Zero-length tensors are allowed (they own no OpenCL buffer).
pub struct Tensor<T: Element> {
    buffer: Option<Buffer<T>>,
    len: usize,
    queue: Queue,
}

impl<T: Element> Tensor<T> {
    fn byte_len(len: usize) -> Result<usize> {
        len.checked_mul(std::mem::size_of::<T>())
            .filter(|&bytes| bytes <= isize::MAX as usize)
            .ok_or(Error::LengthOverflow {
                len,
                elem_size: std::mem::size_of::<T>(),
            })
    }

    /// Allocates a tensor, optionally initialised from `host` (which must have `len` elements).
    fn create(queue: &Queue, len: usize, host: Option<&[T]>) -> Result<Self> {
        let bytes = Self::byte_len(len)?;
        let buffer = if len == 0 {
            None
        } else {
            let context = queue.device().context()?;
            let (flags, host_ptr) = match host {
                Some(data) => (
                    CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                    data.as_ptr() as *mut c_void,
                ),
                None => (CL_MEM_READ_WRITE, ptr::null_mut()),
            };
            // SAFETY: `host_ptr` is null or points to `len` initialised `T`s (`host` has `len`
            // elements, checked by the callers); with CL_MEM_COPY_HOST_PTR OpenCL only reads it
            // during this call.
            let buffer =
                unsafe { Buffer::<T>::create(context, flags, len, host_ptr) }.map_err(cl_with(
                    "clCreateBuffer",
                    format!(
                        "allocating {bytes} bytes for a tensor of {len} {}",
                        T::DTYPE
                    ),
                ))?;
            Some(buffer)
        };
        Ok(Tensor {
            buffer,
            len,
            queue: queue.clone(),
        })
    }

    /// A tensor on `queue` holding a copy of `data`.
    pub fn from_slice(queue: &Queue, data: &[T]) -> Result<Self> {
        Self::create(queue, data.len(), Some(data))
    }

    /// A tensor of `len` zeros (`T::default()`) on `queue`.
    pub fn zeros(queue: &Queue, len: usize) -> Result<Self> {
        Self::full(queue, len, T::default())
    }

    /// A tensor of `len` copies of `value` on `queue`. Returns once the fill has completed.
    pub fn full(queue: &Queue, len: usize, value: T) -> Result<Self> {
        let mut tensor = Self::create(queue, len, None)?;
        if let Some(buffer) = tensor.buffer.as_mut() {
            let bytes = Self::byte_len(len)?;
            // SAFETY: the pattern is one `T` (1, 2, 4 or 8 bytes, sizes OpenCL accepts) and the
            // filled range is exactly the buffer; OpenCL copies the pattern during the call.
            let event = unsafe {
                queue
                    .cl_queue()
                    .enqueue_fill_buffer(buffer, &[value], 0, bytes, &[])
            }
            .map_err(cl("clEnqueueFillBuffer"))?;
            event.wait().map_err(cl("clWaitForEvents"))?;
        }
        Ok(tensor)
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The queue the tensor lives on.
    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    /// Copies the tensor to the host. Blocks until the copy (and everything enqueued before it on
    /// the tensor's queue, e.g. launches writing it) has completed.
    pub fn to_vec(&self) -> Result<Vec<T>> {
        let mut out = vec![T::default(); self.len];
        self.copy_to_host(&mut out)?;
        Ok(out)
    }

    /// Copies the tensor into `out`, which must have [`len`](Self::len) elements. Blocking.
    pub fn copy_to_host(&self, out: &mut [T]) -> Result<()> {
        self.check_len(out.len())?;
        if let Some(buffer) = &self.buffer {
            // SAFETY: a blocking read of exactly the buffer's size into a slice of that size;
            // every bit pattern is a valid `T` (`Element`'s contract).
            unsafe {
                self.queue
                    .cl_queue()
                    .enqueue_read_buffer(buffer, CL_BLOCKING, 0, out, &[])
            }
            .map_err(cl("clEnqueueReadBuffer"))?;
        }
        Ok(())
    }

    /// Overwrites the tensor with `data`, which must have [`len`](Self::len) elements. Blocking.
    pub fn copy_from_host(&mut self, data: &[T]) -> Result<()> {
        self.check_len(data.len())?;
        if let Some(buffer) = self.buffer.as_mut() {
            // SAFETY: a blocking write of exactly the buffer's size from a slice of that size.
            unsafe {
                self.queue
                    .cl_queue()
                    .enqueue_write_buffer(buffer, CL_BLOCKING, 0, data, &[])
            }
            .map_err(cl("clEnqueueWriteBuffer"))?;
        }
        Ok(())
    }

    fn check_len(&self, got: usize) -> Result<()> {
        if got == self.len {
            Ok(())
        } else {
            Err(Error::SizeMismatch {
                expected: self.len,
                got,
            })
        }
    }

    /// The OpenCL memory object (null for a zero-length tensor).
    pub(crate) fn cl_mem(&self) -> cl_mem {
        self.buffer
            .as_ref()
            .map_or(ptr::null_mut(), |buffer| buffer.get())
    }
}

impl<T: Element> fmt::Debug for Tensor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tensor")
            .field("dtype", &T::DTYPE)
            .field("len", &self.len)
            .field("device", self.queue.device())
            .finish()
    }
}
