//! Tensor constructors: from host data (a slice, a `Vec` with a shape, a function of the index),
//! and filled with zeros, ones or a value.

use super::dtype::as_bytes;
use super::memory::{self, DeviceMemory};
use super::shape::{unravel, IntoShape};
use super::{Element, Tensor};
use crate::error::{Error, Result};
use crate::queue::Queue;

impl<T: Element> Tensor<T, 1> {
    /// A 1-d tensor on `queue` holding a copy of `data`.
    pub fn from_slice(queue: &Queue, data: &[T]) -> Result<Self> {
        Self::from_host(queue, [data.len()], data)
    }
}

impl<T: Element, const N: usize> Tensor<T, N> {
    /// Allocates a contiguous tensor of `shape`, initialised from `host` (row-major, exactly
    /// the shape's element count) if given.
    pub(super) fn allocate(queue: &Queue, shape: [usize; N], host: Option<&[T]>) -> Result<Self> {
        let bytes = Self::byte_len(shape)?;
        let what = || format!("a tensor of shape {shape:?} of {}", T::DTYPE);
        let host_ptr = host.map(|data| data.as_ptr().cast());
        // `host` has as many elements as `shape` (the callers check), so `bytes` bytes.
        let memory = DeviceMemory::allocate(queue, bytes, host_ptr, &what)?;
        Self::contiguous(queue, memory, shape)
    }

    pub(super) fn from_host(queue: &Queue, shape: [usize; N], data: &[T]) -> Result<Self> {
        let len = Self::element_count_of(shape)?;
        if data.len() != len {
            return Err(Error::SizeMismatch {
                expected: len,
                got: data.len(),
            });
        }
        Self::allocate(queue, shape, Some(data))
    }

    fn element_count_of(shape: [usize; N]) -> Result<usize> {
        Self::byte_len(shape)?;
        Ok(shape.iter().product())
    }

    /// A tensor of `shape` on `queue` holding `data` in row-major order (`data.len()` must be the
    /// shape's element count).
    ///
    /// ```no_run
    /// # use dpex_runtime::{Queue, Tensor};
    /// # fn main() -> dpex_runtime::Result<()> {
    /// let q = Queue::default()?;
    /// let m = Tensor::<f32, 2>::from_vec_shape(&q, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3])?;
    /// assert_eq!(m.shape(), [2, 3]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_vec_shape(queue: &Queue, data: Vec<T>, shape: [usize; N]) -> Result<Self> {
        Self::from_host(queue, shape, &data)
    }

    /// A tensor of `shape` whose element at index `[i, j, ...]` is `f([i, j, ...])`.
    ///
    /// ```no_run
    /// # use dpex_runtime::{Queue, Tensor};
    /// # fn main() -> dpex_runtime::Result<()> {
    /// let q = Queue::default()?;
    /// let m = Tensor::from_fn(&q, [3, 4], |[i, j]| (10 * i + j) as f32)?;
    /// assert_eq!(m.to_vec()?[5], 11.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_fn(
        queue: &Queue,
        shape: impl IntoShape<N>,
        mut f: impl FnMut([usize; N]) -> T,
    ) -> Result<Self> {
        let shape = shape.into_shape();
        let len = Self::element_count_of(shape)?;
        let data: Vec<T> = (0..len).map(|flat| f(unravel(flat, shape))).collect();
        Self::from_host(queue, shape, &data)
    }

    /// A tensor of `shape` (`[d0, d1, ...]`, or a length for 1-d) filled with zeros
    /// (`T::default()`).
    pub fn zeros(queue: &Queue, shape: impl IntoShape<N>) -> Result<Self> {
        Self::full(queue, shape, T::default())
    }

    /// A tensor of `shape` filled with ones.
    pub fn ones(queue: &Queue, shape: impl IntoShape<N>) -> Result<Self> {
        Self::full(queue, shape, T::ONE)
    }

    /// A tensor of `shape` filled with `value`. Returns once the fill has completed.
    pub fn full(queue: &Queue, shape: impl IntoShape<N>, value: T) -> Result<Self> {
        let tensor = Self::allocate(queue, shape.into_shape(), None)?;
        let bytes = tensor.buffer_bytes();
        memory::fill(queue, &tensor.memory, as_bytes(&[value]), 0, bytes)?;
        Ok(tensor)
    }
}
