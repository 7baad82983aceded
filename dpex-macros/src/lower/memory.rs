//! Indexable memory: tensors, private arrays, `LocalAccessor` parameters and work-group
//! `LocalArray`s, read with `m[i]` (or `m[[row, col]]` for a 2-d local array).

use super::checks::{guarded_read, BoundsCheck};
use super::{error, Binding, Lowerer};
use dpex_spirv::ir::{BinaryOp, Expr, ExprKind, LayoutField, Literal, Memory, ParamId, Scalar};
use syn::spanned::Spanned;

/// How a memory is indexed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// 1-d, length known at run time (tensors, `LocalAccessor`s).
    Dynamic,
    /// 1-d with a fixed length.
    Fixed(u32),
    /// 2-d `rows x cols`, row-major, indexed `m[[row, col]]`.
    Grid(u32, u32),
    /// A tensor view with this many axes (indexed `t[i]` for one, `t[[i, j, ...]]` for more),
    /// addressed through its offset, shape and strides.
    Tensor(u32),
}

/// One element of a memory, as an indexing expression names it.
pub(crate) struct ElementRef {
    /// The memory.
    pub memory: MemoryRef,
    /// The element's index in the memory (for tensors: in the buffer).
    pub index: Expr,
    /// The bounds check guarding the access, in checked kernels.
    pub check: Option<BoundsCheck>,
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
                len,
                mutable,
                ..
            } => MemoryRef {
                memory: Memory::Private(id),
                elem,
                writable: mutable,
                shape: Shape::Fixed(len),
            },
            Binding::LocalParam { id, elem } => MemoryRef {
                memory: Memory::Local(id),
                elem,
                writable: true,
                shape: Shape::Dynamic,
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

    /// Lowers `base[index]`: the memory, the element's index in it, and (in checked kernels)
    /// the bounds check guarding the access.
    pub(crate) fn lower_element_ref(&mut self, i: &syn::ExprIndex) -> syn::Result<ElementRef> {
        let Some(memory) = self.memory_operand(&i.expr) else {
            return Err(error(
                i.expr.span(),
                "only tensors, private arrays and local memory can be indexed in kernels (`x[i]`)",
            ));
        };
        let written: Vec<&syn::Expr> = match (&*i.index, memory.shape) {
            (syn::Expr::Array(a), Shape::Grid(..) | Shape::Tensor(_)) => a.elems.iter().collect(),
            (single, _) => vec![single],
        };
        let (axes, help) = match memory.shape {
            Shape::Grid(..) => (2, "index a 2-d local array with `[[row, col]]`".to_string()),
            Shape::Tensor(dims) if dims > 1 => (
                dims as usize,
                format!(
                    "this tensor has {dims} axes: index it `x[[i0, ..., i{}]]`",
                    dims - 1
                ),
            ),
            _ => (1, "index it with one `usize`: `x[i]`".to_string()),
        };
        if written.len() != axes {
            return Err(error(i.index.span(), help));
        }
        let mut indices = Vec::new();
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
        let literal = |n: u64| Expr::literal(Scalar::U64, Literal::Int(n));
        let (extents, len) = match (memory.shape, memory.memory) {
            (Shape::Fixed(n), _) => (vec![literal(u64::from(n))], literal(u64::from(n))),
            (Shape::Grid(r, c), _) => (
                vec![literal(u64::from(r)), literal(u64::from(c))],
                literal(u64::from(r) * u64::from(c)),
            ),
            (Shape::Tensor(dims), Memory::Tensor(tensor)) => (
                (0..dims)
                    .map(|d| Expr {
                        ty: Scalar::U64,
                        kind: ExprKind::TensorLayout {
                            tensor,
                            field: LayoutField::Shape(d),
                        },
                    })
                    .collect(),
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
        let check = self.bounds_check(&memory, &indices, extents, len);
        let index = match (memory.shape, memory.memory) {
            (Shape::Tensor(_), Memory::Tensor(tensor)) => self.tensor_address(tensor, indices),
            (Shape::Grid(_, cols), _) => {
                let mut it = indices.into_iter();
                let (row, col) = (
                    it.next().unwrap_or_else(|| literal(0)),
                    it.next().unwrap_or_else(|| literal(0)),
                );
                Expr::binary(
                    Scalar::U64,
                    BinaryOp::Add,
                    Expr::binary(Scalar::U64, BinaryOp::Mul, row, literal(u64::from(cols))),
                    col,
                )
            }
            _ => indices.into_iter().next().unwrap_or_else(|| literal(0)),
        };
        Ok(ElementRef {
            memory,
            index,
            check,
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
            let mut linear: Option<Expr> = None;
            for (axis, index) in indices.into_iter().enumerate() {
                linear = Some(match linear {
                    None => index,
                    Some(outer) => {
                        let extent = field(LayoutField::Shape(axis as u32), Scalar::U64);
                        let scaled = Expr::binary(Scalar::U64, BinaryOp::Mul, outer, extent);
                        Expr::binary(Scalar::U64, BinaryOp::Add, scaled, index)
                    }
                });
            }
            return match linear {
                Some(linear) => Expr::binary(Scalar::U64, BinaryOp::Add, offset, linear),
                None => offset,
            };
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
