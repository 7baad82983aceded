//! Indexable memory: tensors, private arrays, `LocalAccessor` parameters and work-group
//! `LocalArray`s, read with `m[i]` (or `m[[row, col]]` for a 2-d local array).

use super::{error, Binding, Lowerer};
use dpex_spirv::ir::{BinaryOp, Expr, ExprKind, Literal, Memory, Scalar};
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
            Binding::Tensor { id, elem, access } => MemoryRef {
                memory: Memory::Tensor(id),
                elem,
                writable: access == dpex_spirv::ir::Access::ReadWrite,
                shape: Shape::Dynamic,
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
