//! Kernels on views of any layout, on the real OpenCL CPU device: strided slices, offsets,
//! transposes and permutations of 1- to 4-d tensors reach hand-built kernels through the dpex
//! tensor ABI (base pointer, u64 offset, u64 extents, i64 strides), and every result is checked
//! element by element against host index arithmetic. Also: the checks a launch makes on tensor
//! arguments, and which arguments are C-contiguous.

mod common;

use common::{tensor, tensor_nd, tensor_params, vadd_spec, Kernel, ParamTy, TensorIds};
use dpex_runtime::{
    all_c_contiguous, launch, AxisSlice, DType, Error, KernelArg, KernelSpec, LocalAccessor, Tensor,
};
use rand::{rngs::StdRng, Rng, SeedableRng};
use rspirv::spirv::Word;

fn ok<T>(r: dpex_runtime::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn random(rng: &mut StdRng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(0.5f32..1000.0)).collect()
}

/// The buffer index of logical element `flat` (row-major) of a view.
fn host_index(flat: usize, shape: &[usize], strides: &[isize], offset: usize) -> usize {
    let mut rest = flat;
    let mut at = offset as isize;
    for axis in (0..shape.len()).rev() {
        at += (rest % shape[axis]) as isize * strides[axis];
        rest /= shape[axis];
    }
    at as usize
}

/// The elements of a view of `data` in logical row-major order, by host index arithmetic.
fn host_view<const N: usize>(data: &[f32], view: &Tensor<f32, N>) -> Vec<f32> {
    let (shape, strides) = (view.shape(), view.strides());
    (0..view.len())
        .map(|flat| data[host_index(flat, &shape, &strides, view.offset())])
        .collect()
}

/// Launches `vadd(a, b, c)` over `c.len()` work-items.
fn vadd(spec: &'static KernelSpec, a: &Tensor<f32>, b: &Tensor<f32>, c: &mut Tensor<f32>) {
    let n = c.len().max(1);
    ok(ok(launch(
        spec,
        &[n],
        None,
        None,
        &[a.into(), b.into(), c.into()],
    ))
    .wait());
}

#[test]
fn vector_add_on_strided_and_offset_views() {
    let spec = vadd_spec("strided_vadd");
    let q = common::cpu_queue();
    let mut rng = StdRng::seed_from_u64(31);
    let n = 1000;
    let (ha, hb) = (random(&mut rng, n), random(&mut rng, n));
    let a = ok(Tensor::from_slice(&q, &ha));
    let b = ok(Tensor::from_slice(&q, &hb));

    // a[1::3] + b[5:5+len]: a strided view and an offset view, into a contiguous output.
    let a_stepped = ok(a.slice([AxisSlice::from(1..n).step_by(3)]));
    let len = a_stepped.len();
    assert_eq!(
        (len, a_stepped.offset(), a_stepped.strides()),
        (333, 1, [3])
    );
    let b_shifted = ok(b.slice_axis(0, 5..5 + len));
    assert_eq!(b_shifted.offset(), 5);
    let mut c = ok(Tensor::<f32>::zeros(&q, len));
    vadd(spec, &a_stepped, &b_shifted, &mut c);
    let got = ok(c.to_vec());
    for i in 0..len {
        assert_eq!(got[i], ha[1 + 3 * i] + hb[5 + i], "c[{i}]");
    }

    // Into a strided view with an offset: out[7::5] of a larger buffer; the other elements
    // of the buffer stay untouched.
    let out = ok(Tensor::full(&q, 7 + 5 * len, -1.0f32));
    let mut out_view = ok(out.slice([AxisSlice::from(7..).step_by(5)]));
    assert_eq!(out_view.len(), len);
    vadd(spec, &b_shifted, &a_stepped, &mut out_view);
    let got = ok(out.to_vec());
    for (k, &v) in got.iter().enumerate() {
        if k >= 7 && (k - 7) % 5 == 0 {
            let i = (k - 7) / 5;
            assert_eq!(v, ha[1 + 3 * i] + hb[5 + i], "out[{k}] (element {i})");
        } else {
            assert_eq!(v, -1.0, "out[{k}] is outside the view and was written");
        }
    }
    // The view itself reads back in logical order.
    assert_eq!(ok(out_view.to_vec()), host_view(&got, &out_view));

    // A column of a matrix (stride = row length) and a row of it, as 1-d views.
    let flat = ok(Tensor::from_slice(&q, &ha[..40 * 25]));
    let column = ok(flat.slice([AxisSlice::from(3..).step_by(25)]));
    assert_eq!((column.len(), column.strides()), (40, [25]));
    let m = ok(flat.reshape([40, 25]));
    let row = ok(ok(m.slice_axis(0, 17..18)).reshape([25]));
    assert_eq!(row.offset(), 17 * 25);
    let mut c = ok(Tensor::<f32>::zeros(&q, 25));
    vadd(spec, &ok(column.slice_axis(0, 0..25)), &row, &mut c);
    let got = ok(c.to_vec());
    for i in 0..25 {
        assert_eq!(got[i], ha[i * 25 + 3] + ha[17 * 25 + i], "c[{i}]");
    }
}

#[test]
fn a_reversed_view_passes_negative_strides() {
    // Views made by the tensor API have positive strides; a hand-made argument with stride -1
    // from the last element checks that strides reach the kernel as signed i64 values.
    let spec = vadd_spec("strided_reversed");
    let q = common::cpu_queue();
    let mut rng = StdRng::seed_from_u64(32);
    let n = 257;
    let (ha, hb) = (random(&mut rng, n), random(&mut rng, n));
    let a = ok(Tensor::from_slice(&q, &ha));
    let b = ok(Tensor::from_slice(&q, &hb));
    let mut c = ok(Tensor::<f32>::zeros(&q, n));
    let mut reversed: KernelArg<'_> = (&a).into();
    if let KernelArg::Tensor { layout, .. } = &mut reversed {
        layout.strides[0] = -1;
        layout.offset = n as u64 - 1;
    }
    assert!(!reversed.is_c_contiguous());
    ok(ok(launch(
        spec,
        &[n],
        None,
        None,
        &[reversed, (&b).into(), (&mut c).into()],
    ))
    .wait());
    let got = ok(c.to_vec());
    for i in 0..n {
        assert_eq!(got[i], ha[n - 1 - i] + hb[i], "c[{i}]");
    }
}

/// `out[i * cols + j] = x[i, j]` over the range `[rows, cols]` of `x`'s shape: `x` is a 2-d
/// view read through its offset and strides, `out` a 1-d tensor (addressed through its view too).
fn gather_2d_spec() -> &'static KernelSpec {
    use ParamTy::*;
    let params = [
        tensor_params(FloatPtr(32), 2),
        tensor_params(FloatPtr(32), 1),
    ]
    .concat();
    let (mut k, p) = Kernel::begin("strided_gather_2d", &[], &params);
    let x = TensorIds::at(&p, 0, 2);
    let out = TensorIds::at(&p, x.count(), 1);
    let (ulong, float, ptr) = (k.ulong, Float(32).ty(&mut k), FloatPtr(32).ty(&mut k));
    let i = k.global_id(0);
    let j = k.global_id(1);
    let px = k.tensor_element(ptr, &x, &[i, j]);
    let v = k.load(float, px, 4);
    let row = k.b.i_mul(ulong, None, i, x.shape[1]).expect("imul");
    let flat = k.b.i_add(ulong, None, row, j).expect("iadd");
    let po = k.tensor_element(ptr, &out, &[flat]);
    k.store(po, v, 4);
    common::leak_spec(
        "strided_gather_2d",
        2,
        k.finish(),
        vec![
            tensor_nd("x", DType::F32, false, 2),
            tensor("out", DType::F32, true),
        ],
    )
}

/// `out[i, j] = x[i, j]` over the range `[rows, cols]` of `out`'s shape, both 2-d views.
fn copy_2d_spec() -> &'static KernelSpec {
    use ParamTy::*;
    let params = [
        tensor_params(FloatPtr(32), 2),
        tensor_params(FloatPtr(32), 2),
    ]
    .concat();
    let (mut k, p) = Kernel::begin("strided_copy_2d", &[], &params);
    let x = TensorIds::at(&p, 0, 2);
    let out = TensorIds::at(&p, x.count(), 2);
    let (float, ptr) = (Float(32).ty(&mut k), FloatPtr(32).ty(&mut k));
    let i = k.global_id(0);
    let j = k.global_id(1);
    let px = k.tensor_element(ptr, &x, &[i, j]);
    let v = k.load(float, px, 4);
    let po = k.tensor_element(ptr, &out, &[i, j]);
    k.store(po, v, 4);
    common::leak_spec(
        "strided_copy_2d",
        2,
        k.finish(),
        vec![
            tensor_nd("x", DType::F32, false, 2),
            tensor_nd("out", DType::F32, true, 2),
        ],
    )
}

/// Runs [`gather_2d_spec`] on `x` and checks every element against host index arithmetic.
fn check_gather_2d(spec: &'static KernelSpec, x: &Tensor<f32, 2>, data: &[f32]) {
    let [rows, cols] = x.shape();
    let mut out = ok(Tensor::<f32>::full(x.queue(), rows * cols, -1.0));
    ok(ok(launch(
        spec,
        &[rows, cols],
        None,
        None,
        &[x.into(), (&mut out).into()],
    ))
    .wait());
    let got = ok(out.to_vec());
    let [s0, s1] = x.strides();
    for i in 0..rows {
        for j in 0..cols {
            let at = (x.offset() as isize + i as isize * s0 + j as isize * s1) as usize;
            assert_eq!(
                got[i * cols + j],
                data[at],
                "view {x:?}: element [{i}, {j}]"
            );
        }
    }
    assert_eq!(got, host_view(data, x), "view {x:?}");
}

#[test]
fn two_dimensional_kernels_on_transposed_and_sliced_views() {
    let gather = gather_2d_spec();
    let q = common::cpu_queue();
    let mut rng = StdRng::seed_from_u64(33);
    let (rows, cols) = (37, 23);
    let data = random(&mut rng, rows * cols);
    let m = ok(Tensor::from_vec_shape(&q, data.clone(), [rows, cols]));

    check_gather_2d(gather, &m, &data);
    let t = m.transpose();
    assert_eq!((t.shape(), t.strides()), ([cols, rows], [1, cols as isize]));
    check_gather_2d(gather, &t, &data);
    // Sliced with steps and an offset, then transposed.
    let s = ok(m.slice([
        AxisSlice::from(2..35).step_by(3),
        AxisSlice::from(1..22).step_by(2),
    ]));
    assert_eq!(s.offset(), 2 * cols + 1);
    check_gather_2d(gather, &s, &data);
    check_gather_2d(gather, &s.transpose(), &data);
    // A block of rows: contiguous with an offset.
    let block = ok(m.slice_axis(0, 10..20));
    assert!(block.is_contiguous() && block.offset() == 10 * cols);
    check_gather_2d(gather, &block, &data);

    // Writing through a transposed view: out^T = m, so out = m^T in memory.
    let copy = copy_2d_spec();
    let out = ok(Tensor::<f32, 2>::zeros(&q, [cols, rows]));
    let mut out_t = out.transpose();
    ok(ok(launch(
        copy,
        &[rows, cols],
        None,
        None,
        &[(&m).into(), (&mut out_t).into()],
    ))
    .wait());
    let got = ok(out.to_vec());
    for j in 0..cols {
        for i in 0..rows {
            assert_eq!(got[j * rows + i], data[i * cols + j], "out[{j}, {i}]");
        }
    }
    assert_eq!(ok(out_t.to_vec()), data);

    // And into a strided window of a larger buffer: big[1::2, 3:3+cols] = m[::, ::] (the rest
    // stays untouched).
    let big = ok(Tensor::<f32, 2>::full(&q, [2 * rows + 1, cols + 5], -1.0));
    let mut window = ok(big.slice([
        AxisSlice::from(1..).step_by(2),
        AxisSlice::from(3..3 + cols),
    ]));
    assert_eq!(window.shape(), [rows, cols]);
    ok(ok(launch(
        copy,
        &[rows, cols],
        None,
        None,
        &[(&m).into(), (&mut window).into()],
    ))
    .wait());
    let got = ok(big.to_vec());
    let width = cols + 5;
    for r in 0..2 * rows + 1 {
        for c in 0..width {
            let want = if r % 2 == 1 && (3..3 + cols).contains(&c) {
                data[(r / 2) * cols + (c - 3)]
            } else {
                -1.0
            };
            assert_eq!(got[r * width + c], want, "big[{r}, {c}]");
        }
    }
}

/// `out[g] = x[unravel(g, x.shape)]` for `g < len(out)`: `x` is a `dims`-d view, `out` 1-d.
fn gather_nd_spec(name: &'static str, dims: usize) -> &'static KernelSpec {
    use ParamTy::*;
    let params = [
        tensor_params(FloatPtr(32), dims),
        tensor_params(FloatPtr(32), 1),
    ]
    .concat();
    let (mut k, p) = Kernel::begin(name, &[], &params);
    let x = TensorIds::at(&p, 0, dims);
    let out = TensorIds::at(&p, x.count(), 1);
    let (ulong, float, ptr) = (k.ulong, Float(32).ty(&mut k), FloatPtr(32).ty(&mut k));
    let g = k.global_id(0);
    k.if_in_bounds(g, out.shape[0], |k| {
        let mut index: Vec<Word> = vec![0; dims];
        let mut rest = g;
        for axis in (0..dims).rev() {
            index[axis] = k.b.u_mod(ulong, None, rest, x.shape[axis]).expect("umod");
            rest = k.b.u_div(ulong, None, rest, x.shape[axis]).expect("udiv");
        }
        let px = k.tensor_element(ptr, &x, &index);
        let v = k.load(float, px, 4);
        let po = k.tensor_element(ptr, &out, &[g]);
        k.store(po, v, 4);
    });
    common::leak_spec(
        name,
        1,
        k.finish(),
        vec![
            tensor_nd("x", DType::F32, false, dims),
            tensor("out", DType::F32, true),
        ],
    )
}

/// Runs a gather kernel of `N` axes on `x` and checks it against host index arithmetic.
fn check_gather_nd<const N: usize>(spec: &'static KernelSpec, x: &Tensor<f32, N>, data: &[f32]) {
    let n = x.len();
    let mut out = ok(Tensor::<f32>::full(x.queue(), n, -1.0));
    ok(ok(launch(
        spec,
        &[n],
        None,
        None,
        &[x.into(), (&mut out).into()],
    ))
    .wait());
    let (shape, strides) = (x.shape(), x.strides());
    let got = ok(out.to_vec());
    for (flat, &v) in got.iter().enumerate() {
        let at = host_index(flat, &shape, &strides, x.offset());
        assert_eq!(v, data[at], "view {x:?}: element {flat}");
    }
    assert_eq!(got, ok(x.to_vec()), "view {x:?}");
}

#[test]
fn one_to_four_dimensional_views_reach_the_kernel() {
    let q = common::cpu_queue();
    let mut rng = StdRng::seed_from_u64(34);
    let data = random(&mut rng, 4 * 5 * 6 * 7);

    let g1 = gather_nd_spec("strided_gather_1d", 1);
    let v = ok(Tensor::from_slice(&q, &data));
    check_gather_nd(
        g1,
        &ok(v.slice([AxisSlice::from(11..800).step_by(7)])),
        &data,
    );

    let g3 = gather_nd_spec("strided_gather_3d", 3);
    let c = ok(Tensor::from_vec_shape(&q, data.clone(), [20, 6, 7]));
    check_gather_nd(g3, &c, &data);
    check_gather_nd(g3, &ok(c.permute([2, 0, 1])), &data);
    check_gather_nd(
        g3,
        &ok(c.slice([
            AxisSlice::from(3..19).step_by(4),
            AxisSlice::from(1..6),
            AxisSlice::ALL.step_by(3),
        ])),
        &data,
    );

    let g4 = gather_nd_spec("strided_gather_4d", 4);
    let x = ok(Tensor::from_vec_shape(&q, data.clone(), [4, 5, 6, 7]));
    check_gather_nd(g4, &x, &data);
    check_gather_nd(g4, &x.transpose(), &data);
    let p = ok(ok(x.slice([
        AxisSlice::from(1..4),
        AxisSlice::from(0..5).step_by(2),
        AxisSlice::from(2..6),
        AxisSlice::from(1..7).step_by(3),
    ]))
    .permute([3, 1, 0, 2]));
    assert!(p.offset() > 0 && !p.is_contiguous());
    check_gather_nd(g4, &p, &data);
}

#[test]
fn tensor_arguments_must_have_the_parameters_axes() {
    let vadd = vadd_spec("strided_dims_1d");
    let gather = gather_2d_spec();
    let q = common::cpu_queue();
    let m = ok(Tensor::<f32, 2>::ones(&q, [4, 6]));
    let v = ok(Tensor::<f32>::ones(&q, 24));
    let mut c = ok(Tensor::<f32>::zeros(&q, 24));

    let err = launch(
        vadd,
        &[24],
        None,
        None,
        &[(&m).into(), (&v).into(), (&mut c).into()],
    )
    .expect_err("2-d for 1-d");
    match &err {
        Error::ArgumentType {
            arg, expected, got, ..
        } => assert_eq!(
            (arg.as_str(), expected.as_str(), got.as_str()),
            ("a", "&Tensor<f32>", "&Tensor<f32, 2>")
        ),
        other => panic!("expected ArgumentType, got {other:?}"),
    }

    let err = launch(gather, &[4, 6], None, None, &[(&v).into(), (&mut c).into()])
        .expect_err("1-d for 2-d");
    assert_eq!(
        err.to_string(),
        "kernel `strided_gather_2d`, argument `x`: expected &Tensor<f32, 2>, got &Tensor<f32>"
    );

    let copy = copy_2d_spec();
    let mut m2 = ok(Tensor::<f32, 2>::zeros(&q, [4, 6]));
    let err = launch(copy, &[4, 6], None, None, &[(&m).into(), (&m2).into()])
        .expect_err("read-only for &mut");
    assert!(
        matches!(&err, Error::ArgumentType { expected, got, .. }
            if expected == "&mut Tensor<f32, 2>" && got == "&Tensor<f32, 2>"),
        "{err:?}"
    );
    ok(ok(launch(
        copy,
        &[4, 6],
        None,
        None,
        &[(&m).into(), (&mut m2).into()],
    ))
    .wait());
    assert_eq!(ok(m2.to_vec()), vec![1.0; 24]);
    assert_eq!(ok(c.to_vec()), vec![0.0; 24], "nothing ran");
}

#[test]
fn malformed_tensor_arguments_are_rejected() {
    let spec = vadd_spec("strided_malformed");
    let q = common::cpu_queue();
    let a = ok(Tensor::<f32>::ones(&q, 16));
    let b = ok(Tensor::<f32>::ones(&q, 16));
    let mut c = ok(Tensor::<f32>::zeros(&q, 8));
    let forged = |edit: &dyn Fn(&mut KernelArg<'_>)| {
        let mut arg: KernelArg<'_> = (&a).into();
        edit(&mut arg);
        arg
    };
    let layout_of = |arg: &mut KernelArg<'_>, f: &dyn Fn(&mut dpex_runtime::TensorLayout)| {
        if let KernelArg::Tensor { layout, len, .. } = arg {
            f(layout);
            *len = layout.element_count().unwrap_or(0);
        }
    };
    let mut reject = |arg: KernelArg<'_>, needle: &str| {
        let err =
            launch(spec, &[8], None, None, &[arg, (&b).into(), (&mut c).into()]).expect_err(needle);
        match &err {
            Error::InvalidArgument { arg, detail, .. } => {
                assert_eq!(arg, "a");
                assert!(detail.contains(needle), "{detail}");
            }
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    };

    // A length that is not the layout's element count.
    reject(
        forged(&|arg| {
            if let KernelArg::Tensor { len, .. } = arg {
                *len = 1 << 40;
            }
        }),
        "does not match",
    );
    // Views reaching past the buffer's 16 elements: by shape, by offset, by stride.
    reject(
        forged(&|arg| layout_of(arg, &|l| l.shape[0] = 17)),
        "reaches outside",
    );
    reject(
        forged(&|arg| layout_of(arg, &|l| l.offset = 9)),
        "reaches outside",
    );
    reject(
        forged(&|arg| {
            layout_of(arg, &|l| {
                l.shape[0] = 8;
                l.strides[0] = 3;
            })
        }),
        "reaches outside",
    );
    // Below the buffer's first element (a negative stride from offset 2).
    reject(
        forged(&|arg| {
            layout_of(arg, &|l| {
                l.shape[0] = 4;
                l.strides[0] = -1;
                l.offset = 2;
            })
        }),
        "reaches outside",
    );
    // Absurd strides and offsets overflow no arithmetic.
    reject(
        forged(&|arg| {
            layout_of(arg, &|l| {
                l.shape[0] = 3;
                l.strides[0] = i64::MAX;
                l.offset = u64::MAX;
            })
        }),
        "reaches outside",
    );
    // Exactly the last element is fine: 8 elements with stride 2 from offset 1 end at 15.
    let edge = forged(&|arg| {
        layout_of(arg, &|l| {
            l.shape[0] = 8;
            l.strides[0] = 2;
            l.offset = 1;
        })
    });
    ok(ok(launch(
        spec,
        &[8],
        None,
        None,
        &[edge, (&b).into(), (&mut c).into()],
    ))
    .wait());
    assert_eq!(ok(c.to_vec()), vec![2.0; 8]);

    // A layout of 5 axes for a (made-up) parameter of 5 axes is still malformed.
    let five = common::leak_spec(
        "strided_five_axes",
        1,
        common::vadd_f32_words("strided_five_axes"),
        vec![tensor_nd("a", DType::F32, false, 5)],
    );
    let arg = forged(&|arg| {
        if let KernelArg::Tensor { layout, .. } = arg {
            layout.dims = 5;
        }
    });
    let err = launch(five, &[8], None, None, &[arg]).expect_err("5 axes");
    assert!(
        matches!(&err, Error::InvalidArgument { detail, .. } if detail.contains("1 to 4 axes")),
        "{err:?}"
    );
}

#[test]
fn views_of_one_buffer_may_not_overlap_a_written_one() {
    let spec = vadd_spec("strided_aliasing");
    let q = common::cpu_queue();
    let data: Vec<f32> = (0..40).map(|i| i as f32).collect();
    let x = ok(Tensor::from_slice(&q, &data));

    // Even and odd elements interleave: their spans overlap, which the check refuses
    // (conservatively), and nothing runs.
    let even = ok(x.slice([AxisSlice::from(0..40).step_by(2)]));
    let mut odd = ok(x.slice([AxisSlice::from(1..40).step_by(2)]));
    let err = launch(
        spec,
        &[20],
        None,
        None,
        &[(&even).into(), (&even).into(), (&mut odd).into()],
    )
    .expect_err("overlapping views");
    assert!(
        matches!(&err, Error::InvalidArgument { arg, detail, .. }
            if arg == "c" && detail.contains("same memory")),
        "{err:?}"
    );
    assert_eq!(ok(x.to_vec()), data, "nothing ran");

    // Disjoint halves of one buffer: x[20..40] = x[0..20] + x[0..20] (read-only views may
    // overlap each other).
    let low = ok(x.slice_axis(0, 0..20));
    let mut high = ok(x.slice_axis(0, 20..40));
    ok(ok(launch(
        spec,
        &[20],
        None,
        None,
        &[(&low).into(), (&low).into(), (&mut high).into()],
    ))
    .wait());
    let got = ok(x.to_vec());
    for (i, &v) in got.iter().enumerate() {
        let want = if i < 20 {
            i as f32
        } else {
            2.0 * (i - 20) as f32
        };
        assert_eq!(v, want, "x[{i}]");
    }
}

#[test]
fn empty_views_of_a_buffer_launch_and_touch_nothing() {
    let spec = vadd_spec("strided_empty");
    let q = common::cpu_queue();
    let x = ok(Tensor::full(&q, 10, 3.0f32));
    let empty = ok(x.slice_axis(0, 4..4));
    let mut empty_out = ok(x.slice([AxisSlice::from(7..7).step_by(2)]));
    assert!(empty.is_empty() && empty_out.is_empty());
    // Every work-item fails the bounds check (shape 0) and touches nothing.
    ok(ok(launch(
        spec,
        &[16],
        None,
        None,
        &[(&empty).into(), (&empty).into(), (&mut empty_out).into()],
    ))
    .wait());
    assert_eq!(ok(x.to_vec()), vec![3.0; 10]);
}

#[test]
fn c_contiguity_of_arguments() {
    let q = common::cpu_queue();
    let m = ok(Tensor::<f32, 2>::zeros(&q, [6, 8]));
    let t = m.transpose();
    let cases: Vec<(&str, KernelArg<'_>, bool)> = vec![
        ("scalar", 1.5f32.into(), true),
        ("local", LocalAccessor::<f32>::new(4).into(), true),
        ("matrix", (&m).into(), true),
        ("transpose", (&t).into(), false),
    ];
    for (what, arg, want) in &cases {
        assert_eq!(arg.is_c_contiguous(), *want, "{what}");
    }
    let rows = ok(m.slice_axis(0, 2..5));
    let cols = ok(m.slice_axis(1, 2..5));
    let stepped_rows = ok(m.slice([AxisSlice::ALL.step_by(2), AxisSlice::ALL]));
    let one_row = ok(m.slice([AxisSlice::from(3..4), AxisSlice::ALL]));
    let one_col = ok(m.slice([AxisSlice::ALL, AxisSlice::from(5..6)]));
    let one_by_one = ok(m.slice([AxisSlice::from(3..4), AxisSlice::from(5..6)]));
    let empty = ok(m.slice([AxisSlice::from(2..2), AxisSlice::ALL.step_by(3)]));
    let flat = ok(m.reshape([48]));
    let stepped = ok(flat.slice([AxisSlice::ALL.step_by(2)]));
    let tail = ok(flat.slice([AxisSlice::from(5..)]));
    let cases: Vec<(&str, KernelArg<'_>, bool)> = vec![
        ("a block of rows (offset 16)", (&rows).into(), true),
        ("a block of columns", (&cols).into(), false),
        ("every other row", (&stepped_rows).into(), false),
        ("one row, whatever its stride", (&one_row).into(), true),
        ("one column (stride 8)", (&one_col).into(), false),
        ("one element", (&one_by_one).into(), true),
        ("an empty view", (&empty).into(), true),
        ("every other element", (&stepped).into(), false),
        ("a tail (offset 5)", (&tail).into(), true),
    ];
    for (what, arg, want) in &cases {
        assert_eq!(arg.is_c_contiguous(), *want, "{what}");
    }
    let flat_col = ok(flat.slice([AxisSlice::from(5..6)]));
    assert!(KernelArg::from(&flat_col).is_c_contiguous(), "one element");

    assert!(all_c_contiguous(&[]));
    assert!(all_c_contiguous(&[
        (&m).into(),
        (&rows).into(),
        2u64.into(),
        (&tail).into()
    ]));
    assert!(!all_c_contiguous(&[
        (&m).into(),
        (&cols).into(),
        2u64.into()
    ]));
    // The 3-d case: a [2, 1, 4] view whose middle axis has a stray stride is contiguous.
    let x = ok(Tensor::<f32, 3>::zeros(&q, [2, 3, 4]));
    let mid = ok(x.slice([AxisSlice::ALL, AxisSlice::from(1..2), AxisSlice::ALL]));
    assert_eq!(mid.strides(), [12, 4, 1]);
    assert!(
        !KernelArg::from(&mid).is_c_contiguous(),
        "rows 12 apart, not 4"
    );
    let permuted = ok(x.permute([1, 0, 2]));
    let single = ok(permuted.slice([AxisSlice::from(2..3), AxisSlice::ALL, AxisSlice::ALL]));
    assert_eq!((single.shape(), single.strides()), ([1, 2, 4], [4, 12, 1]));
    assert!(!KernelArg::from(&single).is_c_contiguous());
    let first = ok(x.slice([AxisSlice::from(1..2), AxisSlice::ALL, AxisSlice::ALL]));
    let moved = ok(first.permute([1, 0, 2]));
    assert_eq!((moved.shape(), moved.strides()), ([3, 1, 4], [4, 12, 1]));
    assert!(
        KernelArg::from(&moved).is_c_contiguous(),
        "extent-1 axis ignored"
    );
}
