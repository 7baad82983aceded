//! Every atomic operation on every type and memory (tensor, local accessor, work-group array)
//! on the OpenCL CPU device: exact results per element, and under contention from every
//! work-item (of the launch, or of a work-group for local memory) on one address.

mod common;

use common::device::{cpu_queue, spec};
use common::nd::*;
use common::*;
use dpex_runtime::{launch, Element, KernelArg, LocalAccessor, Tensor};
use dpex_spirv::ir::{
    Access, AtomicOp, BinaryOp as B, Builtin, Expr, Memory, MemoryOrder, ParamId, Scalar as S,
    Scope, Statement, WorkgroupArrayId,
};
use rand::{rngs::StdRng, Rng, SeedableRng};

const GLOBAL: usize = 1024;
const LOCAL: usize = 64;
const GROUPS: usize = GLOBAL / LOCAL;

/// An operation slot of the test kernels: an atomic operation or an atomic store.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Slot {
    Rmw(AtomicOp),
    Store,
}

/// Host values of an atomic type.
trait Atom: Element + Copy + PartialEq + std::fmt::Debug {
    const TY: S;
    /// A random value: integer-valued in -100..100 for floats, any value for integers.
    fn random(rng: &mut StdRng) -> Self;
    /// `op(old, a)` for the arithmetic and bitwise operations.
    fn apply(op: AtomicOp, old: Self, a: Self) -> Self;
    /// `x + 1`.
    fn succ(self) -> Self;
    /// A NaN, for floats.
    fn nan() -> Option<Self>;
    /// The bit pattern.
    fn bits(self) -> u64;
    /// Whether the value is a NaN.
    fn is_nan(self) -> bool;
    /// Equal, or both NaN.
    fn same(self, other: Self) -> bool {
        self == other || (self.is_nan() && other.is_nan())
    }
}

macro_rules! int_atom {
    ($($t:ty => $s:ident),*) => {$(
        impl Atom for $t {
            const TY: S = S::$s;
            fn random(rng: &mut StdRng) -> Self { rng.random() }
            fn apply(op: AtomicOp, old: Self, a: Self) -> Self {
                match op {
                    AtomicOp::Add => old.wrapping_add(a),
                    AtomicOp::Sub => old.wrapping_sub(a),
                    AtomicOp::Min => old.min(a),
                    AtomicOp::Max => old.max(a),
                    AtomicOp::And => old & a,
                    AtomicOp::Or => old | a,
                    AtomicOp::Xor => old ^ a,
                    _ => a,
                }
            }
            fn succ(self) -> Self { self.wrapping_add(1) }
            fn nan() -> Option<Self> { None }
            fn bits(self) -> u64 { self as u64 }
            fn is_nan(self) -> bool { false }
        }
    )*};
}
int_atom!(i32 => I32, u32 => U32, i64 => I64, u64 => U64);

macro_rules! float_atom {
    ($($t:ty => $s:ident),*) => {$(
        impl Atom for $t {
            const TY: S = S::$s;
            fn random(rng: &mut StdRng) -> Self { rng.random_range(-100i32..100) as $t }
            fn apply(op: AtomicOp, old: Self, a: Self) -> Self {
                match op {
                    AtomicOp::Add => old + a,
                    AtomicOp::Sub => old - a,
                    AtomicOp::Min => old.min(a),
                    AtomicOp::Max => old.max(a),
                    _ => a,
                }
            }
            fn succ(self) -> Self { self + 1.0 }
            fn nan() -> Option<Self> { Some(<$t>::NAN) }
            fn bits(self) -> u64 { self.to_bits() as u64 }
            fn is_nan(self) -> bool { <$t>::is_nan(self) }
        }
    )*};
}
float_atom!(f32 => F32, f64 => F64);

/// The slots tested on `ty`.
fn slots(ty: S) -> Vec<Slot> {
    ATOMIC_OPS
        .into_iter()
        .filter(|op| !ty.is_float() || !matches!(op, AtomicOp::And | AtomicOp::Or | AtomicOp::Xor))
        .map(Slot::Rmw)
        .chain([Slot::Store])
        .collect()
}

/// The memory order of slot `k` (loads and stores take the orders they allow).
fn order(slot: Slot, k: usize) -> MemoryOrder {
    match (slot, MEMORY_ORDERS[k % 5]) {
        (Slot::Rmw(AtomicOp::Load), MemoryOrder::Release | MemoryOrder::AcqRel) => {
            MemoryOrder::Acquire
        }
        (Slot::Store, MemoryOrder::Acquire | MemoryOrder::AcqRel) => MemoryOrder::Release,
        (_, order) => order,
    }
}

/// Where the kernel's atomics go.
#[derive(Clone, Copy, Debug)]
enum Place {
    Tensor,
    Accessor,
    Array,
}

impl Place {
    fn memory(self) -> Memory {
        match self {
            // The data tensor.
            Place::Tensor => Memory::Tensor(ParamId(0)),
            Place::Accessor => Memory::Local(ParamId(4)),
            Place::Array => Memory::Workgroup(WorkgroupArrayId(0)),
        }
    }
}

fn u64c(v: u64) -> Expr {
    int(S::U64, v)
}

fn lid() -> Expr {
    builtin(Builtin::LocalId(0))
}

/// The kernel: params `data` (n_slots * len), `a`, `b`, `prev` (n_slots * GLOBAL), and
/// `scratch: LocalAccessor`; a work-group array `shared` of LOCAL elements. `contended`: all
/// work-items (of a group, for local memory) use one address per slot, and
/// compare-exchange runs an increment loop; otherwise each work-item has its own element.
fn atomic_kernel(name: &str, ty: S, place: Place, contended: bool) -> dpex_spirv::ir::Kernel {
    let slots = slots(ty);
    let global = place.memory();
    let mut body = Vec::new();
    let local_memory = !matches!(place, Place::Tensor);
    let scope_for = |k: usize| match (contended, local_memory) {
        (true, true) => Scope::WorkGroup,
        (true, false) => Scope::Device,
        (false, _) => [
            Scope::WorkItem,
            Scope::SubGroup,
            Scope::WorkGroup,
            Scope::Device,
        ][k % 4],
    };
    for (k, &slot) in slots.iter().enumerate() {
        let item = || bin(B::Add, u64c((k * GLOBAL) as u64), gid(0));
        // The element of `data` this work-item (own) or group (contended, local) works on.
        let data_index = || match (contended, local_memory) {
            (false, _) => item(),
            (true, true) => bin(
                B::Add,
                u64c((k * GROUPS) as u64),
                builtin(Builtin::GroupId(0)),
            ),
            (true, false) => u64c(k as u64),
        };
        let target = || match (contended, local_memory) {
            (_, false) => data_index(),
            (true, true) => u64c(0),
            (false, true) => lid(),
        };
        // Local memory: copy the element in (by the group's first work-item if contended).
        let leader = |s: Vec<Statement>| match contended {
            true => vec![if_(bin(B::Eq, lid(), u64c(0)), s, vec![])],
            false => s,
        };
        if local_memory {
            body.extend(leader(vec![write(
                global,
                target(),
                load(ty, 0, data_index()),
            )]));
            body.push(barrier(true));
        }
        let order = order(slot, k);
        let scope = scope_for(k);
        let a = || load(ty, 1, item());
        match slot {
            Slot::Store => body.push(atomic_store(global, target(), a(), order, scope)),
            Slot::Rmw(AtomicOp::CompareExchange) if contended => {
                // loop { old = load; if cas(old, old + 1) == old { break } }
                let (old, seen) = (0, 1);
                let one = if ty.is_float() {
                    float(ty, 1.0)
                } else {
                    int(ty, 1)
                };
                body.push(loop_(
                    vec![
                        assign(
                            old,
                            atomic(
                                ty,
                                AtomicOp::Load,
                                global,
                                target(),
                                vec![],
                                MemoryOrder::Relaxed,
                                scope,
                            ),
                        ),
                        assign(
                            seen,
                            atomic(
                                ty,
                                AtomicOp::CompareExchange,
                                global,
                                target(),
                                vec![get(ty, old), bin(B::Add, get(ty, old), one)],
                                order,
                                scope,
                            ),
                        ),
                        if_(
                            bin(B::Eq, get(ty, seen), get(ty, old)),
                            vec![Statement::Break],
                            vec![],
                        ),
                    ],
                    vec![],
                ));
            }
            Slot::Rmw(op) => {
                let operands = match op {
                    AtomicOp::Load => vec![],
                    AtomicOp::CompareExchange => vec![a(), load(ty, 2, item())],
                    _ => vec![a()],
                };
                let previous = atomic(ty, op, global, target(), operands, order, scope);
                body.push(store(3, item(), previous));
            }
        }
        if local_memory {
            body.push(barrier(true));
            body.extend(leader(vec![store(
                0,
                data_index(),
                read(ty, global, target()),
            )]));
        }
    }
    kernel_with_arrays(
        name,
        1,
        vec![
            tensor("data", ty, Access::ReadWrite),
            tensor("a", ty, Access::Read),
            tensor("b", ty, Access::Read),
            tensor("prev", ty, Access::ReadWrite),
            local_param("scratch", ty),
        ],
        vec![local("old", ty), local("seen", ty)],
        vec![wg_array("shared", ty, LOCAL as u32)],
        body,
    )
}

/// Launches a kernel of [`atomic_kernel`]; returns `data` and `prev` after it.
fn run<T: Atom>(place: Place, contended: bool, data: &[T], a: &[T], b: &[T]) -> (Vec<T>, Vec<T>) {
    let mode = if contended { "contended" } else { "own" };
    let name = format!("atomics_{}_{place:?}_{mode}", T::TY).to_lowercase();
    let spec = spec(atomic_kernel(&name, T::TY, place, contended));
    let queue = cpu_queue();
    let mut data_t = Tensor::from_slice(&queue, data).expect("data");
    let a_t = Tensor::from_slice(&queue, a).expect("a");
    let b_t = Tensor::from_slice(&queue, b).expect("b");
    let mut prev_t = Tensor::<T>::zeros(&queue, a.len()).expect("prev");
    let args: [KernelArg; 5] = [
        (&mut data_t).into(),
        (&a_t).into(),
        (&b_t).into(),
        (&mut prev_t).into(),
        LocalAccessor::<T>::new(LOCAL).into(),
    ];
    launch(spec, &[GLOBAL], Some(&[LOCAL]), None, &args)
        .and_then(|e| e.wait())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    (
        data_t.to_vec().expect("data"),
        prev_t.to_vec().expect("prev"),
    )
}

fn check<T: Atom>(what: &str, i: usize, got: T, want: T) {
    assert!(
        got.same(want),
        "{what} at {i}: got {got:?}, expected {want:?}"
    );
}

/// Every work-item applies every operation to its own element: previous values and results
/// exact (floats with NaN operands and NaN stored values for min/max).
fn own_elements<T: Atom>(place: Place) {
    let slots = slots(T::TY);
    let n = slots.len() * GLOBAL;
    let mut rng = StdRng::seed_from_u64(1);
    let mut data: Vec<T> = (0..n).map(|_| T::random(&mut rng)).collect();
    let mut a: Vec<T> = (0..n).map(|_| T::random(&mut rng)).collect();
    let b: Vec<T> = (0..n).map(|_| T::random(&mut rng)).collect();
    for (k, &slot) in slots.iter().enumerate() {
        for j in 0..GLOBAL {
            let i = k * GLOBAL + j;
            match (slot, T::nan()) {
                // compare_exchange: even elements expect the stored value.
                (Slot::Rmw(AtomicOp::CompareExchange), _) if j % 2 == 0 => a[i] = data[i],
                (Slot::Rmw(AtomicOp::CompareExchange), _) => a[i] = data[i].succ(),
                (Slot::Rmw(AtomicOp::Min | AtomicOp::Max), Some(nan)) if j % 7 == 1 => a[i] = nan,
                (Slot::Rmw(AtomicOp::Min | AtomicOp::Max), Some(nan)) if j % 7 == 2 => {
                    data[i] = nan
                }
                _ => {}
            }
        }
    }
    let (got_data, got_prev) = run(place, false, &data, &a, &b);
    for (k, &slot) in slots.iter().enumerate() {
        let what = format!("{} {place:?} {slot:?}", T::TY);
        for i in k * GLOBAL..(k + 1) * GLOBAL {
            let want = match slot {
                Slot::Store => a[i],
                Slot::Rmw(AtomicOp::Load) => data[i],
                Slot::Rmw(AtomicOp::CompareExchange) if a[i].bits() == data[i].bits() => b[i],
                Slot::Rmw(AtomicOp::CompareExchange) => data[i],
                Slot::Rmw(op) => T::apply(op, data[i], a[i]),
            };
            check(&what, i, got_data[i], want);
            if slot != Slot::Store {
                check(&format!("{what} (previous)"), i, got_prev[i], data[i]);
            }
        }
    }
}

/// Every work-item of the launch (tensor) or of its group (local memory) on one address.
fn contention<T: Atom>(place: Place) {
    let slots = slots(T::TY);
    let local_memory = !matches!(place, Place::Tensor);
    let per_slot = if local_memory { GROUPS } else { 1 };
    let mut rng = StdRng::seed_from_u64(2);
    let data: Vec<T> = (0..slots.len() * per_slot)
        .map(|_| T::random(&mut rng))
        .collect();
    let n = slots.len() * GLOBAL;
    let a: Vec<T> = (0..n).map(|_| T::random(&mut rng)).collect();
    let (got_data, got_prev) = run(place, true, &data, &a, &a);
    let team = if local_memory { LOCAL } else { GLOBAL };
    for (k, &slot) in slots.iter().enumerate() {
        let what = format!("{} {place:?} {slot:?} under contention", T::TY);
        for t in 0..GLOBAL / team {
            let cell = k * per_slot + t;
            let init = data[cell];
            let items = k * GLOBAL + t * team..k * GLOBAL + (t + 1) * team;
            let operands = &a[items.clone()];
            let got = got_data[cell];
            match slot {
                Slot::Store => assert!(operands.iter().any(|v| v.same(got)), "{what}: {got:?}"),
                Slot::Rmw(AtomicOp::Load) => {
                    check(&what, cell, got, init);
                    items.for_each(|i| check(&what, i, got_prev[i], init));
                }
                Slot::Rmw(AtomicOp::CompareExchange) => {
                    let want = (0..team).fold(init, |v, _| v.succ());
                    check(&what, cell, got, want);
                }
                Slot::Rmw(AtomicOp::Exchange) => {
                    // The previous values and the final value are the initial value and
                    // every operand, each once.
                    let mut seen: Vec<u64> = items.map(|i| got_prev[i].bits()).collect();
                    seen.push(got.bits());
                    let mut want: Vec<u64> = operands.iter().map(|v| v.bits()).collect();
                    want.push(init.bits());
                    seen.sort_unstable();
                    want.sort_unstable();
                    assert_eq!(seen, want, "{what}");
                }
                Slot::Rmw(op) => {
                    let want = operands.iter().fold(init, |v, &x| T::apply(op, v, x));
                    check(&what, cell, got, want);
                }
            }
        }
    }
}

fn all_places<T: Atom>() {
    for place in [Place::Tensor, Place::Accessor, Place::Array] {
        own_elements::<T>(place);
        contention::<T>(place);
    }
}

#[test]
fn atomics_i32() {
    all_places::<i32>();
}

#[test]
fn atomics_u32() {
    all_places::<u32>();
}

#[test]
fn atomics_i64() {
    all_places::<i64>();
}

#[test]
fn atomics_u64() {
    all_places::<u64>();
}

#[test]
fn atomics_f32() {
    all_places::<f32>();
}

#[test]
fn atomics_f64() {
    all_places::<f64>();
}
