//! Validation of an [`ir::Module`] against the invariants documented in [`crate::ir`].
//!
//! Back ends run [`check_module`] first and may then rely on every invariant: ids in range,
//! expression types consistent with their operations, tensors accessed as their kind and
//! access allow, jumps only where a loop can take them.

mod expr;

use std::collections::HashSet;

use thiserror::Error;

use crate::ir::{self, Access, Block, Kernel, ParamKind, Scalar, Statement};

/// Why a module breaks an IR invariant. Every message names the kernel and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CheckError {
    /// Two kernels share one entry point name.
    #[error("kernel `{name}` is defined twice in one module")]
    DuplicateKernel {
        /// The repeated name.
        name: String,
    },
    /// A kernel name is not an identifier (`[A-Za-z_][A-Za-z0-9_]*`, not `_` alone).
    #[error("kernel `{name}`: the name is not a valid identifier")]
    InvalidKernelName {
        /// The offending name.
        name: String,
    },
    /// A kernel's launch range has fewer than 1 or more than 3 dimensions.
    #[error("kernel `{kernel}`: launch range has {dims} dimensions, expected 1, 2 or 3")]
    InvalidDims {
        /// The kernel.
        kernel: String,
        /// The dimension count found.
        dims: u32,
    },
    /// A [`ir::ParamId`] is not an index into the kernel's parameters.
    #[error("kernel `{kernel}`: parameter #{param} does not exist (the kernel has {count})")]
    UnknownParam {
        /// The kernel.
        kernel: String,
        /// The out-of-range index.
        param: u32,
        /// How many parameters the kernel has.
        count: usize,
    },
    /// A [`ir::LocalId`] is not an index into the kernel's locals.
    #[error("kernel `{kernel}`: local #{local} does not exist (the kernel has {count})")]
    UnknownLocal {
        /// The kernel.
        kernel: String,
        /// The out-of-range index.
        local: u32,
        /// How many locals the kernel has.
        count: usize,
    },
    /// An [`ir::ExprKind::Param`] names a tensor parameter.
    #[error("kernel `{kernel}`: parameter `{param}` is a tensor, not a scalar value")]
    NotAScalarParam {
        /// The kernel.
        kernel: String,
        /// The parameter's name.
        param: String,
    },
    /// A load, store or `len()` names a scalar parameter.
    #[error(
        "kernel `{kernel}`: `{operation}` needs a tensor, but parameter `{param}` is a scalar"
    )]
    NotATensor {
        /// The kernel.
        kernel: String,
        /// The parameter's name.
        param: String,
        /// What was attempted (`load`, `store`, `len`).
        operation: &'static str,
    },
    /// A store to a tensor passed as `&Tensor` ([`Access::Read`]).
    #[error("kernel `{kernel}`: cannot store to `{param}`, a read-only tensor (`&Tensor`)")]
    StoreToReadOnly {
        /// The kernel.
        kernel: String,
        /// The parameter's name.
        param: String,
    },
    /// A value has another type than its position requires.
    #[error("kernel `{kernel}`: {what} has type `{found}`, expected {expected}")]
    TypeMismatch {
        /// The kernel.
        kernel: String,
        /// Which value (e.g. "the index of a load from `x`").
        what: String,
        /// The type or types allowed there.
        expected: String,
        /// The type found.
        found: Scalar,
    },
    /// An operator is applied to a type it is not defined on (e.g. `-` on `u32`).
    #[error("kernel `{kernel}`: operator `{op}` is not defined on `{ty}`")]
    InvalidOperand {
        /// The kernel.
        kernel: String,
        /// The operator, spelled as in Rust.
        op: &'static str,
        /// The operand type.
        ty: Scalar,
    },
    /// An `as` cast Rust does not allow (a number to `bool`, `bool` to a float).
    #[error("kernel `{kernel}`: cannot cast `{from}` to `{to}`")]
    InvalidCast {
        /// The kernel.
        kernel: String,
        /// Source type.
        from: Scalar,
        /// Target type.
        to: Scalar,
    },
    /// A literal whose kind or value does not fit its type.
    #[error("kernel `{kernel}`: literal {literal} is not a valid `{ty}`")]
    InvalidLiteral {
        /// The kernel.
        kernel: String,
        /// The literal, debug-formatted.
        literal: String,
        /// The literal's stated type.
        ty: Scalar,
    },
    /// A built-in reads a dimension the launch range does not have.
    #[error("kernel `{kernel}`: {builtin}({dim}) used in a {dims}-dimensional kernel")]
    BuiltinDimOutOfRange {
        /// The kernel.
        kernel: String,
        /// The built-in's name.
        builtin: &'static str,
        /// The dimension asked for.
        dim: u32,
        /// The kernel's dimension count.
        dims: u32,
    },
    /// A `break` or `continue` outside every loop body.
    #[error("kernel `{kernel}`: `{jump}` outside of a loop")]
    JumpOutsideLoop {
        /// The kernel.
        kernel: String,
        /// `break` or `continue`.
        jump: &'static str,
    },
    /// A `break` or `continue` in a loop's `continuing` block.
    #[error("kernel `{kernel}`: `{jump}` in the continuing block of a loop")]
    JumpInContinuing {
        /// The kernel.
        kernel: String,
        /// `break` or `continue`.
        jump: &'static str,
    },
}

/// Checks every invariant of [`crate::ir`] on `m`, reporting the first violation found.
pub fn check_module(m: &ir::Module) -> Result<(), CheckError> {
    let mut names = HashSet::new();
    for kernel in &m.kernels {
        if !names.insert(kernel.name.as_str()) {
            return Err(CheckError::DuplicateKernel {
                name: kernel.name.clone(),
            });
        }
        check_kernel(kernel)?;
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

fn check_kernel(kernel: &Kernel) -> Result<(), CheckError> {
    if !is_identifier(&kernel.name) {
        return Err(CheckError::InvalidKernelName {
            name: kernel.name.clone(),
        });
    }
    if !(1..=3).contains(&kernel.dims) {
        return Err(CheckError::InvalidDims {
            kernel: kernel.name.clone(),
            dims: kernel.dims,
        });
    }
    Checker { kernel }.block(&kernel.body, Place::Kernel)
}

/// Where a block sits, for deciding whether `break`/`continue` may appear.
#[derive(Clone, Copy)]
enum Place {
    /// Not in any loop.
    Kernel,
    /// In a loop body (possibly nested in `if`s).
    LoopBody,
    /// In a loop's `continuing` block, outside any inner loop.
    Continuing,
}

/// Checks the statements and expressions of one kernel.
struct Checker<'k> {
    kernel: &'k Kernel,
}

impl<'k> Checker<'k> {
    fn name(&self) -> String {
        self.kernel.name.clone()
    }

    fn block(&self, block: &Block, place: Place) -> Result<(), CheckError> {
        block.iter().try_for_each(|s| self.statement(s, place))
    }

    fn statement(&self, statement: &Statement, place: Place) -> Result<(), CheckError> {
        match statement {
            Statement::Assign { local, value } => {
                let local = self.local(*local)?;
                self.expect_type(value, local.ty, || {
                    format!("the value assigned to `{}`", local.name)
                })
            }
            Statement::Store {
                tensor,
                index,
                value,
            } => {
                let (param, elem, access) = self.tensor(*tensor, "store")?;
                if access != Access::ReadWrite {
                    return Err(CheckError::StoreToReadOnly {
                        kernel: self.name(),
                        param: param.to_owned(),
                    });
                }
                self.expect_type(index, Scalar::U64, || {
                    format!("the index of a store to `{param}`")
                })?;
                self.expect_type(value, elem, || format!("the value stored to `{param}`"))
            }
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
            Statement::Loop { body, continuing } => {
                self.block(body, Place::LoopBody)?;
                self.block(continuing, Place::Continuing)
            }
            Statement::Break => self.jump("break", place),
            Statement::Continue => self.jump("continue", place),
            Statement::Return => Ok(()),
        }
    }

    fn jump(&self, jump: &'static str, place: Place) -> Result<(), CheckError> {
        match place {
            Place::LoopBody => Ok(()),
            Place::Kernel => Err(CheckError::JumpOutsideLoop {
                kernel: self.name(),
                jump,
            }),
            Place::Continuing => Err(CheckError::JumpInContinuing {
                kernel: self.name(),
                jump,
            }),
        }
    }

    fn local(&self, id: ir::LocalId) -> Result<&'k ir::Local, CheckError> {
        self.kernel
            .locals
            .get(id.0 as usize)
            .ok_or_else(|| CheckError::UnknownLocal {
                kernel: self.name(),
                local: id.0,
                count: self.kernel.locals.len(),
            })
    }

    fn param(&self, id: ir::ParamId) -> Result<&'k ir::Param, CheckError> {
        self.kernel
            .params
            .get(id.0 as usize)
            .ok_or_else(|| CheckError::UnknownParam {
                kernel: self.name(),
                param: id.0,
                count: self.kernel.params.len(),
            })
    }

    /// The name, element type and access of a tensor parameter used by `operation`.
    fn tensor(
        &self,
        id: ir::ParamId,
        operation: &'static str,
    ) -> Result<(&'k str, Scalar, Access), CheckError> {
        let param = self.param(id)?;
        match param.kind {
            ParamKind::Tensor { elem, access } => Ok((&param.name, elem, access)),
            ParamKind::Scalar(_) => Err(CheckError::NotATensor {
                kernel: self.name(),
                param: param.name.clone(),
                operation,
            }),
        }
    }
}
