//! Atomic operations on one element of a tensor or of local memory, modelled on numba-dpex's
//! `AtomicRef` and SYCL's `atomic_ref`.

use std::cell::Cell;
use std::ops::{Add, BitAnd, BitOr, BitXor, Sub};

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

/// Atomic access to one element of a writable tensor or of local memory, for `i32`, `u32`,
/// `i64`, `u64` (every operation) and `f32`, `f64` (load, store, exchange, compare-exchange,
/// add, sub, min, max), as SYCL's `atomic_ref(y[i])`:
///
/// `AtomicRef::new(&mut hist[i]).fetch_add(1)` uses relaxed order at device scope, as
/// numba-dpex does; `AtomicRef::with_order(&mut hist[i], MemoryOrder::AcqRel,
/// MemoryScope::WorkGroup)` chooses both; as in SYCL, `load` then uses the order's read half
/// (acquire for `AcqRel`) and `store` its write half (release for `AcqRel`). On the host (where there is one work-item) the
/// operations act on the element directly.
pub struct AtomicRef<'a, T> {
    element: &'a Cell<T>,
}

impl<'a, T: Copy> AtomicRef<'a, T> {
    /// The element, relaxed, at device scope.
    pub fn new(element: &'a mut T) -> Self {
        AtomicRef {
            element: Cell::from_mut(element),
        }
    }

    /// The element with the given order and scope.
    pub fn with_order(element: &'a mut T, order: MemoryOrder, scope: MemoryScope) -> Self {
        let _ = (order, scope);
        AtomicRef::new(element)
    }

    /// The current value.
    pub fn load(&self) -> T {
        self.element.get()
    }

    /// Replaces the value.
    pub fn store(&self, value: T) {
        self.element.set(value);
    }

    /// Replaces the value; returns the previous one.
    pub fn exchange(&self, value: T) -> T {
        self.element.replace(value)
    }

    /// Applies `f` to the value; returns the previous one.
    fn update(&self, f: impl FnOnce(T) -> T) -> T {
        let previous = self.element.get();
        self.element.set(f(previous));
        previous
    }
}

impl<T: Copy + PartialEq> AtomicRef<'_, T> {
    /// Replaces the value with `new` if it equals `current`; returns whether it did and the
    /// value it found. On the device the comparison is of bit patterns: for floats `-0.0`
    /// does not equal `0.0`, and a NaN equals a NaN of the same bits.
    pub fn compare_exchange(&self, current: T, new: T) -> (bool, T) {
        let found = self.element.get();
        let swapped = found == current;
        if swapped {
            self.element.set(new);
        }
        (swapped, found)
    }
}

impl<T: Copy + Add<Output = T> + Sub<Output = T> + PartialOrd> AtomicRef<'_, T> {
    /// Adds `value`; returns the previous value.
    pub fn fetch_add(&self, value: T) -> T {
        self.update(|v| v + value)
    }

    /// Subtracts `value`; returns the previous value.
    pub fn fetch_sub(&self, value: T) -> T {
        self.update(|v| v - value)
    }

    /// Stores the minimum of the value and `value`; returns the previous value.
    pub fn fetch_min(&self, value: T) -> T {
        self.update(|v| if value < v { value } else { v })
    }

    /// Stores the maximum of the value and `value`; returns the previous value.
    pub fn fetch_max(&self, value: T) -> T {
        self.update(|v| if value > v { value } else { v })
    }
}

impl<T: Copy + BitAnd<Output = T> + BitOr<Output = T> + BitXor<Output = T>> AtomicRef<'_, T> {
    /// Bitwise-ands `value` in; returns the previous value (integers).
    pub fn fetch_and(&self, value: T) -> T {
        self.update(|v| v & value)
    }

    /// Bitwise-ors `value` in; returns the previous value (integers).
    pub fn fetch_or(&self, value: T) -> T {
        self.update(|v| v | value)
    }

    /// Bitwise-xors `value` in; returns the previous value (integers).
    pub fn fetch_xor(&self, value: T) -> T {
        self.update(|v| v ^ value)
    }
}
