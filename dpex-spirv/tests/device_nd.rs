//! The ND-range model on the OpenCL CPU device: work-item built-ins, barriers, local accessor
//! and work-group array memory (1-d and 2-d), checked against host computations.

mod common;

use common::device::{cpu_queue, spec};
use common::nd::*;
use common::*;
use dpex_runtime::{launch, KernelArg, LocalAccessor, Tensor};
use dpex_spirv::ir::{
    Access, BinaryOp as B, Builtin, Expr, Memory, ParamId, Scalar as S, Statement, WorkgroupArrayId,
};
use rand::{rngs::StdRng, Rng, SeedableRng};

fn u64c(v: u64) -> Expr {
    int(S::U64, v)
}

#[test]
fn work_item_builtins_in_two_dimensions() {
    let (global, local) = ([24usize, 10], [4usize, 5]);
    let mut value = u64c(0);
    for d in 0..2 {
        for (w, b) in [
            (1, Builtin::LocalId(d)),
            (10, Builtin::LocalSize(d)),
            (100, Builtin::GroupId(d)),
            (1000, Builtin::NumGroups(d)),
        ] {
            let w = if d == 0 { w } else { w * 10_000 };
            value = bin(B::Add, value, bin(B::Mul, builtin(b), u64c(w)));
        }
    }
    let index = bin(B::Add, bin(B::Mul, gid(1), gsize(0)), gid(0));
    let k = kernel(
        "nd_builtins",
        2,
        vec![tensor("out", S::U64, Access::ReadWrite)],
        vec![],
        vec![store(0, index, value)],
    );
    let spec = spec(k);
    let queue = cpu_queue();
    let mut out = Tensor::<u64>::zeros(&queue, global[0] * global[1]).expect("out");
    launch(spec, &global, Some(&local), None, &[(&mut out).into()])
        .and_then(|e| e.wait())
        .expect("launch");
    let got = out.to_vec().expect("read");
    for y in 0..global[1] {
        for x in 0..global[0] {
            let part = |id: usize, d: usize| {
                let (l, g) = (local[d] as u64, (global[d] / local[d]) as u64);
                let id = id as u64;
                id % l + 10 * l + 100 * (id / l) + 1000 * g
            };
            let want = part(x, 0) + 10_000 * part(y, 1);
            assert_eq!(got[y * global[0] + x], want, "({x}, {y})");
        }
    }
}

/// A work-group tree reduction of `x` in `scratch` (a local accessor or a work-group array
/// of `LOCAL` elements) with barriers; the leader writes `out[group]`.
fn tree_reduction(name: &str, scratch: Memory, local_len: u32) -> dpex_spirv::ir::Kernel {
    let lid = || builtin(Builtin::LocalId(0));
    let stride = 0;
    let body = vec![
        write(scratch, lid(), load(S::F32, 0, gid(0))),
        barrier(false),
        assign(stride, bin(B::Div, builtin(Builtin::LocalSize(0)), u64c(2))),
        loop_(
            vec![
                if_(
                    bin(B::Eq, get(S::U64, stride), u64c(0)),
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
                            read(S::F32, scratch, lid()),
                            read(S::F32, scratch, bin(B::Add, lid(), get(S::U64, stride))),
                        ),
                    )],
                    vec![],
                ),
                barrier(false),
            ],
            vec![assign(stride, bin(B::Div, get(S::U64, stride), u64c(2)))],
        ),
        if_(
            bin(B::Eq, lid(), u64c(0)),
            vec![store(
                1,
                builtin(Builtin::GroupId(0)),
                read(S::F32, scratch, u64c(0)),
            )],
            vec![],
        ),
    ];
    kernel_with_arrays(
        name,
        1,
        vec![
            tensor("x", S::F32, Access::Read),
            tensor("out", S::F32, Access::ReadWrite),
            local_param("scratch", S::F32),
        ],
        vec![local("stride", S::U64)],
        vec![wg_array("shared", S::F32, local_len)],
        body,
    )
}

#[test]
fn tree_reductions_in_local_accessor_and_work_group_array() {
    const N: usize = 1 << 16;
    const LOCAL: usize = 256;
    let queue = cpu_queue();
    let mut rng = StdRng::seed_from_u64(3);
    // Integer values: every order of additions gives the exact sum.
    let host: Vec<f32> = (0..N)
        .map(|_| rng.random_range(-50i32..50) as f32)
        .collect();
    let x = Tensor::from_slice(&queue, &host).expect("x");
    for (name, scratch) in [
        ("tree_accessor", Memory::Local(ParamId(2))),
        ("tree_array", Memory::Workgroup(WorkgroupArrayId(0))),
    ] {
        let spec = spec(tree_reduction(name, scratch, LOCAL as u32));
        let mut out = Tensor::<f32>::zeros(&queue, N / LOCAL).expect("out");
        let args: [KernelArg; 3] = [
            (&x).into(),
            (&mut out).into(),
            LocalAccessor::<f32>::new(LOCAL).into(),
        ];
        launch(spec, &[N], Some(&[LOCAL]), None, &args)
            .and_then(|e| e.wait())
            .expect("launch");
        let got = out.to_vec().expect("read");
        for (g, chunk) in host.chunks(LOCAL).enumerate() {
            assert_eq!(got[g], chunk.iter().sum::<f32>(), "{name}: group {g}");
        }
    }
}

/// `out[gid] = tile[(ly, lx) transposed]` through a 2-d work-group array and a local
/// accessor of `u8` flags: each work-item reads what another one wrote before the barrier.
#[test]
fn two_dimensional_tiles_exchanged_across_a_barrier() {
    const T: usize = 8;
    let (global, local) = ([32usize, 16], [T, T]);
    let tile = Memory::Workgroup(WorkgroupArrayId(0));
    let flags = Memory::Local(ParamId(2));
    let (lx, ly) = (
        || builtin(Builtin::LocalId(0)),
        || builtin(Builtin::LocalId(1)),
    );
    let at = |r: Expr, c: Expr| bin(B::Add, bin(B::Mul, r, u64c(T as u64)), c);
    let index = || bin(B::Add, bin(B::Mul, gid(1), gsize(0)), gid(0));
    let body = vec![
        write(tile, at(ly(), lx()), load(S::I32, 0, index())),
        write(flags, at(ly(), lx()), cast(bin(B::Lt, lx(), ly()), S::U8)),
        barrier(false),
        store(
            1,
            index(),
            bin(
                B::Add,
                read(S::I32, tile, at(lx(), ly())),
                bin(
                    B::Mul,
                    cast(read(S::U8, flags, at(lx(), ly())), S::I32),
                    int(S::I32, 1000),
                ),
            ),
        ),
    ];
    let k = kernel_with_arrays(
        "transpose_tiles",
        2,
        vec![
            tensor("x", S::I32, Access::Read),
            tensor("out", S::I32, Access::ReadWrite),
            local_param("flags", S::U8),
        ],
        vec![],
        vec![wg_array("tile", S::I32, (T * T) as u32)],
        body,
    );
    let spec = spec(k);
    assert_eq!(spec.static_local_bytes, T * T * 4);
    let queue = cpu_queue();
    let n = global[0] * global[1];
    let host: Vec<i32> = (0..n as i32).collect();
    let x = Tensor::from_slice(&queue, &host).expect("x");
    let mut out = Tensor::<i32>::zeros(&queue, n).expect("out");
    let args: [KernelArg; 3] = [
        (&x).into(),
        (&mut out).into(),
        LocalAccessor::<u8>::new(T * T).into(),
    ];
    launch(spec, &global, Some(&local), None, &args)
        .and_then(|e| e.wait())
        .expect("launch");
    let got = out.to_vec().expect("read");
    for y in 0..global[1] {
        for x in 0..global[0] {
            let (gx, gy, lx, ly) = (x / T, y / T, x % T, y % T);
            // The work-item at (lx, ly) reads what (ly, lx) of its group wrote.
            let (sx, sy) = (gx * T + ly, gy * T + lx);
            let flag = i32::from(ly < lx);
            let want = host[sy * global[0] + sx] + 1000 * flag;
            assert_eq!(got[y * global[0] + x], want, "({x}, {y})");
        }
    }
}
