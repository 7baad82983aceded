//! Error reporting: where [`Statement::Fail`](crate::ir::Statement::Fail) may appear and the
//! types of its operands.
//!
//! A module *reports errors* when one of its kernels has
//! [`Kernel::reports_errors`](crate::ir::Kernel::reports_errors). A kernel may hold a `Fail`
//! only if it reports errors itself; a device function only if the module does. Because every
//! device function of such a module takes the error record's hidden parameters, the kernels of
//! a module with device functions must all agree on `reports_errors`.

use super::{CheckError, Checker, Owner};
use crate::ir::{Expr, Module, Scalar};

/// Whether `m` reports errors; fails with [`CheckError::MixedErrorReporting`] if it has
/// device functions and its kernels disagree.
pub(super) fn module_reports_errors(m: &Module) -> Result<bool, CheckError> {
    let reports = m.kernels.iter().any(|k| k.reports_errors);
    if !m.functions.is_empty() {
        if let Some(first) = m.kernels.first() {
            if let Some(other) = m
                .kernels
                .iter()
                .find(|k| k.reports_errors != first.reports_errors)
            {
                return Err(CheckError::MixedErrorReporting {
                    owner: Owner::Kernel(other.name.clone()),
                });
            }
        }
    }
    Ok(reports)
}

impl Checker<'_> {
    /// Checks a `Fail` statement: allowed only where an error record exists, with `u64`
    /// index and length.
    pub(super) fn fail(&self, index: &Expr, len: &Expr) -> Result<(), CheckError> {
        if !self.reports_errors {
            return Err(CheckError::FailWithoutErrorRecord {
                owner: self.owner(),
            });
        }
        self.expect_type(index, Scalar::U64, || "the index of a failed check".into())?;
        self.expect_type(len, Scalar::U64, || "the length of a failed check".into())
    }

    /// Checks a `Report` statement: as `Fail`, with a `u32` code and a `u64` `what`.
    pub(super) fn report(
        &self,
        code: &Expr,
        what: &Expr,
        index: &Expr,
        len: &Expr,
    ) -> Result<(), CheckError> {
        self.fail(index, len)?;
        self.expect_type(code, Scalar::U32, || "the code of a reported check".into())?;
        self.expect_type(what, Scalar::U64, || {
            "what a reported check accessed".into()
        })
    }
}
