//! Sub-group built-ins and collectives on every numeric type, validated by `spirv-val`.

mod common;

use common::nd::*;
use common::*;
use dpex_spirv::ir::{Access, Builtin, Module, Scalar as S, SubGroupOp};
use dpex_spirv::{disasm::disassemble, emit_opencl, Options};

const VALUE_OPS: [SubGroupOp; 6] = [
    SubGroupOp::Broadcast,
    SubGroupOp::ReduceAdd,
    SubGroupOp::ReduceMin,
    SubGroupOp::ReduceMax,
    SubGroupOp::InclusiveScanAdd,
    SubGroupOp::ExclusiveScanAdd,
];

/// `out[gid * 8 + k] = op_k(x[gid], ...)` for the collectives in `ops` on `ty`.
fn collectives_kernel(name: &str, ty: S, ops: &[SubGroupOp]) -> dpex_spirv::ir::Kernel {
    let lane = || builtin(Builtin::SubGroupLocalId);
    let mut body = Vec::new();
    for (k, &op) in ops.iter().enumerate() {
        let mut args = vec![load(ty, 0, gid(0))];
        match op {
            SubGroupOp::Broadcast => args.push(int(S::U32, 0)),
            SubGroupOp::Shuffle => args.push(lane()),
            SubGroupOp::ShuffleXor => args.push(int(S::U32, 1)),
            _ => {}
        }
        let at = bin(
            dpex_spirv::ir::BinaryOp::Add,
            bin(dpex_spirv::ir::BinaryOp::Mul, gid(0), int(S::U64, 8)),
            int(S::U64, k as u64),
        );
        body.push(store(1, at, sub_group(ty, op, args)));
    }
    kernel(
        name,
        1,
        vec![
            tensor("x", ty, Access::Read),
            tensor("out", ty, Access::ReadWrite),
        ],
        vec![],
        body,
    )
}

#[test]
fn groups_collectives_on_every_numeric_type() {
    for ty in [
        S::I8,
        S::I16,
        S::I32,
        S::I64,
        S::U8,
        S::U16,
        S::U32,
        S::U64,
        S::F32,
        S::F64,
        S::F16,
    ] {
        let name = format!("collectives_{ty}");
        let text = emit_valid(&name, vec![collectives_kernel(&name, ty, &VALUE_OPS)]);
        assert!(text.contains("OpCapability Groups"), "{text}");
        assert!(text.contains("Version: 1.2"), "{text}");
        assert!(text.contains("OpGroupBroadcast"), "{text}");
        for group_op in ["Reduce", "InclusiveScan", "ExclusiveScan"] {
            assert!(text.contains(group_op), "{group_op}: {text}");
        }
        let (min, max) = if ty.is_float() {
            ("OpGroupFMin", "OpGroupFMax")
        } else if ty.is_signed_int() {
            ("OpGroupSMin", "OpGroupSMax")
        } else {
            ("OpGroupUMin", "OpGroupUMax")
        };
        assert!(text.contains(min) && text.contains(max), "{text}");
        if ty.bits() < 32 && ty.is_int() {
            // Computed in 32 bits.
            assert!(
                text.contains("OpSConvert") || text.contains("OpUConvert"),
                "{text}"
            );
        }
    }
}

#[test]
fn shuffles_raise_the_version_to_1_3() {
    let ops = [SubGroupOp::Shuffle, SubGroupOp::ShuffleXor];
    for ty in [S::I8, S::I32, S::U64, S::F32, S::F64] {
        let name = format!("shuffles_{ty}");
        let text = emit_valid(&name, vec![collectives_kernel(&name, ty, &ops)]);
        assert!(text.contains("Version: 1.3"), "{text}");
        assert!(
            text.contains("OpCapability GroupNonUniformShuffle"),
            "{text}"
        );
        assert!(text.contains("OpGroupNonUniformShuffle "), "{text}");
        assert!(text.contains("OpGroupNonUniformShuffleXor"), "{text}");
    }
    // A higher version asked for is kept.
    let module = Module {
        functions: vec![],
        kernels: vec![collectives_kernel("s", S::F32, &ops)],
    };
    let words = emit_opencl(
        &module,
        &Options {
            version: (1, 4),
            ..Options::default()
        },
    )
    .expect("emit")
    .words
    .into_owned();
    validate("shuffles_1_4", &words);
    assert!(disassemble(&words).expect("dis").contains("Version: 1.4"));
}

#[test]
fn any_all_and_sub_group_builtins() {
    let pred = bin(
        dpex_spirv::ir::BinaryOp::Lt,
        builtin(Builtin::SubGroupLocalId),
        builtin(Builtin::SubGroupSize),
    );
    let any = sub_group(S::Bool, SubGroupOp::Any, vec![pred.clone()]);
    let all = sub_group(S::Bool, SubGroupOp::All, vec![pred]);
    let ids = bin(
        dpex_spirv::ir::BinaryOp::Add,
        builtin(Builtin::SubGroupId),
        builtin(Builtin::NumSubGroups),
    );
    let k = kernel(
        "votes",
        1,
        vec![
            tensor("flags", S::Bool, Access::ReadWrite),
            tensor("ids", S::U32, Access::ReadWrite),
        ],
        vec![],
        vec![
            store(0, gid(0), bin(dpex_spirv::ir::BinaryOp::BitAnd, any, all)),
            store(1, gid(0), ids),
        ],
    );
    let text = emit_valid("votes", vec![k]);
    for s in [
        "OpGroupAny",
        "OpGroupAll",
        "BuiltIn SubgroupLocalInvocationId",
        "BuiltIn SubgroupSize",
        "BuiltIn SubgroupId",
        "BuiltIn NumSubgroups",
        "OpCapability Groups",
    ] {
        assert!(text.contains(s), "{s}: {text}");
    }
}
