//! The ND-range model: work-item built-ins, barriers, local accessors and work-group arrays,
//! validated by `spirv-val`.

mod common;

use common::builders::*;
use common::nd::*;
use common::*;
use dpex_spirv::disasm::disassemble;
use dpex_spirv::ir::{
    Access, Argument, BinaryOp as B, Builtin, Expr, ExprKind, FenceSpaces, Memory, Module, Param,
    ParamId, ParamKind, Scalar as S, Statement, WorkgroupArrayId,
};
use dpex_spirv::{emit_opencl, Options};

/// `out[gid] = local_id + 10 local_size + 100 group_id + 1000 num_groups` in every dimension.
#[test]
fn work_item_builtins_in_three_dimensions() {
    let mut sum = int(S::U64, 0);
    for d in 0..3 {
        for (weight, b) in [
            (1, Builtin::LocalId(d)),
            (10, Builtin::LocalSize(d)),
            (100, Builtin::GroupId(d)),
            (1000, Builtin::NumGroups(d)),
        ] {
            sum = bin(B::Add, sum, bin(B::Mul, builtin(b), int(S::U64, weight)));
        }
    }
    let k = kernel(
        "ids",
        3,
        vec![tensor("out", S::U64, Access::ReadWrite)],
        vec![],
        vec![store(0, gid(0), sum)],
    );
    let text = emit_valid("ids", vec![k]);
    for b in [
        "LocalInvocationId",
        "WorkgroupSize",
        "WorkgroupId",
        "NumWorkgroups",
    ] {
        assert!(text.contains(&format!("BuiltIn {b}")), "{b}: {text}");
    }
    assert!(!text.contains("OpCapability Groups"), "{text}");
}

/// A tree reduction in a local accessor: `scratch[lid] = x[gid]`, then halving strides with
/// barriers, and the group's leader writes `out[group]`.
fn tree_reduction(elem: S) -> dpex_spirv::ir::Kernel {
    let scratch = Memory::Local(ParamId(2));
    let lid = || builtin(Builtin::LocalId(0));
    let stride = 0;
    let body = vec![
        write(scratch, lid(), load(elem, 0, gid(0))),
        barrier(false),
        assign(
            stride,
            bin(B::Div, builtin(Builtin::LocalSize(0)), int(S::U64, 2)),
        ),
        loop_(
            vec![
                if_(
                    bin(B::Eq, get(S::U64, stride), int(S::U64, 0)),
                    vec![Statement::Break],
                    vec![],
                ),
                if_(
                    bin(B::Lt, lid(), get(S::U64, stride)),
                    vec![write(
                        scratch,
                        lid(),
                        bin(
                            B::Add,
                            read(elem, scratch, lid()),
                            read(elem, scratch, bin(B::Add, lid(), get(S::U64, stride))),
                        ),
                    )],
                    vec![],
                ),
                barrier(false),
            ],
            vec![assign(
                stride,
                bin(B::Div, get(S::U64, stride), int(S::U64, 2)),
            )],
        ),
        if_(
            bin(B::Eq, lid(), int(S::U64, 0)),
            vec![store(
                1,
                builtin(Builtin::GroupId(0)),
                read(elem, scratch, int(S::U64, 0)),
            )],
            vec![],
        ),
    ];
    kernel(
        "tree_reduce",
        1,
        vec![
            tensor("x", elem, Access::Read),
            tensor("out", elem, Access::ReadWrite),
            local_param("scratch", elem),
        ],
        vec![local("stride", S::U64)],
        body,
    )
}

#[test]
fn local_accessor_tree_reduction() {
    let text = emit_valid("tree_reduce", vec![tree_reduction(S::F32)]);
    assert!(text.contains("OpTypePointer Workgroup"), "{text}");
    assert!(text.contains("OpControlBarrier"), "{text}");
    assert!(text.contains("\"scratch_len\""), "{text}");
}

#[test]
fn barrier_fence_spaces() {
    let body = [(false, false), (true, false), (false, true), (true, true)]
        .into_iter()
        .map(|(local, global)| Statement::Barrier {
            fence: FenceSpaces { local, global },
        })
        .collect();
    let text = emit_valid(
        "barriers",
        vec![kernel("barriers", 1, vec![], vec![], body)],
    );
    assert_eq!(text.matches("OpControlBarrier").count(), 4, "{text}");
}

/// Work-group arrays of several types (`bool` stored as `u8`), a local accessor's `len()`, and
/// 2-d indexing `tile[ly * 4 + lx]`.
fn workgroup_arrays_kernel() -> dpex_spirv::ir::Kernel {
    let tile = Memory::Workgroup(WorkgroupArrayId(0));
    let flags = Memory::Workgroup(WorkgroupArrayId(1));
    let wide = Memory::Workgroup(WorkgroupArrayId(2));
    let acc = Memory::Local(ParamId(1));
    let lx = || builtin(Builtin::LocalId(0));
    let ly = || builtin(Builtin::LocalId(1));
    let at = || bin(B::Add, bin(B::Mul, ly(), int(S::U64, 4)), lx());
    let body = vec![
        write(tile, at(), cast(at(), S::F32)),
        write(
            flags,
            at(),
            bin(B::Eq, bin(B::Rem, at(), int(S::U64, 2)), int(S::U64, 0)),
        ),
        write(wide, at(), cast(at(), S::F64)),
        write(acc, lx(), cast(mem_len(acc), S::I16)),
        barrier(true),
        store(
            0,
            at(),
            select(
                read(S::Bool, flags, at()),
                bin(
                    B::Add,
                    read(S::F32, tile, bin(B::Sub, int(S::U64, 15), at())),
                    cast(read(S::F64, wide, at()), S::F32),
                ),
                cast(read(S::I16, acc, lx()), S::F32),
            ),
        ),
    ];
    kernel_with_arrays(
        "tiles",
        2,
        vec![
            tensor("out", S::F32, Access::ReadWrite),
            local_param("acc", S::I16),
        ],
        vec![],
        vec![
            wg_array("tile", S::F32, 16),
            wg_array("flags", S::Bool, 16),
            wg_array("wide", S::F64, 16),
        ],
        body,
    )
}

/// The id (`%n`) that `OpName` gives `name` in a disassembly.
fn id_of(text: &str, name: &str) -> String {
    let suffix = format!(" \"{name}\"");
    text.lines()
        .find_map(|l| {
            l.strip_prefix("OpName ")?
                .strip_suffix(&suffix)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("no OpName {name}: {text}"))
}

#[test]
fn workgroup_arrays_and_local_accessor_len() {
    let text = emit_valid("tiles", vec![workgroup_arrays_kernel()]);
    for name in ["tile", "flags", "wide"] {
        let var = format!("{} = OpVariable", id_of(&text, name));
        let line = text
            .lines()
            .find(|l| l.starts_with(&var))
            .expect("variable");
        assert!(line.ends_with("Workgroup"), "{line}");
    }
    assert!(text.contains("\"acc_len\""), "{text}");
    // `bool` elements are stored as `u8`.
    assert!(text.contains("OpTypeInt 8 0"), "{text}");
}

#[test]
fn workgroup_arrays_join_the_interface_from_spirv_1_4() {
    let module = Module {
        functions: vec![],
        kernels: vec![workgroup_arrays_kernel(), tree_reduction(S::I32)],
    };
    for (minor, listed) in [(2, false), (4, true)] {
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
        validate(&format!("tiles_1_{minor}"), &words);
        let text = disassemble(&words).expect("disassemble");
        let entry = text
            .lines()
            .find(|l| l.contains("OpEntryPoint Kernel") && l.contains("\"tiles\""))
            .expect("entry point");
        let tile = format!("{} ", id_of(&text, "tile"));
        assert_eq!(format!("{entry} ").contains(&tile), listed, "{entry}");
    }
}

/// A `LocalAccessor<elem, dims>` parameter.
fn local_nd(name: &str, elem: S, dims: u32) -> Param {
    Param {
        name: name.into(),
        kind: ParamKind::Local { elem, dims },
    }
}

/// `local.shape(axis)`.
fn extent(local: u32, axis: u32) -> Expr {
    Expr {
        ty: S::U64,
        kind: ExprKind::LocalExtent {
            local: ParamId(local),
            axis,
        },
    }
}

/// A kernel passing its local accessors to device functions: `tree_sum(s)` reduces the
/// work-group's `s` with barriers, adding pairs through `add_into(s, i, j)` (which it passes
/// its own accessor on to); `fill(t)` writes `t[[lid, c]] = t.len() + c` into a 2-d accessor,
/// which the kernel reads back.
fn local_functions_module() -> Module {
    let s = Memory::Local(ParamId(0));
    let lid = || builtin(Builtin::LocalId(0));
    let stride = 0;
    let add_into = function(
        "add_into",
        vec![
            local_param("s", S::F32),
            scalar("i", S::U64),
            scalar("j", S::U64),
        ],
        None,
        vec![],
        vec![write(
            s,
            param(S::U64, 1),
            bin(
                B::Add,
                read(S::F32, s, param(S::U64, 1)),
                read(S::F32, s, param(S::U64, 2)),
            ),
        )],
    );
    let tree_sum = function(
        "tree_sum",
        vec![local_param("s", S::F32)],
        Some(S::F32),
        vec![local("stride", S::U64)],
        vec![
            assign(stride, bin(B::Div, mem_len(s), int(S::U64, 2))),
            loop_(
                vec![
                    if_(
                        bin(B::Eq, get(S::U64, stride), int(S::U64, 0)),
                        vec![Statement::Break],
                        vec![],
                    ),
                    if_(
                        bin(B::Lt, lid(), get(S::U64, stride)),
                        vec![call_stmt(
                            1,
                            vec![
                                Argument::Local(ParamId(0)),
                                val(lid()),
                                val(bin(B::Add, lid(), get(S::U64, stride))),
                            ],
                        )],
                        vec![],
                    ),
                    barrier(false),
                ],
                vec![assign(
                    stride,
                    bin(B::Div, get(S::U64, stride), int(S::U64, 2)),
                )],
            ),
            ret(read(S::F32, s, int(S::U64, 0))),
        ],
    );
    let t = Memory::Local(ParamId(0));
    let c = 0;
    let fill = function(
        "fill",
        vec![local_nd("t", S::U32, 2)],
        None,
        vec![local("c", S::U64)],
        vec![
            assign(c, int(S::U64, 0)),
            loop_(
                vec![
                    break_unless_below(c, S::U64, extent(0, 1)),
                    write(
                        t,
                        bin(B::Add, bin(B::Mul, lid(), extent(0, 1)), get(S::U64, c)),
                        cast(bin(B::Add, mem_len(t), get(S::U64, c)), S::U32),
                    ),
                ],
                vec![increment(c, S::U64, int(S::U64, 1))],
            ),
        ],
    );
    let scratch = Memory::Local(ParamId(2));
    let grid = Memory::Local(ParamId(3));
    let kernel = kernel(
        "local_functions",
        1,
        vec![
            tensor("x", S::F32, Access::Read),
            tensor("out", S::F32, Access::ReadWrite),
            local_param("scratch", S::F32),
            local_nd("grid", S::U32, 2),
        ],
        vec![],
        vec![
            write(scratch, lid(), load(S::F32, 0, gid(0))),
            call_stmt(2, vec![Argument::Local(ParamId(3))]),
            barrier(false),
            store(
                1,
                gid(0),
                bin(
                    B::Add,
                    call(S::F32, 0, vec![Argument::Local(ParamId(2))]),
                    cast(read(S::U32, grid, bin(B::Mul, lid(), extent(3, 1))), S::F32),
                ),
            ),
        ],
    );
    Module {
        functions: vec![tree_sum, add_into, fill],
        kernels: vec![kernel],
    }
}

/// Device functions take local accessors: OpenCL passes the `Workgroup` pointer and the
/// extents; Vulkan passes the extents and addresses the kernel's module-scope array, which the
/// entry point lists.
#[test]
fn device_functions_take_local_accessors() {
    let module = local_functions_module();
    let text = emit_module_valid("local_functions", &module);
    let function_params = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.contains("OpFunctionParameter"))
            .map(str::to_owned)
            .collect()
    };
    let workgroup_ptrs: Vec<String> = text
        .lines()
        .filter(|l| l.contains("OpTypePointer Workgroup"))
        .filter_map(|l| l.split(" = ").next().map(str::to_owned))
        .collect();
    let params = function_params(&text);
    let local_ptrs = params
        .iter()
        .filter(|p| workgroup_ptrs.iter().any(|t| p.ends_with(&format!(" {t}"))))
        .count();
    // The kernel's two accessors, then one pointer for each function's accessor.
    assert_eq!(local_ptrs, 5, "{text}");
    let words = common::vulkan::also_valid("local_functions", &module);
    let [vk] = words.as_slice() else {
        panic!("one Vulkan module");
    };
    let vk = disassemble(vk).expect("disassemble");
    let entry = vk
        .lines()
        .find(|l| l.contains("OpEntryPoint GLCompute"))
        .expect("entry point");
    for name in ["scratch", "grid"] {
        let var = id_of(&vk, name);
        assert!(format!("{entry} ").contains(&format!("{var} ")), "{entry}");
        assert!(
            vk.lines()
                .any(|l| l.starts_with(&format!("{var} = OpVariable")) && l.ends_with("Workgroup")),
            "{vk}"
        );
    }
    // Each function takes its accessor's extents only: `u64`s, as many as it has axes.
    assert_eq!(function_params(&vk).len(), 1 + 3 + 2, "{vk}");
}
