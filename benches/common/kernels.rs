//! The benchmarks' dpex kernels, as a user writes them, each also as `#[kernel(unchecked)]`
//! under a second name: shared by `dpex_bench` (against OpenCL C) and `gpu_bench` (against
//! CUDA C), so both measure the same kernels.

use dpex::math::erf;
use dpex::prelude::*;

/// Defines a kernel twice from one body: `#[kernel]`, the default and safe build (indices and
/// integer divisions checked at run time, failures reported through a hidden error record), and
/// `#[kernel(unchecked)]` under the second name.
macro_rules! safe_and_unchecked {
    ($(#[$attr:meta])* fn $safe:ident / $unchecked:ident $($rest:tt)*) => {
        $(#[$attr])*
        #[kernel]
        pub fn $safe $($rest)*

        $(#[$attr])*
        #[kernel(unchecked)]
        pub fn $unchecked $($rest)*
    };
}

safe_and_unchecked! {
    /// y = a * x + y.
    fn saxpy / saxpy_unchecked(item: Item<1>, a: f32, x: &Tensor<f32>, y: &mut Tensor<f32>) {
        let i = item.get_id(0);
        y[i] += a * x[i];
    }
}

safe_and_unchecked! {
    /// The STREAM triad a = b + s * c.
    fn triad / triad_unchecked(item: Item<1>, s: f64, a: &mut Tensor<f64>, b: &Tensor<f64>, c: &Tensor<f64>) {
        let i = item.get_id(0);
        a[i] = b[i] + s * c[i];
    }
}

safe_and_unchecked! {
    /// dst = src: the trivial copy kernel of the bandwidth ceiling.
    fn copy / copy_unchecked(item: Item<1>, src: &Tensor<f32>, dst: &mut Tensor<f32>) {
        let i = item.get_id(0);
        dst[i] = src[i];
    }
}

/// The standard normal cumulative distribution function.
#[dpex::func]
pub fn cnd<T: Float>(d: T) -> T {
    T::from_f64(0.5) * (T::from_f64(1.0) + erf(d * T::from_f64(std::f64::consts::FRAC_1_SQRT_2)))
}

safe_and_unchecked! {
    /// Black-Scholes call and put prices (the `black_scholes` example's kernel).
    #[allow(clippy::too_many_arguments)]
    fn black_scholes / black_scholes_unchecked<T: Float>(
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
}

safe_and_unchecked! {
    /// distances[row * n + col] = |p_row - p_col| (the `pairwise_distance` example's kernel).
    fn pairwise_distance / pairwise_distance_unchecked(item: Item<2>, points: &Tensor<f32>, distances: &mut Tensor<f32>) {
        let col = item.get_id(0);
        let row = item.get_id(1);
        let n = item.get_range(0);
        let dx = points[3 * row] - points[3 * col];
        let dy = points[3 * row + 1] - points[3 * col + 1];
        let dz = points[3 * row + 2] - points[3 * col + 2];
        distances[row * n + col] = (dx * dx + dy * dy + dz * dz).sqrt();
    }
}

safe_and_unchecked! {
    /// c = a * b, one work-item per entry of c, dimension 0 the column.
    fn matmul_naive / matmul_naive_unchecked(
        item: Item<2>,
        k: usize,
        n: usize,
        a: &Tensor<f32>,
        b: &Tensor<f32>,
        c: &mut Tensor<f32>,
    ) {
        let col = item.get_id(0);
        let row = item.get_id(1);
        let mut acc = 0.0f32;
        for e in 0..k {
            acc += a[row * k + e] * b[e * n + col];
        }
        c[row * n + col] = acc;
    }
}

safe_and_unchecked! {
    /// c = a * b in 16x16 tiles staged in local memory (the `matmul_tiled` example's kernel).
    fn matmul_tiled / matmul_tiled_unchecked(
        it: NdItem<2>,
        m: usize,
        k: usize,
        n: usize,
        a: &Tensor<f32>,
        b: &Tensor<f32>,
        c: &mut Tensor<f32>,
    ) {
        let group = it.get_group();
        let mut tile_a = LocalArray2::<f32, 16, 16>::new(&group);
        let mut tile_b = LocalArray2::<f32, 16, 16>::new(&group);
        // Dimension 0 runs along the columns, so neighbouring work-items load neighbouring
        // elements of `a`'s and `b`'s rows and store neighbouring elements of `c`.
        let col = it.get_global_id(0);
        let row = it.get_global_id(1);
        let lc = it.get_local_id(0);
        let lr = it.get_local_id(1);
        let mut acc = 0.0f32;
        let mut t = 0;
        while t < k {
            // The column of `a` and the row of `b` this work-item loads.
            let (ka, kb) = (t + lc, t + lr);
            tile_a[[lr, lc]] = if row < m && ka < k {
                a[row * k + ka]
            } else {
                0.0
            };
            tile_b[[lr, lc]] = if kb < k && col < n {
                b[kb * n + col]
            } else {
                0.0
            };
            group_barrier(&group);
            for e in 0..16 {
                acc += tile_a[[lr, e]] * tile_b[[e, lc]];
            }
            group_barrier(&group);
            t += 16;
        }
        if row < m && col < n {
            c[row * n + col] = acc;
        }
    }
}

safe_and_unchecked! {
    /// Work-group tree reduction in local memory (the `reduction` example's kernel).
    fn reduce_sum / reduce_sum_unchecked(it: NdItem<1>, x: &Tensor<f32>, partial: &mut Tensor<f32>, tmp: LocalAccessor<f32>) {
        let lid = it.get_local_id(0);
        let mut sum = 0.0f32;
        let mut i = it.get_global_id(0);
        while i < x.len() {
            sum += x[i];
            i += it.get_global_range(0);
        }
        tmp[lid] = sum;
        let group = it.get_group();
        group_barrier(&group);
        let mut stride = it.get_local_range(0) / 2;
        while stride > 0 {
            if lid < stride {
                tmp[lid] += tmp[lid + stride];
            }
            group_barrier(&group);
            stride /= 2;
        }
        if lid == 0 {
            partial[it.get_group_id(0)] = tmp[0];
        }
    }
}

safe_and_unchecked! {
    /// 256-bin histogram with local then global atomics (the `histogram` example's kernel).
    fn histogram_256 / histogram_256_unchecked(it: NdItem<1>, data: &Tensor<u8>, bins: &mut Tensor<u32>) {
        let group = it.get_group();
        let mut counts = LocalArray::<u32, 256>::new(&group);
        let lid = it.get_local_id(0);
        let size = it.get_local_range(0);
        let mut b = lid;
        while b < 256 {
            counts[b] = 0;
            b += size;
        }
        group_barrier(&group);
        let mut i = it.get_global_id(0);
        while i < data.len() {
            AtomicRef::new(&mut counts[data[i] as usize]).fetch_add(1);
            i += it.get_global_range(0);
        }
        group_barrier(&group);
        let mut b = lid;
        while b < 256 {
            let c = counts[b];
            if c != 0 {
                AtomicRef::new(&mut bins[b]).fetch_add(c);
            }
            b += size;
        }
    }
}

safe_and_unchecked! {
    /// 2-D 5-point stencil over a `rows x cols` row-major grid, border cells copied; dimension 0
    /// is the column (contiguous), as in `pairwise_distance`.
    fn stencil / stencil_unchecked(
        item: Item<2>,
        rows: usize,
        cols: usize,
        c: f32,
        w: f32,
        x: &Tensor<f32>,
        out: &mut Tensor<f32>,
    ) {
        let j = item.get_id(0);
        let i = item.get_id(1);
        if i < rows && j < cols {
            let at = i * cols + j;
            if i == 0 || j == 0 || i == rows - 1 || j == cols - 1 {
                out[at] = x[at];
            } else {
                out[at] = c * x[at] + w * (x[at - cols] + x[at + cols] + x[at - 1] + x[at + 1]);
            }
        }
    }
}

/// A kernel that does nothing: what a launch costs.
#[kernel]
pub fn empty(_item: Item<1>) {}
