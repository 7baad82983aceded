//! Memory operands: tensors, local accessors, work-group arrays and private arrays, read and
//! written element by element, `len()`, and the offset, extents and strides of tensor views.

use super::{CheckError, Checker};
use crate::ir::{Access, Expr, LayoutField, Memory, ParamId, ParamKind, Scalar};

/// What a [`Memory`] operand resolves to.
#[derive(Clone, Copy, Debug)]
pub(super) struct Resolved<'m> {
    /// The name of the tensor, accessor or array.
    pub name: &'m str,
    /// Element type.
    pub elem: Scalar,
    /// Whether stores are allowed (false only for `&Tensor`).
    pub writable: bool,
}

/// How a parameter kind is described in messages.
pub(super) fn kind_name(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Scalar(_) => "a scalar",
        ParamKind::Tensor { .. } => "a tensor",
        ParamKind::Local { .. } => "a local accessor",
    }
}

impl<'m> Checker<'m> {
    /// Resolves `memory`, which `operation` (`load`, `store`, `len`, `atomic`) uses.
    pub(super) fn memory(
        &self,
        memory: Memory,
        operation: &'static str,
    ) -> Result<Resolved<'m>, CheckError> {
        match memory {
            Memory::Tensor(id) => {
                let param = self.param(id)?;
                match param.kind {
                    ParamKind::Tensor { elem, access, .. } => Ok(Resolved {
                        name: &param.name,
                        elem,
                        writable: access == Access::ReadWrite,
                    }),
                    kind => Err(CheckError::NotATensor {
                        owner: self.owner(),
                        param: param.name.clone(),
                        operation,
                        found: kind_name(kind),
                    }),
                }
            }
            Memory::Local(id) => {
                let param = self.param(id)?;
                match param.kind {
                    ParamKind::Local { elem, .. } => Ok(Resolved {
                        name: &param.name,
                        elem,
                        writable: true,
                    }),
                    kind => Err(CheckError::NotALocalAccessor {
                        owner: self.owner(),
                        param: param.name.clone(),
                        operation,
                        found: kind_name(kind),
                    }),
                }
            }
            Memory::Workgroup(id) => {
                let array = self.workgroup_arrays.get(id.0 as usize).ok_or_else(|| {
                    CheckError::UnknownWorkgroupArray {
                        owner: self.owner(),
                        array: id.0,
                        count: self.workgroup_arrays.len(),
                    }
                })?;
                Ok(Resolved {
                    name: &array.name,
                    elem: array.elem,
                    writable: true,
                })
            }
            Memory::Private(id) => {
                let what = match operation {
                    "store" => "an element store",
                    "atomic" => "an atomic",
                    _ => "an element read",
                };
                let local = self.local(id, true, what)?;
                Ok(Resolved {
                    name: &local.name,
                    elem: local.ty,
                    writable: true,
                })
            }
        }
    }

    /// Checks `memory[index]` read as a value of type `ty`.
    pub(super) fn element(
        &self,
        memory: Memory,
        index: &Expr,
        ty: Scalar,
    ) -> Result<(), CheckError> {
        let m = self.memory(memory, "load")?;
        // Tensors and accessors are loaded from; arrays have elements read.
        let array = matches!(memory, Memory::Workgroup(_) | Memory::Private(_));
        self.expect_type(index, Scalar::U64, || match array {
            true => format!("the index of a read from `{}`", m.name),
            false => format!("the index of a load from `{}`", m.name),
        })?;
        self.has_type(ty, m.elem, || match array {
            true => format!("an element of `{}`", m.name),
            false => format!("a load from `{}`", m.name),
        })
    }

    /// Checks `memory[index] = value`.
    pub(super) fn store_element(
        &self,
        memory: Memory,
        index: &Expr,
        value: &Expr,
    ) -> Result<(), CheckError> {
        let m = self.memory(memory, "store")?;
        if !m.writable {
            return Err(CheckError::StoreToReadOnly {
                owner: self.owner(),
                param: m.name.to_owned(),
            });
        }
        self.expect_type(index, Scalar::U64, || {
            format!("the index of a store to `{}`", m.name)
        })?;
        self.expect_type(value, m.elem, || {
            format!("the value stored to `{}`", m.name)
        })
    }

    /// Checks `memory.len()` of type `ty`.
    pub(super) fn len(&self, memory: Memory, ty: Scalar) -> Result<(), CheckError> {
        let m = self.memory(memory, "len")?;
        let found = match memory {
            Memory::Tensor(_) | Memory::Local(_) => None,
            Memory::Workgroup(_) => Some("a work-group array"),
            Memory::Private(_) => Some("a private array"),
        };
        if let Some(found) = found {
            return Err(CheckError::LenOfArray {
                owner: self.owner(),
                name: m.name.to_owned(),
                found,
            });
        }
        self.has_type(ty, Scalar::U64, || format!("`{}.len()`", m.name))
    }

    /// Checks `field` of tensor parameter `tensor` read as a value of type `ty`: `u64` for the
    /// offset and extents, `i64` for strides, on an axis below the tensor's `dims`.
    /// Checks [`crate::ir::ExprKind::LocalExtent`]: a local accessor's axis, a `u64`.
    pub(super) fn local_extent(
        &self,
        local: ParamId,
        axis: u32,
        ty: Scalar,
    ) -> Result<(), CheckError> {
        let param = self.param(local)?;
        let ParamKind::Local { dims, .. } = param.kind else {
            return Err(CheckError::NotALocalAccessor {
                owner: self.owner(),
                param: param.name.clone(),
                operation: "extent",
                found: kind_name(param.kind),
            });
        };
        if axis >= dims {
            return Err(CheckError::LayoutAxisOutOfRange {
                owner: self.owner(),
                param: param.name.clone(),
                field: "shape",
                axis,
                dims,
            });
        }
        self.has_type(ty, Scalar::U64, || {
            format!("`shape({axis})` of local accessor `{}`", param.name)
        })
    }

    pub(super) fn tensor_layout(
        &self,
        tensor: ParamId,
        field: LayoutField,
        ty: Scalar,
    ) -> Result<(), CheckError> {
        let param = self.param(tensor)?;
        let ParamKind::Tensor { dims, .. } = param.kind else {
            return Err(CheckError::NotATensor {
                owner: self.owner(),
                param: param.name.clone(),
                operation: "layout",
                found: kind_name(param.kind),
            });
        };
        let (name, axis, expected) = match field {
            LayoutField::Offset => ("offset", None, Scalar::U64),
            LayoutField::Shape(axis) => ("shape", Some(axis), Scalar::U64),
            LayoutField::Stride(axis) => ("stride", Some(axis), Scalar::I64),
        };
        match axis {
            Some(axis) if axis >= dims => Err(CheckError::LayoutAxisOutOfRange {
                owner: self.owner(),
                param: param.name.clone(),
                field: name,
                axis,
                dims,
            }),
            Some(axis) => self.has_type(ty, expected, || {
                format!("`{name}({axis})` of tensor `{}`", param.name)
            }),
            None => self.has_type(ty, expected, || {
                format!("`{name}` of tensor `{}`", param.name)
            }),
        }
    }
}
