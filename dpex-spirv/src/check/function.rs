//! Device functions: call arguments against the callee's parameters, an acyclic call graph,
//! and the structural rule that a function with a result returns on every path.

use std::collections::BTreeSet;

use super::{CheckError, Checker, Owner};
use crate::ir::{
    Access, Argument, Block, Function, FunctionId, Kernel, Module, ParamId, ParamKind, Statement,
};

/// A local accessor passed at a call ([`Argument::Local`]): the callee's parameter and the
/// caller's accessor passed for it.
#[derive(Clone, Copy, Debug)]
pub(super) struct LocalArg {
    /// The function called.
    pub callee: u32,
    /// The index of its parameter.
    pub param: usize,
    /// The caller's local-accessor parameter.
    pub passed: ParamId,
}

/// Per function of a module, per parameter: the kernel's local accessor that a local-accessor
/// parameter stands for in the calls of one kernel (`None` for the other parameters, and for
/// functions the kernel does not reach).
pub(crate) type LocalOrigins = Vec<Vec<Option<ParamId>>>;

/// The kernel's local accessor each function's local-accessor parameter stands for, following
/// the local accessors passed by `kernel` (`kernel_args`) and then by the functions it reaches
/// (`function_args`, per function), or [`CheckError::LocalAccessorOrigins`] when one stands for
/// two of them. Every call binds all of its callee's local-accessor parameters, so a function
/// is followed once, from its first call.
pub(super) fn local_origins(
    m: &Module,
    kernel: &Kernel,
    kernel_args: &[LocalArg],
    function_args: &[Vec<LocalArg>],
) -> Result<LocalOrigins, CheckError> {
    let mut origins: LocalOrigins = m
        .functions
        .iter()
        .map(|f| vec![None; f.params.len()])
        .collect();
    let mut reached = vec![false; m.functions.len()];
    let mut pending: Vec<(Option<usize>, &[LocalArg])> = vec![(None, kernel_args)];
    while let Some((caller, args)) = pending.pop() {
        for arg in args {
            let origin = match caller {
                None => Some(arg.passed),
                Some(f) => origins
                    .get(f)
                    .and_then(|params| params.get(arg.passed.0 as usize))
                    .copied()
                    .flatten(),
            };
            let callee = arg.callee as usize;
            let Some((origin, slot)) = origin.zip(
                origins
                    .get_mut(callee)
                    .and_then(|params| params.get_mut(arg.param)),
            ) else {
                continue;
            };
            match *slot {
                Some(first) if first != origin => {
                    let name = |id: ParamId| {
                        kernel
                            .params
                            .get(id.0 as usize)
                            .map_or_else(|| format!("#{}", id.0), |p| p.name.clone())
                    };
                    let function = &m.functions[callee];
                    return Err(CheckError::LocalAccessorOrigins {
                        owner: Owner::Kernel(kernel.name.clone()),
                        function: function.name.clone(),
                        param: function
                            .params
                            .get(arg.param)
                            .map_or_else(String::new, |p| p.name.clone()),
                        accessors: Box::new([name(first), name(origin)]),
                    });
                }
                _ => *slot = Some(origin),
            }
            if let (Some(seen), Some(args)) = (reached.get_mut(callee), function_args.get(callee)) {
                if !*seen {
                    *seen = true;
                    pending.push((Some(callee), args));
                }
            }
        }
    }
    Ok(origins)
}

impl<'m> Checker<'m> {
    /// Checks a call of `function` with `args` and returns the callee.
    pub(super) fn call(
        &self,
        function: FunctionId,
        args: &[Argument],
    ) -> Result<&'m Function, CheckError> {
        let callee = self
            .module
            .functions
            .get(function.0 as usize)
            .ok_or_else(|| CheckError::UnknownFunction {
                owner: self.owner(),
                function: function.0,
                count: self.module.functions.len(),
            })?;
        self.callees.borrow_mut().insert(function.0);
        if args.len() != callee.params.len() {
            return Err(CheckError::ArgumentCount {
                owner: self.owner(),
                callee: callee.name.clone(),
                expected: callee.params.len(),
                found: args.len(),
            });
        }
        for (index, (param, arg)) in callee.params.iter().zip(args).enumerate() {
            let kind_error = |found| CheckError::ArgumentKind {
                owner: self.owner(),
                callee: callee.name.clone(),
                param: param.name.clone(),
                expected: match param.kind {
                    ParamKind::Scalar(_) => "a value",
                    ParamKind::Tensor { .. } => "a tensor",
                    ParamKind::Local { .. } => "a local accessor",
                },
                found,
            };
            let id = match (param.kind, arg) {
                (ParamKind::Scalar(ty), Argument::Value(value)) => {
                    self.expect_type(value, ty, || {
                        format!("the argument `{}` of `{}`", param.name, callee.name)
                    })?;
                    continue;
                }
                (_, Argument::Value(_)) => return Err(kind_error("a value".into())),
                (_, Argument::Tensor(id) | Argument::Local(id)) => *id,
            };
            let given = self.param(id)?;
            match (param.kind, arg, given.kind) {
                (
                    ParamKind::Tensor { elem, access, dims },
                    Argument::Tensor(_),
                    ParamKind::Tensor {
                        elem: given_elem,
                        access: given_access,
                        dims: given_dims,
                    },
                ) => {
                    self.has_type(given_elem, elem, || {
                        format!(
                            "an element of tensor `{}` (passed as `{}` to `{}`)",
                            given.name, param.name, callee.name
                        )
                    })?;
                    if given_dims != dims {
                        return Err(CheckError::TensorDimsMismatch {
                            owner: self.owner(),
                            callee: callee.name.clone(),
                            param: param.name.clone(),
                            tensor: given.name.clone(),
                            expected: dims,
                            found: given_dims,
                        });
                    }
                    if access == Access::ReadWrite && given_access == Access::Read {
                        return Err(CheckError::ReadOnlyArgument {
                            owner: self.owner(),
                            callee: callee.name.clone(),
                            param: param.name.clone(),
                            tensor: given.name.clone(),
                        });
                    }
                }
                (
                    ParamKind::Local { elem, dims },
                    Argument::Local(_),
                    ParamKind::Local {
                        elem: given_elem,
                        dims: given_dims,
                    },
                ) => {
                    if (given_elem, given_dims) != (elem, dims) {
                        return Err(CheckError::LocalAccessorMismatch {
                            owner: self.owner(),
                            callee: callee.name.clone(),
                            param: param.name.clone(),
                            local: given.name.clone(),
                            types: Box::new([(elem, dims), (given_elem, given_dims)]),
                        });
                    }
                    self.local_args.borrow_mut().push(LocalArg {
                        callee: function.0,
                        param: index,
                        passed: id,
                    });
                }
                (_, _, kind) => {
                    let what = match kind {
                        ParamKind::Scalar(_) => "scalar parameter",
                        ParamKind::Tensor { .. } => "tensor",
                        ParamKind::Local { .. } => "local accessor",
                    };
                    // A local accessor as `Argument::Tensor`, a tensor as `Argument::Local`.
                    let wrapped = match (arg, kind) {
                        (Argument::Tensor(_), ParamKind::Local { .. }) => {
                            " (as `Argument::Tensor`)"
                        }
                        (Argument::Local(_), ParamKind::Tensor { .. }) => " (as `Argument::Local`)",
                        _ => "",
                    };
                    return Err(kind_error(format!("{what} `{}`{wrapped}", given.name)));
                }
            }
        }
        Ok(callee)
    }
}

/// Fails with [`CheckError::Recursion`] if the call graph (`callees[i]`: the functions that
/// function `i` calls, all in range) has a cycle.
pub(super) fn check_acyclic(m: &Module, callees: &[BTreeSet<u32>]) -> Result<(), CheckError> {
    /// Depth-first search state of a function.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    /// Visits `f` with `path` the functions leading to it; returns the cycle found, if any.
    fn visit(
        f: u32,
        callees: &[BTreeSet<u32>],
        marks: &mut [Mark],
        path: &mut Vec<u32>,
    ) -> Option<Vec<u32>> {
        match marks.get(f as usize).copied() {
            Some(Mark::New) => {}
            Some(Mark::OnPath) => {
                let start = path.iter().position(|&g| g == f).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(f);
                return Some(cycle);
            }
            Some(Mark::Done) | None => return None,
        }
        marks[f as usize] = Mark::OnPath;
        path.push(f);
        for &g in callees.get(f as usize).into_iter().flatten() {
            if let Some(cycle) = visit(g, callees, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks[f as usize] = Mark::Done;
        None
    }

    let mut marks = vec![Mark::New; callees.len()];
    for f in 0..callees.len() as u32 {
        if let Some(cycle) = visit(f, callees, &mut marks, &mut Vec::new()) {
            let name = |g: u32| {
                m.functions
                    .get(g as usize)
                    .map_or_else(|| format!("#{g}"), |f| f.name.clone())
            };
            return Err(CheckError::Recursion {
                cycle: cycle.into_iter().map(name).collect(),
            });
        }
    }
    Ok(())
}

/// Whether every path through `block` ends in a `return value` (see
/// [`super::check_module`] for the rule).
pub(super) fn always_returns(block: &Block) -> bool {
    block.iter().any(|statement| match statement {
        Statement::ReturnValue(_) => true,
        Statement::If { accept, reject, .. } => always_returns(accept) && always_returns(reject),
        Statement::Loop { body, .. } => !breaks_out(body),
        _ => false,
    })
}

/// Whether `block`, a loop body, holds a `break` of that loop (not of a nested one).
fn breaks_out(block: &Block) -> bool {
    block.iter().any(|statement| match statement {
        Statement::Break => true,
        Statement::If { accept, reject, .. } => breaks_out(accept) || breaks_out(reject),
        _ => false,
    })
}
