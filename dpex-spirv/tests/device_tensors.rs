//! N-d tensor views on the OpenCL CPU device: kernels and a device function that read
//! transposed, sliced and permuted views of a `dpex_runtime::Tensor` through the view's offset,
//! extents and strides, checked against index arithmetic on the host.

mod common;

use common::device::{cpu_queue, module_spec, spec};
use common::tensors::{layout_of, row_sums_module, strided_copy};
use dpex_runtime::{launch, AxisSlice, KernelSpec, Queue, Tensor};

/// A 6 x 8 matrix whose element `[i, j]` is `100 i + j`.
fn base(queue: &Queue) -> Tensor<f32, 2> {
    Tensor::from_fn(queue, [6, 8], |[i, j]| (100 * i + j) as f32).expect("base")
}

/// The views of [`base`] the tests read, by name: the whole matrix, its transpose, a strided
/// slice (offset 9, strides 16 and 3), the same slice permuted, and a transposed slice of the
/// transpose (rows 1..7 step 3 and columns 2..6 of the 8 x 6 transpose: offset 17, strides 8
/// and 3).
fn views(m: &Tensor<f32, 2>) -> Vec<(&'static str, Tensor<f32, 2>)> {
    let slice = m
        .slice([AxisSlice::new(1, 6, 2), AxisSlice::new(1, 8, 3)])
        .expect("slice");
    let transposed_slice = m
        .transpose()
        .slice([AxisSlice::new(1, 7, 3), AxisSlice::new(2, 6, 1)])
        .expect("slice of the transpose")
        .transpose();
    vec![
        ("whole", m.slice([.., ..]).expect("whole")),
        ("transpose", m.transpose()),
        ("strided slice", slice.slice([.., ..]).expect("slice again")),
        ("permuted slice", slice.permute([1, 0]).expect("permute")),
        ("transposed slice", transposed_slice),
    ]
}

/// Element `[i, j]` of `view`, computed on the host from its layout over `buffer` (the whole
/// contiguous buffer the view shares).
fn host_element(buffer: &[f32], view: &Tensor<f32, 2>, i: usize, j: usize) -> f32 {
    let s = view.strides();
    let index = view.offset() as isize + i as isize * s[0] + j as isize * s[1];
    buffer[usize::try_from(index).expect("index inside the buffer")]
}

/// Launches `spec` over `global` with `view` and a fresh `out` of `n` elements; returns `out`.
fn run(spec: &'static KernelSpec, global: &[usize], view: &Tensor<f32, 2>, n: usize) -> Vec<f32> {
    let mut out = Tensor::<f32>::zeros(view.queue(), n).expect("out");
    launch(spec, global, None, None, &[view.into(), (&mut out).into()])
        .and_then(|e| e.wait())
        .expect("launch");
    out.to_vec().expect("read out")
}

#[test]
fn strided_copy_reads_transposed_and_sliced_views() {
    let queue = cpu_queue();
    let m = base(&queue);
    let buffer = m.to_vec().expect("buffer");
    let spec = spec(strided_copy());
    let views = views(&m);
    let layout = |k: usize| {
        let v: &Tensor<f32, 2> = &views[k].1;
        (v.offset(), v.shape(), v.strides())
    };
    assert_eq!(layout(1), (0, [8, 6], [1, 8]), "transpose");
    assert_eq!(layout(2), (9, [3, 3], [16, 3]), "strided slice");
    assert_eq!(layout(4), (17, [4, 2], [8, 3]), "transposed slice");
    for (name, view) in views {
        let [rows, cols] = view.shape();
        let got = run(spec, &[rows, cols], &view, rows * cols);
        for i in 0..rows {
            for j in 0..cols {
                let want = host_element(&buffer, &view, i, j);
                assert_eq!(got[i * cols + j], want, "{name} [{i}, {j}]");
            }
        }
        // The runtime's own row-major copy of the view agrees.
        assert_eq!(got, view.to_vec().expect("view to_vec"), "{name}");
    }
    // The transpose, spelled out: element [i, j] is m[j, i].
    let got = run(spec, &[8, 6], &m.transpose(), 48);
    for i in 0..8 {
        for j in 0..6 {
            assert_eq!(got[i * 6 + j], (100 * j + i) as f32, "[{i}, {j}]");
        }
    }
}

#[test]
fn layout_and_len_reach_the_kernel() {
    let queue = cpu_queue();
    let m = base(&queue);
    let spec = spec(layout_of());
    for (name, view) in views(&m) {
        let mut out = Tensor::<i64>::zeros(&queue, 6).expect("out");
        launch(spec, &[1], None, None, &[(&view).into(), (&mut out).into()])
            .and_then(|e| e.wait())
            .expect("launch");
        let [rows, cols] = view.shape();
        let [s0, s1] = view.strides();
        let want = [view.offset(), rows, cols]
            .map(|v| v as i64)
            .into_iter()
            .chain([s0 as i64, s1 as i64, (rows * cols) as i64])
            .collect::<Vec<_>>();
        assert_eq!(out.to_vec().expect("read"), want, "{name}");
    }
}

#[test]
fn a_function_sums_rows_of_the_view_its_kernel_passes() {
    let queue = cpu_queue();
    let m = base(&queue);
    let buffer = m.to_vec().expect("buffer");
    let spec = module_spec(row_sums_module());
    for (name, view) in views(&m) {
        let [rows, cols] = view.shape();
        let got = run(spec, &[rows], &view, rows);
        for (i, got) in got.iter().enumerate() {
            let want: f32 = (0..cols).map(|j| host_element(&buffer, &view, i, j)).sum();
            assert_eq!(*got, want, "{name} row {i}");
        }
    }
}
