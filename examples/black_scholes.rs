//! Black-Scholes European option pricing over 2^22 options, in f32 and in f64 from one generic
//! kernel, checked against a host implementation.
//!
//! Run: `cargo run --release --example black_scholes`.

use dpex::math::erf;
use dpex::prelude::*;
use rand::{Rng, SeedableRng};
use std::time::Instant;

/// The standard normal cumulative distribution function.
#[dpex::func]
pub fn cnd<T: Float>(d: T) -> T {
    let half = T::from_f64(0.5);
    half * (T::from_f64(1.0) + erf(d * T::from_f64(std::f64::consts::FRAC_1_SQRT_2)))
}

/// Prices a call and a put for each option: spot price, strike, time to expiry.
#[kernel]
pub fn black_scholes<T: Float>(
    item: Item<1>,
    rate: T,
    volatility: T,
    price: &Tensor<T>,
    strike: &Tensor<T>,
    years: &Tensor<T>,
    call: &mut Tensor<T>,
    put: &mut Tensor<T>,
) {
    let i = item.get_id(0);
    let (s, k, t) = (price[i], strike[i], years[i]);
    let sqrt_t = t.sqrt();
    let d1 = ((s / k).ln() + (rate + T::from_f64(0.5) * volatility * volatility) * t)
        / (volatility * sqrt_t);
    let d2 = d1 - volatility * sqrt_t;
    let discounted = k * (-rate * t).exp();
    call[i] = s * cnd(d1) - discounted * cnd(d2);
    put[i] = discounted * cnd(-d2) - s * cnd(-d1);
}

fn host_prices(rate: f64, vol: f64, s: f64, k: f64, t: f64) -> (f64, f64) {
    let d1 = ((s / k).ln() + (rate + 0.5 * vol * vol) * t) / (vol * t.sqrt());
    let d2 = d1 - vol * t.sqrt();
    let n = |x: f64| 0.5 * (1.0 + libm::erf(x / std::f64::consts::SQRT_2));
    let discounted = k * (-rate * t).exp();
    (
        s * n(d1) - discounted * n(d2),
        discounted * n(-d2) - s * n(-d1),
    )
}

fn main() -> dpex::Result<()> {
    let n = 1usize << 22;
    let (rate, vol) = (0.02, 0.30);
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let price: Vec<f64> = (0..n).map(|_| rng.random_range(5.0..30.0)).collect();
    let strike: Vec<f64> = (0..n).map(|_| rng.random_range(1.0..100.0)).collect();
    let years: Vec<f64> = (0..n).map(|_| rng.random_range(0.25..10.0)).collect();
    let queue = Queue::default()?;
    println!("device: {}", queue.device());

    let expected: Vec<(f64, f64)> = (0..n)
        .map(|i| host_prices(rate, vol, price[i], strike[i], years[i]))
        .collect();
    let mut worst = 0.0f64;
    // f64
    {
        let (p, k, t) = (
            Tensor::from_slice(&queue, &price)?,
            Tensor::from_slice(&queue, &strike)?,
            Tensor::from_slice(&queue, &years)?,
        );
        let (mut call, mut put) = (
            Tensor::<f64>::zeros(&queue, n)?,
            Tensor::<f64>::zeros(&queue, n)?,
        );
        let start = Instant::now();
        black_scholes
            .launch(
                Range::new([n]),
                (rate, vol, &p, &k, &t, &mut call, &mut put),
            )?
            .wait()?;
        println!(
            "f64: {n} options in {:.2?} (first launch, driver build included)",
            start.elapsed()
        );
        let (call, put) = (call.to_vec()?, put.to_vec()?);
        for i in 0..n {
            worst = worst
                .max((call[i] - expected[i].0).abs())
                .max((put[i] - expected[i].1).abs());
        }
        println!("f64: largest difference from the host: {worst:.3e}");
        if worst > 1e-9 {
            eprintln!("f64 prices differ from the host reference");
            std::process::exit(1);
        }
    }
    // f32
    {
        let to32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
        let (p, k, t) = (
            Tensor::from_slice(&queue, &to32(&price))?,
            Tensor::from_slice(&queue, &to32(&strike))?,
            Tensor::from_slice(&queue, &to32(&years))?,
        );
        let (mut call, mut put) = (
            Tensor::<f32>::zeros(&queue, n)?,
            Tensor::<f32>::zeros(&queue, n)?,
        );
        let start = Instant::now();
        black_scholes
            .launch(
                Range::new([n]),
                (rate as f32, vol as f32, &p, &k, &t, &mut call, &mut put),
            )?
            .wait()?;
        println!(
            "f32: {n} options in {:.2?} (first launch, driver build included)",
            start.elapsed()
        );
        let (call, put) = (call.to_vec()?, put.to_vec()?);
        let mut worst32 = 0.0f64;
        for i in 0..n {
            worst32 = worst32
                .max((f64::from(call[i]) - expected[i].0).abs())
                .max((f64::from(put[i]) - expected[i].1).abs());
        }
        println!("f32: largest difference from the host: {worst32:.3e}");
        if worst32 > 1e-3 {
            eprintln!("f32 prices differ from the host reference");
            std::process::exit(1);
        }
    }
    println!("all {n} options match the host reference in f32 and f64");
    Ok(())
}
