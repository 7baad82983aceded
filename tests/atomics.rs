//! Every atomic operation on every type it supports, with every work-item hitting the same
//! element (global memory) or the same element of its group's local memory, checked exactly.
//! Float operations use integer-valued inputs, so that the order of additions does not matter.

mod common;

use common::{queue, rng};
use dpex::prelude::*;
use rand::Rng;

/// The order and scope of the integer kernels' counter: atomics take them as constants too.
#[dpex::constant]
const COUNTER_ORDER: MemoryOrder = MemoryOrder::AcqRel;
/// See [`COUNTER_ORDER`].
#[dpex::constant]
const COUNTER_SCOPE: MemoryScope = MemoryScope::Device;

/// Slots of the `out` tensor each kernel updates, one per operation (the kernels, stamped out
/// by macros, write the numbers; the host names them).
const ADD: usize = 0;
const SUB: usize = 1;
const MIN: usize = 2;
const MAX: usize = 3;
const EXCHANGE: usize = 4;
const COUNTER: usize = 5;
const AND: usize = 6;
const OR: usize = 7;
const XOR: usize = 8;

/// Integer values that keep sums exact in every type: small, non-zero, both signs where the
/// type has them.
trait Sample: Copy + PartialEq + std::fmt::Debug + dpex::Element {
    fn sample(r: &mut rand::rngs::StdRng) -> Self;
}

macro_rules! sample {
    ($($t:ty => $lo:expr, $hi:expr;)*) => {$(
        impl Sample for $t {
            fn sample(r: &mut rand::rngs::StdRng) -> Self {
                loop {
                    let v: i64 = r.random_range($lo..$hi);
                    if v != 0 {
                        return v as $t;
                    }
                }
            }
        }
    )*};
}

sample! {
    i32 => -1000, 1000;
    u32 => 1, 1000;
    i64 => -1000, 1000;
    u64 => 1, 1000;
    f32 => -1000, 1000;
    f64 => -1000, 1000;
}

/// Kernels and a test for one integer type: global and local-memory atomics.
macro_rules! integer_atomics {
    ($name:ident, $local:ident, $test:ident, $t:ty) => {
        #[kernel]
        fn $name(it: NdItem<1>, x: &Tensor<$t>, out: &mut Tensor<$t>, previous: &mut Tensor<$t>) {
            let i = it.get_global_id(0);
            let v = x[i];
            AtomicRef::new(&mut out[0]).fetch_add(v);
            AtomicRef::new(&mut out[1]).fetch_sub(v);
            AtomicRef::new(&mut out[2]).fetch_min(v);
            AtomicRef::new(&mut out[3]).fetch_max(v);
            previous[i] = AtomicRef::new(&mut out[4]).exchange(v);
            let counter = AtomicRef::with_order(&mut out[5], COUNTER_ORDER, COUNTER_SCOPE);
            loop {
                let seen = counter.load();
                let (swapped, _) = counter.compare_exchange(seen, seen + 1);
                if swapped {
                    break;
                }
            }
            AtomicRef::new(&mut out[6]).fetch_and(v);
            AtomicRef::new(&mut out[7]).fetch_or(v);
            AtomicRef::new(&mut out[8]).fetch_xor(v);
        }

        /// The same operations on one element of each group's local memory; the group's
        /// first work-item copies the results out.
        #[kernel]
        fn $local(it: NdItem<1>, x: &Tensor<$t>, out: &mut Tensor<$t>, slots: LocalAccessor<$t>) {
            let lid = it.get_local_id(0);
            let group = it.get_group();
            if lid == 0 {
                slots[0] = 0;
                slots[2] = x[0];
                slots[3] = x[0];
                slots[7] = 0;
            }
            group_barrier(&group);
            let v = x[it.get_global_id(0)];
            AtomicRef::new(&mut slots[0]).fetch_add(v);
            AtomicRef::new(&mut slots[2]).fetch_min(v);
            AtomicRef::new(&mut slots[3]).fetch_max(v);
            AtomicRef::with_order(&mut slots[7], MemoryOrder::Relaxed, MemoryScope::WorkGroup)
                .fetch_or(v);
            group_barrier(&group);
            if lid == 0 {
                let g = it.get_group_id(0) * 4;
                out[g] = slots[0];
                out[g + 1] = AtomicRef::new(&mut slots[2]).load();
                out[g + 2] = slots[3];
                out[g + 3] = slots[7];
            }
        }

        #[test]
        fn $test() -> dpex::Result<()> {
            let q = queue();
            let (n, group) = (4096, 64);
            let mut r = rng(7);
            let host: Vec<$t> = (0..n).map(|_| <$t>::sample(&mut r)).collect();
            let start: Vec<$t> = vec![0, 0, <$t>::MAX, <$t>::MIN, 5, 0, <$t>::MAX, 0, 0];
            let x = Tensor::from_slice(&q, &host)?;
            let mut out = Tensor::from_slice(&q, &start)?;
            let mut previous = Tensor::<$t>::zeros(&q, n)?;
            $name
                .launch(NdRange::new([n], [group]), (&x, &mut out, &mut previous))?
                .wait()?;
            let got = out.to_vec()?;
            let wrapping_sum = host.iter().fold(<$t>::default(), |a, v| a.wrapping_add(*v));
            assert_eq!(got[ADD], wrapping_sum, "fetch_add");
            assert_eq!(
                got[SUB],
                (<$t>::default()).wrapping_sub(wrapping_sum),
                "fetch_sub"
            );
            assert_eq!(
                got[MIN],
                host.iter().copied().min().unwrap_or_default(),
                "fetch_min"
            );
            assert_eq!(
                got[MAX],
                host.iter().copied().max().unwrap_or_default(),
                "fetch_max"
            );
            assert_eq!(got[COUNTER] as usize, n, "compare_exchange loop");
            assert_eq!(
                got[AND],
                host.iter().fold(<$t>::MAX, |a, v| a & v),
                "fetch_and"
            );
            assert_eq!(got[OR], host.iter().fold(0, |a, v| a | v), "fetch_or");
            assert_eq!(got[XOR], host.iter().fold(0, |a, v| a ^ v), "fetch_xor");
            // exchange: the values seen plus the last one are the start value and every input.
            let mut seen = previous.to_vec()?;
            seen.push(got[EXCHANGE]);
            let mut all = host.clone();
            all.push(5);
            seen.sort_unstable();
            all.sort_unstable();
            assert_eq!(seen, all, "exchange");

            let mut per_group = Tensor::<$t>::zeros(&q, n / group * 4)?;
            $local
                .launch(
                    NdRange::new([n], [group]),
                    (&x, &mut per_group, LocalAccessor::new(16)),
                )?
                .wait()?;
            let got = per_group.to_vec()?;
            for (g, chunk) in host.chunks(group).enumerate() {
                let sum = chunk
                    .iter()
                    .fold(<$t>::default(), |a, v| a.wrapping_add(*v));
                let min = chunk.iter().copied().min().unwrap_or_default().min(host[0]);
                let max = chunk.iter().copied().max().unwrap_or_default().max(host[0]);
                let or = chunk.iter().fold(0, |a, v| a | v);
                assert_eq!(
                    &got[g * 4..g * 4 + 4],
                    &[sum, min, max, or],
                    "local atomics of group {g}"
                );
            }
            Ok(())
        }
    };
}

integer_atomics!(atomics_i32, local_atomics_i32, every_atomic_on_i32, i32);
integer_atomics!(atomics_u32, local_atomics_u32, every_atomic_on_u32, u32);
integer_atomics!(atomics_i64, local_atomics_i64, every_atomic_on_i64, i64);
integer_atomics!(atomics_u64, local_atomics_u64, every_atomic_on_u64, u64);

/// Kernels and a test for one float type: add, sub, min, max, exchange, load and store.
macro_rules! float_atomics {
    ($name:ident, $test:ident, $t:ty) => {
        #[kernel]
        fn $name(it: NdItem<1>, x: &Tensor<$t>, out: &mut Tensor<$t>, previous: &mut Tensor<$t>) {
            let i = it.get_global_id(0);
            let v = x[i];
            AtomicRef::new(&mut out[0]).fetch_add(v);
            AtomicRef::new(&mut out[1]).fetch_sub(v);
            AtomicRef::new(&mut out[2]).fetch_min(v);
            AtomicRef::new(&mut out[3]).fetch_max(v);
            previous[i] = AtomicRef::new(&mut out[4]).exchange(v);
            if i == 0 {
                let slot =
                    AtomicRef::with_order(&mut out[5], MemoryOrder::Release, MemoryScope::Device);
                slot.store(v * 2.0);
            }
        }

        #[test]
        fn $test() -> dpex::Result<()> {
            let q = queue();
            let (n, group) = (4096, 64);
            let mut r = rng(9);
            let host: Vec<$t> = (0..n).map(|_| <$t>::sample(&mut r)).collect();
            let start: Vec<$t> = vec![0.0, 0.0, <$t>::MAX, <$t>::MIN, 5.0, 0.0];
            let x = Tensor::from_slice(&q, &host)?;
            let mut out = Tensor::from_slice(&q, &start)?;
            let mut previous = Tensor::<$t>::zeros(&q, n)?;
            $name
                .launch(NdRange::new([n], [group]), (&x, &mut out, &mut previous))?
                .wait()?;
            let got = out.to_vec()?;
            let sum: $t = host.iter().sum();
            assert_eq!(got[ADD], sum, "fetch_add");
            assert_eq!(got[SUB], -sum, "fetch_sub");
            assert_eq!(
                got[MIN],
                host.iter().copied().fold(<$t>::MAX, <$t>::min),
                "fetch_min"
            );
            assert_eq!(
                got[MAX],
                host.iter().copied().fold(<$t>::MIN, <$t>::max),
                "fetch_max"
            );
            assert_eq!(got[COUNTER], host[0] * 2.0, "store");
            let mut seen = previous.to_vec()?;
            seen.push(got[EXCHANGE]);
            let mut all = host.clone();
            all.push(5.0);
            seen.sort_by(|a, b| a.total_cmp(b));
            all.sort_by(|a, b| a.total_cmp(b));
            assert_eq!(seen, all, "exchange");
            Ok(())
        }
    };
}

float_atomics!(atomics_f32, every_atomic_on_f32, f32);
float_atomics!(atomics_f64, every_atomic_on_f64, f64);

/// Every work-item doubles `x[0]` with a compare-exchange loop on an `f32`.
#[kernel]
fn double_by_cas(it: NdItem<1>, x: &mut Tensor<f32>) {
    let _ = it.get_global_id(0);
    let a = AtomicRef::new(&mut x[0]);
    loop {
        let old = a.load();
        let (swapped, _) = a.compare_exchange(old, old * 2.0);
        if swapped {
            break;
        }
    }
}

#[test]
fn float_compare_exchange_under_contention_is_exact() -> dpex::Result<()> {
    let q = queue();
    let mut x = Tensor::from_slice(&q, &[1.0f32])?;
    // 2^100 fits an f32 exactly: every one of the 100 doublings must land.
    double_by_cas
        .launch(NdRange::new([100], [20]), (&mut x,))?
        .wait()?;
    assert_eq!(x.to_vec()?, vec![2f32.powi(100)]);
    Ok(())
}

/// `compare_exchange(expected[i], 7.0)` on `x[i]`: whether it swapped, and what it found.
#[kernel]
fn cas_each(
    it: NdItem<1>,
    expected: &Tensor<f32>,
    x: &mut Tensor<f32>,
    swapped: &mut Tensor<u32>,
    found: &mut Tensor<f32>,
) {
    let i = it.get_global_id(0);
    let (ok, old) = AtomicRef::new(&mut x[i]).compare_exchange(expected[i], 7.0);
    swapped[i] = ok as u32;
    found[i] = old;
}

#[test]
fn float_compare_exchange_compares_bits() -> dpex::Result<()> {
    let q = queue();
    let nan = f32::from_bits(0x7fc0_1234);
    // (value held, value expected, swaps?)
    let cases = [
        (1.5f32, 1.5f32, true),
        (1.5, 2.5, false),
        (-0.0, 0.0, false),
        (0.0, -0.0, false),
        (0.0, 0.0, true),
        (nan, nan, true),
        (nan, f32::NAN, false),
        (f32::INFINITY, f32::INFINITY, true),
    ];
    let held: Vec<f32> = cases.iter().map(|c| c.0).collect();
    let expected: Vec<f32> = cases.iter().map(|c| c.1).collect();
    let n = cases.len();
    let mut x = Tensor::from_slice(&q, &held)?;
    let e = Tensor::from_slice(&q, &expected)?;
    let mut swapped = Tensor::<u32>::zeros(&q, n)?;
    let mut found = Tensor::<f32>::zeros(&q, n)?;
    cas_each
        .launch(
            NdRange::new([n], [n]),
            (&e, &mut x, &mut swapped, &mut found),
        )?
        .wait()?;
    let (x, swapped, found) = (x.to_vec()?, swapped.to_vec()?, found.to_vec()?);
    for (i, &(held, want, swaps)) in cases.iter().enumerate() {
        assert_eq!(
            swapped[i] == 1,
            swaps,
            "case {i}: {held:?} against {want:?}"
        );
        assert_eq!(
            found[i].to_bits(),
            held.to_bits(),
            "case {i}: the value found"
        );
        let after = if swaps { 7.0f32 } else { held };
        assert_eq!(x[i].to_bits(), after.to_bits(), "case {i}: the value after");
    }
    Ok(())
}
