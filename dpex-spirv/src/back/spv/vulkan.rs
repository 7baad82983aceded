//! The Vulkan flavour's kernel entry ([`dpex_abi::vulkan`] is the ABI): the push constant
//! holding the argument block's address, the parameters read from the block's `u64` words, the
//! launch-range guard, and the specialization constants (work-group size, local accessor
//! lengths, the fused-`Fma` switch).
//!
//! At entry a kernel reads the launch range's words, then each parameter's words as its
//! [`Slot`] says: from the push constants (a `Block` struct of one `u64` array) when the block
//! fits them ([`Interface::block_in_push_constants`]), else through the block's address from
//! the push constants, as a `PhysicalStorageBuffer` pointer to `u64` (`ArrayStride` 8), with
//! `Aligned 8`. A work-item
//! whose global id is at or past the range in some dimension returns at once (a dispatch
//! covers whole work-groups).

use rspirv::dr::Operand;
use rspirv::spirv::{BuiltIn, Decoration, MemoryAccess, Op, SelectionControl, StorageClass, Word};

use dpex_abi::vulkan::{
    Interface, Slot, CORRECT_DIV_SQRT_SPEC_ID, FUSED_FMA_SPEC_ID, LOCAL_SIZE_SPEC_IDS,
};

use super::tensor::{TensorValues, MAX_DIMS};
use super::{BuildError, BuildResult, Emitter, LocalValues, ParamValue, MAX_LOCAL_DIMS};
use crate::check::LocalOrigins;
use crate::ir::{Builtin, Param, ParamId, ParamKind, Scalar};
use std::collections::BTreeMap;

/// Bytes in one word of the argument block.
const WORD_BYTES: u32 = 8;

/// Module-wide state of the Vulkan flavour.
#[derive(Debug, Default)]
pub(super) struct State {
    /// The launch interface of the module's kernel, decided before emission.
    pub interface: Option<Interface>,
    /// The dimensions of the kernel being emitted.
    pub dims: u32,
    /// The `OpSpecConstantComposite` decorated `BuiltIn WorkgroupSize`.
    workgroup_size: Option<Word>,
    /// The `OpSpecConstantTrue` saying whether the device's `Fma` is fused.
    fused_fma: Option<Word>,
    /// The `OpSpecConstantFalse` saying whether the device's float `OpFDiv` and `Sqrt` are
    /// correctly rounded.
    correct_div_sqrt: Option<Word>,
    /// The kernel's `OpEntryPoint` function, once declared.
    pub entry: Option<Word>,
    /// The kernel's parameters, known before emission (device functions resolve their local
    /// accessors to the kernel's).
    pub kernel_params: Vec<Param>,
    /// The kernel's local accessor each function's local-accessor parameter stands for.
    pub local_origins: LocalOrigins,
    /// The module-scope arrays of the kernel's local accessors declared so far, by parameter.
    local_arrays: BTreeMap<u32, LocalArray>,
}

/// The module-scope `Workgroup` array of one of the kernel's local accessors.
#[derive(Clone, Copy, Debug)]
pub(super) struct LocalArray {
    /// The `OpVariable`.
    pub var: Word,
    /// Its element count: a 32-bit specialization constant.
    count: Word,
}

/// Where a Vulkan kernel's argument block is.
#[derive(Clone, Copy, Debug)]
enum ArgumentBlock {
    /// In the push constants: their `PushConstant` variable.
    Push(Word),
    /// In memory: a `PhysicalStorageBuffer` pointer to the block's word 0.
    Memory(Word),
}

/// What a Vulkan kernel read from its argument block at entry.
#[derive(Clone, Copy, Debug)]
pub(super) struct Launch {
    /// Where the block is.
    block: ArgumentBlock,
    /// The launch range's extents (`u64`), one per kernel dimension.
    range: [Word; 3],
}

impl Emitter {
    /// The kernel's prologue: reads the argument block, returns work-items outside the launch
    /// range, and records each parameter's value (see the module documentation).
    pub(super) fn read_argument_block(&mut self, params: &[Param]) -> BuildResult<()> {
        let interface =
            self.vk.interface.clone().ok_or_else(|| {
                BuildError::Internal("a Vulkan kernel without its interface".into())
            })?;
        if interface.params.len() != params.len() {
            return Err(BuildError::Internal(
                "the interface does not match the parameters".into(),
            ));
        }
        let block = self.argument_block(&interface)?;
        let mut launch = Launch {
            block,
            range: [0; 3],
        };
        let dims = self.vk.dims.min(3);
        for d in 0..dims {
            launch.range[d as usize] = self.block_word(block, interface.range_word + d)?;
        }
        self.f.launch = Some(launch);
        self.range_guard(dims)?;
        for (index, (param, slot)) in params.iter().zip(interface.params.iter()).enumerate() {
            let value = match (param.kind, *slot) {
                (ParamKind::Scalar(s), Slot::Scalar { word }) => {
                    let raw = self.block_word(block, word)?;
                    let value = self.scalar_from_word(s, raw)?;
                    self.b.name(value, param.name.as_str());
                    ParamValue::Scalar(value)
                }
                (ParamKind::Tensor { elem, .. }, Slot::Tensor { word, dims }) => {
                    ParamValue::Tensor(self.tensor_from_words(&param.name, elem, word, dims)?)
                }
                (ParamKind::Local { elem, .. }, Slot::Local { word, dims, .. }) => {
                    self.local_array(ParamId(index as u32), &param.name, elem, (word, dims))?
                }
                _ => {
                    return Err(BuildError::Internal(format!(
                        "parameter `{}` does not match its slot {slot:?}",
                        param.name
                    )))
                }
            };
            self.f.params.push(value);
        }
        Ok(())
    }

    /// The error record's address from the argument block, as a pointer to its `u64` words.
    pub(super) fn argument_record(&mut self) -> BuildResult<Word> {
        let word = self
            .vk
            .interface
            .as_ref()
            .and_then(|i| i.error_record_word)
            .ok_or_else(|| BuildError::Internal("no error record word".into()))?;
        let block = self.launch()?.block;
        let address = self.block_word(block, word)?;
        let ptr_ty = self.record_ptr_ty();
        self.op(Op::ConvertUToPtr, ptr_ty, &[address])
    }

    /// The launch range's extent in dimension `d` (`GlobalSize`), read at entry.
    pub(super) fn launch_range(&self, d: u32) -> BuildResult<Word> {
        let launch = self.launch()?;
        match launch.range.get(d as usize) {
            Some(&extent) if d < self.vk.dims => Ok(extent),
            _ => Err(BuildError::Internal(format!(
                "global size of dimension {d}"
            ))),
        }
    }

    /// The kernel's [`Launch`].
    fn launch(&self) -> BuildResult<Launch> {
        self.f
            .launch
            .ok_or_else(|| BuildError::Internal("the argument block is not read yet".into()))
    }

    /// The `v3uint` work-group size: an `OpSpecConstantComposite` of three 32-bit
    /// specialization constants (ids [`LOCAL_SIZE_SPEC_IDS`], default 1) decorated
    /// `BuiltIn WorkgroupSize`; declared once.
    pub(super) fn workgroup_size(&mut self) -> Word {
        if let Some(id) = self.vk.workgroup_size {
            return id;
        }
        let u32_ty = self.ty(Scalar::U32);
        let components = LOCAL_SIZE_SPEC_IDS.map(|spec_id| self.spec_u32(spec_id, 1));
        let ty = self.b.type_vector(u32_ty, 3);
        let id = self.b.spec_constant_composite(ty, components);
        self.b.decorate(
            id,
            Decoration::BuiltIn,
            [Operand::BuiltIn(BuiltIn::WorkgroupSize)],
        );
        self.b.name(id, "dpex.local_size");
        self.vk.workgroup_size = Some(id);
        id
    }

    /// The boolean specialization constant [`FUSED_FMA_SPEC_ID`] (default true): whether the
    /// device's `Fma` rounds once; declared once.
    pub(super) fn fused_fma(&mut self) -> Word {
        if let Some(id) = self.vk.fused_fma {
            return id;
        }
        let id = self.spec_bool(FUSED_FMA_SPEC_ID, true, "dpex.fused_fma");
        self.vk.fused_fma = Some(id);
        id
    }

    /// The boolean specialization constant [`CORRECT_DIV_SQRT_SPEC_ID`] (default false):
    /// whether the device's float `OpFDiv` and `Sqrt` are correctly rounded; declared once.
    pub(super) fn correct_div_sqrt(&mut self) -> Word {
        if let Some(id) = self.vk.correct_div_sqrt {
            return id;
        }
        let id = self.spec_bool(CORRECT_DIV_SQRT_SPEC_ID, false, "dpex.correct_div_sqrt");
        self.vk.correct_div_sqrt = Some(id);
        id
    }

    /// A new boolean specialization constant with id `spec_id`, default `default`, named
    /// `name`.
    fn spec_bool(&mut self, spec_id: u32, default: bool, name: &str) -> Word {
        let bool_ty = self.ty(Scalar::Bool);
        let id = if default {
            self.b.spec_constant_true(bool_ty)
        } else {
            self.b.spec_constant_false(bool_ty)
        };
        self.b
            .decorate(id, Decoration::SpecId, [Operand::LiteralBit32(spec_id)]);
        self.b.name(id, name);
        id
    }

    /// A 32-bit unsigned specialization constant with id `spec_id` and default `default`.
    fn spec_u32(&mut self, spec_id: u32, default: u32) -> Word {
        let u32_ty = self.ty(Scalar::U32);
        let id = self.b.spec_constant_bit32(u32_ty, default);
        self.b
            .decorate(id, Decoration::SpecId, [Operand::LiteralBit32(spec_id)]);
        id
    }

    /// Declares the push constants: a `Block` struct whose member 0 (offset 0) is an array of
    /// the block's `u64` words when they fit, else one `u64`, the block's address, loaded here
    /// and made a pointer to the block's words.
    fn argument_block(&mut self, interface: &Interface) -> BuildResult<ArgumentBlock> {
        let u64_ty = self.ty(Scalar::U64);
        let in_push = interface.block_in_push_constants();
        let member = if in_push {
            let len = self.const_u32(interface.block_words.max(1));
            let array = self.b.type_array(u64_ty, len);
            self.b.decorate(
                array,
                Decoration::ArrayStride,
                [Operand::LiteralBit32(WORD_BYTES)],
            );
            array
        } else {
            u64_ty
        };
        let block_ty = self.b.type_struct([member]);
        self.b.decorate(block_ty, Decoration::Block, []);
        self.b
            .member_decorate(block_ty, 0, Decoration::Offset, [Operand::LiteralBit32(0)]);
        self.b.name(block_ty, "dpex.PushConstants");
        self.b
            .member_name(block_ty, 0, if in_push { "words" } else { "arguments" });
        let var_ty = self.ptr_ty(StorageClass::PushConstant, block_ty);
        let var = self.global_variable(var_ty, StorageClass::PushConstant);
        self.b.name(var, "dpex.push_constants");
        self.f.interface.push(var);
        if in_push {
            return Ok(ArgumentBlock::Push(var));
        }
        let member_ty = self.ptr_ty(StorageClass::PushConstant, u64_ty);
        let zero = self.const_zero(Scalar::U32);
        let member = self.b.access_chain(member_ty, None, var, [zero])?;
        let address = self.b.load(u64_ty, None, member, None, [])?;
        let block_ptr_ty = self.global_ptr_ty(Scalar::U64);
        let block = self.op(Op::ConvertUToPtr, block_ptr_ty, &[address])?;
        self.b.name(block, "dpex.arguments");
        Ok(ArgumentBlock::Memory(block))
    }

    /// Loads word `word` (a `u64`) of the argument block.
    fn block_word(&mut self, block: ArgumentBlock, word: u32) -> BuildResult<Word> {
        let u64_ty = self.ty(Scalar::U64);
        let index = self.const_u32(word);
        match block {
            ArgumentBlock::Push(var) => {
                let ptr_ty = self.ptr_ty(StorageClass::PushConstant, u64_ty);
                let zero = self.const_zero(Scalar::U32);
                let ptr = self.b.access_chain(ptr_ty, None, var, [zero, index])?;
                Ok(self.b.load(u64_ty, None, ptr, None, [])?)
            }
            ArgumentBlock::Memory(block) => {
                let ptr_ty = self.global_ptr_ty(Scalar::U64);
                let ptr = self.element_of(ptr_ty, block, index)?;
                Ok(self.b.load(
                    u64_ty,
                    None,
                    ptr,
                    Some(MemoryAccess::ALIGNED),
                    [Operand::LiteralBit32(WORD_BYTES)],
                )?)
            }
        }
    }

    /// The scalar of type `s` held in the low bytes of word `raw` (`bool`: the word is not 0).
    fn scalar_from_word(&mut self, s: Scalar, raw: Word) -> BuildResult<Word> {
        if s == Scalar::Bool {
            let zero = self.const_zero(Scalar::U64);
            let bool_ty = self.ty(Scalar::Bool);
            return self.op(Op::INotEqual, bool_ty, &[raw, zero]);
        }
        let bits = match s.bits() {
            8 => Scalar::U8,
            16 => Scalar::U16,
            32 => Scalar::U32,
            _ => Scalar::U64,
        };
        let narrow = if bits == Scalar::U64 {
            raw
        } else {
            let ty = self.ty(bits);
            self.op(Op::UConvert, ty, &[raw])?
        };
        if s.is_float() {
            let ty = self.ty(s);
            return self.op(Op::Bitcast, ty, &[narrow]);
        }
        Ok(narrow)
    }

    /// A tensor view read from the `2 + 2 * dims` words at `word`: the address (as a pointer
    /// to elements of `elem`), the offset, the extents and the strides.
    fn tensor_from_words(
        &mut self,
        name: &str,
        elem: Scalar,
        word: u32,
        dims: u32,
    ) -> BuildResult<TensorValues> {
        let block = self.launch()?.block;
        let axes = dims as usize;
        if !(1..=MAX_DIMS).contains(&axes) {
            return Err(BuildError::Internal(format!(
                "tensor `{name}` has {dims} axes"
            )));
        }
        let address = self.block_word(block, word)?;
        let ptr_ty = self.global_ptr_ty(elem);
        let ptr = self.op(Op::ConvertUToPtr, ptr_ty, &[address])?;
        self.b.name(ptr, name);
        let offset = self.block_word(block, word + 1)?;
        self.b.name(offset, format!("{name}.offset"));
        let mut values = TensorValues {
            ptr,
            elem,
            offset,
            dims: axes,
            shape: [0; MAX_DIMS],
            strides: [0; MAX_DIMS],
        };
        for axis in 0..dims {
            let shape = self.block_word(block, word + 2 + axis)?;
            self.b.name(shape, format!("{name}.shape{axis}"));
            values.shape[axis as usize] = shape;
            let stride = self.block_word(block, word + 2 + dims + axis)?;
            self.b.name(stride, format!("{name}.stride{axis}"));
            values.strides[axis as usize] = stride;
        }
        Ok(values)
    }

    /// The module-scope `Workgroup` array of the kernel's local accessor `id`: elements of its
    /// type (as [`Self::held_scalar`] says), as many as the 32-bit specialization constant of
    /// its [`Slot::Local`] says. Declared once, by the kernel's prologue or by the first device
    /// function whose local accessor stands for it, whichever is emitted first.
    pub(super) fn kernel_local_array(&mut self, id: ParamId) -> BuildResult<LocalArray> {
        if let Some(&array) = self.vk.local_arrays.get(&id.0) {
            return Ok(array);
        }
        let param = self.vk.kernel_params.get(id.0 as usize);
        let slot = self
            .vk
            .interface
            .as_ref()
            .and_then(|i| i.params.get(id.0 as usize));
        let (name, elem, spec_id) = match (param, slot) {
            (
                Some(Param {
                    name,
                    kind: ParamKind::Local { elem, .. },
                }),
                Some(&Slot::Local { spec_id, .. }),
            ) => (name.clone(), *elem, spec_id),
            _ => {
                return Err(BuildError::Internal(format!(
                    "kernel parameter #{} is no local accessor",
                    id.0
                )))
            }
        };
        let count = self.spec_u32(spec_id, 1);
        self.b.name(count, format!("{name}.count"));
        let held = self.held_scalar(StorageClass::Workgroup, elem);
        let elem_ty = self.ty(held);
        let array_ty = self.b.type_array(elem_ty, count);
        let ptr_ty = self.ptr_ty(StorageClass::Workgroup, array_ty);
        let var = self.global_variable(ptr_ty, StorageClass::Workgroup);
        self.b.name(var, name);
        let array = LocalArray { var, count };
        self.vk.local_arrays.insert(id.0, array);
        Ok(array)
    }

    /// The kernel's local accessor `id` (named `name`, of elements of `elem`): its
    /// [`Self::kernel_local_array`], which joins the entry point's interface; its `len()` is the
    /// array's length widened to `u64`, and its extents (`dims` of them) are read from the
    /// argument block's words from `word` on (one axis: the length itself).
    fn local_array(
        &mut self,
        id: ParamId,
        name: &str,
        elem: Scalar,
        (word, dims): (u32, u32),
    ) -> BuildResult<ParamValue> {
        let LocalArray { var, count } = self.kernel_local_array(id)?;
        self.f.interface.push(var);
        let u64_ty = self.ty(Scalar::U64);
        let len = self.op(Op::UConvert, u64_ty, &[count])?;
        self.b.name(len, format!("{name}.len"));
        let mut extents = [len; MAX_LOCAL_DIMS];
        if !(1..=MAX_LOCAL_DIMS as u32).contains(&dims) {
            return Err(BuildError::Internal(format!(
                "local accessor `{name}` has {dims} axes"
            )));
        }
        if dims > 1 {
            let block = self.launch()?.block;
            for axis in 0..dims {
                let extent = self.block_word(block, word + axis)?;
                self.b.name(extent, format!("{name}.shape{axis}"));
                extents[axis as usize] = extent;
            }
        }
        Ok(ParamValue::Local(LocalValues {
            ptr: var,
            len,
            extents,
            dims,
            elem,
        }))
    }

    /// Returns at once from a work-item whose global id is at or past the launch range in
    /// one of the first `dims` dimensions.
    fn range_guard(&mut self, dims: u32) -> BuildResult<()> {
        let bool_ty = self.ty(Scalar::Bool);
        let mut outside = None;
        for d in 0..dims {
            let id = self.builtin(Builtin::GlobalId(d))?;
            let extent = self.launch_range(d)?;
            let past = self.op(Op::UGreaterThanEqual, bool_ty, &[id, extent])?;
            outside = Some(match outside {
                Some(before) => self.op(Op::LogicalOr, bool_ty, &[before, past])?,
                None => past,
            });
        }
        let Some(outside) = outside else {
            return Ok(());
        };
        let exit = self.b.id();
        let merge = self.b.id();
        self.b.selection_merge(merge, SelectionControl::NONE)?;
        self.b.branch_conditional(outside, exit, merge, [])?;
        self.begin_block(exit)?;
        self.b.ret()?;
        self.begin_block(merge)
    }
}
