//! Structured control flow: statements (assignments, stores, calls, `if`, `loop`, `break`,
//! `continue`, `return`; failed checks are lowered in `report`), the short-circuit operators `&&`/`||` and `if` expressions, each
//! branch as a SPIR-V selection or loop construct with its merge instruction.

use rspirv::spirv::{LoopControl, Op, SelectionControl, Word};

use super::{BuildError, BuildResult, Emitter, Flavour, LoopTargets};
use crate::ir::{BinaryOp, Block, Expr, Scalar, Statement};

impl Emitter {
    /// Starts the block labelled `label` and makes it current.
    pub(super) fn begin_block(&mut self, label: Word) -> BuildResult<()> {
        self.b.begin_block(Some(label))?;
        self.f.current = Some(label);
        Ok(())
    }

    /// Ends the current block with `OpBranch target`.
    pub(super) fn branch(&mut self, target: Word) -> BuildResult<()> {
        self.b.branch(target)?;
        self.f.current = None;
        Ok(())
    }

    /// The label of the block being written.
    pub(super) fn current(&self) -> BuildResult<Word> {
        self.f
            .current
            .ok_or_else(|| BuildError::Internal("code emitted after a terminator".into()))
    }

    /// Starts `label` as a merge block no branch reaches: it holds only `OpUnreachable`, and
    /// the statements after the construct are dropped.
    fn unreachable_block(&mut self, label: Word) -> BuildResult<()> {
        self.begin_block(label)?;
        self.b.unreachable()?;
        self.f.current = None;
        Ok(())
    }

    /// Emits `block`, dropping the statements after one that ends the current block.
    pub(super) fn block(&mut self, block: &Block) -> BuildResult<()> {
        for statement in block {
            if self.f.current.is_none() {
                break;
            }
            self.statement(statement)?;
        }
        Ok(())
    }

    fn statement(&mut self, statement: &Statement) -> BuildResult<()> {
        match statement {
            Statement::Assign { local, value } => {
                let value = self.expr(value)?;
                self.store_local(*local, value)
            }
            Statement::StoreElement {
                memory,
                index,
                value,
            } => {
                let index = self.expr(index)?;
                let value = self.expr(value)?;
                self.store_element(*memory, index, value)
            }
            Statement::AtomicStore {
                memory,
                index,
                value,
                order,
                scope,
            } => self.atomic_store(*memory, index, value, *order, *scope),
            Statement::Barrier { fence } => self.barrier(*fence),
            Statement::Fence { order, scope } => self.fence(*order, *scope),
            Statement::Call { function, args } => self.call(*function, args).map(drop),
            Statement::If {
                condition,
                accept,
                reject,
            } => self.if_statement(condition, accept, reject),
            Statement::Loop {
                body,
                continuing,
                unroll,
            } => self.loop_statement(body, continuing, *unroll),
            Statement::Fail {
                check,
                what,
                index,
                len,
            } => self.fail(*check, *what, index, len),
            Statement::Report {
                code,
                what,
                index,
                len,
            } => self.report(code, what, index, len),
            Statement::Break => {
                let target = self.innermost_loop()?;
                target.broken = true;
                let merge = target.merge;
                self.branch(merge)
            }
            Statement::Continue => {
                let target = self.innermost_loop()?;
                target.continued = true;
                let continue_target = target.continue_target;
                self.branch(continue_target)
            }
            Statement::Return => {
                self.b.ret()?;
                self.f.current = None;
                Ok(())
            }
            Statement::ReturnValue(value) => {
                let value = self.expr(value)?;
                self.b.ret_value(value)?;
                self.f.current = None;
                Ok(())
            }
        }
    }

    fn innermost_loop(&mut self) -> BuildResult<&mut LoopTargets> {
        self.f
            .loops
            .last_mut()
            .ok_or_else(|| BuildError::Internal("break or continue outside a loop".into()))
    }

    fn if_statement(
        &mut self,
        condition: &Expr,
        accept: &Block,
        reject: &Block,
    ) -> BuildResult<()> {
        let condition = self.expr(condition)?;
        let merge = self.b.id();
        let accept_label = self.b.id();
        let reject_label = if reject.is_empty() {
            merge
        } else {
            self.b.id()
        };
        self.b.selection_merge(merge, SelectionControl::NONE)?;
        self.b
            .branch_conditional(condition, accept_label, reject_label, [])?;
        let mut reaches_merge = reject.is_empty();
        for (label, block) in [(accept_label, accept), (reject_label, reject)] {
            if label == merge {
                continue;
            }
            self.begin_block(label)?;
            self.block(block)?;
            if self.f.current.is_some() {
                self.branch(merge)?;
                reaches_merge = true;
            }
        }
        if reaches_merge {
            self.begin_block(merge)
        } else {
            self.unreachable_block(merge)
        }
    }

    fn loop_statement(
        &mut self,
        body: &Block,
        continuing: &Block,
        unroll: bool,
    ) -> BuildResult<()> {
        // Shader modules need every continue construct to end in the back edge.
        if self.flavour == Flavour::Vulkan && returns(continuing) {
            return Err(BuildError::Unsupported(
                "a `return` in a loop's continuing block is not available on Vulkan: \
                 its structured control flow needs every continue construct to reach the \
                 back edge"
                    .into(),
            ));
        }
        let header = self.b.id();
        let body_label = self.b.id();
        let continue_target = self.b.id();
        let merge = self.b.id();
        self.branch(header)?;
        self.begin_block(header)?;
        let control = if unroll {
            LoopControl::UNROLL
        } else {
            LoopControl::NONE
        };
        self.b.loop_merge(merge, continue_target, control, [])?;
        self.branch(body_label)?;

        self.begin_block(body_label)?;
        self.f.loops.push(LoopTargets {
            merge,
            continue_target,
            broken: false,
            continued: false,
        });
        self.block(body)?;
        let reaches_end = self.f.current.is_some();
        if reaches_end {
            self.branch(continue_target)?;
        }
        let targets = self
            .f
            .loops
            .pop()
            .ok_or_else(|| BuildError::Internal("loop stack underflow".into()))?;

        self.begin_block(continue_target)?;
        if reaches_end || targets.continued {
            self.block(continuing)?;
        }
        // An unreachable continue target is just the back edge.
        if self.f.current.is_some() {
            self.branch(header)?;
        }
        if targets.broken {
            self.begin_block(merge)
        } else {
            self.unreachable_block(merge)
        }
    }

    /// `lhs && rhs` / `lhs || rhs`: `rhs` is evaluated in its own block only when needed; the
    /// merge block picks the result with `OpPhi`.
    pub(super) fn short_circuit(
        &mut self,
        op: BinaryOp,
        lhs: &Expr,
        rhs: &Expr,
    ) -> BuildResult<Word> {
        let left = self.expr(lhs)?;
        let from_left = self.current()?;
        let rhs_label = self.b.id();
        let merge = self.b.id();
        self.b.selection_merge(merge, SelectionControl::NONE)?;
        // When `&&` skips its right side the result is `false`, i.e. `left`; likewise `true`
        // for `||`.
        let (if_true, if_false) = match op {
            BinaryOp::LogicalAnd => (rhs_label, merge),
            _ => (merge, rhs_label),
        };
        self.b.branch_conditional(left, if_true, if_false, [])?;
        self.begin_block(rhs_label)?;
        let right = self.expr(rhs)?;
        let from_right = self.current()?;
        self.branch(merge)?;
        self.begin_block(merge)?;
        let bool_ty = self.ty(Scalar::Bool);
        Ok(self
            .b
            .phi(bool_ty, None, [(left, from_left), (right, from_right)])?)
    }

    /// `if condition { accept } else { reject }` as a value of type `ty`: only the chosen
    /// side is evaluated; the merge block picks the result with `OpPhi`.
    pub(super) fn select(
        &mut self,
        ty: Scalar,
        condition: &Expr,
        accept: &Expr,
        reject: &Expr,
    ) -> BuildResult<Word> {
        let condition = self.expr(condition)?;
        if is_speculatable(accept) && is_speculatable(reject) {
            // Both sides are cheap and cannot fault or write: evaluating both and picking one
            // with OpSelect keeps the code branch-free (and vectorizable) with the same result.
            let accept = self.expr(accept)?;
            let reject = self.expr(reject)?;
            let ty = self.ty(ty);
            return self.op(Op::Select, ty, &[condition, accept, reject]);
        }
        let accept_label = self.b.id();
        let reject_label = self.b.id();
        let merge = self.b.id();
        self.b.selection_merge(merge, SelectionControl::NONE)?;
        self.b
            .branch_conditional(condition, accept_label, reject_label, [])?;
        let mut incoming = Vec::with_capacity(2);
        for (label, side) in [(accept_label, accept), (reject_label, reject)] {
            self.begin_block(label)?;
            let value = self.expr(side)?;
            incoming.push((value, self.current()?));
            self.branch(merge)?;
        }
        self.begin_block(merge)?;
        let ty = self.ty(ty);
        Ok(self.b.phi(ty, None, incoming)?)
    }
}

/// True for an expression whose evaluation cannot fault, write memory or diverge, and is cheap:
/// literals, parameters, locals, built-ins, layout values and arithmetic on them other than
/// integer division (which may trap on a zero divisor).
fn is_speculatable(e: &crate::ir::Expr) -> bool {
    use crate::ir::ExprKind;
    match &e.kind {
        ExprKind::Literal(_)
        | ExprKind::Param(_)
        | ExprKind::Local(_)
        | ExprKind::Builtin(_)
        | ExprKind::Len(_)
        | ExprKind::LocalExtent { .. }
        | ExprKind::TensorLayout { .. } => true,
        ExprKind::Unary { operand, .. } => is_speculatable(operand),
        ExprKind::Cast { value } | ExprKind::Bitcast { value } => is_speculatable(value),
        ExprKind::Binary { op, lhs, rhs } => {
            let may_trap = matches!(op, BinaryOp::Div | BinaryOp::Rem) && !e.ty.is_float();
            !may_trap && !op.is_logical() && is_speculatable(lhs) && is_speculatable(rhs)
        }
        _ => false,
    }
}

/// Whether `block` holds a `return` (at any depth).
fn returns(block: &Block) -> bool {
    block.iter().any(|statement| match statement {
        Statement::Return | Statement::ReturnValue(_) => true,
        Statement::If { accept, reject, .. } => returns(accept) || returns(reject),
        Statement::Loop {
            body, continuing, ..
        } => returns(body) || returns(continuing),
        _ => false,
    })
}
