//! Tensors: N-d arrays (N = 1 to 4) in device memory that remember the queue they live on, with
//! strided views that share memory.

mod copy;
mod create;
mod dtype;
pub(crate) mod memory;
#[cfg(feature = "ndarray")]
mod ndarray;
mod shape;
mod view;

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::queue::Queue;

pub use dtype::{DType, Element};
pub(crate) use memory::DeviceMemory;
pub use shape::{IntoShape, MAX_DIMS};
pub use view::AxisSlice;

/// An N-d array of `T` in device memory (N = 1 to 4; `Tensor<T>` is 1-d), on a [`Queue`].
///
/// A tensor is a *view* of a device buffer: a `shape`, `strides` (in elements, per axis) and an
/// `offset` (in elements) into memory that it shares, through reference counting, with the
/// tensors it was sliced, transposed or reshaped from ([`slice`](Self::slice),
/// [`permute`](Self::permute), [`reshape`](Self::reshape)). Writes through one view are seen by
/// the others. Tensors made by the constructors are contiguous (row-major, offset 0).
///
/// Copies to and from the host block and are ordered after everything enqueued before them on
/// the tensor's queue (a launch writing the tensor, say), on in-order and out-of-order queues.
/// Zero-size tensors are allowed (they own no device buffer). On a Vulkan device a tensor is a
/// `VkBuffer` in device-local memory with a device address.
///
/// # Lifetime on the device
///
/// Dropping a tensor (the last view of its buffer) releases the buffer (OpenCL:
/// `clReleaseMemObject`; Vulkan: each launch holds the memory until its queue's timeline passes
/// it), which frees the memory only once every enqueued command that uses it has completed. So a
/// tensor may be dropped right after an asynchronous launch that reads or writes it: the kernel
/// still sees valid memory, and the memory is freed afterwards.
pub struct Tensor<T: Element, const N: usize = 1> {
    memory: Arc<DeviceMemory>,
    shape: [usize; N],
    strides: [isize; N],
    offset: usize,
    queue: Queue,
    _elem: PhantomData<T>,
}

/// A tensor's layout as kernel arguments carry it: up to [`MAX_DIMS`] axes, padded with
/// extent 1 and stride 0. What a kernel needs to index an N-d or strided view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TensorLayout {
    /// Number of axes (1 to 4).
    pub dims: usize,
    /// Extent per axis (unused axes: 1).
    pub shape: [u64; MAX_DIMS],
    /// Stride per axis, in elements (unused axes: 0).
    pub strides: [i64; MAX_DIMS],
    /// Offset of element `[0, 0, ...]` from the start of the buffer, in elements.
    pub offset: u64,
}

impl TensorLayout {
    /// Whether the layout is a 1-d, stride-1 view starting at the buffer's first element.
    pub fn is_flat_from_start(&self) -> bool {
        self.dims == 1 && self.offset == 0 && (self.strides[0] == 1 || self.shape[0] <= 1)
    }

    /// Whether the strides are the row-major (C order) strides of the shape, ignoring axes of
    /// extent 1 (whose stride is never used); the offset may be anything. Empty views are
    /// C-contiguous. A kernel may then address element `[i0, i1, ...]` as
    /// `offset + ((i0 * shape1 + i1) * shape2 + ...)` without reading the strides.
    pub fn is_c_contiguous(&self) -> bool {
        let dims = self.dims.min(MAX_DIMS);
        let (shape, strides) = (&self.shape[..dims], &self.strides[..dims]);
        if shape.contains(&0) {
            return true;
        }
        let mut expected: i128 = 1;
        for (&extent, &stride) in shape.iter().zip(strides).rev() {
            if extent != 1 {
                if i128::from(stride) != expected {
                    return false;
                }
                // Saturating: a stride is an i64, so once `expected` leaves the i64 range no
                // later stride can equal it and the answer is `false` anyway.
                expected = expected.saturating_mul(i128::from(extent));
            }
        }
        true
    }

    /// The number of elements (the product of the first `dims` extents); `None` on overflow or
    /// when `dims` is not 1 to [`MAX_DIMS`].
    pub fn element_count(&self) -> Option<u64> {
        if !(1..=MAX_DIMS).contains(&self.dims) {
            return None;
        }
        self.shape[..self.dims]
            .iter()
            .try_fold(1u64, |acc, &d| acc.checked_mul(d))
    }

    /// The elements the view touches as `(first, end)` element indices of its buffer; `None`
    /// for an empty view or a layout that reaches below index 0 or past `u64::MAX`.
    pub fn element_span(&self) -> Option<(u64, u64)> {
        let dims = self.dims.min(MAX_DIMS);
        let (shape, strides) = (&self.shape[..dims], &self.strides[..dims]);
        if shape.contains(&0) {
            return None;
        }
        let (mut low, mut high) = (i128::from(self.offset), i128::from(self.offset));
        for (&extent, &stride) in shape.iter().zip(strides) {
            let reach = i128::from(stride) * (i128::from(extent) - 1);
            if reach < 0 {
                low += reach;
            } else {
                high += reach;
            }
        }
        Some((u64::try_from(low).ok()?, u64::try_from(high + 1).ok()?))
    }
}

impl<T: Element, const N: usize> Tensor<T, N> {
    /// Compile-time check of `N`.
    const VALID_DIMS: () = assert!(N >= 1 && N <= MAX_DIMS, "a Tensor has 1 to 4 dimensions");

    /// A contiguous tensor over `memory`.
    fn contiguous(queue: &Queue, memory: DeviceMemory, shape: [usize; N]) -> Result<Self> {
        #[allow(clippy::let_unit_value)]
        let () = Self::VALID_DIMS;
        let strides = shape::contiguous_strides(shape).ok_or_else(|| Self::overflow(shape))?;
        Ok(Tensor {
            memory: Arc::new(memory),
            shape,
            strides,
            offset: 0,
            queue: queue.clone(),
            _elem: PhantomData,
        })
    }

    /// A view of the same memory with another layout (checked by the callers).
    fn view_with<const M: usize>(
        &self,
        shape: [usize; M],
        strides: [isize; M],
        offset: usize,
    ) -> Tensor<T, M> {
        Tensor {
            memory: self.memory.clone(),
            shape,
            strides,
            offset,
            queue: self.queue.clone(),
            _elem: PhantomData,
        }
    }

    fn overflow(shape: [usize; N]) -> Error {
        Error::LengthOverflow {
            len: shape.iter().fold(1usize, |a, &d| a.saturating_mul(d)),
            elem_size: std::mem::size_of::<T>(),
        }
    }

    /// The byte size of `shape`'s elements, if it fits `isize` (checked before any allocation).
    fn byte_len(shape: [usize; N]) -> Result<usize> {
        shape::element_count(&shape)
            .and_then(|n| n.checked_mul(std::mem::size_of::<T>()))
            .filter(|&bytes| bytes <= isize::MAX as usize)
            .ok_or_else(|| Self::overflow(shape))
    }

    /// The extent of each axis, outermost first.
    pub fn shape(&self) -> [usize; N] {
        self.shape
    }

    /// The distance in elements between neighbours along each axis.
    pub fn strides(&self) -> [isize; N] {
        self.strides
    }

    /// The position of element `[0, 0, ...]` in the underlying buffer, in elements.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The number of axes, `N`.
    pub fn ndim(&self) -> usize {
        N
    }

    /// Number of elements (the product of the shape).
    pub fn len(&self) -> usize {
        // Every shape was checked not to overflow when its tensor was made.
        self.shape.iter().product()
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.shape.contains(&0)
    }

    /// Whether the elements are consecutive in memory in row-major order (they may still start
    /// at a non-zero [`offset`](Self::offset)).
    pub fn is_contiguous(&self) -> bool {
        shape::is_contiguous(&self.shape, &self.strides)
    }

    /// The queue the tensor lives on.
    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    /// Whether `self` and `other` are views of the same device buffer.
    pub fn shares_memory_with<const M: usize>(&self, other: &Tensor<T, M>) -> bool {
        Arc::ptr_eq(&self.memory, &other.memory)
    }

    /// The layout as kernel arguments carry it.
    pub fn layout(&self) -> TensorLayout {
        let mut layout = TensorLayout {
            dims: N,
            shape: [1; MAX_DIMS],
            strides: [0; MAX_DIMS],
            offset: self.offset as u64,
        };
        for axis in 0..N {
            layout.shape[axis] = self.shape[axis] as u64;
            layout.strides[axis] = self.strides[axis] as i64;
        }
        layout
    }

    /// The device memory under this tensor and its views.
    pub(crate) fn memory(&self) -> &Arc<DeviceMemory> {
        &self.memory
    }

    /// Size of the whole underlying buffer in bytes.
    pub(crate) fn buffer_bytes(&self) -> usize {
        self.memory.bytes()
    }

    /// The elements the view touches as `(first, end)` element indices of the buffer (`None`
    /// when empty).
    pub(crate) fn element_span(&self) -> Option<(usize, usize)> {
        shape::span(&self.shape, &self.strides, self.offset)
    }
}

impl<T: Element, const N: usize> fmt::Debug for Tensor<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tensor")
            .field("dtype", &T::DTYPE)
            .field("shape", &self.shape)
            .field("strides", &self.strides)
            .field("offset", &self.offset)
            .field("device", self.queue.device())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(shape: &[u64], strides: &[i64], offset: u64) -> TensorLayout {
        let mut layout = TensorLayout {
            dims: shape.len(),
            shape: [1; MAX_DIMS],
            strides: [0; MAX_DIMS],
            offset,
        };
        layout.shape[..shape.len()].copy_from_slice(shape);
        layout.strides[..strides.len()].copy_from_slice(strides);
        layout
    }

    #[test]
    fn c_contiguous_layouts() {
        assert!(layout(&[5], &[1], 0).is_c_contiguous());
        assert!(layout(&[5], &[1], 17).is_c_contiguous());
        assert!(!layout(&[5], &[2], 0).is_c_contiguous());
        assert!(!layout(&[5], &[-1], 4).is_c_contiguous());
        assert!(layout(&[1], &[9], 3).is_c_contiguous());
        assert!(layout(&[2, 3, 4], &[12, 4, 1], 0).is_c_contiguous());
        assert!(!layout(&[3, 2], &[1, 3], 0).is_c_contiguous());
        assert!(!layout(&[2, 3], &[4, 1], 0).is_c_contiguous());
        assert!(layout(&[2, 1, 4], &[4, 99, 1], 8).is_c_contiguous());
        assert!(layout(&[1, 1, 1, 6], &[0, 0, 0, 1], 0).is_c_contiguous());
        assert!(layout(&[0, 3], &[5, 7], 0).is_c_contiguous());
        // Only the first `dims` axes count.
        let mut l = layout(&[4], &[1], 0);
        l.shape[1] = 3;
        l.strides[1] = 77;
        assert!(l.is_c_contiguous());
        assert_eq!(l.element_count(), Some(4));
        l.dims = 0;
        assert_eq!(l.element_count(), None);
    }
}
