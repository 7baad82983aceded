//! Memory: parameters (scalars, tensors, local accessors), `Function` variables for locals and
//! private arrays, module-scope `Workgroup` variables for work-group arrays, and element
//! pointers, loads and stores for every [`Memory`].

use rspirv::dr::{Instruction, Operand};
use rspirv::spirv::{MemoryAccess, Op, StorageClass, Word};

use super::function::Convention;
use super::glsl::float_bits;
use super::types::{storage_scalar, storage_size};
use super::{
    BuildError, BuildResult, Emitter, Flavour, LocalValues, LocalVar, ParamValue, WorkgroupVar,
    MAX_LOCAL_DIMS,
};
use dpex_abi::opencl::Arg;

use crate::ir::{Local, LocalId, Memory, Param, ParamId, ParamKind, Scalar, WorkgroupArray};

/// A pointer to one element of some [`Memory`].
#[derive(Clone, Copy, Debug)]
pub(super) struct ElementPtr {
    /// The pointer.
    pub ptr: Word,
    /// The IR element type.
    pub elem: Scalar,
    /// Its storage class.
    pub class: StorageClass,
    /// The type the memory holds the element as ([`Emitter::held_scalar`]).
    pub held: Scalar,
}

impl Emitter {
    /// The type memory of `class` holds elements of type `elem` as: private arrays hold
    /// them as they are (`OpTypeBool` too), other memory in their storage type (`bool` as
    /// `u8`); Vulkan's work-group memory holds floats as their bits (`u16`, `u32`, `u64`), so
    /// that float atomics need no pointer cast, which logical pointers do not take.
    pub(super) fn held_scalar(&self, class: StorageClass, elem: Scalar) -> Scalar {
        match class {
            StorageClass::Function => elem,
            StorageClass::Workgroup if self.flavour == Flavour::Vulkan && elem.is_float() => {
                float_bits(elem)
            }
            _ => storage_scalar(elem),
        }
    }

    /// The SPIR-V types of a function's parameters: one per scalar, `2 + 2 * dims` per tensor
    /// (see [`Self::tensor_param_types`]), `1 + dims` per local accessor (the pointer and the
    /// `u64` extents; a Vulkan device function takes the extents only, its memory is the
    /// kernel's array). For an OpenCL kernel, also records where each parameter's arguments start
    /// (its [`Arg`]), for the kernel's interface.
    pub(super) fn param_types(&mut self, params: &[Param], convention: Convention) -> Vec<Word> {
        let mut types = Vec::new();
        // A Vulkan kernel is a `void()` entry point: its parameters come from the argument block.
        if self.flavour == Flavour::Vulkan && convention == Convention::Kernel {
            return types;
        }
        for param in params {
            let index = types.len() as u32;
            if convention == Convention::Kernel {
                // The OpenCL interface: where this parameter's arguments start.
                self.f.opencl_args.push(match param.kind {
                    ParamKind::Scalar(_) => Arg::Scalar { index },
                    ParamKind::Tensor { dims, .. } => Arg::Tensor { index, dims },
                    ParamKind::Local { dims, .. } => Arg::Local { index, dims },
                });
            }
            match param.kind {
                ParamKind::Scalar(s) => types.push(match convention {
                    Convention::Kernel => self.storage_ty(s),
                    Convention::Function => self.ty(s),
                }),
                ParamKind::Tensor { elem, dims, .. } => {
                    self.tensor_param_types(elem, dims, &mut types)
                }
                ParamKind::Local { elem, dims } => {
                    if self.flavour == Flavour::OpenCl {
                        let pointee = self.storage_ty(elem);
                        types.push(self.ptr_ty(StorageClass::Workgroup, pointee));
                    }
                    for _ in 0..dims {
                        types.push(self.ty(Scalar::U64));
                    }
                }
            }
        }
        types
    }

    /// Names and decorates the function parameters `raw` (as from [`Self::param_types`]) and
    /// records each IR parameter's value; `bool` kernel parameters are compared with zero
    /// here, in the entry block.
    ///
    /// Read-only tensors' pointers are `NoWrite`. A kernel's `&mut` tensors' pointers are
    /// `NoAlias` (Rust's borrows at the launch site guarantee it); a function's are not
    /// decorated, as nothing in the IR stops a caller from passing one tensor to two
    /// parameters. Local accessors are not decorated; a Vulkan device function's is the
    /// kernel's module-scope array it stands for ([`Self::kernel_local_array`]). A Vulkan
    /// kernel reads its parameters from the argument block instead (see `vulkan`).
    pub(super) fn declare_params(
        &mut self,
        params: &[Param],
        convention: Convention,
        raw: &[Word],
    ) -> BuildResult<()> {
        if self.flavour == Flavour::Vulkan && convention == Convention::Kernel {
            return self.read_argument_block(params);
        }
        let mut raw = raw.iter().copied();
        let mut next = || {
            raw.next().ok_or_else(|| {
                BuildError::Internal("fewer function parameters than IR parameters".into())
            })
        };
        for (index, param) in params.iter().enumerate() {
            let value = match param.kind {
                ParamKind::Scalar(s) => {
                    let id = next()?;
                    self.b.name(id, param.name.as_str());
                    if s == Scalar::Bool && convention == Convention::Kernel {
                        let zero = self.const_zero(Scalar::U8);
                        let bool_ty = self.ty(Scalar::Bool);
                        ParamValue::Scalar(self.op(Op::INotEqual, bool_ty, &[id, zero])?)
                    } else {
                        ParamValue::Scalar(id)
                    }
                }
                ParamKind::Tensor { elem, access, dims } => {
                    let values = self.declare_tensor(
                        &param.name,
                        elem,
                        dims,
                        (access, convention),
                        &mut next,
                    )?;
                    ParamValue::Tensor(values)
                }
                ParamKind::Local { elem, dims } => {
                    let ptr = match self.flavour {
                        Flavour::OpenCl => {
                            let ptr = next()?;
                            self.b.name(ptr, param.name.as_str());
                            ptr
                        }
                        Flavour::Vulkan => self.origin_array(&param.name, index)?,
                    };
                    let mut extents = [0; MAX_LOCAL_DIMS];
                    for axis in 0..dims {
                        let extent = extents.get_mut(axis as usize).ok_or_else(|| {
                            BuildError::Internal(format!(
                                "local accessor `{}` has {dims} axes",
                                param.name
                            ))
                        })?;
                        *extent = next()?;
                        if dims > 1 {
                            self.b.name(*extent, format!("{}_shape{axis}", param.name));
                        }
                    }
                    // One axis: the extent is the length.
                    let len = self.product(&extents[..dims as usize])?;
                    self.b.name(len, format!("{}_len", param.name));
                    ParamValue::Local(LocalValues {
                        ptr,
                        len,
                        extents,
                        dims,
                        elem,
                    })
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
                Some(len) => self.array_ty(elem, len),
                None => elem,
            };
            let ptr = self.ptr_ty(StorageClass::Function, ty);
            let var = self.b.variable(ptr, None, StorageClass::Function, None);
            self.b.name(var, local.name.as_str());
            self.f.locals.push(LocalVar { var, ty: local.ty });
        }
    }

    /// Declares one module-scope `Workgroup` variable per work-group array of a kernel
    /// (elements in their storage type, `bool` as `u8`). From SPIR-V 1.4 on they join the
    /// entry point's interface.
    pub(super) fn declare_workgroup_arrays(&mut self, arrays: &[WorkgroupArray]) {
        for array in arrays {
            let held = self.held_scalar(StorageClass::Workgroup, array.elem);
            let elem = self.ty(held);
            let ty = self.array_ty(elem, array.len);
            let ptr_ty = self.ptr_ty(StorageClass::Workgroup, ty);
            let var = self.global_variable(ptr_ty, StorageClass::Workgroup);
            self.b.name(var, array.name.as_str());
            if self.version >= (1, 4) {
                self.f.interface.push(var);
            }
            self.f.workgroup.push(WorkgroupVar {
                var,
                elem: array.elem,
            });
        }
    }

    /// `OpTypeArray` of `len` elements of type `elem`.
    pub(super) fn array_ty(&mut self, elem: Word, len: u32) -> Word {
        let len = self.const_int(Scalar::U32, u64::from(len));
        self.b.type_array(elem, len)
    }

    /// Declares a module-scope variable of pointer type `ptr_ty` in `class`.
    pub(super) fn global_variable(&mut self, ptr_ty: Word, class: StorageClass) -> Word {
        let var = self.b.id();
        // `Builder::variable` would put it in the current block; it belongs to the module.
        self.b
            .module_mut()
            .types_global_values
            .push(Instruction::new(
                Op::Variable,
                Some(ptr_ty),
                Some(var),
                vec![Operand::StorageClass(class)],
            ));
        var
    }

    /// The recorded value of parameter `id`.
    pub(super) fn param(&self, id: ParamId) -> BuildResult<ParamValue> {
        self.f
            .params
            .get(id.0 as usize)
            .copied()
            .ok_or_else(|| BuildError::Internal(format!("parameter #{} not declared", id.0)))
    }

    /// The value of scalar parameter `id`.
    pub(super) fn scalar_param(&self, id: ParamId) -> BuildResult<Word> {
        match self.param(id)? {
            ParamValue::Scalar(value) => Ok(value),
            _ => Err(BuildError::Internal(format!(
                "parameter #{} is no scalar",
                id.0
            ))),
        }
    }

    /// The product of the `u64` values `factors` (at least one).
    pub(super) fn product(&mut self, factors: &[Word]) -> BuildResult<Word> {
        let (&first, rest) = factors
            .split_first()
            .ok_or_else(|| BuildError::Internal("a product of no factors".into()))?;
        let u64_ty = self.ty(Scalar::U64);
        rest.iter().try_fold(first, |product, &f| {
            self.op(Op::IMul, u64_ty, &[product, f])
        })
    }

    /// The extent of axis `axis` of local accessor parameter `id`.
    pub(super) fn local_extent(&self, id: ParamId, axis: u32) -> BuildResult<Word> {
        let local = self.local_accessor(id)?;
        match local.extents.get(axis as usize) {
            Some(&extent) if axis < local.dims => Ok(extent),
            _ => Err(BuildError::Internal(format!(
                "axis {axis} of parameter #{}, a local accessor of {} axes",
                id.0, local.dims
            ))),
        }
    }

    /// The values of local accessor parameter `id`.
    pub(super) fn local_accessor(&self, id: ParamId) -> BuildResult<LocalValues> {
        match self.param(id)? {
            ParamValue::Local(local) => Ok(local),
            _ => Err(BuildError::Internal(format!(
                "parameter #{} is no local accessor",
                id.0
            ))),
        }
    }

    /// In a Vulkan device function, the module-scope array of the kernel's local accessor that
    /// its local-accessor parameter `index` (named `name`) stands for.
    fn origin_array(&mut self, name: &str, index: usize) -> BuildResult<Word> {
        let origin = self.f.function.and_then(|f| {
            let params = self.vk.local_origins.get(f.0 as usize)?;
            params.get(index).copied().flatten()
        });
        let origin = origin.ok_or_else(|| {
            BuildError::Unsupported(format!(
                "local accessor `{name}` of a function that the kernel does not call"
            ))
        })?;
        Ok(self.kernel_local_array(origin)?.var)
    }

    /// The element count of a tensor (the product of its extents) or a local accessor.
    pub(super) fn memory_len(&mut self, memory: Memory) -> BuildResult<Word> {
        match memory {
            Memory::Tensor(id) => self.tensor_len(id),
            Memory::Local(id) => Ok(self.local_accessor(id)?.len),
            _ => Err(BuildError::Internal(format!("len of {memory:?}"))),
        }
    }

    /// The variable of local `id`.
    fn local_var(&self, id: LocalId) -> BuildResult<LocalVar> {
        self.f
            .locals
            .get(id.0 as usize)
            .copied()
            .ok_or_else(|| BuildError::Internal(format!("local #{} not declared", id.0)))
    }

    /// Reads local `id` of type `ty`.
    pub(super) fn load_local(&mut self, id: LocalId, ty: Scalar) -> BuildResult<Word> {
        let var = self.local_var(id)?.var;
        let ty = self.ty(ty);
        Ok(self.b.load(ty, None, var, None, [])?)
    }

    /// Writes `value` to local `id`.
    pub(super) fn store_local(&mut self, id: LocalId, value: Word) -> BuildResult<()> {
        let var = self.local_var(id)?.var;
        Ok(self.b.store(var, value, None, [])?)
    }

    /// A pointer to element `index` (a `u64`) of `memory`.
    pub(super) fn element_ptr(&mut self, memory: Memory, index: Word) -> BuildResult<ElementPtr> {
        let (base, elem, class, array) = match memory {
            // The front end computed the index from the buffer's first element.
            Memory::Tensor(id) => {
                let t = self.tensor(id)?;
                (t.ptr, t.elem, self.flavour.global_class(), false)
            }
            // Vulkan's local accessors are module-scope arrays, OpenCL's pointers.
            Memory::Local(id) => {
                let local = self.local_accessor(id)?;
                let array = self.flavour == Flavour::Vulkan;
                (local.ptr, local.elem, StorageClass::Workgroup, array)
            }
            Memory::Workgroup(id) => {
                let w = self
                    .f
                    .workgroup
                    .get(id.0 as usize)
                    .copied()
                    .ok_or_else(|| {
                        BuildError::Internal(format!("work-group array #{} not declared", id.0))
                    })?;
                (w.var, w.elem, StorageClass::Workgroup, true)
            }
            Memory::Private(id) => {
                let local = self.local_var(id)?;
                (local.var, local.ty, StorageClass::Function, true)
            }
        };
        let held = self.held_scalar(class, elem);
        let ptr_ty = match class {
            StorageClass::Function | StorageClass::Workgroup => {
                let pointee = self.ty(held);
                self.ptr_ty(class, pointee)
            }
            _ => self.global_ptr_ty(elem),
        };
        let ptr = if array {
            self.b.in_bounds_access_chain(ptr_ty, None, base, [index])?
        } else {
            self.element_of(ptr_ty, base, index)?
        };
        Ok(ElementPtr {
            ptr,
            elem,
            class,
            held,
        })
    }

    /// A pointer of type `ptr_ty` to element `index` from pointer `base`: an
    /// `OpInBoundsPtrAccessChain` for OpenCL, an `OpPtrAccessChain` for Vulkan (the in-bounds
    /// form needs `Addresses`).
    pub(super) fn element_of(
        &mut self,
        ptr_ty: Word,
        base: Word,
        index: Word,
    ) -> BuildResult<Word> {
        Ok(match self.flavour {
            Flavour::OpenCl => self
                .b
                .in_bounds_ptr_access_chain(ptr_ty, None, base, index, [])?,
            Flavour::Vulkan => self.b.ptr_access_chain(ptr_ty, None, base, index, [])?,
        })
    }

    /// The memory operands of a plain load or store through `p`.
    fn access(p: ElementPtr) -> (Option<MemoryAccess>, Vec<Operand>) {
        match p.class {
            StorageClass::CrossWorkgroup
            | StorageClass::PhysicalStorageBuffer
            | StorageClass::Workgroup => (
                Some(MemoryAccess::ALIGNED),
                vec![Operand::LiteralBit32(storage_size(p.elem))],
            ),
            _ => (None, vec![]),
        }
    }

    /// Loads element `index` of `memory` (a stored `u8` becomes `bool` by comparing with 0,
    /// float bits become the float).
    pub(super) fn load_element(&mut self, memory: Memory, index: Word) -> BuildResult<Word> {
        let p = self.element_ptr(memory, index)?;
        let (access, operands) = Self::access(p);
        let ty = self.ty(p.held);
        let value = self.b.load(ty, None, p.ptr, access, operands)?;
        if p.held == p.elem {
            return Ok(value);
        }
        if p.elem == Scalar::Bool {
            let zero = self.const_zero(p.held);
            let bool_ty = self.ty(Scalar::Bool);
            return self.op(Op::INotEqual, bool_ty, &[value, zero]);
        }
        let elem_ty = self.ty(p.elem);
        self.op(Op::Bitcast, elem_ty, &[value])
    }

    /// Stores `value` to element `index` of `memory` (a stored `bool` becomes 0 or 1, a float
    /// held as bits its bits).
    pub(super) fn store_element(
        &mut self,
        memory: Memory,
        index: Word,
        value: Word,
    ) -> BuildResult<()> {
        let p = self.element_ptr(memory, index)?;
        let value = if p.held == p.elem {
            value
        } else if p.elem == Scalar::Bool {
            let one = self.const_int(p.held, 1);
            let zero = self.const_zero(p.held);
            let ty = self.ty(p.held);
            self.op(Op::Select, ty, &[value, one, zero])?
        } else {
            let ty = self.ty(p.held);
            self.op(Op::Bitcast, ty, &[value])?
        };
        let (access, operands) = Self::access(p);
        Ok(self.b.store(p.ptr, value, access, operands)?)
    }
}
