//! Lowers calls: work-item queries, `len()`, scalar methods (`x.sqrt()`, `f32::max(a, b)`),
//! `dpex::math` functions and constants such as `f32::MAX` or `f64::consts::PI`.

use super::math::{constant, dpex_math_function, scalar_method, Method, Shape, METHOD_NAMES};
use super::memory::{extent, Shape as MemoryShape};
use super::unsupported::unsupported_expr;
use super::{error, Binding, Lowerer};
use dpex_spirv::ir::{BinaryOp, Expr, ExprKind, Literal, MathFunction, Scalar};
use syn::spanned::Spanned;

impl Lowerer<'_> {
    pub(crate) fn lower_method_call(
        &mut self,
        m: &syn::ExprMethodCall,
        expected: Option<Scalar>,
    ) -> syn::Result<Expr> {
        if let Some(t) = &m.turbofish {
            return Err(error(
                t.span(),
                "turbofish (`::<>`) is not supported on kernel methods",
            ));
        }
        let method = m.method.to_string();
        let receiver = match &*m.receiver {
            syn::Expr::Path(p) => p.path.get_ident().and_then(|id| self.lookup(id)),
            other => self.temporary_binding(other).transpose()?,
        };
        if self.is_row(&m.receiver) {
            return self.lower_row_method(m);
        }
        if let Some(memory) = self.memory_operand(&m.receiver) {
            return match (method.as_str(), memory.shape) {
                ("row" | "row_mut", MemoryShape::Tensor(dims)) if dims > 1 => Err(row_as_value(m)),
                ("row" | "row_mut", _) => Err(error(
                    m.method.span(),
                    "rows are taken of tensors with two or more axes: index this one `x[i]`",
                )),
                ("len", _) if !m.args.is_empty() => Err(error(m.method.span(), "`len` takes no arguments")),
                ("shape", MemoryShape::Tensor(dims)) => self.lower_tensor_shape(m, memory.memory, dims),
                ("get_unchecked", _) => self.lower_get_unchecked(m),
                ("len", MemoryShape::Dynamic | MemoryShape::Tensor(_)) => Ok(Expr {
                    ty: Scalar::U64,
                    kind: ExprKind::Len(memory.memory),
                }),
                // As in Rust, an array of arrays has the length of its axis 0.
                ("len", MemoryShape::Fixed(e)) => Ok(Expr::literal(Scalar::U64, Literal::Int(u64::from(e.extent(0))))),
                ("len", MemoryShape::Grid(r, c)) => Ok(Expr::literal(Scalar::U64, Literal::Int(u64::from(r) * u64::from(c)))),
                _ => Err(error(
                    m.method.span(),
                    format!("`.{method}()` is not supported on tensors and arrays: index them, or ask their `.len()`"),
                )),
            };
        }
        if let Some(atomic) = self.atomic_receiver(&m.receiver) {
            return self.lower_atomic_call(atomic?, m);
        }
        match (&receiver, method.as_str()) {
            (Some(Binding::Item), _) => self.lower_item_query(m),
            (Some(Binding::Group), _) => self.lower_group_query(m),
            (Some(Binding::SubGroup), _) => self.lower_sub_group_call(m),
            _ => {
                let args: Vec<&syn::Expr> = m.args.iter().collect();
                self.lower_scalar_method(&m.receiver, &m.method, &args, expected)
            }
        }
    }

    /// `r.len()` and `r.shape(d)` on a row `r` of a tensor (the extents of its remaining
    /// axes), `r.len()` on a row of an array of arrays (as in Rust, its axis 0's extent); a row
    /// itself is no value.
    fn lower_row_method(&mut self, m: &syn::ExprMethodCall) -> syn::Result<Expr> {
        let not_row = || error(m.receiver.span(), "this is not a row of a tensor");
        let (memory, fixed) = self.row_base(&m.receiver).ok_or_else(not_row)?;
        if let MemoryShape::Fixed(e) = memory.shape {
            return match m.method.to_string().as_str() {
                "len" if m.args.is_empty() => Ok(Expr::literal(
                    Scalar::U64,
                    Literal::Int(u64::from(e.extent(fixed))),
                )),
                "len" => Err(error(m.method.span(), "`len` takes no arguments")),
                method => Err(error(
                    m.method.span(),
                    format!("`.{method}()` is not supported on rows of arrays: index them (`r[j]`), or ask their `.len()`"),
                )),
            };
        }
        let MemoryShape::Tensor(dims) = memory.shape else {
            return Err(not_row());
        };
        let extents: Vec<Expr> = (0..dims)
            .map(|axis| extent(memory.memory, axis))
            .collect::<Option<_>>()
            .ok_or_else(not_row)?;
        let extent = |axis: u32| extents[axis as usize].clone();
        let method = m.method.to_string();
        match method.as_str() {
            "len" if m.args.is_empty() => {
                let mut len = extent(fixed);
                for axis in fixed + 1..dims {
                    len = Expr::binary(Scalar::U64, BinaryOp::Mul, len, extent(axis));
                }
                Ok(len)
            }
            "len" => Err(error(m.method.span(), "`len` takes no arguments")),
            "shape" => {
                let axes = dims - fixed;
                let axis = match m.args.first() {
                    Some(syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Int(i),
                        ..
                    })) if m.args.len() == 1 => i.base10_parse::<u32>().ok(),
                    _ => None,
                };
                match axis {
                    Some(axis) if axis < axes => Ok(extent(fixed + axis)),
                    _ => Err(error(
                        m.method.span(),
                        if axes == 1 {
                            "this row has one axis: write `shape(0)`".to_string()
                        } else {
                            format!("this row has {axes} axes: write a constant axis below {axes}, e.g. `shape(0)`")
                        },
                    )),
                }
            }
            "row" | "row_mut" => Err(row_as_value(m)),
            _ => Err(error(
                m.method.span(),
                format!("`.{method}()` is not supported on rows: index them (`r[j]`), or ask their `.len()` or `.shape(d)`"),
            )),
        }
    }

    /// `x.get_unchecked(i)` inside `unsafe`: `x[i]` without its bounds check.
    fn lower_get_unchecked(&mut self, m: &syn::ExprMethodCall) -> syn::Result<Expr> {
        if self.unchecked_depth == 0 {
            return Err(error(
                m.method.span(),
                "`get_unchecked` skips the bounds check: write `unsafe { x.get_unchecked(i) }`",
            ));
        }
        let [index] = self.arity::<1>(&m.method, &m.args.iter().collect::<Vec<_>>())?;
        let indexing = syn::ExprIndex {
            attrs: Vec::new(),
            expr: m.receiver.clone(),
            bracket_token: Default::default(),
            index: Box::new(index.clone()),
        };
        self.lower_index(&indexing)
    }

    /// `t.shape(d)`: the extent of axis `d` of a tensor view or an N-d local accessor.
    fn lower_tensor_shape(
        &mut self,
        m: &syn::ExprMethodCall,
        memory: dpex_spirv::ir::Memory,
        dims: u32,
    ) -> syn::Result<Expr> {
        let axis = match m.args.first() {
            Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(i),
                ..
            })) if m.args.len() == 1 => i.base10_parse::<u32>().ok(),
            _ => None,
        };
        match axis.filter(|&axis| axis < dims) {
            Some(axis) => extent(memory, axis)
                .ok_or_else(|| error(m.method.span(), "`shape` is a tensor method")),
            _ => Err(error(
                m.method.span(),
                format!("write a constant axis below {dims}, e.g. `shape(0)`"),
            )),
        }
    }

    /// The constant dimension argument of `item.get_id(d)`, checked against the kernel's `N`.
    pub(crate) fn dimension_argument(&self, m: &syn::ExprMethodCall) -> syn::Result<u32> {
        let dims = self.sig.dims;
        let message = format!(
            "write a constant dimension below {dims}, e.g. `{}(0)`",
            m.method
        );
        if m.args.len() != 1 {
            return Err(error(m.method.span(), message));
        }
        // A literal passed through a `macro_rules!` fragment arrives in an invisible group.
        let mut arg = &m.args[0];
        while let syn::Expr::Group(g) = arg {
            arg = &g.expr;
        }
        match arg {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(i),
                ..
            }) => match i.base10_parse::<u32>() {
                Ok(d) if d < dims => Ok(d),
                _ => Err(error(
                    i.span(),
                    format!("this kernel's work-items have {dims} dimension(s): {message}"),
                )),
            },
            other => Err(error(other.span(), message)),
        }
    }

    /// `receiver.method(args)` on a scalar, or `T::method(receiver, args)`.
    fn lower_scalar_method(
        &mut self,
        receiver: &syn::Expr,
        method: &syn::Ident,
        args: &[&syn::Expr],
        expected: Option<Scalar>,
    ) -> syn::Result<Expr> {
        let name = method.to_string();
        if let ("to_f32" | "to_f64", []) = (name.as_str(), args) {
            // `half::f16`'s conversions to the wider floats.
            let recv = self.lower_expr(receiver, None)?;
            self.require(recv.ty == Scalar::F16, method, recv.ty, "`f16`")?;
            let to = if name == "to_f32" {
                Scalar::F32
            } else {
                Scalar::F64
            };
            return super::expr::cast(recv, to).map_err(|m| error(method.span(), m));
        }
        if let ("to_bits", []) = (name.as_str(), args) {
            let recv = self.lower_expr(receiver, expected)?;
            self.require(recv.ty.is_float(), method, recv.ty, "floats")?;
            return Ok(bits_of(recv));
        }
        if name == "ln_gamma" {
            return Err(error(
                method.span(),
                "`ln_gamma` gives `(ln |gamma(x)|, sign)`, as Rust's does: write \
                 `let (lg, sign) = x.ln_gamma();` or `x.ln_gamma().0`",
            ));
        }
        let Some(kind) = scalar_method(&name) else {
            return Err(error(
                method.span(),
                format!(
                    "`.{name}()` is not supported in kernels; scalar methods are: {METHOD_NAMES}"
                ),
            ));
        };
        let recv = self.lower_expr(receiver, expected)?;
        let ty = recv.ty;
        match kind {
            Method::Wrapping(op) => {
                let [other] = self.arity::<1>(method, args)?;
                let rhs = if op.is_shift() {
                    self.lower_expr_as(other, Scalar::U32)?
                } else {
                    self.lower_expr_as(other, ty)?
                };
                self.require(ty.is_int(), method, ty, "integers")?;
                Ok(Expr::binary(ty, op, recv, rhs))
            }
            Method::WrappingNeg(op) => {
                self.arity::<0>(method, args)?;
                self.require(ty.is_int(), method, ty, "integers")?;
                if !ty.is_signed_int() {
                    // The IR negates signed values only; `0 - x` wraps the same way.
                    let zero = Expr::literal(ty, Literal::Int(0));
                    return Ok(Expr::binary(ty, BinaryOp::Sub, zero, recv));
                }
                Ok(Expr {
                    ty,
                    kind: ExprKind::Unary {
                        op,
                        operand: Box::new(recv),
                    },
                })
            }
            Method::Math(fun, shape) => self.lower_math(fun, shape, method, recv, args),
        }
    }

    fn lower_math(
        &mut self,
        fun: MathFunction,
        shape: Shape,
        method: &syn::Ident,
        recv: Expr,
        args: &[&syn::Expr],
    ) -> syn::Result<Expr> {
        let ty = recv.ty;
        let (accepted, what) = match shape {
            Shape::Float { .. } | Shape::FloatPredicate | Shape::FloatIntPower => {
                (ty.is_float(), "floats")
            }
            Shape::SignedOrFloat => (
                ty.is_float() || ty.is_signed_int(),
                "floats and signed integers",
            ),
            Shape::Number { .. } => (ty.is_numeric(), "numbers"),
            Shape::IntPower | Shape::IntCount => (ty.is_int(), "integers"),
        };
        self.require(accepted, method, ty, what)?;
        let (operand_types, result): (Vec<Scalar>, Scalar) = match shape {
            Shape::Float { extra } | Shape::Number { extra } => (vec![ty; extra], ty),
            Shape::FloatPredicate => (vec![], Scalar::Bool),
            Shape::SignedOrFloat => (vec![], ty),
            Shape::FloatIntPower => (vec![Scalar::I32], ty),
            Shape::IntPower => (vec![Scalar::U32], ty),
            Shape::IntCount => (vec![], Scalar::U32),
        };
        if args.len() != operand_types.len() {
            return Err(error(
                method.span(),
                format!(
                    "`{method}` takes {} argument(s) here, found {}",
                    operand_types.len(),
                    args.len()
                ),
            ));
        }
        let mut operands = vec![recv];
        for (arg, want) in args.iter().zip(operand_types) {
            operands.push(self.lower_expr_as(arg, want)?);
        }
        Ok(Expr {
            ty: result,
            kind: ExprKind::Math {
                fun,
                args: operands,
            },
        })
    }

    fn require(&self, ok: bool, method: &syn::Ident, ty: Scalar, what: &str) -> syn::Result<()> {
        if ok {
            return Ok(());
        }
        Err(error(
            method.span(),
            format!("`{method}` is defined on {what}, not on `{ty}`"),
        ))
    }

    pub(crate) fn arity<'a, const N: usize>(
        &self,
        method: &syn::Ident,
        args: &[&'a syn::Expr],
    ) -> syn::Result<[&'a syn::Expr; N]> {
        <[&syn::Expr; N]>::try_from(args).map_err(|_| {
            error(
                method.span(),
                format!("`{method}` takes {N} argument(s), found {}", args.len()),
            )
        })
    }

    /// A call `path(args)`: `f32::sqrt(x)`, `dpex::math::erf(x)`, ...
    pub(crate) fn lower_call(
        &mut self,
        c: &syn::ExprCall,
        expected: Option<Scalar>,
    ) -> syn::Result<Expr> {
        let syn::Expr::Path(path) = &*c.func else {
            return Err(unsupported_expr(
                &syn::Expr::Call(c.clone()),
                &self.sig.name.to_string(),
            ));
        };
        if let Some(item) = self.called_function(path) {
            let value = self.lower_function_call(item, c, false)?;
            return value.ok_or_else(|| error(c.span(), "this call has no value"));
        }
        let segments: Vec<&syn::PathSegment> = path.path.segments.iter().collect();
        let args: Vec<&syn::Expr> = c.args.iter().collect();
        if let [ty, method] = segments.as_slice() {
            if let Some(scalar) = self.sig.types.named(&ty.ident.to_string()) {
                let from = match method.ident.to_string().as_str() {
                    "from_f64" => Some(Scalar::F64),
                    // `dpex::Int::from_i64`: `value as Self`, wrapping.
                    "from_i64" if scalar.is_int() => Some(Scalar::I64),
                    // `half::f16::from_f32`.
                    "from_f32" if scalar == Scalar::F16 => Some(Scalar::F32),
                    _ => None,
                };
                if let Some(from) = from {
                    let [value] = self.arity::<1>(&method.ident, &args)?;
                    let value = self.lower_expr_as(value, from)?;
                    return super::expr::cast(value, scalar).map_err(|m| error(c.span(), m));
                }
                if method.ident == "from_bits" && scalar.is_float() {
                    let [value] = self.arity::<1>(&method.ident, &args)?;
                    let value = self.lower_expr_as(value, bits_type(scalar))?;
                    return Ok(Expr {
                        ty: scalar,
                        kind: ExprKind::Bitcast {
                            value: Box::new(value),
                        },
                    });
                }
                let Some((receiver, rest)) = args.split_first() else {
                    return Err(error(
                        method.ident.span(),
                        format!("`{}::{}` needs a value", ty.ident, method.ident),
                    ));
                };
                let lowered =
                    self.lower_scalar_method(receiver, &method.ident, rest, Some(scalar))?;
                return Ok(lowered);
            }
        }
        if let Some(last) = segments.last() {
            let in_math = segments.len() == 1 || segments[segments.len() - 2].ident == "math";
            if let (Some(fun), true) = (dpex_math_function(&last.ident.to_string()), in_math) {
                let [x] = self.arity::<1>(&last.ident, &args)?;
                let x = self.lower_expr(x, expected)?;
                self.require(x.ty.is_float(), &last.ident, x.ty, "floats")?;
                return Ok(Expr {
                    ty: x.ty,
                    kind: ExprKind::Math { fun, args: vec![x] },
                });
            }
        }
        Err(unsupported_expr(
            &syn::Expr::Call(c.clone()),
            &self.sig.name.to_string(),
        ))
    }

    /// A path that is not a local name: `f32::MAX`, `i32::MIN`, `std::f64::consts::PI`, ...
    pub(crate) fn lower_constant(
        &mut self,
        p: &syn::ExprPath,
        _expected: Option<Scalar>,
    ) -> syn::Result<Expr> {
        let names: Vec<String> = p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let found = match names.as_slice() {
            [.., ty, consts, name] if consts == "consts" => self
                .sig
                .types
                .named(ty)
                .and_then(|t| constant(t, name, true)),
            [.., ty, name] => self
                .sig
                .types
                .named(ty)
                .and_then(|t| constant(t, name, false)),
            _ => None,
        };
        match found {
            Some((ty, value)) => Ok(Expr::literal(ty, value)),
            None => Err(error(
                p.span(),
                "this path is not supported in kernels: use a local variable, a parameter, or a \
                 constant such as `f32::MAX`, `i32::MIN` or `std::f32::consts::PI`",
            )),
        }
    }
}

/// The error for a row (`x.row(i)`) used as a value.
fn row_as_value(m: &syn::ExprMethodCall) -> syn::Error {
    error(
        m.method.span(),
        format!(
            "a row is a view, not a value: index it (`x.{}(i)[j]`) or bind it (`let r = x.{}(i);`)",
            m.method, m.method
        ),
    )
}

/// True for a call path that lowering handles itself (`f32::sqrt`, `T::from_f64`,
/// `dpex::math::erf`, `Vec::new`, `std::...`), as opposed to a call of a device function.
pub(crate) fn is_builtin_call(path: &syn::Path) -> bool {
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let Some((last, before)) = names.split_last() else {
        return false;
    };
    if last.starts_with(|c: char| c.is_ascii_uppercase()) {
        // A tuple struct or enum variant (`Some(x)`): not a function.
        return true;
    }
    if let Some(owner) = before.last() {
        let is_type = owner.starts_with(|c: char| c.is_ascii_uppercase())
            || crate::parse::scalar_of_name(owner).is_some();
        if is_type {
            return true;
        }
    }
    if matches!(
        last.as_str(),
        "group_barrier" | "group_barrier_with" | "atomic_fence"
    ) {
        return true;
    }
    let in_math = before.last().is_none_or(|m| m == "math");
    (in_math && dpex_math_function(last).is_some())
        || matches!(
            names.first().map(String::as_str),
            Some("std" | "core" | "alloc")
        )
}

/// The unsigned integer type as wide as float type `float`.
pub(crate) fn bits_type(float: Scalar) -> Scalar {
    match float.bits() {
        16 => Scalar::U16,
        32 => Scalar::U32,
        _ => Scalar::U64,
    }
}

/// `value.to_bits()`: a float's bits as the unsigned integer of its width.
pub(crate) fn bits_of(value: Expr) -> Expr {
    Expr {
        ty: bits_type(value.ty),
        kind: ExprKind::Bitcast {
            value: Box::new(value),
        },
    }
}

impl Lowerer<'_> {
    /// `x.ln_gamma()`: `(ln |gamma(x)|, sign)`, as Rust's `f64::ln_gamma` (C's `lgamma_r`):
    /// the sign of `gamma(x)` as an `i32`, -1 for negative non-integers whose floor is odd and
    /// for -0, else 1 (also at the poles and for NaN).
    pub(crate) fn lower_ln_gamma(&mut self, m: &syn::ExprMethodCall) -> syn::Result<(Expr, Expr)> {
        if !m.args.is_empty() {
            return Err(error(m.method.span(), "`ln_gamma` takes no arguments"));
        }
        let x = self.lower_expr(&m.receiver, None)?;
        let ty = x.ty;
        self.require(ty.is_float(), &m.method, ty, "floats")?;
        let x = self.spill("ln_gamma.x", x);
        let math = |fun, args| Expr {
            ty,
            kind: ExprKind::Math { fun, args },
        };
        let float = |v: f64| Expr::literal(ty, Literal::Float(v.to_bits()));
        let compare = |op, a: Expr, b: Expr| Expr::binary(Scalar::Bool, op, a, b);
        let floor = self.spill("ln_gamma.floor", math(MathFunction::Floor, vec![x.clone()]));
        let half = Expr::binary(ty, BinaryOp::Mul, floor.clone(), float(0.5));
        let odd_floor = compare(
            BinaryOp::Ne,
            half.clone(),
            math(MathFunction::Floor, vec![half]),
        );
        let negative_non_integer = compare(
            BinaryOp::BitAnd,
            compare(BinaryOp::Lt, x.clone(), float(0.0)),
            compare(BinaryOp::Ne, x.clone(), floor),
        );
        let sign_bit = compare(
            BinaryOp::Lt,
            math(MathFunction::Copysign, vec![float(1.0), x.clone()]),
            float(0.0),
        );
        let negative_zero = compare(
            BinaryOp::BitAnd,
            compare(BinaryOp::Eq, x.clone(), float(0.0)),
            sign_bit,
        );
        let negative = compare(
            BinaryOp::BitOr,
            compare(BinaryOp::BitAnd, negative_non_integer, odd_floor),
            negative_zero,
        );
        let one = Expr::literal(Scalar::I32, Literal::Int(1));
        let minus_one = Expr {
            ty: Scalar::I32,
            kind: ExprKind::Unary {
                op: dpex_spirv::ir::UnaryOp::Neg,
                operand: Box::new(one.clone()),
            },
        };
        let sign = super::checks::select(negative, minus_one, one);
        Ok((math(MathFunction::LnGamma, vec![x]), sign))
    }
}
