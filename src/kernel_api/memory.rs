//! Work-group local memory: `KernelLocalAccessor<T>` kernel parameters (sized at launch) and
//! fixed-size `LocalArray`s declared in the kernel body.

use super::Group;
use std::convert::Infallible;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// What a `LocalAccessor<T>` kernel parameter is inside a kernel: work-group local memory,
/// each work-group getting its own elements,
/// shared by its work-items; the launch says how many. Indexed like a slice.
pub struct KernelLocalAccessor<T> {
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

impl<T> KernelLocalAccessor<T> {
    /// The number of elements.
    pub fn len(&self) -> usize {
        match self.never {}
    }

    /// True when it has no elements.
    pub fn is_empty(&self) -> bool {
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
