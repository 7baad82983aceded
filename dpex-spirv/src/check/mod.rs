//! Validation of an [`ir::Module`] against the invariants documented in [`crate::ir`].
//!
//! Back ends run [`check_module`] first and may then rely on every invariant: ids in range,
//! expression types consistent with their operations, tensors and locals accessed as their
//! kind and access allow, tensor layouts read on axes the tensor has, calls matching their
//! callee, no recursion, jumps only where a loop can take them, every function with a result
//! returning one, and failed checks ([`ir::Statement::Fail`]) reported only where an error
//! record exists.

mod atomic;
mod error;
mod expr;
mod function;
mod math;
mod memory;
mod report;
mod subgroup;

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};

pub use error::{CheckError, Owner};
use function::LocalArg;
pub(crate) use function::LocalOrigins;

/// The most axes a tensor parameter ([`ParamKind::Tensor`]) may have.
pub const MAX_TENSOR_DIMS: u32 = 4;

use crate::ir::{self, Block, Local, Module, Param, ParamKind, Scalar, Statement, WorkgroupArray};

/// Checks every invariant of [`crate::ir`] on `m`, reporting the first violation found.
///
/// A function with a result must not reach the end of its body. The rule is structural and
/// conservative: a block returns if one of its statements does, where a statement returns if
/// it is a [`Statement::ReturnValue`], an [`Statement::If`] whose two branches both return, or
/// a [`Statement::Loop`] with no `Break` that leaves it (such a loop is left only by
/// returning).
///
/// A [`Statement::Fail`] needs an error record: it may appear in a kernel with
/// [`Kernel::reports_errors`](ir::Kernel::reports_errors), or in a device function of a module
/// whose kernels report errors; the kernels of a module with device functions must agree on
/// `reports_errors` (their functions share one signature).
///
/// A function's local-accessor parameter stands for one local accessor of each kernel calling
/// it (see [`ir::Argument::Local`]).
pub fn check_module(m: &Module) -> Result<(), CheckError> {
    checked_local_origins(m).map(drop)
}

/// Checks `m` as [`check_module`] does and returns, per kernel, the kernel's local accessor each
/// function's local-accessor parameter stands for (the Vulkan flavour resolves them so).
pub(crate) fn checked_local_origins(m: &Module) -> Result<Vec<LocalOrigins>, CheckError> {
    let reports_errors = report::module_reports_errors(m)?;
    let mut names = HashSet::new();
    let mut callees = Vec::with_capacity(m.functions.len());
    let mut local_args = Vec::with_capacity(m.functions.len());
    // Functions may read the work-item ids of the dimensions every kernel has.
    let function_dims = m.kernels.iter().map(|k| k.dims).min();
    for f in &m.functions {
        let owner = Owner::Function(f.name.clone());
        check_name(&owner, &mut names)?;
        let body = Body {
            params: &f.params,
            locals: &f.locals,
            workgroup_arrays: &[],
            dims: function_dims,
            result: f.result,
            reports_errors,
        };
        let checker = Checker::new(m, owner, body)?;
        checker.block(&f.body, Place::Outside)?;
        if let Some(result) = f.result {
            if !function::always_returns(&f.body) {
                return Err(CheckError::MissingReturn {
                    owner: checker.owner,
                    result,
                });
            }
        }
        callees.push(checker.callees.into_inner());
        local_args.push(checker.local_args.into_inner());
    }
    function::check_acyclic(m, &callees)?;
    let mut origins = Vec::with_capacity(m.kernels.len());
    for kernel in &m.kernels {
        let owner = Owner::Kernel(kernel.name.clone());
        check_name(&owner, &mut names)?;
        if !(1..=3).contains(&kernel.dims) {
            return Err(CheckError::InvalidDims {
                owner,
                dims: kernel.dims,
            });
        }
        if let Some(array) = kernel.workgroup_arrays.iter().find(|a| a.len == 0) {
            return Err(CheckError::EmptyWorkgroupArray {
                owner,
                array: array.name.clone(),
            });
        }
        let body = Body {
            params: &kernel.params,
            locals: &kernel.locals,
            workgroup_arrays: &kernel.workgroup_arrays,
            dims: Some(kernel.dims),
            result: None,
            reports_errors: kernel.reports_errors,
        };
        let checker = Checker::new(m, owner, body)?;
        checker.block(&kernel.body, Place::Outside)?;
        let kernel_args = checker.local_args.into_inner();
        origins.push(function::local_origins(
            m,
            kernel,
            &kernel_args,
            &local_args,
        )?);
    }
    Ok(origins)
}

/// Checks that `owner`'s name is an identifier not yet in `names` (kept per kind).
fn check_name(owner: &Owner, names: &mut HashSet<Owner>) -> Result<(), CheckError> {
    if !is_identifier(owner.name()) {
        return Err(CheckError::InvalidName {
            owner: owner.clone(),
        });
    }
    if !names.insert(owner.clone()) {
        return Err(CheckError::DuplicateName {
            owner: owner.clone(),
        });
    }
    Ok(())
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    name != "_" && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Where a block sits, for deciding whether `break`/`continue` may appear.
#[derive(Clone, Copy)]
enum Place {
    /// Not in any loop.
    Outside,
    /// In a loop body (possibly nested in `if`s).
    LoopBody,
    /// In a loop's `continuing` block, outside any inner loop.
    Continuing,
}

/// What a checker needs to know of the kernel or function whose body it checks.
struct Body<'m> {
    /// Its parameters.
    params: &'m [Param],
    /// Its locals.
    locals: &'m [Local],
    /// A kernel's work-group arrays (none for a function).
    workgroup_arrays: &'m [WorkgroupArray],
    /// The launch dimensions: a kernel's, or in a function the fewest of the module's kernels
    /// (`None` when it has none).
    dims: Option<u32>,
    /// A function's result type; `None` in kernels and functions returning `()`.
    result: Option<Scalar>,
    /// Whether it has an error record for [`Statement::Fail`] to write to.
    reports_errors: bool,
}

/// Checks the statements and expressions of one kernel or function.
struct Checker<'m> {
    /// The module, for the callees' signatures.
    module: &'m Module,
    /// Whose body this is.
    owner: Owner,
    /// Its parameters.
    params: &'m [Param],
    /// Its locals.
    locals: &'m [Local],
    /// A kernel's work-group arrays (none for a function).
    workgroup_arrays: &'m [WorkgroupArray],
    /// The launch dimensions: a kernel's, or in a function the fewest of the module's kernels
    /// (`None` when it has none).
    dims: Option<u32>,
    /// A function's result type; `None` in kernels and functions returning `()`.
    result: Option<Scalar>,
    /// Whether it has an error record for [`Statement::Fail`] to write to.
    reports_errors: bool,
    /// Indices of the functions called so far.
    callees: RefCell<BTreeSet<u32>>,
    /// The local accessors passed to the functions called so far.
    local_args: RefCell<Vec<LocalArg>>,
}

impl<'m> Checker<'m> {
    /// A checker for one body, after checking its parameters' and locals' declarations.
    fn new(module: &'m Module, owner: Owner, body: Body<'m>) -> Result<Self, CheckError> {
        for param in body.params {
            if let ParamKind::Tensor { dims, .. } = param.kind {
                if !(1..=MAX_TENSOR_DIMS).contains(&dims) {
                    return Err(CheckError::InvalidTensorDims {
                        owner,
                        param: param.name.clone(),
                        dims,
                    });
                }
            }
        }
        if let Some(local) = body.locals.iter().find(|l| l.array_len == Some(0)) {
            return Err(CheckError::EmptyArray {
                owner,
                local: local.name.clone(),
            });
        }
        Ok(Checker {
            module,
            owner,
            params: body.params,
            locals: body.locals,
            workgroup_arrays: body.workgroup_arrays,
            dims: body.dims,
            result: body.result,
            reports_errors: body.reports_errors,
            callees: RefCell::default(),
            local_args: RefCell::default(),
        })
    }

    fn owner(&self) -> Owner {
        self.owner.clone()
    }

    fn block(&self, block: &Block, place: Place) -> Result<(), CheckError> {
        block.iter().try_for_each(|s| self.statement(s, place))
    }

    fn statement(&self, statement: &Statement, place: Place) -> Result<(), CheckError> {
        match statement {
            Statement::Assign { local, value } => {
                let local = self.local(*local, false, "an assignment")?;
                self.expect_type(value, local.ty, || {
                    format!("the value assigned to `{}`", local.name)
                })
            }
            Statement::StoreElement {
                memory,
                index,
                value,
            } => self.store_element(*memory, index, value),
            Statement::AtomicStore {
                memory,
                index,
                value,
                order,
                scope: _,
            } => self.atomic_store(*memory, index, value, *order),
            Statement::Barrier { fence: _ } => Ok(()),
            Statement::Fence { order, scope: _ } => self.fence(*order),
            Statement::Call { function, args } => self.call(*function, args).map(|_| ()),
            Statement::If {
                condition,
                accept,
                reject,
            } => {
                self.expect_type(condition, Scalar::Bool, || {
                    "the condition of an `if`".into()
                })?;
                self.block(accept, place)?;
                self.block(reject, place)
            }
            Statement::Loop {
                body, continuing, ..
            } => {
                self.block(body, Place::LoopBody)?;
                self.block(continuing, Place::Continuing)
            }
            Statement::Fail {
                check: _,
                what: _,
                index,
                len,
            } => self.fail(index, len),
            Statement::Report {
                code,
                what,
                index,
                len,
            } => self.report(code, what, index, len),
            Statement::Break => self.jump("break", place),
            Statement::Continue => self.jump("continue", place),
            Statement::Return => match self.result {
                None => Ok(()),
                Some(result) => Err(CheckError::MissingReturnValue {
                    owner: self.owner(),
                    result,
                }),
            },
            Statement::ReturnValue(value) => match self.result {
                Some(result) => self.expect_type(value, result, || "the returned value".into()),
                None => Err(CheckError::UnexpectedReturnValue {
                    owner: self.owner(),
                }),
            },
        }
    }

    fn jump(&self, jump: &'static str, place: Place) -> Result<(), CheckError> {
        match place {
            Place::LoopBody => Ok(()),
            Place::Outside => Err(CheckError::JumpOutsideLoop {
                owner: self.owner(),
                jump,
            }),
            Place::Continuing => Err(CheckError::JumpInContinuing {
                owner: self.owner(),
                jump,
            }),
        }
    }

    /// Local `id`, which `operation` uses as an array (`array`) or as a scalar.
    fn local(
        &self,
        id: ir::LocalId,
        array: bool,
        operation: &'static str,
    ) -> Result<&'m Local, CheckError> {
        let local = self
            .locals
            .get(id.0 as usize)
            .ok_or_else(|| CheckError::UnknownLocal {
                owner: self.owner(),
                local: id.0,
                count: self.locals.len(),
            })?;
        if local.array_len.is_some() == array {
            return Ok(local);
        }
        Err(CheckError::LocalKind {
            owner: self.owner(),
            local: local.name.clone(),
            operation,
            expected: if array { "an array" } else { "a scalar" },
            found: if array { "a scalar" } else { "an array" },
        })
    }

    fn param(&self, id: ir::ParamId) -> Result<&'m Param, CheckError> {
        self.params
            .get(id.0 as usize)
            .ok_or_else(|| CheckError::UnknownParam {
                owner: self.owner(),
                param: id.0,
                count: self.params.len(),
            })
    }
}
