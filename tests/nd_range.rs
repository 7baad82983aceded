//! End-to-end tests of the ND-range model on the real device: work-group reductions with local
//! memory and barriers, sub-group reductions, a two-level atomic histogram, every atomic
//! operation under contention, and the work-item queries.

mod common;

#[path = "../examples/histogram.rs"]
#[allow(dead_code)]
mod histogram_example;
#[path = "../examples/reduction.rs"]
#[allow(dead_code)]
mod reduction_example;

use common::{queue, rng};
use dpex::prelude::*;
use histogram_example::histogram_256;
use rand::Rng;
use reduction_example::reduce_sum;

/// Sums `x` on the device with the example's [`reduce_sum`], level by level, until one value is left.
fn device_sum(q: &Queue, x: &Tensor<f32>, group: usize) -> dpex::Result<f32> {
    let mut current = x.to_vec()?;
    while current.len() > 1 {
        let input = Tensor::from_slice(q, &current)?;
        let groups = current.len().div_ceil(group);
        let mut partial = Tensor::<f32>::zeros(q, groups)?;
        reduce_sum
            .launch(
                NdRange::new([groups * group], [group]),
                (&input, &mut partial, LocalAccessor::new(group)),
            )?
            .wait()?;
        current = partial.to_vec()?;
    }
    Ok(current[0])
}

#[test]
fn work_group_tree_reduction_of_2_pow_24_values() -> dpex::Result<()> {
    let q = queue();
    let n = 1 << 24;
    let mut r = rng(41);
    let host: Vec<f32> = (0..n).map(|_| r.random_range(0.25f32..1.75)).collect();
    let want: f64 = host.iter().map(|&v| f64::from(v)).sum();
    let x = Tensor::from_slice(&q, &host)?;
    let got = f64::from(device_sum(&q, &x, 256)?);
    let relative = ((got - want) / want).abs();
    assert!(
        relative < 1e-5,
        "device {got}, host {want}, relative error {relative:e}"
    );
    Ok(())
}

/// Each sub-group sums its values; its first work-item writes the sum at its global id.
#[kernel]
fn sub_group_sum(it: NdItem<1>, x: &Tensor<f32>, partial: &mut Tensor<f32>) {
    let gid = it.get_global_id(0);
    let sg = it.get_sub_group();
    let total = sg.reduce_add(x[gid]);
    if sg.get_local_id() == 0 {
        partial[gid] = total;
    }
}

#[test]
fn sub_group_reduction_of_2_pow_24_values() -> dpex::Result<()> {
    let q = queue();
    let n = 1 << 24;
    let mut r = rng(42);
    let host: Vec<f32> = (0..n).map(|_| r.random_range(-1.0f32..3.0)).collect();
    let want: f64 = host.iter().map(|&v| f64::from(v)).sum();
    let x = Tensor::from_slice(&q, &host)?;
    let mut partial = Tensor::<f32>::zeros(&q, n)?;
    sub_group_sum
        .launch(NdRange::new([n], [64]), (&x, &mut partial))?
        .wait()?;
    let partial = partial.to_vec()?;
    let leaders = partial.iter().filter(|v| **v != 0.0).count();
    assert!(
        leaders >= n / 64,
        "only {leaders} sub-group sums were written"
    );
    let got: f64 = partial.iter().map(|&v| f64::from(v)).sum();
    let relative = ((got - want) / want).abs();
    assert!(
        relative < 1e-5,
        "device {got}, host {want}, relative error {relative:e}"
    );
    Ok(())
}

#[test]
fn histogram_of_2_pow_24_bytes_is_exact() -> dpex::Result<()> {
    let q = queue();
    let n = 1 << 24;
    let mut r = rng(43);
    // Skewed data, so that some bins see heavy contention.
    let host: Vec<u8> = (0..n)
        .map(|_| {
            if r.random_bool(0.3) {
                7
            } else {
                r.random::<u8>()
            }
        })
        .collect();
    let mut want = vec![0u32; 256];
    for &v in &host {
        want[usize::from(v)] += 1;
    }
    let data = Tensor::from_slice(&q, &host)?;
    let mut bins = Tensor::<u32>::zeros(&q, 256)?;
    histogram_256
        .launch(NdRange::new([64 * 128], [128]), (&data, &mut bins))?
        .wait()?;
    assert_eq!(bins.to_vec()?, want);
    Ok(())
}

/// Work-item and work-group queries in 2-d, with a 2-d local array.
#[kernel]
fn queries_2d(it: NdItem<2>, out: &mut Tensor<u64>) {
    let group = it.get_group();
    let mut tile = LocalArray2::<u64, 4, 8>::new(&group);
    let (r, c) = (it.get_local_id(0), it.get_local_id(1));
    tile[[r, c]] = (it.get_global_linear_id() as u64) * 10 + r as u64;
    group_barrier(&group);
    let k = it.get_global_linear_id() * 4;
    out[k] = tile[[r, c]];
    out[k + 1] = (group.get_group_linear_id() * 1000 + it.get_local_linear_id()) as u64;
    out[k + 2] = (it.get_group_range(0) * 100 + it.get_group_range(1)) as u64;
    out[k + 3] = group.leader() as u64 + 2 * group.get_local_linear_range() as u64;
}

#[test]
fn work_item_and_group_queries_in_two_dimensions() -> dpex::Result<()> {
    let q = queue();
    let (rows, cols) = (12, 24);
    let mut out = Tensor::<u64>::zeros(&q, rows * cols * 4)?;
    queries_2d
        .launch(NdRange::new([rows, cols], [4, 8]), (&mut out,))?
        .wait()?;
    let got = out.to_vec()?;
    for gr in 0..rows {
        for gc in 0..cols {
            let linear = gr * cols + gc;
            let (r, c) = (gr % 4, gc % 8);
            let group_linear = (gr / 4) * (cols / 8) + gc / 8;
            let k = linear * 4;
            assert_eq!(
                got[k],
                linear as u64 * 10 + r as u64,
                "tile at ({gr}, {gc})"
            );
            assert_eq!(
                got[k + 1],
                (group_linear * 1000 + r * 8 + c) as u64,
                "ids at ({gr}, {gc})"
            );
            assert_eq!(
                got[k + 2],
                ((rows / 4) * 100 + cols / 8) as u64,
                "group range"
            );
            assert_eq!(
                got[k + 3],
                u64::from(r == 0 && c == 0) + 64,
                "leader at ({gr}, {gc})"
            );
        }
    }
    Ok(())
}

/// Every sub-group collective, written per work-item so the host can check each one.
#[kernel]
fn sub_group_collectives(
    it: NdItem<1>,
    x: &Tensor<i32>,
    out: &mut Tensor<i32>,
    info: &mut Tensor<u32>,
) {
    let gid = it.get_global_id(0);
    let sg = it.get_sub_group();
    let v = x[gid];
    let lane = sg.get_local_id();
    let size = sg.get_local_range();
    let k = gid * 8;
    out[k] = sg.broadcast(v, 0);
    out[k + 1] = sg.shuffle(v, (lane + 1) % size);
    out[k + 2] = sg.shuffle_xor(v, 1);
    out[k + 3] = sg.reduce_min(v);
    out[k + 4] = sg.reduce_max(v);
    out[k + 5] = sg.inclusive_scan_add(v);
    out[k + 6] = sg.exclusive_scan_add(v);
    out[k + 7] = sg.any(v > 90) as i32 + 2 * sg.all(v > -100) as i32;
    info[gid * 3] = lane;
    info[gid * 3 + 1] = size;
    info[gid * 3 + 2] = sg.get_group_id() * 1000 + sg.get_group_range();
}

#[test]
fn sub_group_collectives_match_the_host() -> dpex::Result<()> {
    let q = queue();
    let (n, group) = (1024, 64);
    let mut r = rng(44);
    let host: Vec<i32> = (0..n).map(|_| r.random_range(-99..100)).collect();
    let x = Tensor::from_slice(&q, &host)?;
    let mut out = Tensor::<i32>::zeros(&q, n * 8)?;
    let mut info = Tensor::<u32>::zeros(&q, n * 3)?;
    sub_group_collectives
        .launch(NdRange::new([n], [group]), (&x, &mut out, &mut info))?
        .wait()?;
    let (out, info) = (out.to_vec()?, info.to_vec()?);
    let size = info[1] as usize;
    assert!(size >= 2 && group % size == 0, "sub-group size {size}");
    for start in (0..n).step_by(size) {
        let members = &host[start..start + size];
        for (lane, &v) in members.iter().enumerate() {
            let gid = start + lane;
            let k = gid * 8;
            let prefix: i32 = members[..lane].iter().sum();
            let any = members.iter().any(|&m| m > 90);
            let all = members.iter().all(|&m| m > -100);
            let want = [
                members[0],
                members[(lane + 1) % size],
                members[lane ^ 1],
                *members.iter().min().unwrap_or(&0),
                *members.iter().max().unwrap_or(&0),
                prefix + v,
                prefix,
                i32::from(any) + 2 * i32::from(all),
            ];
            assert_eq!(&out[k..k + 8], &want, "work-item {gid}");
            let sub_group = (gid % group) / size;
            assert_eq!(
                &info[gid * 3..gid * 3 + 3],
                &[
                    lane as u32,
                    size as u32,
                    (sub_group * 1000 + group / size) as u32
                ],
                "ids of work-item {gid}"
            );
        }
    }
    Ok(())
}

/// The lane of the calling work-item in its sub-group, asked without a `let`.
#[dpex::func]
fn lane_of(it: &NdItem<1>) -> u32 {
    it.get_sub_group().get_local_id()
}

/// Sub-group and group queries and a collective called on `it.get_sub_group()` and
/// `it.get_group()` directly, without a `let`.
#[kernel]
fn sub_group_without_let(it: NdItem<1>, x: &Tensor<i32>, out: &mut Tensor<u32>) {
    let gid = it.get_global_id(0);
    let k = gid * 6;
    out[k] = it.get_sub_group().get_local_id();
    out[k + 1] = it.get_sub_group().get_local_range() * 1000 + it.get_sub_group().get_group_range();
    out[k + 2] = it.get_sub_group().get_group_id() + lane_of(&it) * 1000;
    out[k + 3] = it.get_sub_group().reduce_add(x[gid]) as u32;
    out[k + 4] = it.get_group().get_group_linear_range() as u32 * 1000
        + it.get_group().get_group_linear_id() as u32;
    out[k + 5] = it.get_sub_group().broadcast(x[gid], 0) as u32;
}

#[test]
fn sub_group_and_group_methods_without_a_let() -> dpex::Result<()> {
    let q = queue();
    let (n, group) = (768, 64);
    let mut r = rng(45);
    let host: Vec<i32> = (0..n).map(|_| r.random_range(1..1000)).collect();
    let x = Tensor::from_slice(&q, &host)?;
    let mut out = Tensor::<u32>::zeros(&q, n * 6)?;
    sub_group_without_let
        .launch(NdRange::new([n], [group]), (&x, &mut out))?
        .wait()?;
    let out = out.to_vec()?;
    let size = (out[1] / 1000) as usize;
    assert!(size >= 2 && group % size == 0, "sub-group size {size}");
    for gid in 0..n {
        let (lane, start) = (gid % size, gid - gid % size);
        let members = &host[start..start + size];
        let sum: i32 = members.iter().sum();
        let want = [
            lane as u32,
            (size * 1000 + group / size) as u32,
            ((gid % group) / size + lane * 1000) as u32,
            sum as u32,
            ((n / group) * 1000 + gid / group) as u32,
            members[0] as u32,
        ];
        assert_eq!(&out[gid * 6..gid * 6 + 6], &want, "work-item {gid}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Index-space queries in 1, 2 and 3 dimensions (issue 13)
// ---------------------------------------------------------------------------------------------

/// Words each work-item of the query kernels writes.
#[dpex::constant]
const QUERY_WORDS: usize = 16;

/// `Item` and `NdItem` query kernels of `$dims` dimensions (`$d`: each dimension's index): each
/// work-item writes its queries at `QUERY_WORDS * linear id`.
macro_rules! query_kernels {
    ($item:ident, $nd:ident, $dims:literal, [$($d:literal),*]) => {
        #[kernel]
        fn $item(item: Item<$dims>, out: &mut Tensor<u64>) {
            let k = item.get_linear_id() * QUERY_WORDS;
            out[k] = item.get_linear_range() as u64;
            out[k + 1] = item.dimensions() as u64;
            $(out[k + 2 + $d] = item.get_id($d) as u64;)*
        }

        #[kernel]
        fn $nd(it: NdItem<$dims>, out: &mut Tensor<u64>) {
            let k = it.get_global_linear_id() * QUERY_WORDS;
            out[k] = it.get_global_linear_range() as u64;
            out[k + 1] = it.get_local_linear_range() as u64;
            out[k + 2] = it.dimensions() as u64;
            out[k + 3] = it.get_local_linear_id() as u64;
            // Called on `it.get_group()` directly, without a `let`.
            out[k + 4] = it.get_group().get_group_linear_range() as u64;
            out[k + 5] = it.get_group().dimensions() as u64;
            out[k + 6] = it.get_group().get_group_linear_id() as u64;
            let group = it.get_group();
            out[k + 7] = (group.get_group_linear_range() * 10 + group.dimensions()) as u64;
            $(out[k + 8 + $d] = it.get_global_id($d) as u64;)*
            $(out[k + 11 + $d] = it.get_group().get_group_id($d) as u64;)*
        }
    };
}

query_kernels!(item_queries_1, nd_queries_1, 1, [0]);
query_kernels!(item_queries_2, nd_queries_2, 2, [0, 1]);
query_kernels!(item_queries_3, nd_queries_3, 3, [0, 1, 2]);

/// Every index of a row-major `shape`, in order of its linear id.
fn row_major(shape: &[usize]) -> Vec<Vec<usize>> {
    let mut all = vec![Vec::new()];
    for &extent in shape {
        all = all
            .into_iter()
            .flat_map(|prefix| {
                (0..extent).map(move |i| {
                    let mut index = prefix.clone();
                    index.push(i);
                    index
                })
            })
            .collect();
    }
    all
}

/// A random ND-range of `dims` dimensions (work-group sizes and group counts from 1, a few
/// thousand work-items at most): its local range and its global range.
fn random_nd_range(seed: u64, dims: usize) -> (Vec<usize>, Vec<usize>) {
    let mut r = rng(seed);
    let per_dim = [40, 12, 6][dims - 1];
    let local: Vec<usize> = (0..dims).map(|_| r.random_range(1..=per_dim / 2)).collect();
    let groups: Vec<usize> = (0..dims).map(|_| r.random_range(1..=3)).collect();
    let global = local.iter().zip(&groups).map(|(l, g)| l * g).collect();
    (local, global)
}

/// Checks the `Item` queries of a launch over `range` against the host.
fn check_item_queries(range: &[usize], got: &[u64]) {
    let total: usize = range.iter().product();
    for (linear, id) in row_major(range).into_iter().enumerate() {
        let k = linear * QUERY_WORDS;
        let at = format!("range {range:?}, id {id:?}");
        assert_eq!(got[k], total as u64, "get_linear_range at {at}");
        assert_eq!(got[k + 1], range.len() as u64, "dimensions at {at}");
        for (d, &i) in id.iter().enumerate() {
            assert_eq!(
                got[k + 2 + d],
                i as u64,
                "get_id({d}) (linear id {linear}) at {at}"
            );
        }
    }
}

/// Checks the `NdItem` and `Group` queries of a launch over `global` in groups of `local`.
fn check_nd_queries(global: &[usize], local: &[usize], got: &[u64]) {
    let total: usize = global.iter().product();
    let group_size: usize = local.iter().product();
    let groups: Vec<usize> = global.iter().zip(local).map(|(g, l)| g / l).collect();
    let group_count: usize = groups.iter().product();
    let dims = global.len();
    for (linear, id) in row_major(global).into_iter().enumerate() {
        let k = linear * QUERY_WORDS;
        let at = format!("global {global:?}, local {local:?}, id {id:?}");
        let local_id: Vec<usize> = id.iter().zip(local).map(|(i, l)| i % l).collect();
        let group_id: Vec<usize> = id.iter().zip(local).map(|(i, l)| i / l).collect();
        let ravel = |index: &[usize], shape: &[usize]| {
            index.iter().zip(shape).fold(0, |acc, (i, n)| acc * n + i)
        };
        assert_eq!(got[k], total as u64, "get_global_linear_range at {at}");
        assert_eq!(
            got[k + 1],
            group_size as u64,
            "get_local_linear_range at {at}"
        );
        assert_eq!(got[k + 2], dims as u64, "dimensions at {at}");
        let local_linear = ravel(&local_id, local) as u64;
        assert_eq!(got[k + 3], local_linear, "get_local_linear_id at {at}");
        assert_eq!(
            got[k + 4],
            group_count as u64,
            "get_group_linear_range at {at}"
        );
        assert_eq!(got[k + 5], dims as u64, "group dimensions at {at}");
        let group_linear = ravel(&group_id, &groups) as u64;
        assert_eq!(got[k + 6], group_linear, "get_group_linear_id at {at}");
        let want = (group_count * 10 + dims) as u64;
        assert_eq!(got[k + 7], want, "queries of a bound group at {at}");
        for d in 0..dims {
            assert_eq!(got[k + 8 + d], id[d] as u64, "get_global_id({d}) at {at}");
            assert_eq!(
                got[k + 11 + d],
                group_id[d] as u64,
                "get_group_id({d}) at {at}"
            );
        }
    }
}

/// Launches the query kernels of one dimension count (`$item`, `$nd`) over random ranges and
/// checks every value.
macro_rules! run_queries {
    ($q:expr, $seed:expr, $dims:literal, $item:ident, $nd:ident) => {{
        let (local, global) = random_nd_range($seed, $dims);
        let total: usize = global.iter().product();
        let mut out = Tensor::<u64>::zeros(&$q, total * QUERY_WORDS)?;
        let range: [usize; $dims] = global.clone().try_into().expect("dims");
        let group: [usize; $dims] = local.clone().try_into().expect("dims");
        $item.launch(Range::new(range), (&mut out,))?.wait()?;
        check_item_queries(&global, &out.to_vec()?);
        $nd.launch(NdRange::new(range, group), (&mut out,))?
            .wait()?;
        check_nd_queries(&global, &local, &out.to_vec()?);
    }};
}

#[test]
fn index_space_queries_in_one_two_and_three_dimensions() -> dpex::Result<()> {
    let q = queue();
    for seed in 0..4 {
        run_queries!(q, 130 + seed, 1, item_queries_1, nd_queries_1);
        run_queries!(q, 140 + seed, 2, item_queries_2, nd_queries_2);
        run_queries!(q, 150 + seed, 3, item_queries_3, nd_queries_3);
    }
    Ok(())
}
