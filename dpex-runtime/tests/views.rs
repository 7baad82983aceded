//! N-d tensors on the real OpenCL CPU device: constructors, views (slices, transposes,
//! permutations, reshapes) and copies, each checked element by element against host index
//! arithmetic on random non-zero data.

mod common;

use dpex_runtime::{AxisSlice, Error, Queue, Tensor};
use rand::{rngs::StdRng, Rng, SeedableRng};

fn ok<T>(r: dpex_runtime::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn random(rng: &mut StdRng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(0.5f32..1000.0)).collect()
}

/// The host model of a view: element `index` is `data[offset + sum(index * strides)]`.
fn host_view<const N: usize>(
    data: &[f32],
    shape: [usize; N],
    strides: [isize; N],
    offset: usize,
) -> Vec<f32> {
    let len: usize = shape.iter().product();
    (0..len)
        .map(|flat| {
            let mut rest = flat;
            let mut at = offset as isize;
            for axis in (0..N).rev() {
                at += (rest % shape[axis]) as isize * strides[axis];
                rest /= shape[axis];
            }
            data[at as usize]
        })
        .collect()
}

/// Checks a view against the host model of its own layout over `parent` (the full buffer).
fn check_view<const N: usize>(view: &Tensor<f32, N>, parent: &[f32]) {
    let want = host_view(parent, view.shape(), view.strides(), view.offset());
    assert_eq!(ok(view.to_vec()), want, "view {view:?}");
}

#[test]
fn constructors_of_every_rank() {
    let q = common::cpu_queue();
    let mut rng = StdRng::seed_from_u64(5);

    let z = ok(Tensor::<f64, 3>::zeros(&q, [3, 5, 7]));
    assert_eq!(z.shape(), [3, 5, 7]);
    assert_eq!(z.strides(), [35, 7, 1]);
    assert_eq!((z.offset(), z.len(), z.ndim()), (0, 105, 3));
    assert!(z.is_contiguous());
    assert_eq!(ok(z.to_vec()), vec![0.0; 105]);

    let o = ok(Tensor::<i32, 2>::ones(&q, [13, 3]));
    assert_eq!(ok(o.to_vec()), vec![1; 39]);
    let f = ok(Tensor::<u16, 4>::full(&q, [2, 3, 1, 5], 0xBEEF));
    assert_eq!(ok(f.to_vec()), vec![0xBEEF; 30]);
    let h = ok(Tensor::<half::f16, 1>::ones(&q, 9));
    assert_eq!(ok(h.to_vec()), vec![half::f16::ONE; 9]);

    let data = random(&mut rng, 3 * 4 * 5 * 6);
    let t = ok(Tensor::from_vec_shape(&q, data.clone(), [3, 4, 5, 6]));
    assert_eq!(t.strides(), [120, 30, 6, 1]);
    assert_eq!(ok(t.to_vec()), data);
    let err = Tensor::from_vec_shape(&q, data.clone(), [3, 4, 5, 7]).expect_err("wrong count");
    assert!(matches!(err, Error::SizeMismatch { .. }), "{err:?}");

    let g = ok(Tensor::from_fn(&q, [7, 11], |[i, j]| {
        (i * 1000 + j) as u32 + 1
    }));
    let want: Vec<u32> = (0..77)
        .map(|k| ((k / 11) * 1000 + k % 11) as u32 + 1)
        .collect();
    assert_eq!(ok(g.to_vec()), want);
    let r = ok(Tensor::from_fn(&q, 17, |[i]| i as i64 * -3 - 1));
    assert_eq!(r.shape(), [17]);
    assert_eq!(ok(r.to_vec())[16], -49);

    // Shapes as a length or an array, with literals; the rank is inferred from the array.
    let by_len = ok(Tensor::<f32>::zeros(&q, 3));
    let by_array = ok(Tensor::<f32>::zeros(&q, [3]));
    let inferred: Tensor<u8, 2> = ok(Tensor::zeros(&q, [2, 3]));
    let inferred_3d = ok(Tensor::<i8, 3>::full(&q, [1, 2, 3], -1));
    assert_eq!(
        (by_len.shape(), by_array.shape(), inferred.len()),
        ([3], [3], 6)
    );
    assert_eq!(ok(inferred_3d.to_vec()), vec![-1; 6]);

    // Empty shapes are fine.
    let e = ok(Tensor::<f32, 2>::zeros(&q, [0, 9]));
    assert!(e.is_empty() && ok(e.to_vec()).is_empty());
}

#[test]
fn slices_read_the_right_elements() {
    let q = common::cpu_queue();
    let mut rng = StdRng::seed_from_u64(6);
    let data = random(&mut rng, 7 * 9);
    let m = ok(Tensor::from_vec_shape(&q, data.clone(), [7, 9]));

    let s = ok(m.slice([1..6, 2..9]));
    assert_eq!((s.shape(), s.strides(), s.offset()), ([5, 7], [9, 1], 11));
    assert!(!s.is_contiguous());
    assert!(s.shares_memory_with(&m));
    check_view(&s, &data);

    let stepped = ok(m.slice([
        AxisSlice::from(1..).step_by(2),
        AxisSlice::from(..=7).step_by(3),
    ]));
    assert_eq!(stepped.shape(), [3, 3]);
    assert_eq!(stepped.strides(), [18, 3]);
    check_view(&stepped, &data);

    let row = ok(m.slice_axis(0, 4..5));
    assert!(row.is_contiguous());
    check_view(&row, &data);
    let col = ok(m.slice_axis(1, 3..4));
    check_view(&col, &data);

    // A slice of a slice.
    let inner = ok(s.slice([AxisSlice::from(1..4), AxisSlice::ALL.step_by(2)]));
    assert_eq!(inner.offset(), 20);
    check_view(&inner, &data);

    let err = m.slice([0..8, 0..9]).expect_err("past the extent");
    assert!(matches!(err, Error::InvalidView { .. }) && err.to_string().contains("axis 0"));
    assert!(m.slice_axis(2, 0..1).is_err());
    assert!(m
        .slice([AxisSlice::ALL, AxisSlice::ALL.step_by(0)])
        .is_err());
    let empty = ok(m.slice([3..3, 0..9]));
    assert!(empty.is_empty() && ok(empty.to_vec()).is_empty());
}

#[test]
fn transposes_and_permutations_read_the_right_elements() {
    let q = common::cpu_queue();
    let mut rng = StdRng::seed_from_u64(7);
    let data = random(&mut rng, 5 * 3);
    let m = ok(Tensor::from_vec_shape(&q, data.clone(), [5, 3]));
    let t = m.transpose();
    assert_eq!((t.shape(), t.strides()), ([3, 5], [1, 3]));
    let want: Vec<f32> = (0..15).map(|k| data[(k % 5) * 3 + k / 5]).collect();
    assert_eq!(ok(t.to_vec()), want);

    let data = random(&mut rng, 2 * 3 * 4 * 5);
    let x = ok(Tensor::from_vec_shape(&q, data.clone(), [2, 3, 4, 5]));
    let p = ok(x.permute([2, 0, 3, 1]));
    assert_eq!(p.shape(), [4, 2, 5, 3]);
    assert_eq!(p.strides(), [5, 60, 1, 20]);
    check_view(&p, &data);
    // Element by element through explicit indices.
    let got = ok(p.to_vec());
    let mut k = 0;
    for a in 0..4 {
        for b in 0..2 {
            for c in 0..5 {
                for d in 0..3 {
                    assert_eq!(got[k], data[b * 60 + d * 20 + a * 5 + c]);
                    k += 1;
                }
            }
        }
    }
    check_view(&x.transpose(), &data);
    let sliced_t = ok(ok(x.slice([0..2, 1..3, 0..4, 3..5])).permute([3, 1, 0, 2]));
    check_view(&sliced_t, &data);
    assert!(x.permute([0, 0, 1, 2]).is_err());
    assert!(x.permute([0, 1, 2, 4]).is_err());
}

#[test]
fn reshape_needs_contiguous_views() {
    let q = common::cpu_queue();
    let mut rng = StdRng::seed_from_u64(8);
    let data = random(&mut rng, 6 * 4);
    let m = ok(Tensor::from_vec_shape(&q, data.clone(), [6, 4]));
    let r = ok(m.reshape([2, 3, 4]));
    assert_eq!((r.shape(), r.strides()), ([2, 3, 4], [12, 4, 1]));
    assert_eq!(ok(r.to_vec()), data);
    let flat = ok(r.reshape([24]));
    assert_eq!(ok(flat.to_vec()), data);
    // A contiguous row block keeps its offset.
    let rows = ok(m.slice_axis(0, 2..4));
    let rows_flat = ok(rows.reshape([8]));
    assert_eq!(
        (rows_flat.offset(), ok(rows_flat.to_vec())),
        (8, data[8..16].to_vec())
    );

    let err = m.transpose().reshape([24]).expect_err("not contiguous");
    assert!(err.to_string().contains(".to_contiguous()"), "{err}");
    assert!(m.reshape([5, 5]).is_err());
    let c = ok(m.transpose().to_contiguous());
    assert!(c.is_contiguous() && !c.shares_memory_with(&m));
    let flat_t = ok(c.reshape([24]));
    let want: Vec<f32> = (0..24).map(|k| data[(k % 6) * 4 + k / 6]).collect();
    assert_eq!(ok(flat_t.to_vec()), want);
}

/// Writes `values` into the host model of a view.
fn host_write<const N: usize>(
    data: &mut [f32],
    shape: [usize; N],
    strides: [isize; N],
    offset: usize,
    values: &[f32],
) {
    for (flat, &v) in values.iter().enumerate() {
        let mut rest = flat;
        let mut at = offset as isize;
        for axis in (0..N).rev() {
            at += (rest % shape[axis]) as isize * strides[axis];
            rest /= shape[axis];
        }
        data[at as usize] = v;
    }
}

fn write_through_view<const N: usize>(
    q: &Queue,
    rng: &mut StdRng,
    shape: [usize; N],
    make: impl Fn(&Tensor<f32, N>) -> Tensor<f32, N>,
) {
    let len: usize = shape.iter().product();
    let mut data = random(rng, len);
    let parent = ok(Tensor::from_vec_shape(q, data.clone(), shape));
    let mut view = make(&parent);
    let values: Vec<f32> = random(rng, view.len()).iter().map(|v| -v).collect();
    ok(view.copy_from_host(&values));
    host_write(
        &mut data,
        view.shape(),
        view.strides(),
        view.offset(),
        &values,
    );
    assert_eq!(ok(parent.to_vec()), data, "writing through {view:?}");
    assert_eq!(ok(view.to_vec()), values);
    let mut out = vec![0.0; view.len()];
    ok(view.copy_to_host(&mut out));
    assert_eq!(out, values);
}

#[test]
fn host_writes_through_views() {
    let q = common::cpu_queue();
    let mut rng = StdRng::seed_from_u64(9);
    // Runs of 5 elements.
    write_through_view(&q, &mut rng, [9, 13], |p| ok(p.slice([2..7, 4..9])));
    // A small transpose: one run per element.
    write_through_view(&q, &mut rng, [5, 7], |p| p.transpose());
    // A large transpose: more runs than the per-run limit, so read-modify-write of the span.
    write_through_view(&q, &mut rng, [101, 103], |p| p.transpose());
    // Stepped 3-d and a permuted 4-d slice.
    write_through_view(&q, &mut rng, [6, 7, 8], |p| {
        ok(p.slice([
            AxisSlice::from(1..6).step_by(2),
            AxisSlice::ALL,
            AxisSlice::from(2..8),
        ]))
    });
    write_through_view(&q, &mut rng, [3, 4, 5, 6], |p| {
        ok(ok(p.slice([1..3, 0..4, 1..4, 2..6])).permute([1, 3, 0, 2]))
    });
    let mut m = ok(Tensor::<f32, 2>::zeros(&q, [3, 3]));
    let err = m.copy_from_host(&[1.0; 8]).expect_err("wrong length");
    assert!(
        matches!(
            err,
            Error::SizeMismatch {
                expected: 9,
                got: 8
            }
        ),
        "{err:?}"
    );
}

fn copy_case<const N: usize>(
    q: &Queue,
    rng: &mut StdRng,
    src_shape: [usize; N],
    dst_shape: [usize; N],
    src_view: impl Fn(&Tensor<f32, N>) -> Tensor<f32, N>,
    dst_view: impl Fn(&Tensor<f32, N>) -> Tensor<f32, N>,
) {
    let src_data = random(rng, src_shape.iter().product());
    let mut dst_data: Vec<f32> = random(rng, dst_shape.iter().product())
        .iter()
        .map(|v| -v)
        .collect();
    let src_parent = ok(Tensor::from_vec_shape(q, src_data.clone(), src_shape));
    let dst_parent = ok(Tensor::from_vec_shape(q, dst_data.clone(), dst_shape));
    let src = src_view(&src_parent);
    let mut dst = dst_view(&dst_parent);
    ok(dst.copy_from(&src));
    let values = host_view(&src_data, src.shape(), src.strides(), src.offset());
    host_write(
        &mut dst_data,
        dst.shape(),
        dst.strides(),
        dst.offset(),
        &values,
    );
    assert_eq!(ok(dst_parent.to_vec()), dst_data, "copy {src:?} -> {dst:?}");
}

#[test]
fn device_to_device_copies() {
    let q = common::cpu_queue();
    let mut rng = StdRng::seed_from_u64(10);
    let same = |t: &Tensor<f32, 2>| ok(t.slice([AxisSlice::ALL, AxisSlice::ALL]));
    // Contiguous to contiguous (clEnqueueCopyBuffer), also with offsets.
    copy_case(&q, &mut rng, [4, 5], [4, 5], same, same);
    copy_case(
        &q,
        &mut rng,
        [6, 5],
        [8, 5],
        |t| ok(t.slice_axis(0, 2..5)),
        |t| ok(t.slice_axis(0, 5..8)),
    );
    // Slices both ways (clEnqueueCopyBufferRect).
    copy_case(
        &q,
        &mut rng,
        [9, 11],
        [5, 4],
        |t| ok(t.slice([3..8, 2..6])),
        same,
    );
    copy_case(&q, &mut rng, [5, 4], [9, 11], same, |t| {
        ok(t.slice([3..8, 5..9]))
    });
    copy_case(
        &q,
        &mut rng,
        [7, 6, 9],
        [5, 3, 4],
        |t| ok(t.slice([AxisSlice::from(0..5), (1..4).into(), (3..7).into()])),
        |t| ok(t.slice([AxisSlice::ALL, AxisSlice::ALL, AxisSlice::ALL])),
    );
    // 4-d slices: one rectangle per outer index.
    copy_case(
        &q,
        &mut rng,
        [4, 5, 6, 7],
        [3, 5, 6, 7],
        |t| ok(t.slice([1..4, 1..4, 0..5, 2..6])),
        |t| ok(t.slice([0..3, 2..5, 1..6, 3..7])),
    );
    // Transposed source and strided inner axis: through the host.
    copy_case(&q, &mut rng, [6, 4], [4, 6], |t| t.transpose(), same);
    copy_case(
        &q,
        &mut rng,
        [5, 10],
        [5, 5],
        |t| ok(t.slice([AxisSlice::ALL, AxisSlice::ALL.step_by(2)])),
        same,
    );

    // Overlapping views of one buffer.
    let data = random(&mut rng, 20);
    let t = ok(Tensor::from_vec_shape(&q, data.clone(), [20]));
    let src = ok(t.slice_axis(0, 0..15));
    let mut dst = ok(t.slice_axis(0, 5..20));
    ok(dst.copy_from(&src));
    let mut want = data.clone();
    want[5..20].copy_from_slice(&data[0..15]);
    assert_eq!(ok(t.to_vec()), want);

    // From another queue of the same device; shape mismatch.
    let other = common::cpu_queue();
    let src = ok(Tensor::from_fn(&other, [3, 4], |[i, j]| {
        (i * 4 + j) as f32 + 0.5
    }));
    let mut dst = ok(Tensor::<f32, 2>::zeros(&q, [3, 4]));
    ok(dst.copy_from(&src));
    assert_eq!(ok(dst.to_vec()), ok(src.to_vec()));
    let err = dst.copy_from(&src.transpose()).expect_err("shape");
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err:?}");
}

#[test]
fn huge_allocations_are_errors_before_the_driver() {
    let q = common::cpu_queue();
    let device = q.device().clone();
    let max = device
        .max_mem_alloc_size()
        .expect("CL_DEVICE_MAX_MEM_ALLOC_SIZE");
    let global = device.global_mem_size().expect("CL_DEVICE_GLOBAL_MEM_SIZE");
    assert!(max <= global && max > 0);
    let too_many = (max / 4 + 1) as usize;
    let err = Tensor::<f32>::zeros(&q, too_many).expect_err("above the max allocation");
    assert!(
        matches!(&err, Error::AllocationTooLarge { limit, limit_name: "CL_DEVICE_MAX_MEM_ALLOC_SIZE", .. } if *limit == max),
        "{err:?}"
    );
    let err = Tensor::<f64, 3>::zeros(&q, [1 << 20, 1 << 20, 1 << 10]).expect_err("huge");
    assert!(matches!(err, Error::AllocationTooLarge { .. }), "{err:?}");
    let err = Tensor::<f64, 2>::zeros(&q, [usize::MAX, 2]).expect_err("overflow");
    assert!(matches!(err, Error::LengthOverflow { .. }), "{err:?}");
}

#[cfg(feature = "ndarray")]
#[test]
fn ndarray_round_trips() {
    let q = common::cpu_queue();
    let a = ndarray::Array::from_shape_fn((4, 6), |(i, j)| (i * 10 + j) as f64 + 0.25);
    let t = ok(Tensor::<f64, 2>::from_ndarray(&q, a.view()));
    assert_eq!(t.shape(), [4, 6]);
    assert_eq!(ok(t.to_ndarray()), a.clone().into_dyn());
    // A non-standard-layout view goes in logical order.
    let at = ok(Tensor::<f64, 2>::from_ndarray(&q, a.t()));
    assert_eq!(ok(at.to_ndarray()), a.t().to_owned().into_dyn());
    assert_eq!(ok(t.transpose().to_ndarray()), a.t().to_owned().into_dyn());
    let err = Tensor::<f64, 3>::from_ndarray(&q, a.view()).expect_err("rank");
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err:?}");
}
