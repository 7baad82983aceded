//! Conformance of device functions (issue 3, "Device functions"): a function nested in a
//! kernel body, a `#[dpex::func]` called from two kernels, a function calling another, a
//! function writing through a `&mut Tensor` parameter, a function returning nothing, early
//! `return` from a function, and a generic `<T: Float>` function used with `f32` and `f64`.

mod common;

use common::{assert_eq_each, assert_same_each, float_pairs, int_pairs, nonzero_f32, queue, rng};
use dpex::prelude::*;

/// Called by `poly_kernel_a` and `poly_kernel_b`, and on the host.
#[dpex::func]
fn poly(x: i64, c: i64) -> i64 {
    x.wrapping_mul(x).wrapping_add(c.wrapping_mul(x)) ^ c
}

/// Calls `poly` (a function calling a function), twice.
#[dpex::func]
fn poly2(x: i64, c: i64) -> i64 {
    let inner = poly(x, c);
    poly(inner, c >> 3)
}

#[kernel]
fn poly_kernel_a(item: Item<1>, x: &Tensor<i64>, c: i64, out: &mut Tensor<i64>) {
    let i = item.get_id(0);
    out[i] = poly(x[i], c);
}

#[kernel]
fn poly_kernel_b(item: Item<1>, x: &Tensor<i64>, c: &Tensor<i64>, out: &mut Tensor<i64>) {
    let i = item.get_id(0);
    out[i] = poly2(x[i], c[i]) ^ poly(c[i], x[i]);
}

#[test]
fn one_function_called_from_two_kernels_and_from_a_function() -> dpex::Result<()> {
    let q = queue();
    let (x, c) = int_pairs::<i64>(601, 1301);
    let n = x.len();
    let (dx, dc) = (Tensor::from_slice(&q, &x)?, Tensor::from_slice(&q, &c)?);
    let mut out = Tensor::<i64>::zeros(&q, n)?;
    for k in [i64::MIN, -3, 0, 7, i64::MAX] {
        poly_kernel_a
            .launch(Range::new([n]), (&dx, k, &mut out))?
            .wait()?;
        let want: Vec<i64> = x.iter().map(|&v| poly(v, k)).collect();
        assert_eq_each("kernel a", &out.to_vec()?, &want, |i| {
            format!("x = {}, c = {k}", x[i])
        });
    }
    poly_kernel_b
        .launch(Range::new([n]), (&dx, &dc, &mut out))?
        .wait()?;
    let want: Vec<i64> = (0..n)
        .map(|i| poly2(x[i], c[i]) ^ poly(c[i], x[i]))
        .collect();
    assert_eq_each("kernel b", &out.to_vec()?, &want, |i| {
        format!("x = {}, c = {}", x[i], c[i])
    });
    Ok(())
}

/// Functions nested in the kernel body: one calling the other, one with an early return.
/// (A nested function with a tensor parameter does not type-check yet: the hidden host copy
/// leaves its `&mut Tensor<T>` unmapped; `#[dpex::func]`s with tensor parameters are tested
/// below.)
#[kernel]
fn nested_kernel(item: Item<1>, x: &Tensor<i32>, out: &mut Tensor<i32>, log: &mut Tensor<i32>) {
    fn square_plus(v: i32, k: i32) -> i32 {
        v.wrapping_mul(v).wrapping_add(k)
    }
    fn clipped(v: i32) -> i32 {
        if v < -1000 {
            return -1000;
        }
        if v > 1000 {
            return 1000;
        }
        square_plus(v, 1)
    }
    fn logged(v: i32) -> i32 {
        v ^ 0x55
    }
    let i = item.get_id(0);
    let v = clipped(x[i]);
    log[i] = logged(v);
    out[i] = square_plus(v, x[i]);
}

#[test]
fn functions_nested_in_a_kernel() -> dpex::Result<()> {
    let q = queue();
    let (x, _) = int_pairs::<i32>(602, 1203);
    let n = x.len();
    let dx = Tensor::from_slice(&q, &x)?;
    let mut out = Tensor::<i32>::zeros(&q, n)?;
    let mut log = Tensor::<i32>::zeros(&q, n)?;
    nested_kernel
        .launch(Range::new([n]), (&dx, &mut out, &mut log))?
        .wait()?;
    // The nested functions are private to the kernel: the host reference restates them.
    let clipped = |v: i32| {
        if v < -1000 {
            -1000
        } else if v > 1000 {
            1000
        } else {
            v.wrapping_mul(v).wrapping_add(1)
        }
    };
    let want: Vec<i32> = x
        .iter()
        .map(|&v| clipped(v).wrapping_mul(clipped(v)).wrapping_add(v))
        .collect();
    let describe = |i: usize| format!("x = {}", x[i]);
    assert_eq_each("nested functions", &out.to_vec()?, &want, describe);
    let want: Vec<i32> = x.iter().map(|&v| clipped(v) ^ 0x55).collect();
    assert_eq_each("nested writer", &log.to_vec()?, &want, describe);
    Ok(())
}

/// The per-element rule, shared by the device and the host.
#[dpex::func]
fn bucket(v: f32) -> usize {
    if v.is_nan() {
        return 0;
    }
    if v < -10.0 {
        1
    } else if v < 10.0 {
        2 + (v + 10.0) as usize / 5
    } else {
        6
    }
}

/// Writes through a `&mut Tensor` parameter at an index the function computes.
#[dpex::func]
fn scatter(out: &mut Tensor<f32>, i: usize, v: f32) {
    let b = bucket(v);
    out[i * 7 + b] = v * 2.0;
}

/// Reads a tensor parameter and returns a value.
#[dpex::func]
fn neighbours(x: &Tensor<f32>, i: usize) -> f32 {
    let left = if i > 0 { x[i - 1] } else { 0.0 };
    let right = if i + 1 < x.len() { x[i + 1] } else { 0.0 };
    left + right
}

#[kernel]
fn scatter_kernel(item: Item<1>, x: &Tensor<f32>, out: &mut Tensor<f32>, sums: &mut Tensor<f32>) {
    let i = item.get_id(0);
    scatter(out, i, x[i]);
    sums[i] = neighbours(x, i);
}

#[test]
fn functions_with_tensor_parameters() -> dpex::Result<()> {
    let q = queue();
    let (x, _) = float_pairs::<f32>(603, 1999);
    let n = x.len();
    let dx = Tensor::from_slice(&q, &x)?;
    let mut out = Tensor::<f32>::zeros(&q, 7 * n)?;
    let mut sums = Tensor::<f32>::zeros(&q, n)?;
    scatter_kernel
        .launch(Range::new([n]), (&dx, &mut out, &mut sums))?
        .wait()?;
    let mut want = vec![0.0f32; 7 * n];
    for (i, &v) in x.iter().enumerate() {
        want[i * 7 + bucket(v)] = v * 2.0;
    }
    assert_same_each("scatter", &out.to_vec()?, &want, |k| {
        format!("x = {:?}", x[k / 7])
    });
    let want: Vec<f32> = (0..n)
        .map(|i| {
            let left = if i > 0 { x[i - 1] } else { 0.0 };
            let right = if i + 1 < n { x[i + 1] } else { 0.0 };
            left + right
        })
        .collect();
    assert_same_each("neighbours", &sums.to_vec()?, &want, |i| format!("i = {i}"));
    Ok(())
}

/// A generic device function, instantiated for `f32` by one kernel and `f64` by another.
#[dpex::func]
fn smooth_step<T: Float>(edge0: T, edge1: T, x: T) -> T {
    let t = ((x - edge0) / (edge1 - edge0)).clamp(T::from_f64(0.0), T::from_f64(1.0));
    t * t * (T::from_f64(3.0) - T::from_f64(2.0) * t)
}

#[kernel]
fn smooth_f32(item: Item<1>, x: &Tensor<f32>, out: &mut Tensor<f32>) {
    let i = item.get_id(0);
    out[i] = smooth_step(-2.0f32, 3.0, x[i]);
}

#[kernel]
fn smooth_f64(item: Item<1>, x: &Tensor<f64>, out: &mut Tensor<f64>) {
    let i = item.get_id(0);
    out[i] = smooth_step(-2.0, 3.0, x[i]) + smooth_step(0.5, 1.5, x[i] * 0.5);
}

#[test]
fn generic_function_with_f32_and_f64() -> dpex::Result<()> {
    let q = queue();
    let (x32, _) = float_pairs::<f32>(604, 1777);
    let dx = Tensor::from_slice(&q, &x32)?;
    let mut out = Tensor::<f32>::zeros(&q, x32.len())?;
    smooth_f32
        .launch(Range::new([x32.len()]), (&dx, &mut out))?
        .wait()?;
    let want: Vec<f32> = x32.iter().map(|&v| smooth_step(-2.0, 3.0, v)).collect();
    assert_same_each("smooth_step::<f32>", &out.to_vec()?, &want, |i| {
        format!("x = {:?}", x32[i])
    });

    let (x64, _) = float_pairs::<f64>(605, 1777);
    let dx = Tensor::from_slice(&q, &x64)?;
    let mut out = Tensor::<f64>::zeros(&q, x64.len())?;
    smooth_f64
        .launch(Range::new([x64.len()]), (&dx, &mut out))?
        .wait()?;
    let want: Vec<f64> = x64
        .iter()
        .map(|&v| smooth_step(-2.0, 3.0, v) + smooth_step(0.5, 1.5, v * 0.5))
        .collect();
    assert_same_each("smooth_step::<f64>", &out.to_vec()?, &want, |i| {
        format!("x = {:?}", x64[i])
    });
    Ok(())
}

/// A helper nested in the kernel that takes tensors: it reads one and writes another.
#[kernel]
fn nested_tensor_helper(item: Item<1>, x: &Tensor<i32>, out: &mut Tensor<i32>) {
    fn copy_scaled(src: &Tensor<i32>, dst: &mut Tensor<i32>, i: usize, k: i32) {
        dst[i] = src[i].wrapping_mul(k);
    }
    let i = item.get_id(0);
    copy_scaled(x, out, i, 3);
}

#[test]
fn nested_functions_take_tensors() -> dpex::Result<()> {
    let q = queue();
    let x: Vec<i32> = (0..1001).map(|i| i * 7919 - 3_000_000).collect();
    let dx = Tensor::from_slice(&q, &x)?;
    let mut out = Tensor::<i32>::zeros(&q, x.len())?;
    nested_tensor_helper
        .launch(Range::new([x.len()]), (&dx, &mut out))?
        .wait()?;
    let want: Vec<i32> = x.iter().map(|v| v.wrapping_mul(3)).collect();
    assert_eq!(out.to_vec()?, want);
    Ok(())
}

/// Two modules with device functions of the same names (issue 13, bug 1): each module's
/// `write_values_inner` calls its own `mix` by bare name, which names the function of its
/// module, as in rustc; `even`'s also reaches a function of the parent module through `super`.
mod odd {
    /// Odd's mixing rule.
    #[dpex::func]
    pub(super) fn mix(x: i64) -> i64 {
        x.wrapping_mul(3).wrapping_add(1)
    }

    /// Writes odd's value of `x` at `i`.
    #[dpex::func]
    pub(super) fn write_values_inner(out: &mut Tensor<i64>, i: usize, x: i64) {
        out[i] = mix(x) | 1;
    }
}

mod even {
    /// Even's mixing rule.
    #[dpex::func]
    pub(super) fn mix(x: i64) -> i64 {
        x ^ 0x5a5a
    }

    /// Writes even's value of `x` at `i`.
    #[dpex::func]
    pub(super) fn write_values_inner(out: &mut Tensor<i64>, i: usize, x: i64) {
        out[i] = super::mix(self::mix(x)) & !1;
    }
}

/// The parent module's mixing rule, reached from `even` through `super::mix`.
#[dpex::func]
fn mix(x: i64) -> i64 {
    x.wrapping_sub(7)
}

#[kernel]
fn same_named_functions(
    item: Item<1>,
    x: &Tensor<i64>,
    odds: &mut Tensor<i64>,
    evens: &mut Tensor<i64>,
    own: &mut Tensor<i64>,
) {
    let i = item.get_id(0);
    odd::write_values_inner(odds, i, x[i]);
    even::write_values_inner(evens, i, x[i]);
    own[i] = mix(x[i]);
}

#[test]
fn functions_of_one_name_in_two_modules_are_resolved_by_path() -> dpex::Result<()> {
    let q = queue();
    let (x, _) = int_pairs::<i64>(604, 1501);
    let n = x.len();
    let dx = Tensor::from_slice(&q, &x)?;
    let mut odds = Tensor::<i64>::zeros(&q, n)?;
    let mut evens = Tensor::<i64>::zeros(&q, n)?;
    let mut own = Tensor::<i64>::zeros(&q, n)?;
    same_named_functions
        .launch(Range::new([n]), (&dx, &mut odds, &mut evens, &mut own))?
        .wait()?;
    let describe = |i: usize| format!("x = {}", x[i]);
    let want: Vec<i64> = x
        .iter()
        .map(|&v| v.wrapping_mul(3).wrapping_add(1) | 1)
        .collect();
    assert_eq_each("odd::write_values_inner", &odds.to_vec()?, &want, describe);
    let want: Vec<i64> = x
        .iter()
        .map(|&v| (v ^ 0x5a5a).wrapping_sub(7) & !1)
        .collect();
    assert_eq_each(
        "even::write_values_inner",
        &evens.to_vec()?,
        &want,
        describe,
    );
    let want: Vec<i64> = x.iter().map(|&v| v.wrapping_sub(7)).collect();
    assert_eq_each("mix", &own.to_vec()?, &want, describe);
    Ok(())
}

/// Stores `v` in the work-item's slot of `tmp`, waits for its work-group, and returns the value
/// the work-item mirrored in the group stored (a function taking the work-item).
#[dpex::func]
fn mirror_in_group(it: &NdItem<1>, tmp: &mut Tensor<f32>, v: f32) -> f32 {
    let i = it.get_global_id(0);
    let l = it.get_local_id(0);
    tmp[i] = v;
    group_barrier(&it.get_group());
    tmp[i - l + (it.get_local_range(0) - 1 - l)]
}

/// Waits for the work-group (a function taking the group).
#[dpex::func]
fn wait_for(g: &Group<1>) {
    group_barrier(g);
}

/// Rotates `v` by one place within the work-group through `tmp` (a function calling a
/// function that waits).
#[dpex::func]
fn rotate_in_group(it: &NdItem<1>, tmp: &mut Tensor<f32>, v: f32) -> f32 {
    let i = it.get_global_id(0);
    let l = it.get_local_id(0);
    let g = it.get_group();
    wait_for(&g);
    tmp[i] = v;
    wait_for(&g);
    tmp[i - l + (l + 1) % g.get_local_range(0)]
}

#[kernel]
fn exchange_kernel(it: NdItem<1>, x: &Tensor<f32>, tmp: &mut Tensor<f32>, out: &mut Tensor<f32>) {
    let i = it.get_global_id(0);
    let mirrored = mirror_in_group(&it, tmp, x[i] * 2.0);
    let rotated = rotate_in_group(&it, tmp, x[i] - 1.0);
    out[i] = mirrored + rotated * 3.0;
}

#[test]
fn functions_taking_the_work_item_or_group_wait_at_barriers() -> dpex::Result<()> {
    let q = queue();
    let x = nonzero_f32(&mut rng(907), 64 * 13);
    let n = x.len();
    let dx = Tensor::from_slice(&q, &x)?;
    let mut tmp = Tensor::<f32>::zeros(&q, n)?;
    let mut out = Tensor::<f32>::zeros(&q, n)?;
    for local in [64, 8] {
        exchange_kernel
            .launch(NdRange::new([n], [local]), (&dx, &mut tmp, &mut out))?
            .wait()?;
        let want: Vec<f32> = (0..n)
            .map(|i| {
                let (start, l) = (i - i % local, i % local);
                let mirrored = x[start + local - 1 - l] * 2.0;
                let rotated = x[start + (l + 1) % local] - 1.0;
                mirrored + rotated * 3.0
            })
            .collect();
        assert_same_each("exchange", &out.to_vec()?, &want, |i| {
            format!("local size {local}, work-item {i}")
        });
    }
    Ok(())
}
