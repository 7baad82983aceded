//! `AtomicRef`: `let a = AtomicRef::new(&mut hist[i]); a.fetch_add(1);`, the inline form
//! `AtomicRef::new(&mut hist[i]).fetch_add(1)`, and `AtomicRef::with_order(&mut x[i],
//! MemoryOrder::AcqRel, MemoryScope::WorkGroup)`.

use super::calls::bits_of;
use super::nd_range::{memory_order, memory_scope};
use super::{error, read_local, Binding, Lowerer};
use dpex_spirv::ir::{
    AtomicOp, BinaryOp, Expr, ExprKind, LocalId, Memory, MemoryOrder, Scalar, Scope, Statement,
};
use syn::spanned::Spanned;

/// An element of memory with the order and scope of its atomic operations.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AtomicElement {
    memory: Memory,
    elem: Scalar,
    /// The element index, computed once.
    index: LocalId,
    /// In checked kernels: true when the index is in bounds (the operation is skipped
    /// otherwise, and reads give 0).
    guard: Option<LocalId>,
    order: MemoryOrder,
    scope: Scope,
}

impl Lowerer<'_> {
    /// `AtomicRef::new(&mut m[i])` / `AtomicRef::with_order(&mut m[i], order, scope)`, if `e` is
    /// one of them.
    pub(crate) fn atomic_ref(&mut self, e: &syn::Expr) -> Option<syn::Result<AtomicElement>> {
        let syn::Expr::Call(c) = e else { return None };
        let syn::Expr::Path(path) = &*c.func else {
            return None;
        };
        let segments: Vec<String> = path
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let [.., ty, constructor] = segments.as_slice() else {
            return None;
        };
        if ty != "AtomicRef" {
            return None;
        }
        Some(self.atomic_element(c, constructor))
    }

    fn atomic_element(
        &mut self,
        c: &syn::ExprCall,
        constructor: &str,
    ) -> syn::Result<AtomicElement> {
        let (order, scope) = match (constructor, c.args.len()) {
            ("new", 1) => (MemoryOrder::Relaxed, Scope::Device),
            ("with_order", 3) => (
                memory_order(&self.through_constants(&c.args[1]))?,
                memory_scope(&self.through_constants(&c.args[2]))?,
            ),
            _ => {
                return Err(error(
                    c.span(),
                    "write `AtomicRef::new(&mut x[i])` or `AtomicRef::with_order(&mut x[i], MemoryOrder::Relaxed, MemoryScope::Device)`",
                ))
            }
        };
        let element = match &c.args[0] {
            syn::Expr::Reference(r) if r.mutability.is_some() => match &*r.expr {
                syn::Expr::Index(i) => Some(i),
                _ => None,
            },
            _ => None,
        };
        let Some(element) = element else {
            return Err(error(
                c.args[0].span(),
                "an `AtomicRef` refers to one element: write `&mut x[i]`",
            ));
        };
        let super::memory::ElementRef {
            memory,
            index,
            check,
            shared_row,
        } = self.lower_element_ref(element)?;
        if matches!(memory.memory, Memory::Private(_)) {
            return Err(error(
                element.span(),
                "atomics work on tensors and local memory, not on private arrays",
            ));
        }
        if shared_row {
            return Err(self.read_only_error(&memory, true, &element.expr));
        }
        if !memory.writable {
            return Err(error(
                element.expr.span(),
                "atomics write: the tensor must be a `&mut Tensor<T>` parameter",
            ));
        }
        if !matches!(
            memory.elem,
            Scalar::I32 | Scalar::U32 | Scalar::I64 | Scalar::U64 | Scalar::F32 | Scalar::F64
        ) {
            return Err(error(
                element.span(),
                format!(
                    "atomics work on i32, u32, i64, u64, f32 and f64, not `{}`",
                    memory.elem
                ),
            ));
        }
        let index_local = self.new_local("atomic.index", Scalar::U64);
        self.emit(Statement::Assign {
            local: index_local,
            value: index,
        });
        let guard = match check {
            Some(check) => {
                self.fail_unless(&check);
                let ok = self.new_local("atomic.in_bounds", Scalar::Bool);
                self.emit(Statement::Assign {
                    local: ok,
                    value: check.in_bounds,
                });
                Some(ok)
            }
            None => None,
        };
        Ok(AtomicElement {
            memory: memory.memory,
            elem: memory.elem,
            index: index_local,
            guard,
            order,
            scope,
        })
    }

    /// The atomic element a receiver names: an `AtomicRef` variable or an inline constructor.
    pub(crate) fn atomic_receiver(
        &mut self,
        receiver: &syn::Expr,
    ) -> Option<syn::Result<AtomicElement>> {
        if let syn::Expr::Path(p) = receiver {
            if let Some(Binding::Atomic(a)) = p.path.get_ident().and_then(|i| self.lookup(i)) {
                return Some(Ok(a));
            }
        }
        self.atomic_ref(receiver)
    }

    /// `a.fetch_add(v)` and the other operations; `store` is only a statement.
    pub(crate) fn lower_atomic_call(
        &mut self,
        a: AtomicElement,
        m: &syn::ExprMethodCall,
    ) -> syn::Result<Expr> {
        let method = m.method.to_string();
        let (op, arity) = match method.as_str() {
            "load" => (AtomicOp::Load, 0),
            "exchange" => (AtomicOp::Exchange, 1),
            "fetch_add" => (AtomicOp::Add, 1),
            "fetch_sub" => (AtomicOp::Sub, 1),
            "fetch_min" => (AtomicOp::Min, 1),
            "fetch_max" => (AtomicOp::Max, 1),
            "fetch_and" => (AtomicOp::And, 1),
            "fetch_or" => (AtomicOp::Or, 1),
            "fetch_xor" => (AtomicOp::Xor, 1),
            "store" => return Err(error(m.method.span(), "`store` returns nothing: call it as a statement")),
            "compare_exchange" => {
                return Err(error(m.method.span(), "`compare_exchange` gives `(swapped, previous)`: write `let (ok, old) = a.compare_exchange(current, new);`"))
            }
            _ => {
                return Err(error(
                    m.method.span(),
                    format!("`.{method}()` is not an atomic operation: use load, store, exchange, compare_exchange, fetch_add, fetch_sub, fetch_min, fetch_max, fetch_and, fetch_or or fetch_xor"),
                ))
            }
        };
        if m.args.len() != arity {
            return Err(error(
                m.method.span(),
                format!("`{method}` takes {arity} argument(s)"),
            ));
        }
        if matches!(op, AtomicOp::And | AtomicOp::Or | AtomicOp::Xor) && a.elem.is_float() {
            return Err(error(
                m.method.span(),
                format!("`{method}` works on integers, not `{}`", a.elem),
            ));
        }
        let operands = m
            .args
            .iter()
            .map(|arg| self.lower_expr_as(arg, a.elem))
            .collect::<syn::Result<Vec<_>>>()?;
        Ok(atomic_expr(a, op, operands))
    }

    /// `a.store(v);` as a statement.
    pub(crate) fn lower_atomic_store(
        &mut self,
        a: AtomicElement,
        m: &syn::ExprMethodCall,
    ) -> syn::Result<()> {
        if m.args.len() != 1 {
            return Err(error(m.method.span(), "`store` takes 1 argument"));
        }
        let value = self.lower_expr_as(&m.args[0], a.elem)?;
        let store = Statement::AtomicStore {
            memory: a.memory,
            index: read_local(a.index, Scalar::U64),
            value,
            order: write_order(a.order),
            scope: a.scope,
        };
        match a.guard {
            Some(ok) => self.emit(Statement::If {
                condition: read_local(ok, Scalar::Bool),
                accept: vec![store],
                reject: Vec::new(),
            }),
            None => self.emit(store),
        }
        Ok(())
    }

    /// `a.compare_exchange(current, new)`: `(swapped, previous)`.
    pub(crate) fn lower_compare_exchange(
        &mut self,
        a: AtomicElement,
        m: &syn::ExprMethodCall,
    ) -> syn::Result<(Expr, Expr)> {
        if m.args.len() != 2 {
            return Err(error(
                m.method.span(),
                "`compare_exchange` takes the current and the new value",
            ));
        }
        let current = self.lower_expr_as(&m.args[0], a.elem)?;
        let current = self.spill("atomic.expected", current);
        let new = self.lower_expr_as(&m.args[1], a.elem)?;
        let cas = atomic_expr(a, AtomicOp::CompareExchange, vec![current.clone(), new]);
        let previous = self.spill("atomic.previous", cas);
        // The hardware compares bits: for floats -0.0 differs from 0.0 and a NaN matches the
        // same NaN, which float `==` would not say, so the bits are compared.
        let swapped = if a.elem.is_float() {
            let (previous, current) = (bits_of(previous.clone()), bits_of(current));
            Expr::binary(Scalar::Bool, BinaryOp::Eq, previous, current)
        } else {
            Expr::binary(Scalar::Bool, BinaryOp::Eq, previous.clone(), current)
        };
        Ok((swapped, previous))
    }
}

/// The order of a load through an `AtomicRef` of order `order` (SYCL's `default_read_order`).
fn read_order(order: MemoryOrder) -> MemoryOrder {
    match order {
        MemoryOrder::AcqRel => MemoryOrder::Acquire,
        MemoryOrder::Release => MemoryOrder::Relaxed,
        other => other,
    }
}

/// The order of a store through an `AtomicRef` of order `order` (SYCL's `default_write_order`).
fn write_order(order: MemoryOrder) -> MemoryOrder {
    match order {
        MemoryOrder::AcqRel => MemoryOrder::Release,
        MemoryOrder::Acquire => MemoryOrder::Relaxed,
        other => other,
    }
}

fn atomic_expr(a: AtomicElement, op: AtomicOp, operands: Vec<Expr>) -> Expr {
    let order = if op == AtomicOp::Load {
        read_order(a.order)
    } else {
        a.order
    };
    let atomic = Expr {
        ty: a.elem,
        kind: ExprKind::Atomic {
            op,
            memory: a.memory,
            index: Box::new(read_local(a.index, Scalar::U64)),
            operands,
            order,
            scope: a.scope,
        },
    };
    match a.guard {
        Some(ok) => Expr {
            ty: a.elem,
            kind: ExprKind::Select {
                condition: Box::new(read_local(ok, Scalar::Bool)),
                accept: Box::new(atomic),
                reject: Box::new(super::checks::zero(a.elem)),
            },
        },
        None => atomic,
    }
}
