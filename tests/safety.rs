//! Safe kernels cannot corrupt memory: an out-of-bounds access touches nothing and makes
//! `wait()` return `OutOfBounds` with the details; integer division by zero and `MIN / -1`
//! are reported the same way. `#[kernel(unchecked)]` and `get_unchecked` opt out.

mod common;

use common::{nonzero_f32, queue, rng};
use dpex::prelude::*;
use dpex::Error;

/// Reads `x[i + shift]`: out of bounds for the last `shift` work-items.
#[kernel]
fn shifted_copy(item: Item<1>, shift: usize, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] = x[i + shift];
}

#[test]
fn an_out_of_bounds_read_is_reported_and_reads_nothing() -> dpex::Result<()> {
    let q = queue();
    let n = 1000;
    let host = nonzero_f32(&mut rng(71), n);
    let x = Tensor::from_slice(&q, &host)?;
    let mut y = Tensor::<f32>::zeros(&q, n)?;
    let err = match shifted_copy
        .launch(Range::new([n]), (3, &x, &mut y))?
        .wait()
    {
        Err(e) => e,
        Ok(()) => panic!("reading x[1002] must fail"),
    };
    match &err {
        Error::OutOfBounds {
            kernel,
            parameter,
            axis,
            index,
            len,
            work_item,
        } => {
            assert_eq!(kernel, "shifted_copy");
            assert_eq!(*axis, None, "a 1-d access names no axis");
            assert_eq!(parameter, "x");
            assert_eq!(*len, n as u64);
            assert!((n as u64..n as u64 + 3).contains(index), "{err}");
            assert_eq!(*index, *work_item + 3, "{err}");
        }
        other => panic!("expected OutOfBounds, got {other:?}"),
    }
    // The in-bounds work-items did their work; the failing ones read no memory past the end
    // (their value is unspecified, as after a panic).
    let got = y.to_vec()?;
    assert_eq!(&got[..n - 3], &host[3..]);
    // A launch that stays in bounds succeeds.
    shifted_copy
        .launch(Range::new([n - 3]), (3, &x, &mut y))?
        .wait()?;
    Ok(())
}

/// Writes `y[i * 2]`: out of bounds for the upper half of the work-items.
#[kernel]
fn spread(item: Item<1>, y: &mut Tensor<u32>) {
    let i = item.get_id(0);
    y[i * 2] = i as u32 + 1;
}

#[test]
fn an_out_of_bounds_write_is_reported_and_writes_nothing() -> dpex::Result<()> {
    let q = queue();
    let n = 512;
    // Guard tensors around the target: nothing may land outside `y`.
    let guard_before = Tensor::from_slice(&q, &vec![7u32; 4096])?;
    let mut y = Tensor::<u32>::zeros(&q, n)?;
    let guard_after = Tensor::from_slice(&q, &vec![9u32; 4096])?;
    let err = spread.launch(Range::new([n]), (&mut y,))?.wait().err();
    assert!(matches!(err, Some(Error::OutOfBounds { .. })), "{err:?}");
    let got = y.to_vec()?;
    for (k, v) in got.iter().enumerate() {
        let want = if k % 2 == 0 { k as u32 / 2 + 1 } else { 0 };
        assert_eq!(*v, want, "element {k}");
    }
    assert!(guard_before.to_vec()?.iter().all(|&v| v == 7));
    assert!(guard_after.to_vec()?.iter().all(|&v| v == 9));
    Ok(())
}

/// Out-of-bounds accesses to a private array, a 2-d tensor view and local memory.
#[kernel]
fn private_and_local(
    it: NdItem<1>,
    k: usize,
    m: &Tensor<i32, 2>,
    out: &mut Tensor<i32>,
    tmp: LocalAccessor<i32>,
) {
    let lid = it.get_local_id(0);
    let group = it.get_group();
    let mut acc = [1, 2, 3, 4];
    tmp[lid] = lid as i32;
    tmp[lid + 16] = 100;
    group_barrier(&group);
    acc[0] = m[[lid, k]];
    out[it.get_global_id(0)] = acc[0] + tmp[lid + k] + acc[k % 8];
}

#[test]
fn private_arrays_views_and_local_memory_are_checked() -> dpex::Result<()> {
    let q = queue();
    let m = Tensor::<i32, 2>::from_fn(&q, [16, 4], |[r, c]| (r * 10 + c) as i32)?;
    let mut out = Tensor::<i32>::zeros(&q, 16)?;
    // k = 2: everything in bounds.
    private_and_local
        .launch(
            NdRange::new([16], [16]),
            (2, &m, &mut out, LocalAccessor::new(32)),
        )?
        .wait()?;
    let want: Vec<i32> = (0..16)
        .map(|r| r * 10 + 2 + if r + 2 < 16 { r + 2 } else { 100 } + 3)
        .collect();
    assert_eq!(out.to_vec()?, want);
    // k = 5: acc[5] is out of bounds (first failure recorded), m[[lid, 5]] too.
    let err = private_and_local
        .launch(
            NdRange::new([16], [16]),
            (5, &m, &mut out, LocalAccessor::new(32)),
        )?
        .wait()
        .err();
    match err {
        Some(Error::OutOfBounds {
            parameter,
            index,
            len,
            ..
        }) => {
            assert!(
                parameter.contains("private array") || parameter == "m",
                "{parameter}"
            );
            assert!(index >= len, "index {index}, len {len}");
        }
        other => panic!("expected OutOfBounds, got {other:?}"),
    }
    Ok(())
}

/// An out-of-bounds index into a private array of arrays names the axis, with that axis's
/// extent as `len`, and skips the access.
#[kernel]
fn private_grid(item: Item<1>, r: usize, c: usize, x: &Tensor<i32>, out: &mut Tensor<i32>) {
    let i = item.get_id(0);
    let mut grid = [[0i32; 3]; 2];
    grid[r][c] = x[i];
    grid[1][2] += 1;
    out[i] = grid[r][c] * 10 + grid[1][2];
}

#[test]
fn private_arrays_of_arrays_are_checked_per_axis() -> dpex::Result<()> {
    let q = queue();
    let x = common::nonzero_i32(&mut rng(91), 64, -1000..1000);
    let dx = Tensor::from_slice(&q, &x)?;
    let mut out = Tensor::<i32>::zeros(&q, 64)?;
    private_grid
        .launch(Range::new([64]), (1, 2, &dx, &mut out))?
        .wait()?;
    let want: Vec<i32> = x.iter().map(|&v| (v + 1) * 10 + v + 1).collect();
    assert_eq!(out.to_vec()?, want);
    for (r, c, axis, index, len) in [(0, 3, 1, 3, 3), (2, 0, 0, 2, 2), (5, 7, 0, 5, 2)] {
        let before = Tensor::<i32>::from_slice(&q, &vec![-7; 64])?;
        let mut out = before;
        let err = private_grid
            .launch(Range::new([64]), (r, c, &dx, &mut out))?
            .wait()
            .err();
        match err {
            Some(Error::OutOfBounds {
                parameter,
                axis: got_axis,
                index: got_index,
                len: got_len,
                ..
            }) => {
                assert!(parameter.contains("private array"), "{parameter}");
                assert_eq!((got_axis, got_index, got_len), (Some(axis), index, len));
            }
            other => panic!("grid[{r}][{c}]: expected OutOfBounds, got {other:?}"),
        }
        // The skipped write leaves the array's 0; the in-bounds element still counts.
        assert!(out.to_vec()?.iter().all(|&v| v == 1), "grid[{r}][{c}]");
    }
    Ok(())
}

/// An out-of-bounds index into a 2-d local accessor names the accessor and the axis, with
/// that axis's extent.
#[kernel]
fn local_grid(it: NdItem<1>, c: usize, out: &mut Tensor<i32>, t: LocalAccessor<i32, 2>) {
    let lid = it.get_local_id(0);
    t[[lid, 0]] = lid as i32;
    t[[lid, c]] = 5;
    group_barrier(&it.get_group());
    out[it.get_global_id(0)] = t[lid][0] + t[[lid, c]];
}

#[test]
fn local_accessors_of_two_axes_are_checked_per_axis() -> dpex::Result<()> {
    let q = queue();
    let mut out = Tensor::<i32>::zeros(&q, 16)?;
    let range = NdRange::new([16], [16]);
    local_grid
        .launch(range, (1, &mut out, LocalAccessor::new([16, 3])))?
        .wait()?;
    assert_eq!(out.to_vec()?, (0..16).map(|i| i + 5).collect::<Vec<i32>>());
    let err = local_grid
        .launch(range, (3, &mut out, LocalAccessor::new([16, 3])))?
        .wait()
        .err();
    match err {
        Some(Error::OutOfBounds {
            parameter,
            axis,
            index,
            len,
            ..
        }) => assert_eq!((parameter.as_str(), axis, index, len), ("t", Some(1), 3, 3)),
        other => panic!("expected OutOfBounds, got {other:?}"),
    }
    // A shape of another rank is a type error at compile time; an empty axis at launch.
    let err = local_grid
        .launch(range, (1, &mut out, LocalAccessor::new([16, 0])))
        .err();
    assert!(
        matches!(&err, Some(Error::InvalidArgument { arg, .. }) if arg == "t"),
        "{err:?}"
    );
    Ok(())
}

/// `tmp[i] = v`, in a device function.
#[dpex::func]
fn put(tmp: LocalAccessor<i32>, i: usize, v: i32) {
    tmp[i] = v;
}

/// `put` one call deeper: the accessor is passed on.
#[dpex::func]
fn put_via(tmp: LocalAccessor<i32>, i: usize, v: i32) {
    put(tmp, i, v);
}

/// `t[[r, c]]`, in a device function.
#[dpex::func]
fn tile_at(t: LocalAccessor<i32, 2>, r: usize, c: usize) -> i32 {
    t[[r, c]]
}

/// Writes `scratch[lid + k]` and reads `grid[[lid, c]]` through device functions.
#[kernel]
fn local_in_functions(
    it: NdItem<1>,
    k: usize,
    c: usize,
    out: &mut Tensor<i32>,
    scratch: LocalAccessor<i32>,
    grid: LocalAccessor<i32, 2>,
) {
    let lid = it.get_local_id(0);
    put_via(scratch, lid + k, lid as i32);
    grid[[lid, 0]] = 10;
    grid[[lid, 1]] = 20;
    group_barrier(&it.get_group());
    out[it.get_global_id(0)] = scratch[lid] + tile_at(grid, lid, c);
}

#[test]
fn local_accessors_are_checked_inside_device_functions() -> dpex::Result<()> {
    let q = queue();
    let range = NdRange::new([16], [16]);
    let mut out = Tensor::<i32>::zeros(&q, 16)?;
    let (scratch, grid) = (LocalAccessor::new(16), LocalAccessor::new([16, 2]));
    local_in_functions
        .launch(range, (0, 1, &mut out, scratch, grid))?
        .wait()?;
    assert_eq!(out.to_vec()?, (0..16).map(|i| i + 20).collect::<Vec<i32>>());
    // The errors name the kernel's accessors, as the kernel's caller knows them.
    for (k, c, parameter, axis, index, len) in [
        (3, 0, "scratch", None, 16, 16),
        (0, 2, "grid", Some(1), 2, 2),
    ] {
        let err = local_in_functions
            .launch(range, (k, c, &mut out, scratch, grid))?
            .wait()
            .err();
        match err {
            Some(Error::OutOfBounds {
                parameter: got,
                axis: got_axis,
                index: got_index,
                len: got_len,
                ..
            }) => assert_eq!(
                (got.as_str(), got_axis, got_index, got_len),
                (parameter, axis, index, len),
                "k = {k}, c = {c}"
            ),
            other => panic!("k = {k}, c = {c}: expected OutOfBounds, got {other:?}"),
        }
    }
    Ok(())
}

/// `a / b` and `a % b` on i32.
#[kernel]
fn divide(
    item: Item<1>,
    a: &Tensor<i32>,
    b: &Tensor<i32>,
    q: &mut Tensor<i32>,
    r: &mut Tensor<i32>,
) {
    let i = item.get_id(0);
    q[i] = a[i] / b[i];
    r[i] = a[i] % b[i];
}

#[test]
fn division_by_zero_and_overflow_are_reported() -> dpex::Result<()> {
    let q = queue();
    let a = Tensor::from_slice(&q, &[7, -9, i32::MIN, 100])?;
    let mut quotient = Tensor::<i32>::zeros(&q, 4)?;
    let mut remainder = Tensor::<i32>::zeros(&q, 4)?;
    let fine = Tensor::from_slice(&q, &[2, 4, 3, -7])?;
    divide
        .launch(Range::new([4]), (&a, &fine, &mut quotient, &mut remainder))?
        .wait()?;
    assert_eq!(quotient.to_vec()?, vec![3, -2, i32::MIN / 3, -14]);
    assert_eq!(remainder.to_vec()?, vec![1, -1, i32::MIN % 3, 2]);

    let zero = Tensor::from_slice(&q, &[2, 0, 3, 5])?;
    let err = divide
        .launch(Range::new([4]), (&a, &zero, &mut quotient, &mut remainder))?
        .wait()
        .err();
    assert!(
        matches!(err, Some(Error::DivideByZero { work_item: 1, .. })),
        "{err:?}"
    );

    let minus_one = Tensor::from_slice(&q, &[2, 4, -1, 5])?;
    let err = divide
        .launch(
            Range::new([4]),
            (&a, &minus_one, &mut quotient, &mut remainder),
        )?
        .wait()
        .err();
    assert!(
        matches!(err, Some(Error::DivideOverflow { work_item: 2, .. })),
        "{err:?}"
    );

    // Launches after a failure start from a clean record (records are reused once clean).
    for _ in 0..3 {
        divide
            .launch(Range::new([4]), (&a, &fine, &mut quotient, &mut remainder))?
            .wait()?;
    }
    assert_eq!(quotient.to_vec()?, vec![3, -2, i32::MIN / 3, -14]);
    Ok(())
}

/// The same copy without checks.
#[kernel(unchecked)]
fn shifted_copy_unchecked(item: Item<1>, shift: usize, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] = x[i + shift];
}

/// Checked writes, but an unchecked read.
#[kernel]
fn gather_unchecked(item: Item<1>, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] = unsafe { x.get_unchecked(i) } * 2.0;
}

#[test]
fn unchecked_kernels_and_get_unchecked_skip_the_checks() -> dpex::Result<()> {
    assert!(shifted_copy.spec().reports_errors);
    assert!(!shifted_copy_unchecked.spec().reports_errors);
    assert!(shifted_copy_unchecked.spirv().len() < shifted_copy.spirv().len());
    let q = queue();
    let n = 777;
    let host = nonzero_f32(&mut rng(72), n);
    let x = Tensor::from_slice(&q, &host)?;
    let mut y = Tensor::<f32>::zeros(&q, n)?;
    shifted_copy_unchecked
        .launch(Range::new([n - 5]), (5, &x, &mut y))?
        .wait()?;
    assert_eq!(&y.to_vec()?[..n - 5], &host[5..]);
    gather_unchecked
        .launch(Range::new([n]), (&x, &mut y))?
        .wait()?;
    let want: Vec<f32> = host.iter().map(|v| v * 2.0).collect();
    assert_eq!(y.to_vec()?, want);
    Ok(())
}

/// The `OutOfBounds` failure of `shifted_copy` reading `len` elements of `x`, or a panic.
fn assert_shifted_copy_failed(err: Option<Error>, len: usize) {
    match &err {
        Some(Error::OutOfBounds {
            kernel,
            parameter,
            len: got,
            ..
        }) => {
            assert_eq!(kernel, "shifted_copy", "{err:?}");
            assert_eq!(parameter, "x", "{err:?}");
            assert_eq!(*got, len as u64, "{err:?}");
        }
        other => panic!("expected shifted_copy's OutOfBounds, got {other:?}"),
    }
}

#[test]
fn a_dropped_event_reports_its_failure_at_finish_once() -> dpex::Result<()> {
    let q = queue();
    let n = 600;
    let host = nonzero_f32(&mut rng(73), n);
    let x = Tensor::from_slice(&q, &host)?;
    let mut y = Tensor::<f32>::zeros(&q, n)?;
    drop(shifted_copy.launch(Range::new([n]), (2, &x, &mut y))?);
    // A clean launch dropped after it changes nothing: the failure is the first launch's.
    let mut z = Tensor::<f32>::zeros(&q, n - 4)?;
    drop(shifted_copy.launch(Range::new([n - 4]), (4, &x, &mut z))?);
    assert_shifted_copy_failed(q.finish().err(), n);
    // Reported once: the queue is clean again.
    q.finish()?;
    assert_eq!(&y.to_vec()?[..n - 2], &host[2..]);
    assert_eq!(z.to_vec()?, &host[4..]);

    // A failure its own `wait` reported is not reported again by `finish`.
    let waited = shifted_copy.launch(Range::new([n]), (1, &x, &mut y))?;
    assert_shifted_copy_failed(waited.wait().err(), n);
    drop(waited);
    q.finish()?;

    // The next `wait` on the queue reports it too, after its own launch succeeded.
    drop(shifted_copy.launch(Range::new([n]), (3, &x, &mut y))?);
    let clean = shifted_copy.launch(Range::new([n - 5]), (5, &x, &mut z))?;
    assert_shifted_copy_failed(clean.wait().err(), n);
    clean.wait()?;
    assert_eq!(&z.to_vec()?[..n - 5], &host[5..]);
    Ok(())
}

#[test]
fn a_dropped_event_reports_its_failure_at_the_next_blocking_copy() -> dpex::Result<()> {
    let q = queue();
    let mut r = rng(74);
    let n = 256;
    let a_host = common::nonzero_i32(&mut r, n, -1000..1000);
    let mut b_host = common::nonzero_i32(&mut r, n, -50..50);
    b_host[77] = 0;
    let a = Tensor::from_slice(&q, &a_host)?;
    let b = Tensor::from_slice(&q, &b_host)?;
    let mut quotient = Tensor::<i32>::zeros(&q, n)?;
    let mut remainder = Tensor::<i32>::zeros(&q, n)?;
    drop(divide.launch(Range::new([n]), (&a, &b, &mut quotient, &mut remainder))?);
    let err = quotient.to_vec().err();
    assert!(
        matches!(&err, Some(Error::DivideByZero { kernel, work_item: 77 }) if kernel == "divide"),
        "{err:?}"
    );
    // The copy itself was made; the failed division touched nothing else.
    let got = quotient.to_vec()?;
    for (i, (&x, &y)) in a_host.iter().zip(&b_host).enumerate() {
        if y != 0 {
            assert_eq!(got[i], x / y, "element {i}");
        }
    }
    // A copy to the device is a synchronization point too.
    drop(divide.launch(Range::new([n]), (&a, &b, &mut quotient, &mut remainder))?);
    let err = remainder.copy_from_host(&vec![1; n]).err();
    assert!(
        matches!(&err, Some(Error::DivideByZero { kernel, .. }) if kernel == "divide"),
        "{err:?}"
    );
    assert_eq!(remainder.to_vec()?, vec![1; n]);
    Ok(())
}

/// `out[i] = t[[i, j, k]]` for a row `j` and a column `k` given at launch.
#[kernel]
fn pick_3d(item: Item<1>, j: usize, k: usize, t: &Tensor<f32, 3>, out: &mut Tensor<f32>) {
    let i = item.get_id(0);
    out[i] = t[[i, j, k]];
}

/// `m[[r, c]]` read inside a device function.
#[dpex::func]
fn element_at(m: &Tensor<f32, 2>, r: usize, c: usize) -> f32 {
    m[[r, c]]
}

/// `out[i] = m[[i, c]]`, through [`element_at`].
#[kernel]
fn column_through_func(item: Item<1>, c: usize, m: &Tensor<f32, 2>, out: &mut Tensor<f32>) {
    let i = item.get_id(0);
    out[i] = element_at(m, i, c);
}

/// The `OutOfBounds` failure's parameter, axis, index and extent.
fn axis_failure(err: Option<Error>) -> (String, Option<usize>, u64, u64, String) {
    let text = err.as_ref().map(ToString::to_string).unwrap_or_default();
    match err {
        Some(Error::OutOfBounds {
            parameter,
            axis,
            index,
            len,
            ..
        }) => (parameter, axis, index, len, text),
        other => panic!("expected OutOfBounds, got {other:?}"),
    }
}

#[test]
fn out_of_bounds_reports_on_n_d_tensors_name_the_axis() -> dpex::Result<()> {
    let q = queue();
    let (a, b, c) = (6, 5, 7);
    let host = nonzero_f32(&mut rng(75), a * b * c);
    let t = Tensor::from_vec_shape(&q, host.clone(), [a, b, c])?;
    let mut out = Tensor::<f32>::zeros(&q, a + 2)?;
    // In bounds: the values of the host's row-major layout.
    pick_3d
        .launch(Range::new([a]), (3, 4, &t, &mut out))?
        .wait()?;
    let want: Vec<f32> = (0..a).map(|i| host[(i * b + 3) * c + 4]).collect();
    assert_eq!(&out.to_vec()?[..a], &want[..]);
    // Axis 2: k = c + 3 for every work-item.
    let err = pick_3d
        .launch(Range::new([a]), (1, c + 3, &t, &mut out))?
        .wait()
        .err();
    let (parameter, axis, index, len, text) = axis_failure(err);
    assert_eq!(
        (parameter.as_str(), axis, index, len),
        ("t", Some(2), (c + 3) as u64, c as u64)
    );
    assert!(
        text.contains(&format!("axis 2 of `t` (extent {c})")),
        "{text}"
    );
    // Axis 0 only for the last two work-items, axis 1 for all: the first axis out of bounds
    // of the failing work-item is named, with that axis's extent.
    let err = pick_3d
        .launch(Range::new([a + 2]), (b, 0, &t, &mut out))?
        .wait()
        .err();
    let (_, axis, index, len, _) = axis_failure(err);
    match axis {
        Some(0) => assert_eq!(len, a as u64, "axis 0 has extent {a}"),
        Some(1) => assert_eq!((index, len), (b as u64, b as u64)),
        other => panic!("expected axis 0 or 1, got {other:?}"),
    }
    assert!(index >= len);

    // Inside a device function too.
    let rows = 9;
    let m_host = nonzero_f32(&mut rng(76), rows * 4);
    let m = Tensor::from_vec_shape(&q, m_host.clone(), [rows, 4])?;
    let mut column = Tensor::<f32>::zeros(&q, rows)?;
    column_through_func
        .launch(Range::new([rows]), (2, &m, &mut column))?
        .wait()?;
    let want: Vec<f32> = (0..rows).map(|r| m_host[r * 4 + 2]).collect();
    assert_eq!(column.to_vec()?, want);
    let err = column_through_func
        .launch(Range::new([rows]), (6, &m, &mut column))?
        .wait()
        .err();
    // Named as the kernel names the tensor passed (`m` is the kernel's parameter 1 and the
    // function's parameter 0).
    let (parameter, axis, index, len, _) = axis_failure(err);
    assert_eq!((parameter.as_str(), axis, index, len), ("m", Some(1), 6, 4));
    Ok(())
}

/// `t[i] += v`, inside a device function.
#[dpex::func]
fn add_at(t: &mut Tensor<f32>, i: usize, v: f32) {
    t[i] += v;
}

/// [`add_at`] one call further down.
#[dpex::func]
fn add_at_via(t: &mut Tensor<f32>, i: usize, v: f32) {
    add_at(t, i, v);
}

/// `b[i + 1] += a[i]` through [`add_at`], whose first parameter is the kernel's second.
#[kernel]
fn add_next_through_func(item: Item<1>, a: &Tensor<f32>, b: &mut Tensor<f32>) {
    let i = item.get_id(0);
    add_at(b, i + 1, a[i]);
}

/// `b[i] += a[i]` and `c[i + shift] += a[i]`: [`add_at`] called with two tensors, one of them
/// through [`add_at_via`].
#[kernel]
fn add_twice_through_funcs(
    item: Item<1>,
    shift: usize,
    a: &Tensor<f32>,
    b: &mut Tensor<f32>,
    c: &mut Tensor<f32>,
) {
    let i = item.get_id(0);
    add_at(b, i, a[i]);
    add_at_via(c, i + shift, a[i]);
}

/// The parameter, index and length of an `OutOfBounds` error.
fn failure_of(err: Option<Error>) -> (String, u64, u64) {
    let (parameter, _, index, len, _) = axis_failure(err);
    (parameter, index, len)
}

#[test]
fn an_out_of_bounds_access_in_a_device_function_names_the_kernels_tensor() -> dpex::Result<()> {
    let q = queue();
    let n = 64;
    let a_host = nonzero_f32(&mut rng(77), n);
    let b_host = nonzero_f32(&mut rng(78), n + 1);
    let a = Tensor::from_slice(&q, &a_host)?;
    // In bounds: b has n + 1 elements.
    let mut b = Tensor::from_slice(&q, &b_host)?;
    add_next_through_func
        .launch(Range::new([n]), (&a, &mut b))?
        .wait()?;
    let mut want = b_host.clone();
    for i in 0..n {
        want[i + 1] += a_host[i];
    }
    assert_eq!(b.to_vec()?, want);
    // b[n] for the last work-item of n: the function's parameter 0 is the kernel's `b`.
    let mut short = Tensor::from_slice(&q, &b_host[..n])?;
    let err = add_next_through_func
        .launch(Range::new([n]), (&a, &mut short))?
        .wait()
        .err();
    assert_eq!(failure_of(err), ("b".to_owned(), n as u64, n as u64));
    // Two instances of `add_at` in one kernel, one called through `add_at_via`: each names
    // the tensor passed to it.
    let mut b = Tensor::from_slice(&q, &b_host[..n])?;
    let mut c = Tensor::from_slice(&q, &b_host[1..])?;
    add_twice_through_funcs
        .launch(Range::new([n]), (0, &a, &mut b, &mut c))?
        .wait()?;
    let sums =
        |base: &[f32]| -> Vec<f32> { base.iter().zip(&a_host).map(|(x, y)| x + y).collect() };
    assert_eq!(b.to_vec()?, sums(&b_host[..n]));
    assert_eq!(c.to_vec()?, sums(&b_host[1..]));
    let err = add_twice_through_funcs
        .launch(Range::new([n]), (3, &a, &mut b, &mut c))?
        .wait()
        .err();
    assert_eq!(failure_of(err), ("c".to_owned(), n as u64, n as u64));
    let mut short_b = Tensor::from_slice(&q, &b_host[..n - 1])?;
    let err = add_twice_through_funcs
        .launch(Range::new([n]), (0, &a, &mut short_b, &mut c))?
        .wait()
        .err();
    assert_eq!(
        failure_of(err),
        ("b".to_owned(), (n - 1) as u64, (n - 1) as u64)
    );
    Ok(())
}
