//! Representative kernels emitted and validated with `spirv-val --target-env opencl2.2`.

mod common;

use common::*;
use dpex_spirv::ir::{Access, BinaryOp as B, Scalar as S};
use dpex_spirv::{emit_opencl, EmitError, Options};

#[test]
fn vector_add_f32() {
    let text = emit_valid("vector_add", vec![vector_add()]);
    assert!(text.contains("OpEntryPoint Kernel"), "{text}");
    assert!(text.contains("OpFAdd"), "{text}");
    assert!(text.contains("FuncParamAttr NoWrite"), "{text}");
    assert!(text.contains("FuncParamAttr NoAlias"), "{text}");
    assert!(text.contains("Aligned 4"), "{text}");
    assert!(!text.contains("OpCapability Float64"), "{text}");
    assert!(!text.contains("OpCapability Int8"), "{text}");
}

#[test]
fn saxpy_with_scalar_param() {
    // y[i] = a * x[i] + y[i], guarded by i < y.len()
    let i = || gid(0);
    let body = vec![if_(
        bin(B::Lt, i(), len(2)),
        vec![store(
            2,
            i(),
            bin(
                B::Add,
                bin(B::Mul, param(S::F32, 0), load(S::F32, 1, i())),
                load(S::F32, 2, i()),
            ),
        )],
        vec![],
    )];
    let k = kernel(
        "saxpy",
        1,
        vec![
            scalar("a", S::F32),
            tensor("x", S::F32, Access::Read),
            tensor("y", S::F32, Access::ReadWrite),
        ],
        vec![],
        body,
    );
    let text = emit_valid("saxpy", vec![k]);
    assert!(text.contains("OpFMul"), "{text}");
    assert!(text.contains("OpULessThan"), "{text}");
}

#[test]
fn two_dimensional_kernel() {
    // out[j * size0 + i] = (i + j * size1) as f64
    let index = bin(B::Add, bin(B::Mul, gid(1), gsize(0)), gid(0));
    let value = cast(bin(B::Add, gid(0), bin(B::Mul, gid(1), gsize(1))), S::F64);
    let k = kernel(
        "grid",
        2,
        vec![tensor("out", S::F64, Access::ReadWrite)],
        vec![],
        vec![store(0, index, value)],
    );
    let text = emit_valid("grid", vec![k]);
    assert!(text.contains("OpCapability Float64"), "{text}");
    assert!(text.contains("BuiltIn GlobalSize"), "{text}");
    assert!(text.contains("BuiltIn GlobalInvocationId"), "{text}");
}

#[test]
fn three_dimensional_kernel() {
    let index = bin(
        B::Add,
        bin(B::Mul, gid(2), bin(B::Mul, gsize(0), gsize(1))),
        bin(B::Add, bin(B::Mul, gid(1), gsize(0)), gid(0)),
    );
    let k = kernel(
        "cube",
        3,
        vec![tensor("out", S::U64, Access::ReadWrite)],
        vec![],
        vec![store(0, index, gsize(2))],
    );
    emit_valid("cube", vec![k]);
}

#[test]
fn bool_scalar_param_and_bool_tensor() {
    // mask[i] = flag ^ src[i]; if mask[i] { count[i] = 1 }
    let i = || gid(0);
    let k = kernel(
        "bools",
        1,
        vec![
            scalar("flag", S::Bool),
            tensor("src", S::Bool, Access::Read),
            tensor("mask", S::Bool, Access::ReadWrite),
            tensor("count", S::U8, Access::ReadWrite),
        ],
        vec![],
        vec![
            store(
                2,
                i(),
                bin(B::BitXor, param(S::Bool, 0), load(S::Bool, 1, i())),
            ),
            if_(
                load(S::Bool, 2, i()),
                vec![store(3, i(), int(S::U8, 1))],
                vec![],
            ),
        ],
    );
    let text = emit_valid("bools", vec![k]);
    assert!(text.contains("Aligned 1"), "{text}");
}

#[test]
fn small_integer_tensors() {
    // d[i] = (a[i] as i16 * b[i] + c[i] as i16) as u16, with i8/i16/u8/u16 tensors
    let i = || gid(0);
    let product = bin(
        B::Mul,
        cast(load(S::I8, 0, i()), S::I16),
        load(S::I16, 1, i()),
    );
    let sum = bin(B::Add, product, cast(load(S::U8, 2, i()), S::I16));
    let k = kernel(
        "small_ints",
        1,
        vec![
            tensor("a", S::I8, Access::Read),
            tensor("b", S::I16, Access::Read),
            tensor("c", S::U8, Access::Read),
            tensor("d", S::U16, Access::ReadWrite),
        ],
        vec![],
        vec![store(3, i(), cast(sum, S::U16))],
    );
    let text = emit_valid("small_ints", vec![k]);
    assert!(text.contains("OpCapability Int8"), "{text}");
    assert!(text.contains("OpCapability Int16"), "{text}");
    assert!(text.contains("Aligned 2"), "{text}");
}

#[test]
fn empty_kernel() {
    emit_valid("empty", vec![kernel("noop", 1, vec![], vec![], vec![])]);
}

#[test]
fn several_kernels_share_builtins() {
    let text = emit_valid(
        "several",
        vec![vector_add(), control_flow_kernel(), {
            let mut k = vector_add();
            k.name = "vector_add_again".into();
            k
        }],
    );
    assert_eq!(text.matches("OpEntryPoint Kernel").count(), 3, "{text}");
    assert_eq!(
        text.matches("BuiltIn GlobalInvocationId").count(),
        1,
        "{text}"
    );
}

#[test]
fn every_supported_version_validates() {
    for (minor, env) in [
        (0, "opencl2.1"),
        (1, "spv1.1"),
        (2, "opencl2.2"),
        (3, "spv1.3"),
        (4, "spv1.4"),
        (5, "spv1.5"),
        (6, "spv1.6"),
    ] {
        let module = dpex_spirv::ir::Module {
            functions: vec![],
            kernels: vec![control_flow_kernel()],
        };
        let words = emit_opencl(
            &module,
            &Options {
                version: (1, minor),
                ..Options::default()
            },
        )
        .expect("emit")
        .words
        .into_owned();
        assert_eq!(words[1], 0x0001_0000 | (u32::from(minor) << 8));
        validate_env(&format!("version_1_{minor}"), &words, env);
    }
}

#[test]
fn unsupported_version_is_an_error() {
    let module = dpex_spirv::ir::Module {
        functions: vec![],
        kernels: vec![vector_add()],
    };
    let err = emit_opencl(
        &module,
        &Options {
            version: (2, 0),
            ..Options::default()
        },
    )
    .unwrap_err();
    assert_eq!(err, EmitError::UnsupportedVersion { major: 2, minor: 0 });
}

#[test]
fn emission_is_deterministic() {
    let module = dpex_spirv::ir::Module {
        functions: vec![],
        kernels: vec![control_flow_kernel(), vector_add()],
    };
    let a = emit_opencl(&module, &Options::default())
        .expect("emit")
        .words
        .into_owned();
    let b = emit_opencl(&module, &Options::default())
        .expect("emit")
        .words
        .into_owned();
    assert_eq!(a, b);
    assert_eq!(dpex_spirv::spirv_hash(&a), dpex_spirv::spirv_hash(&b));
}

/// Compares the disassembly of representative kernels with `tests/golden/<name>.spvasm`.
/// Run with `DPEX_BLESS=1` to rewrite the snapshots after an intended change.
#[test]
fn golden_snapshots() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for (name, k) in [
        ("vector_add", vector_add()),
        ("odd_sum", control_flow_kernel()),
    ] {
        let text = emit_valid(name, vec![k]);
        let path = dir.join(format!("{name}.spvasm"));
        if std::env::var_os("DPEX_BLESS").is_some() {
            std::fs::create_dir_all(&dir).expect("create golden dir");
            std::fs::write(&path, &text).expect("write snapshot");
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run with DPEX_BLESS=1 to create it",
                path.display()
            )
        });
        assert_eq!(
            text,
            expected,
            "{} is stale; run with DPEX_BLESS=1 if the change is intended",
            path.display()
        );
    }
}

/// Modules embedded in a file among other bytes (as `#[kernel]` statics sit in a binary) are
/// found whole, in order, with their kernel names; a stray magic number is skipped.
#[test]
fn embedded_modules_are_found_with_their_kernels() {
    let emit = |kernels| {
        let module = dpex_spirv::ir::Module {
            functions: vec![],
            kernels,
        };
        emit_opencl(&module, &Options::default())
            .expect("emit")
            .words
            .into_owned()
    };
    let first = emit(vec![control_flow_kernel()]);
    let second = emit(vec![vector_add()]);
    let mut bytes: Vec<u8> = b"\x7fELF then some bytes".to_vec();
    bytes.resize(32, 0xab);
    // A magic number with garbage behind it.
    bytes.extend(0x0723_0203u32.to_le_bytes());
    bytes.extend([0xff; 28]);
    let first_at = bytes.len();
    bytes.extend(first.iter().flat_map(|w| w.to_le_bytes()));
    bytes.extend([0u8; 12]);
    let second_at = bytes.len();
    bytes.extend(second.iter().flat_map(|w| w.to_le_bytes()));
    bytes.extend(b"tail");
    let found = dpex_spirv::disasm::find_modules(&bytes);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        (found[0].offset, &found[0].words, &found[0].entry_points),
        (first_at, &first, &vec![control_flow_kernel().name])
    );
    assert_eq!(
        (found[1].offset, &found[1].words, &found[1].entry_points),
        (second_at, &second, &vec![vector_add().name])
    );
}
