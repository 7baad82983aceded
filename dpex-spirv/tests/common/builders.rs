//! Terse constructors for device functions, calls, private arrays and math functions.

use dpex_spirv::ir::*;
use dpex_spirv::{disasm::disassemble, emit_opencl, Options};

use super::validate;

/// Emits `module` with default options, validates it and returns its disassembly; also emits
/// each kernel for Vulkan and validates that ([`super::vulkan::also_valid`]).
pub fn emit_module_valid(name: &str, module: &Module) -> String {
    super::vulkan::also_valid(name, module);
    let words = match emit_opencl(module, &Options::default()) {
        Ok(emitted) => emitted.words.into_owned(),
        Err(e) => panic!("emitting `{name}` failed: {e}"),
    };
    validate(name, &words);
    disassemble(&words).expect("disassemble")
}

pub fn function(
    name: &str,
    params: Vec<Param>,
    result: Option<Scalar>,
    locals: Vec<Local>,
    body: Block,
) -> Function {
    Function {
        name: name.into(),
        params,
        result,
        locals,
        body,
    }
}

/// A private array local of `len` elements of type `ty`.
pub fn array(name: &str, ty: Scalar, len: u32) -> Local {
    Local {
        name: name.into(),
        ty,
        array_len: Some(len),
    }
}

/// `local[index]` of element type `ty`.
pub fn elem(ty: Scalar, local: u32, index: Expr) -> Expr {
    Expr {
        ty,
        kind: ExprKind::Element {
            memory: Memory::Private(LocalId(local)),
            index: Box::new(index),
        },
    }
}

/// `local[index] = value`.
pub fn store_elem(local: u32, index: Expr, value: Expr) -> Statement {
    Statement::StoreElement {
        memory: Memory::Private(LocalId(local)),
        index,
        value,
    }
}

/// `Argument::Value(value)`.
pub fn val(value: Expr) -> Argument {
    Argument::Value(value)
}

/// `Argument::Tensor(param)`.
pub fn ten(param: u32) -> Argument {
    Argument::Tensor(ParamId(param))
}

/// A call of function `f` returning `ty`, as a value.
pub fn call(ty: Scalar, f: u32, args: Vec<Argument>) -> Expr {
    Expr {
        ty,
        kind: ExprKind::Call {
            function: FunctionId(f),
            args,
        },
    }
}

/// A call of function `f` as a statement.
pub fn call_stmt(f: u32, args: Vec<Argument>) -> Statement {
    Statement::Call {
        function: FunctionId(f),
        args,
    }
}

/// `fun(args)` with result type `ty`.
pub fn math(ty: Scalar, fun: MathFunction, args: Vec<Expr>) -> Expr {
    Expr {
        ty,
        kind: ExprKind::Math { fun, args },
    }
}

/// `return value`.
pub fn ret(value: Expr) -> Statement {
    Statement::ReturnValue(value)
}
