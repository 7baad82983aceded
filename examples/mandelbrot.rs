//! The Mandelbrot set: escape counts of a 1024 x 768 image (at most 256 iterations) from one
//! generic 2-D kernel, in f64 (when the device has it) and in f32, checked against a host
//! implementation, and drawn to `target/mandelbrot.png`.
//!
//! The f64 counts must match the host exactly. In f32 a pixel next to the boundary of the set
//! may escape one iteration earlier or later when the device rounds differently (for example by
//! fusing a multiply and an add), so a tiny fraction of differing pixels is allowed and reported.
//!
//! Run: `cargo run --release --example mandelbrot`. `DPEX_DEVICE=cpu` (any selector) picks the
//! device.

use dpex::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

const WIDTH: usize = 1024;
const HEIGHT: usize = 768;
const MAX_ITER: u32 = 256;
/// The largest share of f32 pixels allowed to differ from the host (boundary pixels only).
const F32_TOLERATED: f64 = 1e-3;

/// counts[py * width + px] = the number of iterations z <- z^2 + c, from z = 0, before |z| > 2
/// (at most `max_iter`), for c = re[px] + i im[py]; the launch range is `[width, height]`
/// with `width = re.len()`.
#[kernel]
pub fn mandelbrot<T: Float>(
    item: Item<2>,
    max_iter: u32,
    re: &Tensor<T>,
    im: &Tensor<T>,
    counts: &mut Tensor<u32>,
) {
    let px = item.get_id(0);
    let py = item.get_id(1);
    let cr = re[px];
    let ci = im[py];
    let mut zr = T::from_f64(0.0);
    let mut zi = T::from_f64(0.0);
    let mut count = 0u32;
    while count < max_iter {
        let zr2 = zr * zr;
        let zi2 = zi * zi;
        if zr2 + zi2 > T::from_f64(4.0) {
            break;
        }
        zi = T::from_f64(2.0) * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        count += 1;
    }
    counts[py * re.len() + px] = count;
}

/// The kernel's loop on the host, operation for operation.
fn host_count<T: Float>(max_iter: u32, cr: T, ci: T) -> u32 {
    let mut zr = T::from_f64(0.0);
    let mut zi = T::from_f64(0.0);
    let mut count = 0u32;
    while count < max_iter {
        let zr2 = zr * zr;
        let zi2 = zi * zi;
        if zr2 + zi2 > T::from_f64(4.0) {
            break;
        }
        zi = T::from_f64(2.0) * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        count += 1;
    }
    count
}

/// Runs the kernel in precision `T` and returns its counts and the number of pixels that
/// differ from the host.
fn run<T: Float>(queue: &Queue, re: &[f64], im: &[f64]) -> dpex::Result<(Vec<u32>, usize)> {
    let re: Vec<T> = re.iter().map(|&x| T::from_f64(x)).collect();
    let im: Vec<T> = im.iter().map(|&y| T::from_f64(y)).collect();
    let re_t = Tensor::from_slice(queue, &re)?;
    let im_t = Tensor::from_slice(queue, &im)?;
    let mut counts = Tensor::<u32>::zeros(queue, WIDTH * HEIGHT)?;
    let range = Range::new([WIDTH, HEIGHT]);

    let start = Instant::now();
    mandelbrot
        .launch(range, (MAX_ITER, &re_t, &im_t, &mut counts))?
        .wait()?;
    let first = start.elapsed();
    let start = Instant::now();
    mandelbrot
        .launch(range, (MAX_ITER, &re_t, &im_t, &mut counts))?
        .wait()?;
    let cached = start.elapsed();
    let counts = counts.to_vec()?;

    let start = Instant::now();
    let expected: Vec<u32> = (0..HEIGHT)
        .flat_map(|py| (0..WIDTH).map(move |px| (px, py)))
        .map(|(px, py)| host_count(MAX_ITER, re[px], im[py]))
        .collect();
    let host = start.elapsed();
    let differing = counts.iter().zip(&expected).filter(|(a, b)| a != b).count();
    let iterations: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    println!(
        "{}: {WIDTH} x {HEIGHT} pixels, {iterations} iterations: first launch (with driver build) \
         {first:.2?}, cached launch {cached:.2?} ({:.2} G iterations/s); host {host:.2?}",
        T::DTYPE,
        iterations as f64 / cached.as_secs_f64() / 1e9,
    );
    Ok((counts, differing))
}

/// A smooth black-blue-orange-white palette; points of the set (`max_iter`) are black.
fn color(count: u32) -> [u8; 3] {
    if count >= MAX_ITER {
        return [0, 0, 0];
    }
    let t = (f64::from(count) / f64::from(MAX_ITER)).sqrt();
    let s = 1.0 - t;
    let channel = |v: f64| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    [
        channel(9.0 * s * t * t * t),
        channel(15.0 * s * s * t * t),
        channel(8.5 * s * s * s * t),
    ]
}

fn write_png(path: &PathBuf, counts: &[u32]) -> Result<(), Box<dyn std::error::Error>> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, WIDTH as u32, HEIGHT as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let pixels: Vec<u8> = counts.iter().flat_map(|&c| color(c)).collect();
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The view [-2.5, 1] x [-1.3125, 1.3125] (4:3), sampled at the pixel centres.
    let step = 3.5 / WIDTH as f64;
    let re: Vec<f64> = (0..WIDTH)
        .map(|px| -2.5 + (px as f64 + 0.5) * step)
        .collect();
    let im: Vec<f64> = (0..HEIGHT)
        .map(|py| 1.3125 - (py as f64 + 0.5) * step)
        .collect();

    let queue = Queue::default()?;
    println!("device: {}", queue.device());
    let mut failed = false;

    let picture = if queue.device().has_fp64() {
        let (counts, differing) = run::<f64>(&queue, &re, &im)?;
        if differing > 0 {
            eprintln!(
                "f64: {differing} of {} pixels differ from the host reference",
                WIDTH * HEIGHT
            );
            failed = true;
        } else {
            println!("f64: all {} counts match the host exactly", WIDTH * HEIGHT);
        }
        Some(counts)
    } else {
        println!("f64: skipped, the device has no double precision");
        None
    };

    let (counts32, differing) = run::<f32>(&queue, &re, &im)?;
    let share = differing as f64 / (WIDTH * HEIGHT) as f64;
    println!(
        "f32: {differing} of {} pixels ({:.4}%) differ from the host reference (tolerated: {:.2}%)",
        WIDTH * HEIGHT,
        share * 100.0,
        F32_TOLERATED * 100.0
    );
    if share > F32_TOLERATED {
        eprintln!("f32: too many pixels differ from the host reference");
        failed = true;
    }

    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/mandelbrot.png");
    write_png(&path, picture.as_deref().unwrap_or(&counts32))?;
    println!("picture: {}", path.display());
    if failed {
        std::process::exit(1);
    }
    Ok(())
}
