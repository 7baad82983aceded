//! Lowers control flow: `if` (statement and value), blocks as values, `while`, `loop` (with
//! `break value`), labelled `break`/`continue` and `return`. `for` loops are in `for_loop`.
//!
//! The IR's `Break`/`Continue` leave the innermost loop only. A labelled `break 'outer` from an
//! inner loop sets a flag of the outer loop and breaks; after each inner loop ends, its parent
//! tests the flag and breaks again (or, at the target, breaks or continues). This keeps every
//! loop a structured single-exit construct, as SPIR-V for Vulkan will need too.

use super::{error, read_local, Lowerer};
use dpex_spirv::ir::{Block, Expr, ExprKind, LocalId, Scalar, Statement};
use syn::spanned::Spanned;

/// What a labelled jump out of an inner loop does when it reaches its target loop.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Exit {
    /// `break 'target`.
    Break,
    /// `continue 'target`.
    Continue,
}

/// The value of a `loop` used as an expression.
#[derive(Clone, Copy)]
pub(crate) struct LoopValue {
    /// The type the context expects, if it says.
    expected: Option<Scalar>,
    /// Once a `break value` is met: the local holding the value, and its type.
    slot: Option<(LocalId, Scalar)>,
}

/// A loop being lowered: its label, its value slot and the flags of jumps aimed at it.
#[derive(Default)]
pub(crate) struct LoopFrame {
    /// The loop's label without the quote.
    label: Option<String>,
    /// For a `loop` used as a value: where `break value` puts it.
    value: Option<LoopValue>,
    /// Set by `break 'this` from an inner loop.
    break_flag: Option<LocalId>,
    /// Set by `continue 'this` from an inner loop.
    continue_flag: Option<LocalId>,
    /// Jumps from inside this loop aimed at outer loops: (index of the target frame, kind).
    pending: Vec<(usize, Exit)>,
    /// Set when some work-items may leave (or skip) iterations early (see `uniform`).
    pub(crate) divergent_jump: bool,
}

impl Lowerer<'_> {
    /// Lowers a loop: `prologue` then the user's body run each iteration, `continuing` after.
    /// `value` is `Some(expected)` for a `loop` used as a value. Returns the value's local.
    pub(crate) fn build_loop(
        &mut self,
        label: Option<&syn::Label>,
        value: Option<Option<Scalar>>,
        prologue: Block,
        user_body: impl FnOnce(&mut Self) -> syn::Result<()>,
        continuing: Block,
        unroll: bool,
    ) -> syn::Result<Option<(LocalId, Scalar)>> {
        self.loops.push(LoopFrame {
            label: label.map(|l| l.name.ident.to_string()),
            value: value.map(|expected| LoopValue {
                expected,
                slot: None,
            }),
            ..LoopFrame::default()
        });
        let (mut body, result) = self.scoped(|l| l.capture(user_body));
        let frame = self.loops.pop().unwrap_or_default();
        result?;
        let mut full_body = prologue;
        full_body.append(&mut body);
        for flag in [frame.break_flag, frame.continue_flag]
            .into_iter()
            .flatten()
        {
            self.emit(Statement::Assign {
                local: flag,
                value: bool_literal(false),
            });
        }
        self.emit(Statement::Loop {
            body: full_body,
            continuing,
            unroll,
        });
        for (target, exit) in frame.pending {
            self.after_inner_loop(target, exit);
        }
        Ok(frame.value.and_then(|v| v.slot))
    }

    /// Emits, right after an inner loop, the test that carries a labelled jump one loop further.
    fn after_inner_loop(&mut self, target: usize, exit: Exit) {
        let parent = self.loops.len().wrapping_sub(1);
        let Some(frame) = self.loops.get(target) else {
            return;
        };
        let flag = match exit {
            Exit::Break => frame.break_flag,
            Exit::Continue => frame.continue_flag,
        };
        let Some(flag) = flag else { return };
        let accept = if parent == target {
            match exit {
                Exit::Break => vec![Statement::Break],
                Exit::Continue => vec![
                    Statement::Assign {
                        local: flag,
                        value: bool_literal(false),
                    },
                    Statement::Continue,
                ],
            }
        } else {
            if let Some(p) = self.loops.get_mut(parent) {
                p.pending.push((target, exit));
            }
            vec![Statement::Break]
        };
        self.emit(Statement::If {
            condition: read_local(flag, Scalar::Bool),
            accept,
            reject: Vec::new(),
        });
    }

    /// The loop frame a `break`/`continue` aims at: the innermost, or the one with the label.
    fn jump_target(
        &self,
        keyword: &str,
        span: proc_macro2::Span,
        label: Option<&syn::Lifetime>,
    ) -> syn::Result<usize> {
        let Some(innermost) = self.loops.len().checked_sub(1) else {
            return Err(error(span, format!("`{keyword}` outside of a loop")));
        };
        let Some(label) = label else {
            return Ok(innermost);
        };
        let name = label.ident.to_string();
        self.loops
            .iter()
            .rposition(|f| f.label.as_deref() == Some(name.as_str()))
            .ok_or_else(|| {
                error(
                    label.span(),
                    format!("no enclosing loop is labelled `{label}`"),
                )
            })
    }

    pub(crate) fn lower_break(&mut self, b: &syn::ExprBreak) -> syn::Result<()> {
        let target = self.jump_target("break", b.break_token.span, b.label.as_ref())?;
        self.note_jump(target);
        if let Some(value) = &b.expr {
            self.store_loop_value(target, value)?;
        } else if let Some(LoopValue {
            slot: Some((_, ty)),
            ..
        }) = self.loops.get(target).and_then(|f| f.value)
        {
            return Err(error(
                b.span(),
                format!("this loop's value is a `{ty}`: write `break value;`"),
            ));
        }
        self.jump(target, Exit::Break);
        Ok(())
    }

    pub(crate) fn lower_continue(&mut self, c: &syn::ExprContinue) -> syn::Result<()> {
        let target = self.jump_target("continue", c.continue_token.span, c.label.as_ref())?;
        self.note_jump(target);
        self.jump(target, Exit::Continue);
        Ok(())
    }

    /// Leaves or restarts the loop `target`, directly or through its flag.
    fn jump(&mut self, target: usize, exit: Exit) {
        let innermost = self.loops.len() - 1;
        if target == innermost {
            self.emit(match exit {
                Exit::Break => Statement::Break,
                Exit::Continue => Statement::Continue,
            });
            return;
        }
        let flag = match self.loops[target] {
            LoopFrame {
                break_flag: Some(f),
                ..
            } if exit == Exit::Break => f,
            LoopFrame {
                continue_flag: Some(f),
                ..
            } if exit == Exit::Continue => f,
            _ => {
                let f = self.new_local("loop.exit", Scalar::Bool);
                match exit {
                    Exit::Break => self.loops[target].break_flag = Some(f),
                    Exit::Continue => self.loops[target].continue_flag = Some(f),
                }
                f
            }
        };
        self.emit(Statement::Assign {
            local: flag,
            value: bool_literal(true),
        });
        self.emit(Statement::Break);
        self.loops[innermost].pending.push((target, exit));
    }

    fn store_loop_value(&mut self, target: usize, value: &syn::Expr) -> syn::Result<()> {
        let Some(LoopValue { expected, slot }) = self.loops[target].value else {
            return Err(error(
                value.span(),
                "`break` with a value works only in a `loop` whose value is used (`let x = loop { ... };`)",
            ));
        };
        let want = slot.map(|(_, ty)| ty).or(expected);
        let lowered = match want {
            Some(ty) => self.lower_expr_as(value, ty)?,
            None => self.lower_expr(value, None)?,
        };
        let local = match slot {
            Some((local, _)) => local,
            None => {
                let local = self.new_local("loop.value", lowered.ty);
                if let Some(frame) = self.loops.get_mut(target) {
                    frame.value = Some(LoopValue {
                        expected,
                        slot: Some((local, lowered.ty)),
                    });
                }
                local
            }
        };
        self.emit(Statement::Assign {
            local,
            value: lowered,
        });
        Ok(())
    }

    /// `loop { ... }` as a statement.
    pub(crate) fn lower_loop_stmt(&mut self, l: &syn::ExprLoop) -> syn::Result<()> {
        self.build_loop(
            l.label.as_ref(),
            None,
            Vec::new(),
            |s| s.lower_statements(&l.body.stmts),
            Vec::new(),
            false,
        )?;
        Ok(())
    }

    /// `let x = loop { ... break value; };`
    pub(crate) fn lower_loop_value(
        &mut self,
        l: &syn::ExprLoop,
        expected: Option<Scalar>,
    ) -> syn::Result<Expr> {
        let slot = self.build_loop(
            l.label.as_ref(),
            Some(expected),
            Vec::new(),
            |s| s.lower_statements(&l.body.stmts),
            Vec::new(),
            false,
        )?;
        match slot {
            Some((local, ty)) => Ok(read_local(local, ty)),
            None => Err(error(
                l.span(),
                "this `loop` is used as a value but never breaks with one: write `break value;`",
            )),
        }
    }

    /// `while condition { body }`: the condition (with any statements it needs) is tested at
    /// the top of every iteration.
    pub(crate) fn lower_while(&mut self, w: &syn::ExprWhile) -> syn::Result<()> {
        if let syn::Expr::Let(l) = &*w.cond {
            return Err(error(
                l.span(),
                "`while let` is not supported in kernels: kernels have no iterators or options; \
                 write `while condition` or `for i in a..b`",
            ));
        }
        self.build_loop(
            w.label.as_ref(),
            None,
            Vec::new(),
            |s| {
                let condition = s.lower_expr_as(&w.cond, Scalar::Bool)?;
                let exit = condition.clone();
                s.emit(Statement::If {
                    condition: not(condition),
                    accept: vec![Statement::Break],
                    reject: Vec::new(),
                });
                s.under_condition(&exit, |s| {
                    s.assuming(&exit, true, |s| s.lower_statements(&w.body.stmts))
                })
            },
            Vec::new(),
            false,
        )?;
        Ok(())
    }

    pub(crate) fn lower_if_stmt(&mut self, i: &syn::ExprIf) -> syn::Result<()> {
        let condition = self.lower_expr_as(&i.cond, Scalar::Bool)?;
        let (accept, reject) =
            self.under_condition(&condition.clone(), |l| l.lower_if_branches(i, &condition))?;
        self.after_if(&condition, &accept, &reject);
        self.emit(Statement::If {
            condition,
            accept,
            reject,
        });
        Ok(())
    }

    /// The two branches of an `if` statement on `condition`.
    fn lower_if_branches(
        &mut self,
        i: &syn::ExprIf,
        condition: &Expr,
    ) -> syn::Result<(Block, Block)> {
        let accept = self.assuming(condition, true, |l| {
            l.lower_scoped_block(&i.then_branch.stmts)
        })?;
        let reject = self.assuming(condition, false, |l| match &i.else_branch {
            None => Ok(Vec::new()),
            Some((_, branch)) => match &**branch {
                syn::Expr::If(nested) => {
                    let (block, lowered) = l.capture(|l| l.scoped(|l| l.lower_if_stmt(nested)));
                    lowered.map(|()| block)
                }
                syn::Expr::Block(b) => l.lower_scoped_block(&b.block.stmts),
                other => Err(error(other.span(), "expected `else { ... }` or `else if`")),
            },
        })?;
        Ok((accept, reject))
    }

    /// `if c { a } else { b }` as a value: a select when neither side needs statements, else an
    /// `if` statement assigning a hidden local.
    pub(crate) fn lower_if_value(
        &mut self,
        i: &syn::ExprIf,
        expected: Option<Scalar>,
    ) -> syn::Result<Expr> {
        let Some((_, else_branch)) = &i.else_branch else {
            return Err(error(
                i.span(),
                "an `if` used as a value needs an `else` branch",
            ));
        };
        let condition = self.lower_expr_as(&i.cond, Scalar::Bool)?;
        let (accept_stmts, accept, reject_stmts, reject) =
            self.under_condition(&condition.clone(), |l| {
                let (accept_stmts, accept) = l.assuming(&condition, true, |l| {
                    l.capture(|l| l.lower_block_value(&i.then_branch, expected))
                });
                let accept = accept?;
                let (reject_stmts, reject) = l.assuming(&condition, false, |l| {
                    l.capture(|l| l.lower_expr_as(else_branch, accept.ty))
                });
                syn::Result::Ok((accept_stmts, accept, reject_stmts, reject?))
            })?;
        let ty = accept.ty;
        if accept_stmts.is_empty() && reject_stmts.is_empty() {
            return Ok(Expr {
                ty,
                kind: ExprKind::Select {
                    condition: Box::new(condition),
                    accept: Box::new(accept),
                    reject: Box::new(reject),
                },
            });
        }
        let local = self.new_local("if.value", ty);
        let branch = |mut stmts: Block, value: Expr| {
            stmts.push(Statement::Assign { local, value });
            stmts
        };
        self.emit(Statement::If {
            condition,
            accept: branch(accept_stmts, accept),
            reject: branch(reject_stmts, reject),
        });
        Ok(read_local(local, ty))
    }

    /// `{ stmts; tail }` as a value: the statements are emitted, the tail is the value.
    pub(crate) fn lower_block_value(
        &mut self,
        block: &syn::Block,
        expected: Option<Scalar>,
    ) -> syn::Result<Expr> {
        let Some((syn::Stmt::Expr(tail, None), stmts)) = block.stmts.split_last() else {
            return Err(error(block.span(), "this block is used as a value but ends without one: end it with an expression (no `;`)"));
        };
        self.scoped(|l| {
            l.lower_statements(stmts)?;
            l.lower_expr(tail, expected)
        })
    }
}

/// `true` or `false` as an expression.
pub(crate) fn bool_literal(value: bool) -> Expr {
    Expr::literal(Scalar::Bool, dpex_spirv::ir::Literal::Bool(value))
}

/// `!value` on a `bool`.
pub(crate) fn not(value: Expr) -> Expr {
    Expr {
        ty: Scalar::Bool,
        kind: ExprKind::Unary {
            op: dpex_spirv::ir::UnaryOp::Not,
            operand: Box::new(value),
        },
    }
}
