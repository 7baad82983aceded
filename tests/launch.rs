//! End-to-end tests of launching: the program cache, and where a launch runs (compute
//! follows data) with its errors.

mod common;

use common::{in_child, nonzero_f32, queue, rng};
use dpex::prelude::*;
use dpex::{Error, Event, Queue, QueueOptions};

#[kernel]
fn add_into(item: Item<1>, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] += x[i];
}

#[test]
fn hundred_launches_build_the_program_once() -> dpex::Result<()> {
    let q = queue();
    let n = 4097;
    let x = nonzero_f32(&mut rng(11), n);
    let dx = Tensor::from_slice(&q, &x)?;
    let mut dy = Tensor::<f32>::zeros(&q, n)?;
    for _ in 0..100 {
        // The events are dropped: `to_vec` below is the synchronization point that reports
        // any launch's failure.
        let _ = add_into.launch(Range::new([n]), (&dx, &mut dy))?;
    }
    let got = dy.to_vec()?;
    // The range fits the tensors: every launch runs the variant without provable checks.
    let spec = add_into
        .proven_spec()
        .expect("add_into's indices are provable");
    assert_eq!(dpex::program_builds(spec), 1);
    assert_eq!(dpex::program_builds(add_into.spec()), 0);
    for (i, (g, x)) in got.iter().zip(&x).enumerate() {
        let mut want = 0.0f32;
        for _ in 0..100 {
            want += x;
        }
        assert_eq!(*g, want, "element {i}");
    }
    Ok(())
}

#[kernel]
fn copy_f32(item: Item<1>, src: &Tensor<f32>, dst: &mut Tensor<f32>) {
    let i = item.get_id(0);
    dst[i] = src[i];
}

#[test]
fn tensors_on_different_queues_are_an_error_naming_both() -> dpex::Result<()> {
    let (q1, q2) = (queue(), queue());
    let src = Tensor::from_slice(&q1, &[1.0f32, 2.0])?;
    let mut dst = Tensor::<f32>::zeros(&q2, 2)?;
    let err = match copy_f32.launch(Range::new([2]), (&src, &mut dst)) {
        Err(e) => e,
        Ok(_) => panic!("a launch over tensors on two queues must fail"),
    };
    assert!(matches!(err, Error::QueueMismatch { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("`src`") && text.contains("`dst`"), "{text}");
    // Naming the queue resolves it: both tensors live on the same device.
    copy_f32
        .launch_on(&q2, Range::new([2]), (&src, &mut dst))?
        .wait()?;
    assert_eq!(dst.to_vec()?, vec![1.0, 2.0]);
    Ok(())
}

#[kernel]
fn no_tensors(item: Item<1>, a: f32) {
    let _i = item.get_id(0);
    let _b = a * 2.0;
}

#[test]
fn a_launch_without_tensors_must_name_its_queue() -> dpex::Result<()> {
    let err = match no_tensors.launch(Range::new([8]), (1.0,)) {
        Err(e) => e,
        Ok(_) => panic!("a launch with no tensor argument and no queue must fail"),
    };
    assert!(matches!(err, Error::NoQueue { .. }), "{err:?}");
    assert!(err.to_string().contains("launch_on"), "{err}");
    no_tensors
        .launch_on(&queue(), Range::new([8]), (1.0,))?
        .wait()?;
    Ok(())
}

#[kernel]
fn mark_3d(item: Item<3>, out: &mut Tensor<u32>) {
    let i = item.get_id(0) + item.get_id(1) + item.get_id(2);
    out[i % 4] = 1;
}

#[kernel]
fn mark_2d(item: Item<2>, out: &mut Tensor<u32>) {
    out[(item.get_id(0) + item.get_id(1)) % 4] = 1;
}

#[kernel]
fn mark_1d(item: Item<1>, out: &mut Tensor<u32>) {
    out[item.get_id(0) % 4] = 1;
}

/// Asserts that `launched` is [`Error::RangeTooLarge`] for `kernel` over `global` with `limit`,
/// and that nothing ran: `out` still holds `before`.
fn assert_range_too_large(
    launched: dpex::Result<Event>,
    kernel: &str,
    global: &[usize],
    limit: u64,
    out: &Tensor<u32>,
    before: &[u32],
) -> dpex::Result<()> {
    match launched {
        Err(Error::RangeTooLarge {
            kernel: k,
            global: g,
            limit: l,
            ..
        }) => assert_eq!((k.as_str(), &g[..], l), (kernel, global, limit)),
        Err(other) => panic!("expected RangeTooLarge, got {other:?}"),
        Ok(_) => panic!("{kernel} over {global:?} must be refused"),
    }
    assert_eq!(out.to_vec()?, before);
    Ok(())
}

/// Four random non-zero values other than 1, on the device.
fn marks(q: &Queue, seed: u64) -> dpex::Result<(Tensor<u32>, Vec<u32>)> {
    let before: Vec<u32> = common::nonzero_i32(&mut rng(seed), 4, 2..1 << 30)
        .into_iter()
        .map(|v| v as u32)
        .collect();
    Ok((Tensor::from_slice(q, &before)?, before))
}

#[test]
fn a_3d_range_whose_product_wraps_past_2_64_is_refused() -> dpex::Result<()> {
    in_child(
        "a_3d_range_whose_product_wraps_past_2_64_is_refused",
        || {
            let q = queue();
            let (mut out, before) = marks(&q, 21)?;
            let global = [1 << 32, 1 << 32, 1 << 32];
            let launched = mark_3d.launch(Range::new(global), (&mut out,));
            assert_range_too_large(
                launched,
                "mark_3d",
                &global,
                dpex::MAX_WORK_ITEMS,
                &out,
                &before,
            )?;
            // A zero extent is an empty range whatever the others are.
            let launched = mark_3d.launch(Range::new([1 << 32, 0, 1 << 32]), (&mut out,));
            assert!(
                matches!(launched, Err(Error::EmptyRange { .. })),
                "{launched:?}"
            );
            // A range within the bound runs.
            mark_3d.launch(Range::new([2, 3, 5]), (&mut out,))?.wait()?;
            assert_eq!(out.to_vec()?, [1; 4]);
            Ok(())
        },
    )
}

#[test]
fn a_1d_range_near_2_64_is_refused() -> dpex::Result<()> {
    in_child("a_1d_range_near_2_64_is_refused", || {
        let q = queue();
        let (mut out, before) = marks(&q, 22)?;
        // What `n - m` gives in a release build when m is a little larger than n.
        let (n, m) = (
            std::hint::black_box(100usize),
            std::hint::black_box(107usize),
        );
        let global = [n.wrapping_sub(m)];
        let launched = mark_1d.launch(Range::new(global), (&mut out,));
        assert_range_too_large(
            launched,
            "mark_1d",
            &global,
            dpex::MAX_WORK_ITEMS,
            &out,
            &before,
        )?;
        let global = [(1 << 40) + 1];
        let launched = mark_1d.launch(Range::new(global), (&mut out,));
        assert_range_too_large(
            launched,
            "mark_1d",
            &global,
            dpex::MAX_WORK_ITEMS,
            &out,
            &before,
        )
    })
}

#[test]
fn a_2d_range_of_2_80_work_items_is_refused() -> dpex::Result<()> {
    in_child("a_2d_range_of_2_80_work_items_is_refused", || {
        let q = queue();
        let (mut out, before) = marks(&q, 23)?;
        let global = [1 << 40, 1 << 40];
        let launched = mark_2d.launch(Range::new(global), (&mut out,));
        assert_range_too_large(
            launched,
            "mark_2d",
            &global,
            dpex::MAX_WORK_ITEMS,
            &out,
            &before,
        )?;
        // 2^41 work-items, no overflow: refused by the bound alone.
        let global = [1 << 21, 1 << 20];
        let launched = mark_2d.launch(Range::new(global), (&mut out,));
        let err = launched.as_ref().err().map(ToString::to_string);
        assert_range_too_large(
            launched,
            "mark_2d",
            &global,
            dpex::MAX_WORK_ITEMS,
            &out,
            &before,
        )?;
        assert!(
            err.is_some_and(|e| e.contains("2199023255552 work-items") && e.contains("n - m")),
            "the message says how many work-items and the likely cause"
        );
        Ok(())
    })
}

/// `y[i] = f(x[i])` with a loop long enough that a launch which ignored its dependency would
/// run while the previous one still writes `x`.
#[kernel]
fn slow_step(item: Item<1>, rounds: u32, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    let mut acc = x[i];
    for _ in 0..rounds {
        acc = acc * 0.5 + 1.0;
    }
    y[i] = acc + x[i];
}

/// `z[i] = a[i] - b[i]`.
#[kernel]
fn difference(item: Item<1>, a: &Tensor<f32>, b: &Tensor<f32>, z: &mut Tensor<f32>) {
    let i = item.get_id(0);
    z[i] = a[i] - b[i];
}

/// The host reference of [`slow_step`], in the same `f32` operations.
fn slow_step_host(rounds: u32, x: &[f32]) -> Vec<f32> {
    x.iter()
        .map(|&v| {
            let mut acc = v;
            for _ in 0..rounds {
                acc = acc * 0.5 + 1.0;
            }
            acc + v
        })
        .collect()
}

#[test]
fn typed_launches_wait_for_earlier_events_on_an_out_of_order_queue() -> dpex::Result<()> {
    let q = Queue::with_options(
        queue().device(),
        QueueOptions {
            out_of_order: true,
            ..QueueOptions::default()
        },
    )?;
    assert!(q.is_out_of_order());
    let (n, rounds) = (1 << 15, 300);
    let host = nonzero_f32(&mut rng(31), n);
    let x = Tensor::from_slice(&q, &host)?;
    let mut y = Tensor::<f32>::zeros(&q, n)?;
    let mut w = Tensor::<f32>::zeros(&q, n)?;
    let mut z = Tensor::<f32>::zeros(&q, n)?;
    // x -> y -> w, then z = y - w after both.
    let first = slow_step.launch(Range::new([n]), (rounds, &x, &mut y))?;
    let second = slow_step.launch_after(&[&first], Range::new([n]), (rounds, &y, &mut w))?;
    let third =
        difference.launch_on_after(&q, &[&first, &second], Range::new([n]), (&y, &w, &mut z))?;
    third.wait()?;
    let want_y = slow_step_host(rounds, &host);
    let want_w = slow_step_host(rounds, &want_y);
    let want_z: Vec<f32> = want_y.iter().zip(&want_w).map(|(y, w)| y - w).collect();
    common::assert_close_f32(&z.to_vec()?, &want_z, 1e-6);
    common::assert_close_f32(&w.to_vec()?, &want_w, 1e-6);
    first.wait()?;
    second.wait()?;
    Ok(())
}
