//! Type-checks a kernel body and lowers it to `dpex_spirv::ir`, reporting errors at the user's
//! tokens.
//!
//! Typing follows rustc for the supported subset: operands of arithmetic and comparisons must
//! have one type, unsuffixed literals take the type their context asks for (else `i32` / `f64`),
//! indices are `usize`, and a `let` initialized from literals alone takes the type its later
//! uses demand ([`infer`]). Each statement is lowered on its own, so one bad statement does not
//! hide the errors in the next.
//!
//! Expressions may need statements (a block or an `if` with statements used as a value, a
//! `loop` with `break value`): lowering an expression may [`Lowerer::emit`] statements, which
//! land before the statement being lowered.

mod aggregate;
mod atomic;
mod bounds;
mod calls;
mod checks;
mod control;
mod expr;
mod for_loop;
mod functions;
mod infer;
mod literal;
mod math;
mod memory;
mod nd_range;
mod paths;
mod place;
mod stmt;
mod uniform;
mod unsupported;

pub(crate) use bounds::{bound_tokens, Assumption};
pub(crate) use calls::is_builtin_call;
pub(crate) use functions::FunctionTable;
pub(crate) use paths::{path_key, Scope};

use crate::parse::{ParamDeclKind, Signature};
use dpex_spirv::ir::{self, Expr, ExprKind, FunctionId, LocalId, ParamId, Scalar, Statement};
use infer::LetSite;
use proc_macro2::Span;
use std::collections::{HashMap, HashSet};
use syn::Ident;

/// What a name in scope refers to.
#[derive(Clone, Debug)]
pub(crate) enum Binding {
    /// The `Item<N>` parameter.
    Item,
    /// A scalar parameter that is never assigned (read straight from the argument).
    Param { id: ParamId, ty: Scalar },
    /// A tensor parameter.
    Tensor {
        id: ParamId,
        elem: Scalar,
        access: ir::Access,
        dims: u32,
    },
    /// A scalar local variable (or a `mut` scalar parameter copied into one).
    Local {
        id: LocalId,
        ty: Scalar,
        mutable: bool,
        /// Set when the type came from literals alone and may still change (see [`infer`]).
        site: Option<LetSite>,
    },
    /// A private array local (an array of arrays has several axes, stored row-major).
    Array {
        id: LocalId,
        elem: Scalar,
        shape: memory::Extents,
        mutable: bool,
        /// As for [`Binding::Local`]: set while the element type may still change.
        site: Option<LetSite>,
    },
    /// A tuple: one binding per field.
    Tuple(Vec<Binding>),
    /// A `LocalAccessor<T, N>` parameter (`dims` = N).
    LocalParam {
        id: ParamId,
        elem: Scalar,
        dims: u32,
    },
    /// A `LocalArray` in work-group local memory.
    WorkgroupArray {
        id: ir::WorkgroupArrayId,
        elem: Scalar,
        shape: memory::Shape,
    },
    /// The work-group (`let g = it.get_group();`).
    Group,
    /// The sub-group (`let sg = it.get_sub_group();`).
    SubGroup,
    /// An `AtomicRef` to one element.
    Atomic(atomic::AtomicElement),
    /// A row of a tensor (`let r = x.row(i);`, `x.row_mut(i)`, `&x[i]`): indexing it
    /// indexes the tensor with the row's fixed leading indices first.
    Row(memory::RowOperand),
    /// A `let` whose initializer had an error (already reported): uses of the name are
    /// errors too, but they are not reported again.
    Poisoned,
}

/// The state of lowering one kernel or device-function body.
pub(crate) struct Lowerer<'s> {
    sig: &'s Signature,
    /// The device functions the body may call.
    funcs: &'s FunctionTable,
    /// Where the body's calls are resolved from.
    scope: Scope,
    /// In a device function: per parameter, for a tensor or a local accessor, the kernel
    /// parameter passed for it (see [`Lowerer::kernel_param`]); empty in a kernel.
    origins: Vec<Option<u32>>,
    /// The calls made so far: callee and the span of the call.
    calls: Vec<(FunctionId, Span)>,
    locals: Vec<ir::Local>,
    /// Innermost scope last; each maps names to bindings, later entries shadowing earlier ones.
    scopes: Vec<Vec<(String, Binding)>>,
    /// The blocks being built, innermost last; [`Lowerer::emit`] appends to the last.
    blocks: Vec<ir::Block>,
    /// How many enclosing conditions differ between work-items (see [`uniform`]).
    divergence: u32,
    /// Locals whose value may differ between the work-items of a group.
    nonuniform_locals: HashSet<LocalId>,
    /// Set once some work-items may have returned early.
    divergent_exit: bool,
    /// True when lowering the variant of the kernel that assumes C-contiguous tensor views.
    contiguous: bool,
    /// True in a safe kernel: indices and integer divisions are checked at run time.
    checked: bool,
    /// How many `unsafe` blocks enclose the code being lowered (no checks inside).
    unchecked_depth: u32,
    /// Set once a run-time check was emitted: the kernel then reports errors.
    reports_errors: bool,
    /// True when lowering a kernel's proven variant: checks whose indices can be bounded at
    /// launch are left out and recorded in `assumes` (see [`bounds`]).
    prove: bool,
    /// What the stable `usize` locals (assigned once in their scope) hold, for their bounds.
    stable: HashMap<LocalId, bounds::Stable>,
    /// The `let mut` locals of type `usize` (subjects of conditions until assigned).
    mutable_locals: HashSet<LocalId>,
    /// The names whose every assignment in the body shrinks them (see [`bounds`]).
    shrinking_names: HashSet<String>,
    /// The `let mut` locals of those names, with the bound of their initial value.
    shrinking: HashMap<LocalId, bounds::Bound>,
    /// The facts the enclosing conditions establish, innermost last.
    facts: Vec<bounds::Fact>,
    /// The checks left out so far, as (index, limit) bounds.
    assumes: Vec<Assumption>,
    /// The `#[dpex::constant]`s being lowered, innermost last (a constant defined in terms of
    /// itself is an error, not an endless expansion).
    constants_in_progress: Vec<String>,
    /// In a checked kernel: where the work-item's first failure is kept until it exits.
    failure: Option<checks::FailureSlots>,
    /// The work-group arrays declared so far.
    workgroup_arrays: Vec<ir::WorkgroupArray>,
    /// The enclosing loops, innermost last.
    loops: Vec<control::LoopFrame>,
    /// Types that earlier attempts learned for literal-initialized `let`s (see [`infer`]).
    let_types: HashMap<LetSite, Scalar>,
    /// Counts the `let`s met so far, in source order: the next [`LetSite`].
    next_let: u32,
    /// A type learned in this attempt for a literal-initialized `let`: lowering starts over.
    learned: Option<(LetSite, Scalar)>,
    /// Set when a poisoned name is used: the current statement's error is a consequence of an
    /// earlier one and is not reported.
    used_poisoned: std::cell::Cell<bool>,
}

/// A lowered body: what a kernel or a function needs besides its name.
struct Body {
    params: Vec<ir::Param>,
    locals: Vec<ir::Local>,
    workgroup_arrays: Vec<ir::WorkgroupArray>,
    body: ir::Block,
    calls: Vec<(FunctionId, Span)>,
    reports_errors: bool,
    assumes: Vec<Assumption>,
}

/// Which run-time checks a lowering emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Checks {
    /// None: `#[kernel(unchecked)]`.
    Off,
    /// Every index and integer division: the safe kernel.
    On,
    /// As `On`, but an index check that a launch can prove (see [`bounds`]) is left out and
    /// recorded as an assumption: the variant run when the assumptions hold.
    UnlessProven,
}

/// A lowered kernel module and, for a proven variant, the checks it leaves out.
pub(crate) struct Lowered {
    pub module: ir::Module,
    pub assumes: Vec<Assumption>,
}

/// Lowers a kernel and every device function it reaches into one module.
pub(crate) fn lower_module(
    sig: &Signature,
    body: &syn::Block,
    funcs: &FunctionTable,
    contiguous: bool,
    checks: Checks,
) -> syn::Result<Lowered> {
    let kernel = lower_body(
        sig,
        &body.stmts,
        Vec::new(),
        funcs,
        Scope::Kernel,
        contiguous,
        checks,
    )?;
    let mut reports_errors = kernel.reports_errors;
    let mut functions = Vec::new();
    let mut calls = Vec::new();
    let mut names = Vec::new();
    let mut errors = Vec::new();
    let mut next = 0;
    while let Some(instance) = funcs.instance(next) {
        let fsig = instance.sig;
        let name = instance_name(instance.name, &fsig, instance.twins);
        let stmts = &instance.item.block.stmts;
        let origins = instance.origins;
        match lower_body(
            &fsig,
            stmts,
            origins,
            funcs,
            instance.scope,
            contiguous,
            checks,
        ) {
            Ok(lowered) => {
                reports_errors |= lowered.reports_errors;
                calls.push(lowered.calls);
                functions.push(ir::Function {
                    name: name.clone(),
                    params: lowered.params,
                    result: fsig.result,
                    locals: lowered.locals,
                    body: lowered.body,
                });
            }
            Err(e) => {
                calls.push(Vec::new());
                errors.push(e);
            }
        }
        names.push(name);
        next += 1;
    }
    if let Some(e) = crate::parse::combine(errors) {
        return Err(e);
    }
    functions::check_recursion(&calls, &names)?;
    let module = ir::Module {
        functions,
        kernels: vec![ir::Kernel {
            name: syn::ext::IdentExt::unraw(&sig.name).to_string(),
            dims: sig.dims,
            params: kernel.params,
            locals: kernel.locals,
            workgroup_arrays: kernel.workgroup_arrays,
            reports_errors,
            body: kernel.body,
        }],
    };
    Ok(Lowered {
        module,
        assumes: kernel.assumes,
    })
}

/// The IR name of a function instance: its name in the module (`odd::f`) as an identifier
/// (`odd__f`), plus the types of a generic instance, plus `_<twins>` for an instance that
/// differs from `twins` earlier ones by the tensors and local accessors passed only.
fn instance_name(name: String, sig: &Signature, twins: usize) -> String {
    let mut name = name.trim_start_matches("::").replace("::", "__");
    for (_, ty) in sig.types.generic() {
        name.push('_');
        name.push_str(ty.name());
    }
    if twins > 0 {
        name.push_str(&format!("_{twins}"));
    }
    name
}

/// Lowers one body, starting over whenever a literal-initialized `let` learns its type.
fn lower_body(
    sig: &Signature,
    stmts: &[syn::Stmt],
    origins: Vec<Option<u32>>,
    funcs: &FunctionTable,
    scope: Scope,
    contiguous: bool,
    checks: Checks,
) -> syn::Result<Body> {
    let checked = checks != Checks::Off;
    let mut let_types = HashMap::new();
    loop {
        let mut lowerer = Lowerer {
            sig,
            funcs,
            scope: scope.clone(),
            origins: origins.clone(),
            calls: Vec::new(),
            locals: Vec::new(),
            scopes: vec![Vec::new()],
            blocks: Vec::new(),
            workgroup_arrays: Vec::new(),
            contiguous,
            checked,
            unchecked_depth: 0,
            reports_errors: false,
            prove: checks == Checks::UnlessProven && !sig.is_function,
            stable: HashMap::new(),
            mutable_locals: HashSet::new(),
            shrinking_names: bounds::non_increasing_names(stmts),
            shrinking: HashMap::new(),
            facts: Vec::new(),
            assumes: Vec::new(),
            constants_in_progress: Vec::new(),
            failure: None,
            divergence: 0,
            nonuniform_locals: HashSet::new(),
            divergent_exit: false,
            loops: Vec::new(),
            let_types,
            next_let: 0,
            learned: None,
            used_poisoned: std::cell::Cell::new(false),
        };
        if let Some(item) = &sig.item {
            lowerer.bind(item, Binding::Item);
        }
        if let Some(group) = &sig.group {
            lowerer.bind(group, Binding::Group);
        }
        if checked && !sig.is_function {
            lowerer.start_failure_slots();
        }
        let (mut body, params) = lowerer.capture(|l| {
            let params = l.bind_params();
            l.lower_body_statements(stmts)?;
            l.report_failure();
            syn::Result::Ok(params)
        });
        if lowerer.reports_errors {
            let mut inits = lowerer.failure_slot_inits();
            inits.append(&mut body);
            body = inits;
        } else {
            remove_reports(&mut body);
        }
        if let Some((site, ty)) = lowerer.learned.take() {
            // Each retry fixes the type of one more `let`, so this ends.
            let_types = lowerer.let_types;
            let_types.insert(site, ty);
            continue;
        }
        return Ok(Body {
            params: params?,
            locals: lowerer.locals,
            workgroup_arrays: lowerer.workgroup_arrays,
            body,
            calls: lowerer.calls,
            reports_errors: lowerer.reports_errors,
            assumes: lowerer.assumes,
        });
    }
}

impl Lowerer<'_> {
    /// Lowers a whole body; a function's final expression is its return value.
    fn lower_body_statements(&mut self, stmts: &[syn::Stmt]) -> syn::Result<()> {
        match (self.sig.result, stmts.split_last()) {
            (Some(ty), Some((syn::Stmt::Expr(tail, None), rest))) if !is_statement_like(tail) => {
                self.lower_statements(rest)?;
                let value = self.lower_expr_as(tail, ty)?;
                self.emit(Statement::ReturnValue(value));
                Ok(())
            }
            _ => self.lower_statements(stmts),
        }
    }

    /// Declares the IR parameters and binds their names; `mut` scalars get a local copy.
    fn bind_params(&mut self) -> Vec<ir::Param> {
        let mut params = Vec::new();
        for (index, decl) in self.sig.params.iter().enumerate() {
            let id = ParamId(index as u32);
            let (kind, binding) = match decl.kind {
                ParamDeclKind::Scalar(ty) => (ir::ParamKind::Scalar(ty), Binding::Param { id, ty }),
                ParamDeclKind::Tensor { elem, access, dims } => (
                    ir::ParamKind::Tensor { elem, access, dims },
                    Binding::Tensor {
                        id,
                        elem,
                        access,
                        dims,
                    },
                ),
                ParamDeclKind::Local { elem, dims } => (
                    ir::ParamKind::Local { elem, dims },
                    Binding::LocalParam { id, elem, dims },
                ),
            };
            params.push(ir::Param {
                name: decl.name.to_string(),
                kind,
            });
            match (decl.mutable, binding) {
                (true, Binding::Param { ty, .. }) => {
                    let local = self.new_local(&decl.name.to_string(), ty);
                    self.emit(Statement::Assign {
                        local,
                        value: Expr {
                            ty,
                            kind: ExprKind::Param(id),
                        },
                    });
                    let binding = Binding::Local {
                        id: local,
                        ty,
                        mutable: true,
                        site: None,
                    };
                    self.bind(&decl.name, binding);
                }
                (_, binding) => self.bind(&decl.name, binding),
            }
        }
        params
    }

    /// Adds a scalar local (named for debugging) and returns its id.
    fn new_local(&mut self, name: &str, ty: Scalar) -> LocalId {
        self.push_local(name, ty, None)
    }

    fn push_local(&mut self, name: &str, ty: Scalar, array_len: Option<u32>) -> LocalId {
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(ir::Local {
            name: name.to_string(),
            ty,
            array_len,
        });
        id
    }

    /// Stores `value` in a new hidden local and returns a read of it.
    fn spill(&mut self, name: &str, value: Expr) -> Expr {
        let ty = value.ty;
        let local = self.new_local(name, ty);
        self.note_stable(local, &value);
        self.emit(Statement::Assign { local, value });
        read_local(local, ty)
    }

    fn bind(&mut self, name: &Ident, binding: Binding) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name.to_string(), binding));
        }
    }

    /// Looks a name up, innermost scope first. A poisoned name is reported as not found, and
    /// the error that follows is not reported (see [`Binding::Poisoned`]).
    fn lookup(&self, name: &Ident) -> Option<Binding> {
        let name = name.to_string();
        let found = self
            .scopes
            .iter()
            .rev()
            .flat_map(|scope| scope.iter().rev())
            .find(|(n, _)| *n == name)
            .map(|(_, b)| b.clone());
        if let Some(Binding::Poisoned) = found {
            self.used_poisoned.set(true);
            return None;
        }
        found
    }

    /// Runs `f` inside a new innermost scope.
    fn scoped<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.scopes.push(Vec::new());
        let facts = self.facts.len();
        let out = f(self);
        self.facts.truncate(facts);
        self.scopes.pop();
        out
    }

    /// Appends a statement to the block being built.
    fn emit(&mut self, stmt: Statement) {
        self.track_uniformity(&stmt);
        self.note_assignment(&stmt);
        if let Some(block) = self.blocks.last_mut() {
            block.push(stmt);
        }
    }

    /// Runs `f` with a new block collecting what it emits; returns that block and `f`'s result.
    fn capture<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> (ir::Block, T) {
        self.blocks.push(Vec::new());
        let out = f(self);
        let block = self.blocks.pop().unwrap_or_default();
        (block, out)
    }

    /// Lowers a block's statements in a new scope into a block of their own.
    fn lower_scoped_block(&mut self, stmts: &[syn::Stmt]) -> syn::Result<ir::Block> {
        let (block, result) = self.scoped(|l| l.capture(|l| l.lower_statements(stmts)));
        result.map(|()| block)
    }

    /// The name of a parameter, for messages.
    fn param_name(&self, id: ParamId) -> String {
        self.sig
            .params
            .get(id.0 as usize)
            .map(|p| p.name.to_string())
            .unwrap_or_default()
    }
}

/// True for expressions that are statements even without `;` (`if` without `else`, loops,
/// assignments).
fn is_statement_like(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::If(i) => i.else_branch.is_none(),
        syn::Expr::ForLoop(_)
        | syn::Expr::While(_)
        | syn::Expr::Assign(_)
        | syn::Expr::Return(_) => true,
        syn::Expr::Binary(b) => expr::compound_op(&b.op).is_some(),
        _ => false,
    }
}

/// Removes the `Report`s of a kernel that turned out to check nothing.
fn remove_reports(block: &mut ir::Block) {
    block.retain(|s| !matches!(s, Statement::Report { .. }));
    for stmt in block {
        match stmt {
            Statement::If { accept, reject, .. } => {
                remove_reports(accept);
                remove_reports(reject);
            }
            Statement::Loop {
                body, continuing, ..
            } => {
                remove_reports(body);
                remove_reports(continuing);
            }
            _ => {}
        }
    }
}

/// A read of a scalar local.
pub(crate) fn read_local(local: LocalId, ty: Scalar) -> Expr {
    Expr {
        ty,
        kind: ExprKind::Local(local),
    }
}

/// An error at `span` with `message`.
pub(crate) fn error(span: Span, message: impl std::fmt::Display) -> syn::Error {
    syn::Error::new(span, message)
}

#[cfg(test)]
mod tests;
