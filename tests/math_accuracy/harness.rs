//! Running one math function on the test's device over many inputs, through a `#[kernel]` per
//! function, and measuring its error against a host reference in ulps.

use dpex::math::{erf, erfc};
use dpex::prelude::*;
use dpex_spirv::ir::{MathFunction as M, Scalar};

/// A float type under test.
pub trait Precision:
    Float + Copy + PartialEq + std::fmt::Debug + std::fmt::LowerExp + dpex::Element
{
    /// The IR's name of the type.
    const SCALAR: Scalar;
    /// The value as an `f64` (exact).
    fn wide(self) -> f64;
    /// The nearest value of this type to `x`.
    fn narrow(x: f64) -> Self;
    /// The distance between two ordered bit patterns of this type's width (its bits mapped
    /// so that integer order is float order).
    fn ordered(self) -> i64;
}

impl Precision for f64 {
    const SCALAR: Scalar = Scalar::F64;
    fn wide(self) -> f64 {
        self
    }
    fn narrow(x: f64) -> f64 {
        x
    }
    fn ordered(self) -> i64 {
        let b = self.to_bits() as i64;
        if b < 0 {
            i64::MIN - b
        } else {
            b
        }
    }
}

impl Precision for f32 {
    const SCALAR: Scalar = Scalar::F32;
    fn wide(self) -> f64 {
        f64::from(self)
    }
    fn narrow(x: f64) -> f32 {
        x as f32
    }
    fn ordered(self) -> i64 {
        let b = i64::from(self.to_bits() as i32);
        if b < 0 {
            i64::from(i32::MIN) - b
        } else {
            b
        }
    }
}

/// Kernels `out[i] = f(x[i])` for the one-operand functions `f`.
macro_rules! unary_kernels {
    ($($kernel:ident: $x:ident => $value:expr;)*) => {$(
        #[doc = concat!("`out[i] = ", stringify!($value), "`.")]
        #[kernel]
        fn $kernel<T: Float>(item: Item<1>, x: &Tensor<T>, out: &mut Tensor<T>) {
            let i = item.get_id(0);
            let $x = x[i];
            out[i] = $value;
        }
    )*};
}

unary_kernels! {
    cbrt_kernel: x => x.cbrt();
    exp_kernel: x => x.exp();
    exp2_kernel: x => x.exp2();
    ln_kernel: x => x.ln();
    log2_kernel: x => x.log2();
    log10_kernel: x => x.log10();
    sin_kernel: x => x.sin();
    cos_kernel: x => x.cos();
    tan_kernel: x => x.tan();
    asin_kernel: x => x.asin();
    acos_kernel: x => x.acos();
    atan_kernel: x => x.atan();
    sinh_kernel: x => x.sinh();
    cosh_kernel: x => x.cosh();
    tanh_kernel: x => x.tanh();
    erf_kernel: x => erf(x);
    erfc_kernel: x => erfc(x);
    asinh_kernel: x => x.asinh();
    acosh_kernel: x => x.acosh();
    atanh_kernel: x => x.atanh();
    exp_m1_kernel: x => x.exp_m1();
    ln_1p_kernel: x => x.ln_1p();
    gamma_kernel: x => x.gamma();
    ln_gamma_kernel: x => x.ln_gamma().0;
}

/// Kernels `out[i] = f(x[i], y[i])` for the two-operand functions `f`.
macro_rules! binary_kernels {
    ($($kernel:ident: $x:ident, $y:ident => $value:expr;)*) => {$(
        #[doc = concat!("`out[i] = ", stringify!($value), "`.")]
        #[kernel]
        fn $kernel<T: Float>(item: Item<1>, x: &Tensor<T>, y: &Tensor<T>, out: &mut Tensor<T>) {
            let i = item.get_id(0);
            let ($x, $y) = (x[i], y[i]);
            out[i] = $value;
        }
    )*};
}

binary_kernels! {
    powf_kernel: x, y => x.powf(y);
    atan2_kernel: x, y => x.atan2(y);
    hypot_kernel: x, y => x.hypot(y);
    copysign_kernel: x, y => x.copysign(y);
}

/// Kernels `out[i] = f(x[i], n[i])` for the functions `f` of a float and an `i32`.
macro_rules! float_int_kernels {
    ($($kernel:ident: $x:ident, $n:ident => $value:expr;)*) => {$(
        #[doc = concat!("`out[i] = ", stringify!($value), "`.")]
        #[kernel]
        fn $kernel<T: Float>(item: Item<1>, x: &Tensor<T>, n: &Tensor<i32>, out: &mut Tensor<T>) {
            let i = item.get_id(0);
            let ($x, $n) = (x[i], n[i]);
            out[i] = $value;
        }
    )*};
}

float_int_kernels! {
    powi_kernel: x, n => x.powi(n);
    ldexp_kernel: x, n => x.ldexp(n);
}

/// `out[i] = x[i].mul_add(a[i], b[i])`.
#[kernel]
fn mul_add_kernel<T: Float>(
    item: Item<1>,
    x: &Tensor<T>,
    a: &Tensor<T>,
    b: &Tensor<T>,
    out: &mut Tensor<T>,
) {
    let i = item.get_id(0);
    out[i] = x[i].mul_add(a[i], b[i]);
}

/// Whether operand `k` of `fun` is an integer (the exponent of `powi` and `ldexp`) rather
/// than a float.
pub fn integer_operand(fun: M, k: usize) -> bool {
    matches!(fun, M::Powi | M::Ldexp) && k == 1
}

/// The outputs of `fun` on the device of `queue`, one per row of `args` (its operands, held
/// as `f64`s: the float operands are rounded to `T`, integer ones converted exactly).
pub fn run_on_device<T: Precision>(
    queue: &Queue,
    fun: M,
    args: &[Vec<f64>],
) -> dpex::Result<Vec<T>> {
    let n = args[0].len();
    let float = |k: usize| -> dpex::Result<Tensor<T>> {
        let values: Vec<T> = args[k].iter().map(|&v| T::narrow(v)).collect();
        Tensor::from_slice(queue, &values)
    };
    let mut out = Tensor::<T>::zeros(queue, n)?;
    let range = Range::new([n]);
    let x = float(0)?;
    let event = match fun {
        M::Cbrt => cbrt_kernel.launch(range, (&x, &mut out)),
        M::Exp => exp_kernel.launch(range, (&x, &mut out)),
        M::Exp2 => exp2_kernel.launch(range, (&x, &mut out)),
        M::Ln => ln_kernel.launch(range, (&x, &mut out)),
        M::Log2 => log2_kernel.launch(range, (&x, &mut out)),
        M::Log10 => log10_kernel.launch(range, (&x, &mut out)),
        M::Sin => sin_kernel.launch(range, (&x, &mut out)),
        M::Cos => cos_kernel.launch(range, (&x, &mut out)),
        M::Tan => tan_kernel.launch(range, (&x, &mut out)),
        M::Asin => asin_kernel.launch(range, (&x, &mut out)),
        M::Acos => acos_kernel.launch(range, (&x, &mut out)),
        M::Atan => atan_kernel.launch(range, (&x, &mut out)),
        M::Sinh => sinh_kernel.launch(range, (&x, &mut out)),
        M::Cosh => cosh_kernel.launch(range, (&x, &mut out)),
        M::Tanh => tanh_kernel.launch(range, (&x, &mut out)),
        M::Erf => erf_kernel.launch(range, (&x, &mut out)),
        M::Erfc => erfc_kernel.launch(range, (&x, &mut out)),
        M::Asinh => asinh_kernel.launch(range, (&x, &mut out)),
        M::Acosh => acosh_kernel.launch(range, (&x, &mut out)),
        M::Atanh => atanh_kernel.launch(range, (&x, &mut out)),
        M::ExpM1 => exp_m1_kernel.launch(range, (&x, &mut out)),
        M::Ln1p => ln_1p_kernel.launch(range, (&x, &mut out)),
        M::Gamma => gamma_kernel.launch(range, (&x, &mut out)),
        M::LnGamma => ln_gamma_kernel.launch(range, (&x, &mut out)),
        M::Copysign => copysign_kernel.launch(range, (&x, &float(1)?, &mut out)),
        M::Powf => powf_kernel.launch(range, (&x, &float(1)?, &mut out)),
        M::Atan2 => atan2_kernel.launch(range, (&x, &float(1)?, &mut out)),
        M::Hypot => hypot_kernel.launch(range, (&x, &float(1)?, &mut out)),
        M::Powi | M::Ldexp => {
            let exponents: Vec<i32> = args[1].iter().map(|&v| v as i32).collect();
            let n = Tensor::from_slice(queue, &exponents)?;
            if fun == M::Powi {
                powi_kernel.launch(range, (&x, &n, &mut out))
            } else {
                ldexp_kernel.launch(range, (&x, &n, &mut out))
            }
        }
        M::MulAdd => mul_add_kernel.launch(range, (&x, &float(1)?, &float(2)?, &mut out)),
        other => panic!("the accuracy test has no kernel for {other:?}"),
    }?;
    event.wait()?;
    out.to_vec()
}

/// The error of `got` against the exact value `want` (an `f64`, maybe more precise than
/// `T`), in ulps of `T`: fractional for `f32` (against the `f64` reference), whole for `f64`.
/// Infinite when one is NaN and the other not, when zeros or infinities differ in sign, or
/// when one is infinite and the other not.
pub fn ulps<T: Precision>(got: T, want: f64) -> f64 {
    let g = got.wide();
    let w = T::narrow(want);
    if g.is_nan() || want.is_nan() {
        return if g.is_nan() && want.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if g.is_infinite() || w.wide().is_infinite() || g == 0.0 || w.wide() == 0.0 {
        if g == w.wide() && g.is_sign_negative() == w.wide().is_sign_negative() {
            return 0.0;
        }
        if g.is_infinite() || w.wide().is_infinite() {
            return f64::INFINITY;
        }
        if g == 0.0 && w.wide() == 0.0 {
            return f64::INFINITY;
        }
    }
    if T::SCALAR == Scalar::F64 {
        return (got.ordered() - w.ordered()).unsigned_abs() as f64;
    }
    // The spacing of f32 at |want|: 2^(e - 23), never below 2^-149.
    let a = want.abs();
    let e = if a < f64::from(f32::MIN_POSITIVE) {
        -126
    } else {
        a.log2().floor() as i32
    };
    let spacing = 2f64.powi(e - 23);
    (g - want).abs() / spacing
}

/// The worst error of a run: its ulps and the operands where it happened.
#[derive(Clone, Debug)]
pub struct Worst {
    /// The largest error, in ulps.
    pub ulps: f64,
    /// The operands it happened at.
    pub at: Vec<f64>,
    /// What the device gave there.
    pub got: f64,
    /// What the reference gave there.
    pub want: f64,
}

/// The worst error of `got` against `reference` over the operand rows `args` (the operands
/// exactly as the device got them), where `also_right` maps the operands and the reference
/// value to another value the device may give instead (the flushed result of a device that
/// may flush subnormals, a second reference; the value itself otherwise): the nearer of the
/// two counts.
pub fn worst<T: Precision>(
    args: &[Vec<f64>],
    got: &[T],
    reference: impl Fn(&[f64]) -> f64,
    also_right: impl Fn(&[f64], f64) -> f64,
) -> Worst {
    let mut w = Worst {
        ulps: -1.0,
        at: vec![],
        got: 0.0,
        want: 0.0,
    };
    let mut operands = vec![0.0; args.len()];
    for (k, &g) in got.iter().enumerate() {
        for (o, a) in operands.iter_mut().zip(args) {
            *o = a[k];
        }
        let exact = reference(&operands);
        let other = also_right(&operands, exact);
        let (e, want) = match (ulps(g, exact), ulps(g, other)) {
            (e, f) if f < e => (f, other),
            (e, _) => (e, exact),
        };
        if e > w.ulps || (e.is_nan() && !w.ulps.is_nan()) {
            w = Worst {
                ulps: e,
                at: operands.clone(),
                got: g.wide(),
                want,
            };
        }
    }
    w
}
