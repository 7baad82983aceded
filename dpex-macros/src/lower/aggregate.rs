//! Private arrays (`let mut acc = [0.0f32; 8];`, `[a, b, c]`) and tuples of scalars
//! (`let t = (a, b);`, `t.0`, `let (x, y) = ...;`). Arrays live in `Function` storage; a tuple
//! is one scalar local per field, so it costs nothing at run time.

use super::{error, read_local, Binding, Lowerer};
use dpex_spirv::ir::{BinaryOp, Expr, Literal, LocalId, Memory, Scalar, Statement};
use syn::spanned::Spanned;

/// Arrays up to this length are initialized with one store per element; longer ones by a loop.
const UNROLLED_INIT: u32 = 8;
/// The largest private array: private memory is registers or a small stack.
const MAX_ARRAY_LEN: u32 = 1 << 16;

/// The value of a tuple expression: a scalar or a nested tuple per field.
pub(crate) enum TupleValue {
    Scalar(Expr),
    Tuple(Vec<TupleValue>),
}

/// A type annotation of a `let`, as far as kernels support it.
pub(crate) enum Declared {
    Scalar(Scalar),
    Array(Scalar, u32),
    Tuple(Vec<Declared>),
}

impl Lowerer<'_> {
    /// Reads a `let` type annotation.
    pub(crate) fn declared_type(&self, ty: &syn::Type) -> syn::Result<Declared> {
        if let Some(s) = self.sig.types.scalar(ty) {
            return Ok(Declared::Scalar(s));
        }
        match ty {
            syn::Type::Array(a) => {
                let Some(elem) = self.sig.types.scalar(&a.elem) else {
                    return Err(error(
                        a.elem.span(),
                        "private arrays hold scalars: write e.g. `[f32; 8]`",
                    ));
                };
                Ok(Declared::Array(elem, self.array_len(&a.len)?))
            }
            syn::Type::Tuple(t) => Ok(Declared::Tuple(
                t.elems
                    .iter()
                    .map(|e| self.declared_type(e))
                    .collect::<syn::Result<_>>()?,
            )),
            other => Err(error(
                other.span(),
                "kernel variables hold scalars (bool, i8..i64, isize, u8..u64, usize, f16, f32, \
                 f64), arrays of scalars `[T; N]` and tuples of them",
            )),
        }
    }

    /// `let [mut] name = [v; N]` or `= [a, b, ...]`: a private array.
    pub(crate) fn lower_array_let(
        &mut self,
        name: &syn::Ident,
        mutable: bool,
        declared: Option<(Scalar, u32)>,
        init: &syn::Expr,
    ) -> syn::Result<()> {
        let literal_elements = match init {
            syn::Expr::Repeat(r) => super::expr::is_context_typed(&r.expr),
            syn::Expr::Array(a) => a.elems.iter().all(super::expr::is_context_typed),
            _ => false,
        };
        let mut site = None;
        let mut expected = declared.map(|(elem, _)| elem);
        if declared.is_none() && literal_elements {
            let (next, learned) = self.next_let_site();
            expected = learned;
            site = learned.is_none().then_some(next);
        }
        let (elem, len, init_values) = match init {
            syn::Expr::Repeat(r) => {
                let value = match expected {
                    Some(t) => self.lower_expr_as(&r.expr, t)?,
                    None => self.lower_expr(&r.expr, None)?,
                };
                let len = self.array_len(&r.len)?;
                (value.ty, len, Err(value))
            }
            syn::Expr::Array(a) if !a.elems.is_empty() => {
                let mut values: Vec<Expr> = Vec::new();
                for e in &a.elems {
                    let want = values.first().map(|v| v.ty).or(expected);
                    values.push(match want {
                        Some(t) => self.lower_expr_as(e, t)?,
                        None => self.lower_expr(e, None)?,
                    });
                }
                (values[0].ty, values.len() as u32, Ok(values))
            }
            other => {
                return Err(error(
                    other.span(),
                    "initialize a private array with `[value; N]` or `[a, b, ...]`",
                ))
            }
        };
        if let Some((want_elem, want_len)) = declared {
            if want_elem != elem || want_len != len {
                return Err(error(
                    init.span(),
                    format!("expected `[{want_elem}; {want_len}]`, found `[{elem}; {len}]`"),
                ));
            }
        }
        if len > MAX_ARRAY_LEN {
            return Err(error(
                init.span(),
                format!("private arrays hold at most {MAX_ARRAY_LEN} elements"),
            ));
        }
        let local = self.push_local(&name.to_string(), elem, Some(len));
        match init_values {
            Ok(values) => {
                for (i, value) in values.into_iter().enumerate() {
                    self.emit(store(local, index_literal(i as u64), value));
                }
            }
            Err(value) if len <= UNROLLED_INIT => {
                let value = self.spill("array.init", value);
                for i in 0..len {
                    self.emit(store(local, index_literal(u64::from(i)), value.clone()));
                }
            }
            Err(value) => self.fill_by_loop(local, len, value),
        }
        self.bind(
            name,
            Binding::Array {
                id: local,
                elem,
                len,
                mutable,
                site,
            },
        );
        Ok(())
    }

    /// `for i in 0..len { array[i] = value }`.
    fn fill_by_loop(&mut self, local: LocalId, len: u32, value: Expr) {
        let value = self.spill("array.init", value);
        let cursor = self.new_local("array.i", Scalar::U64);
        self.emit(Statement::Assign {
            local: cursor,
            value: index_literal(0),
        });
        let i = read_local(cursor, Scalar::U64);
        self.emit(Statement::Loop {
            body: vec![
                Statement::If {
                    condition: Expr::binary(
                        Scalar::Bool,
                        BinaryOp::Ge,
                        i.clone(),
                        index_literal(u64::from(len)),
                    ),
                    accept: vec![Statement::Break],
                    reject: Vec::new(),
                },
                store(local, i.clone(), value),
            ],
            continuing: vec![Statement::Assign {
                local: cursor,
                value: Expr::binary(Scalar::U64, BinaryOp::Add, i, index_literal(1)),
            }],
        });
    }

    /// Lowers a tuple-valued expression: `(a, b)`, a tuple variable, or a field that is one.
    pub(crate) fn lower_tuple(
        &mut self,
        e: &syn::Expr,
        declared: Option<&Declared>,
    ) -> syn::Result<TupleValue> {
        match e {
            syn::Expr::Paren(p) => self.lower_tuple(&p.expr, declared),
            syn::Expr::MethodCall(m) if m.method == "compare_exchange" => {
                let Some(atomic) = self.atomic_receiver(&m.receiver) else {
                    return Err(error(
                        m.span(),
                        "`compare_exchange` is an `AtomicRef` operation",
                    ));
                };
                let (swapped, previous) = self.lower_compare_exchange(atomic?, m)?;
                Ok(TupleValue::Tuple(vec![
                    TupleValue::Scalar(swapped),
                    TupleValue::Scalar(previous),
                ]))
            }
            syn::Expr::MethodCall(m) if m.method == "ln_gamma" => {
                let (value, sign) = self.lower_ln_gamma(m)?;
                Ok(TupleValue::Tuple(vec![
                    TupleValue::Scalar(value),
                    TupleValue::Scalar(sign),
                ]))
            }
            syn::Expr::Tuple(t) => {
                let fields = match declared {
                    Some(Declared::Tuple(d)) if d.len() == t.elems.len() => {
                        d.iter().map(Some).collect()
                    }
                    Some(_) => {
                        return Err(error(
                            e.span(),
                            "this tuple does not match the declared type",
                        ))
                    }
                    None => vec![None; t.elems.len()],
                };
                let mut values = Vec::new();
                for (field, want) in t.elems.iter().zip(fields) {
                    values.push(self.lower_field_value(field, want)?);
                }
                Ok(TupleValue::Tuple(values))
            }
            other => match self.place_binding(other)? {
                Binding::Tuple(fields) => Ok(read_tuple(&fields)),
                _ => Err(error(other.span(), "expected a tuple")),
            },
        }
    }

    fn lower_field_value(
        &mut self,
        e: &syn::Expr,
        declared: Option<&Declared>,
    ) -> syn::Result<TupleValue> {
        if is_tuple_expr(e) || matches!(declared, Some(Declared::Tuple(_))) {
            return self.lower_tuple(e, declared);
        }
        if let Ok(Binding::Tuple(fields)) = self.place_binding(e) {
            return Ok(read_tuple(&fields));
        }
        match declared {
            Some(Declared::Scalar(t)) => Ok(TupleValue::Scalar(self.lower_expr_as(e, *t)?)),
            Some(Declared::Array(..)) => Err(error(e.span(), "arrays cannot be tuple fields")),
            _ => Ok(TupleValue::Scalar(self.lower_expr(e, None)?)),
        }
    }

    /// Binds `pat` to `value`, storing each scalar in a new local.
    pub(crate) fn bind_tuple_pattern(
        &mut self,
        pat: &syn::Pat,
        value: TupleValue,
        mutable_all: bool,
    ) -> syn::Result<()> {
        match (pat, value) {
            (syn::Pat::Wild(_), _) => Ok(()),
            (syn::Pat::Ident(p), value) if p.by_ref.is_none() && p.subpat.is_none() => {
                let binding = self.store_tuple_value(
                    &p.ident.to_string(),
                    value,
                    mutable_all || p.mutability.is_some(),
                );
                self.bind(&p.ident, binding);
                Ok(())
            }
            (syn::Pat::Tuple(t), TupleValue::Tuple(fields)) if t.elems.len() == fields.len() => {
                for (p, v) in t.elems.iter().zip(fields) {
                    self.bind_tuple_pattern(p, v, mutable_all)?;
                }
                Ok(())
            }
            (syn::Pat::Paren(p), value) => self.bind_tuple_pattern(&p.pat, value, mutable_all),
            (other, _) => Err(error(
                other.span(),
                "this pattern does not match the tuple's shape",
            )),
        }
    }

    fn store_tuple_value(&mut self, name: &str, value: TupleValue, mutable: bool) -> Binding {
        match value {
            TupleValue::Scalar(e) => {
                let ty = e.ty;
                let id = self.new_local(name, ty);
                if !mutable {
                    self.note_stable(id, &e);
                }
                self.emit(Statement::Assign {
                    local: id,
                    value: e,
                });
                Binding::Local {
                    id,
                    ty,
                    mutable,
                    site: None,
                }
            }
            TupleValue::Tuple(fields) => Binding::Tuple(
                fields
                    .into_iter()
                    .enumerate()
                    .map(|(i, f)| self.store_tuple_value(&format!("{name}.{i}"), f, mutable))
                    .collect(),
            ),
        }
    }

    /// `t.0` as a value (also of a call that gives a tuple: `x.ln_gamma().0`).
    pub(crate) fn lower_field(&mut self, f: &syn::ExprField) -> syn::Result<Expr> {
        if let (syn::Expr::MethodCall(m), syn::Member::Unnamed(index)) = (&*f.base, &f.member) {
            if m.method == "ln_gamma" {
                let (value, sign) = self.lower_ln_gamma(m)?;
                return match index.index {
                    0 => Ok(value),
                    1 => Ok(sign),
                    _ => Err(error(index.span, "this tuple has 2 fields")),
                };
            }
        }
        match self.place_binding(&syn::Expr::Field(f.clone()))? {
            Binding::Local { id, ty, .. } => Ok(read_local(id, ty)),
            _ => Err(error(
                f.span(),
                "this tuple field is itself a tuple: use its fields",
            )),
        }
    }

    /// The binding a name or a chain of tuple fields (`t.1.0`) refers to.
    pub(crate) fn place_binding(&self, e: &syn::Expr) -> syn::Result<Binding> {
        match e {
            syn::Expr::Paren(p) => self.place_binding(&p.expr),
            syn::Expr::Path(p) => p
                .path
                .get_ident()
                .and_then(|id| self.lookup(id))
                .ok_or_else(|| error(p.span(), "cannot find this name in the kernel")),
            syn::Expr::Field(f) => {
                let syn::Member::Unnamed(index) = &f.member else {
                    return Err(error(
                        f.member.span(),
                        "kernels have no structs: only tuple fields (`t.0`) can be read",
                    ));
                };
                match self.place_binding(&f.base)? {
                    Binding::Tuple(fields) => {
                        fields.get(index.index as usize).cloned().ok_or_else(|| {
                            error(
                                index.span,
                                format!("this tuple has {} fields", fields.len()),
                            )
                        })
                    }
                    _ => Err(error(f.base.span(), "only tuples have fields in kernels")),
                }
            }
            other => Err(error(other.span(), "expected a variable or a tuple field")),
        }
    }
}

fn read_tuple(fields: &[Binding]) -> TupleValue {
    TupleValue::Tuple(
        fields
            .iter()
            .map(|b| match b {
                Binding::Local { id, ty, .. } => TupleValue::Scalar(read_local(*id, *ty)),
                Binding::Tuple(inner) => read_tuple(inner),
                _ => TupleValue::Tuple(Vec::new()),
            })
            .collect(),
    )
}

/// True for `(a, b)` (not for `(a)`, which is a parenthesized value).
pub(crate) fn is_tuple_expr(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Tuple(_) => true,
        syn::Expr::Paren(p) => is_tuple_expr(&p.expr),
        _ => false,
    }
}

fn store(local: LocalId, index: Expr, value: Expr) -> Statement {
    Statement::StoreElement {
        memory: Memory::Private(local),
        index,
        value,
    }
}

fn index_literal(i: u64) -> Expr {
    Expr::literal(Scalar::U64, Literal::Int(i))
}
