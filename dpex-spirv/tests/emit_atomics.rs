//! Atomics on every allowed type, on tensors, local accessors and work-group arrays, with
//! every memory order and scope; atomic stores and fences; all validated by `spirv-val`.

mod common;

use common::nd::*;
use common::*;
use dpex_spirv::ir::{
    Access, AtomicOp, Memory, MemoryOrder, ParamId, Scalar as S, Scope, Statement, WorkgroupArrayId,
};

const SCOPES: [Scope; 4] = [
    Scope::WorkItem,
    Scope::SubGroup,
    Scope::WorkGroup,
    Scope::Device,
];

fn value(ty: S, v: u64) -> dpex_spirv::ir::Expr {
    if ty.is_float() {
        float(ty, v as f64)
    } else {
        int(ty, v)
    }
}

fn allowed(op: AtomicOp, ty: S) -> bool {
    !(ty.is_float() && matches!(op, AtomicOp::And | AtomicOp::Or | AtomicOp::Xor))
}

/// Every operation allowed on `ty` against `memory`, results stored to `prev` (param 0), with
/// orders and scopes cycling.
fn atomic_kernel(name: &str, ty: S, memory: Memory) -> dpex_spirv::ir::Kernel {
    let mut body = Vec::new();
    for (k, op) in ATOMIC_OPS
        .into_iter()
        .filter(|&op| allowed(op, ty))
        .enumerate()
    {
        let order = MEMORY_ORDERS[k % 5];
        let order = match (op, order) {
            (AtomicOp::Load, MemoryOrder::Release | MemoryOrder::AcqRel) => MemoryOrder::Acquire,
            _ => order,
        };
        let operands = match op {
            AtomicOp::Load => vec![],
            AtomicOp::CompareExchange => vec![value(ty, 1), value(ty, 2)],
            _ => vec![value(ty, 3)],
        };
        let scope = SCOPES[k % 4];
        let previous = atomic(ty, op, memory, int(S::U64, 0), operands, order, scope);
        body.push(store(0, int(S::U64, k as u64), previous));
    }
    for (i, order) in [
        MemoryOrder::Relaxed,
        MemoryOrder::Release,
        MemoryOrder::SeqCst,
    ]
    .into_iter()
    .enumerate()
    {
        body.push(atomic_store(
            memory,
            int(S::U64, 1),
            value(ty, 5),
            order,
            SCOPES[i],
        ));
    }
    kernel_with_arrays(
        name,
        1,
        vec![
            tensor("prev", ty, Access::ReadWrite),
            tensor("data", ty, Access::ReadWrite),
            local_param("scratch", ty),
        ],
        vec![],
        vec![wg_array("shared", ty, 4)],
        body,
    )
}

fn memories() -> [(&'static str, Memory); 3] {
    [
        ("tensor", Memory::Tensor(ParamId(1))),
        ("local", Memory::Local(ParamId(2))),
        ("workgroup", Memory::Workgroup(WorkgroupArrayId(0))),
    ]
}

#[test]
fn thirty_two_bit_atomics() {
    for ty in [S::I32, S::U32, S::F32] {
        for (kind, memory) in memories() {
            let name = format!("atomics_{ty}_{kind}");
            let text = emit_valid(&name, vec![atomic_kernel(&name, ty, memory)]);
            assert!(text.contains("OpAtomicCompareExchange"), "{text}");
            assert!(!text.contains("Int64Atomics"), "{text}");
            if ty.is_float() {
                // fetch_add/sub/min/max as compare-exchange loops.
                assert_eq!(text.matches("OpLoopMerge").count(), 4, "{text}");
                assert!(text.contains("fmin") && text.contains("fmax"), "{text}");
                // Every float atomic works on the integer view of the element.
                assert!(text.contains("OpBitcast"), "{text}");
                let float_ty = text
                    .lines()
                    .find_map(|l| l.strip_suffix(" = OpTypeFloat 32"))
                    .expect("f32 type");
                let float_atomic = text.lines().any(|l| {
                    let mut words = l.split_whitespace().skip(2);
                    let op = words.next().unwrap_or_default();
                    op.starts_with("OpAtomic") && words.next() == Some(float_ty)
                });
                assert!(!float_atomic, "{text}");
            } else {
                for op in ["OpAtomicIAdd", "OpAtomicISub", "OpAtomicAnd", "OpAtomicXor"] {
                    assert!(text.contains(op), "{op}: {text}");
                }
                let (min, max) = if ty == S::I32 {
                    ("OpAtomicSMin", "OpAtomicSMax")
                } else {
                    ("OpAtomicUMin", "OpAtomicUMax")
                };
                assert!(text.contains(min) && text.contains(max), "{text}");
            }
        }
    }
}

#[test]
fn sixty_four_bit_atomics_declare_int64_atomics() {
    for ty in [S::I64, S::U64, S::F64] {
        for (kind, memory) in memories() {
            let name = format!("atomics_{ty}_{kind}");
            let text = emit_valid(&name, vec![atomic_kernel(&name, ty, memory)]);
            assert!(text.contains("OpCapability Int64Atomics"), "{text}");
        }
    }
}

#[test]
fn fences_with_every_order_and_scope() {
    let mut body = Vec::new();
    for order in &MEMORY_ORDERS[1..] {
        for scope in SCOPES {
            body.push(Statement::Fence {
                order: *order,
                scope,
            });
        }
    }
    let k = kernel("fences", 1, vec![], vec![], body);
    let text = emit_valid("fences", vec![k]);
    assert_eq!(text.matches("OpMemoryBarrier").count(), 16, "{text}");
}
