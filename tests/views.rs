//! Tensor views passed to kernels: a transposed 2-d tensor, strided slices and views with an
//! offset are read and written at the right elements (the kernel honours offsets and strides).
//! Rows inside kernels (`a[i][j]`, `a.row(i)[j]`, `let r = a.row(i);`) address the same
//! elements as `a[[i, j]]`, with the same bounds checks.

mod common;

use common::{assert_close_f32, nonzero_f32, queue, rng};
use dpex::prelude::*;
use dpex::Error;
use rand::Rng;

/// `dst[i][j] = 2 * src[i][j] + i` over a 2-d range, for any layout of `src` and `dst`.
#[kernel]
fn scale_2d(item: Item<2>, src: &Tensor<f32, 2>, dst: &mut Tensor<f32, 2>) {
    let (i, j) = (item.get_id(0), item.get_id(1));
    dst[[i, j]] = 2.0 * src[[i, j]] + i as f32;
}

/// `y[i] = x[i] * 3 - y[i]` over a 1-d range, for any layout of `x` and `y`.
#[kernel]
fn axpy_1d(item: Item<1>, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    if i < x.len() {
        y[i] = x[i] * 3.0 - y[i];
    }
}

#[test]
fn a_transposed_tensor_is_read_through_its_strides() -> dpex::Result<()> {
    let q = queue();
    let (rows, cols) = (37, 53);
    let host = nonzero_f32(&mut rng(61), rows * cols);
    let a = Tensor::from_vec_shape(&q, host.clone(), [rows, cols])?;
    let at = a.transpose();
    assert!(!at.is_contiguous());
    let mut out = Tensor::<f32, 2>::zeros(&q, [cols, rows])?;
    scale_2d
        .launch(Range::new([cols, rows]), (&at, &mut out))?
        .wait()?;
    let got = out.to_vec()?;
    for i in 0..cols {
        for j in 0..rows {
            let want = 2.0 * host[j * cols + i] + i as f32;
            assert_eq!(got[i * rows + j], want, "element ({i}, {j})");
        }
    }
    Ok(())
}

#[test]
fn a_transposed_output_is_written_through_its_strides() -> dpex::Result<()> {
    let q = queue();
    let (rows, cols) = (29, 31);
    let host = nonzero_f32(&mut rng(62), rows * cols);
    let src = Tensor::from_vec_shape(&q, host.clone(), [rows, cols])?;
    let dst = Tensor::<f32, 2>::zeros(&q, [cols, rows])?;
    let mut dst_t = dst.transpose();
    scale_2d
        .launch(Range::new([rows, cols]), (&src, &mut dst_t))?
        .wait()?;
    // dst_t[i][j] is dst[j][i]: dst holds the scaled transpose.
    let got = dst.to_vec()?;
    for i in 0..rows {
        for j in 0..cols {
            assert_eq!(
                got[j * rows + i],
                2.0 * host[i * cols + j] + i as f32,
                "element ({i}, {j})"
            );
        }
    }
    Ok(())
}

#[test]
fn strided_slices_and_offsets_are_honoured() -> dpex::Result<()> {
    let q = queue();
    let n = 3001;
    let mut r = rng(63);
    let (hx, hy) = (nonzero_f32(&mut r, n), nonzero_f32(&mut r, n));
    let x = Tensor::from_slice(&q, &hx)?;
    let y = Tensor::from_slice(&q, &hy)?;
    // Every third element of x from 2, into y from 100 (an offset view) with step 2.
    let xs = x.slice([AxisSlice::new(2, n, 3)])?;
    let count = xs.len();
    let mut ys = y.slice([AxisSlice::new(100, 100 + 2 * count, 2)])?;
    assert_eq!(ys.len(), count);
    axpy_1d
        .launch(Range::new([count + 5]), (&xs, &mut ys))?
        .wait()?;
    let got = y.to_vec()?;
    let mut want = hy.clone();
    for k in 0..count {
        want[100 + 2 * k] = hx[2 + 3 * k] * 3.0 - hy[100 + 2 * k];
    }
    assert_eq!(got, want);
    // A contiguous view with an offset takes the contiguous variant of the kernel.
    let tail = x.slice([AxisSlice::new(1000, n, 1)])?;
    let mut head = y.slice([AxisSlice::new(0, n - 1000, 1)])?;
    assert!(tail.is_contiguous() && head.is_contiguous());
    axpy_1d
        .launch(Range::new([n - 1000]), (&tail, &mut head))?
        .wait()?;
    let got = y.to_vec()?;
    for k in 0..n - 1000 {
        assert_eq!(got[k], hx[1000 + k] * 3.0 - want[k], "element {k}");
    }
    Ok(())
}

#[test]
fn both_layout_variants_exist_and_differ() {
    let contiguous = scale_2d.spec_for_layout(&[], true);
    let strided = scale_2d.spec_for_layout(&[], false);
    let (Some(contiguous), Some(strided)) = (contiguous, strided) else {
        panic!("scale_2d has both variants");
    };
    assert_ne!(contiguous.spirv, strided.spirv);
}

/// Every way of reaching a row: `a[i][j]`, `a.row(i)[j]`, a row bound with `let`, its
/// `len()`, compound assignment through `out[i][j]` and through `out.row_mut(i)`.
#[kernel]
fn row_views(item: Item<2>, a: &Tensor<f32, 2>, b: &Tensor<f32, 2>, out: &mut Tensor<f32, 2>) {
    let (i, j) = (item.get_id(0), item.get_id(1));
    let r = b.row(i);
    out[i][j] = a[i][j] * 2.0 - r[j];
    out[i][j] += r.len() as f32 + a.row(i)[j] + r.shape(0) as f32;
    out.row_mut(i)[j] *= 0.5;
    let w = out.row_mut(i);
    w[j] -= (&a[i])[j];
    let v = &mut out[i];
    v[j] += 1.0;
}

/// The host's value of [`row_views`] at `(i, j)`.
fn row_views_want(a: f32, b: f32, cols: usize) -> f32 {
    let mut v = a * 2.0 - b;
    v += cols as f32 + a + cols as f32;
    v *= 0.5;
    v - a + 1.0
}

/// Rows of rows of a 3-d tensor: `x[i][j][k]`, `x.row(i)` indexed `[[j, k]]` and `.row(j)`.
#[kernel]
fn row_views_3d(item: Item<3>, x: &Tensor<f32, 3>, y: &mut Tensor<f32, 3>) {
    let (i, j, k) = (item.get_id(0), item.get_id(1), item.get_id(2));
    let plane = x.row(i);
    let line = plane.row(j);
    y[i][j][k] = line[k] + plane[[j, k]] * x[i][j][k] + plane.shape(1) as f32 + line.len() as f32;
    let out_plane = y.row_mut(i);
    out_plane[j][k] += x[[i, j, k]] * plane.len() as f32;
}

/// The sum of row `i` of `m`, through a row bound in a device function.
#[dpex::func]
fn row_sum(m: &Tensor<f32, 2>, i: usize) -> f32 {
    let r = m.row(i);
    let mut s = 0.0f32;
    for j in 0..r.len() {
        s += r[j];
    }
    s
}

/// `out[i]` = the sum of row `i` of `m` plus `m[i][0]`, the row taken in a device function.
#[kernel]
fn row_sums(item: Item<1>, m: &Tensor<f32, 2>, out: &mut Tensor<f32>) {
    let i = item.get_id(0);
    out[i] = row_sum(m, i) + m[i][0];
}

/// A 2-d histogram: bin `(keys[i] % rows, keys[i] / rows % cols)` counted atomically
/// through a row.
#[kernel]
fn histogram_2d(item: Item<1>, keys: &Tensor<u32>, hist: &mut Tensor<u32, 2>) {
    let i = item.get_id(0);
    let (rows, cols) = (hist.shape(0), hist.shape(1));
    let k = keys[i] as usize;
    AtomicRef::new(&mut hist[k % rows][k / rows % cols]).fetch_add(1);
}

/// `out[i] = m[i][c]`, with a row index that may be out of bounds (`i + shift`).
#[kernel]
fn pick_row(item: Item<1>, shift: usize, c: usize, m: &Tensor<f32, 2>, out: &mut Tensor<f32>) {
    let i = item.get_id(0);
    let r = m.row(i + shift);
    out[i] = r[c] + m[i + shift][c];
}

#[test]
fn rows_of_2d_tensors_read_and_write_like_n_d_indices() -> dpex::Result<()> {
    let q = queue();
    let (rows, cols) = (23, 41);
    let mut r = rng(64);
    let (ha, hb) = (
        nonzero_f32(&mut r, rows * cols),
        nonzero_f32(&mut r, rows * cols),
    );
    let a = Tensor::from_vec_shape(&q, ha.clone(), [rows, cols])?;
    let b = Tensor::from_vec_shape(&q, hb.clone(), [rows, cols])?;
    let mut out = Tensor::<f32, 2>::zeros(&q, [rows, cols])?;
    row_views
        .launch(Range::new([rows, cols]), (&a, &b, &mut out))?
        .wait()?;
    let got = out.to_vec()?;
    for i in 0..rows {
        for j in 0..cols {
            let k = i * cols + j;
            assert_eq!(
                got[k],
                row_views_want(ha[k], hb[k], cols),
                "element ({i}, {j})"
            );
        }
    }
    // Through strides: a transposed `a` (the strided variant of the kernel).
    let at_host: Vec<f32> = (0..cols * rows)
        .map(|k| ha[(k % rows) * cols + k / rows])
        .collect();
    let at_source = Tensor::from_vec_shape(&q, at_host, [cols, rows])?;
    let at = at_source.transpose();
    assert!(!at.is_contiguous());
    row_views
        .launch(Range::new([rows, cols]), (&at, &b, &mut out))?
        .wait()?;
    assert_eq!(
        out.to_vec()?,
        got,
        "the transposed view holds the same values"
    );
    Ok(())
}

#[test]
fn rows_of_rows_of_3d_tensors() -> dpex::Result<()> {
    let q = queue();
    let (n0, n1, n2) = (5, 7, 9);
    let hx = nonzero_f32(&mut rng(65), n0 * n1 * n2);
    let x = Tensor::from_vec_shape(&q, hx.clone(), [n0, n1, n2])?;
    let mut y = Tensor::<f32, 3>::zeros(&q, [n0, n1, n2])?;
    row_views_3d
        .launch(Range::new([n0, n1, n2]), (&x, &mut y))?
        .wait()?;
    let got = y.to_vec()?;
    for (k, (&g, &v)) in got.iter().zip(&hx).enumerate() {
        let mut want = v + v * v + n2 as f32 + n2 as f32;
        want += v * (n1 * n2) as f32;
        assert_eq!(g, want, "element {k}");
    }
    Ok(())
}

#[test]
fn atomics_on_elements_of_rows() -> dpex::Result<()> {
    let q = queue();
    let (rows, cols, n) = (7, 5, 5000);
    let mut r = rng(68);
    let keys: Vec<u32> = (0..n).map(|_| r.random_range(0..10_000)).collect();
    let dk = Tensor::from_slice(&q, &keys)?;
    let mut hist = Tensor::<u32, 2>::zeros(&q, [rows, cols])?;
    histogram_2d
        .launch(Range::new([n]), (&dk, &mut hist))?
        .wait()?;
    let mut want = vec![0u32; rows * cols];
    for &k in &keys {
        let k = k as usize;
        want[(k % rows) * cols + k / rows % cols] += 1;
    }
    assert_eq!(hist.to_vec()?, want);
    Ok(())
}

#[test]
fn rows_in_device_functions() -> dpex::Result<()> {
    let q = queue();
    let (rows, cols) = (19, 13);
    let hm = nonzero_f32(&mut rng(67), rows * cols);
    let m = Tensor::from_vec_shape(&q, hm.clone(), [rows, cols])?;
    let mut out = Tensor::<f32>::zeros(&q, rows)?;
    row_sums
        .launch(Range::new([rows]), (&m, &mut out))?
        .wait()?;
    let want: Vec<f32> = (0..rows)
        .map(|i| {
            let row = &hm[i * cols..(i + 1) * cols];
            row.iter().sum::<f32>() + row[0]
        })
        .collect();
    // The driver may reassociate the loop's sum (Intel's OpenCL CPU compiler does): a few ulp.
    assert_close_f32(&out.to_vec()?, &want, 1e-5);
    Ok(())
}

#[test]
fn out_of_bounds_rows_name_the_axis() -> dpex::Result<()> {
    let q = queue();
    let (rows, cols) = (11, 6);
    let hm = nonzero_f32(&mut rng(66), rows * cols);
    let m = Tensor::from_vec_shape(&q, hm.clone(), [rows, cols])?;
    let mut out = Tensor::<f32>::zeros(&q, rows)?;
    pick_row
        .launch(Range::new([rows - 2]), (2, 3, &m, &mut out))?
        .wait()?;
    let got = out.to_vec()?;
    for i in 0..rows - 2 {
        assert_eq!(got[i], 2.0 * hm[(i + 2) * cols + 3], "element {i}");
    }
    // Axis 1: the column past the row's extent.
    let failure = |err: Option<Error>| match err {
        Some(Error::OutOfBounds {
            parameter,
            axis,
            index,
            len,
            ..
        }) => (parameter, axis, index, len),
        other => panic!("expected OutOfBounds, got {other:?}"),
    };
    let err = pick_row
        .launch(Range::new([rows]), (0, cols + 1, &m, &mut out))?
        .wait()
        .err();
    assert_eq!(
        failure(err),
        ("m".to_string(), Some(1), (cols + 1) as u64, cols as u64)
    );
    // Axis 0: the row past the tensor's extent (the last three work-items).
    let err = pick_row
        .launch(Range::new([rows]), (3, 0, &m, &mut out))?
        .wait()
        .err();
    let (parameter, axis, index, len) = failure(err);
    assert_eq!((parameter.as_str(), axis, len), ("m", Some(0), rows as u64));
    assert!((rows as u64..rows as u64 + 3).contains(&index), "{index}");
    Ok(())
}
