//! Lowers `for` loops over integer ranges: `a..b`, `a..=b`, `.rev()`, `.step_by(s)` and the
//! two orders of combining them, with Rust's iteration order and no overflow at the ends.
//!
//! `for i in a..b` (the common case) counts a cursor from `a` while it is below `b`. Every
//! other form first computes how many values the range yields, as a `u64`, then counts `k`
//! from 0 to that number and derives `i` from `k`. Known limit: an inclusive range over all of
//! a 64-bit type (`0..=u64::MAX`) has 2^64 values and runs zero times; a step of zero (a
//! panic in Rust) is treated as one until kernels can report errors.

use super::{error, read_local, Binding, Lowerer};
use dpex_spirv::ir::{BinaryOp, Expr, ExprKind, Literal, Scalar, Statement};
use syn::spanned::Spanned;

/// The order in which a range's values are visited.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// `range` or `range.step_by(s)`.
    Forward,
    /// `range.rev()` or `range.rev().step_by(s)`: from the last value down, by the step.
    RevThenStep,
    /// `range.step_by(s).rev()`: the forward stepped values, last first.
    StepThenRev,
}

/// A `for` loop's range, as written.
struct RangeSpec<'a> {
    start: &'a syn::Expr,
    end: &'a syn::Expr,
    inclusive: bool,
    order: Order,
    step: Option<&'a syn::Expr>,
}

impl Lowerer<'_> {
    pub(crate) fn lower_for(&mut self, f: &syn::ExprForLoop) -> syn::Result<()> {
        let name = match &*f.pat {
            syn::Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p),
            syn::Pat::Wild(_) => None,
            other => {
                return Err(error(
                    other.span(),
                    "write a plain loop variable, e.g. `for i in 0..n`",
                ))
            }
        };
        let spec = range_spec(&f.expr)?;
        // A range of unsuffixed literals (`0..8`) takes the type the loop variable's uses ask
        // for (`v[k]` makes `k` a `usize`), as for a literal-initialized `let` (see `infer`).
        let (site, learned) = if super::expr::is_context_typed(spec.start)
            && super::expr::is_context_typed(spec.end)
        {
            let (site, learned) = self.next_let_site();
            (learned.is_none().then_some(site), learned)
        } else {
            (None, None)
        };
        let (start, end) = self.lower_pair(spec.start, spec.end, learned)?;
        let ty = start.ty;
        if !ty.is_int() {
            return Err(error(
                f.expr.span(),
                format!("loop bounds must be integers, found `{ty}`"),
            ));
        }
        let step = match spec.step {
            Some(s) => Some(self.lower_expr_as(s, Scalar::U64)?),
            None => None,
        };
        let var_name = name.map_or_else(|| "_".to_string(), |p| p.ident.to_string());
        // `bounds`: the loop's start and end, for a variable that runs from one to below the
        // other (see `bounds`).
        let bind_var = |l: &mut Self, value: Expr, bounds: Option<&(Expr, Expr)>| {
            if let Some(p) = name {
                let var = l.new_local(&var_name, ty);
                if let (Some((start, end)), None, Scalar::U64) = (bounds, p.mutability, ty) {
                    l.note_loop_variable(var, start, end);
                }
                l.emit(Statement::Assign { local: var, value });
                l.bind(
                    &p.ident,
                    Binding::Local {
                        id: var,
                        ty,
                        mutable: p.mutability.is_some(),
                        site,
                    },
                );
            }
        };
        // Bounds that differ between work-items make the body divergent (see `uniform`).
        let divergent = !(self.is_uniform(&start)
            && self.is_uniform(&end)
            && step.as_ref().is_none_or(|s| self.is_uniform(s)));
        let body = |l: &mut Self| l.divergent_if(divergent, |l| l.lower_statements(&f.body.stmts));

        if !spec.inclusive && spec.order == Order::Forward && step.is_none() {
            // for i in a..b: cursor from a while below b.
            let bounds = (start.clone(), end.clone());
            let cursor = self.spill(&format!("{var_name}.cursor"), start);
            let end = self.spill(&format!("{var_name}.end"), end);
            let Expr {
                kind: dpex_spirv::ir::ExprKind::Local(cursor_id),
                ..
            } = cursor
            else {
                return Err(error(
                    f.span(),
                    "internal error: loop cursor is not a local",
                ));
            };
            let prologue = vec![exit_when(Expr::binary(
                Scalar::Bool,
                BinaryOp::Ge,
                cursor.clone(),
                end,
            ))];
            let increment = Statement::Assign {
                local: cursor_id,
                value: Expr::binary(
                    ty,
                    BinaryOp::Add,
                    cursor.clone(),
                    Expr::literal(ty, Literal::Int(1)),
                ),
            };
            let unroll = literal_trips(&bounds).is_some_and(|n| n <= MAX_UNROLLED_TRIPS);
            self.build_loop(
                f.label.as_ref(),
                None,
                prologue,
                |l| {
                    bind_var(l, cursor, Some(&bounds));
                    body(l)
                },
                vec![increment],
                unroll,
            )?;
            return Ok(());
        }

        let start = self.spill(&format!("{var_name}.start"), start);
        let end = self.spill(&format!("{var_name}.end"), end);
        // How many values the range holds (before stepping), as a u64.
        // `end - start` wraps in the unsigned type of `ty`'s width (for a signed `ty` the
        // true distance needs all its bits), then widens to u64.
        let unsigned = unsigned_of(ty);
        let distance = cast_to(
            Expr::binary(
                unsigned,
                BinaryOp::Sub,
                cast_to(end.clone(), unsigned),
                cast_to(start.clone(), unsigned),
            ),
            Scalar::U64,
        );
        let (nonempty, span_len) = if spec.inclusive {
            let one = Expr::literal(Scalar::U64, Literal::Int(1));
            (
                Expr::binary(Scalar::Bool, BinaryOp::Le, start.clone(), end),
                Expr::binary(Scalar::U64, BinaryOp::Add, distance, one),
            )
        } else {
            (
                Expr::binary(Scalar::Bool, BinaryOp::Lt, start.clone(), end),
                distance,
            )
        };
        let zero = Expr::literal(Scalar::U64, Literal::Int(0));
        let values = self.spill(
            &format!("{var_name}.len"),
            select(nonempty, span_len, zero.clone()),
        );
        let step = match step {
            Some(s) => {
                let one = Expr::literal(Scalar::U64, Literal::Int(1));
                self.spill(
                    &format!("{var_name}.step"),
                    Expr {
                        ty: Scalar::U64,
                        kind: dpex_spirv::ir::ExprKind::Math {
                            fun: dpex_spirv::ir::MathFunction::Max,
                            args: vec![s, one],
                        },
                    },
                )
            }
            None => Expr::literal(Scalar::U64, Literal::Int(1)),
        };
        // count = ceil(values / step), without overflow.
        let count = self.spill(
            &format!("{var_name}.count"),
            Expr::binary(
                Scalar::U64,
                BinaryOp::Add,
                Expr::binary(Scalar::U64, BinaryOp::Div, values.clone(), step.clone()),
                super::expr::cast(
                    Expr::binary(
                        Scalar::Bool,
                        BinaryOp::Ne,
                        Expr::binary(Scalar::U64, BinaryOp::Rem, values.clone(), step.clone()),
                        zero.clone(),
                    ),
                    Scalar::U64,
                )
                .map_err(|m| error(f.span(), m))?,
            ),
        );
        let k_local = self.new_local(&format!("{var_name}.k"), Scalar::U64);
        self.emit(Statement::Assign {
            local: k_local,
            value: zero,
        });
        let k = read_local(k_local, Scalar::U64);
        let one = Expr::literal(Scalar::U64, Literal::Int(1));
        let offset = |index: Expr| {
            narrow(
                Expr::binary(Scalar::U64, BinaryOp::Mul, index, step.clone()),
                ty,
            )
        };
        let value = match spec.order {
            Order::Forward => Expr::binary(ty, BinaryOp::Add, start.clone(), offset(k.clone())),
            Order::RevThenStep => {
                let last = Expr::binary(
                    ty,
                    BinaryOp::Add,
                    start.clone(),
                    narrow(
                        Expr::binary(Scalar::U64, BinaryOp::Sub, values.clone(), one.clone()),
                        ty,
                    ),
                );
                Expr::binary(ty, BinaryOp::Sub, last, offset(k.clone()))
            }
            Order::StepThenRev => {
                let back = Expr::binary(
                    Scalar::U64,
                    BinaryOp::Sub,
                    Expr::binary(Scalar::U64, BinaryOp::Sub, count.clone(), one.clone()),
                    k.clone(),
                );
                Expr::binary(ty, BinaryOp::Add, start.clone(), offset(back))
            }
        };
        let prologue = vec![exit_when(Expr::binary(
            Scalar::Bool,
            BinaryOp::Ge,
            k.clone(),
            count,
        ))];
        let increment = Statement::Assign {
            local: k_local,
            value: Expr::binary(Scalar::U64, BinaryOp::Add, k, one),
        };
        self.build_loop(
            f.label.as_ref(),
            None,
            prologue,
            |l| {
                bind_var(l, value, None);
                body(l)
            },
            vec![increment],
            false,
        )?;
        Ok(())
    }
}

/// `if condition { break }`.
/// The most iterations of a loop the back end is asked to unroll (`for j in 0..8`, a private
/// array's initialization): enough for the register blocks of a tiled matrix product.
pub(crate) const MAX_UNROLLED_TRIPS: u32 = 64;

/// How many times `start..end` runs when both are integer literals.
fn literal_trips((start, end): &(Expr, Expr)) -> Option<u32> {
    match (&start.kind, &end.kind) {
        (ExprKind::Literal(Literal::Int(a)), ExprKind::Literal(Literal::Int(b))) => {
            u32::try_from(b.saturating_sub(*a)).ok()
        }
        _ => None,
    }
}

fn exit_when(condition: Expr) -> Statement {
    Statement::If {
        condition,
        accept: vec![Statement::Break],
        reject: Vec::new(),
    }
}

/// `if c { a } else { b }` on plain values.
fn select(condition: Expr, accept: Expr, reject: Expr) -> Expr {
    Expr {
        ty: accept.ty,
        kind: dpex_spirv::ir::ExprKind::Select {
            condition: Box::new(condition),
            accept: Box::new(accept),
            reject: Box::new(reject),
        },
    }
}

/// The unsigned integer type of `ty`'s width.
fn unsigned_of(ty: Scalar) -> Scalar {
    match ty.bits() {
        8 => Scalar::U8,
        16 => Scalar::U16,
        32 => Scalar::U32,
        _ => Scalar::U64,
    }
}

/// `value as ty` (wrapping).
fn narrow(value: Expr, ty: Scalar) -> Expr {
    cast_to(value, ty)
}

fn cast_to(value: Expr, ty: Scalar) -> Expr {
    if value.ty == ty {
        return value;
    }
    Expr {
        ty,
        kind: dpex_spirv::ir::ExprKind::Cast {
            value: Box::new(value),
        },
    }
}

/// Reads `a..b`, `a..=b`, `(r).rev()`, `(r).step_by(s)`, `(r).rev().step_by(s)` and
/// `(r).step_by(s).rev()`.
fn range_spec(e: &syn::Expr) -> syn::Result<RangeSpec<'_>> {
    match e {
        syn::Expr::Paren(p) => range_spec(&p.expr),
        syn::Expr::Range(r) => {
            let (Some(start), Some(end)) = (&r.start, &r.end) else {
                return Err(error(
                    r.span(),
                    "a kernel `for` loop needs both bounds: `for i in a..b`",
                ));
            };
            Ok(RangeSpec {
                start,
                end,
                inclusive: matches!(r.limits, syn::RangeLimits::Closed(_)),
                order: Order::Forward,
                step: None,
            })
        }
        syn::Expr::MethodCall(m) => {
            let mut inner = range_spec(&m.receiver)?;
            match (m.method.to_string().as_str(), m.args.len()) {
                ("rev", 0) if inner.order == Order::Forward => {
                    inner.order = if inner.step.is_some() {
                        Order::StepThenRev
                    } else {
                        Order::RevThenStep
                    };
                }
                ("step_by", 1) if inner.step.is_none() => inner.step = Some(&m.args[0]),
                _ => return Err(for_range_error(e)),
            }
            Ok(inner)
        }
        other => Err(for_range_error(other)),
    }
}

fn for_range_error(e: &syn::Expr) -> syn::Error {
    error(
        e.span(),
        "kernel `for` loops iterate over integer ranges: write `for i in a..b`, `a..=b`, \
         `(a..b).rev()` or `(a..b).step_by(s)`",
    )
}
