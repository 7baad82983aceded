//! The optional device features a module needs, derived from its IR.

use crate::ir::{
    Argument, Block, Builtin, Expr, ExprKind, Module, Param, ParamKind, Scalar, Statement,
};

/// Optional OpenCL device features a module uses; the `#[kernel]` macro turns them into the
/// runtime's `KernelSpec::requires`, so a launch on a device without one fails before the
/// driver sees the module.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features {
    /// `f64` anywhere (`cl_khr_fp64`).
    pub fp64: bool,
    /// `f16` anywhere (`cl_khr_fp16`).
    pub fp16: bool,
    /// Atomics on 64-bit elements, `i64`, `u64` or `f64` (`cl_khr_int64_base_atomics`).
    pub int64_atomics: bool,
    /// A sub-group built-in or collective (`cl_khr_subgroups`).
    pub sub_groups: bool,
}

/// The device features `module` needs: a type used anywhere (parameters, locals, work-group
/// arrays, function results, expressions: literals, casts, loads) and the operations used.
/// Functions count whether or not a kernel calls them.
pub fn required_features(module: &Module) -> Features {
    let mut f = Features::default();
    for function in &module.functions {
        f.params(&function.params);
        function.result.into_iter().for_each(|r| f.scalar(r));
        function.locals.iter().for_each(|l| f.scalar(l.ty));
        f.block(&function.body);
    }
    for kernel in &module.kernels {
        f.params(&kernel.params);
        kernel.locals.iter().for_each(|l| f.scalar(l.ty));
        kernel
            .workgroup_arrays
            .iter()
            .for_each(|a| f.scalar(a.elem));
        f.block(&kernel.body);
    }
    f
}

impl Features {
    /// Notes a use of type `s`.
    fn scalar(&mut self, s: Scalar) {
        self.fp64 |= s == Scalar::F64;
        self.fp16 |= s == Scalar::F16;
    }

    fn params(&mut self, params: &[Param]) {
        for param in params {
            match param.kind {
                ParamKind::Scalar(s) => self.scalar(s),
                ParamKind::Tensor { elem, .. } | ParamKind::Local { elem, .. } => self.scalar(elem),
            }
        }
    }

    /// Notes an atomic on elements of type `elem`.
    fn atomic(&mut self, elem: Scalar) {
        self.int64_atomics |= elem.bits() == 64;
    }

    fn block(&mut self, block: &Block) {
        block.iter().for_each(|s| self.statement(s));
    }

    fn statement(&mut self, statement: &Statement) {
        match statement {
            Statement::Assign { value, .. } | Statement::ReturnValue(value) => self.expr(value),
            Statement::StoreElement { index, value, .. } => {
                self.expr(index);
                self.expr(value);
            }
            Statement::AtomicStore { index, value, .. } => {
                self.atomic(value.ty);
                self.expr(index);
                self.expr(value);
            }
            Statement::Call { args, .. } => self.args(args),
            // The error record's status word is a 32-bit atomic: no `Int64Atomics`.
            Statement::Fail { index, len, .. } => {
                self.expr(index);
                self.expr(len);
            }
            Statement::Report {
                code,
                what,
                index,
                len,
            } => {
                for e in [code, what, index, len] {
                    self.expr(e);
                }
            }
            Statement::If {
                condition,
                accept,
                reject,
            } => {
                self.expr(condition);
                self.block(accept);
                self.block(reject);
            }
            Statement::Loop {
                body, continuing, ..
            } => {
                self.block(body);
                self.block(continuing);
            }
            Statement::Barrier { .. }
            | Statement::Fence { .. }
            | Statement::Break
            | Statement::Continue
            | Statement::Return => {}
        }
    }

    fn args(&mut self, args: &[Argument]) {
        for arg in args {
            if let Argument::Value(value) = arg {
                self.expr(value);
            }
        }
    }

    fn expr(&mut self, expr: &Expr) {
        self.scalar(expr.ty);
        match &expr.kind {
            ExprKind::Atomic { .. } => self.atomic(expr.ty),
            ExprKind::SubGroup { .. } => self.sub_groups = true,
            ExprKind::Builtin(builtin) => {
                self.sub_groups |= matches!(
                    builtin,
                    Builtin::SubGroupLocalId
                        | Builtin::SubGroupId
                        | Builtin::SubGroupSize
                        | Builtin::NumSubGroups
                );
            }
            _ => {}
        }
        expr.operands().into_iter().for_each(|o| self.expr(o));
    }
}
