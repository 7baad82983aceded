//! Drops the global-memory fence of work-group barriers that order no global access.
//!
//! `group_barrier` fences local and global memory, as SYCL's does. The global half costs
//! (on the H200 through Vulkan, 15% of a 16x16-tile matmul, which has two barriers per 16
//! multiply-adds), and most barriers order only local memory: the tiles of a matmul or a
//! stencil, the tree of a reduction. A barrier's global fence is observable only through a
//! tensor that one work-item writes and another reads or writes across it, so the fence is
//! dropped from a barrier of a kernel's body when
//! - no tensor store (or call of a device function that may store through a tensor) can run
//!   before it, on any path from the kernel's entry, loops' back edges included; and
//! - no tensor that can be read before it is written anywhere in the kernel; and
//! - the kernel has no atomic on a tensor and no `atomic_fence` (communication through global
//!   memory the barrier's fence may be part of).
//!
//! A call passing a tensor counts as a read and a store of it. Barriers inside device functions
//! keep their fences.

use std::collections::BTreeSet;

use crate::ir::{Argument, Block, Expr, ExprKind, Kernel, Memory, Module, ParamId, Statement};

/// Applies the pass to every kernel of `module` (see the module documentation).
pub fn narrow_barrier_fences(module: &mut Module) {
    for kernel in &mut module.kernels {
        narrow_kernel(kernel);
    }
}

/// The tensors a piece of IR reads and writes, and whether it uses atomics or fences on
/// global memory.
#[derive(Clone, Default, PartialEq, Eq)]
struct Accesses {
    read: BTreeSet<ParamId>,
    written: BTreeSet<ParamId>,
    global_sync: bool,
}

impl Accesses {
    fn join(&mut self, other: &Accesses) {
        self.read.extend(&other.read);
        self.written.extend(&other.written);
        self.global_sync |= other.global_sync;
    }
}

fn narrow_kernel(kernel: &mut Kernel) {
    let mut everywhere = Accesses::default();
    block_accesses(&kernel.body, &mut everywhere);
    if everywhere.global_sync {
        return;
    }
    let mut before = Accesses::default();
    narrow_block(&mut kernel.body, &mut before, &everywhere.written);
}

/// Walks `block` in program order with `before` (what may have run before the current
/// statement), narrowing each barrier whose fence orders no global access.
fn narrow_block(block: &mut Block, before: &mut Accesses, written: &BTreeSet<ParamId>) {
    for statement in block {
        match statement {
            Statement::Barrier { fence } => {
                let needed = !before.written.is_empty()
                    || before.read.iter().any(|tensor| written.contains(tensor));
                if fence.global && !needed {
                    fence.global = false;
                }
            }
            Statement::If {
                condition,
                accept,
                reject,
            } => {
                expr_accesses(condition, before);
                let mut other = before.clone();
                narrow_block(accept, before, written);
                narrow_block(reject, &mut other, written);
                before.join(&other);
            }
            Statement::Loop {
                body, continuing, ..
            } => {
                // What one iteration may do reaches the next iteration's statements too.
                let mut iteration = Accesses::default();
                block_accesses(body, &mut iteration);
                block_accesses(continuing, &mut iteration);
                before.join(&iteration);
                narrow_block(body, before, written);
                narrow_block(continuing, before, written);
            }
            other => statement_accesses(other, before),
        }
    }
}

/// Adds what `block` may do, anywhere in it, to `acc`.
fn block_accesses(block: &Block, acc: &mut Accesses) {
    for statement in block {
        statement_accesses(statement, acc);
    }
}

/// Adds what `statement` may do (nested blocks included) to `acc`.
fn statement_accesses(statement: &Statement, acc: &mut Accesses) {
    match statement {
        Statement::Assign { value, .. } => expr_accesses(value, acc),
        Statement::StoreElement {
            memory,
            index,
            value,
        } => {
            expr_accesses(index, acc);
            expr_accesses(value, acc);
            if let Memory::Tensor(tensor) = memory {
                acc.written.insert(*tensor);
            }
        }
        Statement::AtomicStore {
            memory,
            index,
            value,
            ..
        } => {
            expr_accesses(index, acc);
            expr_accesses(value, acc);
            if let Memory::Tensor(tensor) = memory {
                acc.written.insert(*tensor);
                acc.global_sync = true;
            }
        }
        Statement::Barrier { .. } => {}
        Statement::Fence { .. } => acc.global_sync = true,
        Statement::Call { args, .. } => {
            tensor_args(args, acc);
            for arg in args {
                if let Argument::Value(value) = arg {
                    expr_accesses(value, acc);
                }
            }
        }
        Statement::If {
            condition,
            accept,
            reject,
        } => {
            expr_accesses(condition, acc);
            block_accesses(accept, acc);
            block_accesses(reject, acc);
        }
        Statement::Loop {
            body, continuing, ..
        } => {
            block_accesses(body, acc);
            block_accesses(continuing, acc);
        }
        Statement::Break | Statement::Continue | Statement::Return => {}
        Statement::Fail { index, len, .. } => {
            expr_accesses(index, acc);
            expr_accesses(len, acc);
        }
        Statement::Report {
            code,
            what,
            index,
            len,
        } => {
            for e in [code, what, index, len] {
                expr_accesses(e, acc);
            }
        }
        Statement::ReturnValue(value) => expr_accesses(value, acc),
    }
}

/// Adds what a call does to the tensors it passes on: reads and writes them.
fn tensor_args(args: &[Argument], acc: &mut Accesses) {
    for arg in args {
        if let Argument::Tensor(tensor) = arg {
            acc.read.insert(*tensor);
            acc.written.insert(*tensor);
        }
    }
}

/// Adds what evaluating `expr` may do to `acc`.
fn expr_accesses(expr: &Expr, acc: &mut Accesses) {
    match &expr.kind {
        ExprKind::Element {
            memory: Memory::Tensor(tensor),
            ..
        } => {
            acc.read.insert(*tensor);
        }
        ExprKind::Call { args, .. } => tensor_args(args, acc),
        ExprKind::Atomic {
            memory: Memory::Tensor(tensor),
            ..
        } => {
            acc.read.insert(*tensor);
            acc.written.insert(*tensor);
            acc.global_sync = true;
        }
        _ => {}
    }
    for operand in expr.operands() {
        expr_accesses(operand, acc);
    }
}

#[cfg(test)]
mod tests {
    use super::narrow_barrier_fences;
    use crate::ir::*;

    const ALL: FenceSpaces = FenceSpaces {
        local: true,
        global: true,
    };

    fn zero() -> Expr {
        Expr {
            ty: Scalar::U64,
            kind: ExprKind::Literal(Literal::Int(0)),
        }
    }

    /// `tensor[0]`, an f32 read.
    fn read(tensor: u32) -> Expr {
        Expr {
            ty: Scalar::F32,
            kind: ExprKind::Element {
                memory: Memory::Tensor(ParamId(tensor)),
                index: Box::new(zero()),
            },
        }
    }

    /// `memory[0] = value`.
    fn store(memory: Memory, value: Expr) -> Statement {
        Statement::StoreElement {
            memory,
            index: zero(),
            value,
        }
    }

    fn barrier() -> Statement {
        Statement::Barrier { fence: ALL }
    }

    fn looped(body: Block) -> Statement {
        Statement::Loop {
            body,
            continuing: vec![],
            unroll: false,
        }
    }

    /// A kernel of three f32 tensors (`a`, `b` read, `c` written) and one work-group array,
    /// running `body`; the global halves of its barriers' fences after the pass, in order.
    fn globals_after(body: Block) -> Vec<bool> {
        let tensor = |name: &str, access| Param {
            name: name.into(),
            kind: ParamKind::Tensor {
                elem: Scalar::F32,
                access,
                dims: 1,
            },
        };
        let mut module = Module {
            functions: vec![],
            kernels: vec![Kernel {
                name: "k".into(),
                dims: 1,
                params: vec![
                    tensor("a", Access::Read),
                    tensor("b", Access::Read),
                    tensor("c", Access::ReadWrite),
                ],
                locals: vec![],
                workgroup_arrays: vec![WorkgroupArray {
                    name: "tile".into(),
                    elem: Scalar::F32,
                    len: 16,
                }],
                body,
                reports_errors: false,
            }],
        };
        narrow_barrier_fences(&mut module);
        let mut fences = Vec::new();
        collect(&module.kernels[0].body, &mut fences);
        fences
    }

    fn collect(block: &Block, fences: &mut Vec<bool>) {
        for statement in block {
            match statement {
                Statement::Barrier { fence } => {
                    assert!(fence.local, "the local fence is always kept");
                    fences.push(fence.global);
                }
                Statement::If { accept, reject, .. } => {
                    collect(accept, fences);
                    collect(reject, fences);
                }
                Statement::Loop {
                    body, continuing, ..
                } => {
                    collect(body, fences);
                    collect(continuing, fences);
                }
                _ => {}
            }
        }
    }

    const TILE: Memory = Memory::Workgroup(WorkgroupArrayId(0));

    fn tile() -> Expr {
        Expr {
            ty: Scalar::F32,
            kind: ExprKind::Element {
                memory: TILE,
                index: Box::new(zero()),
            },
        }
    }

    /// Tensor `from` staged in the tile, a barrier, the tile stored into `c`.
    fn stage_then_store_c(from: u32) -> Block {
        vec![
            store(TILE, read(from)),
            barrier(),
            store(Memory::Tensor(ParamId(2)), tile()),
        ]
    }

    #[test]
    fn a_tiled_loop_that_stores_its_result_after_it_orders_local_memory_only() {
        let body = vec![
            looped(vec![
                store(TILE, read(0)),
                barrier(),
                store(TILE, tile()),
                barrier(),
            ]),
            store(Memory::Tensor(ParamId(2)), tile()),
        ];
        assert_eq!(globals_after(body), [false, false]);
    }

    #[test]
    fn a_store_that_can_run_before_a_barrier_keeps_its_global_fence() {
        // Straight before it.
        let body = vec![
            store(Memory::Tensor(ParamId(2)), read(0)),
            barrier(),
            store(TILE, read(2)),
        ];
        assert_eq!(globals_after(body), [true]);
        // In one branch of an `if` before it; a later barrier after a second one too.
        let body = vec![
            Statement::If {
                condition: Expr {
                    ty: Scalar::Bool,
                    kind: ExprKind::Literal(Literal::Bool(true)),
                },
                accept: vec![],
                reject: vec![store(Memory::Tensor(ParamId(2)), read(0))],
            },
            barrier(),
            barrier(),
        ];
        assert_eq!(globals_after(body), [true, true]);
        // After it in a loop: the next iteration's barrier follows the store.
        let body = vec![looped(stage_then_store_c(0))];
        assert_eq!(globals_after(body), [true]);
    }

    #[test]
    fn a_barrier_before_any_store_keeps_its_fence_only_if_a_tensor_read_before_is_written() {
        // `c` is read before the barrier and written after it (another work-item's element).
        let body = stage_then_store_c(2);
        assert_eq!(globals_after(body), [true]);
        // `a` is read before, `c` written after: no tensor is both.
        let body = stage_then_store_c(0);
        assert_eq!(globals_after(body), [false]);
    }

    #[test]
    fn atomics_fences_and_calls_passing_tensors_keep_global_fences() {
        let atomic = Statement::AtomicStore {
            memory: Memory::Tensor(ParamId(2)),
            index: zero(),
            value: read(0),
            order: MemoryOrder::Relaxed,
            scope: Scope::Device,
        };
        assert_eq!(globals_after(vec![barrier(), atomic]), [true]);
        let fence = Statement::Fence {
            order: MemoryOrder::SeqCst,
            scope: Scope::WorkGroup,
        };
        assert_eq!(globals_after(vec![barrier(), fence]), [true]);
        let call = Statement::Call {
            function: FunctionId(0),
            args: vec![Argument::Tensor(ParamId(2))],
        };
        assert_eq!(globals_after(vec![call, barrier()]), [true]);
    }
}
