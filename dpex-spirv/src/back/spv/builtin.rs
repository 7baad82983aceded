//! Built-in `Input` variables: the per-dimension work-item ids and sizes (OpenCL `v3ulong`,
//! Vulkan `v3uint` widened to `u64`) and the sub-group values (`uint`), declared once per
//! module and listed in each kernel's interface. Vulkan has no `GlobalSize` (the launch range
//! comes from the argument block) and takes the work-group size from specialization constants
//! (see `vulkan`).

use rspirv::dr::Operand;
use rspirv::spirv::{BuiltIn, Capability, Decoration, Op, StorageClass, Word};

use super::{BuildResult, Emitter, Flavour};
use crate::ir::{Builtin, Scalar};

/// The module's built-in `Input` variables, declared on first use.
#[derive(Debug, Default)]
pub(super) struct BuiltinVars {
    /// Each declared variable, by built-in.
    vars: Vec<(BuiltIn, Word)>,
}

impl BuiltinVars {
    /// The variables declared so far.
    pub(super) fn declared(&self) -> Vec<Word> {
        self.vars.iter().map(|&(_, var)| var).collect()
    }
}

/// The SPIR-V built-in of `builtin` and the dimension read, if it has dimensions.
fn spirv_builtin(builtin: Builtin) -> (BuiltIn, Option<u32>) {
    match builtin {
        Builtin::GlobalId(d) => (BuiltIn::GlobalInvocationId, Some(d)),
        Builtin::GlobalSize(d) => (BuiltIn::GlobalSize, Some(d)),
        Builtin::LocalId(d) => (BuiltIn::LocalInvocationId, Some(d)),
        Builtin::LocalSize(d) => (BuiltIn::WorkgroupSize, Some(d)),
        Builtin::GroupId(d) => (BuiltIn::WorkgroupId, Some(d)),
        Builtin::NumGroups(d) => (BuiltIn::NumWorkgroups, Some(d)),
        Builtin::SubGroupLocalId => (BuiltIn::SubgroupLocalInvocationId, None),
        Builtin::SubGroupId => (BuiltIn::SubgroupId, None),
        Builtin::SubGroupSize => (BuiltIn::SubgroupSize, None),
        Builtin::NumSubGroups => (BuiltIn::NumSubgroups, None),
    }
}

impl Emitter {
    /// Reads a built-in value (a `u64` component of a `v3ulong`, or a sub-group `u32`) and
    /// adds its variable to the kernel's interface. The sub-group built-ins need
    /// `cl_khr_subgroups` and declare the `Groups` capability (Vulkan: `GroupNonUniform`).
    pub(super) fn builtin(&mut self, builtin: Builtin) -> BuildResult<Word> {
        if self.flavour == Flavour::Vulkan {
            return self.vulkan_builtin(builtin);
        }
        let (kind, dim) = spirv_builtin(builtin);
        let u64_ty = self.ty(Scalar::U64);
        let value_ty = match dim {
            Some(_) => self.b.type_vector(u64_ty, 3),
            None => {
                self.require(Capability::Groups);
                self.ty(Scalar::U32)
            }
        };
        let var = self.builtin_var(kind, value_ty);
        if !self.f.interface.contains(&var) {
            self.f.interface.push(var);
        }
        let value = self.b.load(value_ty, None, var, None, [])?;
        match dim {
            Some(dim) => Ok(self.b.composite_extract(u64_ty, None, value, [dim])?),
            None => Ok(value),
        }
    }

    /// The Vulkan flavour of [`Self::builtin`]: 32-bit built-ins, the ids widened to `u64`.
    fn vulkan_builtin(&mut self, builtin: Builtin) -> BuildResult<Word> {
        let u64_ty = self.ty(Scalar::U64);
        let u32_ty = self.ty(Scalar::U32);
        let dim = match builtin {
            Builtin::GlobalSize(d) => return self.launch_range(d),
            Builtin::LocalSize(d) => {
                let size = self.workgroup_size();
                let value = self.b.composite_extract(u32_ty, None, size, [d])?;
                return self.op(Op::UConvert, u64_ty, &[value]);
            }
            Builtin::NumGroups(d) => return self.group_count(d),
            Builtin::GlobalId(d) | Builtin::LocalId(d) | Builtin::GroupId(d) => Some(d),
            Builtin::SubGroupLocalId
            | Builtin::SubGroupId
            | Builtin::SubGroupSize
            | Builtin::NumSubGroups => {
                self.require(Capability::GroupNonUniform);
                None
            }
        };
        let (kind, _) = spirv_builtin(builtin);
        let value_ty = match dim {
            Some(_) => self.b.type_vector(u32_ty, 3),
            None => u32_ty,
        };
        let var = self.builtin_var(kind, value_ty);
        if !self.f.interface.contains(&var) {
            self.f.interface.push(var);
        }
        let value = self.b.load(value_ty, None, var, None, [])?;
        match dim {
            Some(dim) => {
                let component = self.b.composite_extract(u32_ty, None, value, [dim])?;
                self.op(Op::UConvert, u64_ty, &[component])
            }
            None => Ok(value),
        }
    }

    /// The number of work-groups in dimension `d` for Vulkan: the launch range over the
    /// work-group size, rounded up (1 beyond the kernel's dimensions). Not `NumWorkgroups`,
    /// which counts the groups of one `vkCmdDispatchBase` only: the runtime splits a launch
    /// with more groups than `maxComputeWorkGroupCount` into several, and `WorkgroupId` and
    /// `GlobalInvocationId` include each one's base.
    fn group_count(&mut self, d: u32) -> BuildResult<Word> {
        let u64_ty = self.ty(Scalar::U64);
        if d >= self.vk.dims {
            return Ok(self.const_int(Scalar::U64, 1));
        }
        let range = self.launch_range(d)?;
        let u32_ty = self.ty(Scalar::U32);
        let size = self.workgroup_size();
        let size = self.b.composite_extract(u32_ty, None, size, [d])?;
        let size = self.op(Op::UConvert, u64_ty, &[size])?;
        let one = self.const_int(Scalar::U64, 1);
        let size_less_one = self.op(Op::ISub, u64_ty, &[size, one])?;
        let rounded_up = self.op(Op::IAdd, u64_ty, &[range, size_less_one])?;
        self.op(Op::UDiv, u64_ty, &[rounded_up, size])
    }

    /// The module-scope `Input` variable of type `value_ty` decorated as built-in `kind`,
    /// declared on first use (OpenCL's are also `Constant`).
    fn builtin_var(&mut self, kind: BuiltIn, value_ty: Word) -> Word {
        if let Some(&(_, var)) = self.builtins.vars.iter().find(|(k, _)| *k == kind) {
            return var;
        }
        let ptr_ty = self.ptr_ty(StorageClass::Input, value_ty);
        let var = self.global_variable(ptr_ty, StorageClass::Input);
        self.b
            .decorate(var, Decoration::BuiltIn, [Operand::BuiltIn(kind)]);
        if self.flavour == Flavour::OpenCl {
            self.b.decorate(var, Decoration::Constant, []);
        }
        self.b.name(var, format!("__spirv_BuiltIn{kind:?}"));
        self.builtins.vars.push((kind, var));
        var
    }
}
