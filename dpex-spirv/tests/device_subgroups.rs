//! Sub-group built-ins and collectives on the OpenCL CPU device, checked against host
//! computations over the sub-groups the device formed (its sizes read back from the kernel).

mod common;

use common::device::{cpu_queue, spec};
use common::nd::*;
use common::*;
use dpex_runtime::{launch, Element, KernelArg, Tensor};
use dpex_spirv::ir::{Access, BinaryOp as B, Builtin, Expr, Scalar as S, SubGroupOp};
use rand::{rngs::StdRng, Rng, SeedableRng};

const GLOBAL: usize = 512;
const LOCAL: usize = 64;

/// `ids[4 gid + k]` = sub-group local id, sub-group id, sub-group size, number of sub-groups.
fn read_sub_groups() -> Vec<u32> {
    let queue = cpu_queue();
    let at = |k: u64| bin(B::Add, bin(B::Mul, gid(0), int(S::U64, 4)), int(S::U64, k));
    let body = [
        Builtin::SubGroupLocalId,
        Builtin::SubGroupId,
        Builtin::SubGroupSize,
        Builtin::NumSubGroups,
    ]
    .into_iter()
    .enumerate()
    .map(|(k, b)| store(0, at(k as u64), builtin(b)))
    .collect();
    let k = kernel(
        "sg_ids",
        1,
        vec![tensor("ids", S::U32, Access::ReadWrite)],
        vec![],
        body,
    );
    let spec = spec(k);
    assert!(spec.requires.contains(&dpex_runtime::Feature::SubGroups));
    let mut ids = Tensor::<u32>::zeros(&queue, 4 * GLOBAL).expect("alloc");
    launch(spec, &[GLOBAL], Some(&[LOCAL]), None, &[(&mut ids).into()])
        .and_then(|e| e.wait())
        .expect("launch");
    ids.to_vec().expect("read")
}

/// The sub-groups of the launch as ranges of global ids, checked for consistency.
fn sub_groups() -> Vec<std::ops::Range<usize>> {
    let ids = read_sub_groups();
    let mut groups = Vec::new();
    let mut gid = 0;
    while gid < GLOBAL {
        let [lane, sg, size, num] = [0, 1, 2, 3].map(|k| ids[4 * gid + k] as usize);
        assert_eq!(lane, 0, "work-item {gid} starts a sub-group");
        assert!(size >= 1 && gid % LOCAL + size <= LOCAL, "size {size}");
        assert_eq!(sg, (gid % LOCAL) / ids[2] as usize, "sub-group id of {gid}");
        for g in gid..gid + size {
            assert_eq!(ids[4 * g] as usize, g - gid, "lane of {g}");
            assert_eq!(ids[4 * g + 1] as usize, sg, "sub-group of {g}");
            assert_eq!(ids[4 * g + 2] as usize, size, "size at {g}");
            assert_eq!(ids[4 * g + 3] as usize, num, "count at {g}");
        }
        groups.push(gid..gid + size);
        gid += size;
    }
    groups
}

#[test]
fn sub_group_builtins_describe_a_partition() {
    let groups = sub_groups();
    eprintln!("sub-group size on the device: {}", groups[0].len());
    assert!(groups.len() >= GLOBAL / LOCAL);
}

/// Host values of a test type, integer-valued so float sums are exact.
trait Value: Element + Copy + PartialEq + std::fmt::Debug {
    const TY: S;
    fn from_i64(v: i64) -> Self;
    fn add(self, other: Self) -> Self;
    fn min(self, other: Self) -> Self;
    fn max(self, other: Self) -> Self;
    fn zero() -> Self {
        Self::from_i64(0)
    }
}

macro_rules! int_value {
    ($($t:ty => $s:ident),*) => {$(
        impl Value for $t {
            const TY: S = S::$s;
            fn from_i64(v: i64) -> Self { v as $t }
            fn add(self, o: Self) -> Self { self.wrapping_add(o) }
            fn min(self, o: Self) -> Self { Ord::min(self, o) }
            fn max(self, o: Self) -> Self { Ord::max(self, o) }
        }
    )*};
}
int_value!(i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16, u32 => U32, u64 => U64);

macro_rules! float_value {
    ($($t:ty => $s:ident),*) => {$(
        impl Value for $t {
            const TY: S = S::$s;
            fn from_i64(v: i64) -> Self { v as $t }
            fn add(self, o: Self) -> Self { self + o }
            fn min(self, o: Self) -> Self { <$t>::min(self, o) }
            fn max(self, o: Self) -> Self { <$t>::max(self, o) }
        }
    )*};
}
float_value!(f32 => F32, f64 => F64);

/// The collectives tested, in output-slot order.
const OPS: [SubGroupOp; 8] = [
    SubGroupOp::Broadcast,
    SubGroupOp::Shuffle,
    SubGroupOp::ShuffleXor,
    SubGroupOp::ReduceAdd,
    SubGroupOp::ReduceMin,
    SubGroupOp::ReduceMax,
    SubGroupOp::InclusiveScanAdd,
    SubGroupOp::ExclusiveScanAdd,
];

/// Broadcast of lane 1, shuffle from lane `(lane + 1) % size`, xor with mask 1.
fn lane_arg(op: SubGroupOp) -> Option<Expr> {
    let lane = || builtin(Builtin::SubGroupLocalId);
    match op {
        SubGroupOp::Broadcast => Some(int(S::U32, 1)),
        SubGroupOp::Shuffle => Some(bin(
            B::Rem,
            bin(B::Add, lane(), int(S::U32, 1)),
            builtin(Builtin::SubGroupSize),
        )),
        SubGroupOp::ShuffleXor => Some(int(S::U32, 1)),
        _ => None,
    }
}

fn run_collectives<T: Value>(groups: &[std::ops::Range<usize>]) {
    let queue = cpu_queue();
    let ty = T::TY;
    let n_ops = OPS.len() as u64;
    let body = OPS
        .iter()
        .enumerate()
        .map(|(k, &op)| {
            let mut args = vec![load(ty, 0, gid(0))];
            args.extend(lane_arg(op));
            let at = bin(
                B::Add,
                bin(B::Mul, gid(0), int(S::U64, n_ops)),
                int(S::U64, k as u64),
            );
            store(1, at, sub_group(ty, op, args))
        })
        .collect();
    let name = format!("sg_collectives_{ty}");
    let k = kernel(
        &name,
        1,
        vec![
            tensor("x", ty, Access::Read),
            tensor("out", ty, Access::ReadWrite),
        ],
        vec![],
        body,
    );
    let spec = spec(k);
    let mut rng = StdRng::seed_from_u64(7);
    let host: Vec<T> = (0..GLOBAL)
        .map(|_| T::from_i64(rng.random_range(-100..100)))
        .collect();
    let x = Tensor::from_slice(&queue, &host).expect("x");
    let mut out = Tensor::<T>::zeros(&queue, GLOBAL * OPS.len()).expect("out");
    let args: [KernelArg; 2] = [(&x).into(), (&mut out).into()];
    launch(spec, &[GLOBAL], Some(&[LOCAL]), None, &args)
        .and_then(|e| e.wait())
        .expect("launch");
    let got = out.to_vec().expect("read");
    for g in groups {
        let v = &host[g.clone()];
        let size = v.len();
        let sum = v.iter().fold(T::zero(), |a, &b| a.add(b));
        let min = v.iter().copied().reduce(T::min).expect("non-empty");
        let max = v.iter().copied().reduce(T::max).expect("non-empty");
        let mut scan = T::zero();
        for (lane, gid) in g.clone().enumerate() {
            let exclusive = scan;
            scan = scan.add(v[lane]);
            let want = [
                v[1 % size],
                v[(lane + 1) % size],
                v[(lane ^ 1).min(size - 1)],
                sum,
                min,
                max,
                scan,
                exclusive,
            ];
            for (k, want) in want.into_iter().enumerate() {
                if OPS[k] == SubGroupOp::ShuffleXor && (lane ^ 1) >= size {
                    continue;
                }
                let got = got[gid * OPS.len() + k];
                assert_eq!(got, want, "{ty} {:?} at work-item {gid}", OPS[k]);
            }
        }
    }
}

#[test]
fn collectives_on_every_numeric_type() {
    let groups = sub_groups();
    run_collectives::<i8>(&groups);
    run_collectives::<i16>(&groups);
    run_collectives::<i32>(&groups);
    run_collectives::<i64>(&groups);
    run_collectives::<u8>(&groups);
    run_collectives::<u16>(&groups);
    run_collectives::<u32>(&groups);
    run_collectives::<u64>(&groups);
    run_collectives::<f32>(&groups);
    run_collectives::<f64>(&groups);
}

#[test]
fn any_and_all() {
    let groups = sub_groups();
    let queue = cpu_queue();
    let flag = |k: u64| bin(B::Add, bin(B::Mul, gid(0), int(S::U64, 2)), int(S::U64, k));
    let pred = || bin(B::Ne, load(S::U8, 0, gid(0)), int(S::U8, 0));
    let vote = |op| cast(sub_group(S::Bool, op, vec![pred()]), S::U8);
    let k = kernel(
        "sg_votes",
        1,
        vec![
            tensor("p", S::U8, Access::Read),
            tensor("out", S::U8, Access::ReadWrite),
        ],
        vec![],
        vec![
            store(1, flag(0), vote(SubGroupOp::Any)),
            store(1, flag(1), vote(SubGroupOp::All)),
        ],
    );
    let spec = spec(k);
    // Sub-groups with no, one, some and all predicates true.
    let host: Vec<bool> = (0..GLOBAL)
        .map(|i| {
            let g = groups
                .iter()
                .position(|g| g.contains(&i))
                .expect("in a sub-group");
            match g % 4 {
                0 => false,
                1 => i == groups[g].start + 1,
                2 => i % 3 == 0,
                _ => true,
            }
        })
        .collect();
    let bytes: Vec<u8> = host.iter().map(|&b| u8::from(b)).collect();
    let p = Tensor::from_slice(&queue, &bytes).expect("p");
    let mut out = Tensor::<u8>::zeros(&queue, 2 * GLOBAL).expect("out");
    launch(
        spec,
        &[GLOBAL],
        Some(&[LOCAL]),
        None,
        &[(&p).into(), (&mut out).into()],
    )
    .and_then(|e| e.wait())
    .expect("launch");
    let got = out.to_vec().expect("read");
    for g in &groups {
        let any = host[g.clone()].iter().any(|&b| b);
        let all = host[g.clone()].iter().all(|&b| b);
        for i in g.clone() {
            let want = (u8::from(any), u8::from(all));
            assert_eq!((got[2 * i], got[2 * i + 1]), want, "work-item {i}");
        }
    }
}
