//! The ND-range execution model: `NdItem`, `Group`, `SubGroup`, barriers and fences
//! (numba-dpex's `kernel_api` / SYCL's names, in Rust case).

use super::{MemoryOrder, MemoryScope};
use std::convert::Infallible;

/// A work-item of an `N`-dimensional ND-range launch (`NdRange::new(global, local)`): its
/// global and local ids, its work-group and sub-group.
pub struct NdItem<const N: usize> {
    never: Infallible,
}

impl<const N: usize> NdItem<N> {
    /// The global id in dimension `dim` (`get_global_id`).
    pub fn get_global_id(&self, dim: usize) -> usize {
        let _ = dim;
        match self.never {}
    }

    /// The id within the work-group in dimension `dim` (`get_local_id`).
    pub fn get_local_id(&self, dim: usize) -> usize {
        let _ = dim;
        match self.never {}
    }

    /// The global range in dimension `dim` (`get_global_size`).
    pub fn get_global_range(&self, dim: usize) -> usize {
        let _ = dim;
        match self.never {}
    }

    /// The work-group size in dimension `dim` (`get_local_size`).
    pub fn get_local_range(&self, dim: usize) -> usize {
        let _ = dim;
        match self.never {}
    }

    /// The work-group's id in dimension `dim` (`get_group_id`).
    pub fn get_group_id(&self, dim: usize) -> usize {
        let _ = dim;
        match self.never {}
    }

    /// The number of work-groups in dimension `dim` (`get_num_groups`).
    pub fn get_group_range(&self, dim: usize) -> usize {
        let _ = dim;
        match self.never {}
    }

    /// The global id as one number, row-major (the last dimension varies fastest).
    pub fn get_global_linear_id(&self) -> usize {
        match self.never {}
    }

    /// The id within the work-group as one number, row-major.
    pub fn get_local_linear_id(&self) -> usize {
        match self.never {}
    }

    /// The number of work-items in the launch: the product of the global range.
    pub fn get_global_linear_range(&self) -> usize {
        match self.never {}
    }

    /// The number of work-items in a work-group: the product of the local range.
    pub fn get_local_linear_range(&self) -> usize {
        match self.never {}
    }

    /// The number of dimensions of the launch, `N`.
    pub fn dimensions(&self) -> usize {
        N
    }

    /// The work-group this work-item belongs to.
    pub fn get_group(&self) -> Group<N> {
        match self.never {}
    }

    /// The sub-group this work-item belongs to.
    pub fn get_sub_group(&self) -> SubGroup {
        match self.never {}
    }
}

/// A work-group of an ND-range launch.
pub struct Group<const N: usize> {
    pub(super) never: Infallible,
}

impl<const N: usize> Group<N> {
    /// The group's id in dimension `dim`.
    pub fn get_group_id(&self, dim: usize) -> usize {
        let _ = dim;
        match self.never {}
    }

    /// The group's id as one number, row-major.
    pub fn get_group_linear_id(&self) -> usize {
        match self.never {}
    }

    /// The number of groups in dimension `dim`.
    pub fn get_group_range(&self, dim: usize) -> usize {
        let _ = dim;
        match self.never {}
    }

    /// The number of groups in the launch: the product of the group range.
    pub fn get_group_linear_range(&self) -> usize {
        match self.never {}
    }

    /// The number of dimensions of the launch, `N`.
    pub fn dimensions(&self) -> usize {
        N
    }

    /// The group's size in dimension `dim`.
    pub fn get_local_range(&self, dim: usize) -> usize {
        let _ = dim;
        match self.never {}
    }

    /// The number of work-items in the group.
    pub fn get_local_linear_range(&self) -> usize {
        match self.never {}
    }

    /// True for the work-item with local id 0 in every dimension.
    pub fn leader(&self) -> bool {
        match self.never {}
    }
}

/// A sub-group: the work-items of a work-group that the device runs in lock-step (a SIMD
/// width). Needs a device with `cl_khr_subgroups`.
pub struct SubGroup {
    never: Infallible,
}

macro_rules! sub_group_ops {
    ($($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        impl SubGroup {
            $($(#[$doc])* pub fn $name<T: Copy>(&self, $($arg: $ty),*) -> $ret {
                let _ = ($($arg,)*);
                match self.never {}
            })*
        }
    };
}

impl SubGroup {
    /// The work-item's id within the sub-group.
    pub fn get_local_id(&self) -> u32 {
        match self.never {}
    }

    /// The sub-group's id within the work-group.
    pub fn get_group_id(&self) -> u32 {
        match self.never {}
    }

    /// The number of work-items in this sub-group.
    pub fn get_local_range(&self) -> u32 {
        match self.never {}
    }

    /// The number of sub-groups in the work-group.
    pub fn get_group_range(&self) -> u32 {
        match self.never {}
    }

    /// True when `predicate` holds for any work-item of the sub-group.
    pub fn any(&self, predicate: bool) -> bool {
        let _ = predicate;
        match self.never {}
    }

    /// True when `predicate` holds for every work-item of the sub-group.
    pub fn all(&self, predicate: bool) -> bool {
        let _ = predicate;
        match self.never {}
    }
}

sub_group_ops! {
    /// `value` of the work-item whose sub-group id is `lane` (the same `lane` for all).
    fn broadcast(value: T, lane: u32) -> T;
    /// `value` of the work-item whose sub-group id is `lane` (may differ per work-item).
    fn shuffle(value: T, lane: u32) -> T;
    /// `value` of the work-item whose sub-group id is this one's xor `mask`.
    fn shuffle_xor(value: T, mask: u32) -> T;
    /// The sum of `value` over the sub-group.
    fn reduce_add(value: T) -> T;
    /// The minimum of `value` over the sub-group.
    fn reduce_min(value: T) -> T;
    /// The maximum of `value` over the sub-group.
    fn reduce_max(value: T) -> T;
    /// The sum of `value` over the work-items with ids up to this one's.
    fn inclusive_scan_add(value: T) -> T;
    /// The sum of `value` over the work-items with ids below this one's.
    fn exclusive_scan_add(value: T) -> T;
}

/// Which memory a barrier's fence orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FenceSpace {
    /// Work-group local memory only.
    Local,
    /// Global memory only.
    Global,
    /// Both (what [`group_barrier`] fences).
    All,
}

/// Waits until every work-item of `group` has reached this barrier; local and global memory
/// writes made before it are visible to the group after it. Every work-item of the group must
/// reach the same barrier.
pub fn group_barrier<const N: usize>(group: &Group<N>) {
    match group.never {}
}

/// [`group_barrier`] fencing only `space`.
pub fn group_barrier_with<const N: usize>(group: &Group<N>, space: FenceSpace) {
    let _ = space;
    match group.never {}
}

/// Orders this work-item's memory accesses with `order` at `scope`, without waiting for
/// other work-items.
pub fn atomic_fence(order: MemoryOrder, scope: MemoryScope) {
    let _ = (order, scope);
}
