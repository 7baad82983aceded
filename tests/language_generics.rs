//! Conformance of generic kernels (issue 3, "Generic kernels"): one `<T: Float>` kernel
//! launched with `f32` and with `f64` data, each instance's program built once and then taken
//! from the cache, a generic kernel calling a generic `#[dpex::func]`, and a kernel with two
//! type parameters.
//!
//! Every generic kernel here is launched by one test only, so the build counts are not
//! disturbed by tests running in parallel.

mod common;

use common::{assert_same_each, assert_ulps_each, float_pairs, queue, TestFloat};
use dpex::prelude::*;
use dpex::{program_builds, DType};

/// The per-element computation, generic like the kernel.
#[dpex::func]
fn axpy_rule<T: Float>(a: T, x: T, y: T) -> T {
    let v = a * x + y;
    if v.is_nan() {
        T::from_f64(-1.0)
    } else {
        v.min(T::from_f64(1e30)).max(T::from_f64(-1e30))
    }
}

#[kernel]
fn axpy<T: Float>(item: Item<1>, a: T, x: &Tensor<T>, y: &mut Tensor<T>) {
    let i = item.get_id(0);
    y[i] = axpy_rule(a, x[i], y[i]);
}

/// Runs `axpy` twice on `T` data and checks the values.
fn run_axpy<T: Float + TestFloat>(q: &Queue, seed: u64, a: T) -> dpex::Result<()> {
    let (x, y) = float_pairs::<T>(seed, 1501);
    let dx = Tensor::from_slice(q, &x)?;
    for round in 0..2 {
        let mut dy = Tensor::from_slice(q, &y)?;
        axpy.launch(Range::new([x.len()]), (a, &dx, &mut dy))?
            .wait()?;
        let want: Vec<T> = x
            .iter()
            .zip(&y)
            .map(|(&x, &y)| axpy_rule(a, x, y))
            .collect();
        assert_same_each(
            &format!("axpy::<{}> round {round}", T::DTYPE),
            &dy.to_vec()?,
            &want,
            |i| format!("a = {a:?}, x = {:?}, y = {:?}", x[i], y[i]),
        );
    }
    Ok(())
}

#[test]
fn one_generic_kernel_runs_f32_and_f64_each_built_once() -> dpex::Result<()> {
    let q = queue();
    let f32_spec = axpy.spec_for(&[DType::F32]).expect("an f32 instance");
    let f64_spec = axpy.spec_for(&[DType::F64]).expect("an f64 instance");
    assert!(axpy.spec_for(&[DType::I32]).is_none());
    assert_ne!(f32_spec.spirv, f64_spec.spirv, "one module per instance");
    run_axpy::<f32>(&q, 701, -1.75)?;
    run_axpy::<f64>(&q, 702, 0.3)?;
    // Launches over ranges that fit their tensors run the variant without provable checks.
    let f32_spec = axpy.proven_spec_for(&[DType::F32]).unwrap_or(f32_spec);
    let f64_spec = axpy.proven_spec_for(&[DType::F64]).unwrap_or(f64_spec);
    assert_eq!(
        program_builds(f32_spec),
        1,
        "the f32 instance was built once"
    );
    assert_eq!(
        program_builds(f64_spec),
        1,
        "the f64 instance was built once"
    );
    Ok(())
}

/// A generic kernel calling a generic function and math methods, with two type parameters:
/// `T` for the data and `A` for the accumulator.
#[dpex::func]
fn damped<T: Float>(x: T, k: T) -> T {
    (x * k).sin() * (-(x * x).abs() * T::from_f64(0.01)).exp()
}

#[kernel]
fn two_type_parameters<T: Float, A: Float>(
    item: Item<1>,
    x: &Tensor<T>,
    k: &Tensor<A>,
    out_t: &mut Tensor<T>,
    out_a: &mut Tensor<A>,
) {
    let i = item.get_id(0);
    out_t[i] = damped(x[i], T::from_f64(1.5));
    out_a[i] = damped(k[i], A::from_f64(0.5)) + A::from_f64(2.0);
}

/// Launches the (`T`, `A`) instance and checks both outputs (sin and exp: a few ulp).
fn run_two<T: Float + TestFloat, A: Float + TestFloat>(q: &Queue, seed: u64) -> dpex::Result<()> {
    let (mut x, _) = float_pairs::<T>(seed, 1003);
    let (mut k, _) = float_pairs::<A>(seed + 1, x.len());
    // The pairs of special values may number differently per type (a device that flushes
    // f32 subnormals has one special value fewer in f32).
    let n = x.len().min(k.len());
    x.truncate(n);
    k.truncate(n);
    let (dx, dk) = (Tensor::from_slice(q, &x)?, Tensor::from_slice(q, &k)?);
    let mut out_t = Tensor::<T>::zeros(q, x.len())?;
    let mut out_a = Tensor::<A>::zeros(q, x.len())?;
    two_type_parameters
        .launch(Range::new([x.len()]), (&dx, &dk, &mut out_t, &mut out_a))?
        .wait()?;
    let what = format!("two_type_parameters::<{}, {}>", T::DTYPE, A::DTYPE);
    let want: Vec<T> = x.iter().map(|&v| damped(v, T::from_f64(1.5))).collect();
    assert_ulps_each(&what, &out_t.to_vec()?, &want, 16, 1e-6, |i| {
        format!("x = {:?}", x[i])
    });
    let want: Vec<A> = k
        .iter()
        .map(|&v| damped(v, A::from_f64(0.5)) + A::from_f64(2.0))
        .collect();
    assert_ulps_each(&what, &out_a.to_vec()?, &want, 16, 1e-6, |i| {
        format!("k = {:?}", k[i])
    });
    Ok(())
}

#[test]
fn kernel_with_two_type_parameters_has_four_instances() -> dpex::Result<()> {
    let q = queue();
    for key in [
        [DType::F32, DType::F32],
        [DType::F32, DType::F64],
        [DType::F64, DType::F32],
        [DType::F64, DType::F64],
    ] {
        assert!(two_type_parameters.spec_for(&key).is_some(), "{key:?}");
    }
    run_two::<f32, f32>(&q, 711)?;
    run_two::<f32, f64>(&q, 713)?;
    run_two::<f64, f32>(&q, 715)?;
    run_two::<f64, f64>(&q, 717)?;
    run_two::<f32, f64>(&q, 719)?;
    // Launches over ranges that fit their tensors run the variant without provable checks.
    let builds = |key: [DType; 2]| {
        let spec = two_type_parameters.proven_spec_for(&key);
        program_builds(spec.or(two_type_parameters.spec_for(&key)).unwrap())
    };
    assert_eq!(builds([DType::F32, DType::F64]), 1);
    assert_eq!(builds([DType::F64, DType::F64]), 1);
    Ok(())
}
