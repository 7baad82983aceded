//! Private arrays (`let mut acc = [0.0f32; 8];`, `[a, b, c]`, arrays of arrays `[[0.0f32; 4];
//! 4]`) and tuples of scalars (`let t = (a, b);`, `t.0`, `let (x, y) = ...;`). Arrays live in
//! `Function` storage (an array of arrays row-major in one); a tuple is one scalar local per
//! field, so it costs nothing at run time.

use super::for_loop::MAX_UNROLLED_TRIPS;
use super::memory::{is_simple, Extents, MAX_ARRAY_AXES};
use super::{error, read_local, Binding, Lowerer};
use dpex_spirv::ir::{BinaryOp, Expr, Literal, LocalId, Memory, Scalar, Statement};
use syn::spanned::Spanned;

/// Arrays up to this length are initialized with one store per element; longer ones by a loop.
const UNROLLED_INIT: u32 = 8;
/// The largest private array: private memory is registers or a small stack.
const MAX_ARRAY_LEN: u32 = 1 << 16;
/// The most elements an initializer of several values (`[[a, b]; 4]`) may expand to: each is
/// one store.
const MAX_LISTED_INIT: u32 = 1024;

/// The value of a tuple expression: a scalar or a nested tuple per field.
pub(crate) enum TupleValue {
    Scalar(Expr),
    Tuple(Vec<TupleValue>),
}

/// A type annotation of a `let`, as far as kernels support it.
pub(crate) enum Declared {
    Scalar(Scalar),
    Array(Scalar, Extents),
    Tuple(Vec<Declared>),
}

/// The initializer of a private array, as nested `[v; N]` and `[a, b, ...]` write it.
enum Init<'e> {
    /// One element's value.
    Leaf(&'e syn::Expr),
    /// `[init; N]`: `init` evaluated once, then copied `N` times.
    Repeat(Box<Init<'e>>, u32),
    /// `[a, b, ...]`: each evaluated in order.
    List(Vec<Init<'e>>),
}

/// The initializer once its values are lowered: each leaf one [`Expr`].
enum Lowered {
    Leaf(Expr),
    Repeat(Box<Lowered>, u32),
    List(Vec<Lowered>),
}

impl Lowered {
    /// The single value of an initializer that repeats one value (`[[v; 4]; 4]`).
    fn single(&self) -> Option<&Expr> {
        match self {
            Lowered::Leaf(e) => Some(e),
            Lowered::Repeat(inner, _) => inner.single(),
            Lowered::List(_) => None,
        }
    }

    /// True when some value is copied into several elements.
    fn repeats(&self) -> bool {
        match self {
            Lowered::Leaf(_) => false,
            Lowered::Repeat(inner, n) => *n > 1 || inner.repeats(),
            Lowered::List(items) => items.iter().any(Lowered::repeats),
        }
    }

    /// Appends the elements, in row-major order.
    fn flatten(&self, out: &mut Vec<Expr>) {
        match self {
            Lowered::Leaf(e) => out.push(e.clone()),
            Lowered::Repeat(inner, n) => {
                for _ in 0..*n {
                    inner.flatten(out);
                }
            }
            Lowered::List(items) => items.iter().for_each(|item| item.flatten(out)),
        }
    }
}

impl Lowerer<'_> {
    /// Reads a `let` type annotation.
    pub(crate) fn declared_type(&self, ty: &syn::Type) -> syn::Result<Declared> {
        if let Some(s) = self.sig.types.scalar(ty) {
            return Ok(Declared::Scalar(s));
        }
        match ty {
            syn::Type::Array(_) => {
                // `[[f32; 4]; 3]`: extents [3, 4], outermost first.
                let mut extents = Vec::new();
                let mut inner = ty;
                while let syn::Type::Array(a) = inner {
                    extents.push(self.array_len(&a.len)?);
                    inner = &a.elem;
                }
                let Some(elem) = self.sig.types.scalar(inner) else {
                    return Err(error(
                        inner.span(),
                        "private arrays hold scalars or arrays of them: write e.g. `[f32; 8]` or `[[f32; 4]; 4]`",
                    ));
                };
                Ok(Declared::Array(elem, array_extents(ty, &extents)?))
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

    /// `let [mut] name = [v; N]` or `= [a, b, ...]` (nested for an array of arrays): a private
    /// array.
    pub(crate) fn lower_array_let(
        &mut self,
        name: &syn::Ident,
        mutable: bool,
        declared: Option<(Scalar, Extents)>,
        init: &syn::Expr,
    ) -> syn::Result<()> {
        let tree = self.array_init(init)?;
        let literal_elements = tree.leaves().into_iter().all(super::expr::is_context_typed);
        let mut site = None;
        let mut expected = declared.map(|(elem, _)| elem);
        if declared.is_none() && literal_elements {
            let (next, learned) = self.next_let_site();
            expected = learned;
            site = learned.is_none().then_some(next);
        }
        let extents = tree.extents(init)?;
        let shape = array_extents(init, &extents)?;
        let mut elem = expected;
        let lowered = self.lower_init(&tree, &mut elem)?;
        let elem = elem.unwrap_or(Scalar::F64);
        if let Some((want_elem, want_shape)) = declared {
            if want_elem != elem || want_shape != shape {
                return Err(error(
                    init.span(),
                    format!(
                        "expected `{}`, found `{}`",
                        array_type_name(want_elem, want_shape),
                        array_type_name(elem, shape)
                    ),
                ));
            }
        }
        let len = shape.len();
        let local = self.push_local(&name.to_string(), elem, Some(len));
        match lowered.single() {
            Some(value) if len > UNROLLED_INIT => self.fill_by_loop(local, len, value.clone()),
            Some(value) => {
                let value = self.spill("array.init", value.clone());
                for i in 0..len {
                    self.emit(store(local, index_literal(u64::from(i)), value.clone()));
                }
            }
            None if len > MAX_LISTED_INIT => {
                return Err(error(
                    init.span(),
                    format!("an array initialized from several values holds at most {MAX_LISTED_INIT} elements: initialize it with one value, `[[v; N]; M]`, and assign the others in a loop"),
                ))
            }
            None => {
                let mut lowered = lowered;
                if lowered.repeats() {
                    // Values copied several times are computed once, all in source order.
                    self.spill_leaves(&mut lowered);
                }
                let mut values = Vec::new();
                lowered.flatten(&mut values);
                for (i, value) in values.into_iter().enumerate() {
                    self.emit(store(local, index_literal(i as u64), value));
                }
            }
        }
        self.bind(
            name,
            Binding::Array {
                id: local,
                elem,
                shape,
                mutable,
                site,
            },
        );
        Ok(())
    }

    /// Reads an array initializer: nested `[v; N]` and `[a, b, ...]`.
    fn array_init<'e>(&self, e: &'e syn::Expr) -> syn::Result<Init<'e>> {
        match e {
            syn::Expr::Repeat(r) => Ok(Init::Repeat(
                Box::new(self.array_init_element(&r.expr)?),
                self.array_len(&r.len)?,
            )),
            syn::Expr::Array(a) if !a.elems.is_empty() => Ok(Init::List(
                a.elems
                    .iter()
                    .map(|e| self.array_init_element(e))
                    .collect::<syn::Result<_>>()?,
            )),
            other => Err(error(
                other.span(),
                "initialize a private array with `[value; N]` or `[a, b, ...]`",
            )),
        }
    }

    /// An element of an array initializer: an inner array, or a value.
    fn array_init_element<'e>(&self, e: &'e syn::Expr) -> syn::Result<Init<'e>> {
        match e {
            syn::Expr::Repeat(_) | syn::Expr::Array(_) => self.array_init(e),
            syn::Expr::Paren(p)
                if matches!(&*p.expr, syn::Expr::Repeat(_) | syn::Expr::Array(_)) =>
            {
                self.array_init(&p.expr)
            }
            leaf => Ok(Init::Leaf(leaf)),
        }
    }

    /// Lowers the values of an initializer in source order, all of type `elem` (the first
    /// value's type when `elem` is `None`). A repeated value is computed once.
    fn lower_init(&mut self, init: &Init<'_>, elem: &mut Option<Scalar>) -> syn::Result<Lowered> {
        Ok(match init {
            Init::Leaf(e) => {
                let value = match *elem {
                    Some(t) => self.lower_expr_as(e, t)?,
                    None => self.lower_expr(e, None)?,
                };
                *elem = Some(value.ty);
                Lowered::Leaf(value)
            }
            Init::Repeat(inner, n) => Lowered::Repeat(Box::new(self.lower_init(inner, elem)?), *n),
            Init::List(items) => Lowered::List(
                items
                    .iter()
                    .map(|item| self.lower_init(item, elem))
                    .collect::<syn::Result<_>>()?,
            ),
        })
    }

    /// Stores each value of `init` that is not cheap to repeat in a hidden local, in source
    /// order.
    fn spill_leaves(&mut self, init: &mut Lowered) {
        match init {
            Lowered::Leaf(value) if !is_simple(value) => {
                *value = self.spill("array.init", value.clone());
            }
            Lowered::Leaf(_) => {}
            Lowered::Repeat(inner, _) => self.spill_leaves(inner),
            Lowered::List(items) => items.iter_mut().for_each(|item| self.spill_leaves(item)),
        }
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
            // Unrolled, a small array's stores are to constant places: it can live in registers.
            unroll: len <= MAX_UNROLLED_TRIPS,
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

impl<'e> Init<'e> {
    /// The values, in source order.
    fn leaves(&self) -> Vec<&'e syn::Expr> {
        match self {
            Init::Leaf(e) => vec![*e],
            Init::Repeat(inner, _) => inner.leaves(),
            Init::List(items) => items.iter().flat_map(Init::leaves).collect(),
        }
    }

    /// The extents it builds, outermost first; the inner arrays of a list must agree.
    fn extents(&self, whole: &syn::Expr) -> syn::Result<Vec<u32>> {
        match self {
            Init::Leaf(_) => Ok(Vec::new()),
            Init::Repeat(inner, n) => {
                let mut extents = vec![*n];
                extents.extend(inner.extents(whole)?);
                Ok(extents)
            }
            Init::List(items) => {
                let mut inner: Option<Vec<u32>> = None;
                for item in items {
                    let extents = item.extents(whole)?;
                    match &inner {
                        Some(first) if *first != extents => {
                            return Err(error(
                                whole.span(),
                                "the inner arrays of this array have different lengths: every row of an array of arrays has the same",
                            ))
                        }
                        _ => inner = Some(extents),
                    }
                }
                let mut extents = vec![items.len() as u32];
                extents.extend(inner.unwrap_or_default());
                Ok(extents)
            }
        }
    }
}

/// The extents of a private array, checked against the limits (the error at `at`).
fn array_extents(at: &impl Spanned, extents: &[u32]) -> syn::Result<Extents> {
    if extents.len() > MAX_ARRAY_AXES {
        return Err(error(
            at.span(),
            format!("private arrays have at most {MAX_ARRAY_AXES} axes"),
        ));
    }
    match Extents::new(extents) {
        Some(shape) if shape.len() <= MAX_ARRAY_LEN => Ok(shape),
        _ => Err(error(
            at.span(),
            format!("private arrays hold at most {MAX_ARRAY_LEN} elements"),
        )),
    }
}

/// An array type as Rust writes it: `[f32; 8]`, `[[f32; 4]; 3]`.
fn array_type_name(elem: Scalar, shape: Extents) -> String {
    shape
        .list()
        .iter()
        .rev()
        .fold(elem.to_string(), |inner, n| format!("[{inner}; {n}]"))
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
