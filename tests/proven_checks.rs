//! Index checks proven at launch: a safe kernel also has a variant without the checks whose
//! indices the macro can bound in terms of the launch, and a launch runs it only when those
//! bounds provably hold for its range and arguments. Each test runs a kernel where the proof
//! holds (exact results against the host) and where it does not (the checked variant runs and
//! reports the failure), and asks [`dpex::assumptions_hold`] which one applies.

mod common;

use common::{nonzero_f32, queue, rng};
use dpex::prelude::*;
use dpex::{Error, KernelSpec};

/// The proven variant of a kernel, which must exist.
fn proven(spec: Option<&'static KernelSpec>) -> &'static KernelSpec {
    spec.expect("the kernel has a variant without provable checks")
}

/// The `OutOfBounds` details of a failed launch: parameter, index, length.
fn out_of_bounds(result: dpex::Result<()>) -> (String, u64, u64) {
    match result {
        Err(Error::OutOfBounds {
            parameter,
            index,
            len,
            ..
        }) => (parameter, index, len),
        other => panic!("expected OutOfBounds, got {other:?}"),
    }
}

/// Whether `spec`'s assumptions hold for a launch over `global` with arguments
/// `(n, x, y)`.
fn holds_for(
    spec: &KernelSpec,
    global: &[usize],
    n: usize,
    x: &Tensor<f32>,
    y: &mut Tensor<f32>,
) -> bool {
    let args = [dpex::__private::KernelArg::scalar(n), x.into(), y.into()];
    dpex::assumptions_hold(spec, global, None, &args)
}

/// y = a * x + y, as the examples write it: no explicit bound.
#[kernel]
fn saxpy(item: Item<1>, a: f32, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] += a * x[i];
}

#[test]
fn saxpy_runs_without_checks_when_the_range_fits_its_tensors() -> dpex::Result<()> {
    let q = queue();
    let n = 1537;
    let (hx, hy) = (nonzero_f32(&mut rng(1), n), nonzero_f32(&mut rng(2), n));
    let x = Tensor::from_slice(&q, &hx)?;
    let mut y = Tensor::from_slice(&q, &hy)?;
    let spec = proven(saxpy.proven_spec());
    // Nothing is left to check: no error record at all.
    assert!(!spec.reports_errors);
    assert!(saxpy.spec().reports_errors);
    let args = [
        dpex::__private::KernelArg::scalar(2.5f32),
        (&x).into(),
        (&mut y).into(),
    ];
    assert!(dpex::assumptions_hold(spec, &[n], None, &args));
    assert!(!dpex::assumptions_hold(spec, &[n + 1], None, &args));
    saxpy.launch(Range::new([n]), (2.5, &x, &mut y))?.wait()?;
    let want: Vec<f32> = hx.iter().zip(&hy).map(|(x, y)| y + 2.5 * x).collect();
    assert_eq!(y.to_vec()?, want);
    // One work-item too many: the checked variant runs and reports it.
    let (parameter, index, len) =
        out_of_bounds(saxpy.launch(Range::new([n + 1]), (2.5, &x, &mut y))?.wait());
    // `y[i] += a * x[i]` evaluates its right side first, as Rust does.
    assert_eq!((parameter.as_str(), index, len), ("x", n as u64, n as u64));
    Ok(())
}

#[test]
fn launching_the_proven_variant_where_it_does_not_hold_is_refused() -> dpex::Result<()> {
    let q = queue();
    let x = Tensor::from_slice(&q, &nonzero_f32(&mut rng(3), 64))?;
    let mut y = Tensor::<f32>::zeros(&q, 64)?;
    let spec = proven(saxpy.proven_spec());
    let args = [
        dpex::__private::KernelArg::scalar(1.0f32),
        (&x).into(),
        (&mut y).into(),
    ];
    match dpex::__private::launch(spec, &[65], None, None, &args) {
        Err(Error::AssumptionsNotMet { kernel }) => assert_eq!(kernel, "saxpy"),
        other => panic!("expected AssumptionsNotMet, got {other:?}"),
    }
    assert_eq!(y.to_vec()?, vec![0.0; 64]);
    Ok(())
}

/// `if i < n`: the condition bounds `i` by the scalar `n`, whatever the range.
#[kernel]
fn below_n(item: Item<1>, n: usize, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    if i < n {
        y[i] = 2.0 * x[i];
    }
}

#[test]
fn a_condition_bounds_the_index_it_compares() -> dpex::Result<()> {
    let q = queue();
    let n = 1000;
    let hx = nonzero_f32(&mut rng(4), n);
    let x = Tensor::from_slice(&q, &hx)?;
    let mut y = Tensor::<f32>::zeros(&q, n)?;
    let spec = proven(below_n.proven_spec());
    assert!(!spec.reports_errors);
    // A range twice too large is fine: the condition keeps i below n = the length.
    assert!(holds_for(spec, &[2 * n], n, &x, &mut y));
    below_n
        .launch(Range::new([2 * n]), (n, &x, &mut y))?
        .wait()?;
    let want: Vec<f32> = hx.iter().map(|v| 2.0 * v).collect();
    assert_eq!(y.to_vec()?, want);
    // n beyond the length: not provable, checked, reported.
    assert!(!holds_for(spec, &[2 * n], n + 5, &x, &mut y));
    let (parameter, index, len) = out_of_bounds(
        below_n
            .launch(Range::new([2 * n]), (n + 5, &x, &mut y))?
            .wait(),
    );
    assert_eq!(parameter, "x");
    assert_eq!(len, n as u64);
    assert!((n as u64..n as u64 + 5).contains(&index));
    Ok(())
}

/// A 3-point stencil over the interior: `i - 1` and `i + 1` are in bounds under the condition,
/// for any range.
#[kernel]
fn smooth(item: Item<1>, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    if i > 0 && i < x.len() - 1 && i < y.len() {
        y[i] = x[i - 1] + 2.0 * x[i] + x[i + 1];
    }
}

#[test]
fn neighbours_inside_the_interior_need_no_checks() -> dpex::Result<()> {
    let q = queue();
    let n = 777;
    let hx = nonzero_f32(&mut rng(5), n);
    let x = Tensor::from_slice(&q, &hx)?;
    let mut y = Tensor::<f32>::zeros(&q, n)?;
    let spec = proven(smooth.proven_spec());
    assert!(!spec.reports_errors);
    for range in [n, n + 100] {
        let args = [(&x).into(), (&mut y).into()];
        assert!(dpex::assumptions_hold(spec, &[range], None, &args));
        smooth.launch(Range::new([range]), (&x, &mut y))?.wait()?;
    }
    let mut want = vec![0.0f32; n];
    for i in 1..n - 1 {
        want[i] = hx[i - 1] + 2.0 * hx[i] + hx[i + 1];
    }
    assert_eq!(y.to_vec()?, want);
    Ok(())
}

/// Row sums of a `rows x k` row-major matrix: the loop variable lies below `k`.
#[kernel]
fn row_sums(item: Item<1>, k: usize, a: &Tensor<f32>, sums: &mut Tensor<f32>) {
    let row = item.get_id(0);
    let mut acc = 0.0f32;
    for e in 0..k {
        acc += a[row * k + e];
    }
    sums[row] = acc;
}

#[test]
fn a_counted_loop_bounds_its_variable() -> dpex::Result<()> {
    let q = queue();
    let (rows, k) = (300, 37);
    let ha = nonzero_f32(&mut rng(6), rows * k);
    let a = Tensor::from_slice(&q, &ha)?;
    let mut sums = Tensor::<f32>::zeros(&q, rows)?;
    let spec = proven(row_sums.proven_spec());
    assert!(!spec.reports_errors);
    assert!(holds_for(spec, &[rows], k, &a, &mut sums));
    row_sums
        .launch(Range::new([rows]), (k, &a, &mut sums))?
        .wait()?;
    // Not bit-exact: Intel's CPU compiler reorders this loop's sums once it vectorizes it (the
    // `#[kernel(unchecked)]` build does the same; the SPIR-V adds in order). So: within 1e-5
    // of the row's magnitude, against an f64 sum.
    for (row, (got, values)) in sums.to_vec()?.iter().zip(ha.chunks(k)).enumerate() {
        let want: f64 = values.iter().map(|&v| f64::from(v)).sum();
        let scale: f64 = values.iter().map(|&v| f64::from(v).abs()).sum();
        let error = (f64::from(*got) - want).abs();
        assert!(error <= 1e-5 * scale, "row {row}: {got} against {want}");
    }
    // A k one too large reads past the end in the last row.
    assert!(!holds_for(spec, &[rows], k + 1, &a, &mut sums));
    let (parameter, _, len) = out_of_bounds(
        row_sums
            .launch(Range::new([rows]), (k + 1, &a, &mut sums))?
            .wait(),
    );
    assert_eq!((parameter.as_str(), len), ("a", (rows * k) as u64));
    Ok(())
}

/// A 2-d 5-point stencil over the interior, the range being the interior's size.
#[kernel]
fn stencil_2d(item: Item<2>, src: &Tensor<f32, 2>, dst: &mut Tensor<f32, 2>) {
    let (i, j) = (item.get_id(0) + 1, item.get_id(1) + 1);
    dst[[i, j]] = 0.5 * src[[i, j]]
        + 0.125 * (src[[i - 1, j]] + src[[i + 1, j]] + src[[i, j - 1]] + src[[i, j + 1]]);
}

#[test]
fn offsets_of_two_dimensional_ids_are_proven_per_axis() -> dpex::Result<()> {
    let q = queue();
    let (rows, cols) = (45, 70);
    let host = nonzero_f32(&mut rng(7), rows * cols);
    let src = Tensor::from_fn(&q, [rows, cols], |[i, j]| host[i * cols + j])?;
    let mut dst = Tensor::<f32, 2>::zeros(&q, [rows, cols])?;
    let spec = proven(stencil_2d.proven_spec());
    assert!(!spec.reports_errors);
    let interior = [rows - 2, cols - 2];
    let args = [(&src).into(), (&mut dst).into()];
    assert!(dpex::assumptions_hold(spec, &interior, None, &args));
    assert!(!dpex::assumptions_hold(
        spec,
        &[rows - 1, cols - 2],
        None,
        &args
    ));
    stencil_2d
        .launch(Range::new(interior), (&src, &mut dst))?
        .wait()?;
    let at = |i: usize, j: usize| host[i * cols + j];
    let got = dst.to_vec()?;
    for i in 1..rows - 1 {
        for j in 1..cols - 1 {
            let want = 0.5 * at(i, j)
                + 0.125 * (at(i - 1, j) + at(i + 1, j) + at(i, j - 1) + at(i, j + 1));
            assert_eq!(got[i * cols + j], want, "({i}, {j})");
        }
    }
    let (parameter, index, len) = out_of_bounds(
        stencil_2d
            .launch(Range::new([rows - 1, cols - 2]), (&src, &mut dst))?
            .wait(),
    );
    assert_eq!(parameter, "src");
    assert_eq!((index, len), (rows as u64, rows as u64));
    Ok(())
}

/// The 5-point stencil over a flattened grid, border cells copied: the border test that
/// follows the index's definition is what bounds its neighbours.
#[kernel]
fn flat_stencil(item: Item<2>, rows: usize, cols: usize, x: &Tensor<f32>, out: &mut Tensor<f32>) {
    let j = item.get_id(0);
    let i = item.get_id(1);
    if i < rows && j < cols {
        let at = i * cols + j;
        if i == 0 || j == 0 || i == rows - 1 || j == cols - 1 {
            out[at] = x[at];
        } else {
            out[at] = x[at - cols] + x[at + cols] + x[at - 1] + x[at + 1] - 4.0 * x[at];
        }
    }
}

#[test]
fn a_border_test_after_the_index_bounds_its_neighbours() -> dpex::Result<()> {
    let q = queue();
    let (rows, cols) = (33, 50);
    let host = nonzero_f32(&mut rng(10), rows * cols);
    let x = Tensor::from_slice(&q, &host)?;
    let mut out = Tensor::<f32>::zeros(&q, rows * cols)?;
    let spec = proven(flat_stencil.proven_spec());
    assert!(!spec.reports_errors);
    let args = |rows: usize| {
        [
            dpex::__private::KernelArg::scalar(rows),
            dpex::__private::KernelArg::scalar(cols),
            (&x).into(),
        ]
    };
    let holds = |global: [usize; 2], rows: usize, out: &mut Tensor<f32>| {
        let [a, b, c] = args(rows);
        dpex::assumptions_hold(spec, &global, None, &[a, b, c, out.into()])
    };
    assert!(holds([cols, rows], rows, &mut out));
    // A larger range is still bounded by the condition.
    assert!(holds([cols + 7, rows + 3], rows, &mut out));
    // More rows than the tensor holds: not provable.
    assert!(!holds([cols, rows + 1], rows + 1, &mut out));
    flat_stencil
        .launch(Range::new([cols + 7, rows + 3]), (rows, cols, &x, &mut out))?
        .wait()?;
    let got = out.to_vec()?;
    for i in 0..rows {
        for j in 0..cols {
            let at = i * cols + j;
            let want = if i == 0 || j == 0 || i == rows - 1 || j == cols - 1 {
                host[at]
            } else {
                host[at - cols] + host[at + cols] + host[at - 1] + host[at + 1] - 4.0 * host[at]
            };
            assert_eq!(got[at], want, "({i}, {j})");
        }
    }
    Ok(())
}

/// Doubles a 2-d tensor into another: run on a transposed view, the strided variant.
#[kernel]
fn double_2d(item: Item<2>, x: &Tensor<f32, 2>, y: &mut Tensor<f32, 2>) {
    let (i, j) = (item.get_id(0), item.get_id(1));
    y[[i, j]] = 2.0 * x[[i, j]];
}

#[test]
fn views_of_any_strides_have_a_proven_variant_too() -> dpex::Result<()> {
    let q = queue();
    let (rows, cols) = (37, 53);
    let host = nonzero_f32(&mut rng(12), rows * cols);
    let x = Tensor::from_fn(&q, [rows, cols], |[i, j]| host[i * cols + j])?;
    let xt = x.transpose();
    let mut y = Tensor::<f32, 2>::zeros(&q, [cols, rows])?;
    let spec = proven(double_2d.proven_spec_for_layout(&[], false));
    assert!(!spec.reports_errors);
    let args = [(&xt).into(), (&mut y).into()];
    assert!(dpex::assumptions_hold(spec, &[cols, rows], None, &args));
    assert!(!dpex::assumptions_hold(
        spec,
        &[cols, rows + 1],
        None,
        &args
    ));
    double_2d
        .launch(Range::new([cols, rows]), (&xt, &mut y))?
        .wait()?;
    let got = y.to_vec()?;
    for j in 0..cols {
        for i in 0..rows {
            assert_eq!(got[j * rows + i], 2.0 * host[i * cols + j], "({j}, {i})");
        }
    }
    assert_eq!(
        dpex::program_builds(spec),
        1,
        "the strided proven variant ran"
    );
    let (parameter, index, len) = out_of_bounds(
        double_2d
            .launch(Range::new([cols, rows + 1]), (&xt, &mut y))?
            .wait(),
    );
    assert_eq!(parameter, "x");
    assert_eq!((index, len), (rows as u64, rows as u64));
    Ok(())
}

/// `if i >= n { return; }`: the rest of the kernel knows `i < n`.
#[kernel]
fn early_exit(item: Item<1>, n: usize, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    if i >= n {
        return;
    }
    y[i] = x[i] + 1.0;
}

#[test]
fn an_early_return_bounds_the_rest_of_the_kernel() -> dpex::Result<()> {
    let q = queue();
    let n = 500;
    let hx = nonzero_f32(&mut rng(8), n);
    let x = Tensor::from_slice(&q, &hx)?;
    let mut y = Tensor::<f32>::zeros(&q, n)?;
    let spec = proven(early_exit.proven_spec());
    assert!(!spec.reports_errors);
    early_exit
        .launch(Range::new([n + 64]), (n, &x, &mut y))?
        .wait()?;
    let want: Vec<f32> = hx.iter().map(|v| v + 1.0).collect();
    assert_eq!(y.to_vec()?, want);
    Ok(())
}

/// A grid-stride loop: `while i < x.len()` bounds the `let mut` index until it steps.
#[kernel]
fn strided_sum(item: Item<1>, x: &Tensor<f32>, sums: &mut Tensor<f32>) {
    let mut i = item.get_id(0);
    let mut acc = 0.0f32;
    while i < x.len() {
        acc += x[i];
        i += item.get_range(0);
    }
    sums[item.get_id(0)] = acc;
}

/// The same loop reading one past the index after stepping: that read stays checked.
#[kernel]
fn strided_next(item: Item<1>, x: &Tensor<f32>, sums: &mut Tensor<f32>) {
    let mut i = item.get_id(0);
    let mut acc = 0.0f32;
    while i < x.len() {
        i += item.get_range(0);
        acc += x[i];
    }
    sums[item.get_id(0)] = acc;
}

#[test]
fn a_while_condition_bounds_a_mutable_index_until_it_changes() -> dpex::Result<()> {
    let q = queue();
    let (n, workers) = (10_000, 96);
    let hx = nonzero_f32(&mut rng(11), n);
    let x = Tensor::from_slice(&q, &hx)?;
    let mut sums = Tensor::<f32>::zeros(&q, workers)?;
    let spec = proven(strided_sum.proven_spec());
    assert!(!spec.reports_errors);
    strided_sum
        .launch(Range::new([workers]), (&x, &mut sums))?
        .wait()?;
    let got = sums.to_vec()?;
    for (w, got) in got.iter().enumerate() {
        let want = hx
            .iter()
            .skip(w)
            .step_by(workers)
            .fold(0.0f32, |a, v| a + v);
        assert_eq!(*got, want, "worker {w}");
    }
    // After `i += ...` nothing bounds `i`: x[i] keeps its check, and the last step fails.
    assert!(strided_next.proven_spec().is_none_or(|p| p.reports_errors));
    let (parameter, index, len) = out_of_bounds(
        strided_next
            .launch(Range::new([workers]), (&x, &mut sums))?
            .wait(),
    );
    assert_eq!(parameter, "x");
    assert_eq!(len, n as u64);
    assert!(index >= n as u64);
    Ok(())
}

/// Gathers `x[idx[i]]`: the data-dependent index keeps its check in the proven variant.
#[kernel]
fn gather(item: Item<1>, idx: &Tensor<u32>, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    let mut j = idx[i] as usize;
    j += 0;
    y[i] = x[j];
}

#[test]
fn indices_the_launch_cannot_bound_stay_checked() -> dpex::Result<()> {
    let q = queue();
    let n = 256;
    let hx = nonzero_f32(&mut rng(9), n);
    let mut hidx: Vec<u32> = (0..n as u32).rev().collect();
    hidx[17] = n as u32 + 40;
    let idx = Tensor::from_slice(&q, &hidx)?;
    let x = Tensor::from_slice(&q, &hx)?;
    let mut y = Tensor::<f32>::zeros(&q, n)?;
    // idx[i] and y[i] are proven; x[j] is checked in both variants.
    let spec = proven(gather.proven_spec());
    assert!(spec.reports_errors);
    let args = [(&idx).into(), (&x).into(), (&mut y).into()];
    assert!(dpex::assumptions_hold(spec, &[n], None, &args));
    let (parameter, index, len) =
        out_of_bounds(gather.launch(Range::new([n]), (&idx, &x, &mut y))?.wait());
    assert_eq!(
        (parameter.as_str(), index, len),
        ("x", n as u64 + 40, n as u64)
    );
    let got = y.to_vec()?;
    for (i, &j) in hidx.iter().enumerate() {
        if i != 17 {
            assert_eq!(got[i], hx[j as usize], "y[{i}]");
        }
    }
    Ok(())
}

/// No proven variant for a kernel whose every index depends on mutable state.
#[kernel]
fn walk(item: Item<1>, steps: usize, x: &mut Tensor<f32>) {
    let mut i = item.get_id(0);
    i += steps;
    x[i] += 1.0;
}

#[test]
fn kernels_without_provable_indices_have_one_safe_variant() -> dpex::Result<()> {
    assert!(walk.proven_spec().is_none());
    let q = queue();
    let mut x = Tensor::<f32>::zeros(&q, 10)?;
    let (parameter, index, len) = out_of_bounds(walk.launch(Range::new([10]), (1, &mut x))?.wait());
    assert_eq!((parameter.as_str(), index, len), ("x", 10, 10));
    Ok(())
}

/// Tensors of every length asked for, allocated once (reads and writes in separate pools, so
/// that a launch's `&` and `&mut` arguments are different tensors).
struct Pool {
    queue: Queue,
    tensors: std::collections::HashMap<(usize, bool), Tensor<f32>>,
}

impl Pool {
    fn get(&mut self, len: usize, writable: bool) -> &mut Tensor<f32> {
        let queue = &self.queue;
        self.tensors
            .entry((len, writable))
            .or_insert_with(|| Tensor::zeros(queue, len).unwrap_or_else(|e| panic!("{e}")))
    }

    /// `assumptions_hold` for `spec` over `global` with a `usize` scalar per entry of `scalars`,
    /// then a read tensor of `read` elements and a written one of `written`.
    fn holds(
        &mut self,
        spec: &KernelSpec,
        global: &[usize],
        scalars: &[usize],
        read: usize,
        written: usize,
    ) -> bool {
        self.get(read, false);
        self.get(written, true);
        let mut args: Vec<dpex::__private::KernelArg> = scalars
            .iter()
            .map(|&s| dpex::__private::KernelArg::scalar(s))
            .collect();
        let (mut x, mut y) = (None, None);
        for ((len, writable), tensor) in self.tensors.iter_mut() {
            if *len == read && !writable {
                x = Some(tensor);
            } else if *len == written && *writable {
                y = Some(tensor);
            }
        }
        args.push((&*x.expect("the read tensor")).into());
        args.push(y.expect("the written tensor").into());
        dpex::assumptions_hold(spec, global, None, &args)
    }
}

/// The random launches of a soundness test: how many there were and, per kernel, how many its
/// proof held for.
#[derive(Default)]
struct Tally {
    cases: usize,
    held_by: std::collections::HashMap<String, usize>,
}

impl Tally {
    /// One launch of kernel `name`: its proof may hold only if no access is out of bounds.
    fn record(&mut self, name: &str, holds: bool, oob: bool, case: String) {
        self.cases += 1;
        *self.held_by.entry(name.to_string()).or_default() += usize::from(holds);
        assert!(
            !(holds && oob),
            "{name}: proof held but {case} reads or writes out of bounds"
        );
    }

    /// Not vacuous: a good share of the launches of the `kernels` kernels is proven, some of
    /// every kernel's.
    fn assert_not_vacuous(&self, kernels: usize) {
        let held: usize = self.held_by.values().sum();
        assert!(
            held * 5 > self.cases,
            "only {held} of {} launches proven",
            self.cases
        );
        assert_eq!(self.held_by.len(), kernels, "{:?}", self.held_by);
        assert!(self.held_by.values().all(|&h| h > 0), "{:?}", self.held_by);
    }
}

/// Whether any access of a work-item would be out of bounds, simulated on the host with the
/// kernel's own (wrapping `u64`) index arithmetic; `index < len` per access.
fn any_out_of_bounds(accesses: impl IntoIterator<Item = (u64, usize)>) -> bool {
    accesses.into_iter().any(|(index, len)| index >= len as u64)
}

#[test]
fn a_proof_never_holds_where_an_access_would_be_out_of_bounds() {
    let mut pool = Pool {
        queue: queue(),
        tensors: Default::default(),
    };
    let mut rng = rng(13);
    use rand::Rng;
    let mut small = || rng.random_range(0..=20usize);
    let mut tally = Tally::default();
    for _ in 0..400 {
        let (g, n, lx, ly) = (small().max(1), small(), small(), small());
        // below_n: `if i < n { y[i] = 2.0 * x[i] }`.
        let spec = proven(below_n.proven_spec());
        let oob = (0..g as u64)
            .filter(|&i| i < n as u64)
            .any(|i| any_out_of_bounds([(i, lx), (i, ly)]));
        let holds = pool.holds(spec, &[g], &[n], lx, ly);
        tally.record("below_n", holds, oob, format!("g={g} n={n} x={lx} y={ly}"));
        // early_exit: `if i >= n { return; } y[i] = x[i] + 1.0`.
        let spec = proven(early_exit.proven_spec());
        let holds = pool.holds(spec, &[g], &[n], lx, ly);
        tally.record(
            "early_exit",
            holds,
            oob,
            format!("g={g} n={n} x={lx} y={ly}"),
        );
        // smooth: `if i > 0 && i < x.len() - 1 && i < y.len() { x[i - 1], x[i], x[i + 1], y[i] }`.
        let spec = proven(smooth.proven_spec());
        let oob = (0..g as u64)
            .filter(|&i| i > 0 && i < (lx as u64).wrapping_sub(1) && i < ly as u64)
            .any(|i| any_out_of_bounds([(i - 1, lx), (i, lx), (i + 1, lx), (i, ly)]));
        let holds = pool.holds(spec, &[g], &[], lx, ly);
        tally.record("smooth", holds, oob, format!("g={g} x={lx} y={ly}"));
        // strided_sum: `while i < x.len() { x[i]; i += g }; sums[gid]`.
        let spec = proven(strided_sum.proven_spec());
        let oob = (0..g as u64).any(|gid| {
            let reads = (gid..lx as u64).step_by(g).map(|i| (i, lx));
            any_out_of_bounds(reads.chain([(gid, ly)]))
        });
        let holds = pool.holds(spec, &[g], &[], lx, ly);
        tally.record("strided_sum", holds, oob, format!("g={g} x={lx} sums={ly}"));
        // row_sums: `for e in 0..k { a[row * k + e] }; sums[row]`, a of about g * k elements.
        let k = small();
        let la = (g * k).saturating_add_signed(rng_offset(&mut small));
        let spec = proven(row_sums.proven_spec());
        let oob = (0..g as u64).any(|row| {
            let reads = (0..k as u64).map(|e| (row * k as u64 + e, la));
            any_out_of_bounds(reads.chain([(row, ly)]))
        });
        let holds = pool.holds(spec, &[g], &[k], la, ly);
        tally.record(
            "row_sums",
            holds,
            oob,
            format!("g={g} k={k} a={la} sums={ly}"),
        );
        // flat_stencil over a rows x cols grid in tensors of about rows * cols elements.
        let (g0, g1, rows, cols) = (small().max(1), small().max(1), small(), small());
        let (lx, lo) = (
            (rows * cols).saturating_add_signed(rng_offset(&mut small)),
            (rows * cols).saturating_add_signed(rng_offset(&mut small)),
        );
        let spec = proven(flat_stencil.proven_spec());
        let (r, c) = (rows as u64, cols as u64);
        let oob = (0..g0 as u64).any(|j| {
            (0..g1 as u64).any(|i| {
                if !(i < r && j < c) {
                    return false;
                }
                let at = i.wrapping_mul(c).wrapping_add(j);
                if i == 0 || j == 0 || i == r.wrapping_sub(1) || j == c.wrapping_sub(1) {
                    any_out_of_bounds([(at, lo), (at, lx)])
                } else {
                    any_out_of_bounds([
                        (at.wrapping_sub(c), lx),
                        (at.wrapping_add(c), lx),
                        (at.wrapping_sub(1), lx),
                        (at.wrapping_add(1), lx),
                        (at, lx),
                        (at, lo),
                    ])
                }
            })
        });
        let holds = pool.holds(spec, &[g0, g1], &[rows, cols], lx, lo);
        tally.record(
            "flat_stencil",
            holds,
            oob,
            format!("g=[{g0}, {g1}] rows={rows} cols={cols} x={lx} out={lo}"),
        );
    }
    tally.assert_not_vacuous(6);
}

/// A small signed offset around an exact size: -2 to +2.
fn rng_offset(small: &mut impl FnMut() -> usize) -> isize {
    (small() % 5) as isize - 2
}

// Trickier shapes for the soundness test below: each reads `x` and writes `y`, both of any
// length, with scalar parameters `n` and `s`.

/// Division and remainder by literals.
#[kernel]
fn by_literals(item: Item<1>, n: usize, s: usize, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    let j = i / 3 * 2 + i % 3 + s;
    if i < n {
        y[i] = x[j];
    }
}

/// `min` of a scalar and a length, then an offset read below it.
#[kernel]
fn under_min(item: Item<1>, n: usize, s: usize, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    let lo = n.min(x.len());
    if i >= 2 && i <= lo && s < 3 {
        y[i - 2] = x[i - 2 + s];
    }
}

/// A halving bound and a shrinking `let mut`.
#[kernel]
fn halving(item: Item<1>, n: usize, s: usize, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    let mut h = n;
    let mut acc = 0.0f32;
    while h > 0 {
        if i < h {
            acc += x[i + h - 1];
        }
        h /= 2;
    }
    if i < s {
        y[i] = acc;
    }
}

/// A bool cast and a loop from a scalar start.
#[kernel]
fn from_start(item: Item<1>, n: usize, s: usize, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    let b = (i > n) as usize;
    let mut acc = 0.0f32;
    for e in s..n {
        acc += x[e - s + b];
    }
    if i < n {
        y[i] = acc;
    }
}

#[test]
fn trickier_proofs_never_hold_where_an_access_would_be_out_of_bounds() {
    let mut pool = Pool {
        queue: queue(),
        tensors: Default::default(),
    };
    let mut rng = rng(14);
    use rand::Rng;
    let mut tally = Tally::default();
    for _ in 0..500 {
        let mut small = || rng.random_range(0..=24usize);
        let (g, n, s, lx, ly) = (small().max(1), small(), small() % 6, small(), small());
        let (g64, n64, s64) = (g as u64, n as u64, s as u64);
        let kernels: [(&str, &KernelSpec, bool); 4] = [
            (
                "by_literals",
                proven(by_literals.proven_spec()),
                (0..g64).filter(|&i| i < n64).any(|i| {
                    let j = i / 3 * 2 + i % 3 + s64;
                    any_out_of_bounds([(j, lx), (i, ly)])
                }),
            ),
            (
                "under_min",
                proven(under_min.proven_spec()),
                (0..g64)
                    .filter(|&i| i >= 2 && i <= n64.min(lx as u64) && s64 < 3)
                    .any(|i| any_out_of_bounds([(i - 2 + s64, lx), (i - 2, ly)])),
            ),
            (
                "halving",
                proven(halving.proven_spec()),
                (0..g64).any(|i| {
                    let mut h = n64;
                    let mut reads = Vec::new();
                    while h > 0 {
                        if i < h {
                            reads.push((i + h - 1, lx));
                        }
                        h /= 2;
                    }
                    if i < s64 {
                        reads.push((i, ly));
                    }
                    any_out_of_bounds(reads)
                }),
            ),
            (
                "from_start",
                proven(from_start.proven_spec()),
                (0..g64).any(|i| {
                    let b = u64::from(i > n64);
                    let reads = (s64..n64).map(|e| ((e - s64).wrapping_add(b), lx));
                    let writes = (i < n64).then_some((i, ly));
                    any_out_of_bounds(reads.chain(writes))
                }),
            ),
        ];
        for (name, spec, oob) in kernels {
            let holds = pool.holds(spec, &[g], &[n, s], lx, ly);
            let case = format!("g={g} n={n} s={s} x={lx} y={ly}");
            tally.record(name, holds, oob, case);
        }
    }
    tally.assert_not_vacuous(4);
}
