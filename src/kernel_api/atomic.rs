//! Atomic operations on one element of a tensor or of local memory, modelled on numba-dpex's
//! `AtomicRef` and SYCL's `atomic_ref`.

use super::{KernelLocalAccessor, KernelTensor, LocalArray};
use std::convert::Infallible;
use std::marker::PhantomData;

/// The memory order of an atomic operation or fence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryOrder {
    /// No ordering beyond the atomicity of the operation itself.
    Relaxed,
    /// Later accesses stay after it.
    Acquire,
    /// Earlier accesses stay before it.
    Release,
    /// Both acquire and release.
    AcqRel,
    /// Acquire-release, and one total order of all such operations.
    SeqCst,
}

/// Which work-items an atomic operation or fence synchronizes with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryScope {
    /// This work-item only.
    WorkItem,
    /// Its sub-group.
    SubGroup,
    /// Its work-group.
    WorkGroup,
    /// Every work-item of the device.
    Device,
}

/// Memory an [`AtomicRef`] can refer into: writable tensors and local memory.
pub trait AtomicTarget<T> {
    /// The target's (non-existent) host value: kernel memory has none.
    fn unreachable(self) -> Infallible;
}

impl<T> AtomicTarget<T> for &mut KernelTensor<T> {
    fn unreachable(self) -> Infallible {
        match self.never {}
    }
}

impl<T> AtomicTarget<T> for &mut KernelLocalAccessor<T> {
    fn unreachable(self) -> Infallible {
        match self.never {}
    }
}

impl<T, const N: usize> AtomicTarget<T> for &mut LocalArray<T, N> {
    fn unreachable(self) -> Infallible {
        match self.never {}
    }
}

/// Atomic access to element `index` of a writable tensor or of local memory, for `i32`, `u32`,
/// `i64`, `u64` (every operation) and `f32`, `f64` (load, store, exchange, add, sub, min, max).
///
/// `AtomicRef::new(&mut hist, i).fetch_add(1)` uses relaxed order at device scope, as
/// numba-dpex does; `AtomicRef::with_order(&mut hist, i, MemoryOrder::AcqRel,
/// MemoryScope::WorkGroup)` chooses both.
pub struct AtomicRef<T> {
    never: Infallible,
    element: PhantomData<T>,
}

impl<T: Copy> AtomicRef<T> {
    /// Element `index` of `target`, relaxed, at device scope.
    pub fn new(target: impl AtomicTarget<T>, index: usize) -> Self {
        let _ = index;
        match target.unreachable() {}
    }

    /// Element `index` of `target` with the given order and scope.
    pub fn with_order(
        target: impl AtomicTarget<T>,
        index: usize,
        order: MemoryOrder,
        scope: MemoryScope,
    ) -> Self {
        let _ = (index, order, scope);
        match target.unreachable() {}
    }

    /// The current value.
    pub fn load(&self) -> T {
        match self.never {}
    }

    /// Replaces the value.
    pub fn store(&self, value: T) {
        let _ = value;
        match self.never {}
    }

    /// Replaces the value; returns the previous one.
    pub fn exchange(&self, value: T) -> T {
        let _ = value;
        match self.never {}
    }

    /// Replaces the value with `new` if it equals `current`; returns whether it did and the
    /// value it found.
    pub fn compare_exchange(&self, current: T, new: T) -> (bool, T) {
        let _ = (current, new);
        match self.never {}
    }

    /// Adds `value`; returns the previous value.
    pub fn fetch_add(&self, value: T) -> T {
        let _ = value;
        match self.never {}
    }

    /// Subtracts `value`; returns the previous value.
    pub fn fetch_sub(&self, value: T) -> T {
        let _ = value;
        match self.never {}
    }

    /// Stores the minimum of the value and `value`; returns the previous value.
    pub fn fetch_min(&self, value: T) -> T {
        let _ = value;
        match self.never {}
    }

    /// Stores the maximum of the value and `value`; returns the previous value.
    pub fn fetch_max(&self, value: T) -> T {
        let _ = value;
        match self.never {}
    }

    /// Bitwise-ands `value` in; returns the previous value (integers).
    pub fn fetch_and(&self, value: T) -> T {
        let _ = value;
        match self.never {}
    }

    /// Bitwise-ors `value` in; returns the previous value (integers).
    pub fn fetch_or(&self, value: T) -> T {
        let _ = value;
        match self.never {}
    }

    /// Bitwise-xors `value` in; returns the previous value (integers).
    pub fn fetch_xor(&self, value: T) -> T {
        let _ = value;
        match self.never {}
    }
}
