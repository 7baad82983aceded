//! Shared helpers of the integration tests: terse IR constructors and `spirv-val`.

#![allow(dead_code)]

pub mod builders;
pub mod cl;
pub mod device;
pub mod nd;
pub mod report;
pub mod tensors;
pub mod vulkan;

use std::io::ErrorKind;
use std::path::PathBuf;
use std::process::Command;

use dpex_abi::Api;
use dpex_spirv::ir::*;
use dpex_spirv::ir::{BinaryOp as B, Scalar as S};
use dpex_spirv::{disasm::disassemble, emit_opencl, validation_env, Options};

/// Runs `spirv-val` on the OpenCL module `words` in the environment
/// [`dpex_spirv::validation_env`] chooses; fails the test with its stderr.
pub fn validate(name: &str, words: &[u32]) {
    validate_env(name, words, &validation_env(words, Api::OpenCl));
}

/// Runs `spirv-val --target-env <env>` on `words`; fails the test with its stderr.
pub fn validate_env(name: &str, words: &[u32], env: &str) {
    let dir = std::env::temp_dir().join(format!("dpex-spirv-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    // Tests run in parallel and may validate modules of one name.
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path: PathBuf = dir.join(format!("{name}-{n}.spv"));
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    std::fs::write(&path, bytes).expect("write module");
    let output = match Command::new("spirv-val")
        .arg("--target-env")
        .arg(env)
        .arg(&path)
        .output()
    {
        Ok(output) => output,
        Err(e) if e.kind() == ErrorKind::NotFound => panic!(
            "spirv-val not found on PATH: install it with `apt-get install spirv-tools` \
             (these tests never skip validation)"
        ),
        Err(e) => panic!("could not run spirv-val: {e}"),
    };
    let text = disassemble(words).unwrap_or_else(|e| format!("<{e}>"));
    assert!(
        output.status.success(),
        "spirv-val rejected `{name}` ({}):\n{}{}\n--- disassembly ---\n{text}",
        path.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    // DPEX_SPIRV_KEEP=1 keeps the validated modules for inspection with spirv-dis.
    if std::env::var_os("DPEX_SPIRV_KEEP").is_none() {
        let _ = std::fs::remove_file(&path);
    }
    eprintln!("spirv-val ok: {name}");
}

/// Emits `kernels` as one module with default options, validates it and returns its
/// disassembly; also emits each kernel for Vulkan and validates that ([`vulkan::also_valid`]).
pub fn emit_valid(name: &str, kernels: Vec<Kernel>) -> String {
    let module = Module {
        functions: vec![],
        kernels,
    };
    vulkan::also_valid(name, &module);
    let words = match emit_opencl(&module, &Options::default()) {
        Ok(emitted) => emitted.words.into_owned(),
        Err(e) => panic!("emitting `{name}` failed: {e}"),
    };
    validate(name, &words);
    disassemble(&words).expect("disassemble")
}

pub fn kernel(
    name: &str,
    dims: u32,
    params: Vec<Param>,
    locals: Vec<Local>,
    body: Block,
) -> Kernel {
    Kernel {
        name: name.into(),
        dims,
        params,
        locals,
        workgroup_arrays: vec![],
        body,
        reports_errors: false,
    }
}

/// A 1-d tensor parameter.
pub fn tensor(name: &str, elem: Scalar, access: Access) -> Param {
    tensor_nd(name, elem, access, 1)
}

/// A tensor parameter of `dims` axes.
pub fn tensor_nd(name: &str, elem: Scalar, access: Access, dims: u32) -> Param {
    Param {
        name: name.into(),
        kind: ParamKind::Tensor { elem, access, dims },
    }
}

/// `field` of tensor parameter `tensor`'s view (`u64` offset and extents, `i64` strides).
pub fn layout(tensor: u32, field: LayoutField) -> Expr {
    let ty = match field {
        LayoutField::Stride(_) => Scalar::I64,
        LayoutField::Offset | LayoutField::Shape(_) => Scalar::U64,
    };
    Expr {
        ty,
        kind: ExprKind::TensorLayout {
            tensor: ParamId(tensor),
            field,
        },
    }
}

pub fn scalar(name: &str, ty: Scalar) -> Param {
    Param {
        name: name.into(),
        kind: ParamKind::Scalar(ty),
    }
}

pub fn local(name: &str, ty: Scalar) -> Local {
    Local {
        name: name.into(),
        ty,
        array_len: None,
    }
}

pub fn gid(dim: u32) -> Expr {
    Expr {
        ty: Scalar::U64,
        kind: ExprKind::Builtin(Builtin::GlobalId(dim)),
    }
}

pub fn gsize(dim: u32) -> Expr {
    Expr {
        ty: Scalar::U64,
        kind: ExprKind::Builtin(Builtin::GlobalSize(dim)),
    }
}

pub fn param(ty: Scalar, id: u32) -> Expr {
    Expr {
        ty,
        kind: ExprKind::Param(ParamId(id)),
    }
}

pub fn get(ty: Scalar, id: u32) -> Expr {
    Expr {
        ty,
        kind: ExprKind::Local(LocalId(id)),
    }
}

pub fn load(ty: Scalar, tensor: u32, index: Expr) -> Expr {
    Expr {
        ty,
        kind: ExprKind::Element {
            memory: Memory::Tensor(ParamId(tensor)),
            index: Box::new(index),
        },
    }
}

pub fn len(tensor: u32) -> Expr {
    Expr {
        ty: Scalar::U64,
        kind: ExprKind::Len(Memory::Tensor(ParamId(tensor))),
    }
}

pub fn int(ty: Scalar, value: u64) -> Expr {
    Expr::literal(ty, Literal::Int(value))
}

pub fn float(ty: Scalar, value: f64) -> Expr {
    Expr::literal(ty, Literal::Float(value.to_bits()))
}

pub fn boolean(value: bool) -> Expr {
    Expr::literal(Scalar::Bool, Literal::Bool(value))
}

/// `lhs op rhs` with the result type IR rules give it.
pub fn bin(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
    let ty = if op.is_comparison() {
        Scalar::Bool
    } else {
        lhs.ty
    };
    Expr::binary(ty, op, lhs, rhs)
}

pub fn unary(op: UnaryOp, operand: Expr) -> Expr {
    Expr {
        ty: operand.ty,
        kind: ExprKind::Unary {
            op,
            operand: Box::new(operand),
        },
    }
}

pub fn cast(value: Expr, to: Scalar) -> Expr {
    Expr {
        ty: to,
        kind: ExprKind::Cast {
            value: Box::new(value),
        },
    }
}

pub fn select(condition: Expr, accept: Expr, reject: Expr) -> Expr {
    Expr {
        ty: accept.ty,
        kind: ExprKind::Select {
            condition: Box::new(condition),
            accept: Box::new(accept),
            reject: Box::new(reject),
        },
    }
}

pub fn store(tensor: u32, index: Expr, value: Expr) -> Statement {
    Statement::StoreElement {
        memory: Memory::Tensor(ParamId(tensor)),
        index,
        value,
    }
}

pub fn assign(local: u32, value: Expr) -> Statement {
    Statement::Assign {
        local: LocalId(local),
        value,
    }
}

pub fn if_(condition: Expr, accept: Block, reject: Block) -> Statement {
    Statement::If {
        condition,
        accept,
        reject,
    }
}

pub fn loop_(body: Block, continuing: Block) -> Statement {
    Statement::Loop {
        body,
        continuing,
        unroll: false,
    }
}

/// `if !(local < bound) { break }`, the bound check of a `for` loop.
pub fn break_unless_below(local: u32, ty: Scalar, bound: Expr) -> Statement {
    if_(
        unary(UnaryOp::Not, bin(BinaryOp::Lt, get(ty, local), bound)),
        vec![Statement::Break],
        vec![],
    )
}

/// `local += step`.
pub fn increment(local: u32, ty: Scalar, step: Expr) -> Statement {
    assign(local, bin(BinaryOp::Add, get(ty, local), step))
}

pub fn vector_add() -> dpex_spirv::ir::Kernel {
    // c[i] = a[i] + b[i]
    kernel(
        "vector_add",
        1,
        vec![
            tensor("a", S::F32, Access::Read),
            tensor("b", S::F32, Access::Read),
            tensor("c", S::F32, Access::ReadWrite),
        ],
        vec![],
        vec![store(
            2,
            gid(0),
            bin(B::Add, load(S::F32, 0, gid(0)), load(S::F32, 1, gid(0))),
        )],
    )
}

/// Sums the odd-indexed elements of `x` below `n`, skipping negatives, with if/else, break
/// and continue; then writes either the sum or -1.
pub fn control_flow_kernel() -> dpex_spirv::ir::Kernel {
    let (i, acc, v) = (0, 1, 2);
    let body = vec![
        assign(i, int(S::U64, 0)),
        assign(acc, float(S::F32, 0.0)),
        loop_(
            vec![
                break_unless_below(i, S::U64, len(0)),
                if_(
                    bin(
                        B::Eq,
                        bin(B::Rem, get(S::U64, i), int(S::U64, 2)),
                        int(S::U64, 0),
                    ),
                    vec![Statement::Continue],
                    vec![],
                ),
                assign(v, load(S::F32, 0, get(S::U64, i))),
                if_(
                    bin(B::Lt, get(S::F32, v), float(S::F32, 0.0)),
                    vec![Statement::Continue],
                    vec![assign(acc, bin(B::Add, get(S::F32, acc), get(S::F32, v)))],
                ),
                if_(
                    bin(B::Gt, get(S::F32, acc), float(S::F32, 1.0e6)),
                    vec![Statement::Break, assign(acc, float(S::F32, 1.0))],
                    vec![],
                ),
            ],
            vec![increment(i, S::U64, int(S::U64, 1))],
        ),
        if_(
            bin(B::Ge, get(S::F32, acc), float(S::F32, 0.5)),
            vec![store(1, gid(0), get(S::F32, acc))],
            vec![store(1, gid(0), unary(UnaryOp::Neg, float(S::F32, 1.0)))],
        ),
    ];
    kernel(
        "odd_sum",
        1,
        vec![
            tensor("x", S::F32, Access::Read),
            tensor("out", S::F32, Access::ReadWrite),
        ],
        vec![local("i", S::U64), local("acc", S::F32), local("v", S::F32)],
        body,
    )
}
