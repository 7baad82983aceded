//! Test inputs: random bit patterns over the whole float range, values in the ranges where a
//! function is delicate, and the special values every function must get right.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use dpex_spirv::ir::Scalar;

/// A source of inputs of one float type (`f32` values are held as `f64`s, exactly).
pub struct Gen {
    rng: StdRng,
    ty: Scalar,
}

impl Gen {
    /// A generator with a fixed seed, so that every run tests the same inputs.
    pub fn new(ty: Scalar, seed: u64) -> Gen {
        Gen {
            rng: StdRng::seed_from_u64(seed),
            ty,
        }
    }

    /// The nearest value of the type to `x`.
    pub fn of(&self, x: f64) -> f64 {
        if self.ty == Scalar::F32 {
            f64::from(x as f32)
        } else {
            x
        }
    }

    /// A uniformly random bit pattern (any sign, exponent, NaNs and infinities included).
    pub fn bits(&mut self) -> f64 {
        if self.ty == Scalar::F32 {
            f64::from(f32::from_bits(self.rng.random()))
        } else {
            f64::from_bits(self.rng.random())
        }
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let t: f64 = self.rng.random();
        self.of(lo + (hi - lo) * t)
    }

    /// A magnitude `2^e` with `e` uniform in `[lo, hi)`, times a random significand, with a
    /// random sign when `signed`.
    pub fn log_uniform(&mut self, lo: f64, hi: f64, signed: bool) -> f64 {
        let e: f64 = self.rng.random_range(lo..hi);
        let s = if signed && self.rng.random::<bool>() {
            -1.0
        } else {
            1.0
        };
        self.of(s * e.exp2())
    }

    /// A value just inside -1 or 1: `±(1 - d)` with `d = 2^e`, `e` uniform in `[-digits, -1)`.
    pub fn near_unit(&mut self, digits: f64) -> f64 {
        let d = self.log_uniform(-digits, -1.0, false);
        if self.coin() {
            self.of(1.0 - d)
        } else {
            self.of(d - 1.0)
        }
    }

    /// A random `u64`.
    pub fn raw(&mut self) -> u64 {
        self.rng.random()
    }

    /// A random `bool`.
    pub fn coin(&mut self) -> bool {
        self.rng.random()
    }
}

/// Special values of every float type: zeros, infinities, NaN, the extremes of the normal
/// and subnormal ranges, and small integers and simple fractions.
pub fn specials(ty: Scalar) -> Vec<f64> {
    let (max, min_normal, min_sub) = if ty == Scalar::F32 {
        (
            f64::from(f32::MAX),
            f64::from(f32::MIN_POSITIVE),
            f64::from(f32::from_bits(1)),
        )
    } else {
        (f64::MAX, f64::MIN_POSITIVE, f64::from_bits(1))
    };
    let positive = [
        0.0,
        min_sub,
        2.0 * min_sub,
        min_normal,
        min_normal - min_sub,
        max,
        f64::INFINITY,
        0.5,
        1.0,
        1.5,
        2.0,
        3.0,
        10.0,
        0.1,
        std::f64::consts::PI,
        std::f64::consts::FRAC_PI_2,
        std::f64::consts::FRAC_PI_4,
        std::f64::consts::E,
        std::f64::consts::LN_2,
    ];
    let mut all: Vec<f64> = positive.iter().flat_map(|&x| [x, -x]).collect();
    all.push(f64::NAN);
    if ty == Scalar::F32 {
        all.iter_mut().for_each(|x| *x = f64::from(*x as f32));
    }
    all
}
