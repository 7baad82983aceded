//! Atomic operations on tensors and local memory: the `OpAtomic*` instructions for integers;
//! for floats, loads, stores, exchanges and compare-exchanges on the bit pattern (a `u32` or
//! `u64` view of the element, through `OpBitcast`) and arithmetic as a compare-exchange loop.
//!
//! `spirv-val` accepts `OpAtomicLoad`/`Store`/`Exchange` on floats, but drivers need not: the
//! Intel OpenCL CPU runtime has no `atomic_xchg` on `double` and fails to link such a module,
//! while integer atomics are everywhere.
//!
//! The loop (`fetch_add`, `fetch_sub`, `fetch_min`, `fetch_max` on `f32`/`f64`) works on every
//! device, with or without native float atomics:
//!
//! ```text
//! old0 = atomic load (relaxed)
//! loop: old = phi(old0, cur)
//!       cur = atomic compare-exchange(bits(op(float(old), value)), expected = old)
//!       until cur == old
//! result = float(old)
//! ```
//!
//! `fetch_min`/`fetch_max` compute with `fmin`/`fmax`, Rust's `f32::min`/`max` rule: a NaN
//! operand leaves the stored value, a NaN stored value is replaced.

use rspirv::spirv::{Capability, LoopControl, Op, StorageClass, Word};

use super::memory::ElementPtr;
use super::sync::{order_bits, scope_value};
use super::{BuildError, BuildResult, Emitter, Flavour};
use crate::ir::{AtomicOp, Expr, Memory, MemoryOrder, Scalar, Scope};

/// The integer type a float is viewed as for compare-exchange.
fn bits_scalar(s: Scalar) -> Scalar {
    match s.bits() {
        64 => Scalar::U64,
        _ => Scalar::U32,
    }
}

/// The order of the failure side of a compare-exchange: no release.
fn failure_order(order: MemoryOrder) -> MemoryOrder {
    match order {
        MemoryOrder::Release => MemoryOrder::Relaxed,
        MemoryOrder::AcqRel => MemoryOrder::Acquire,
        other => other,
    }
}

/// The scope and semantics operands of an atomic instruction.
#[derive(Clone, Copy)]
struct Target {
    /// The `Scope` constant.
    scope: Word,
    /// The `MemorySemantics` constant of the operation's order.
    semantics: Word,
    /// The `MemorySemantics` constant of a compare-exchange's failure.
    failure: Word,
    /// The `MemorySemantics` constant of relaxed access to this memory.
    relaxed: Word,
}

impl Emitter {
    /// The memory-semantics constant of `order` on memory in `class`.
    fn semantics(&mut self, order: MemoryOrder, class: StorageClass) -> Word {
        let bits = order_bits(order) | self.storage_bits(class);
        self.const_u32(bits)
    }

    /// The order an atomic load is emitted with. Vulkan takes no release side on loads, so
    /// `SeqCst` and `AcqRel` loads are `Acquire` there (Vulkan has no single total order of
    /// loads and stores to offer instead); OpenCL takes `order` as it is.
    fn load_order(&self, order: MemoryOrder) -> MemoryOrder {
        match (self.flavour, order) {
            (Flavour::Vulkan, MemoryOrder::SeqCst | MemoryOrder::AcqRel) => MemoryOrder::Acquire,
            (Flavour::Vulkan, MemoryOrder::Release) => MemoryOrder::Relaxed,
            _ => order,
        }
    }

    /// The order an atomic store is emitted with: for Vulkan, `SeqCst` and `AcqRel` stores
    /// are `Release` (no acquire side on stores); OpenCL takes `order` as it is.
    fn store_order(&self, order: MemoryOrder) -> MemoryOrder {
        match (self.flavour, order) {
            (Flavour::Vulkan, MemoryOrder::SeqCst | MemoryOrder::AcqRel) => MemoryOrder::Release,
            (Flavour::Vulkan, MemoryOrder::Acquire) => MemoryOrder::Relaxed,
            _ => order,
        }
    }

    /// Evaluates the index and resolves the element an atomic touches; declares
    /// `Int64Atomics` for 64-bit elements.
    fn target(
        &mut self,
        memory: Memory,
        index: Word,
        order: MemoryOrder,
        scope: Scope,
    ) -> BuildResult<(ElementPtr, Target)> {
        let p = self.element_ptr(memory, index)?;
        if p.elem.bits() == 64 {
            self.require(Capability::Int64Atomics);
        }
        // Vulkan: an atomic of one invocation orders nothing, and must say so (no semantics).
        if self.flavour == Flavour::Vulkan && scope == Scope::WorkItem {
            let none = self.const_u32(0);
            let target = Target {
                scope: self.const_u32(scope_value(scope)),
                semantics: none,
                failure: none,
                relaxed: none,
            };
            return Ok((p, target));
        }
        let target = Target {
            scope: self.const_u32(scope_value(scope)),
            semantics: self.semantics(order, p.class),
            failure: self.semantics(failure_order(order), p.class),
            relaxed: self.semantics(MemoryOrder::Relaxed, p.class),
        };
        Ok((p, target))
    }

    /// An atomic read-modify-write or load; returns the previous value.
    pub(super) fn atomic(
        &mut self,
        op: AtomicOp,
        memory: Memory,
        index: &Expr,
        operands: &[Expr],
        order: MemoryOrder,
        scope: Scope,
    ) -> BuildResult<Word> {
        let index = self.expr(index)?;
        let values = operands
            .iter()
            .map(|operand| self.expr(operand))
            .collect::<BuildResult<Vec<_>>>()?;
        let order = match op {
            AtomicOp::Load => self.load_order(order),
            _ => order,
        };
        let (p, t) = self.target(memory, index, order, scope)?;
        let elem = p.elem;
        let signed = elem.is_signed_int();
        let instruction = match op {
            AtomicOp::Load => {
                let (ptr, bits) = self.bits_view(p)?;
                let ty = self.ty(bits);
                let value = self.op(Op::AtomicLoad, ty, &[ptr, t.scope, t.semantics])?;
                return self.bitcast(bits, elem, value);
            }
            AtomicOp::CompareExchange => {
                return self.compare_exchange(p, t, &values);
            }
            AtomicOp::Exchange => Op::AtomicExchange,
            _ if elem.is_float() => {
                let value = self.operand(&values, 0)?;
                return self.float_loop(op, p, t, value);
            }
            AtomicOp::Add => Op::AtomicIAdd,
            AtomicOp::Sub => Op::AtomicISub,
            AtomicOp::Min if signed => Op::AtomicSMin,
            AtomicOp::Min => Op::AtomicUMin,
            AtomicOp::Max if signed => Op::AtomicSMax,
            AtomicOp::Max => Op::AtomicUMax,
            AtomicOp::And => Op::AtomicAnd,
            AtomicOp::Or => Op::AtomicOr,
            AtomicOp::Xor => Op::AtomicXor,
        };
        let value = self.operand(&values, 0)?;
        let (ptr, bits) = self.bits_view(p)?;
        let value = self.bitcast(elem, bits, value)?;
        let ty = self.ty(bits);
        let previous = self.op(instruction, ty, &[ptr, t.scope, t.semantics, value])?;
        self.bitcast(bits, elem, previous)
    }

    /// Operand `i` of an atomic.
    fn operand(&self, values: &[Word], i: usize) -> BuildResult<Word> {
        values
            .get(i)
            .copied()
            .ok_or_else(|| BuildError::Internal(format!("atomic without operand {i}")))
    }

    /// An atomic store of `value` into `memory[index]`.
    pub(super) fn atomic_store(
        &mut self,
        memory: Memory,
        index: &Expr,
        value: &Expr,
        order: MemoryOrder,
        scope: Scope,
    ) -> BuildResult<()> {
        let index = self.expr(index)?;
        let value = self.expr(value)?;
        let order = self.store_order(order);
        let (p, t) = self.target(memory, index, order, scope)?;
        let (ptr, bits) = self.bits_view(p)?;
        let value = self.bitcast(p.elem, bits, value)?;
        Ok(self.b.atomic_store(ptr, t.scope, t.semantics, value)?)
    }

    /// The element viewed as its bit pattern: a pointer to `u32`/`u64` and that type (the
    /// element itself for integers).
    fn bits_view(&mut self, p: ElementPtr) -> BuildResult<(Word, Scalar)> {
        if !p.elem.is_float() {
            return Ok((p.ptr, p.elem));
        }
        // Memory that holds the float as its bits already (Vulkan work-group memory).
        if p.held != p.elem {
            return Ok((p.ptr, p.held));
        }
        let bits = bits_scalar(p.elem);
        let ptr_ty = if p.class == StorageClass::Workgroup {
            let int_ty = self.ty(bits);
            self.ptr_ty(p.class, int_ty)
        } else {
            self.global_ptr_ty(bits)
        };
        Ok((self.op(Op::Bitcast, ptr_ty, &[p.ptr])?, bits))
    }

    /// `OpBitcast` of `value` to `to` (nothing if `from == to`).
    fn bitcast(&mut self, from: Scalar, to: Scalar, value: Word) -> BuildResult<Word> {
        if from == to {
            return Ok(value);
        }
        let ty = self.ty(to);
        self.op(Op::Bitcast, ty, &[value])
    }

    /// `compare_exchange(expected, new)`: bitwise on the integer view of floats.
    fn compare_exchange(&mut self, p: ElementPtr, t: Target, values: &[Word]) -> BuildResult<Word> {
        let (expected, new) = (self.operand(values, 0)?, self.operand(values, 1)?);
        let (ptr, bits) = self.bits_view(p)?;
        let expected = self.bitcast(p.elem, bits, expected)?;
        let new = self.bitcast(p.elem, bits, new)?;
        let ty = self.ty(bits);
        let previous = self.op(
            Op::AtomicCompareExchange,
            ty,
            &[ptr, t.scope, t.semantics, t.failure, new, expected],
        )?;
        self.bitcast(bits, p.elem, previous)
    }

    /// A float `fetch_add`/`fetch_sub`/`fetch_min`/`fetch_max` as a compare-exchange loop
    /// (see the module documentation); returns the previous value.
    fn float_loop(
        &mut self,
        op: AtomicOp,
        p: ElementPtr,
        t: Target,
        value: Word,
    ) -> BuildResult<Word> {
        let (ptr, bits) = self.bits_view(p)?;
        let int_ty = self.ty(bits);
        let float_ty = self.ty(p.elem);
        let bool_ty = self.ty(Scalar::Bool);
        let initial = self.op(Op::AtomicLoad, int_ty, &[ptr, t.scope, t.relaxed])?;
        let entry = self.current()?;
        let (header, continue_target, merge) = (self.b.id(), self.b.id(), self.b.id());
        let current = self.b.id();
        self.branch(header)?;

        self.begin_block(header)?;
        let old = self
            .b
            .phi(int_ty, None, [(initial, entry), (current, continue_target)])?;
        let old_value = self.op(Op::Bitcast, float_ty, &[old])?;
        let new_value = match op {
            AtomicOp::Add => self.op(Op::FAdd, float_ty, &[old_value, value])?,
            AtomicOp::Sub => self.op(Op::FSub, float_ty, &[old_value, value])?,
            AtomicOp::Min => self.float_min_max(false, p.elem, old_value, value)?,
            AtomicOp::Max => self.float_min_max(true, p.elem, old_value, value)?,
            other => return Err(BuildError::Internal(format!("no float loop for {other:?}"))),
        };
        let new = self.op(Op::Bitcast, int_ty, &[new_value])?;
        self.op_with_id(
            Op::AtomicCompareExchange,
            int_ty,
            current,
            &[ptr, t.scope, t.semantics, t.relaxed, new, old],
        )?;
        let done = self.op(Op::IEqual, bool_ty, &[current, old])?;
        self.b
            .loop_merge(merge, continue_target, LoopControl::NONE, [])?;
        self.b
            .branch_conditional(done, merge, continue_target, [])?;
        self.f.current = None;

        self.begin_block(continue_target)?;
        self.branch(header)?;
        self.begin_block(merge)?;
        Ok(old_value)
    }
}
