//! Memory: parameters (scalars and tensors), `Function` variables for locals and private
//! arrays, tensor and array element loads and stores, and the built-in `Input` variables.

use rspirv::dr::Operand;
use rspirv::spirv::{
    BuiltIn, Decoration, FunctionParameterAttribute, MemoryAccess, Op, StorageClass, Word,
};

use super::function::Convention;
use super::types::{storage_scalar, storage_size};
use super::{BuildError, BuildResult, Emitter, ParamValue};
use crate::ir::{Access, Builtin, Local, LocalId, Param, ParamId, ParamKind, Scalar};

/// The module's built-in `Input` variables, declared on first use.
#[derive(Debug, Default)]
pub(super) struct BuiltinVars {
    /// `GlobalInvocationId`.
    global_id: Option<Word>,
    /// `GlobalSize`.
    global_size: Option<Word>,
}

impl Emitter {
    /// The SPIR-V types of a function's parameters: one per scalar, two per tensor.
    pub(super) fn param_types(&mut self, params: &[Param], convention: Convention) -> Vec<Word> {
        let mut types = Vec::new();
        for param in params {
            match param.kind {
                ParamKind::Scalar(s) => types.push(match convention {
                    Convention::Kernel => self.storage_ty(s),
                    Convention::Function => self.ty(s),
                }),
                ParamKind::Tensor { elem, .. } => {
                    let pointee = self.storage_ty(elem);
                    types.push(self.ptr_ty(StorageClass::CrossWorkgroup, pointee));
                    types.push(self.ty(Scalar::U64));
                }
            }
        }
        types
    }

    /// Names and decorates the function parameters `raw` (as from [`Self::param_types`]) and
    /// records each IR parameter's value; `bool` kernel parameters are compared with zero
    /// here, in the entry block.
    ///
    /// Read-only tensors are `NoWrite`. A kernel's `&mut` tensors are `NoAlias` (Rust's
    /// borrows at the launch site guarantee it); a function's are not decorated, as nothing
    /// in the IR stops a caller from passing one tensor to two parameters.
    pub(super) fn declare_params(
        &mut self,
        params: &[Param],
        convention: Convention,
        raw: &[Word],
    ) -> BuildResult<()> {
        let mut raw = raw.iter().copied();
        let mut next = || {
            raw.next()
                .ok_or_else(|| BuildError("fewer function parameters than IR parameters".into()))
        };
        for param in params {
            let value = match param.kind {
                ParamKind::Scalar(s) => {
                    let id = next()?;
                    self.b.name(id, param.name.as_str());
                    let value = if s == Scalar::Bool && convention == Convention::Kernel {
                        let zero = self.const_zero(Scalar::U8);
                        let bool_ty = self.ty(Scalar::Bool);
                        self.op(Op::INotEqual, bool_ty, &[id, zero])?
                    } else {
                        id
                    };
                    ParamValue::Scalar(value)
                }
                ParamKind::Tensor { elem, access } => {
                    let ptr = next()?;
                    let len = next()?;
                    self.b.name(ptr, param.name.as_str());
                    self.b.name(len, format!("{}_len", param.name));
                    // Two `&Tensor`s may be the same buffer, so only `&mut` ones are NoAlias.
                    let attribute = match (access, convention) {
                        (Access::Read, _) => Some(FunctionParameterAttribute::NoWrite),
                        (Access::ReadWrite, Convention::Kernel) => {
                            Some(FunctionParameterAttribute::NoAlias)
                        }
                        (Access::ReadWrite, Convention::Function) => None,
                    };
                    if let Some(attribute) = attribute {
                        self.b.decorate(
                            ptr,
                            Decoration::FuncParamAttr,
                            [Operand::FunctionParameterAttribute(attribute)],
                        );
                    }
                    ParamValue::Tensor { ptr, len, elem }
                }
            };
            self.f.params.push(value);
        }
        Ok(())
    }

    /// Declares one `Function` variable per IR local (an `OpTypeArray` for a private array);
    /// must run in the entry block.
    pub(super) fn declare_locals(&mut self, locals: &[Local]) {
        for local in locals {
            let elem = self.ty(local.ty);
            let ty = match local.array_len {
                Some(len) => {
                    let len = self.const_int(Scalar::U32, u64::from(len));
                    self.b.type_array(elem, len)
                }
                None => elem,
            };
            let ptr = self.ptr_ty(StorageClass::Function, ty);
            let var = self.b.variable(ptr, None, StorageClass::Function, None);
            self.b.name(var, local.name.as_str());
            self.f.locals.push(var);
        }
    }

    /// The recorded value of parameter `id`.
    pub(super) fn param(&self, id: ParamId) -> BuildResult<ParamValue> {
        self.f
            .params
            .get(id.0 as usize)
            .copied()
            .ok_or_else(|| BuildError(format!("parameter #{} not declared", id.0)))
    }

    /// The pointer, length and element type of tensor parameter `id`.
    pub(super) fn tensor(&self, id: ParamId) -> BuildResult<(Word, Word, Scalar)> {
        match self.param(id)? {
            ParamValue::Tensor { ptr, len, elem } => Ok((ptr, len, elem)),
            ParamValue::Scalar(_) => Err(BuildError(format!("parameter #{} is no tensor", id.0))),
        }
    }

    /// The value of scalar parameter `id`.
    pub(super) fn scalar_param(&self, id: ParamId) -> BuildResult<Word> {
        match self.param(id)? {
            ParamValue::Scalar(value) => Ok(value),
            ParamValue::Tensor { .. } => {
                Err(BuildError(format!("parameter #{} is no scalar", id.0)))
            }
        }
    }

    /// The element count of tensor parameter `id`.
    pub(super) fn tensor_len(&self, id: ParamId) -> BuildResult<Word> {
        Ok(self.tensor(id)?.1)
    }

    /// The variable of local `id`.
    fn local_var(&self, id: LocalId) -> BuildResult<Word> {
        self.f
            .locals
            .get(id.0 as usize)
            .copied()
            .ok_or_else(|| BuildError(format!("local #{} not declared", id.0)))
    }

    /// Reads local `id` of type `ty`.
    pub(super) fn load_local(&mut self, id: LocalId, ty: Scalar) -> BuildResult<Word> {
        let var = self.local_var(id)?;
        let ty = self.ty(ty);
        Ok(self.b.load(ty, None, var, None, [])?)
    }

    /// Writes `value` to local `id`.
    pub(super) fn store_local(&mut self, id: LocalId, value: Word) -> BuildResult<()> {
        let var = self.local_var(id)?;
        Ok(self.b.store(var, value, None, [])?)
    }

    /// A pointer to element `index` (a `u64` below the length) of array local `id` of
    /// element type `elem`.
    fn local_element_ptr(&mut self, id: LocalId, elem: Scalar, index: Word) -> BuildResult<Word> {
        let var = self.local_var(id)?;
        let elem = self.ty(elem);
        let ptr_ty = self.ptr_ty(StorageClass::Function, elem);
        Ok(self.b.in_bounds_access_chain(ptr_ty, None, var, [index])?)
    }

    /// Reads element `index` of array local `id` of element type `elem`.
    pub(super) fn load_local_element(
        &mut self,
        id: LocalId,
        elem: Scalar,
        index: Word,
    ) -> BuildResult<Word> {
        let ptr = self.local_element_ptr(id, elem, index)?;
        let ty = self.ty(elem);
        Ok(self.b.load(ty, None, ptr, None, [])?)
    }

    /// Writes `value` of type `elem` to element `index` of array local `id`.
    pub(super) fn store_local_element(
        &mut self,
        id: LocalId,
        elem: Scalar,
        index: Word,
        value: Word,
    ) -> BuildResult<()> {
        let ptr = self.local_element_ptr(id, elem, index)?;
        Ok(self.b.store(ptr, value, None, [])?)
    }

    /// A pointer to element `index` of tensor `id`, with the element's type.
    fn element_ptr(&mut self, id: ParamId, index: Word) -> BuildResult<(Word, Scalar)> {
        let (base, _, elem) = self.tensor(id)?;
        let pointee = self.storage_ty(elem);
        let ptr_ty = self.ptr_ty(StorageClass::CrossWorkgroup, pointee);
        let ptr = self
            .b
            .in_bounds_ptr_access_chain(ptr_ty, None, base, index, [])?;
        Ok((ptr, elem))
    }

    /// Loads element `index` of tensor `id` (a stored `u8` becomes `bool` by comparing with 0).
    pub(super) fn load_element(&mut self, id: ParamId, index: Word) -> BuildResult<Word> {
        let (ptr, elem) = self.element_ptr(id, index)?;
        let stored = storage_scalar(elem);
        let ty = self.ty(stored);
        let align = [Operand::LiteralBit32(storage_size(elem))];
        let value = self
            .b
            .load(ty, None, ptr, Some(MemoryAccess::ALIGNED), align)?;
        if elem == Scalar::Bool {
            let zero = self.const_zero(stored);
            let bool_ty = self.ty(Scalar::Bool);
            return self.op(Op::INotEqual, bool_ty, &[value, zero]);
        }
        Ok(value)
    }

    /// Stores `value` to element `index` of tensor `id` (a `bool` is stored as 0 or 1).
    pub(super) fn store_element(
        &mut self,
        id: ParamId,
        index: Word,
        value: Word,
    ) -> BuildResult<()> {
        let (ptr, elem) = self.element_ptr(id, index)?;
        let value = if elem == Scalar::Bool {
            let stored = storage_scalar(elem);
            let one = self.const_int(stored, 1);
            let zero = self.const_zero(stored);
            let ty = self.ty(stored);
            self.op(Op::Select, ty, &[value, one, zero])?
        } else {
            value
        };
        let align = [Operand::LiteralBit32(storage_size(elem))];
        Ok(self
            .b
            .store(ptr, value, Some(MemoryAccess::ALIGNED), align)?)
    }

    /// Reads a built-in value (a `u64`) and adds its variable to the kernel's interface.
    pub(super) fn builtin(&mut self, builtin: Builtin) -> BuildResult<Word> {
        let (slot, kind, name, dim) = match builtin {
            Builtin::GlobalId(dim) => (
                self.builtins.global_id,
                BuiltIn::GlobalInvocationId,
                "__spirv_BuiltInGlobalInvocationId",
                dim,
            ),
            Builtin::GlobalSize(dim) => (
                self.builtins.global_size,
                BuiltIn::GlobalSize,
                "__spirv_BuiltInGlobalSize",
                dim,
            ),
        };
        let u64_ty = self.ty(Scalar::U64);
        let vec_ty = self.b.type_vector(u64_ty, 3);
        let var = match slot {
            Some(var) => var,
            None => {
                let var = self.builtin_var(kind, name, vec_ty);
                match builtin {
                    Builtin::GlobalId(_) => self.builtins.global_id = Some(var),
                    Builtin::GlobalSize(_) => self.builtins.global_size = Some(var),
                }
                var
            }
        };
        if !self.f.interface.contains(&var) {
            self.f.interface.push(var);
        }
        let vector = self.b.load(vec_ty, None, var, None, [])?;
        Ok(self.b.composite_extract(u64_ty, None, vector, [dim])?)
    }

    /// Declares a module-scope `Input` variable of type `vec_ty` decorated as built-in `kind`.
    fn builtin_var(&mut self, kind: BuiltIn, name: &str, vec_ty: Word) -> Word {
        let ptr_ty = self.ptr_ty(StorageClass::Input, vec_ty);
        let var = self.b.id();
        // `Builder::variable` would put it in the current block; it belongs to the module.
        self.b
            .module_mut()
            .types_global_values
            .push(rspirv::dr::Instruction::new(
                Op::Variable,
                Some(ptr_ty),
                Some(var),
                vec![Operand::StorageClass(StorageClass::Input)],
            ));
        self.b
            .decorate(var, Decoration::BuiltIn, [Operand::BuiltIn(kind)]);
        self.b.decorate(var, Decoration::Constant, []);
        self.b.name(var, name);
        var
    }
}
