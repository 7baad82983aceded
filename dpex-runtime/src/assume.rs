//! Launch-time proofs that index checks cannot fail: the assumptions of a kernel variant built
//! without them, evaluated on the launch's range and arguments.
//!
//! A safe kernel checks every index at run time. For the accesses whose index the macro can
//! bound in terms of the launch (`item.get_id(0)` lies below the range's extent, `for e in 0..k`
//! keeps `e` below the scalar argument `k`, `if i < rows` bounds `i` inside the branch), it also
//! emits a variant of the kernel without those checks, and records each omitted check as an
//! [`Obligation`]: the index's possible values must lie below the extent indexed. At launch the
//! runtime evaluates the bounds with interval arithmetic on the actual range and arguments, and
//! runs that variant only when every obligation holds ([`launch_best`](crate::launch_best)).
//!
//! The arithmetic is that of the `u64` values the kernel computes: an operation that could wrap
//! (a subtraction that could go below zero, a sum or product beyond `u64::MAX`) gives "any
//! value", so a proof never relies on a wrapped value.

use crate::arg::KernelArg;
use crate::spec::KernelSpec;

/// How a bounded value relates to another, as a dominating condition established it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// `value < bound`.
    Lt,
    /// `value <= bound`.
    Le,
    /// `value > bound`.
    Gt,
    /// `value >= bound`.
    Ge,
    /// `value == bound`.
    Eq,
    /// `value != bound`.
    Ne,
}

/// One step of a bound program, in postfix order (operands first): each step pushes the set of
/// values (an interval of `u64`) an expression of the kernel can take at this launch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundOp {
    /// Exactly this value.
    Const(u64),
    /// Any `u64` (nothing is known).
    Any,
    /// The value of scalar parameter `n` (a `usize` or `u64` parameter).
    Scalar(usize),
    /// The extent of axis `axis` of tensor parameter `param`.
    Extent {
        /// The tensor parameter's index.
        param: usize,
        /// The axis.
        axis: usize,
    },
    /// The element count of tensor or local accessor parameter `n`.
    Len(usize),
    /// The launch range's extent in a dimension.
    GlobalSize(usize),
    /// A work-item's global id in a dimension: below [`BoundOp::GlobalSize`].
    GlobalId(usize),
    /// The work-group's extent in a dimension (the launch's, or 1 to the global extent when the
    /// driver picks it).
    LocalSize(usize),
    /// A work-item's id in its work-group in a dimension: below [`BoundOp::LocalSize`].
    LocalId(usize),
    /// The number of work-groups in a dimension.
    NumGroups(usize),
    /// A work-group's id in a dimension: below [`BoundOp::NumGroups`].
    GroupId(usize),
    /// Pops `b`, then `a`; pushes `a + b`.
    Add,
    /// Pops `b`, then `a`; pushes `a - b`.
    Sub,
    /// Pops `b`, then `a`; pushes `a * b`.
    Mul,
    /// Pops `b`, then `a`; pushes `a / b` (a checked divisor: a zero one is replaced by 1).
    Div,
    /// Pops `b`, then `a`; pushes `a % b` (a checked divisor: a zero one is replaced by 1).
    Rem,
    /// Pops `b`, then `a`; pushes `a.min(b)`.
    Min,
    /// Pops `b`, then `a`; pushes `a.max(b)`.
    Max,
    /// Pops `b`, then `a`; pushes the values of `a` that stand in this relation to some value
    /// of `b` (what a condition on `a` and `b` that holds here leaves of `a`).
    Refine(Relation),
}

/// One index check a variant leaves out: it holds when every value `index` can take lies below
/// the least value `limit` can take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Obligation {
    /// The index's bound program.
    pub index: &'static [BoundOp],
    /// The extent's bound program (a tensor extent, a local accessor's length, an array length).
    pub limit: &'static [BoundOp],
}

/// The largest value a kernel's `u64` can hold, as the interval arithmetic's integer.
const MAX: i128 = u64::MAX as i128;

/// The values a `u64` expression can take: `lo..=hi`; empty when `lo > hi` (the code that
/// computes it does not run at this launch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Interval {
    lo: i128,
    hi: i128,
}

impl Interval {
    const ANY: Interval = Interval { lo: 0, hi: MAX };

    fn point(value: u64) -> Interval {
        Interval::new(i128::from(value), i128::from(value))
    }

    /// `lo..=hi`; any value when that leaves the `u64` range (the kernel's value wrapped).
    fn new(lo: i128, hi: i128) -> Interval {
        if lo < 0 || hi > MAX {
            Interval::ANY
        } else {
            Interval { lo, hi }
        }
    }

    /// `0..=extent - 1`: an id below `extent` (empty for an extent of 0).
    fn below(extent: Interval) -> Interval {
        Interval {
            lo: 0,
            hi: extent.hi - 1,
        }
    }

    fn is_empty(self) -> bool {
        self.lo > self.hi
    }
}

/// What a bound program reads: the launch's range and arguments.
struct Launch<'a> {
    global: &'a [usize],
    local: Option<&'a [usize]>,
    args: &'a [KernelArg<'a>],
}

impl Launch<'_> {
    fn global(&self, dim: usize) -> Interval {
        match self.global.get(dim) {
            Some(&g) => Interval::point(g as u64),
            None => Interval::ANY,
        }
    }

    fn local(&self, dim: usize) -> Interval {
        match self.local.map(|l| l.get(dim)) {
            Some(Some(&l)) => Interval::point(l as u64),
            Some(None) => Interval::ANY,
            // The driver picks a work-group size between 1 and the global extent.
            None => Interval::new(1, self.global(dim).hi),
        }
    }

    fn groups(&self, dim: usize) -> Interval {
        let (global, local) = (self.global(dim), self.local(dim));
        match local.lo {
            0 => Interval::ANY,
            l => Interval::new(global.lo / local.hi.max(1), global.hi / l),
        }
    }

    fn leaf(&self, op: BoundOp) -> Interval {
        match op {
            BoundOp::Const(v) => Interval::point(v),
            BoundOp::Scalar(p) => match self.args.get(p) {
                Some(KernelArg::Scalar { dtype, bytes }) if dtype.size() == 8 => {
                    Interval::point(u64::from_ne_bytes(*bytes))
                }
                _ => Interval::ANY,
            },
            BoundOp::Extent { param, axis } => match self.args.get(param) {
                Some(KernelArg::Tensor { layout, .. }) if axis < layout.dims => {
                    Interval::point(layout.shape[axis])
                }
                Some(KernelArg::Local { shape, dims, .. }) if axis < *dims => {
                    Interval::point(shape[axis])
                }
                _ => Interval::ANY,
            },
            BoundOp::Len(p) => match self.args.get(p) {
                Some(KernelArg::Tensor { len, .. } | KernelArg::Local { len, .. }) => {
                    Interval::point(*len)
                }
                _ => Interval::ANY,
            },
            BoundOp::GlobalSize(d) => self.global(d),
            BoundOp::GlobalId(d) => Interval::below(self.global(d)),
            BoundOp::LocalSize(d) => self.local(d),
            BoundOp::LocalId(d) => Interval::below(self.local(d)),
            BoundOp::NumGroups(d) => self.groups(d),
            BoundOp::GroupId(d) => Interval::below(self.groups(d)),
            _ => Interval::ANY,
        }
    }

    /// Runs a bound program; `None` for a malformed one or one deeper than [`MAX_DEPTH`]
    /// (which proves nothing).
    fn eval(&self, program: &[BoundOp]) -> Option<Interval> {
        let mut stack = Stack {
            values: [Interval::ANY; MAX_DEPTH],
            len: 0,
        };
        for &op in program {
            let value = match op {
                BoundOp::Add
                | BoundOp::Sub
                | BoundOp::Mul
                | BoundOp::Div
                | BoundOp::Rem
                | BoundOp::Min
                | BoundOp::Max
                | BoundOp::Refine(_) => {
                    let b = stack.pop()?;
                    let a = stack.pop()?;
                    binary(op, a, b)
                }
                leaf => self.leaf(leaf),
            };
            stack.push(value)?;
        }
        match stack.len {
            1 => Some(stack.values[0]),
            _ => None,
        }
    }
}

/// The most operands a bound program keeps at once (the macro's programs need far fewer).
const MAX_DEPTH: usize = 32;

/// The operand stack of [`Launch::eval`]: fixed size, so a launch allocates nothing for it.
struct Stack {
    values: [Interval; MAX_DEPTH],
    len: usize,
}

impl Stack {
    fn push(&mut self, value: Interval) -> Option<()> {
        *self.values.get_mut(self.len)? = value;
        self.len += 1;
        Some(())
    }

    fn pop(&mut self) -> Option<Interval> {
        self.len = self.len.checked_sub(1)?;
        Some(self.values[self.len])
    }
}

/// `a op b` on intervals (both non-empty or the result is empty).
fn binary(op: BoundOp, a: Interval, b: Interval) -> Interval {
    if a.is_empty() || b.is_empty() {
        return Interval { lo: 1, hi: 0 };
    }
    match op {
        BoundOp::Add => Interval::new(a.lo + b.lo, a.hi + b.hi),
        BoundOp::Sub => Interval::new(a.lo - b.hi, a.hi - b.lo),
        BoundOp::Mul => match (a.lo.checked_mul(b.lo), a.hi.checked_mul(b.hi)) {
            (Some(lo), Some(hi)) => Interval::new(lo, hi),
            _ => Interval::ANY,
        },
        BoundOp::Div => Interval::new(a.lo / b.hi.max(1), a.hi / b.lo.max(1)),
        BoundOp::Rem => Interval::new(0, a.hi.min((b.hi - 1).max(0))),
        BoundOp::Min => Interval::new(a.lo.min(b.lo), a.hi.min(b.hi)),
        BoundOp::Max => Interval::new(a.lo.max(b.lo), a.hi.max(b.hi)),
        BoundOp::Refine(relation) => refine(a, relation, b),
        _ => Interval::ANY,
    }
}

/// The values of `a` that are `relation` to some value of `b`.
fn refine(a: Interval, relation: Relation, b: Interval) -> Interval {
    let (mut lo, mut hi) = (a.lo, a.hi);
    match relation {
        Relation::Lt => hi = hi.min(b.hi - 1),
        Relation::Le => hi = hi.min(b.hi),
        Relation::Gt => lo = lo.max(b.lo + 1),
        Relation::Ge => lo = lo.max(b.lo),
        Relation::Eq => (lo, hi) = (lo.max(b.lo), hi.min(b.hi)),
        Relation::Ne if b.lo == b.hi && lo == b.lo => lo += 1,
        Relation::Ne if b.lo == b.hi && hi == b.lo => hi -= 1,
        Relation::Ne => {}
    }
    Interval { lo, hi }
}

/// True when `obligation` holds at a launch over `global` (work-groups of `local`) with `args`.
fn holds(obligation: &Obligation, launch: &Launch<'_>) -> bool {
    let (Some(index), Some(limit)) = (launch.eval(obligation.index), launch.eval(obligation.limit))
    else {
        return false;
    };
    index.is_empty() || (!limit.is_empty() && index.hi < limit.lo)
}

/// True when every check `spec` leaves out ([`KernelSpec::assumes`]) provably holds at a launch
/// over `global` (in work-groups of `local`) with `args` (which must match the parameters).
/// A kernel that assumes nothing may always run.
pub fn assumptions_hold(
    spec: &KernelSpec,
    global: &[usize],
    local: Option<&[usize]>,
    args: &[KernelArg<'_>],
) -> bool {
    let launch = Launch {
        global,
        local,
        args,
    };
    spec.assumes.iter().all(|o| holds(o, &launch))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::DType;
    use BoundOp::*;

    fn eval(program: &[BoundOp], global: &[usize], local: Option<&[usize]>) -> Interval {
        let args = [
            KernelArg::scalar(10u64),
            KernelArg::Local {
                dtype: DType::F32,
                len: 64,
                dims: 1,
                shape: [64, 0, 0],
            },
        ];
        let launch = Launch {
            global,
            local,
            args: &args,
        };
        launch.eval(program).expect("a well-formed program")
    }

    fn interval(lo: i128, hi: i128) -> Interval {
        Interval { lo, hi }
    }

    #[test]
    fn ids_lie_below_their_extents() {
        assert_eq!(eval(&[GlobalId(0)], &[100], None), interval(0, 99));
        assert_eq!(eval(&[GlobalId(1)], &[100, 7], None), interval(0, 6));
        assert_eq!(eval(&[LocalId(0)], &[128], Some(&[16])), interval(0, 15));
        assert_eq!(eval(&[GroupId(0)], &[128], Some(&[16])), interval(0, 7));
        // Without a work-group size the driver may pick any up to the global extent.
        assert_eq!(eval(&[LocalId(0)], &[128], None), interval(0, 127));
        assert_eq!(eval(&[Scalar(0)], &[1], None), interval(10, 10));
        assert_eq!(eval(&[Len(1)], &[1], None), interval(64, 64));
    }

    #[test]
    fn arithmetic_that_could_wrap_proves_nothing() {
        let any = Interval::ANY;
        // gid - 1 is u64::MAX for work-item 0.
        assert_eq!(eval(&[GlobalId(0), Const(1), Sub], &[100], None), any);
        assert_eq!(
            eval(&[GlobalId(0), Const(1), Add, Const(1), Sub], &[100], None),
            interval(0, 99)
        );
        assert_eq!(eval(&[Const(u64::MAX), Const(1), Add], &[1], None), any);
        assert_eq!(
            eval(&[Const(u64::MAX), Const(u64::MAX), Mul], &[1], None),
            any
        );
        assert_eq!(
            eval(&[GlobalId(0), Scalar(0), Mul, Const(3), Add], &[100], None),
            interval(3, 993)
        );
        assert_eq!(eval(&[Any, Const(2), Add], &[1], None), any);
    }

    #[test]
    fn conditions_narrow_and_can_empty_an_interval() {
        // `if gid >= 1 && gid < n - 1` with n = 10, over 100 work-items.
        let inner = [
            GlobalId(0),
            Const(1),
            Refine(Relation::Ge),
            Scalar(0),
            Const(1),
            Sub,
            Refine(Relation::Lt),
        ];
        assert_eq!(eval(&inner, &[100], None), interval(1, 8));
        let mut minus_one = inner.to_vec();
        minus_one.extend([Const(1), Sub]);
        assert_eq!(eval(&minus_one, &[100], None), interval(0, 7));
        // `gid != 9` after `gid < 10` leaves 0..=8; `gid < 0` can never hold.
        let not_last = [
            GlobalId(0),
            Scalar(0),
            Refine(Relation::Lt),
            Const(9),
            Refine(Relation::Ne),
        ];
        assert_eq!(eval(&not_last, &[100], None), interval(0, 8));
        assert!(eval(&[GlobalId(0), Const(0), Refine(Relation::Lt)], &[100], None).is_empty());
        // Any value still below a known bound is bounded.
        assert_eq!(
            eval(&[Any, Scalar(0), Refine(Relation::Le)], &[1], None),
            interval(0, 10)
        );
    }

    #[test]
    fn an_obligation_holds_only_below_the_least_limit() {
        static INDEX: [BoundOp; 1] = [GlobalId(0)];
        static LIMIT: [BoundOp; 1] = [Len(0)];
        let obligation = Obligation {
            index: &INDEX,
            limit: &LIMIT,
        };
        let tensor_args = |len: u64| {
            [KernelArg::Local {
                dtype: DType::F32,
                len,
                dims: 1,
                shape: [len, 0, 0],
            }]
        };
        let check = |global: usize, len: u64| {
            let args = tensor_args(len);
            let launch = Launch {
                global: &[global],
                local: None,
                args: &args,
            };
            holds(&obligation, &launch)
        };
        assert!(check(64, 64));
        assert!(check(63, 64));
        assert!(!check(65, 64));
        assert!(!check(1, 0));
        // Malformed programs prove nothing.
        let launch = Launch {
            global: &[1],
            local: None,
            args: &[],
        };
        assert_eq!(launch.eval(&[Add]), None);
        assert_eq!(launch.eval(&[Const(1), Const(2)]), None);
    }
}
