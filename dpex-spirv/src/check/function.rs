//! Device functions: call arguments against the callee's parameters, an acyclic call graph,
//! and the structural rule that a function with a result returns on every path.

use std::collections::BTreeSet;

use super::{CheckError, Checker};
use crate::ir::{Access, Argument, Block, Function, FunctionId, Module, ParamKind, Statement};

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
        for (param, arg) in callee.params.iter().zip(args) {
            let kind_error = |expected, found| CheckError::ArgumentKind {
                owner: self.owner(),
                callee: callee.name.clone(),
                param: param.name.clone(),
                expected,
                found,
            };
            match (param.kind, arg) {
                (ParamKind::Scalar(ty), Argument::Value(value)) => {
                    self.expect_type(value, ty, || {
                        format!("the argument `{}` of `{}`", param.name, callee.name)
                    })?;
                }
                (ParamKind::Scalar(_), Argument::Tensor(id)) => {
                    let tensor = self.param(*id)?;
                    return Err(kind_error("a value", format!("tensor `{}`", tensor.name)));
                }
                (ParamKind::Tensor { .. } | ParamKind::Local { .. }, Argument::Value(_)) => {
                    return Err(kind_error("a tensor", "a value".into()));
                }
                // Rejected with the callee's declaration (`LocalAccessorInFunction`).
                (ParamKind::Local { .. }, Argument::Tensor(id)) => {
                    let tensor = self.param(*id)?;
                    return Err(kind_error("a tensor", format!("tensor `{}`", tensor.name)));
                }
                (ParamKind::Tensor { elem, access, dims }, Argument::Tensor(id)) => {
                    let tensor = self.param(*id)?;
                    let (given_elem, given_access, given_dims) = match tensor.kind {
                        ParamKind::Tensor { elem, access, dims } => (elem, access, dims),
                        ParamKind::Scalar(_) => {
                            let found = format!("scalar parameter `{}`", tensor.name);
                            return Err(kind_error("a tensor", found));
                        }
                        ParamKind::Local { .. } => {
                            let found = format!("local accessor `{}`", tensor.name);
                            return Err(kind_error("a tensor", found));
                        }
                    };
                    self.has_type(given_elem, elem, || {
                        format!(
                            "an element of tensor `{}` (passed as `{}` to `{}`)",
                            tensor.name, param.name, callee.name
                        )
                    })?;
                    if given_dims != dims {
                        return Err(CheckError::TensorDimsMismatch {
                            owner: self.owner(),
                            callee: callee.name.clone(),
                            param: param.name.clone(),
                            tensor: tensor.name.clone(),
                            expected: dims,
                            found: given_dims,
                        });
                    }
                    if access == Access::ReadWrite && given_access == Access::Read {
                        return Err(CheckError::ReadOnlyArgument {
                            owner: self.owner(),
                            callee: callee.name.clone(),
                            param: param.name.clone(),
                            tensor: tensor.name.clone(),
                        });
                    }
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
