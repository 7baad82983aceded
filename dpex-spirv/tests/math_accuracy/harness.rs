//! Running one library function on the OpenCL CPU device over many inputs, and measuring its
//! error against a host reference in ulps.

use dpex_runtime::{launch, Element, Tensor};
use dpex_spirv::ir::*;
use dpex_spirv::math::library;

use super::common::device::{cpu_queue, module_spec};

/// A float type the library covers.
pub trait Float: Element + Copy + PartialEq + std::fmt::Debug + std::fmt::LowerExp {
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

impl Float for f64 {
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

impl Float for f32 {
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

/// The outputs of `library(fun, T)` on the device, one per row of `args` (its operands).
pub fn run_on_device<T: Float>(fun: MathFunction, args: &[Vec<T>]) -> Vec<T> {
    let function = library(fun, T::SCALAR)
        .unwrap_or_else(|| panic!("the library has no {fun:?} for {}", T::SCALAR));
    let arity = function.params.len();
    assert_eq!(args.len(), arity, "{fun:?} takes {arity} operands");
    let n = args[0].len();
    let gid = Expr {
        ty: Scalar::U64,
        kind: ExprKind::Builtin(Builtin::GlobalId(0)),
    };
    let element = |p: u32| Expr {
        ty: T::SCALAR,
        kind: ExprKind::Element {
            memory: Memory::Tensor(ParamId(p)),
            index: Box::new(gid.clone()),
        },
    };
    let call = Expr {
        ty: T::SCALAR,
        kind: ExprKind::Call {
            function: FunctionId(0),
            args: (0..arity as u32)
                .map(|p| Argument::Value(element(p)))
                .collect(),
        },
    };
    let tensor = |name: String, access| Param {
        name,
        kind: ParamKind::Tensor {
            elem: T::SCALAR,
            access,
            dims: 1,
        },
    };
    let mut params: Vec<Param> = (0..arity)
        .map(|k| tensor(format!("x{k}"), Access::Read))
        .collect();
    params.push(tensor("out".into(), Access::ReadWrite));
    let kernel = Kernel {
        name: format!("run{}", function.name),
        dims: 1,
        params,
        locals: vec![],
        workgroup_arrays: vec![],
        body: vec![Statement::StoreElement {
            memory: Memory::Tensor(ParamId(arity as u32)),
            index: gid,
            value: call,
        }],
        reports_errors: false,
    };
    let spec = module_spec(Module {
        functions: vec![function],
        kernels: vec![kernel],
    });
    let queue = cpu_queue();
    let inputs: Vec<Tensor<T>> = args
        .iter()
        .map(|a| Tensor::from_slice(&queue, a).expect("input tensor"))
        .collect();
    let mut out = Tensor::<T>::zeros(&queue, n).expect("output tensor");
    let mut kernel_args: Vec<dpex_runtime::KernelArg<'_>> =
        inputs.iter().map(|t| t.into()).collect();
    kernel_args.push((&mut out).into());
    launch(spec, &[n], None, None, &kernel_args)
        .and_then(|e| e.wait())
        .expect("launch");
    out.to_vec().expect("read the outputs")
}

/// The error of `got` against the exact value `want` (an `f64`, maybe more precise than
/// `T`), in ulps of `T`: fractional for `f32` (against the `f64` reference), whole for `f64`.
/// Infinite when one is NaN and the other not, when zeros or infinities differ in sign, or
/// when one is infinite and the other not.
pub fn ulps<T: Float>(got: T, want: f64) -> f64 {
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

/// The worst error of `got` against `reference` over the operand rows `args`.
pub fn worst<T: Float>(args: &[Vec<T>], got: &[T], reference: impl Fn(&[f64]) -> f64) -> Worst {
    let mut w = Worst {
        ulps: -1.0,
        at: vec![],
        got: 0.0,
        want: 0.0,
    };
    let mut operands = vec![0.0; args.len()];
    for (k, &g) in got.iter().enumerate() {
        for (o, a) in operands.iter_mut().zip(args) {
            *o = a[k].wide();
        }
        let want = reference(&operands);
        let e = ulps(g, want);
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
