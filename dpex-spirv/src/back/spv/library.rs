//! Functions taken from dpex's IR math library: the transcendental functions and the exact
//! `mul_add` emulation that the Vulkan flavour cannot express with `GLSL.std.450` (which has no
//! `f64` transcendentals, and whose `f32` ones are far from Rust's accuracy), and for both
//! flavours f32/f64 `powi`, bit-identical to the host's. Each is an IR
//! device function, emitted once per module after the user's functions and called with
//! `OpFunctionCall`.

use rspirv::spirv::Word;

use super::report::Hidden;
use super::{failed, BuildError, BuildResult, Emitter};
use crate::back::EmitError;
use crate::check::Owner;
use crate::ir::{Function, MathFunction, Scalar};

/// The library functions a module calls, in first-call order.
#[derive(Debug, Default)]
pub(super) struct Cache {
    /// Each function: what it computes, its `OpFunction` id and its IR.
    entries: Vec<(MathFunction, Scalar, Word, Function)>,
    /// How many of `entries` are emitted.
    emitted: usize,
    /// Whether the function being emitted divides with the device's own `OpFDiv`.
    plain_divisions: bool,
}

/// dpex's IR math library ([`crate::math::library`]): the device function computing `fun` on
/// `ty` (scalar parameters in `fun`'s operand order, result `ty`), when the library has one;
/// the callers report [`EmitError::Unsupported`] for the others.
fn math_library(fun: MathFunction, ty: Scalar) -> Option<Function> {
    crate::math::library(fun, ty)
}

/// How users write `fun` on `ty`, for error messages.
fn rust_name(fun: MathFunction, ty: Scalar) -> String {
    let method = match fun {
        MathFunction::Erf => return format!("dpex::math::erf on {ty}"),
        MathFunction::Erfc => return format!("dpex::math::erfc on {ty}"),
        MathFunction::Rsqrt => return format!("dpex::math::rsqrt on {ty}"),
        MathFunction::Ln => "ln".to_owned(),
        MathFunction::Powf => "powf".to_owned(),
        MathFunction::Powi => "powi".to_owned(),
        MathFunction::MulAdd => "mul_add".to_owned(),
        MathFunction::ExpM1 => "exp_m1".to_owned(),
        MathFunction::Ln1p => "ln_1p".to_owned(),
        MathFunction::LnGamma => "ln_gamma".to_owned(),
        other => format!("{other:?}").to_lowercase(),
    };
    format!("{ty}::{method}")
}

impl Cache {
    /// Whether every function called so far is emitted.
    pub(super) fn is_done(&self) -> bool {
        self.emitted == self.entries.len()
    }
}

impl Emitter {
    /// The id of the library function computing `fun` on `ty`, declared on first use; `None`
    /// when the library has none.
    pub(super) fn library_function(&mut self, fun: MathFunction, ty: Scalar) -> Option<Word> {
        if let Some(&(_, _, id, _)) = self
            .library
            .entries
            .iter()
            .find(|(f, t, _, _)| *f == fun && *t == ty)
        {
            return Some(id);
        }
        let function = math_library(fun, ty)?;
        let id = self.b.id();
        self.library.entries.push((fun, ty, id, function));
        Some(id)
    }

    /// A call of the library function computing `fun` on `ty` with operands `args`;
    /// [`BuildError::Unsupported`] when the library has none.
    pub(super) fn library_call(
        &mut self,
        fun: MathFunction,
        ty: Scalar,
        args: &[Word],
    ) -> BuildResult<Word> {
        let id = self
            .library_function(fun, ty)
            .ok_or_else(|| missing(fun, ty))?;
        self.call_id(id, Some(ty), args)
    }

    /// Emits the library functions called so far, and those they call in turn. Their float
    /// divisions are the device's own (`OpFDiv`, not the refinement of `correct_rounding`),
    /// but `powi`'s, whose one reciprocal must round as the host's: the library's algorithms
    /// correct their quotients themselves (they meet their bounds on the H200 this way,
    /// MATH.md), and each refinement is some 80 instructions in functions with dozens of
    /// divisions.
    pub(super) fn emit_library_functions(&mut self) -> Result<(), EmitError> {
        while let Some((fun, _, id, function)) =
            self.library.entries.get(self.library.emitted).cloned()
        {
            self.library.emitted += 1;
            self.library.plain_divisions = fun != MathFunction::Powi;
            let emitted = self.function(id, None, &function, Hidden::None);
            self.library.plain_divisions = false;
            emitted.map_err(failed(Owner::Function(function.name.clone())))?;
        }
        Ok(())
    }

    /// Whether the function being emitted divides with the device's own `OpFDiv` (a library
    /// function but `powi`).
    pub(super) fn plain_divisions(&self) -> bool {
        self.library.plain_divisions
    }
}

/// The error for a library function that does not exist (yet).
pub(super) fn missing(fun: MathFunction, ty: Scalar) -> BuildError {
    BuildError::Unsupported(format!(
        "`{}` is not available on Vulkan yet: dpex's math library does not implement it",
        rust_name(fun, ty)
    ))
}
