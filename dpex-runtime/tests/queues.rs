//! Queues, events and tensor lifetimes on the real OpenCL CPU device: out-of-order queues with
//! launch dependencies, profiling, tensors dropped under running kernels, kernel arguments that
//! are views, and many threads sharing one queue.

mod common;

use common::vadd_spec;
use dpex_runtime::{launch, launch_after, Error, Queue, QueueOptions, Tensor};
use rand::{rngs::StdRng, Rng, SeedableRng};

fn ok<T>(r: dpex_runtime::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn random(rng: &mut StdRng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(0.5f32..100.0)).collect()
}

fn queue_with(options: QueueOptions) -> Queue {
    ok(Queue::with_options(&common::cpu(), options))
}

#[test]
fn queue_options_are_recorded() {
    let q = common::cpu_queue();
    assert!(!q.is_out_of_order() && !q.is_profiling());
    assert_eq!(q.options(), QueueOptions::default());
    let ooo = queue_with(QueueOptions {
        out_of_order: true,
        profiling: true,
        ..QueueOptions::default()
    });
    assert!(ooo.is_out_of_order() && ooo.is_profiling());
    let clone = ooo.clone();
    assert!(clone.same_queue(&ooo) && !clone.same_queue(&q));
    // One context per device: a tensor of one queue is a valid argument on another.
    assert_eq!(ooo.device(), q.device());
}

#[test]
fn launches_on_an_out_of_order_queue_wait_on_events() {
    let spec = vadd_spec("vadd_ooo");
    let q = queue_with(QueueOptions {
        out_of_order: true,
        profiling: false,
        ..QueueOptions::default()
    });
    let mut rng = StdRng::seed_from_u64(21);
    let n = 1 << 20;
    let hb = random(&mut rng, n);
    let ha = random(&mut rng, n);
    let b = ok(Tensor::from_slice(&q, &hb));
    // A chain x[k+1] = x[k] + b, each launch waiting on the previous one's event.
    let steps = 12;
    let mut xs: Vec<Tensor<f32>> = Vec::new();
    xs.push(ok(Tensor::from_slice(&q, &ha)));
    for _ in 0..steps {
        xs.push(ok(Tensor::zeros(&q, n)));
    }
    let mut previous = None;
    for k in 0..steps {
        let (done, rest) = xs.split_at_mut(k + 1);
        let wait: Vec<_> = previous.iter().collect();
        let event = ok(launch_after(
            spec,
            &[n],
            None,
            None,
            &[(&done[k]).into(), (&b).into(), (&mut rest[0]).into()],
            &wait,
        ));
        previous = Some(event);
    }
    // No explicit wait: the read is ordered after the launches by the runtime's barrier.
    let got = ok(xs[steps].to_vec());
    let mut want = ha.clone();
    for _ in 0..steps {
        for (w, b) in want.iter_mut().zip(&hb) {
            *w += b;
        }
    }
    assert!(
        got == want,
        "the chain on the out-of-order queue lost an ordering"
    );
}

#[test]
fn profiling_times_come_from_events() {
    let spec = vadd_spec("vadd_profiled");
    let q = queue_with(QueueOptions {
        out_of_order: false,
        profiling: true,
        ..QueueOptions::default()
    });
    let n = 1 << 18;
    let a = ok(Tensor::full(&q, n, 1.5f32));
    let b = ok(Tensor::full(&q, n, 2.25f32));
    let mut c = ok(Tensor::<f32>::zeros(&q, n));
    let event = ok(launch(
        spec,
        &[n],
        None,
        None,
        &[(&a).into(), (&b).into(), (&mut c).into()],
    ));
    let p = ok(event.profiling());
    assert!(
        p.queued <= p.submitted && p.submitted <= p.started && p.started <= p.ended,
        "{p:?}"
    );
    assert!(p.ended > p.started, "{p:?}");
    assert_eq!(p.duration().as_nanos(), u128::from(p.ended - p.started));
    assert_eq!(ok(c.to_vec()), vec![3.75; n]);

    let plain = common::cpu_queue();
    let a = ok(Tensor::full(&plain, 4, 1.0f32));
    let mut c = ok(Tensor::<f32>::zeros(&plain, 4));
    let event = ok(launch(
        spec,
        &[4],
        None,
        None,
        &[(&a).into(), (&a).into(), (&mut c).into()],
    ));
    let err = event.profiling().expect_err("no profiling on this queue");
    assert!(matches!(err, Error::ProfilingDisabled { .. }), "{err:?}");
    assert!(err.to_string().contains("profiling: true"), "{err}");
}

#[test]
fn tensors_dropped_after_an_asynchronous_launch_stay_alive() {
    let spec = vadd_spec("vadd_dropped");
    let q = common::cpu_queue();
    let mut rng = StdRng::seed_from_u64(22);
    let n = 1 << 20;
    let launches = 8;
    let hb = random(&mut rng, n);
    let b = ok(Tensor::from_slice(&q, &hb));
    let inputs: Vec<Vec<f32>> = (0..launches).map(|_| random(&mut rng, n)).collect();
    let mut outputs: Vec<Tensor<f32>> = (0..launches).map(|_| ok(Tensor::zeros(&q, n))).collect();
    for (host, out) in inputs.iter().zip(&mut outputs) {
        let a = ok(Tensor::from_slice(&q, host));
        drop(ok(launch(
            spec,
            &[n],
            None,
            None,
            &[(&a).into(), (&b).into(), out.into()],
        )));
        drop(a);
        // Memory freed too early would likely be handed out again here and overwritten.
        let garbage = ok(Tensor::from_slice(&q, &vec![-7.0f32; n]));
        drop(garbage);
    }
    for (k, (host, out)) in inputs.iter().zip(&outputs).enumerate() {
        let got = ok(out.to_vec());
        let want: Vec<f32> = host.iter().zip(&hb).map(|(a, b)| a + b).collect();
        assert!(got == want, "launch {k} read freed memory");
    }
}

#[test]
fn kernels_take_views_of_any_layout() {
    let spec = vadd_spec("vadd_views");
    let q = common::cpu_queue();
    let mut rng = StdRng::seed_from_u64(23);
    let data = random(&mut rng, 24);
    let m = ok(Tensor::from_vec_shape(&q, data.clone(), [4, 6]));
    let flat = ok(m.reshape([24]));
    let b = ok(Tensor::full(&q, 24, 1.0f32));
    let mut c = ok(Tensor::<f32>::zeros(&q, 24));

    // A 1-d contiguous view from offset 0, and a prefix slice as the output.
    drop(ok(launch(
        spec,
        &[24],
        None,
        None,
        &[(&flat).into(), (&b).into(), (&mut c).into()],
    )));
    let want: Vec<f32> = data.iter().map(|v| v + 1.0).collect();
    assert_eq!(ok(c.to_vec()), want);
    let mut prefix = ok(c.slice_axis(0, 0..10));
    drop(ok(launch(
        spec,
        &[10],
        None,
        None,
        &[(&b).into(), (&b).into(), (&mut prefix).into()],
    )));
    assert_eq!(
        ok(c.to_vec())[..11],
        [[2.0; 10].as_slice(), &want[10..11]].concat()
    );

    // A view with an offset and a strided view (launched without waiting: the reads below are
    // ordered after them on the in-order queue).
    let tail = ok(flat.slice_axis(0, 4..24));
    let mut out = ok(Tensor::<f32>::zeros(&q, 20));
    drop(ok(launch(
        spec,
        &[20],
        None,
        None,
        &[(&tail).into(), (&b).into(), (&mut out).into()],
    )));
    let want: Vec<f32> = data[4..].iter().map(|v| v + 1.0).collect();
    assert_eq!(ok(out.to_vec()), want);
    let stepped = ok(flat.slice([dpex_runtime::AxisSlice::ALL.step_by(2)]));
    let mut out = ok(Tensor::<f32>::zeros(&q, 12));
    drop(ok(launch(
        spec,
        &[12],
        None,
        None,
        &[(&stepped).into(), (&b).into(), (&mut out).into()],
    )));
    let want: Vec<f32> = data.iter().step_by(2).map(|v| v + 1.0).collect();
    assert_eq!(ok(out.to_vec()), want);

    let at = |r: dpex_runtime::Result<dpex_runtime::Event>| match r {
        Err(e @ (Error::InvalidArgument { .. } | Error::ArgumentType { .. })) => e,
        other => panic!("expected an argument error, got {other:?}"),
    };
    // A 2-d view for a 1-d parameter.
    let err = at(launch(
        spec,
        &[24],
        None,
        None,
        &[(&m).into(), (&b).into(), (&mut c).into()],
    ));
    assert!(
        matches!(&err, Error::ArgumentType { got, .. } if got == "&Tensor<f32, 2>"),
        "{err:?}"
    );

    // A written tensor overlapping another argument.
    let mut alias = ok(flat.slice_axis(0, 0..24));
    let err = at(launch(
        spec,
        &[24],
        None,
        None,
        &[(&flat).into(), (&b).into(), (&mut alias).into()],
    ));
    assert!(err.to_string().contains("same memory"), "{err}");
    assert_eq!(ok(flat.to_vec()), data, "nothing ran");
}

#[test]
fn eight_threads_share_the_default_queue() {
    let spec = vadd_spec("vadd_threads");
    let q = common::cpu_queue();
    std::thread::scope(|scope| {
        for thread in 0..8u64 {
            let q = q.clone();
            scope.spawn(move || {
                let mut rng = StdRng::seed_from_u64(100 + thread);
                for i in 0..1000 {
                    let n = 1 + (i % 97);
                    let (ha, hb) = (random(&mut rng, n), random(&mut rng, n));
                    let a = ok(Tensor::from_slice(&q, &ha));
                    let b = ok(Tensor::from_slice(&q, &hb));
                    let mut c = ok(Tensor::<f32>::zeros(&q, n));
                    drop(ok(launch(
                        spec,
                        &[n],
                        None,
                        None,
                        &[(&a).into(), (&b).into(), (&mut c).into()],
                    )));
                    drop((a, b));
                    let want: Vec<f32> = ha.iter().zip(&hb).map(|(x, y)| x + y).collect();
                    assert_eq!(ok(c.to_vec()), want, "thread {thread}, launch {i}");
                }
            });
        }
    });
}
