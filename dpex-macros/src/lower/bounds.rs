//! Launch-time bounds of indices: which checks a safe kernel's second variant leaves out, and
//! the obligations (bound programs, see `dpex_runtime::BoundOp`) that the launch must prove.
//!
//! Only `usize` values are bounded: literals, scalar parameters, tensor extents and lengths,
//! work-item built-ins, `+ - *`, `/` and `%` by a literal, `min`/`max`, `u8` and `bool` values
//! cast to `usize` (within their type's range), and the immutable locals
//! (`let`s, the variable of `for i in a..b`) they flow through. Dominating conditions on those
//! (`if i < n`, `while`, the rest of a block after `if c { return; }`) narrow them; a condition
//! on a `let mut` counts until the local is next assigned, at the loop depth where it was
//! tested (`while i < n { x[i]; i += s; }`). Anything else is "any value", and its check stays.

use super::Lowerer;
use dpex_spirv::ir::{BinaryOp, Builtin, Expr, ExprKind, Literal, LocalId, MathFunction, Memory};
use dpex_spirv::ir::{LayoutField, ParamId, Scalar, Statement, UnaryOp};
use proc_macro2::TokenStream;
use quote::quote;

/// A relation a condition established (see `dpex_runtime::Relation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Relation {
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
}

impl Relation {
    fn of(op: BinaryOp) -> Option<Relation> {
        Some(match op {
            BinaryOp::Lt => Relation::Lt,
            BinaryOp::Le => Relation::Le,
            BinaryOp::Gt => Relation::Gt,
            BinaryOp::Ge => Relation::Ge,
            BinaryOp::Eq => Relation::Eq,
            BinaryOp::Ne => Relation::Ne,
            _ => return None,
        })
    }

    /// The relation that holds when this one does not.
    fn negated(self) -> Relation {
        match self {
            Relation::Lt => Relation::Ge,
            Relation::Le => Relation::Gt,
            Relation::Gt => Relation::Le,
            Relation::Ge => Relation::Lt,
            Relation::Eq => Relation::Ne,
            Relation::Ne => Relation::Eq,
        }
    }

    /// The same relation with its two sides swapped (`a < b` is `b > a`).
    fn swapped(self) -> Relation {
        match self {
            Relation::Lt => Relation::Gt,
            Relation::Le => Relation::Ge,
            Relation::Gt => Relation::Lt,
            Relation::Ge => Relation::Le,
            same => same,
        }
    }
}

/// One step of a bound program (see `dpex_runtime::BoundOp`, which this mirrors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// Exactly this value.
    Const(u64),
    /// Any value.
    Any,
    /// Scalar parameter `n`.
    Scalar(u32),
    /// Extent of axis `.1` of tensor parameter `.0`.
    Extent(u32, u32),
    /// Element count of tensor or local accessor parameter `n`.
    Len(u32),
    /// A work-item built-in (ids and sizes).
    Builtin(Builtin),
    /// `+`, `-`, `*`, `/`, `%` of the two values before.
    Binary(BinaryOp),
    /// The smaller of the two values before.
    Min,
    /// The larger of the two values before.
    Max,
    /// The value before the last, narrowed by its relation to the last.
    Refine(Relation),
}

/// A bound program: the values an expression can take, computed at launch.
pub(crate) type Bound = Vec<Op>;

/// Longer programs are given up on ("any value"): a chain of `let`s that each use the one
/// before twice would otherwise grow exponentially.
const MAX_PROGRAM: usize = 256;

/// What a condition can speak about: values that do not change while the condition holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Subject {
    Local(LocalId),
    Param(ParamId),
    Builtin(Builtin),
}

/// `subject relation bound` holds here.
#[derive(Clone, Debug)]
pub(crate) struct Fact {
    subject: Subject,
    relation: Relation,
    bound: Bound,
    /// For a `let mut` subject: the loop depth where the fact was learned (it holds only at
    /// that depth: an inner loop may change the local before a later iteration reads it).
    depth: Option<usize>,
    /// False once a `let mut` subject has been assigned since.
    live: bool,
}

/// One check the proven variant leaves out: every value of `index` is below `limit`.
pub(crate) type Assumption = (Bound, Bound);

fn any() -> Bound {
    vec![Op::Any]
}

fn is_any(bound: &[Op]) -> bool {
    bound == [Op::Any]
}

/// `a b op`, or "any value" when either is (or the program grows too long).
fn combine(a: Bound, b: Bound, op: Op) -> Bound {
    if is_any(&a) || is_any(&b) || a.len() + b.len() >= MAX_PROGRAM {
        return any();
    }
    let mut program = a;
    program.extend(b);
    program.push(op);
    program
}

/// The values of `base` in `relation` to some value of `bound`; `base` itself when nothing is
/// known of `bound` (a value of which nothing is known is still narrowed by a known bound).
fn refine(base: Bound, relation: Relation, bound: Bound) -> Bound {
    if is_any(&bound) || base.len() + bound.len() >= MAX_PROGRAM {
        return base;
    }
    let mut program = base;
    program.extend(bound);
    program.push(Op::Refine(relation));
    program
}

/// How much work one bound may take (expressions visited, definitions of locals included):
/// beyond it the bound is "any value".
const FUEL: u32 = 512;

/// What a stable `usize` local holds (assigned once, never changed in its scope).
#[derive(Clone, Debug)]
pub(crate) enum Stable {
    /// The value of this expression, whose operands are themselves unchanged since (its bound
    /// is taken where the local is used).
    Value(Expr),
    /// A value from the first expression's up to below the second's (a `for` variable).
    Between(Expr, Expr),
    /// A value within this bound, taken where the local was assigned (its definition reads a
    /// `let mut`, which may have changed since).
    Fixed(Bound),
}

/// The values of a variable running from `start` up to below `end`.
fn range_bound(start: Bound, end: Bound) -> Bound {
    refine(refine(any(), Relation::Ge, start), Relation::Lt, end)
}

impl Lowerer<'_> {
    /// Remembers what a stable local (assigned once, never changed in its scope) holds.
    pub(crate) fn note_stable(&mut self, local: LocalId, value: &Expr) {
        if self.prove && value.ty == Scalar::U64 {
            let stable = if self.reads_mutable(value) {
                Stable::Fixed(self.bound_of(value))
            } else {
                Stable::Value(value.clone())
            };
            self.stable.insert(local, stable);
        }
    }

    /// True when `e` reads a `let mut` local (directly or through a stable local's definition
    /// taken at its use).
    fn reads_mutable(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Local(l) => match self.stable.get(l) {
                Some(Stable::Value(value)) => self.reads_mutable(value),
                Some(Stable::Between(start, end)) => {
                    self.reads_mutable(start) || self.reads_mutable(end)
                }
                Some(Stable::Fixed(_)) => false,
                None => self.mutable_locals.contains(l),
            },
            ExprKind::Binary { lhs, rhs, .. } => self.reads_mutable(lhs) || self.reads_mutable(rhs),
            ExprKind::Math { args, .. } => args.iter().any(|a| self.reads_mutable(a)),
            ExprKind::Unary { operand, .. } => self.reads_mutable(operand),
            ExprKind::Cast { value } | ExprKind::Bitcast { value } => self.reads_mutable(value),
            ExprKind::Select {
                condition,
                accept,
                reject,
            } => {
                self.reads_mutable(condition)
                    || self.reads_mutable(accept)
                    || self.reads_mutable(reject)
            }
            _ => false,
        }
    }

    /// Remembers a `let mut` local `name` of type `usize` initialized to `value`: conditions on
    /// it hold until it is assigned, and if every assignment of the name can only shrink it, it
    /// stays within `value`'s bound here.
    pub(crate) fn note_mutable(&mut self, local: LocalId, name: &str, value: &Expr) {
        if self.prove && value.ty == Scalar::U64 {
            self.mutable_locals.insert(local);
            if self.shrinking_names.contains(name) {
                let initial = self.bound_of(value);
                self.shrinking.insert(local, initial);
            }
        }
    }

    /// Forgets what conditions said of a `let mut` local that `stmt` assigns.
    pub(crate) fn note_assignment(&mut self, stmt: &Statement) {
        if let Statement::Assign { local, .. } = stmt {
            if self.mutable_locals.contains(local) {
                for fact in &mut self.facts {
                    if fact.subject == Subject::Local(*local) {
                        fact.live = false;
                    }
                }
            }
        }
    }

    /// Remembers a `for` variable over `start..end`.
    pub(crate) fn note_loop_variable(&mut self, local: LocalId, start: &Expr, end: &Expr) {
        if self.prove {
            let stable = if self.reads_mutable(start) || self.reads_mutable(end) {
                Stable::Fixed(range_bound(self.bound_of(start), self.bound_of(end)))
            } else {
                Stable::Between(start.clone(), end.clone())
            };
            self.stable.insert(local, stable);
        }
    }

    /// The bound of `e` here (at launch): its operands' bounds under the facts in force here.
    /// A stable local's bound is its definition's, taken here, so that what a condition later
    /// learned of the definition's operands counts.
    pub(crate) fn bound_of(&self, e: &Expr) -> Bound {
        let mut fuel = FUEL;
        self.bound_in(e, &mut fuel)
    }

    fn bound_in(&self, e: &Expr, fuel: &mut u32) -> Bound {
        if !self.prove || e.ty != Scalar::U64 || *fuel == 0 {
            return any();
        }
        *fuel -= 1;
        match &e.kind {
            ExprKind::Literal(Literal::Int(v)) => vec![Op::Const(*v)],
            ExprKind::Param(p) => self.refined(Subject::Param(*p), vec![Op::Scalar(p.0)]),
            ExprKind::Local(l) => {
                let base = match self.stable.get(l) {
                    Some(Stable::Value(value)) => self.bound_in(value, fuel),
                    Some(Stable::Between(start, end)) => {
                        range_bound(self.bound_in(start, fuel), self.bound_in(end, fuel))
                    }
                    Some(Stable::Fixed(bound)) => bound.clone(),
                    // A `let mut` is what the conditions still in force say of it (below its
                    // initial value if it can only shrink).
                    None if self.mutable_locals.contains(l) => match self.shrinking.get(l) {
                        Some(initial) => refine(any(), Relation::Le, initial.clone()),
                        None => any(),
                    },
                    None => return any(),
                };
                self.refined(Subject::Local(*l), base)
            }
            ExprKind::Len(Memory::Tensor(p) | Memory::Local(p)) => vec![Op::Len(p.0)],
            ExprKind::TensorLayout {
                tensor,
                field: LayoutField::Shape(axis),
            } => vec![Op::Extent(tensor.0, *axis)],
            ExprKind::LocalExtent { local, axis } => vec![Op::Extent(local.0, *axis)],
            ExprKind::Builtin(b) => match b {
                Builtin::GlobalId(_)
                | Builtin::GlobalSize(_)
                | Builtin::LocalId(_)
                | Builtin::LocalSize(_)
                | Builtin::GroupId(_)
                | Builtin::NumGroups(_) => {
                    self.refined(Subject::Builtin(*b), vec![Op::Builtin(*b)])
                }
                _ => any(),
            },
            ExprKind::Binary { op, lhs, rhs } => match op {
                BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul => combine(
                    self.bound_in(lhs, fuel),
                    self.bound_in(rhs, fuel),
                    Op::Binary(*op),
                ),
                // Only by a literal: a divisor that might be zero proves nothing.
                BinaryOp::Div | BinaryOp::Rem => match rhs.kind {
                    ExprKind::Literal(Literal::Int(d)) if d > 0 => combine(
                        self.bound_in(lhs, fuel),
                        vec![Op::Const(d)],
                        Op::Binary(*op),
                    ),
                    _ => any(),
                },
                _ => any(),
            },
            // A `u8` or a `bool` widened to `usize` stays within its type's range. (Wider types
            // are left unbounded: an index read from data as `u16`/`u32` is rarely below such a
            // bound, and an obligation that never holds would keep the proven variant from
            // ever running.)
            ExprKind::Cast { value } => {
                let max = match value.ty {
                    Scalar::Bool => 1,
                    Scalar::U8 => u64::from(u8::MAX),
                    _ => return any(),
                };
                refine(any(), Relation::Le, vec![Op::Const(max)])
            }
            ExprKind::Math { fun, args } if args.len() == 2 => {
                let op = match fun {
                    MathFunction::Min => Op::Min,
                    MathFunction::Max => Op::Max,
                    _ => return any(),
                };
                combine(
                    self.bound_in(&args[0], fuel),
                    self.bound_in(&args[1], fuel),
                    op,
                )
            }
            _ => any(),
        }
    }

    /// `base` narrowed by every fact about `subject` in force here.
    fn refined(&self, subject: Subject, base: Bound) -> Bound {
        let depth = self.loops.len();
        self.facts
            .iter()
            .filter(|f| f.live && f.subject == subject && f.depth.is_none_or(|d| d == depth))
            .fold(base, |bound, fact| {
                refine(bound, fact.relation, fact.bound.clone())
            })
    }

    /// The subject a condition's operand names, if it names one.
    fn subject(&self, e: &Expr) -> Option<Subject> {
        match &e.kind {
            ExprKind::Local(l)
                if self.stable.contains_key(l) || self.mutable_locals.contains(l) =>
            {
                Some(Subject::Local(*l))
            }
            ExprKind::Param(p) => Some(Subject::Param(*p)),
            ExprKind::Builtin(b) => Some(Subject::Builtin(*b)),
            _ => None,
        }
    }

    /// The facts that `condition == holds` establishes.
    fn facts_of(&self, condition: &Expr, holds: bool, facts: &mut Vec<Fact>) {
        match &condition.kind {
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            } => self.facts_of(operand, !holds, facts),
            ExprKind::Binary { op, lhs, rhs } => match (op, holds) {
                (BinaryOp::LogicalAnd | BinaryOp::BitAnd, true)
                | (BinaryOp::LogicalOr | BinaryOp::BitOr, false)
                    if condition.ty == Scalar::Bool =>
                {
                    self.facts_of(lhs, holds, facts);
                    self.facts_of(rhs, holds, facts);
                }
                _ => {
                    let Some(relation) = Relation::of(*op) else {
                        return;
                    };
                    if lhs.ty != Scalar::U64 {
                        return;
                    }
                    let relation = if holds { relation } else { relation.negated() };
                    let sides = [(lhs, rhs, relation), (rhs, lhs, relation.swapped())];
                    for (side, other, relation) in sides {
                        if let Some(subject) = self.subject(side) {
                            let mutable = matches!(subject, Subject::Local(l)
                                if self.mutable_locals.contains(&l));
                            facts.push(Fact {
                                subject,
                                relation,
                                bound: self.bound_of(other),
                                depth: mutable.then_some(self.loops.len()),
                                live: true,
                            });
                        }
                    }
                }
            },
            _ => {}
        }
    }

    /// Runs `f` knowing that `condition == holds`.
    pub(crate) fn assuming<T>(
        &mut self,
        condition: &Expr,
        holds: bool,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let before = self.facts.len();
        self.assume(condition, holds);
        let out = f(self);
        self.facts.truncate(before);
        out
    }

    /// From here to the end of the enclosing scope, `condition == holds`.
    fn assume(&mut self, condition: &Expr, holds: bool) {
        if self.prove {
            let mut facts = Vec::new();
            self.facts_of(condition, holds, &mut facts);
            self.facts.extend(facts);
        }
    }

    /// After `if condition { ...; return }` (or `break`, `continue`) without `else`, the rest
    /// of the block runs only where the condition was false.
    pub(crate) fn after_if(
        &mut self,
        condition: &Expr,
        accept: &[Statement],
        reject: &[Statement],
    ) {
        let leaves = matches!(
            accept.last(),
            Some(Statement::Return | Statement::Break | Statement::Continue)
        );
        if leaves && reject.is_empty() {
            self.assume(condition, false);
        }
    }

    /// In the proven variant: the bounds of an access's `indices` against its `extents` when
    /// every one of them can be proven at launch (the check is then left out and assumed).
    pub(crate) fn provable(&mut self, indices: &[Expr], extents: &[Expr]) -> bool {
        if !self.prove || self.failure.is_none() {
            return false;
        }
        let pairs: Vec<Assumption> = indices
            .iter()
            .zip(extents)
            .map(|(i, n)| (self.bound_of(i), self.bound_of(n)))
            .collect();
        if pairs.iter().any(|(i, n)| !has_upper_bound(i) || is_any(n)) {
            return false;
        }
        for pair in pairs {
            if !self.assumes.contains(&pair) {
                self.assumes.push(pair);
            }
        }
        true
    }
}

/// True when the largest value of `bound` is limited by something known at launch: without
/// that its check could never be proven, and assuming it would only keep the proven variant
/// from ever running.
fn has_upper_bound(bound: &[Op]) -> bool {
    let mut stack: Vec<bool> = Vec::new();
    for op in bound {
        let bounded = match op {
            Op::Any => false,
            Op::Const(_) | Op::Scalar(_) | Op::Extent(..) | Op::Len(_) | Op::Builtin(_) => true,
            Op::Binary(BinaryOp::Rem) => {
                stack.pop();
                stack.pop();
                true
            }
            Op::Binary(BinaryOp::Div) => {
                stack.pop();
                stack.pop().unwrap_or(false)
            }
            Op::Refine(relation) => {
                let limit = stack.pop().unwrap_or(false);
                let value = stack.pop().unwrap_or(false);
                match relation {
                    Relation::Lt | Relation::Le | Relation::Eq => value || limit,
                    Relation::Gt | Relation::Ge | Relation::Ne => value,
                }
            }
            Op::Min => {
                let (b, a) = (stack.pop().unwrap_or(false), stack.pop().unwrap_or(false));
                a || b
            }
            Op::Binary(_) | Op::Max => {
                let (b, a) = (stack.pop().unwrap_or(false), stack.pop().unwrap_or(false));
                a && b
            }
        };
        stack.push(bounded);
    }
    stack == [true]
}

/// The runtime's `BoundOp` program for `bound`, as a static slice expression.
pub(crate) fn bound_tokens(bound: &[Op]) -> TokenStream {
    let ops = bound.iter().map(|op| {
        let path = quote!(::dpex::__private::BoundOp);
        let index = |n: u32| proc_macro2::Literal::usize_unsuffixed(n as usize);
        match *op {
            Op::Const(v) => {
                let v = proc_macro2::Literal::u64_suffixed(v);
                quote!(#path::Const(#v))
            }
            Op::Any => quote!(#path::Any),
            Op::Scalar(p) => {
                let p = index(p);
                quote!(#path::Scalar(#p))
            }
            Op::Extent(param, axis) => {
                let (param, axis) = (index(param), index(axis));
                quote!(#path::Extent { param: #param, axis: #axis })
            }
            Op::Len(p) => {
                let p = index(p);
                quote!(#path::Len(#p))
            }
            Op::Builtin(b) => {
                let (name, dim) = match b {
                    Builtin::GlobalId(d) => ("GlobalId", d),
                    Builtin::GlobalSize(d) => ("GlobalSize", d),
                    Builtin::LocalId(d) => ("LocalId", d),
                    Builtin::LocalSize(d) => ("LocalSize", d),
                    Builtin::GroupId(d) => ("GroupId", d),
                    Builtin::NumGroups(d) => ("NumGroups", d),
                    _ => return quote!(#path::Any),
                };
                let name = quote::format_ident!("{}", name);
                let dim = index(dim);
                quote!(#path::#name(#dim))
            }
            Op::Binary(op) => match op {
                BinaryOp::Add => quote!(#path::Add),
                BinaryOp::Sub => quote!(#path::Sub),
                BinaryOp::Mul => quote!(#path::Mul),
                BinaryOp::Div => quote!(#path::Div),
                BinaryOp::Rem => quote!(#path::Rem),
                // bound_of makes no other binary step; a stray one would prove nothing.
                _ => quote!(#path::Any),
            },
            Op::Min => quote!(#path::Min),
            Op::Max => quote!(#path::Max),
            Op::Refine(r) => {
                let r = quote::format_ident!("{}", format!("{r:?}"));
                quote!(#path::Refine(::dpex::__private::Relation::#r))
            }
        }
    });
    quote!(&[#(#ops),*])
}

/// The names of a body whose every assignment can only make them smaller (`x /= 2`,
/// `x >>= 1`, `x = x / 4` with positive literals): a `let mut` of such a name never exceeds its
/// initial value. Names are compared as written (a shadowed name shares the verdict of its
/// namesakes, which can only make it stricter).
pub(crate) fn non_increasing_names(stmts: &[syn::Stmt]) -> std::collections::HashSet<String> {
    use syn::visit::Visit;

    #[derive(Default)]
    struct Assignments {
        shrinking: std::collections::HashSet<String>,
        other: std::collections::HashSet<String>,
    }

    /// A positive integer literal.
    fn positive(e: &syn::Expr) -> bool {
        matches!(e, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. })
            if i.base10_parse::<u64>().is_ok_and(|v| v > 0))
    }

    fn name(e: &syn::Expr) -> Option<String> {
        match e {
            syn::Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
            _ => None,
        }
    }

    /// Every name in an assignment's target (`(a, b) = ...` assigns both).
    #[derive(Default)]
    struct Names(Vec<String>);

    impl<'ast> Visit<'ast> for Names {
        fn visit_path(&mut self, p: &'ast syn::Path) {
            if let Some(ident) = p.get_ident() {
                self.0.push(ident.to_string());
            }
        }
    }

    impl Assignments {
        fn note(&mut self, target: &syn::Expr, shrinks: bool) {
            match name(target) {
                Some(n) if shrinks => {
                    self.shrinking.insert(n);
                }
                _ => {
                    let mut names = Names::default();
                    names.visit_expr(target);
                    self.other.extend(names.0);
                }
            }
        }
    }

    impl<'ast> Visit<'ast> for Assignments {
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            let shrinks = match &*a.right {
                syn::Expr::Binary(b) => {
                    matches!(b.op, syn::BinOp::Div(_) | syn::BinOp::Shr(_))
                        && name(&b.left).is_some_and(|n| Some(n) == name(&a.left))
                        && positive(&b.right)
                }
                _ => false,
            };
            self.note(&a.left, shrinks);
            syn::visit::visit_expr_assign(self, a);
        }

        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            if super::expr::compound_op(&b.op).is_some() {
                let shrinks = matches!(b.op, syn::BinOp::DivAssign(_) | syn::BinOp::ShrAssign(_))
                    && positive(&b.right);
                self.note(&b.left, shrinks);
            }
            syn::visit::visit_expr_binary(self, b);
        }
    }

    let mut found = Assignments::default();
    for stmt in stmts {
        found.visit_stmt(stmt);
    }
    found.shrinking.difference(&found.other).cloned().collect()
}
