//! `ndarray` interop (cargo feature `ndarray`): tensors from array views, arrays from tensors.

use ndarray::{Array, ArrayView, Dimension, IxDyn};

use super::{Element, Tensor};
use crate::error::{Error, Result};
use crate::queue::Queue;

impl<T: Element, const N: usize> Tensor<T, N> {
    /// A contiguous tensor on `queue` holding a copy of `array` (any layout; copied in logical
    /// order). The array must have `N` axes ([`Error::ShapeMismatch`] otherwise).
    pub fn from_ndarray<D: Dimension>(queue: &Queue, array: ArrayView<'_, T, D>) -> Result<Self> {
        let dims = array.shape();
        if dims.len() != N {
            return Err(Error::ShapeMismatch {
                operation: "Tensor::from_ndarray",
                expected: vec![0; N],
                got: dims.to_vec(),
            });
        }
        let mut shape = [0usize; N];
        shape.copy_from_slice(dims);
        match array.as_slice() {
            Some(data) => Self::from_host(queue, shape, data),
            None => Self::from_host(queue, shape, &array.iter().copied().collect::<Vec<T>>()),
        }
    }

    /// The tensor's elements as an `ndarray` array of its shape (row-major). Blocking, like
    /// [`to_vec`](Self::to_vec).
    pub fn to_ndarray(&self) -> Result<Array<T, IxDyn>> {
        let data = self.to_vec()?;
        Array::from_shape_vec(IxDyn(&self.shape), data).map_err(|e| Error::InvalidView {
            operation: "Tensor::to_ndarray",
            detail: e.to_string(),
        })
    }
}
