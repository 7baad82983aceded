//! Work-group local memory: `KernelLocalAccessor<T, N>` kernel parameters (sized at launch) and
//! fixed-size `LocalArray`s declared in the kernel body.

use super::Group;
use std::convert::Infallible;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// What a `LocalAccessor<T, N>` kernel parameter is inside a kernel (and a device function's
/// taking one): work-group local memory, each work-group getting its own elements,
/// shared by its work-items; the launch says how many. Indexed like a slice with one axis,
/// like an N-d tensor with more (`l[[i, j]]`, or row by row `l[i][j]`).
pub struct KernelLocalAccessor<T, const N: usize = 1> {
    never: Infallible,
    element: PhantomData<T>,
}

/// A fixed-size array in work-group local memory, declared in a kernel:
/// `let tile = LocalArray::<f32, 256>::new(&it.get_group());`.
pub struct LocalArray<T, const N: usize> {
    never: Infallible,
    element: PhantomData<T>,
}

/// A fixed-size 2-d array in work-group local memory, indexed `tile[[row, col]]`:
/// `let tile = LocalArray2::<f32, 16, 16>::new(&it.get_group());`.
pub struct LocalArray2<T, const R: usize, const C: usize> {
    never: Infallible,
    element: PhantomData<T>,
}

/// A handle: a device function takes the kernel's accessor by value (`tmp: LocalAccessor<f32>`)
/// and writes the same work-group memory.
impl<T, const N: usize> Clone for KernelLocalAccessor<T, N> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, const N: usize> Copy for KernelLocalAccessor<T, N> {}

impl<T, const N: usize> KernelLocalAccessor<T, N> {
    /// The number of elements (the product of the extents).
    pub fn len(&self) -> usize {
        match self.never {}
    }

    /// True when it has no elements.
    pub fn is_empty(&self) -> bool {
        match self.never {}
    }

    /// The extent of axis `axis` (a constant below `N`).
    pub fn shape(&self, _axis: usize) -> usize {
        match self.never {}
    }
}

impl<T, const N: usize> LocalArray<T, N> {
    /// The array of the work-group `group`.
    pub fn new<const D: usize>(group: &Group<D>) -> Self {
        match group.never {}
    }

    /// The number of elements, `N`.
    pub fn len(&self) -> usize {
        N
    }

    /// True when `N` is 0.
    pub fn is_empty(&self) -> bool {
        N == 0
    }
}

impl<T, const R: usize, const C: usize> LocalArray2<T, R, C> {
    /// The array of the work-group `group`.
    pub fn new<const D: usize>(group: &Group<D>) -> Self {
        match group.never {}
    }
}

impl<T> Index<usize> for KernelLocalAccessor<T> {
    type Output = T;
    fn index(&self, _index: usize) -> &T {
        match self.never {}
    }
}

impl<T> IndexMut<usize> for KernelLocalAccessor<T> {
    fn index_mut(&mut self, _index: usize) -> &mut T {
        match self.never {}
    }
}

/// Rows of an N-d local accessor: `l[i]` fixes axis 0, so `l[i][j]` is `l[[i, j]]`.
macro_rules! local_rows {
    ($($n:literal => $m:literal),*) => {$(
        impl<T> Index<usize> for KernelLocalAccessor<T, $n> {
            type Output = KernelLocalAccessor<T, $m>;
            fn index(&self, _index: usize) -> &KernelLocalAccessor<T, $m> {
                match self.never {}
            }
        }

        impl<T> IndexMut<usize> for KernelLocalAccessor<T, $n> {
            fn index_mut(&mut self, _index: usize) -> &mut KernelLocalAccessor<T, $m> {
                match self.never {}
            }
        }

        impl<T> Index<[usize; $n]> for KernelLocalAccessor<T, $n> {
            type Output = T;
            fn index(&self, _index: [usize; $n]) -> &T {
                match self.never {}
            }
        }

        impl<T> IndexMut<[usize; $n]> for KernelLocalAccessor<T, $n> {
            fn index_mut(&mut self, _index: [usize; $n]) -> &mut T {
                match self.never {}
            }
        }
    )*};
}

local_rows!(2 => 1, 3 => 2);

impl<T, const N: usize> Index<usize> for LocalArray<T, N> {
    type Output = T;
    fn index(&self, _index: usize) -> &T {
        match self.never {}
    }
}

impl<T, const N: usize> IndexMut<usize> for LocalArray<T, N> {
    fn index_mut(&mut self, _index: usize) -> &mut T {
        match self.never {}
    }
}

impl<T, const R: usize, const C: usize> Index<[usize; 2]> for LocalArray2<T, R, C> {
    type Output = T;
    fn index(&self, _index: [usize; 2]) -> &T {
        match self.never {}
    }
}

impl<T, const R: usize, const C: usize> IndexMut<[usize; 2]> for LocalArray2<T, R, C> {
    fn index_mut(&mut self, _index: [usize; 2]) -> &mut T {
        match self.never {}
    }
}
