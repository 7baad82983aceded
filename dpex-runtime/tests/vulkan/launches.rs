//! Launches on Vulkan: real values against host references, the error record, local
//! accessors, the checks made before anything is submitted, threads and dropped events.

use std::sync::OnceLock;

use dpex_abi::Api;
use dpex_runtime::{
    cache_stats, launch, program_builds, AxisSlice, Error, KernelArg, KernelSpec, LocalAccessor,
    Tensor, WaitMode,
};

use crate::kernels;
use crate::{ok, queue, random};

fn saxpy() -> &'static KernelSpec {
    static SPEC: OnceLock<&'static KernelSpec> = OnceLock::new();
    SPEC.get_or_init(kernels::saxpy)
}

/// `a * x + y`, unfused, as the kernel computes it.
fn saxpy_host(a: f32, x: &[f32], y: &[f32]) -> Vec<f32> {
    x.iter().zip(y).map(|(&x, &y)| a * x + y).collect()
}

#[test]
fn saxpy_over_a_range_that_is_not_a_multiple_of_the_group() {
    let q = queue();
    let n = 1000;
    let x = random(n, 10);
    let y0 = random(n + 24, 11);
    let a = 1.75f32;
    let xt = ok(Tensor::from_slice(&q, &x));
    let y = ok(Tensor::from_slice(&q, &y0));
    // The kernel sees only the first n elements; the 24 after them must stay untouched.
    let mut head = ok(y.slice_axis(0, 0..n));
    let event = ok(launch(
        saxpy(),
        &[n],
        None,
        None,
        &[a.into(), (&xt).into(), (&mut head).into()],
    ));
    ok(event.wait());
    let got = ok(y.to_vec());
    let want = saxpy_host(a, &x, &y0[..n]);
    for i in 0..n {
        assert_eq!(got[i].to_bits(), want[i].to_bits(), "element {i}");
    }
    assert_eq!(&got[n..], &y0[n..], "elements past the range were written");
    // With an explicit work-group size, and a view of every other element at an offset.
    let wide = random(2 * n + 1, 12);
    let wide_t = ok(Tensor::from_slice(&q, &wide));
    let strided = ok(wide_t.slice([AxisSlice::new(1, 2 * n + 1, 2)]));
    let mut y2 = ok(Tensor::from_slice(&q, &y0[..n]));
    let args = [2.0f32.into(), (&strided).into(), (&mut y2).into()];
    ok(ok(launch(saxpy(), &[n], Some(&[8]), None, &args)).wait());
    let xs: Vec<f32> = wide.iter().skip(1).step_by(2).copied().collect();
    assert_eq!(ok(y2.to_vec()), saxpy_host(2.0, &xs, &y0[..n]));
}

/// A pipeline is built once per device and specialization, and counted like an OpenCL program.
#[test]
fn pipelines_are_built_once_per_specialization_and_counted() {
    let q = queue();
    let spec = kernels::saxpy_named("saxpy_counted");
    let n = 256;
    let x = ok(Tensor::from_slice(&q, &random(n, 20)));
    let mut y = ok(Tensor::from_slice(&q, &random(n, 21)));
    let before = cache_stats();
    for local in [None, None, Some([8]), Some([8]), None] {
        let args = [1.5f32.into(), (&x).into(), (&mut y).into()];
        ok(ok(launch(
            spec,
            &[n],
            local.as_ref().map(|l| &l[..]),
            None,
            &args,
        ))
        .wait());
    }
    // The default work-group size (64) and 8: two specializations, two builds.
    assert_eq!(program_builds(spec), 2);
    let after = cache_stats();
    assert!(after.builds >= before.builds + 2, "{before:?} {after:?}");
    assert!(after.hits >= before.hits + 3, "{before:?} {after:?}");
}

#[test]
fn a_2d_kernel_on_strided_views() {
    let q = queue();
    let (rows, cols) = (37, 21);
    let src = random(rows * cols, 20);
    // `a` is the transpose of a [cols, rows] matrix; `out` a window of a larger matrix.
    let stored: Vec<f32> = (0..cols)
        .flat_map(|j| (0..rows).map(move |i| (i, j)))
        .map(|(i, j)| src[i * cols + j])
        .collect();
    let at = ok(Tensor::from_vec_shape(&q, stored, [cols, rows]));
    let a = at.transpose();
    let big = ok(Tensor::<f32, 2>::full(&q, [rows + 3, cols + 5], -1.0));
    let mut out = ok(big.slice([2..rows + 2, 1..cols + 1]));
    let spec = kernels::scale2d();
    ok(ok(launch(
        spec,
        &[rows, cols],
        None,
        None,
        &[(&a).into(), (&mut out).into()],
    ))
    .wait());
    let got = ok(big.to_vec());
    for i in 0..rows + 3 {
        for j in 0..cols + 5 {
            let inside = (2..rows + 2).contains(&i) && (1..cols + 1).contains(&j);
            let want = if inside {
                src[(i - 2) * cols + (j - 1)] * 2.0 + 1.0
            } else {
                -1.0
            };
            assert_eq!(got[i * (cols + 5) + j], want, "[{i}, {j}]");
        }
    }
}

#[test]
fn an_out_of_bounds_index_is_reported_at_wait() {
    let q = queue();
    let n = 300;
    let x = random(n, 30);
    let xt = ok(Tensor::from_slice(&q, &x));
    let mut out = ok(Tensor::<f32>::zeros(&q, n));
    let spec = kernels::shifted_gather();
    for _ in 0..3 {
        let event = ok(launch(
            spec,
            &[n],
            None,
            None,
            &[(&xt).into(), (&mut out).into()],
        ));
        let err = event.wait().expect_err("x[n] is out of bounds");
        assert!(
            matches!(&err, Error::OutOfBounds { kernel, parameter, index, len, work_item, .. }
                if kernel == "shifted_gather" && parameter == "x" && *index == n as u64
                    && *len == n as u64 && *work_item == n as u64 - 1),
            "{err:?}"
        );
    }
    let got = ok(out.to_vec());
    assert_eq!(&got[..n - 1], &x[1..]);
    assert_eq!(got[n - 1], 0.0, "the failed access was skipped");
}

#[test]
fn local_accessors_take_their_length_from_a_specialization_constant() {
    let q = queue();
    let spec = kernels::reverse_groups();
    let n = 256;
    let x = random(n, 40);
    let xt = ok(Tensor::from_slice(&q, &x));
    for group in [16usize, 32, 64] {
        let mut out = ok(Tensor::<f32>::zeros(&q, n));
        let args: [KernelArg<'_>; 3] = [
            (&xt).into(),
            (&mut out).into(),
            LocalAccessor::<f32>::new(group).into(),
        ];
        ok(ok(launch(spec, &[n], Some(&[group]), None, &args)).wait());
        let want: Vec<f32> = (0..n)
            .map(|i| x[i / group * group + (group - 1 - i % group)])
            .collect();
        assert_eq!(ok(out.to_vec()), want, "groups of {group}");
    }
}

#[test]
fn more_groups_than_the_device_dispatches_at_once_run_in_parts() {
    let q = queue();
    let n = 100_000;
    let x = random(n, 41);
    let y0 = random(n, 42);
    let xt = ok(Tensor::from_slice(&q, &x));
    let mut yt = ok(Tensor::from_slice(&q, &y0));
    // 100,000 groups of one work-item: lavapipe dispatches at most 65,535 at once.
    ok(ok(launch(
        saxpy(),
        &[n],
        Some(&[1]),
        None,
        &[2.5f32.into(), (&xt).into(), (&mut yt).into()],
    ))
    .wait());
    let want: Vec<f32> = x.iter().zip(&y0).map(|(x, y)| 2.5 * x + y).collect();
    assert_eq!(ok(yt.to_vec()), want);
}

#[test]
fn launches_the_device_cannot_run_are_refused_before_submission() {
    let q = queue();
    let n = 100_000;
    let x = ok(Tensor::<f32>::full(&q, n, 1.0));
    let mut y = ok(Tensor::<f32>::full(&q, n, 5.0));
    let err = launch(
        saxpy(),
        &[1 << 33],
        Some(&[1]),
        None,
        &[1.0f32.into(), (&x).into(), (&mut y).into()],
    )
    .expect_err("2^33 work-items overflow the 32-bit GlobalInvocationId");
    assert!(
        matches!(&err, Error::RangeTooLarge { kernel, global, limit, .. }
            if kernel == "saxpy" && *global == [1 << 33] && *limit == 1 << 32),
        "{err:?}"
    );
    let err = launch(
        saxpy(),
        &[2048],
        Some(&[2048]),
        None,
        &[1.0f32.into(), (&x).into(), (&mut y).into()],
    )
    .expect_err("2048 work-items per group");
    assert!(
        matches!(
            &err,
            Error::WorkItemSizeTooLarge { .. } | Error::WorkGroupTooLarge { .. }
        ),
        "{err:?}"
    );
    let a = ok(Tensor::<f32, 2>::zeros(&q, [64, 64]));
    let mut out = ok(Tensor::<f32, 2>::zeros(&q, [64, 64]));
    let err = launch(
        kernels::scale2d(),
        &[64, 64],
        Some(&[64, 64]),
        None,
        &[(&a).into(), (&mut out).into()],
    )
    .expect_err("4096 invocations");
    assert!(
        matches!(&err, Error::WorkGroupTooLarge { limit: 1024, .. }),
        "{err:?}"
    );
    let small = ok(Tensor::<f32>::zeros(&q, 64));
    let mut small_out = ok(Tensor::<f32>::zeros(&q, 64));
    let too_much = LocalAccessor::<f32>::new(16384);
    let err = launch(
        kernels::reverse_groups(),
        &[64],
        Some(&[64]),
        None,
        &[(&small).into(), (&mut small_out).into(), too_much.into()],
    )
    .expect_err("64 KiB of shared memory");
    assert!(
        matches!(&err, Error::LocalMemoryExceeded { bytes: 65536, .. }),
        "{err:?}"
    );
    static OPENCL_ONLY: KernelSpec = KernelSpec {
        name: "opencl_only",
        dims: 1,
        spirv: &[0x0723_0203],
        spirv_hash: 1,
        params: &[],
        requires: &[],
        static_local_bytes: 0,
        build_options: "",
        reports_errors: false,
        assumes: &[],
        opencl: dpex_abi::opencl::Interface::EMPTY,
        vulkan: Err("uses a construct the Vulkan emitter does not support yet"),
    };
    let err = launch(&OPENCL_ONLY, &[4], None, Some(&q), &[]).expect_err("no Vulkan module");
    assert!(
        matches!(&err, Error::NotCompiledForApi { kernel, api: Api::Vulkan, reason, .. }
            if kernel == "opencl_only" && reason.contains("does not support")),
        "{err:?}"
    );
    assert_eq!(ok(y.to_vec()), vec![5.0; n], "a refused launch wrote");
}

#[test]
fn threads_launch_concurrently_on_one_queue() {
    let q = queue();
    let n = 777;
    std::thread::scope(|scope| {
        for t in 0..4u64 {
            let q = q.clone();
            scope.spawn(move || {
                let x = random(n, 100 + t);
                let mut want = random(n, 200 + t);
                let xt = ok(Tensor::from_slice(&q, &x));
                let mut y = ok(Tensor::from_slice(&q, &want));
                for k in 0..10 {
                    let a = 0.5 + k as f32;
                    ok(ok(launch(
                        saxpy(),
                        &[n],
                        None,
                        None,
                        &[a.into(), (&xt).into(), (&mut y).into()],
                    ))
                    .wait());
                    want = saxpy_host(a, &x, &want);
                }
                assert_eq!(ok(y.to_vec()), want, "thread {t}");
            });
        }
    });
}

#[test]
fn dropped_events_and_tensors_outlive_nothing_the_device_uses() {
    let q = queue();
    let n = 4099;
    let y0 = random(n, 50);
    let mut y = ok(Tensor::from_slice(&q, &y0));
    let mut want = y0.clone();
    for k in 0..40 {
        let x = random(n, 60 + k);
        let xt = ok(Tensor::from_slice(&q, &x));
        let a = 0.25 * k as f32;
        // Neither the event nor `x` is kept: the launch holds what it uses.
        drop(ok(launch(
            saxpy(),
            &[n],
            None,
            None,
            &[a.into(), (&xt).into(), (&mut y).into()],
        )));
        drop(xt);
        want = saxpy_host(a, &x, &want);
    }
    // A failing checked kernel whose event is dropped unread: its error surfaces at the
    // queue's next synchronization point (this blocking copy), once.
    let small = ok(Tensor::<f32>::zeros(&q, 8));
    let mut small_out = ok(Tensor::<f32>::zeros(&q, 8));
    drop(ok(launch(
        kernels::shifted_gather(),
        &[8],
        None,
        None,
        &[(&small).into(), (&mut small_out).into()],
    )));
    let err = y
        .to_vec()
        .expect_err("the dropped launch's error surfaces at the copy");
    assert!(
        matches!(&err, Error::OutOfBounds { kernel, index: 8, len: 8, .. } if kernel == "shifted_gather"),
        "{err:?}"
    );
    assert_eq!(ok(y.to_vec()), want);
    ok(q.finish());
}

#[test]
fn the_pipeline_cache_is_saved_in_the_disk_cache_folder() {
    let q = queue();
    let x = ok(Tensor::<f32>::full(&q, 10, 1.0));
    let mut y = ok(Tensor::<f32>::full(&q, 10, 2.0));
    ok(ok(launch(
        saxpy(),
        &[10],
        None,
        None,
        &[3.0f32.into(), (&x).into(), (&mut y).into()],
    ))
    .wait());
    assert_eq!(ok(y.to_vec()), [5.0; 10]);
    let Some(dir) = dpex_runtime::cache_config().dir else {
        return; // DPEX_CACHE=off
    };
    let info = q.device().info();
    let vulkan = info.vulkan.as_ref().unwrap_or_else(|| panic!("{info:?}"));
    let file = dir.join(format!(
        "vk-{}-{}.bin",
        vulkan.pipeline_cache_uuid, vulkan.driver_version
    ));
    let bytes = std::fs::metadata(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    assert!(
        bytes.len() >= 16,
        "{}: {} bytes",
        file.display(),
        bytes.len()
    );
}

#[test]
fn a_profiling_queue_times_each_dispatch() {
    let options = dpex_runtime::QueueOptions {
        profiling: true,
        ..Default::default()
    };
    let q = ok(dpex_runtime::Queue::with_options(
        &crate::lavapipe(),
        options,
    ));
    let n = 100_000;
    let x = ok(Tensor::<f32>::full(&q, n, 1.0));
    let mut y = ok(Tensor::<f32>::full(&q, n, 2.0));
    let event = ok(launch(
        saxpy(),
        &[n],
        None,
        None,
        &[3.0f32.into(), (&x).into(), (&mut y).into()],
    ));
    let times = ok(event.profiling());
    assert!(
        times.ended > times.started && times.started > 0,
        "{times:?}"
    );
    assert!(
        times.duration() < std::time::Duration::from_secs(10),
        "{times:?}"
    );
    assert_eq!(ok(y.to_vec())[n - 1], 5.0);
    // Without profiling, the event says so.
    let plain = queue();
    let x = ok(Tensor::<f32>::full(&plain, 4, 1.0));
    let mut y = ok(Tensor::<f32>::full(&plain, 4, 2.0));
    let event = ok(launch(
        saxpy(),
        &[4],
        None,
        None,
        &[3.0f32.into(), (&x).into(), (&mut y).into()],
    ));
    assert!(matches!(
        event.profiling(),
        Err(Error::ProfilingDisabled { .. })
    ));
}

#[test]
fn launches_wait_for_events_of_this_and_other_queues() {
    let (q1, q2) = (queue(), queue());
    let n = 513;
    let x = random(n, 70);
    let y0 = random(n, 71);
    let x1 = ok(Tensor::from_slice(&q1, &x));
    let mut y1 = ok(Tensor::from_slice(&q1, &y0));
    let x2 = ok(Tensor::from_slice(&q2, &x));
    let mut y2 = ok(Tensor::from_slice(&q2, &y0));
    let first = ok(launch(
        saxpy(),
        &[n],
        None,
        None,
        &[2.0f32.into(), (&x1).into(), (&mut y1).into()],
    ));
    let args = [3.0f32.into(), (&x1).into(), (&mut y1).into()];
    let second = ok(dpex_runtime::launch_after(
        saxpy(),
        &[n],
        None,
        None,
        &args,
        &[&first],
    ));
    let args = [0.5f32.into(), (&x2).into(), (&mut y2).into()];
    let third = ok(dpex_runtime::launch_after(
        saxpy(),
        &[n],
        None,
        None,
        &args,
        &[&second],
    ));
    ok(third.wait());
    assert_eq!(
        ok(y1.to_vec()),
        saxpy_host(3.0, &x, &saxpy_host(2.0, &x, &y0))
    );
    assert_eq!(ok(y2.to_vec()), saxpy_host(0.5, &x, &y0));
}

#[test]
fn batched_launches_run_in_order_and_are_submitted_at_sync_points() {
    let q = queue();
    let n = 1024;
    let x = ok(Tensor::<f32>::full(&q, n, 1.0));
    let mut y = ok(Tensor::<f32>::full(&q, n, 0.0));
    let mut middle = None;
    // 150 dependent launches: more than one full batch, none waited for but the 70th.
    for k in 0..150 {
        let event = ok(launch(
            saxpy(),
            &[n],
            None,
            None,
            &[1.0f32.into(), (&x).into(), (&mut y).into()],
        ));
        if k == 69 {
            middle = Some(event);
        }
    }
    if let Some(event) = middle {
        ok(event.wait());
    }
    assert_eq!(ok(y.to_vec()), vec![150.0; n]);
}

/// Every wait mode waits for the work it waits on: an event's wait and `finish` after a run of
/// launches see every launch's result.
#[test]
fn every_wait_mode_sees_the_launches_done() {
    let n = 4096;
    let x = random(n, 40);
    let y0 = random(n, 41);
    for wait in [WaitMode::Auto, WaitMode::Poll, WaitMode::Sleep] {
        let options = dpex_runtime::QueueOptions {
            wait,
            ..Default::default()
        };
        let q = ok(dpex_runtime::Queue::with_options(
            &crate::lavapipe(),
            options,
        ));
        assert_eq!(q.options().wait, wait);
        let xt = ok(Tensor::from_slice(&q, &x));
        let mut y = ok(Tensor::from_slice(&q, &y0));
        let args = [1.5f32.into(), (&xt).into(), (&mut y).into()];
        ok(ok(launch(saxpy(), &[n], None, None, &args)).wait());
        let mut want = saxpy_host(1.5, &x, &y0);
        assert_eq!(ok(y.to_vec()), want, "{wait:?}: after one launch's wait");
        for _ in 0..3 {
            // Waited for by `finish` below.
            let args = [1.5f32.into(), (&xt).into(), (&mut y).into()];
            let _unwaited = ok(launch(saxpy(), &[n], None, None, &args));
            want = saxpy_host(1.5, &x, &want);
        }
        ok(q.finish());
        assert_eq!(
            ok(y.to_vec()),
            want,
            "{wait:?}: after three launches and finish"
        );
    }
}
