//! Tensor views passed to kernels: a transposed 2-d tensor, strided slices and views with an
//! offset are read and written at the right elements (the kernel honours offsets and strides).

mod common;

use common::{nonzero_f32, queue, rng};
use dpex::prelude::*;

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
