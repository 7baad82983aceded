//! Indexable memory: tensors, private arrays, `LocalAccessor` parameters and work-group
//! `LocalArray`s, read with `m[i]` (or `m[[row, col]]` for a 2-d local array).

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

    /// Lowers `base[index]` to the memory and the flat element index.
    pub(crate) fn lower_element_ref(
        &mut self,
        i: &syn::ExprIndex,
    ) -> syn::Result<(MemoryRef, Expr)> {
        let Some(memory) = self.memory_operand(&i.expr) else {
            return Err(error(
                i.expr.span(),
                "only tensors, private arrays and local memory can be indexed in kernels (`x[i]`)",
            ));
        };
        let index = match (memory.shape, &*i.index) {
            (Shape::Grid(_, cols), syn::Expr::Array(a)) if a.elems.len() == 2 => {
                let row = self.lower_index_value(&a.elems[0])?;
                let col = self.lower_index_value(&a.elems[1])?;
                let width = Expr::literal(Scalar::U64, Literal::Int(u64::from(cols)));
                Expr::binary(
                    Scalar::U64,
                    BinaryOp::Add,
                    Expr::binary(Scalar::U64, BinaryOp::Mul, row, width),
                    col,
                )
            }
            (Shape::Grid(..), other) => {
                return Err(error(
                    other.span(),
                    "index a 2-d local array with `[[row, col]]`",
                ))
            }
            (Shape::Tensor(dims), index) => {
                let Memory::Tensor(tensor) = memory.memory else {
                    return Err(error(
                        index.span(),
                        "internal error: a tensor shape without a tensor",
                    ));
                };
                let indices: Vec<&syn::Expr> = match index {
                    syn::Expr::Array(a) => a.elems.iter().collect(),
                    single => vec![single],
                };
                if indices.len() != dims as usize {
                    let form = if dims == 1 {
                        "`x[i]`".to_string()
                    } else {
                        format!("`x[[i0, ..., i{}]]`", dims - 1)
                    };
                    return Err(error(
                        index.span(),
                        format!("this tensor has {dims} axes: index it {form}"),
                    ));
                }
                let lowered = indices
                    .into_iter()
                    .map(|i| self.lower_index_value(i))
                    .collect::<syn::Result<Vec<_>>>()?;
                self.tensor_address(tensor, lowered)
            }
            (_, index) => self.lower_index_value(index)?,
        };
        Ok((memory, index))
    }

    /// `memory[index]` as a value.
    pub(crate) fn lower_index(&mut self, i: &syn::ExprIndex) -> syn::Result<Expr> {
        let (memory, index) = self.lower_element_ref(i)?;
        Ok(read_element(memory.memory, memory.elem, index))
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
