//! Larger ND-range kernels end to end on the real device, against host references on random
//! data: a tiled matmul with 16x16 local-memory tiles, a 2-d 5-point stencil (plain `Range` and
//! ND-range with a haloed local tile), a multi-level prefix sum built on sub-group scans, and
//! every invalid ND-range rejected by a generated launcher before anything is enqueued.

mod common;

#[path = "../examples/matmul_tiled.rs"]
#[allow(dead_code)]
mod matmul_tiled_example;

use common::{queue, rng};
use dpex::prelude::*;
use matmul_tiled_example::matmul_tiled;
use rand::seq::SliceRandom;
use rand::Rng;

// ---------------------------------------------------------------------------------------------
// Tiled matmul
// ---------------------------------------------------------------------------------------------

/// Checks `got` (m x n) against f64 dot products at the sampled `(row, col)` entries. The
/// tolerance is the classic bound for a length-k f32 dot product, `k * eps * sum |a_e * b_e|`
/// (about 1.2e-4 relative to the magnitude sum for k = 1024).
fn check_matmul_sample(
    dims: (usize, usize, usize),
    a: &[f32],
    b: &[f32],
    got: &[f32],
    sample: &[(usize, usize)],
) {
    let (_, k, n) = dims;
    let eps = k as f64 * f64::from(f32::EPSILON);
    for &(i, j) in sample {
        let (mut want, mut magnitude) = (0.0f64, 0.0f64);
        for e in 0..k {
            let p = f64::from(a[i * k + e]) * f64::from(b[e * n + j]);
            want += p;
            magnitude += p.abs();
        }
        let g = f64::from(got[i * n + j]);
        assert!(
            (g - want).abs() <= eps * magnitude.max(1e-30),
            "c[{i}][{j}]: device {g}, host {want}, |a||b| sum {magnitude}"
        );
    }
}

/// Entries to check: shuffled rows paired with shuffled columns, `max(m, n)` pairs (so every row
/// and every column is checked at least once), then random entries up to `total`.
fn matmul_sample(
    r: &mut rand::rngs::StdRng,
    m: usize,
    n: usize,
    total: usize,
) -> Vec<(usize, usize)> {
    let mut cols: Vec<usize> = (0..n).collect();
    cols.shuffle(r);
    let mut rows: Vec<usize> = (0..m).collect();
    rows.shuffle(r);
    let mut sample: Vec<(usize, usize)> =
        (0..m.max(n)).map(|i| (rows[i % m], cols[i % n])).collect();
    while sample.len() < total {
        sample.push((r.random_range(0..m), r.random_range(0..n)));
    }
    sample
}

fn run_matmul(m: usize, k: usize, n: usize, seed: u64, samples: usize) -> dpex::Result<()> {
    let q = queue();
    let mut r = rng(seed);
    let host_a: Vec<f32> = (0..m * k).map(|_| r.random_range(-1.0f32..1.0)).collect();
    let host_b: Vec<f32> = (0..k * n).map(|_| r.random_range(-1.0f32..1.0)).collect();
    let a = Tensor::from_slice(&q, &host_a)?;
    let b = Tensor::from_slice(&q, &host_b)?;
    let mut c = Tensor::<f32>::full(&q, m * n, f32::NAN)?;
    let global = [n.div_ceil(16) * 16, m.div_ceil(16) * 16];
    matmul_tiled
        .launch(NdRange::new(global, [16, 16]), (m, k, n, &a, &b, &mut c))?
        .wait()?;
    let got = c.to_vec()?;
    let sample = matmul_sample(&mut r, m, n, samples);
    check_matmul_sample((m, k, n), &host_a, &host_b, &got, &sample);
    Ok(())
}

#[test]
fn tiled_matmul_1024_matches_the_host_on_a_sample() -> dpex::Result<()> {
    // The full 1024^3 host product takes long in debug builds: 4096 sampled entries, covering
    // every row and every column.
    run_matmul(1024, 1024, 1024, 51, 4096)
}

#[test]
fn tiled_matmul_of_sizes_that_are_not_multiples_of_the_tile() -> dpex::Result<()> {
    // Small enough to check every entry.
    let (m, k, n) = (100, 70, 45);
    run_matmul(m, k, n, 52, m * n)
}

// ---------------------------------------------------------------------------------------------
// 2-d 5-point stencil
// ---------------------------------------------------------------------------------------------

/// `out = c * x + w * (north + south + west + east)` on the interior of a `rows x cols`
/// row-major grid; border cells are copied. One work-item per cell, launched over exactly the
/// grid (`Range`), with bounds checks all the same.
#[kernel]
fn stencil_range(
    item: Item<2>,
    rows: usize,
    cols: usize,
    c: f32,
    w: f32,
    x: &Tensor<f32>,
    out: &mut Tensor<f32>,
) {
    let i = item.get_id(0);
    let j = item.get_id(1);
    if i < rows && j < cols {
        let at = i * cols + j;
        if i == 0 || j == 0 || i == rows - 1 || j == cols - 1 {
            out[at] = x[at];
        } else {
            out[at] = c * x[at] + w * (x[at - cols] + x[at + cols] + x[at - 1] + x[at + 1]);
        }
    }
}

/// The same stencil over 16x16 work-groups: the group stages its 18x18 block (its cells and a
/// one-cell halo) in local memory, then each work-item reads its neighbours from there. The
/// global range is the grid rounded up to multiples of 16; cells outside the grid load zeros
/// and write nothing.
#[kernel]
fn stencil_tiled(
    it: NdItem<2>,
    rows: usize,
    cols: usize,
    c: f32,
    w: f32,
    x: &Tensor<f32>,
    out: &mut Tensor<f32>,
) {
    let group = it.get_group();
    let mut tile = LocalArray2::<f32, 18, 18>::new(&group);
    let r0 = it.get_group_id(0) * 16;
    let c0 = it.get_group_id(1) * 16;
    // Tile cell (tr, tc) holds grid cell (r0 + tr - 1, c0 + tc - 1); 256 work-items load the
    // 324 cells.
    let mut t = it.get_local_linear_id();
    while t < 18 * 18 {
        let tr = t / 18;
        let tc = t % 18;
        // Shifted by one, so that the cell above row 0 stays unsigned.
        let gr = r0 + tr;
        let gc = c0 + tc;
        tile[[tr, tc]] = if gr >= 1 && gr <= rows && gc >= 1 && gc <= cols {
            x[(gr - 1) * cols + gc - 1]
        } else {
            0.0
        };
        t += 256;
    }
    group_barrier(&group);
    let i = it.get_global_id(0);
    let j = it.get_global_id(1);
    let lr = it.get_local_id(0) + 1;
    let lc = it.get_local_id(1) + 1;
    if i < rows && j < cols {
        let here = tile[[lr, lc]];
        if i == 0 || j == 0 || i == rows - 1 || j == cols - 1 {
            out[i * cols + j] = here;
        } else {
            out[i * cols + j] = c * here
                + w * (tile[[lr - 1, lc]]
                    + tile[[lr + 1, lc]]
                    + tile[[lr, lc - 1]]
                    + tile[[lr, lc + 1]]);
        }
    }
}

/// The stencil on the host, in the kernels' f32 operation order.
fn host_stencil(rows: usize, cols: usize, c: f32, w: f32, x: &[f32]) -> Vec<f32> {
    let mut out = x.to_vec();
    for i in 1..rows - 1 {
        for j in 1..cols - 1 {
            let at = i * cols + j;
            out[at] = c * x[at] + w * (x[at - cols] + x[at + cols] + x[at - 1] + x[at + 1]);
        }
    }
    out
}

fn stencil_input(rows: usize, cols: usize, seed: u64) -> (Vec<f32>, f32, f32) {
    let mut r = rng(seed);
    let x: Vec<f32> = (0..rows * cols)
        .map(|_| r.random_range(-10.0f32..10.0))
        .collect();
    (x, 0.6, 0.1 + r.random_range(0.0f32..0.05))
}

fn assert_grid_eq(what: &str, cols: usize, got: &[f32], want: &[f32]) {
    common::assert_eq_each(what, got, want, |k| {
        format!("cell ({}, {})", k / cols, k % cols)
    });
}

#[test]
fn stencil_over_a_plain_range_is_exact() -> dpex::Result<()> {
    let q = queue();
    let (rows, cols) = (1000, 777);
    let (host, c, w) = stencil_input(rows, cols, 61);
    let x = Tensor::from_slice(&q, &host)?;
    let mut out = Tensor::<f32>::full(&q, rows * cols, f32::NAN)?;
    stencil_range
        .launch(Range::new([rows, cols]), (rows, cols, c, w, &x, &mut out))?
        .wait()?;
    assert_grid_eq(
        "stencil_range",
        cols,
        &out.to_vec()?,
        &host_stencil(rows, cols, c, w, &host),
    );
    Ok(())
}

#[test]
fn stencil_with_a_haloed_local_tile_is_exact() -> dpex::Result<()> {
    let q = queue();
    for (rows, cols, seed) in [(1000, 777, 62), (17, 3, 63), (33, 16, 64)] {
        let (host, c, w) = stencil_input(rows, cols, seed);
        let x = Tensor::from_slice(&q, &host)?;
        let mut out = Tensor::<f32>::full(&q, rows * cols, f32::NAN)?;
        let global = [rows.div_ceil(16) * 16, cols.div_ceil(16) * 16];
        stencil_tiled
            .launch(
                NdRange::new(global, [16, 16]),
                (rows, cols, c, w, &x, &mut out),
            )?
            .wait()?;
        assert_grid_eq(
            &format!("stencil_tiled {rows}x{cols}"),
            cols,
            &out.to_vec()?,
            &host_stencil(rows, cols, c, w, &host),
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Prefix sum
// ---------------------------------------------------------------------------------------------

/// Inclusive scan of each work-group's part of `x` into `y`; the group's total goes to
/// `totals[group]`. Each sub-group scans its values, the sub-group totals go to local memory,
/// the first sub-group scans those (in chunks of its size), and every work-item adds the total
/// of the sub-groups before its own. Work-items past the end of `x` count as zeros.
#[kernel]
fn scan_groups(
    it: NdItem<1>,
    x: &Tensor<i32>,
    y: &mut Tensor<i32>,
    totals: &mut Tensor<i32>,
    sub_totals: LocalAccessor<i32>,
) {
    let group = it.get_group();
    let gid = it.get_global_id(0);
    let sg = it.get_sub_group();
    let lane = sg.get_local_id();
    let size = sg.get_local_range();
    let sg_id = sg.get_group_id() as usize;
    let v = if gid < x.len() { x[gid] } else { 0 };
    let inclusive = sg.inclusive_scan_add(v);
    if lane == size - 1 {
        sub_totals[sg_id] = inclusive;
    }
    group_barrier(&group);
    if sg_id == 0 {
        let count = sg.get_group_range() as usize;
        let mut carry = 0i32;
        let mut base = 0usize;
        while base < count {
            let at = base + lane as usize;
            let s = if at < count { sub_totals[at] } else { 0 };
            let scanned = sg.inclusive_scan_add(s);
            if at < count {
                sub_totals[at] = scanned.wrapping_add(carry);
            }
            carry = carry.wrapping_add(sg.broadcast(scanned, size - 1));
            base += size as usize;
        }
    }
    group_barrier(&group);
    let before = if sg_id > 0 { sub_totals[sg_id - 1] } else { 0 };
    let result = inclusive.wrapping_add(before);
    if gid < y.len() {
        y[gid] = result;
    }
    if it.get_local_id(0) == it.get_local_range(0) - 1 {
        totals[it.get_group_id(0)] = result;
    }
}

/// Adds the scanned totals of the groups before each work-item's group to its element of `y`.
#[kernel]
fn add_group_offsets(it: NdItem<1>, y: &mut Tensor<i32>, scanned_totals: &Tensor<i32>) {
    let gid = it.get_global_id(0);
    let g = it.get_group_id(0);
    if g > 0 && gid < y.len() {
        y[gid] = y[gid].wrapping_add(scanned_totals[g - 1]);
    }
}

/// Inclusive scan of `x` on the device: one [`scan_groups`] launch, then (for more than one
/// group) the group totals are scanned the same way, recursively, and added back with
/// [`add_group_offsets`].
fn device_scan(q: &Queue, x: &Tensor<i32>, group: usize) -> dpex::Result<Tensor<i32>> {
    let n = x.len();
    let groups = n.div_ceil(group);
    let range = NdRange::new([groups * group], [group]);
    let mut y = Tensor::<i32>::zeros(q, n)?;
    let mut totals = Tensor::<i32>::zeros(q, groups)?;
    // One slot per sub-group; sub-groups have at least one work-item.
    scan_groups
        .launch(range, (x, &mut y, &mut totals, LocalAccessor::new(group)))?
        .wait()?;
    if groups > 1 {
        let scanned = device_scan(q, &totals, group)?;
        add_group_offsets
            .launch(range, (&mut y, &scanned))?
            .wait()?;
    }
    Ok(y)
}

fn host_scan(x: &[i32]) -> Vec<i32> {
    x.iter()
        .scan(0i32, |acc, &v| {
            *acc = acc.wrapping_add(v);
            Some(*acc)
        })
        .collect()
}

#[test]
fn prefix_sum_of_2_pow_20_values_is_exact() -> dpex::Result<()> {
    let q = queue();
    let mut r = rng(71);
    for (n, group) in [(1 << 20, 256), (1_000_003, 128), (5000, 64)] {
        let host: Vec<i32> = (0..n).map(|_| r.random_range(-1000..1000)).collect();
        let x = Tensor::from_slice(&q, &host)?;
        let got = device_scan(&q, &x, group)?.to_vec()?;
        common::assert_eq_each(
            &format!("scan of {n} in groups of {group}"),
            &got,
            &host_scan(&host),
            |i| format!("x[{i}] = {}", host[i]),
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Invalid ND-ranges
// ---------------------------------------------------------------------------------------------

/// Writes each work-item's global id, through local memory.
#[kernel]
fn ids_through_local(it: NdItem<1>, out: &mut Tensor<f32>, tmp: LocalAccessor<f32>) {
    let lid = it.get_local_id(0);
    let gid = it.get_global_id(0);
    tmp[lid] = gid as f32;
    group_barrier(&it.get_group());
    if gid < out.len() {
        out[gid] = tmp[lid];
    }
}

/// Writes each work-item's linear global id.
#[kernel]
fn ids_2d(it: NdItem<2>, out: &mut Tensor<f32>) {
    let gid = it.get_global_linear_id();
    if gid < out.len() {
        out[gid] = gid as f32;
    }
}

const SENTINEL: f32 = -7.5;

/// Asserts the launch failed and nothing was written to `out`.
fn assert_rejected(
    q: &Queue,
    out: &Tensor<f32>,
    result: dpex::Result<Event>,
    expected: &str,
    check: impl Fn(&dpex::Error) -> bool,
) {
    let err = match result {
        Ok(event) => {
            let _ = event.wait();
            panic!("launch accepted, expected {expected}");
        }
        Err(e) => e,
    };
    assert!(check(&err), "expected {expected}, got {err:?}");
    q.finish().expect("queue finish");
    let data = out.to_vec().expect("read back");
    assert!(
        data.iter().all(|&v| v == SENTINEL),
        "{expected}: the output tensor was written"
    );
}

#[test]
fn invalid_nd_ranges_are_errors_and_write_nothing() -> dpex::Result<()> {
    use dpex::Error;
    let q = queue();
    let device = q.device().clone();
    let len = 4096;
    let mut out = Tensor::<f32>::full(&q, len, SENTINEL)?;

    // Global size not a multiple of the local size.
    let result = ids_through_local.launch(
        NdRange::new([1000], [16]),
        (&mut out, LocalAccessor::new(16)),
    );
    assert_rejected(&q, &out, result, "RangeNotDivisible", |e| {
        matches!(
            e,
            Error::RangeNotDivisible {
                dim: 0,
                global: 1000,
                local: 16,
                ..
            }
        )
    });
    let result = ids_2d.launch(NdRange::new([32, 30], [8, 4]), (&mut out,));
    assert_rejected(&q, &out, result, "RangeNotDivisible in dim 1", |e| {
        matches!(
            e,
            Error::RangeNotDivisible {
                dim: 1,
                global: 30,
                local: 4,
                ..
            }
        )
    });

    // Zero local sizes.
    let result =
        ids_through_local.launch(NdRange::new([64], [0]), (&mut out, LocalAccessor::new(16)));
    assert_rejected(
        &q,
        &out,
        result,
        "ZeroLocalSize",
        |e| matches!(e, Error::ZeroLocalSize { local, .. } if local == &[0]),
    );
    let result = ids_2d.launch(NdRange::new([16, 16], [4, 0]), (&mut out,));
    assert_rejected(
        &q,
        &out,
        result,
        "ZeroLocalSize in 2-d",
        |e| matches!(e, Error::ZeroLocalSize { local, .. } if local == &[4, 0]),
    );

    // A work-group above the device's maximum: in 1-d, twice the maximum (above the
    // per-dimension limit too, which may be reported first); in 2-d, within each dimension's
    // limit but above the total.
    let max_wg = device.max_work_group_size();
    let items = device.max_work_item_sizes().to_vec();
    let big = 2 * max_wg;
    let result = ids_through_local.launch(
        NdRange::new([big], [big]),
        (&mut out, LocalAccessor::new(big)),
    );
    assert_rejected(
        &q,
        &out,
        result,
        "WorkGroupTooLarge or WorkItemSizeTooLarge",
        |e| {
            matches!(e, Error::WorkGroupTooLarge { limit, .. } if *limit == max_wg)
                || matches!(e, Error::WorkItemSizeTooLarge { dim: 0, local, .. } if *local == big)
        },
    );
    assert!(items.len() >= 2 && items[1] >= 2, "{items:?}");
    let wide = items[0].min(max_wg);
    let result = ids_2d.launch(NdRange::new([wide, 2], [wide, 2]), (&mut out,));
    assert_rejected(&q, &out, result, "WorkGroupTooLarge in 2-d", |e| {
        matches!(e, Error::WorkGroupTooLarge { local, limit, .. }
            if local == &[wide, 2] && *limit == max_wg)
    });
    if items[0] < usize::MAX / 2 {
        let over = items[0] + 1;
        let result = ids_2d.launch(NdRange::new([over, 1], [over, 1]), (&mut out,));
        assert_rejected(&q, &out, result, "WorkItemSizeTooLarge", |e| {
            matches!(e, Error::WorkItemSizeTooLarge { dim: 0, local, limit, .. }
                if *local == over && *limit == items[0])
                || matches!(e, Error::WorkGroupTooLarge { .. })
        });
    }

    // A local accessor larger than the device's local memory.
    let limit = device
        .local_mem_size()
        .unwrap_or_else(|| panic!("{device} reports no CL_DEVICE_LOCAL_MEM_SIZE"));
    let elems = usize::try_from(limit / 4 + 1).expect("local memory size fits usize");
    let result = ids_through_local.launch(
        NdRange::new([64], [64]),
        (&mut out, LocalAccessor::new(elems)),
    );
    assert_rejected(&q, &out, result, "LocalMemoryExceeded", |e| {
        matches!(e, Error::LocalMemoryExceeded { bytes, limit: l, .. }
            if *bytes == 4 * elems as u64 && *l == limit)
    });

    // The same kernels with valid ranges do write: the checks above were not vacuous.
    ids_through_local
        .launch(
            NdRange::new([len], [64]),
            (&mut out, LocalAccessor::new(64)),
        )?
        .wait()?;
    let want: Vec<f32> = (0..len).map(|i| i as f32).collect();
    assert_eq!(out.to_vec()?, want);
    let mut out2 = Tensor::<f32>::full(&q, 16 * 8, SENTINEL)?;
    ids_2d
        .launch(NdRange::new([16, 8], [4, 4]), (&mut out2,))?
        .wait()?;
    assert_eq!(out2.to_vec()?, want[..128].to_vec());
    Ok(())
}

/// A tiled transpose through a 2-d local accessor sized at launch (`[tile, tile + 1]`: the
/// padding column of the usual bank-conflict-free layout), written `t[[r, c]]` and read
/// row by row `t[c][r]`; each work-item also adds the tile's extents from `t.shape(d)` and
/// the element count `t.len()`, so that a wrong extent shows in the values.
#[kernel]
fn transpose_2d_local(
    it: NdItem<2>,
    x: &Tensor<f32, 2>,
    out: &mut Tensor<f32, 2>,
    t: LocalAccessor<f32, 2>,
) {
    let (r, c) = (it.get_local_id(0), it.get_local_id(1));
    let (gr, gc) = (it.get_global_id(0), it.get_global_id(1));
    let rows = it.get_local_range(0);
    t[[r, c]] = x[[gr, gc]];
    group_barrier(&it.get_group());
    let g = it.get_group();
    let (br, bc) = (g.get_group_id(0) * rows, g.get_group_id(1) * rows);
    let extents = (t.shape(0) * 1000 + t.shape(1) * 10 + t.len()) as f32;
    out[[bc + r, br + c]] = t[c][r] + extents;
}

/// Sums of slices of a 3-d local accessor `[planes, rows, cols]`: each work-item of a
/// `[planes, rows, cols]` work-group stores its value, then work-item (p, r, 0) adds the row
/// `s[p][r][..]` and writes it, reading through `s[[p, r, k]]`.
#[kernel]
fn row_sums_3d_local(
    it: NdItem<3>,
    x: &Tensor<i32, 3>,
    out: &mut Tensor<i32, 3>,
    s: LocalAccessor<i32, 3>,
) {
    let (p, r, c) = (it.get_local_id(0), it.get_local_id(1), it.get_local_id(2));
    let (gp, gr, gc) = (
        it.get_global_id(0),
        it.get_global_id(1),
        it.get_global_id(2),
    );
    s[p][r][c] = x[[gp, gr, gc]];
    group_barrier(&it.get_group());
    let mut sum = 0i32;
    for k in 0..s.shape(2) {
        sum = sum.wrapping_add(s[[p, r, k]]);
    }
    out[[gp, gr, gc]] = sum.wrapping_mul(c as i32 + 1);
}

#[test]
fn multi_dimensional_local_accessors() -> dpex::Result<()> {
    let q = queue();
    let mut r = rng(72);
    let (n, tile) = (48, 8);
    let host = common::nonzero_f32(&mut r, n * n);
    let x = Tensor::<f32, 2>::from_fn(&q, [n, n], |[i, j]| host[i * n + j])?;
    let mut out = Tensor::<f32, 2>::zeros(&q, [n, n])?;
    transpose_2d_local
        .launch(
            NdRange::new([n, n], [tile, tile]),
            (&x, &mut out, LocalAccessor::new([tile, tile + 1])),
        )?
        .wait()?;
    let extents = (tile * 1000 + (tile + 1) * 10 + tile * (tile + 1)) as f32;
    let want: Vec<f32> = (0..n * n)
        .map(|k| host[(k % n) * n + k / n] + extents)
        .collect();
    assert_eq!(out.to_vec()?, want);

    let (planes, rows, cols) = (2, 3, 4);
    let shape = [2 * planes, 3 * rows, 2 * cols];
    let len = shape.iter().product::<usize>();
    let values: Vec<i32> = (0..len).map(|_| r.random_range(-1000..1000)).collect();
    let x3 = Tensor::<i32, 3>::from_fn(&q, shape, |[a, b, c]| {
        values[(a * shape[1] + b) * shape[2] + c]
    })?;
    let mut out3 = Tensor::<i32, 3>::zeros(&q, shape)?;
    row_sums_3d_local
        .launch(
            NdRange::new(shape, [planes, rows, cols]),
            (&x3, &mut out3, LocalAccessor::new([planes, rows, cols])),
        )?
        .wait()?;
    let mut want3 = vec![0i32; len];
    for a in 0..shape[0] {
        for b in 0..shape[1] {
            for c in 0..shape[2] {
                let start = c / cols * cols;
                let row = &values[(a * shape[1] + b) * shape[2]..][start..start + cols];
                let sum = row.iter().fold(0i32, |s, &v| s.wrapping_add(v));
                want3[(a * shape[1] + b) * shape[2] + c] = sum.wrapping_mul((c % cols) as i32 + 1);
            }
        }
    }
    assert_eq!(out3.to_vec()?, want3);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Device functions taking local accessors
// ---------------------------------------------------------------------------------------------

/// The sum of the work-group's values `v` by a tree reduction in `tmp` (one element per
/// work-item: `tmp.len()` is the group's size, a power of two), with a barrier per halving
/// stride; every work-item gets the sum, and `tmp` is free again when it returns.
#[dpex::func]
fn tree_sum(it: &NdItem<1>, tmp: LocalAccessor<f32>, v: f32) -> f32 {
    let l = it.get_local_id(0);
    let g = it.get_group();
    tmp[l] = v;
    group_barrier(&g);
    let mut stride = tmp.len() / 2;
    while stride > 0 {
        if l < stride {
            tmp[l] += tmp[l + stride];
        }
        group_barrier(&g);
        stride /= 2;
    }
    let sum = tmp[0];
    group_barrier(&g);
    sum
}

/// Per work-group: the sum of `x`, of its squares (through a second accessor) and of ones
/// (through the first accessor again), written by the group's first work-item.
#[kernel]
fn group_sums(
    it: NdItem<1>,
    x: &Tensor<f32>,
    out: &mut Tensor<f32>,
    tmp: LocalAccessor<f32>,
    squares: LocalAccessor<f32>,
) {
    let v = x[it.get_global_id(0)];
    let sum = tree_sum(&it, tmp, v);
    let sum_of_squares = tree_sum(&it, squares, v * v);
    let count = tree_sum(&it, tmp, 1.0);
    if it.get_local_id(0) == 0 {
        let g = it.get_group().get_group_id(0);
        out[3 * g] = sum;
        out[3 * g + 1] = sum_of_squares;
        out[3 * g + 2] = count;
    }
}

/// The device's tree reduction of `values` on the host, in the same order (so in the same
/// `f32` roundings).
fn host_tree_sum(values: &[f32]) -> f32 {
    let mut v = values.to_vec();
    let mut stride = v.len() / 2;
    while stride > 0 {
        for l in 0..stride {
            v[l] += v[l + stride];
        }
        stride /= 2;
    }
    v[0]
}

#[test]
fn a_device_function_reduces_a_work_group_in_a_local_accessor() -> dpex::Result<()> {
    let q = queue();
    let x = common::nonzero_f32(&mut rng(931), 64 * 24);
    let dx = Tensor::from_slice(&q, &x)?;
    for local in [64, 16] {
        let groups = x.len() / local;
        let mut out = Tensor::<f32>::zeros(&q, 3 * groups)?;
        group_sums
            .launch(
                NdRange::new([x.len()], [local]),
                (
                    &dx,
                    &mut out,
                    LocalAccessor::new(local),
                    LocalAccessor::new(local),
                ),
            )?
            .wait()?;
        let want: Vec<f32> = x
            .chunks(local)
            .flat_map(|group| {
                let squares: Vec<f32> = group.iter().map(|v| v * v).collect();
                [host_tree_sum(group), host_tree_sum(&squares), local as f32]
            })
            .collect();
        assert_eq!(out.to_vec()?, want, "local size {local}");
    }
    Ok(())
}

/// Row `r` of the 2-d tile `t`, weighted by position (`t[[r, k]] * (k + 1)`, read row by row
/// for odd `r`), plus `100 * t.shape(0) + t.len()`.
#[dpex::func]
fn weighted_row(t: LocalAccessor<f32, 2>, r: usize) -> f32 {
    let mut sum = 0.0f32;
    for k in 0..t.shape(1) {
        let value = if r % 2 == 1 { t[r][k] } else { t[[r, k]] };
        sum += value * (k + 1) as f32;
    }
    sum + (100 * t.shape(0) + t.len()) as f32
}

/// Loads each work-group's tile of `x` into a 2-d local accessor through a function nested in
/// the kernel, then writes each element's weighted tile row plus the element.
#[kernel]
fn tile_rows(
    it: NdItem<2>,
    x: &Tensor<f32, 2>,
    out: &mut Tensor<f32, 2>,
    t: LocalAccessor<f32, 2>,
) {
    fn store(t: LocalAccessor<f32, 2>, r: usize, c: usize, v: f32) {
        t[[r, c]] = v;
    }
    let (r, c) = (it.get_local_id(0), it.get_local_id(1));
    let (gr, gc) = (it.get_global_id(0), it.get_global_id(1));
    store(t, r, c, x[[gr, gc]]);
    group_barrier(&it.get_group());
    out[[gr, gc]] = weighted_row(t, r) + t[[r, c]];
}

#[test]
fn device_functions_fill_and_read_a_two_axis_local_accessor() -> dpex::Result<()> {
    let q = queue();
    let (rows, cols) = (32, 24);
    let (tr, tc) = (4, 8);
    let host = common::nonzero_f32(&mut rng(932), rows * cols);
    let x = Tensor::<f32, 2>::from_fn(&q, [rows, cols], |[i, j]| host[i * cols + j])?;
    let mut out = Tensor::<f32, 2>::zeros(&q, [rows, cols])?;
    tile_rows
        .launch(
            NdRange::new([rows, cols], [tr, tc]),
            (&x, &mut out, LocalAccessor::new([tr, tc])),
        )?
        .wait()?;
    let extents = (100 * tr + tr * tc) as f32;
    let want: Vec<f32> = (0..rows * cols)
        .map(|e| {
            let (i, j) = (e / cols, e % cols);
            let start = j / tc * tc;
            let row = &host[i * cols + start..i * cols + start + tc];
            let mut sum = 0.0f32;
            for (k, v) in row.iter().enumerate() {
                sum += v * (k + 1) as f32;
            }
            sum + extents + host[e]
        })
        .collect();
    assert_eq!(out.to_vec()?, want);
    Ok(())
}
