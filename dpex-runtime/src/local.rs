//! `LocalAccessor<T, N>`: work-group local memory whose extents are chosen at launch.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use crate::tensor::{Element, IntoShape};

/// The most axes of a [`LocalAccessor`] that a kernel takes (as SYCL's `local_accessor<T, 3>`).
pub const MAX_LOCAL_DIMS: usize = 3;

/// Work-group local memory of `shape` elements of `T` (`N` axes, 1 to [`MAX_LOCAL_DIMS`]),
/// passed at launch for a kernel parameter declared `tmp: LocalAccessor<T>` (one axis) or
/// `tile: LocalAccessor<T, 2>` (indexed `tile[[r, c]]` or `tile[r][c]` in the kernel, stored
/// row-major), as SYCL's `local_accessor<T, N>(range, handler)`.
///
/// Every work-group gets its own elements (OpenCL `__local` memory), uninitialized at the
/// start of the work-group. The launch checks that no extent is 0 and that all local memory of
/// the kernel fits the device's `CL_DEVICE_LOCAL_MEM_SIZE`.
///
/// ```
/// use dpex_runtime::{KernelArg, LocalAccessor};
/// let tmp = LocalAccessor::<f32>::new(256);
/// assert_eq!(tmp.len(), 256);
/// let arg: KernelArg<'static> = tmp.into();
/// assert_eq!(arg.describe(), "LocalAccessor<f32>");
/// let tile = LocalAccessor::<f32, 2>::new([16, 17]);
/// assert_eq!((tile.shape(), tile.len()), ([16, 17], 272));
/// assert_eq!(KernelArg::from(tile).describe(), "LocalAccessor<f32, 2>");
/// ```
pub struct LocalAccessor<T: Element, const N: usize = 1> {
    shape: [usize; N],
    _elem: PhantomData<fn() -> T>,
}

impl<T: Element, const N: usize> LocalAccessor<T, N> {
    /// Local memory of `shape` elements per work-group: a `usize` for one axis, `[d0, d1, ..]`
    /// for more (an extent of 0 is rejected at launch).
    pub fn new(shape: impl IntoShape<N>) -> Self {
        LocalAccessor {
            shape: shape.into_shape(),
            _elem: PhantomData,
        }
    }

    /// The extents, axis 0 first.
    pub fn shape(&self) -> [usize; N] {
        self.shape
    }

    /// The number of elements per work-group (saturating at `usize::MAX`, which no launch
    /// accepts).
    pub fn len(&self) -> usize {
        self.shape
            .iter()
            .try_fold(1usize, |acc, &n| acc.checked_mul(n))
            .unwrap_or(usize::MAX)
    }

    /// Whether the accessor has no elements (such a launch is rejected).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The size in bytes per work-group (`None` if it overflows `usize`).
    pub fn bytes(&self) -> Option<usize> {
        self.shape
            .iter()
            .try_fold(std::mem::size_of::<T>(), |acc, &n| acc.checked_mul(n))
    }
}

// Written by hand: derives would demand `T: Clone`/`T: Hash`/..., which f32 lacks for Hash.
impl<T: Element, const N: usize> Clone for LocalAccessor<T, N> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Element, const N: usize> Copy for LocalAccessor<T, N> {}

impl<T: Element, const N: usize> PartialEq for LocalAccessor<T, N> {
    fn eq(&self, other: &Self) -> bool {
        self.shape == other.shape
    }
}

impl<T: Element, const N: usize> Eq for LocalAccessor<T, N> {}

impl<T: Element, const N: usize> Hash for LocalAccessor<T, N> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.shape.hash(state);
    }
}

impl<T: Element, const N: usize> fmt::Debug for LocalAccessor<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.shape.as_slice() {
            [len] => write!(f, "LocalAccessor<{}>({len})", T::DTYPE),
            shape => write!(f, "LocalAccessor<{}, {N}>({shape:?})", T::DTYPE),
        }
    }
}
