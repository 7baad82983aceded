//! Indexable memory: tensors, private arrays, `LocalAccessor` parameters and work-group
//! `LocalArray`s, read with `m[i]` (`m[[row, col]]` for a 2-d local array, `a[i][j]` for an
//! array of arrays).

use super::checks::{guarded_read, BoundsCheck};
use super::{error, Binding, Lowerer};
use dpex_spirv::ir::{BinaryOp, Expr, ExprKind, LayoutField, Literal, Memory, ParamId, Scalar};
use syn::spanned::Spanned;

/// How a memory is indexed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// 1-d, length known at run time (tensors, `LocalAccessor`s).
    Dynamic,
    /// Fixed extents: private arrays (`[[f32; 4]; 3]` has extents `[3, 4]`), indexed one axis
    /// at a time (`a[i][j]`) as Rust indexes arrays, and 1-d `LocalArray`s.
    Fixed(Extents),
    /// 2-d `rows x cols`, row-major, indexed `m[[row, col]]`.
    Grid(u32, u32),
    /// A tensor view with this many axes (indexed `t[i]` for one, `t[[i, j, ...]]` for more),
    /// addressed through its offset, shape and strides.
    Tensor(u32),
}

/// The most axes of a private array (`[[[[f32; 2]; 2]; 2]; 2]`), as for tensors.
pub(crate) const MAX_ARRAY_AXES: usize = 4;

/// The extents of a fixed-size memory, axis 0 first: 1 to [`MAX_ARRAY_AXES`] of them, each at
/// least 1, their product below `u32::MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Extents {
    axes: u32,
    extents: [u32; MAX_ARRAY_AXES],
}

impl Extents {
    /// The extents `list`, if they are 1 to [`MAX_ARRAY_AXES`] positive numbers whose product
    /// fits a `u32`.
    pub(crate) fn new(list: &[u32]) -> Option<Extents> {
        let mut extents = [0; MAX_ARRAY_AXES];
        extents.get_mut(..list.len())?.copy_from_slice(list);
        let shape = Extents {
            axes: u32::try_from(list.len()).ok()?,
            extents,
        };
        let positive = list.iter().all(|&n| n > 0);
        (positive && !list.is_empty() && shape.checked_len().is_some()).then_some(shape)
    }

    /// One axis of `len` elements.
    pub(crate) fn one(len: u32) -> Extents {
        let mut extents = [0; MAX_ARRAY_AXES];
        extents[0] = len;
        Extents { axes: 1, extents }
    }

    /// The number of axes.
    pub(crate) fn axes(&self) -> u32 {
        self.axes
    }

    /// The extents, axis 0 first.
    pub(crate) fn list(&self) -> &[u32] {
        &self.extents[..self.axes as usize]
    }

    /// The extent of `axis` (0 past the last axis).
    pub(crate) fn extent(&self, axis: u32) -> u32 {
        self.list().get(axis as usize).copied().unwrap_or(0)
    }

    /// The number of elements.
    pub(crate) fn len(&self) -> u32 {
        self.checked_len().unwrap_or(u32::MAX)
    }

    fn checked_len(&self) -> Option<u32> {
        self.list()
            .iter()
            .try_fold(1u32, |acc, &n| acc.checked_mul(n))
    }
}

/// One element of a memory, as an indexing expression names it.
pub(crate) struct ElementRef {
    /// The memory.
    pub memory: MemoryRef,
    /// The element's index in the memory (for tensors: in the buffer).
    pub index: Expr,
    /// The bounds check guarding the access, in checked kernels.
    pub check: Option<BoundsCheck>,
    /// True when the element is reached through a row taken with `.row(i)` (or `&x[i]`), a
    /// read-only view even of a writable tensor.
    pub shared_row: bool,
}

/// A tensor with its leading axes fixed (`x[i]` or `x.row(i)` on a tensor of two or more
/// axes, or a name bound to one): what indexing it addresses. A plain memory has no prefix.
#[derive(Clone, Debug)]
pub(crate) struct RowOperand {
    /// The memory (for a row: its tensor).
    pub memory: MemoryRef,
    /// The indices of the fixed leading axes, outermost first.
    pub prefix: Vec<Expr>,
    /// True for a read-only view (`.row(i)`, `&x[i]`) of a possibly writable tensor.
    pub shared: bool,
}

/// True for an index that is cheap to repeat and has no effects.
pub(crate) fn is_simple(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Literal(_) | ExprKind::Local(_) | ExprKind::Param(_)
    )
}

/// A memory a name refers to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MemoryRef {
    /// Where the elements are.
    pub memory: Memory,
    /// Their type.
    pub elem: Scalar,
    /// Whether the kernel may write them.
    pub writable: bool,
    /// How they are indexed.
    pub shape: Shape,
}

impl Lowerer<'_> {
    /// The memory `e` names, if it names one.
    pub(crate) fn memory_operand(&self, e: &syn::Expr) -> Option<MemoryRef> {
        let syn::Expr::Path(p) = e else { return None };
        let binding = self.lookup(p.path.get_ident()?)?;
        Some(match binding {
            Binding::Tensor {
                id,
                elem,
                access,
                dims,
            } => MemoryRef {
                memory: Memory::Tensor(id),
                elem,
                writable: access == dpex_spirv::ir::Access::ReadWrite,
                shape: Shape::Tensor(dims),
            },
            Binding::Array {
                id,
                elem,
                shape,
                mutable,
                ..
            } => MemoryRef {
                memory: Memory::Private(id),
                elem,
                writable: mutable,
                shape: Shape::Fixed(shape),
            },
            Binding::LocalParam { id, elem, dims } => MemoryRef {
                memory: Memory::Local(id),
                elem,
                writable: true,
                shape: if dims == 1 {
                    Shape::Dynamic
                } else {
                    Shape::Tensor(dims)
                },
            },
            Binding::WorkgroupArray { id, elem, shape } => MemoryRef {
                memory: Memory::Workgroup(id),
                elem,
                writable: true,
                shape,
            },
            _ => return None,
        })
    }

    /// The tensor under a row expression (`x[i]`, `x.row(i)`, `&x[i]`, a name bound to a row,
    /// or a memory itself) and how many leading axes it fixes, without lowering anything.
    pub(crate) fn row_base(&self, e: &syn::Expr) -> Option<(MemoryRef, u32)> {
        if let Some(memory) = self.memory_operand(e) {
            return Some((memory, 0));
        }
        match e {
            syn::Expr::Paren(p) => self.row_base(&p.expr),
            syn::Expr::Group(g) => self.row_base(&g.expr),
            syn::Expr::Reference(r) => self.row_base(&r.expr),
            syn::Expr::Path(p) => match self.lookup(p.path.get_ident()?)? {
                Binding::Row(row) => Some((row.memory, row.prefix.len() as u32)),
                _ => None,
            },
            syn::Expr::Index(i) if !matches!(&*i.index, syn::Expr::Array(_)) => {
                let (memory, fixed) = self.row_base(&i.expr)?;
                Some((memory, fixed + 1))
            }
            syn::Expr::MethodCall(m) if is_row_method(m) => {
                let (memory, fixed) = self.row_base(&m.receiver)?;
                Some((memory, fixed + 1))
            }
            _ => None,
        }
    }

    /// True when `e` is a row of a tensor or of an array of arrays (fixes some but not all of
    /// its axes) and not the memory itself.
    pub(crate) fn is_row(&self, e: &syn::Expr) -> bool {
        matches!(
            self.row_base(e),
            Some((memory, fixed)) if fixed > 0 && memory.shape.row_axes().is_some_and(|axes| fixed < axes)
        )
    }

    /// Lowers what an indexing expression indexes: a memory, or a row of a tensor (`x[i]`,
    /// `x.row(i)`, `x.row_mut(i)`, `&x[i]`, a name bound to a row) with the indices of its
    /// fixed axes.
    pub(crate) fn lower_row_operand(&mut self, e: &syn::Expr) -> syn::Result<RowOperand> {
        let not_indexable = || {
            error(
                e.span(),
                "only tensors, private arrays and local memory can be indexed in kernels (`x[i]`)",
            )
        };
        if let Some(memory) = self.memory_operand(e) {
            return Ok(RowOperand {
                memory,
                prefix: Vec::new(),
                shared: false,
            });
        }
        let (receiver, index, method) = match e {
            syn::Expr::Paren(p) => return self.lower_row_operand(&p.expr),
            syn::Expr::Group(g) => return self.lower_row_operand(&g.expr),
            syn::Expr::Reference(r) => {
                let mut row = self.lower_row_operand(&r.expr)?;
                row.shared |= r.mutability.is_none();
                return Ok(row);
            }
            syn::Expr::Path(p) => {
                return match p.path.get_ident().and_then(|id| self.lookup(id)) {
                    Some(Binding::Row(row)) => Ok(row),
                    _ => Err(not_indexable()),
                }
            }
            syn::Expr::Index(i) => (&*i.expr, &*i.index, None),
            syn::Expr::MethodCall(m) if is_row_method(m) => {
                let [index] = self.arity::<1>(&m.method, &m.args.iter().collect::<Vec<_>>())?;
                (&*m.receiver, index, Some(&m.method))
            }
            _ => return Err(not_indexable()),
        };
        let mut row = self.lower_row_operand(receiver)?;
        let fixed = row.prefix.len() as u32;
        let Some(dims) = row.memory.shape.row_axes() else {
            return Err(error(
                receiver.span(),
                "rows are taken of tensors with two or more axes: index this one `x[i]` (a 2-d local array `x[[row, col]]`)",
            ));
        };
        let array = matches!(row.memory.shape, Shape::Fixed(_));
        if let (Some(method), true) = (method, array) {
            return Err(error(
                method.span(),
                format!("arrays have no `.{method}(i)`: index them one axis at a time, `a[i][j]` (or borrow a row, `&a[i]`)"),
            ));
        }
        if let (Some(method), Memory::Local(_)) = (method, row.memory.memory) {
            return Err(error(
                method.span(),
                format!(
                    "local accessors have no `.{method}(i)`: index them `l[[i, j]]` or `l[i][j]`"
                ),
            ));
        }
        let span = method.map_or_else(|| index.span(), |m| m.span());
        if fixed + 1 >= dims {
            let what = match (fixed, array) {
                (0, true) => "array",
                (0, false) => "tensor",
                _ => "row",
            };
            let axes = dims - fixed;
            return Err(error(
                span,
                if axes == 1 {
                    format!("this {what} has one axis: `x[i]` is an element, not a row, and cannot be indexed again")
                } else {
                    format!("this {what} has {axes} axes: one more index gives an element, not a row: write `x[[i, j]]` or `x[i][j]`")
                },
            ));
        }
        if matches!(index, syn::Expr::Array(_)) {
            return Err(error(
                index.span(),
                if array {
                    "index an array one axis at a time: `a[i][j]`, not `a[[i, j]]`"
                } else {
                    "a row fixes one axis: write `x[i]` (or `x.row(i)`), not `x[[...]]`"
                },
            ));
        }
        if let Some(method) = method {
            if method == "row_mut" && !row.memory.writable {
                return Err(self.read_only_error(&row.memory, row.shared, receiver));
            }
            row.shared |= method == "row";
        }
        let lowered = self.lower_index_value(index)?;
        // Used by the check and by the access: computed once.
        let lowered = if self.checks_enabled() && !is_simple(&lowered) {
            self.spill("index", lowered)
        } else {
            lowered
        };
        row.prefix.push(lowered);
        Ok(row)
    }

    /// The error for a write into `memory` through `base`, which is read-only (`shared`: a
    /// row taken with `.row(i)` or `&x[i]`).
    pub(crate) fn read_only_error(
        &self,
        memory: &MemoryRef,
        shared: bool,
        base: &syn::Expr,
    ) -> syn::Error {
        if memory.writable && shared && matches!(memory.memory, Memory::Private(_)) {
            return error(
                base.span(),
                "this row of the array is borrowed read-only: borrow it with `&mut a[i]` (or write `a[i][j] = ...`)",
            );
        }
        if memory.writable && shared {
            return error(
                base.span(),
                "this row is read-only: take a writable one with `x.row_mut(i)` (or write `x[i][j] = ...`)",
            );
        }
        match memory.memory {
            Memory::Tensor(tensor) => {
                let (name, elem) = (self.param_name(tensor), memory.elem);
                let dims = match memory.shape {
                    Shape::Tensor(dims) if dims > 1 => format!(", {dims}"),
                    _ => String::new(),
                };
                error(
                    base.span(),
                    format!("`{name}` is read-only: declare the parameter `{name}: &mut Tensor<{elem}{dims}>` to write into it"),
                )
            }
            _ => error(base.span(), "this array is immutable: declare it `let mut`"),
        }
    }

    /// Lowers `base[index]`: the memory, the element's index in it, and (in checked kernels)
    /// the bounds check guarding the access.
    pub(crate) fn lower_element_ref(&mut self, i: &syn::ExprIndex) -> syn::Result<ElementRef> {
        let row = self.lower_row_operand(&i.expr)?;
        let RowOperand {
            memory,
            prefix,
            shared,
        } = row;
        let fixed = prefix.len() as u32;
        let written: Vec<&syn::Expr> = match (&*i.index, memory.shape) {
            (syn::Expr::Array(a), Shape::Grid(..) | Shape::Tensor(_)) => a.elems.iter().collect(),
            (single, _) => vec![single],
        };
        let what = if fixed == 0 { "tensor" } else { "row" };
        // How many indices this access needs, and what to write instead.
        let (axes, help) = match memory.shape {
            Shape::Grid(..) => (2, "index a 2-d local array with `[[row, col]]`".to_string()),
            // A row of a tensor is indexed as the tensor of its remaining axes.
            Shape::Tensor(dims) if dims - fixed > 1 => {
                let last = dims - fixed - 1;
                (
                    (dims - fixed) as usize,
                    format!("this {what} has {} axes: index it `x[[i0, ..., i{last}]]` (or `x[i0]...[i{last}]`)", dims - fixed),
                )
            }
            Shape::Fixed(e) if matches!(&*i.index, syn::Expr::Array(_)) && e.axes() > 1 => (
                0,
                "index an array one axis at a time: `a[i][j]`, not `a[[i, j]]`".to_string(),
            ),
            Shape::Fixed(e) if e.axes() - fixed > 1 => {
                let left = e.axes() - fixed;
                let what = if fixed == 0 {
                    "array"
                } else {
                    "row of the array"
                };
                let indices: String = (0..left).map(|k| format!("[i{k}]")).collect();
                (
                    0,
                    format!(
                        "this {what} has {left} axes: index it down to an element, `a{indices}`"
                    ),
                )
            }
            _ => (1, "index it with one `usize`: `x[i]`".to_string()),
        };
        if written.len() != axes {
            return Err(error(i.index.span(), help));
        }
        let mut indices = prefix;
        for index in written {
            let lowered = self.lower_index_value(index)?;
            // Used by the check and by the access: computed once.
            let lowered = if self.checks_enabled() && !is_simple(&lowered) {
                self.spill("index", lowered)
            } else {
                lowered
            };
            indices.push(lowered);
        }
        let literal = |n: u32| Expr::literal(Scalar::U64, Literal::Int(u64::from(n)));
        let (extents, len) = match (memory.shape, memory.memory) {
            (Shape::Fixed(e), _) => (
                e.list().iter().map(|&n| literal(n)).collect(),
                literal(e.len()),
            ),
            (Shape::Grid(r, c), _) => (vec![literal(r), literal(c)], literal(r.saturating_mul(c))),
            (Shape::Tensor(dims), _) => (
                (0..dims)
                    .map(|d| extent(memory.memory, d))
                    .collect::<Option<_>>()
                    .ok_or_else(|| error(i.span(), "this memory has no run-time extents"))?,
                Expr {
                    ty: Scalar::U64,
                    kind: ExprKind::Len(memory.memory),
                },
            ),
            _ => {
                let len = Expr {
                    ty: Scalar::U64,
                    kind: ExprKind::Len(memory.memory),
                };
                (vec![len.clone()], len)
            }
        };
        let check = self.bounds_check(&memory, &indices, extents.clone(), len);
        let index = match (memory.shape, memory.memory) {
            (Shape::Tensor(_), Memory::Tensor(tensor)) => self.tensor_address(tensor, indices),
            _ => row_major(indices, &extents),
        };
        Ok(ElementRef {
            memory,
            index,
            check,
            shared_row: shared,
        })
    }

    /// `memory[index]` as a value (a meaningless value when a checked access fails).
    pub(crate) fn lower_index(&mut self, i: &syn::ExprIndex) -> syn::Result<Expr> {
        let element = self.lower_element_ref(i)?;
        if let Some(check) = &element.check {
            self.fail_unless(check);
        }
        let memory = element.memory;
        Ok(guarded_read(
            element.check.as_ref(),
            memory.memory,
            memory.elem,
            element.index,
        ))
    }
}

impl Lowerer<'_> {
    /// The buffer index of element `indices` of tensor view `tensor`: in the C-contiguous variant
    /// `offset + ((i0 * n1 + i1) * n2 + ...)`, in the strided one
    /// `offset + i0 * s0 + i1 * s1 + ...` with signed strides.
    fn tensor_address(&self, tensor: ParamId, indices: Vec<Expr>) -> Expr {
        let field = |field, ty| Expr {
            ty,
            kind: ExprKind::TensorLayout { tensor, field },
        };
        let offset = field(LayoutField::Offset, Scalar::U64);
        if self.contiguous {
            let extents: Vec<Expr> = (0..indices.len() as u32)
                .map(|axis| field(LayoutField::Shape(axis), Scalar::U64))
                .collect();
            let linear = row_major(indices, &extents);
            return Expr::binary(Scalar::U64, BinaryOp::Add, offset, linear);
        }
        let signed = |e: Expr| Expr {
            ty: Scalar::I64,
            kind: ExprKind::Cast { value: Box::new(e) },
        };
        let mut address = signed(offset);
        for (axis, index) in indices.into_iter().enumerate() {
            let stride = field(LayoutField::Stride(axis as u32), Scalar::I64);
            let step = Expr::binary(Scalar::I64, BinaryOp::Mul, signed(index), stride);
            address = Expr::binary(Scalar::I64, BinaryOp::Add, address, step);
        }
        Expr {
            ty: Scalar::U64,
            kind: ExprKind::Cast {
                value: Box::new(address),
            },
        }
    }
}

/// The element index of `indices` in memory of `extents` stored row-major (the last axis
/// varies fastest): `(i0 * n1 + i1) * n2 + ...`.
fn row_major(indices: Vec<Expr>, extents: &[Expr]) -> Expr {
    let mut linear: Option<Expr> = None;
    for (index, extent) in indices.into_iter().zip(extents) {
        linear = Some(match linear {
            None => index,
            Some(outer) => {
                let scaled = Expr::binary(Scalar::U64, BinaryOp::Mul, outer, extent.clone());
                Expr::binary(Scalar::U64, BinaryOp::Add, scaled, index)
            }
        });
    }
    linear.unwrap_or_else(|| Expr::literal(Scalar::U64, Literal::Int(0)))
}

impl Shape {
    /// How many axes a memory of this shape has when its rows can be taken (`x[i]` of a
    /// tensor or of an array of arrays); `None` for memory indexed only as a whole.
    pub(crate) fn row_axes(self) -> Option<u32> {
        match self {
            Shape::Tensor(dims) => Some(dims),
            Shape::Fixed(e) if e.axes() > 1 => Some(e.axes()),
            _ => None,
        }
    }
}

/// The extent of axis `axis` of a tensor or a local accessor, a `u64` known at run time;
/// `None` for memory of fixed extents.
pub(crate) fn extent(memory: Memory, axis: u32) -> Option<Expr> {
    let kind = match memory {
        Memory::Local(local) => ExprKind::LocalExtent { local, axis },
        Memory::Tensor(tensor) => ExprKind::TensorLayout {
            tensor,
            field: LayoutField::Shape(axis),
        },
        Memory::Workgroup(_) | Memory::Private(_) => return None,
    };
    Some(Expr {
        ty: Scalar::U64,
        kind,
    })
}

/// True for `x.row(i)` and `x.row_mut(i)`.
pub(crate) fn is_row_method(m: &syn::ExprMethodCall) -> bool {
    m.method == "row" || m.method == "row_mut"
}

/// A read of `memory[index]`.
pub(crate) fn read_element(memory: Memory, elem: Scalar, index: Expr) -> Expr {
    Expr {
        ty: elem,
        kind: ExprKind::Element {
            memory,
            index: Box::new(index),
        },
    }
}
