//! `LocalAccessor<T>`: work-group local memory whose element count is chosen at launch.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use crate::tensor::Element;

/// Work-group local memory of `len` elements of `T`, passed at launch for a kernel parameter
/// declared `tmp: LocalAccessor<T>`.
///
/// Every work-group gets its own `len` elements (OpenCL `__local` memory), uninitialized at the
/// start of the work-group. The launch checks that `len` is not 0 and that all local memory of
/// the kernel fits the device's `CL_DEVICE_LOCAL_MEM_SIZE`.
///
/// ```
/// use dpex_runtime::{KernelArg, LocalAccessor};
/// let tmp = LocalAccessor::<f32>::new(256);
/// assert_eq!(tmp.len(), 256);
/// let arg: KernelArg<'static> = tmp.into();
/// assert_eq!(arg.describe(), "LocalAccessor<f32>");
/// ```
pub struct LocalAccessor<T: Element> {
    len: usize,
    _elem: PhantomData<fn() -> T>,
}

impl<T: Element> LocalAccessor<T> {
    /// Local memory of `len` elements per work-group (0 is rejected at launch).
    pub fn new(len: usize) -> Self {
        LocalAccessor {
            len,
            _elem: PhantomData,
        }
    }

    /// The number of elements per work-group.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the accessor has no elements (such a launch is rejected).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The size in bytes per work-group (`None` if it overflows `usize`).
    pub fn bytes(&self) -> Option<usize> {
        self.len.checked_mul(std::mem::size_of::<T>())
    }
}

// Written by hand: derives would demand `T: Clone`/`T: Hash`/..., which f32 lacks for Hash.
impl<T: Element> Clone for LocalAccessor<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Element> Copy for LocalAccessor<T> {}

impl<T: Element> PartialEq for LocalAccessor<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len
    }
}

impl<T: Element> Eq for LocalAccessor<T> {}

impl<T: Element> Hash for LocalAccessor<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.len.hash(state);
    }
}

impl<T: Element> fmt::Debug for LocalAccessor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LocalAccessor<{}>({})", T::DTYPE, self.len)
    }
}
