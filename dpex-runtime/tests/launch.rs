//! Kernel launches on the real OpenCL CPU device, with SPIR-V modules built here with rspirv
//! following the dpex ABI (tensor = CrossWorkgroup pointer, u64 offset, u64 extents, i64
//! strides).

mod common;

use common::{leak_spec, scalar, tensor, tensor_params, vadd_spec, Kernel, ParamTy, TensorIds};
use dpex_runtime::{
    cache_stats, launch, launch_on, program_builds, DType, Error, KernelArg, Queue, Tensor,
};
use rand::{rngs::StdRng, Rng, SeedableRng};
use rspirv::spirv::Capability;

fn ok<T>(r: dpex_runtime::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn random_f32(rng: &mut StdRng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(0.5f32..100.0)).collect()
}

#[test]
fn vector_add_matches_the_cpu_and_builds_once() {
    let spec = vadd_spec("vadd");
    let queue = common::cpu_queue();
    let n = 1_000_003;
    let mut rng = StdRng::seed_from_u64(1);
    let (ha, hb) = (random_f32(&mut rng, n), random_f32(&mut rng, n));
    let a = ok(Tensor::from_slice(&queue, &ha));
    let b = ok(Tensor::from_slice(&queue, &hb));
    let mut c = ok(Tensor::<f32>::zeros(&queue, n));

    let event = ok(launch(
        spec,
        &[n],
        None,
        None,
        &[(&a).into(), (&b).into(), (&mut c).into()],
    ));
    ok(event.wait());
    let got = ok(c.to_vec());
    let want: Vec<f32> = ha.iter().zip(&hb).map(|(x, y)| x + y).collect();
    assert!(got == want, "vadd differs from the CPU loop");
    assert_eq!(program_builds(spec), 1);

    // 100 more launches, chained without waits (the in-order queue orders them): x <- x + b.
    let hits_before = cache_stats().hits;
    let mut x = ok(Tensor::from_slice(&queue, &ha));
    let mut y = ok(Tensor::<f32>::zeros(&queue, n));
    for _ in 0..100 {
        drop(ok(launch(
            spec,
            &[n],
            None,
            None,
            &[(&x).into(), (&b).into(), (&mut y).into()],
        )));
        std::mem::swap(&mut x, &mut y);
    }
    let mut want = ha.clone();
    for _ in 0..100 {
        for (w, v) in want.iter_mut().zip(&hb) {
            *w += v;
        }
    }
    assert!(
        ok(x.to_vec()) == want,
        "100 chained launches differ from the CPU loop"
    );
    assert_eq!(program_builds(spec), 1);
    assert!(cache_stats().hits >= hits_before + 100);
}

#[test]
fn scalar_and_tensor_arguments_mix() {
    let spec = common::axpy_spec();
    let queue = common::cpu_queue();
    let n = 100_001;
    let mut rng = StdRng::seed_from_u64(2);
    let (hx, hy) = (random_f32(&mut rng, n), random_f32(&mut rng, n));
    let x = ok(Tensor::from_slice(&queue, &hx));
    let mut y = ok(Tensor::from_slice(&queue, &hy));
    drop(ok(launch(
        spec,
        &[n],
        None,
        None,
        &[2.5f32.into(), (&x).into(), (&mut y).into()],
    )));
    let want: Vec<f32> = hx.iter().zip(&hy).map(|(x, y)| 2.5 * x + y).collect();
    assert!(ok(y.to_vec()) == want);
}

/// `out[i] = (flag != 0 ? k : 0) + m + i` with flag: bool (one byte), k: i16, m: u64.
fn mix_spec() -> &'static dpex_runtime::KernelSpec {
    use ParamTy::*;
    let params = [tensor_params(IntPtr(64), 1), vec![Int(8), Int(16), Int(64)]].concat();
    let (mut kb, p) = Kernel::begin("mix", &[Capability::Int8, Capability::Int16], &params);
    let out = TensorIds::at(&p, 0, 1);
    let (flag, k, m) = (p[out.count()], p[out.count() + 1], p[out.count() + 2]);
    let ulong = kb.ulong;
    let bool_ = kb.bool_;
    let uchar = Int(8).ty(&mut kb);
    let ptr = IntPtr(64).ty(&mut kb);
    let zero8 = kb.b.constant_bit32(uchar, 0);
    let zero64 = kb.b.constant_bit64(ulong, 0);
    let i = kb.global_id(0);
    kb.if_in_bounds(i, out.shape[0], |kb| {
        let set = kb.b.i_not_equal(bool_, None, flag, zero8).expect("ne");
        let wide = kb.b.s_convert(ulong, None, k).expect("sconvert");
        let picked = kb.b.select(ulong, None, set, wide, zero64).expect("select");
        let plus_m = kb.b.i_add(ulong, None, picked, m).expect("add");
        let value = kb.b.i_add(ulong, None, plus_m, i).expect("add");
        let p = kb.tensor_element(ptr, &out, &[i]);
        kb.store(p, value, 8);
    });
    leak_spec(
        "mix",
        1,
        kb.finish(),
        vec![
            tensor("out", DType::I64, true),
            scalar("flag", DType::Bool),
            scalar("k", DType::I16),
            scalar("m", DType::U64),
        ],
    )
}

#[test]
fn one_two_and_eight_byte_scalars_reach_the_kernel() {
    let spec = mix_spec();
    let queue = common::cpu_queue();
    let n = 1001;
    let mut out = ok(Tensor::<i64>::zeros(&queue, n));
    let m: u64 = 0x1_0000_0007;
    for (flag, k) in [(true, -1234i16), (false, 77i16)] {
        drop(ok(launch(
            spec,
            &[n],
            None,
            None,
            &[(&mut out).into(), flag.into(), k.into(), m.into()],
        )));
        let want: Vec<i64> = (0..n as i64)
            .map(|i| if flag { i64::from(k) } else { 0 } + m as i64 + i)
            .collect();
        assert_eq!(ok(out.to_vec()), want, "flag={flag} k={k}");
    }
}

/// 2-d: `out[y * w + x] = x + 1000 * y`.
fn grid_spec() -> &'static dpex_runtime::KernelSpec {
    use ParamTy::*;
    let params = [tensor_params(IntPtr(64), 1), vec![Int(64)]].concat();
    let (mut kb, p) = Kernel::begin("grid", &[], &params);
    let out = TensorIds::at(&p, 0, 1);
    let w = p[out.count()];
    let ulong = kb.ulong;
    let ptr = IntPtr(64).ty(&mut kb);
    let thousand = kb.b.constant_bit64(ulong, 1000);
    let x = kb.global_id(0);
    let y = kb.global_id(1);
    let row = kb.b.i_mul(ulong, None, y, w).expect("mul");
    let idx = kb.b.i_add(ulong, None, row, x).expect("add");
    kb.if_in_bounds(idx, out.shape[0], |kb| {
        let ty = kb.b.i_mul(ulong, None, y, thousand).expect("mul");
        let v = kb.b.i_add(ulong, None, ty, x).expect("add");
        let p = kb.tensor_element(ptr, &out, &[idx]);
        kb.store(p, v, 8);
    });
    leak_spec(
        "grid",
        2,
        kb.finish(),
        vec![tensor("out", DType::U64, true), scalar("w", DType::U64)],
    )
}

#[test]
fn two_dimensional_ranges() {
    let spec = grid_spec();
    let queue = common::cpu_queue();
    let range = dpex_runtime::Range::new([37usize, 23]);
    let [w, h] = range.global();
    let mut out = ok(Tensor::<u64>::zeros(&queue, w * h));
    drop(ok(launch_on(
        &queue,
        spec,
        &range.global(),
        None,
        &[(&mut out).into(), w.into()],
    )));
    let want: Vec<u64> = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x + 1000 * y) as u64))
        .collect();
    assert_eq!(ok(out.to_vec()), want);

    let err = launch(spec, &[w * h], None, None, &[(&mut out).into(), w.into()]).expect_err("1-d");
    assert!(
        matches!(
            err,
            Error::RangeDims {
                expected: 2,
                got: 1,
                ..
            }
        ),
        "{err:?}"
    );
    let err = launch(spec, &[w, 0], None, None, &[(&mut out).into(), w.into()]).expect_err("empty");
    assert!(matches!(err, Error::EmptyRange { .. }), "{err:?}");
}

#[test]
fn tensors_on_two_queues_are_a_queue_mismatch() {
    let spec = vadd_spec("vadd_two_queues");
    let (q1, q2) = (common::cpu_queue(), common::cpu_queue());
    let a = ok(Tensor::from_slice(&q1, &[1.0f32; 8]));
    let b = ok(Tensor::from_slice(&q2, &[2.0f32; 8]));
    let mut c = ok(Tensor::<f32>::zeros(&q1, 8));
    let err = launch(
        spec,
        &[8],
        None,
        None,
        &[(&a).into(), (&b).into(), (&mut c).into()],
    )
    .expect_err("a and b are on different queues");
    match &err {
        Error::QueueMismatch {
            first_arg,
            second_arg,
            kernel,
            ..
        } => {
            assert_eq!((first_arg.as_str(), second_arg.as_str()), ("a", "b"));
            assert_eq!(kernel, "vadd_two_queues");
        }
        other => panic!("expected QueueMismatch, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("`a`") && text.contains("`b`") && text.contains("launch_on"),
        "{text}"
    );
    assert!(text.contains(q1.device().name()), "{text}");
    assert_eq!(
        program_builds(spec),
        0,
        "nothing is built for a rejected launch"
    );

    // Naming the queue resolves it (same device: the launch synchronises with q2).
    drop(ok(launch_on(
        &q1,
        spec,
        &[8],
        None,
        &[(&a).into(), (&b).into(), (&mut c).into()],
    )));
    assert_eq!(ok(c.to_vec()), vec![3.0f32; 8]);
}

#[test]
fn a_kernel_without_tensors_needs_a_queue() {
    use ParamTy::*;
    let (k, _) = Kernel::begin("nothing", &[], &[Int(32)]);
    let spec = leak_spec("nothing", 1, k.finish(), vec![scalar("x", DType::I32)]);
    let err = launch(spec, &[4], None, None, &[7i32.into()]).expect_err("no queue");
    assert!(matches!(err, Error::NoQueue { .. }), "{err:?}");
    assert!(err.to_string().contains("launch_on(&queue"), "{err}");
    let queue = common::cpu_queue();
    ok(ok(launch_on(&queue, spec, &[4], None, &[7i32.into()])).wait());
}

#[test]
fn wrong_arguments_are_reported_by_parameter_name() {
    let spec = vadd_spec("vadd_bad_args");
    let queue = common::cpu_queue();
    let a = ok(Tensor::from_slice(&queue, &[1.0f32; 4]));
    let b64 = ok(Tensor::from_slice(&queue, &[1.0f64; 4]));
    let mut c = ok(Tensor::<f32>::zeros(&queue, 4));

    let err = launch(spec, &[4], None, None, &[(&a).into(), (&mut c).into()]).expect_err("2 of 3");
    assert!(
        matches!(
            err,
            Error::ArgumentCount {
                expected: 3,
                got: 2,
                ..
            }
        ),
        "{err:?}"
    );

    let err = launch(
        spec,
        &[4],
        None,
        None,
        &[(&a).into(), (&b64).into(), (&mut c).into()],
    )
    .expect_err("f64 for f32");
    match &err {
        Error::ArgumentType {
            arg, expected, got, ..
        } => {
            assert_eq!(
                (arg.as_str(), expected.as_str(), got.as_str()),
                ("b", "&Tensor<f32>", "&Tensor<f64>")
            );
        }
        other => panic!("expected ArgumentType, got {other:?}"),
    }

    let err = launch(
        spec,
        &[4],
        None,
        None,
        &[(&a).into(), 1.0f32.into(), (&mut c).into()],
    )
    .expect_err("scalar for tensor");
    assert!(
        matches!(&err, Error::ArgumentType { arg, .. } if arg == "b"),
        "{err:?}"
    );

    let err = launch(
        spec,
        &[4],
        None,
        None,
        &[(&a).into(), (&a).into(), (&c).into()],
    )
    .expect_err("read-only for &mut");
    assert!(
        matches!(&err, Error::ArgumentType { arg, expected, .. } if arg == "c" && expected == "&mut Tensor<f32>"),
        "{err:?}"
    );

    // A hand-made tensor argument claiming more elements than its memory holds.
    let mut forged: KernelArg<'_> = (&a).into();
    if let KernelArg::Tensor { len, .. } = &mut forged {
        *len = 1 << 40;
    }
    let err = launch(
        spec,
        &[4],
        None,
        None,
        &[forged, (&a).into(), (&mut c).into()],
    )
    .expect_err("forged");
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
}

#[test]
fn an_unknown_kernel_name_is_an_opencl_error() {
    let words = common::vadd_f32_words("vadd_real_name");
    let spec = leak_spec(
        "not_in_module",
        1,
        words,
        vec![
            tensor("a", DType::F32, false),
            tensor("b", DType::F32, false),
            tensor("c", DType::F32, true),
        ],
    );
    let queue = common::cpu_queue();
    let a = ok(Tensor::from_slice(&queue, &[1.0f32; 4]));
    let mut c = ok(Tensor::<f32>::zeros(&queue, 4));
    let err = launch(
        spec,
        &[4],
        None,
        None,
        &[(&a).into(), (&a).into(), (&mut c).into()],
    )
    .expect_err("no such kernel");
    let text = err.to_string();
    assert!(
        text.contains("CL_INVALID_KERNEL_NAME") && text.contains("vadd_real_name"),
        "{text}"
    );
}

#[test]
fn concurrent_first_launches_build_once() {
    let spec = vadd_spec("vadd_concurrent");
    let queue = common::cpu_queue();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let queue: Queue = queue.clone();
            std::thread::spawn(move || {
                let n = 10_000 + t;
                let a = ok(Tensor::full(&queue, n, t as f32));
                let b = ok(Tensor::full(&queue, n, 1.0f32));
                let mut c = ok(Tensor::<f32>::zeros(&queue, n));
                for _ in 0..20 {
                    drop(ok(launch(
                        spec,
                        &[n],
                        None,
                        None,
                        &[(&a).into(), (&b).into(), (&mut c).into()],
                    )));
                }
                assert_eq!(ok(c.to_vec()), vec![t as f32 + 1.0; n]);
            })
        })
        .collect();
    for t in threads {
        t.join().expect("launch thread panicked");
    }
    assert_eq!(program_builds(spec), 1);
}

#[test]
fn empty_tensors_pass_a_null_pointer_and_zero_length() {
    let spec = vadd_spec("vadd_empty");
    let queue = common::cpu_queue();
    let a = ok(Tensor::<f32>::from_slice(&queue, &[]));
    let mut c = ok(Tensor::<f32>::zeros(&queue, 0));
    // Every work-item fails the bounds check (len 0) and touches nothing.
    ok(ok(launch(
        spec,
        &[16],
        None,
        None,
        &[(&a).into(), (&a).into(), (&mut c).into()],
    ))
    .wait());
}

#[test]
fn a_driver_build_failure_carries_the_log_and_is_not_cached() {
    let spec = common::calls_missing_spec("calls_missing", true);
    let queue = common::cpu_queue();
    let mut out = ok(Tensor::<i64>::zeros(&queue, 4));
    for _ in 0..2 {
        let err = launch(spec, &[4], None, None, &[(&mut out).into()]).expect_err("cannot link");
        match &err {
            Error::BuildFailed {
                kernel,
                log,
                device,
            } => {
                assert_eq!(kernel, "calls_missing");
                assert!(log.contains("dpex_missing_fn"), "{log}");
                assert!(device.contains("opencl:cpu:0"), "{device}");
            }
            other => panic!("expected BuildFailed, got {other:?}"),
        }
    }
    assert_eq!(program_builds(spec), 0);
}
