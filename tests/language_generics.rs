//! Conformance of generic kernels (issue 3, "Generic kernels"): one `<T: Float>` kernel
//! launched with `f32` and with `f64` data, each instance's program built once and then taken
//! from the cache, a generic kernel calling a generic `#[dpex::func]`, and a kernel with two
//! type parameters; `<T: Int>` kernels and device functions instantiated for `i32`, `u32`,
//! `i64` and `u64`.
//!
//! Every generic kernel here is launched by one test only, so the build counts are not
//! disturbed by tests running in parallel.

mod common;

use common::{
    assert_eq_each, assert_same_each, assert_ulps_each, float_pairs, int_pairs, queue, TestFloat,
    TestInt,
};
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

/// `a + b` (wrapping), clamped to `lo..=hi`: an integer-generic device function.
#[dpex::func]
fn clamp_add<T: Int>(a: T, b: T, lo: T, hi: T) -> T {
    let s = a.wrapping_add(b);
    if s < lo {
        lo
    } else if s > hi {
        hi
    } else {
        s
    }
}

/// Division, remainder, bit operations, shifts, constants and methods on a generic integer.
#[dpex::func]
fn int_mix<T: Int>(a: T, b: T) -> T {
    let d = (b & T::from_i64(15)) | T::from_i64(1);
    let q = a / d + a % d;
    let bits = (a ^ b) & !(a | (b >> 2));
    let mut acc = q.wrapping_mul(T::from_i64(3)).wrapping_sub(bits << 1);
    acc ^= T::from_i64(a.count_ones() as i64);
    acc = acc.max(T::MIN.wrapping_add(T::from_i64(7))).min(T::MAX);
    if a.leading_zeros() > 3 && b != T::from_i64(0) {
        acc = acc
            .wrapping_add(T::from_i64(1))
            .clamp(T::MIN, T::MAX - T::from_i64(1));
    }
    acc
}

#[kernel]
fn int_generic<T: Int>(
    item: Item<1>,
    a: &Tensor<T>,
    b: &Tensor<T>,
    lo: T,
    hi: T,
    out: &mut Tensor<T>,
    mix: &mut Tensor<T>,
) {
    let i = item.get_id(0);
    out[i] = clamp_add(a[i], b[i], lo, hi);
    mix[i] = int_mix(a[i], b[i]);
}

/// Launches `int_generic::<T>` on boundary and random pairs and checks both outputs against
/// the host's (rustc's) evaluation of the same functions.
fn run_int<T: Int + TestInt>(q: &Queue, seed: u64, lo: T, hi: T) -> dpex::Result<()> {
    let (a, b) = int_pairs::<T>(seed, 2000);
    let (da, db) = (Tensor::from_slice(q, &a)?, Tensor::from_slice(q, &b)?);
    let mut out = Tensor::<T>::zeros(q, a.len())?;
    let mut mix = Tensor::<T>::zeros(q, a.len())?;
    int_generic
        .launch(
            Range::new([a.len()]),
            (&da, &db, lo, hi, &mut out, &mut mix),
        )?
        .wait()?;
    let what = format!("int_generic::<{}>", T::DTYPE);
    let want: Vec<T> = a
        .iter()
        .zip(&b)
        .map(|(&x, &y)| clamp_add(x, y, lo, hi))
        .collect();
    assert_eq_each(&format!("{what} clamp_add"), &out.to_vec()?, &want, |i| {
        format!("a = {:?}, b = {:?}", a[i], b[i])
    });
    let want: Vec<T> = a.iter().zip(&b).map(|(&x, &y)| int_mix(x, y)).collect();
    assert_eq_each(&format!("{what} int_mix"), &mix.to_vec()?, &want, |i| {
        format!("a = {:?}, b = {:?}", a[i], b[i])
    });
    Ok(())
}

#[test]
fn integer_generic_kernel_and_functions_for_four_types() -> dpex::Result<()> {
    let q = queue();
    for key in [DType::I32, DType::U32, DType::I64, DType::U64] {
        assert!(int_generic.spec_for(&[key]).is_some(), "{key:?}");
    }
    assert!(int_generic.spec_for(&[DType::F32]).is_none());
    run_int::<i32>(&q, 721, -1000, 1 << 20)?;
    run_int::<u32>(&q, 722, 17, u32::MAX - 5)?;
    run_int::<i64>(&q, 723, i64::MIN / 3, 1 << 40)?;
    run_int::<u64>(&q, 724, 3, u64::MAX / 2)?;
    Ok(())
}

/// `q[i] = a[i] / b[i]` for a generic integer: checked for division by zero as concrete
/// integer types are.
#[kernel]
fn int_divide<T: Int>(item: Item<1>, a: &Tensor<T>, b: &Tensor<T>, q: &mut Tensor<T>) {
    let i = item.get_id(0);
    q[i] = a[i] / b[i];
}

#[test]
fn integer_generic_division_by_zero_is_reported() -> dpex::Result<()> {
    let q = queue();
    let a = Tensor::from_slice(&q, &[7u64, 9, 12, 100])?;
    let mut quotient = Tensor::<u64>::zeros(&q, 4)?;
    let b = Tensor::from_slice(&q, &[2u64, 4, 5, 7])?;
    int_divide
        .launch(Range::new([4]), (&a, &b, &mut quotient))?
        .wait()?;
    assert_eq!(quotient.to_vec()?, vec![3, 2, 2, 14]);
    let zero = Tensor::from_slice(&q, &[2u64, 0, 5, 7])?;
    let err = int_divide
        .launch(Range::new([4]), (&a, &zero, &mut quotient))?
        .wait()
        .err();
    assert!(
        matches!(&err, Some(dpex::Error::DivideByZero { kernel, work_item: 1 }) if kernel == "int_divide"),
        "{err:?}"
    );
    let a = Tensor::from_slice(&q, &[i32::MIN, 5])?;
    let minus_one = Tensor::from_slice(&q, &[-1i32, 2])?;
    let mut quotient = Tensor::<i32>::zeros(&q, 2)?;
    let err = int_divide
        .launch(Range::new([2]), (&a, &minus_one, &mut quotient))?
        .wait()
        .err();
    assert!(
        matches!(&err, Some(dpex::Error::DivideOverflow { work_item: 0, .. })),
        "{err:?}"
    );
    Ok(())
}
