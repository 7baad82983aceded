//! The cost of safe-by-default kernels: the same kernels built checked (every index compared
//! with its length, divisions checked) and `#[kernel(unchecked)]`, timed side by side on the
//! same device with event profiling.
//!
//! Run: `cargo bench --bench checks_cost` (`-- --quick` for smaller sizes). Prints the median
//! kernel time of each build and the ratio checked / unchecked with its interquartile range.
//!
//! The gather row is the one kernel here whose checks the launch cannot all prove (its index
//! is read from data), so it shows what an unproven check costs.
//!
//! The last row is host time, not kernel time: a whole `launch(..)` + `wait()` of a 1024-element
//! saxpy, which for the checked build includes allocating the launch's error record and reading
//! it back in `wait()` (the per-launch cost of the checks on the host).

use dpex::prelude::*;
use rand::{Rng, SeedableRng};

#[kernel]
fn saxpy(item: Item<1>, a: f32, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] += a * x[i];
}

#[kernel(unchecked)]
fn saxpy_unchecked(item: Item<1>, a: f32, x: &Tensor<f32>, y: &mut Tensor<f32>) {
    let i = item.get_id(0);
    y[i] += a * x[i];
}

#[dpex::func]
fn cnd(d: f32) -> f32 {
    0.5 * (1.0 + dpex::math::erf(d * std::f32::consts::FRAC_1_SQRT_2))
}

macro_rules! black_scholes {
    ($name:ident, $($attr:tt)*) => {
        #[kernel$($attr)*]
        fn $name(item: Item<1>, price: &Tensor<f32>, strike: &Tensor<f32>, years: &Tensor<f32>, call: &mut Tensor<f32>) {
            let i = item.get_id(0);
            let (s, k, t) = (price[i], strike[i], years[i]);
            let (r, v) = (0.02f32, 0.3f32);
            let d1 = ((s / k).ln() + (r + 0.5 * v * v) * t) / (v * t.sqrt());
            let d2 = d1 - v * t.sqrt();
            call[i] = s * cnd(d1) - k * (-r * t).exp() * cnd(d2);
        }
    };
}
black_scholes!(black_scholes,);
black_scholes!(black_scholes_unchecked, (unchecked));

macro_rules! matmul_tiled {
    ($name:ident, $($attr:tt)*) => {
        #[kernel$($attr)*]
        fn $name(it: NdItem<2>, n: usize, a: &Tensor<f32>, b: &Tensor<f32>, c: &mut Tensor<f32>) {
            let group = it.get_group();
            let mut ta = LocalArray2::<f32, 16, 16>::new(&group);
            let mut tb = LocalArray2::<f32, 16, 16>::new(&group);
            let (row, col) = (it.get_global_id(0), it.get_global_id(1));
            let (lr, lc) = (it.get_local_id(0), it.get_local_id(1));
            let mut acc = 0.0f32;
            for tile in 0..n / 16 {
                ta[[lr, lc]] = a[row * n + tile * 16 + lc];
                tb[[lr, lc]] = b[(tile * 16 + lr) * n + col];
                group_barrier(&group);
                for k in 0..16 {
                    acc += ta[[lr, k]] * tb[[k, lc]];
                }
                group_barrier(&group);
            }
            c[row * n + col] = acc;
        }
    };
}
matmul_tiled!(matmul_tiled,);
matmul_tiled!(matmul_tiled_unchecked, (unchecked));

macro_rules! stencil {
    ($name:ident, $($attr:tt)*) => {
        #[kernel$($attr)*]
        fn $name(item: Item<2>, src: &Tensor<f32, 2>, dst: &mut Tensor<f32, 2>) {
            let (i, j) = (item.get_id(0) + 1, item.get_id(1) + 1);
            dst[[i, j]] = 0.5 * src[[i, j]]
                + 0.125 * (src[[i - 1, j]] + src[[i + 1, j]] + src[[i, j - 1]] + src[[i, j + 1]]);
        }
    };
}
stencil!(stencil,);
stencil!(stencil_unchecked, (unchecked));

macro_rules! gather {
    ($name:ident, $($attr:tt)*) => {
        /// `y[i] = x[idx[i]]`: the data-dependent index keeps its check even when the launch
        /// proves the others.
        #[kernel$($attr)*]
        fn $name(item: Item<1>, idx: &Tensor<u32>, x: &Tensor<f32>, y: &mut Tensor<f32>) {
            let i = item.get_id(0);
            y[i] = x[idx[i] as usize];
        }
    };
}
gather!(gather,);
gather!(gather_unchecked, (unchecked));

/// Median and interquartile range of `values` (sorted in place).
fn quartiles(values: &mut [f64]) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    (at(0.25), at(0.5), at(0.75))
}

/// Runs the checked (`run(true)`) and unchecked (`run(false)`) builds alternately `reps` times
/// after a warm-up; returns the medians (ms) and the quartiles of the per-pair ratio.
fn compare(
    reps: usize,
    mut run: impl FnMut(bool) -> dpex::Result<f64>,
) -> dpex::Result<(f64, f64, (f64, f64, f64))> {
    run(true)?;
    run(false)?;
    let (mut c, mut u, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..reps {
        let (tc, tu) = (run(true)?, run(false)?);
        c.push(tc);
        u.push(tu);
        ratio.push(tc / tu);
    }
    Ok((
        quartiles(&mut c).1,
        quartiles(&mut u).1,
        quartiles(&mut ratio),
    ))
}

fn ms(event: Event) -> dpex::Result<f64> {
    Ok(event.profiling()?.duration().as_secs_f64() * 1e3)
}

fn main() -> dpex::Result<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let reps = if quick { 7 } else { 25 };
    let device = Device::default_device()?;
    let q = Queue::with_options(
        &device,
        QueueOptions {
            profiling: true,
            ..QueueOptions::default()
        },
    )?;
    println!("device: {device}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let mut random = |n: usize, lo: f32, hi: f32| -> Vec<f32> {
        (0..n).map(|_| rng.random_range(lo..hi)).collect()
    };
    let mut rows = Vec::new();

    let n = if quick { 1 << 20 } else { 1 << 24 };
    let x = Tensor::from_slice(&q, &random(n, -1.0, 1.0))?;
    let mut y = Tensor::from_slice(&q, &random(n, -1.0, 1.0))?;
    let r = compare(reps, |checked| {
        let range = Range::new([n]);
        ms(if checked {
            saxpy.launch(range, (1.5, &x, &mut y))?
        } else {
            saxpy_unchecked.launch(range, (1.5, &x, &mut y))?
        })
    })?;
    rows.push((format!("saxpy f32 n={n}"), r));

    let n = if quick { 1 << 18 } else { 1 << 22 };
    let (p, k, t) = (
        Tensor::from_slice(&q, &random(n, 5.0, 30.0))?,
        Tensor::from_slice(&q, &random(n, 1.0, 100.0))?,
        Tensor::from_slice(&q, &random(n, 0.25, 10.0))?,
    );
    let mut call = Tensor::<f32>::zeros(&q, n)?;
    let r = compare(reps, |checked| {
        let range = Range::new([n]);
        ms(if checked {
            black_scholes.launch(range, (&p, &k, &t, &mut call))?
        } else {
            black_scholes_unchecked.launch(range, (&p, &k, &t, &mut call))?
        })
    })?;
    rows.push((format!("black_scholes f32 n={n}"), r));

    let m = if quick { 256 } else { 1024 };
    let (a, b) = (
        Tensor::from_slice(&q, &random(m * m, -1.0, 1.0))?,
        Tensor::from_slice(&q, &random(m * m, -1.0, 1.0))?,
    );
    let mut c = Tensor::<f32>::zeros(&q, m * m)?;
    let range = NdRange::new([m, m], [16, 16]);
    let r = compare(reps.min(9), |checked| {
        ms(if checked {
            matmul_tiled.launch(range, (m, &a, &b, &mut c))?
        } else {
            matmul_tiled_unchecked.launch(range, (m, &a, &b, &mut c))?
        })
    })?;
    rows.push((format!("matmul_tiled f32 {m}x{m}"), r));

    let s = if quick { 1024 } else { 4096 };
    let src = Tensor::from_vec_shape(&q, random(s * s, -1.0, 1.0), [s, s])?;
    let mut dst = Tensor::<f32, 2>::zeros(&q, [s, s])?;
    let inner = Range::new([s - 2, s - 2]);
    let r = compare(reps, |checked| {
        ms(if checked {
            stencil.launch(inner, (&src, &mut dst))?
        } else {
            stencil_unchecked.launch(inner, (&src, &mut dst))?
        })
    })?;
    rows.push((format!("stencil f32 {s}x{s}"), r));

    let n = if quick { 1 << 20 } else { 1 << 24 };
    let indices: Vec<u32> = (0..n as u32)
        .map(|i| i.wrapping_mul(2_654_435_761) % n as u32)
        .collect();
    let idx = Tensor::from_slice(&q, &indices)?;
    let x = Tensor::from_slice(&q, &random(n, -1.0, 1.0))?;
    let mut y = Tensor::<f32>::zeros(&q, n)?;
    let r = compare(reps, |checked| {
        let range = Range::new([n]);
        ms(if checked {
            gather.launch(range, (&idx, &x, &mut y))?
        } else {
            gather_unchecked.launch(range, (&idx, &x, &mut y))?
        })
    })?;
    rows.push((format!("gather f32 n={n} (x[idx[i]] checked)"), r));

    let n = 1024;
    let x = Tensor::from_slice(&q, &random(n, -1.0, 1.0))?;
    let mut y = Tensor::from_slice(&q, &random(n, -1.0, 1.0))?;
    let r = compare(if quick { 201 } else { 2001 }, |checked| {
        let range = Range::new([n]);
        let start = std::time::Instant::now();
        if checked {
            saxpy.launch(range, (1.5, &x, &mut y))?.wait()?;
        } else {
            saxpy_unchecked.launch(range, (1.5, &x, &mut y))?.wait()?;
        }
        Ok(start.elapsed().as_secs_f64() * 1e3)
    })?;
    rows.push((format!("saxpy n={n} launch+wait (host)"), r));

    println!(
        "{:<42} {:>12} {:>12} {:>10} {:>17}",
        "kernel", "checked ms", "unchecked ms", "ratio", "ratio IQR"
    );
    for (name, (checked, unchecked, (q1, median, q3))) in rows {
        println!(
            "{name:<42} {checked:>12.4} {unchecked:>12.4} {median:>10.3} {:>17}",
            format!("{q1:.3}-{q3:.3}")
        );
    }
    Ok(())
}
