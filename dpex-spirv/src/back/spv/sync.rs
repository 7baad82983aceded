//! Synchronization: work-group barriers (`OpControlBarrier`), fences (`OpMemoryBarrier`), and
//! the scope and memory-semantics operands atomics share with them.

use rspirv::spirv::{StorageClass, Word};

use super::{BuildResult, Emitter, Flavour};
use crate::ir::{FenceSpaces, MemoryOrder, Scalar, Scope};

/// `Scope` operand values.
mod scope {
    /// `Device`.
    pub const DEVICE: u32 = 1;
    /// `Workgroup`.
    pub const WORKGROUP: u32 = 2;
    /// `Subgroup`.
    pub const SUBGROUP: u32 = 3;
    /// `Invocation`.
    pub const INVOCATION: u32 = 4;
}

/// `MemorySemantics` bits.
mod semantics {
    /// `Acquire`.
    pub const ACQUIRE: u32 = 0x2;
    /// `Release`.
    pub const RELEASE: u32 = 0x4;
    /// `AcquireRelease`.
    pub const ACQUIRE_RELEASE: u32 = 0x8;
    /// `SequentiallyConsistent`.
    pub const SEQ_CST: u32 = 0x10;
    /// `WorkgroupMemory` (OpenCL `__local`, Vulkan `shared`).
    pub const WORKGROUP_MEMORY: u32 = 0x100;
}

/// The `Scope` operand value of `scope` (a work-item is an `Invocation`).
pub(super) fn scope_value(scope: Scope) -> u32 {
    match scope {
        Scope::WorkItem => scope::INVOCATION,
        Scope::SubGroup => scope::SUBGROUP,
        Scope::WorkGroup => scope::WORKGROUP,
        Scope::Device => scope::DEVICE,
    }
}

/// The ordering bits of `order` (none for `Relaxed`).
pub(super) fn order_bits(order: MemoryOrder) -> u32 {
    match order {
        MemoryOrder::Relaxed => 0,
        MemoryOrder::Acquire => semantics::ACQUIRE,
        MemoryOrder::Release => semantics::RELEASE,
        MemoryOrder::AcqRel => semantics::ACQUIRE_RELEASE,
        MemoryOrder::SeqCst => semantics::SEQ_CST,
    }
}

impl Emitter {
    /// The storage-class bit of memory in `class`: `WorkgroupMemory`, or the flavour's bit
    /// of global memory (`CrossWorkgroupMemory`, `UniformMemory`).
    pub(super) fn storage_bits(&self, class: StorageClass) -> u32 {
        match class {
            StorageClass::Workgroup => semantics::WORKGROUP_MEMORY,
            _ => self.flavour.global_memory_bits(),
        }
    }

    /// A `u32` constant, for scope and memory-semantics operands.
    pub(super) fn const_u32(&mut self, value: u32) -> Word {
        self.const_int(Scalar::U32, u64::from(value))
    }

    /// `OpControlBarrier` with `Workgroup` execution and memory scope, `AcquireRelease` on the
    /// memory in `fence` (only an execution barrier if it names none).
    pub(super) fn barrier(&mut self, fence: FenceSpaces) -> BuildResult<()> {
        let workgroup = self.const_u32(scope::WORKGROUP);
        let mut bits = 0;
        if fence.local {
            bits |= semantics::WORKGROUP_MEMORY;
        }
        if fence.global {
            bits |= self.flavour.global_memory_bits();
        }
        if bits != 0 {
            bits |= semantics::ACQUIRE_RELEASE;
        }
        let bits = self.const_u32(bits);
        Ok(self.b.control_barrier(workgroup, workgroup, bits)?)
    }

    /// `OpMemoryBarrier` with scope `scope`, ordering `order` on global and local memory.
    /// (Vulkan: a fence of one work-item orders nothing, and Vulkan takes no fence of
    /// `Invocation` scope with an order: none is emitted.)
    pub(super) fn fence(&mut self, order: MemoryOrder, scope: Scope) -> BuildResult<()> {
        if self.flavour == Flavour::Vulkan && scope == Scope::WorkItem {
            return Ok(());
        }
        let scope = self.const_u32(scope_value(scope));
        let bits =
            order_bits(order) | semantics::WORKGROUP_MEMORY | self.flavour.global_memory_bits();
        let bits = self.const_u32(bits);
        Ok(self.b.memory_barrier(scope, bits)?)
    }
}
