//! Kernels and device functions as SPIR-V functions (kernels also as entry points), and calls
//! of device functions with `OpFunctionCall`.

use rspirv::spirv::{self, Word};

use super::report::Hidden;
use super::{BuildError, BuildResult, Emitter, Flavour, FunctionState};
use crate::ir::{
    Argument, Block, Function, FunctionId, Kernel, Local, Param, Scalar, WorkgroupArray,
};

/// How parameters are passed: they differ only for `bool` scalars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Convention {
    /// A kernel entry point: `bool` arrives as a `u8` (OpenCL kernels cannot take `bool`).
    Kernel,
    /// A device function: `bool` is an `OpTypeBool`.
    Function,
}

/// One body to emit as a SPIR-V function.
struct Body<'a> {
    /// Debug name.
    name: &'a str,
    /// Parameters, passed by `convention`.
    params: &'a [Param],
    /// How the parameters are passed.
    convention: Convention,
    /// Local variables.
    locals: &'a [Local],
    /// A kernel's work-group arrays (none for a function).
    workgroup_arrays: &'a [WorkgroupArray],
    /// Statements.
    body: &'a Block,
    /// Result type, `None` for `()`.
    result: Option<Scalar>,
    /// The error record's hidden parameters, after the others.
    hidden: Hidden,
    /// The device function it is, if it is one of the module's.
    function: Option<FunctionId>,
}

impl Emitter {
    /// Emits one kernel function and its entry point.
    pub(super) fn kernel(&mut self, kernel: &Kernel) -> BuildResult<()> {
        self.vk.dims = kernel.dims;
        let id = self.define(
            None,
            &Body {
                name: &kernel.name,
                params: &kernel.params,
                convention: Convention::Kernel,
                locals: &kernel.locals,
                workgroup_arrays: &kernel.workgroup_arrays,
                body: &kernel.body,
                result: None,
                hidden: if kernel.reports_errors {
                    Hidden::Kernel { dims: kernel.dims }
                } else {
                    Hidden::None
                },
                function: None,
            },
        )?;
        let mut interface = std::mem::take(&mut self.f.interface);
        // The built-ins the device functions read (emitted before it) are the kernel's too.
        for var in self.builtins.declared() {
            if !interface.contains(&var) {
                interface.push(var);
            }
        }
        match self.flavour {
            Flavour::OpenCl => {
                let params = std::mem::take(&mut self.f.opencl_args);
                let own = params.iter().map(|arg| arg.count()).sum::<u32>();
                self.opencl_kernels.push(dpex_abi::opencl::Kernel {
                    name: kernel.name.clone().into(),
                    interface: dpex_abi::opencl::Interface {
                        params: params.into(),
                        error_record: kernel.reports_errors.then_some(own),
                        args: own + u32::from(kernel.reports_errors),
                    },
                });
                self.b.entry_point(
                    spirv::ExecutionModel::Kernel,
                    id,
                    kernel.name.as_str(),
                    interface,
                );
                // Rust never fuses `a * b + c` into one rounding; OpenCL would by default.
                if !self.contraction {
                    self.b
                        .execution_mode(id, spirv::ExecutionMode::ContractionOff, []);
                }
            }
            Flavour::Vulkan => {
                // The work-group size built-in is required, used or not.
                self.workgroup_size();
                self.b.entry_point(
                    spirv::ExecutionModel::GLCompute,
                    id,
                    kernel.name.as_str(),
                    interface,
                );
                self.vk.entry = Some(id);
            }
        }
        Ok(())
    }

    /// Emits function `f` (device function `index` of the module, or an internal helper) with
    /// the id its callers use, taking the `hidden` parameters after its own.
    pub(super) fn function(
        &mut self,
        id: Word,
        index: Option<FunctionId>,
        f: &Function,
        hidden: Hidden,
    ) -> BuildResult<()> {
        self.define(
            Some(id),
            &Body {
                name: &f.name,
                params: &f.params,
                convention: Convention::Function,
                locals: &f.locals,
                workgroup_arrays: &[],
                body: &f.body,
                result: f.result,
                hidden,
                function: index,
            },
        )
        .map(drop)
    }

    /// Emits `body` as a SPIR-V function with result id `id` (a fresh one if `None`) and
    /// returns that id.
    fn define(&mut self, id: Option<Word>, body: &Body) -> BuildResult<Word> {
        self.f = FunctionState {
            function: body.function,
            ..FunctionState::default()
        };
        self.declare_workgroup_arrays(body.workgroup_arrays);
        let result = self.result_ty(body.result);
        let mut param_types = self.param_types(body.params, body.convention);
        let own = param_types.len();
        param_types.extend(self.hidden_param_types(body.hidden));
        let fn_type = self.b.type_function(result, param_types.iter().copied());
        let id =
            self.b
                .begin_function(result, id, self.flavour.function_control(false), fn_type)?;
        self.b.name(id, body.name);
        let raw = param_types
            .iter()
            .map(|&ty| self.b.function_parameter(ty))
            .collect::<Result<Vec<_>, _>>()?;
        let entry = self.b.id();
        self.begin_block(entry)?;
        // `OpVariable`s must open the entry block, before the `bool` parameter conversions.
        self.declare_locals(body.locals);
        let (own_raw, hidden_raw) = raw.split_at(own);
        self.declare_params(body.params, body.convention, own_raw)?;
        self.declare_hidden(body.hidden, hidden_raw)?;
        self.block(body.body)?;
        if self.f.current.is_some() {
            if body.result.is_some() {
                return Err(BuildError::Internal("the body falls off its end".into()));
            }
            self.b.ret()?;
        }
        self.b.end_function()?;
        Ok(id)
    }

    /// The SPIR-V type of a function result: `void` for `()`.
    fn result_ty(&mut self, result: Option<Scalar>) -> Word {
        match result {
            Some(s) => self.ty(s),
            None => self.b.type_void(),
        }
    }

    /// Calls device function `function` with `args` (evaluated left to right), then the
    /// error record's hidden arguments when the module reports errors; returns the id of the
    /// result (unused for functions returning `()`).
    pub(super) fn call(&mut self, function: FunctionId, args: &[Argument]) -> BuildResult<Word> {
        let callee = self
            .functions
            .get(function.0 as usize)
            .copied()
            .ok_or_else(|| {
                BuildError::Internal(format!("function #{} not declared", function.0))
            })?;
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            match arg {
                Argument::Value(value) => values.push(self.expr(value)?),
                // The caller's view passes through unchanged: pointer, offset, extents, strides.
                Argument::Tensor(id) => values.extend(self.tensor(*id)?.all()),
                // OpenCL: the caller's pointer, then its extents; Vulkan: the extents (the
                // callee's memory is the kernel's array, see `declare_params`).
                Argument::Local(id) => {
                    let local = self.local_accessor(*id)?;
                    if self.flavour == Flavour::OpenCl {
                        values.push(local.ptr);
                    }
                    values.extend(local.extents.iter().take(local.dims as usize));
                }
            }
        }
        values.extend(self.hidden_args()?);
        self.call_id(callee.id, callee.result, &values)
    }

    /// `OpFunctionCall` of function `id` returning `result` with argument ids `args`.
    pub(super) fn call_id(
        &mut self,
        id: Word,
        result: Option<Scalar>,
        args: &[Word],
    ) -> BuildResult<Word> {
        let ty = self.result_ty(result);
        Ok(self.b.function_call(ty, None, id, args.iter().copied())?)
    }
}
