//! The ND-range model in kernels: work-item queries of `Item`/`NdItem`, `Group` and `SubGroup`
//! values and their methods, `group_barrier`, `atomic_fence` and work-group `LocalArray`s.

use super::memory::Shape;
use super::{error, Binding, Lowerer};
use dpex_spirv::ir::{
    BinaryOp, Builtin, Expr, ExprKind, FenceSpaces, Literal, MemoryOrder, Scalar, Scope, Statement,
    SubGroupOp, WorkgroupArray, WorkgroupArrayId,
};
use syn::spanned::Spanned;

/// The value of a work-item query method, if `method` is one: a per-dimension built-in, or
/// `None` for the methods computed from several.
fn per_dimension(method: &str, nd_range: bool) -> Option<fn(u32) -> Builtin> {
    Some(match (method, nd_range) {
        ("get_id", false) | ("get_global_id", _) => Builtin::GlobalId,
        ("get_range", false) | ("get_global_range", _) => Builtin::GlobalSize,
        ("get_local_id", true) => Builtin::LocalId,
        ("get_local_range", true) => Builtin::LocalSize,
        ("get_group_id", true) => Builtin::GroupId,
        ("get_group_range", true) => Builtin::NumGroups,
        _ => return None,
    })
}

impl Lowerer<'_> {
    /// `item.get_id(d)`, `it.get_local_id(d)`, `it.get_global_linear_id()`, ...
    pub(crate) fn lower_item_query(&mut self, m: &syn::ExprMethodCall) -> syn::Result<Expr> {
        let method = m.method.to_string();
        self.reject_launch_sizes(m)?;
        let nd = self.sig.nd_range;
        if let Some(builtin) = per_dimension(&method, nd) {
            let dim = self.dimension_argument(m)?;
            return Ok(builtin_expr(builtin(dim)));
        }
        match (method.as_str(), nd) {
            ("get_global_linear_id", true) | ("get_linear_id", false) => {
                self.no_arguments(m)?;
                Ok(self.linear(Builtin::GlobalId, Builtin::GlobalSize))
            }
            ("get_local_linear_id", true) => {
                self.no_arguments(m)?;
                Ok(self.linear(Builtin::LocalId, Builtin::LocalSize))
            }
            ("get_global_linear_range", true) | ("get_linear_range", false) => {
                self.no_arguments(m)?;
                Ok(self.product(Builtin::GlobalSize))
            }
            ("get_local_linear_range", true) => {
                self.no_arguments(m)?;
                Ok(self.product(Builtin::LocalSize))
            }
            ("dimensions", _) => {
                self.no_arguments(m)?;
                Ok(self.dimensions())
            }
            _ => {
                let queries = if nd {
                    "get_global_id, get_local_id, get_group_id, get_global_range, get_local_range, \
                     get_group_range, get_global_linear_id, get_local_linear_id, \
                     get_global_linear_range, get_local_linear_range, dimensions, get_group, \
                     get_sub_group"
                } else {
                    "get_id, get_range, get_linear_id, get_linear_range, dimensions (use `NdItem` \
                     for work-groups)"
                };
                Err(error(
                    m.method.span(),
                    format!("`.{method}()` is not a work-item query here: use {queries}"),
                ))
            }
        }
    }

    /// Rejects, in a device function, the queries that read the launch's global size or group
    /// count: only the kernel knows them (on Vulkan they come with its arguments).
    fn reject_launch_sizes(&self, m: &syn::ExprMethodCall) -> syn::Result<()> {
        let method = m.method.to_string();
        let reads_sizes = matches!(
            method.as_str(),
            "get_global_range" | "get_group_range" | "get_global_linear_id" | "get_group_linear_id"
        );
        if self.sig.is_function && reads_sizes {
            return Err(error(
                m.method.span(),
                format!(
                    "`.{method}()` reads the launch's sizes, which only the kernel knows: compute \
                     it in the kernel and pass it to this function as a `usize`"
                ),
            ));
        }
        Ok(())
    }

    /// Row-major linear id: the last dimension varies fastest.
    fn linear(&self, id: fn(u32) -> Builtin, size: fn(u32) -> Builtin) -> Expr {
        let mut value = builtin_expr(id(0));
        for d in 1..self.sig.dims {
            value = Expr::binary(
                Scalar::U64,
                BinaryOp::Add,
                Expr::binary(Scalar::U64, BinaryOp::Mul, value, builtin_expr(size(d))),
                builtin_expr(id(d)),
            );
        }
        value
    }

    /// The product of a per-dimension size over the kernel's dimensions: a linear range.
    fn product(&self, size: fn(u32) -> Builtin) -> Expr {
        (1..self.sig.dims).fold(builtin_expr(size(0)), |acc, d| {
            Expr::binary(Scalar::U64, BinaryOp::Mul, acc, builtin_expr(size(d)))
        })
    }

    /// The number of dimensions of the index space, a `usize`.
    fn dimensions(&self) -> Expr {
        Expr::literal(Scalar::U64, Literal::Int(u64::from(self.sig.dims)))
    }

    /// What a receiver that is not a name stands for: `it.get_group()` or
    /// `it.get_sub_group()` in an ND-range kernel, called on without a `let`
    /// (`it.get_group().get_group_id(0)`, `it.get_sub_group().get_local_id()`); an error in an
    /// `Item` kernel, which has no work-groups.
    pub(crate) fn temporary_binding(&self, receiver: &syn::Expr) -> Option<syn::Result<Binding>> {
        let syn::Expr::MethodCall(m) = receiver else {
            return None;
        };
        let (binding, what) = match m.method.to_string().as_str() {
            "get_group" => (Binding::Group, "work-groups"),
            "get_sub_group" => (Binding::SubGroup, "sub-groups"),
            _ => return None,
        };
        if !self.is_item(&m.receiver) {
            return None;
        }
        Some(if !self.sig.nd_range {
            Err(error(
                m.method.span(),
                format!(
                    "{what} need an ND-range kernel: declare the kernel's first parameter \
                     `NdItem<N>`"
                ),
            ))
        } else {
            self.no_arguments(m).map(|()| binding)
        })
    }

    /// `g.get_group_id(d)`, `g.get_local_range(d)`, `g.leader()`, ...
    pub(crate) fn lower_group_query(&mut self, m: &syn::ExprMethodCall) -> syn::Result<Expr> {
        let method = m.method.to_string();
        self.reject_launch_sizes(m)?;
        let per_dim: Option<fn(u32) -> Builtin> = match method.as_str() {
            "get_group_id" => Some(Builtin::GroupId),
            "get_group_range" => Some(Builtin::NumGroups),
            "get_local_range" => Some(Builtin::LocalSize),
            _ => None,
        };
        if let Some(builtin) = per_dim {
            let dim = self.dimension_argument(m)?;
            return Ok(builtin_expr(builtin(dim)));
        }
        self.no_arguments(m)?;
        match method.as_str() {
            "get_group_linear_id" => Ok(self.linear(Builtin::GroupId, Builtin::NumGroups)),
            "get_group_linear_range" => Ok(self.product(Builtin::NumGroups)),
            "get_local_linear_range" => Ok(self.product(Builtin::LocalSize)),
            "dimensions" => Ok(self.dimensions()),
            "leader" => {
                let zero = Expr::literal(Scalar::U64, Literal::Int(0));
                let local = self.linear(Builtin::LocalId, Builtin::LocalSize);
                Ok(Expr::binary(Scalar::Bool, BinaryOp::Eq, local, zero))
            }
            _ => Err(error(
                m.method.span(),
                format!(
                    "`.{method}()` is not a group query: use get_group_id, get_group_linear_id, \
                     get_group_range, get_group_linear_range, get_local_range, \
                     get_local_linear_range, dimensions or leader"
                ),
            )),
        }
    }

    /// `sg.get_local_id()`, `sg.reduce_add(x)`, `sg.shuffle(x, lane)`, ...
    pub(crate) fn lower_sub_group_call(&mut self, m: &syn::ExprMethodCall) -> syn::Result<Expr> {
        let method = m.method.to_string();
        let query = match method.as_str() {
            "get_local_id" => Some(Builtin::SubGroupLocalId),
            "get_group_id" => Some(Builtin::SubGroupId),
            "get_local_range" => Some(Builtin::SubGroupSize),
            "get_group_range" => Some(Builtin::NumSubGroups),
            _ => None,
        };
        if let Some(builtin) = query {
            self.no_arguments(m)?;
            return Ok(Expr {
                ty: Scalar::U32,
                kind: ExprKind::Builtin(builtin),
            });
        }
        let (op, with_lane) = match method.as_str() {
            "broadcast" => (SubGroupOp::Broadcast, true),
            "shuffle" => (SubGroupOp::Shuffle, true),
            "shuffle_xor" => (SubGroupOp::ShuffleXor, true),
            "reduce_add" => (SubGroupOp::ReduceAdd, false),
            "reduce_min" => (SubGroupOp::ReduceMin, false),
            "reduce_max" => (SubGroupOp::ReduceMax, false),
            "inclusive_scan_add" => (SubGroupOp::InclusiveScanAdd, false),
            "exclusive_scan_add" => (SubGroupOp::ExclusiveScanAdd, false),
            "any" => (SubGroupOp::Any, false),
            "all" => (SubGroupOp::All, false),
            _ => {
                return Err(error(
                    m.method.span(),
                    format!(
                    "`.{method}()` is not a sub-group operation: use get_local_id, get_group_id, \
                         get_local_range, get_group_range, broadcast, shuffle, shuffle_xor, \
                         reduce_add/min/max, inclusive_scan_add, exclusive_scan_add, any or all"
                ),
                ))
            }
        };
        let want = if with_lane { 2 } else { 1 };
        if m.args.len() != want {
            return Err(error(
                m.method.span(),
                format!("`{method}` takes {want} argument(s)"),
            ));
        }
        let value = if matches!(op, SubGroupOp::Any | SubGroupOp::All) {
            self.lower_expr_as(&m.args[0], Scalar::Bool)?
        } else {
            let v = self.lower_expr(&m.args[0], None)?;
            if !v.ty.is_numeric() {
                return Err(error(
                    m.args[0].span(),
                    format!("`{method}` takes a number, not `{}`", v.ty),
                ));
            }
            v
        };
        let mut args = vec![value];
        if with_lane {
            args.push(self.lower_expr_as(&m.args[1], Scalar::U32)?);
        }
        let ty = args[0].ty;
        Ok(Expr {
            ty,
            kind: ExprKind::SubGroup { op, args },
        })
    }

    fn no_arguments(&self, m: &syn::ExprMethodCall) -> syn::Result<()> {
        if m.args.is_empty() {
            return Ok(());
        }
        Err(error(
            m.args.span(),
            format!("`{}` takes no arguments", m.method),
        ))
    }

    /// `group_barrier(&g)`, `group_barrier_with(&g, FenceSpace::Local)` and
    /// `atomic_fence(order, scope)` as statements; `None` when `c` is none of them.
    pub(crate) fn lower_sync_call(&mut self, c: &syn::ExprCall) -> Option<syn::Result<()>> {
        let syn::Expr::Path(path) = &*c.func else {
            return None;
        };
        let name = path.path.segments.last()?.ident.to_string();
        Some(match name.as_str() {
            "group_barrier" | "group_barrier_with" => {
                self.lower_barrier(c, name == "group_barrier_with")
            }
            "atomic_fence" => self.lower_fence(c),
            _ => return None,
        })
    }

    fn lower_barrier(&mut self, c: &syn::ExprCall, with_space: bool) -> syn::Result<()> {
        if !self.sig.nd_range {
            let fix = if self.sig.is_function {
                "take the work-item as the function's first parameter, `it: &NdItem<N>`"
            } else {
                "declare the kernel's first parameter `NdItem<N>`"
            };
            return Err(error(c.span(), format!("barriers need work-groups: {fix}")));
        }
        let want = if with_space { 2 } else { 1 };
        if c.args.len() != want || !self.names_group(&c.args[0]) {
            return Err(error(
                c.span(),
                "write `group_barrier(&it.get_group())` or `group_barrier_with(&group, FenceSpace::Local)`",
            ));
        }
        self.require_uniform_control(c.func.span())?;
        let fence = if with_space {
            match enum_variant(&c.args[1]).as_deref() {
                Some("Local") => FenceSpaces {
                    local: true,
                    global: false,
                },
                Some("Global") => FenceSpaces {
                    local: false,
                    global: true,
                },
                Some("All") => FenceSpaces {
                    local: true,
                    global: true,
                },
                _ => {
                    return Err(error(
                        c.args[1].span(),
                        "write `FenceSpace::Local`, `FenceSpace::Global` or `FenceSpace::All`",
                    ))
                }
            }
        } else {
            FenceSpaces {
                local: true,
                global: true,
            }
        };
        self.emit(Statement::Barrier { fence });
        Ok(())
    }

    fn lower_fence(&mut self, c: &syn::ExprCall) -> syn::Result<()> {
        let [order, scope] = [c.args.first(), c.args.get(1)];
        let (Some(order), Some(scope), 2) = (order, scope, c.args.len()) else {
            return Err(error(
                c.span(),
                "write `atomic_fence(MemoryOrder::AcqRel, MemoryScope::WorkGroup)`",
            ));
        };
        let order = memory_order(&self.through_constants(order))?;
        if order == MemoryOrder::Relaxed {
            return Err(error(
                c.span(),
                "a relaxed fence orders nothing: use Acquire, Release, AcqRel or SeqCst",
            ));
        }
        let scope = memory_scope(&self.through_constants(scope))?;
        self.emit(Statement::Fence { order, scope });
        Ok(())
    }

    /// True when `e` is `&g` for a group `g`, `&it.get_group()`, or a device function's
    /// `g: &Group<N>` parameter.
    pub(crate) fn names_group(&self, e: &syn::Expr) -> bool {
        let r = match e {
            syn::Expr::Reference(r) => &*r.expr,
            syn::Expr::Path(p) => {
                let group = self.sig.group.as_ref();
                return group.is_some_and(|g| p.path.is_ident(g));
            }
            _ => return false,
        };
        match r {
            syn::Expr::Path(p) => matches!(
                p.path.get_ident().and_then(|i| self.lookup(i)),
                Some(Binding::Group)
            ),
            syn::Expr::MethodCall(m) => m.method == "get_group" && self.is_item(&m.receiver),
            _ => false,
        }
    }

    /// True when `e` names the kernel's work-item parameter.
    pub(crate) fn is_item(&self, e: &syn::Expr) -> bool {
        matches!(e, syn::Expr::Path(p) if matches!(p.path.get_ident().and_then(|i| self.lookup(i)), Some(Binding::Item)))
    }

    /// `let g = it.get_group();`, `let sg = it.get_sub_group();` and
    /// `let tile = LocalArray::<f32, 256>::new(&g);`: `Some` binding when `init` is one.
    pub(crate) fn nd_range_let(
        &mut self,
        name: &syn::Ident,
        init: &syn::Expr,
    ) -> Option<syn::Result<Binding>> {
        match init {
            syn::Expr::MethodCall(m) if self.is_item(&m.receiver) && self.sig.nd_range => {
                match m.method.to_string().as_str() {
                    "get_group" => Some(self.no_arguments(m).map(|()| Binding::Group)),
                    "get_sub_group" => Some(self.no_arguments(m).map(|()| Binding::SubGroup)),
                    _ => None,
                }
            }
            syn::Expr::Call(c) => {
                let syn::Expr::Path(path) = &*c.func else {
                    return None;
                };
                let segments: Vec<&syn::PathSegment> = path.path.segments.iter().collect();
                let [ty, new] = segments.as_slice() else {
                    return None;
                };
                let two_d = match ty.ident.to_string().as_str() {
                    "LocalArray" => false,
                    "LocalArray2" => true,
                    _ => return None,
                };
                if new.ident != "new" {
                    return None;
                }
                Some(self.local_array(name, c, &ty.arguments, two_d))
            }
            _ => None,
        }
    }

    fn local_array(
        &mut self,
        name: &syn::Ident,
        c: &syn::ExprCall,
        args: &syn::PathArguments,
        two_d: bool,
    ) -> syn::Result<Binding> {
        let help = if two_d {
            "write `LocalArray2::<f32, 16, 16>::new(&group)`"
        } else {
            "write `LocalArray::<f32, 256>::new(&group)`"
        };
        if !self.sig.nd_range || c.args.len() != 1 || !self.names_group(&c.args[0]) {
            return Err(error(
                c.span(),
                format!("local arrays belong to a work-group of an `NdItem` kernel: {help}"),
            ));
        }
        let syn::PathArguments::AngleBracketed(a) = args else {
            return Err(error(c.span(), help));
        };
        let mut generic = a.args.iter();
        let elem = match generic.next() {
            Some(syn::GenericArgument::Type(t)) => self.sig.types.scalar(t),
            _ => None,
        };
        let dims: Vec<u32> = generic
            .map(|g| match g {
                syn::GenericArgument::Const(e) => self.literal_size(e),
                // `LocalArray::<f32, TILE>`: a constant's name parses as a type.
                syn::GenericArgument::Type(syn::Type::Path(t)) if t.qself.is_none() => {
                    let e = syn::Expr::Path(syn::ExprPath {
                        attrs: Vec::new(),
                        qself: None,
                        path: t.path.clone(),
                    });
                    self.literal_size(&e)
                }
                _ => None,
            })
            .collect::<Option<Vec<u32>>>()
            .unwrap_or_default();
        let (Some(elem), true) = (
            elem,
            dims.len() == if two_d { 2 } else { 1 } && dims.iter().all(|&d| d > 0),
        ) else {
            return Err(error(a.span(), format!("the element type must be a scalar and the sizes positive integer literals or `#[dpex::constant]`s: {help}")));
        };
        if elem == Scalar::Bool {
            return Err(error(
                a.span(),
                "local arrays hold numbers: use `u8` for flags",
            ));
        }
        let len = dims
            .iter()
            .try_fold(1u32, |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| error(a.span(), "this local array is too large"))?;
        let id = WorkgroupArrayId(self.workgroup_arrays.len() as u32);
        self.workgroup_arrays.push(WorkgroupArray {
            name: name.to_string(),
            elem,
            len,
        });
        let shape = if two_d {
            Shape::Grid(dims[0], dims[1])
        } else {
            Shape::Fixed(super::memory::Extents::one(len))
        };
        Ok(Binding::WorkgroupArray { id, elem, shape })
    }
}

/// A per-dimension built-in as a `usize` value.
fn builtin_expr(builtin: Builtin) -> Expr {
    Expr {
        ty: Scalar::U64,
        kind: ExprKind::Builtin(builtin),
    }
}

/// The last segment of a path expression such as `MemoryOrder::AcqRel`.
pub(crate) fn enum_variant(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `MemoryOrder::X`.
pub(crate) fn memory_order(e: &syn::Expr) -> syn::Result<MemoryOrder> {
    Ok(match enum_variant(e).as_deref() {
        Some("Relaxed") => MemoryOrder::Relaxed,
        Some("Acquire") => MemoryOrder::Acquire,
        Some("Release") => MemoryOrder::Release,
        Some("AcqRel") => MemoryOrder::AcqRel,
        Some("SeqCst") => MemoryOrder::SeqCst,
        _ => return Err(error(e.span(), "write a constant order: `MemoryOrder::Relaxed`, `Acquire`, `Release`, `AcqRel` or `SeqCst`")),
    })
}

/// `MemoryScope::X`.
pub(crate) fn memory_scope(e: &syn::Expr) -> syn::Result<Scope> {
    Ok(match enum_variant(e).as_deref() {
        Some("WorkItem") => Scope::WorkItem,
        Some("SubGroup") => Scope::SubGroup,
        Some("WorkGroup") => Scope::WorkGroup,
        Some("Device") => Scope::Device,
        _ => return Err(error(
            e.span(),
            "write a constant scope: `MemoryScope::WorkItem`, `SubGroup`, `WorkGroup` or `Device`",
        )),
    })
}
