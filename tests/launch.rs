//! End-to-end tests of launching: the program cache, and where a launch runs (compute
//! follows data) with its errors.

mod common;

use common::{nonzero_f32, queue, rng};
use dpex::prelude::*;
use dpex::Error;

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
