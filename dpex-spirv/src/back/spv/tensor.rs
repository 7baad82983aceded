//! Tensor parameters: N-d views of a global buffer passed as `2 + 2 * dims` values (the
//! buffer's pointer, the view's offset, its extents and its strides; see
//! [`ParamKind::Tensor`](crate::ir::ParamKind::Tensor)), their `len()` and their layout.

use rspirv::dr::Operand;
use rspirv::spirv::{Decoration, FunctionParameterAttribute, Word};

use super::function::Convention;
use super::{BuildError, BuildResult, Emitter, Flavour, ParamValue};
use crate::check::MAX_TENSOR_DIMS;
use crate::ir::{Access, LayoutField, ParamId, Scalar};

/// The most axes a tensor has, as an array length.
pub(super) const MAX_DIMS: usize = MAX_TENSOR_DIMS as usize;

/// The SPIR-V values of a tensor parameter inside a kernel or function.
#[derive(Clone, Copy, Debug)]
pub(super) struct TensorValues {
    /// Pointer into global memory (`CrossWorkgroup`, Vulkan `PhysicalStorageBuffer`) to the
    /// buffer's first element (elements are indexed from it).
    pub ptr: Word,
    /// Element type.
    pub elem: Scalar,
    /// The view's offset in elements (`u64`).
    pub offset: Word,
    /// Number of axes (1 to [`MAX_DIMS`]); only the first `dims` of `shape` and `strides`
    /// are used.
    pub dims: usize,
    /// Extent of each axis (`u64`).
    pub shape: [Word; MAX_DIMS],
    /// Stride of each axis in elements (`i64`).
    pub strides: [Word; MAX_DIMS],
}

impl TensorValues {
    /// The values in parameter order: pointer, offset, extents, strides.
    pub(super) fn all(&self) -> impl Iterator<Item = Word> + '_ {
        let dims = self.dims.min(MAX_DIMS);
        [self.ptr, self.offset]
            .into_iter()
            .chain(self.shape[..dims].iter().copied())
            .chain(self.strides[..dims].iter().copied())
    }
}

impl Emitter {
    /// Appends the SPIR-V types of a tensor parameter of `dims` axes to `types`: the pointer,
    /// the `u64` offset, `dims` `u64` extents and `dims` `i64` strides.
    pub(super) fn tensor_param_types(&mut self, elem: Scalar, dims: u32, types: &mut Vec<Word>) {
        types.push(self.global_ptr_ty(elem));
        types.push(self.ty(Scalar::U64));
        for _ in 0..dims {
            types.push(self.ty(Scalar::U64));
        }
        for _ in 0..dims {
            types.push(self.ty(Scalar::I64));
        }
    }

    /// Names the function parameters of tensor `name` (`x`, `x.offset`, `x.shape0`, ...,
    /// `x.stride0`, ...), taken from `next` in the order of [`Self::tensor_param_types`],
    /// decorates the pointer as [`Self::pointer_param`] says for `usage`, and returns the
    /// tensor's values.
    pub(super) fn declare_tensor(
        &mut self,
        name: &str,
        elem: Scalar,
        dims: u32,
        usage: (Access, Convention),
        next: &mut dyn FnMut() -> BuildResult<Word>,
    ) -> BuildResult<TensorValues> {
        let dims = dims as usize;
        if !(1..=MAX_DIMS).contains(&dims) {
            return Err(BuildError::Internal(format!(
                "tensor `{name}` has {dims} axes"
            )));
        }
        let ptr = next()?;
        self.b.name(ptr, name);
        self.pointer_param(ptr, usage.0, usage.1);
        let offset = next()?;
        self.b.name(offset, format!("{name}.offset"));
        let mut values = TensorValues {
            ptr,
            elem,
            offset,
            dims,
            shape: [0; MAX_DIMS],
            strides: [0; MAX_DIMS],
        };
        for (axis, shape) in values.shape[..dims].iter_mut().enumerate() {
            *shape = next()?;
            self.b.name(*shape, format!("{name}.shape{axis}"));
        }
        for (axis, stride) in values.strides[..dims].iter_mut().enumerate() {
            *stride = next()?;
            self.b.name(*stride, format!("{name}.stride{axis}"));
        }
        Ok(values)
    }

    /// Decorates pointer parameter `ptr` to global memory used with `access` by a function
    /// of `convention`.
    ///
    /// OpenCL: read-only pointers are `NoWrite`; a kernel's `&mut` tensors' pointers are
    /// `NoAlias` (Rust's borrows at the launch site guarantee it); a function's are not
    /// decorated, as nothing in the IR stops a caller from passing one tensor to two
    /// parameters. Vulkan (only device functions take pointers): every `PhysicalStorageBuffer`
    /// pointer parameter must be `Restrict` or `Aliased` (`RestrictPointer`/`AliasedPointer`
    /// are for variables holding pointers); for the same reason, they are all `Aliased`.
    pub(super) fn pointer_param(&mut self, ptr: Word, access: Access, convention: Convention) {
        let attribute = match (self.flavour, access, convention) {
            (Flavour::Vulkan, ..) => {
                self.b.decorate(ptr, Decoration::Aliased, []);
                return;
            }
            (Flavour::OpenCl, Access::Read, _) => FunctionParameterAttribute::NoWrite,
            (Flavour::OpenCl, Access::ReadWrite, Convention::Kernel) => {
                FunctionParameterAttribute::NoAlias
            }
            (Flavour::OpenCl, Access::ReadWrite, Convention::Function) => return,
        };
        self.b.decorate(
            ptr,
            Decoration::FuncParamAttr,
            [Operand::FunctionParameterAttribute(attribute)],
        );
    }

    /// The values of tensor parameter `id`.
    pub(super) fn tensor(&self, id: ParamId) -> BuildResult<TensorValues> {
        match self.param(id)? {
            ParamValue::Tensor(values) => Ok(values),
            _ => Err(BuildError::Internal(format!(
                "parameter #{} is no tensor",
                id.0
            ))),
        }
    }

    /// The element count of tensor `id`: the product of its extents (the extent itself for
    /// one axis).
    pub(super) fn tensor_len(&mut self, id: ParamId) -> BuildResult<Word> {
        let t = self.tensor(id)?;
        self.product(&t.shape[..t.dims.min(MAX_DIMS)])
    }

    /// The value of `field` of tensor `id`'s view.
    pub(super) fn tensor_layout(&self, id: ParamId, field: LayoutField) -> BuildResult<Word> {
        let t = self.tensor(id)?;
        let (values, axis) = match field {
            LayoutField::Offset => return Ok(t.offset),
            LayoutField::Shape(axis) => (&t.shape, axis),
            LayoutField::Stride(axis) => (&t.strides, axis),
        };
        values[..t.dims.min(MAX_DIMS)]
            .get(axis as usize)
            .copied()
            .ok_or_else(|| BuildError::Internal(format!("{field:?} of tensor #{}", id.0)))
    }
}
