//! Constants defined outside kernels: `#[dpex::constant]` hands their value to the kernels and
//! device functions that name them, in expressions and as sizes (local arrays, private arrays).

mod common;

use common::{nonzero_f32, queue, rng};
use dpex::prelude::*;

/// The side of a square tile.
#[dpex::constant]
const TILE: usize = 16;

/// Elements summed per work-item in a private array.
#[dpex::constant]
const CHUNK: usize = 4;

/// A scale factor.
#[dpex::constant]
const SCALE: f32 = 2.5;

/// Defined in terms of another constant.
#[dpex::constant]
const OFFSET: f32 = SCALE * 2.0 + 1.0;

/// `SCALE * x + OFFSET`, a device function using the constants too.
#[dpex::func]
fn affine(x: f32) -> f32 {
    SCALE * x + OFFSET
}

/// Transposes a square matrix through a `TILE x TILE` tile in local memory.
#[kernel]
fn transpose_tiled(it: NdItem<2>, n: usize, a: &Tensor<f32>, t: &mut Tensor<f32>) {
    let group = it.get_group();
    let mut tile = LocalArray2::<f32, TILE, TILE>::new(&group);
    let (row, col) = (it.get_global_id(0), it.get_global_id(1));
    let (lr, lc) = (it.get_local_id(0), it.get_local_id(1));
    tile[[lr, lc]] = a[row * n + col];
    group_barrier(&group);
    let (g0, g1) = (it.get_group_id(0), it.get_group_id(1));
    t[(g1 * TILE + lr) * n + g0 * TILE + lc] = tile[[lc, lr]];
}

/// Each work-item sums `CHUNK` consecutive elements through a private array, then applies
/// `affine`.
#[kernel]
fn chunk_sums(item: Item<1>, x: &Tensor<f32>, out: &mut Tensor<f32>) {
    let i = item.get_id(0);
    let mut parts = [0.0f32; CHUNK];
    let mut sum = 0.0f32;
    for k in 0..CHUNK {
        parts[k] = x[i * CHUNK + k];
        sum += parts[k];
    }
    out[i] = affine(sum);
}

#[test]
fn a_constant_sizes_a_local_tile() -> dpex::Result<()> {
    let q = queue();
    let n = 4 * TILE;
    let host = nonzero_f32(&mut rng(41), n * n);
    let a = Tensor::from_slice(&q, &host)?;
    let mut t = Tensor::<f32>::zeros(&q, n * n)?;
    transpose_tiled
        .launch(NdRange::new([n, n], [TILE, TILE]), (n, &a, &mut t))?
        .wait()?;
    let got = t.to_vec()?;
    for i in 0..n {
        for j in 0..n {
            assert_eq!(got[j * n + i], host[i * n + j], "({i}, {j})");
        }
    }
    Ok(())
}

#[test]
fn constants_in_expressions_arrays_and_device_functions() -> dpex::Result<()> {
    let q = queue();
    let n = 1000;
    let host = nonzero_f32(&mut rng(42), n * CHUNK);
    let x = Tensor::from_slice(&q, &host)?;
    let mut out = Tensor::<f32>::zeros(&q, n)?;
    chunk_sums.launch(Range::new([n]), (&x, &mut out))?.wait()?;
    let want: Vec<f32> = host
        .chunks(CHUNK)
        .map(|c| affine(c.iter().fold(0.0f32, |s, v| s + v)))
        .collect();
    assert_eq!(out.to_vec()?, want);
    assert_eq!(OFFSET, 6.0);
    Ok(())
}

/// A generic kernel whose type parameter has a constant-like name (`FT`: not a constant) and a
/// local array sized by `TILE`: copies `x` reversed within each tile.
#[kernel]
fn reverse_tiles<FT: Float>(it: NdItem<1>, x: &Tensor<FT>, y: &mut Tensor<FT>) {
    let group = it.get_group();
    let mut tile = LocalArray::<FT, TILE>::new(&group);
    let (i, l) = (it.get_global_id(0), it.get_local_id(0));
    tile[l] = x[i];
    group_barrier(&group);
    y[i] = tile[TILE - 1 - l];
}

#[test]
fn a_type_parameter_is_not_taken_for_a_constant() -> dpex::Result<()> {
    let q = queue();
    let n = 8 * TILE;
    let host: Vec<f64> = nonzero_f32(&mut rng(43), n)
        .into_iter()
        .map(f64::from)
        .collect();
    let x = Tensor::from_slice(&q, &host)?;
    let mut y = Tensor::<f64>::zeros(&q, n)?;
    reverse_tiles
        .launch(NdRange::new([n], [TILE]), (&x, &mut y))?
        .wait()?;
    let want: Vec<f64> = host
        .chunks(TILE)
        .flat_map(|c| c.iter().rev().copied())
        .collect();
    assert_eq!(y.to_vec()?, want);
    Ok(())
}

/// One-letter constants (issue 13, bug 4): elements per work-item.
#[dpex::constant]
const N: usize = 3;

/// One-letter constants: a weight.
#[dpex::constant]
const K: f32 = 1.5;

/// A generic kernel with a one-letter type parameter (`T`: not a constant) and the one-letter
/// constants `N` (an array length and a stride) and `K` (a value).
#[kernel]
fn weighted_triples<T: Float>(item: Item<1>, x: &Tensor<T>, out: &mut Tensor<T>) {
    let i = item.get_id(0);
    let mut parts = [T::from_f64(0.0); N];
    let mut sum = T::from_f64(0.0);
    for k in 0..N {
        parts[k] = x[i * N + k] * T::from_f64((k + 1) as f64);
        sum += parts[k];
    }
    out[i] = sum * T::from_f64(K as f64);
}

#[test]
fn one_letter_constants_are_found() -> dpex::Result<()> {
    let q = queue();
    let n = 700;
    let host = nonzero_f32(&mut rng(44), n * N);
    let x = Tensor::from_slice(&q, &host)?;
    let mut out = Tensor::<f32>::zeros(&q, n)?;
    weighted_triples
        .launch(Range::new([n]), (&x, &mut out))?
        .wait()?;
    let want: Vec<f32> = host
        .chunks(N)
        .map(|c| {
            let sum = c
                .iter()
                .enumerate()
                .fold(0.0f32, |s, (k, v)| s + v * (k + 1) as f32);
            sum * K
        })
        .collect();
    assert_eq!(out.to_vec()?, want);
    Ok(())
}
