//! Host-side stand-ins for the types kernels see, so that rustc can type-check kernel bodies.
//!
//! `#[kernel]` keeps a hidden copy of each kernel as an ordinary Rust function whose parameters
//! use these types. They give rustc and IDEs the same methods and operators the kernel language
//! has; they have no values (each holds an uninhabited field), so that copy can never run. The
//! kernel itself runs on the device, compiled from the SPIR-V the macro emitted.

mod atomic;
mod float;
mod int;
mod memory;
mod nd_range;

pub use atomic::{AtomicRef, MemoryOrder, MemoryScope};
pub use float::Float;
pub use int::Int;
pub use memory::{KernelLocalAccessor, LocalArray, LocalArray2};
pub use nd_range::{
    atomic_fence, group_barrier, group_barrier_with, FenceSpace, Group, NdItem, SubGroup,
};

use std::convert::Infallible;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// The index of one work-item in an `N`-dimensional launch range (numba-dpex's `Item`).
///
/// Kernels take it as their first parameter: `fn k(item: Item<1>, ...)`.
pub struct Item<const N: usize> {
    never: Infallible,
}

impl<const N: usize> Item<N> {
    /// The work-item's global id in dimension `dim` (`get_global_id(dim)` in OpenCL C).
    pub fn get_id(&self, dim: usize) -> usize {
        let _ = dim;
        match self.never {}
    }

    /// Same as [`Item::get_id`], under its OpenCL/SYCL name.
    pub fn get_global_id(&self, dim: usize) -> usize {
        self.get_id(dim)
    }

    /// The size of the launch range in dimension `dim` (`get_global_size(dim)` in OpenCL C).
    pub fn get_range(&self, dim: usize) -> usize {
        let _ = dim;
        match self.never {}
    }

    /// Same as [`Item::get_range`], under its OpenCL/SYCL name.
    pub fn get_global_range(&self, dim: usize) -> usize {
        self.get_range(dim)
    }

    /// The global id as one number, row-major (the last dimension varies fastest).
    pub fn get_linear_id(&self) -> usize {
        match self.never {}
    }

    /// The number of work-items in the launch: the product of the range.
    pub fn get_linear_range(&self) -> usize {
        match self.never {}
    }

    /// The number of dimensions of the launch, `N`.
    pub fn dimensions(&self) -> usize {
        N
    }
}

/// What a `&Tensor<T, N>` / `&mut Tensor<T, N>` kernel parameter is inside a kernel: a view
/// with `N` axes, indexed `x[i]` (one axis) or `x[[i, j, ...]]`, with its `len()` and
/// `shape(axis)`. Any view works (transposed, sliced, strided): the kernel honours its layout.
pub struct KernelTensor<T, const N: usize = 1> {
    pub(super) never: Infallible,
    element: PhantomData<T>,
}

impl<T, const N: usize> KernelTensor<T, N> {
    /// The number of elements.
    pub fn len(&self) -> usize {
        match self.never {}
    }

    /// True when the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        match self.never {}
    }

    /// The extent of axis `axis` (a constant below `N`).
    pub fn shape(&self, axis: usize) -> usize {
        let _ = axis;
        match self.never {}
    }
    /// Element `index` of a 1-d tensor without the bounds check of safe kernels.
    ///
    /// # Safety
    /// `index` must be below `len()`: an index past the end reads memory the tensor does not
    /// own.
    pub unsafe fn get_unchecked(&self, index: usize) -> T {
        let _ = index;
        match self.never {}
    }
}

/// `impl`s for a tensor of `$n` axes whose rows have `$m` axes: `x.row(i)`, `x.row_mut(i)`
/// and `x[i]` give the row at index `i` of axis 0.
macro_rules! rows {
    ($($n:literal => $m:literal),*) => {$(
        impl<T> KernelTensor<T, $n> {
            /// Row `i` of axis 0: a read-only view of the other axes, indexed `r[j]` (or
            /// `r[[j, k, ...]]`), with their `len()` and `shape(axis)`. Its accesses are
            /// checked as `x[[i, j, ...]]` is (an index past an extent, `i` included, is an
            /// out-of-bounds error naming the axis of `x`); `x.row(i)[j]` is `x[[i, j]]`.
            pub fn row(&self, i: usize) -> &KernelTensor<T, $m> {
                let _ = i;
                match self.never {}
            }

            /// Row `i` of axis 0 as a writable view: `x.row_mut(i)[j] = v` is
            /// `x[[i, j]] = v`. Needs a `&mut Tensor` parameter.
            pub fn row_mut(&mut self, i: usize) -> &mut KernelTensor<T, $m> {
                let _ = i;
                match self.never {}
            }
        }

        /// `x[i]` is row `i` of axis 0 (see [`KernelTensor::row`]): `x[i][j]` is `x[[i, j]]`.
        impl<T> Index<usize> for KernelTensor<T, $n> {
            type Output = KernelTensor<T, $m>;

            fn index(&self, _index: usize) -> &KernelTensor<T, $m> {
                match self.never {}
            }
        }

        /// `x[i][j] = v` writes `x[[i, j]]`.
        impl<T> IndexMut<usize> for KernelTensor<T, $n> {
            fn index_mut(&mut self, _index: usize) -> &mut KernelTensor<T, $m> {
                match self.never {}
            }
        }
    )*};
}

rows!(2 => 1, 3 => 2, 4 => 3);

impl<T> Index<usize> for KernelTensor<T, 1> {
    type Output = T;

    fn index(&self, _index: usize) -> &T {
        match self.never {}
    }
}

impl<T> IndexMut<usize> for KernelTensor<T, 1> {
    fn index_mut(&mut self, _index: usize) -> &mut T {
        match self.never {}
    }
}

impl<T, const N: usize> Index<[usize; N]> for KernelTensor<T, N> {
    type Output = T;

    fn index(&self, _index: [usize; N]) -> &T {
        match self.never {}
    }
}

impl<T, const N: usize> IndexMut<[usize; N]> for KernelTensor<T, N> {
    fn index_mut(&mut self, _index: [usize; N]) -> &mut T {
        match self.never {}
    }
}
