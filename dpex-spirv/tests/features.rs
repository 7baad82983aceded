//! `required_features`: which optional device features a module needs.

mod common;

use common::builders::*;
use common::nd::*;
use common::*;
use dpex_spirv::ir::{
    Access, AtomicOp, Builtin, Memory, MemoryOrder, Module, ParamId, Scalar as S, Scope,
    SubGroupOp, WorkgroupArrayId,
};
use dpex_spirv::{required_features, Features};

fn features_of(kernel: dpex_spirv::ir::Kernel) -> Features {
    required_features(&Module {
        functions: vec![],
        kernels: vec![kernel],
    })
}

fn with(body: Vec<dpex_spirv::ir::Statement>) -> Features {
    features_of(kernel(
        "k",
        1,
        vec![
            tensor("x", S::F32, Access::ReadWrite),
            tensor("l", S::U64, Access::ReadWrite),
        ],
        vec![],
        body,
    ))
}

#[test]
fn plain_f32_kernel_needs_nothing() {
    assert_eq!(features_of(vector_add()), Features::default());
    assert_eq!(required_features(&Module::default()), Features::default());
}

#[test]
fn fp64_and_fp16_from_any_type_use() {
    let fp64 = Features {
        fp64: true,
        ..Features::default()
    };
    // A literal cast down, a parameter, a local, a work-group array, a function result.
    let cast_literal = store(0, gid(0), cast(float(S::F64, 1.0), S::F32));
    assert_eq!(with(vec![cast_literal]), fp64);
    assert_eq!(
        features_of(kernel("k", 1, vec![scalar("a", S::F64)], vec![], vec![])),
        fp64
    );
    assert_eq!(
        features_of(kernel("k", 1, vec![], vec![array("a", S::F64, 2)], vec![])),
        fp64
    );
    let arrays = kernel_with_arrays(
        "k",
        1,
        vec![],
        vec![],
        vec![wg_array("w", S::F16, 4)],
        vec![],
    );
    assert_eq!(
        features_of(arrays),
        Features {
            fp16: true,
            ..Features::default()
        }
    );
    let f = function(
        "f",
        vec![],
        Some(S::F64),
        vec![],
        vec![ret(float(S::F64, 0.0))],
    );
    let module = Module {
        functions: vec![f],
        kernels: vec![],
    };
    assert_eq!(required_features(&module), fp64);
}

#[test]
fn int64_atomics_from_64_bit_elements() {
    let add = |ty, memory| {
        store(
            0,
            gid(0),
            cast(
                atomic(
                    ty,
                    AtomicOp::Add,
                    memory,
                    gid(0),
                    vec![int(ty, 1)],
                    MemoryOrder::Relaxed,
                    Scope::Device,
                ),
                S::F32,
            ),
        )
    };
    let t32 = with(vec![store(
        0,
        gid(0),
        atomic(
            S::F32,
            AtomicOp::Add,
            Memory::Tensor(ParamId(0)),
            gid(0),
            vec![float(S::F32, 1.0)],
            MemoryOrder::Relaxed,
            Scope::Device,
        ),
    )]);
    assert_eq!(t32, Features::default());
    let t64 = with(vec![add(S::U64, Memory::Tensor(ParamId(1)))]);
    assert!(t64.int64_atomics && !t64.fp64 && !t64.sub_groups, "{t64:?}");
    let store64 = with(vec![atomic_store(
        Memory::Tensor(ParamId(1)),
        gid(0),
        int(S::U64, 1),
        MemoryOrder::Relaxed,
        Scope::Device,
    )]);
    assert!(store64.int64_atomics, "{store64:?}");
    // A plain u64 load is no atomic.
    assert_eq!(
        with(vec![store(1, gid(0), load(S::U64, 1, gid(0)))]),
        Features::default()
    );
    // f64 atomics need both.
    let k = kernel_with_arrays(
        "k",
        1,
        vec![tensor("x", S::F32, Access::ReadWrite)],
        vec![],
        vec![wg_array("w", S::F64, 4)],
        vec![add(S::F64, Memory::Workgroup(WorkgroupArrayId(0)))],
    );
    let f = features_of(k);
    assert!(f.int64_atomics && f.fp64, "{f:?}");
}

#[test]
fn sub_groups_from_builtins_and_collectives() {
    let sg = Features {
        sub_groups: true,
        ..Features::default()
    };
    let id = store(1, gid(0), cast(builtin(Builtin::SubGroupSize), S::U64));
    assert_eq!(with(vec![id]), sg);
    let reduce = sub_group(S::F32, SubGroupOp::ReduceAdd, vec![load(S::F32, 0, gid(0))]);
    assert_eq!(with(vec![store(0, gid(0), reduce)]), sg);
    // Work-group built-ins are core.
    let lid = store(1, gid(0), builtin(Builtin::LocalId(0)));
    assert_eq!(with(vec![lid]), Features::default());
}
