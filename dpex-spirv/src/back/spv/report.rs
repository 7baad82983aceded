//! Error reporting: the error record's hidden parameters and the lowering of
//! [`Statement::Fail`](crate::ir::Statement::Fail).
//!
//! # Hidden parameters
//!
//! In a module whose kernels have [`Kernel::reports_errors`](crate::ir::Kernel::reports_errors)
//! (all of them when the module has device functions; see [`crate::check`]):
//!
//! - a reporting kernel takes **one** more OpenCL argument after all of its own (after every
//!   scalar, every tensor's `2 + 2 * dims` values and every local accessor's two): `dpex.errors`,
//!   a `CrossWorkgroup` pointer to `u64` (`__global ulong *`) holding the
//!   [`ERROR_RECORD_WORDS`](crate::ir::ERROR_RECORD_WORDS) words of the error record, decorated
//!   `NoAlias` (the host passes a buffer of its own). In its entry block the kernel computes
//!   `dpex.work_item`, the work-item's global linear id, with OpenCL's convention that
//!   dimension 0 varies fastest:
//!   `id = gid(0) + gid(1) * gsize(0) + gid(2) * gsize(0) * gsize(1)` over the kernel's `dims`
//!   (`GlobalInvocationId`, which includes any global offset, and `GlobalSize`);
//! - every device function of the module takes **two** more parameters after its own:
//!   `dpex.errors` (the same pointer type) and `dpex.work_item` (`u64`). Every call passes the
//!   caller's two values, so a function reports the id of the work-item that called it.
//!
//! A kernel that does not report errors, and the functions of a module whose kernels do not,
//! are emitted exactly as before.
//!
//! # `Fail`
//!
//! ```text
//! index, len = evaluated in this order
//! previous = OpAtomicCompareExchange(u32 view of record[0], Device, Relaxed,
//!                                    new = code, expected = 0)
//! if previous == 0 {
//!     record[1] = what; record[2] = index; record[3] = len; record[4] = work_item
//! }
//! ```
//!
//! then execution goes on. Only the first failure is recorded: the compare-exchange decides
//! which work-item wins, and only the winner writes words 1 to 4 (plain stores: the host reads
//! the record after the kernel has completed, which orders them; relaxed ordering is enough
//! for the same reason).
//!
//! The status word is claimed with a **32-bit** compare-exchange on the low half of word 0
//! (the `u32` at byte offset 0), so reporting needs only the core 32-bit global atomics, not
//! `Int64Atomics` (`cl_khr_int64_base_atomics`). This relies on the host zeroing the whole
//! record before the launch (the high half stays 0) and on a little-endian device, which every
//! OpenCL device taking SPIR-V is: read as a `u64`, word 0 is then the [`Check::code`].

use rspirv::dr::Operand;
use rspirv::spirv::{MemoryAccess, Op, SelectionControl, Word};

use super::function::Convention;
use super::sync::{order_bits, scope_value};
use super::{BuildError, BuildResult, Emitter, Flavour};
use crate::ir::{Access, Builtin, Check, Expr, MemoryOrder, Scalar, Scope};

/// The record word receiving what failed.
const WHAT_WORD: u64 = 1;
/// The record word receiving the index.
const INDEX_WORD: u64 = 2;
/// The record word receiving the length.
const LEN_WORD: u64 = 3;
/// The record word receiving the work-item's global linear id.
const WORK_ITEM_WORD: u64 = 4;
/// The debug name of the record pointer.
const ERRORS_NAME: &str = "dpex.errors";
/// The debug name of the global linear id.
const WORK_ITEM_NAME: &str = "dpex.work_item";

/// Which hidden parameters a SPIR-V function takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Hidden {
    /// None: the module does not report errors, or the function is an internal helper.
    None,
    /// A reporting kernel: the record pointer; it computes the linear id of a launch of
    /// `dims` dimensions itself.
    Kernel {
        /// The kernel's launch dimensions.
        dims: u32,
    },
    /// A device function of a reporting module: the record pointer and the linear id.
    Function,
}

/// The error-reporting values inside a kernel or function.
#[derive(Clone, Copy, Debug)]
pub(super) struct ErrorRecord {
    /// Global-memory pointer to word 0 of the record (`u64`).
    pub record: Word,
    /// The work-item's global linear id (`u64`).
    pub work_item: Word,
}

impl Emitter {
    /// The type of the record pointer: a global-memory pointer to `u64`.
    pub(super) fn record_ptr_ty(&mut self) -> Word {
        self.global_ptr_ty(Scalar::U64)
    }

    /// The SPIR-V types of the hidden parameters (see the module documentation), which follow
    /// the function's own.
    pub(super) fn hidden_param_types(&mut self, hidden: Hidden) -> Vec<Word> {
        match hidden {
            Hidden::None => vec![],
            Hidden::Kernel { .. } if self.flavour == Flavour::Vulkan => vec![],
            Hidden::Kernel { .. } => vec![self.record_ptr_ty()],
            Hidden::Function => vec![self.record_ptr_ty(), self.ty(Scalar::U64)],
        }
    }

    /// Names and records the hidden parameters `raw` (as from [`Self::hidden_param_types`]);
    /// a kernel computes its linear id here, so this runs in the entry block.
    pub(super) fn declare_hidden(&mut self, hidden: Hidden, raw: &[Word]) -> BuildResult<()> {
        let missing = || BuildError::Internal("missing error-record parameters".into());
        let (record, work_item) = match hidden {
            Hidden::None => return Ok(()),
            // A Vulkan kernel reads the record's address from its argument block.
            Hidden::Kernel { dims } if self.flavour == Flavour::Vulkan => {
                (self.argument_record()?, self.linear_id(dims)?)
            }
            Hidden::Kernel { dims } => {
                let record = raw.first().copied().ok_or_else(missing)?;
                self.pointer_param(record, Access::ReadWrite, Convention::Kernel);
                (record, self.linear_id(dims)?)
            }
            Hidden::Function => match *raw {
                [record, work_item] => {
                    if self.flavour == Flavour::Vulkan {
                        self.pointer_param(record, Access::ReadWrite, Convention::Function);
                    }
                    (record, work_item)
                }
                _ => return Err(missing()),
            },
        };
        self.b.name(record, ERRORS_NAME);
        self.b.name(work_item, WORK_ITEM_NAME);
        self.f.errors = Some(ErrorRecord { record, work_item });
        Ok(())
    }

    /// The global linear id of the work-item in a launch of `dims` dimensions, dimension 0
    /// fastest: `gid(0) + gsize(0) * (gid(1) + gsize(1) * gid(2))`.
    fn linear_id(&mut self, dims: u32) -> BuildResult<Word> {
        let last = dims
            .checked_sub(1)
            .ok_or_else(|| BuildError::Internal(format!("a kernel of {dims} dimensions")))?;
        let u64_ty = self.ty(Scalar::U64);
        let mut id = self.builtin(Builtin::GlobalId(last))?;
        for d in (0..last).rev() {
            let size = self.builtin(Builtin::GlobalSize(d))?;
            let gid = self.builtin(Builtin::GlobalId(d))?;
            let scaled = self.op(Op::IMul, u64_ty, &[id, size])?;
            id = self.op(Op::IAdd, u64_ty, &[scaled, gid])?;
        }
        Ok(id)
    }

    /// The hidden arguments a call of a device function passes: the caller's record pointer
    /// and linear id when the module reports errors, none otherwise.
    pub(super) fn hidden_args(&self) -> BuildResult<Vec<Word>> {
        if !self.reports_errors {
            return Ok(vec![]);
        }
        let errors = self
            .f
            .errors
            .ok_or_else(|| BuildError::Internal("a call without an error record to pass".into()))?;
        Ok(vec![errors.record, errors.work_item])
    }

    /// Lowers `Fail { check, what, index, len }` (see the module documentation).
    pub(super) fn fail(
        &mut self,
        check: Check,
        what: u64,
        index: &Expr,
        len: &Expr,
    ) -> BuildResult<()> {
        let index = self.expr(index)?;
        let len = self.expr(len)?;
        let code = u32::try_from(check.code()).map_err(|_| {
            BuildError::Internal(format!("the code of {check:?} needs more than 32 bits"))
        })?;
        let code = self.const_u32(code);
        let what = self.const_int(Scalar::U64, what);
        self.record_failure(code, what, index, len)
    }

    /// Lowers `Report { code, what, index, len }`: a failure with run-time values, recorded
    /// when `code` is not 0.
    pub(super) fn report(
        &mut self,
        code: &Expr,
        what: &Expr,
        index: &Expr,
        len: &Expr,
    ) -> BuildResult<()> {
        let code = self.expr(code)?;
        let what = self.expr(what)?;
        let index = self.expr(index)?;
        let len = self.expr(len)?;
        let zero = self.const_zero(Scalar::U32);
        let bool_ty = self.ty(Scalar::Bool);
        let failed = self.op(Op::INotEqual, bool_ty, &[code, zero])?;
        let record = self.b.id();
        let merge = self.b.id();
        self.b.selection_merge(merge, SelectionControl::NONE)?;
        self.b.branch_conditional(failed, record, merge, [])?;
        self.begin_block(record)?;
        self.record_failure(code, what, index, len)?;
        self.branch(merge)?;
        self.begin_block(merge)
    }

    /// Records a failure through the module's report helper (see
    /// [`Self::emit_report_helper`]).
    fn record_failure(
        &mut self,
        code: Word,
        what: Word,
        index: Word,
        len: Word,
    ) -> BuildResult<()> {
        let errors = self
            .f
            .errors
            .ok_or_else(|| BuildError::Internal("a failed check without an error record".into()))?;
        let helper = match self.report_helper {
            Some(id) => id,
            None => {
                let id = self.b.id();
                self.report_helper = Some(id);
                id
            }
        };
        let void = self.b.type_void();
        self.b.function_call(
            void,
            None,
            helper,
            [errors.record, code, what, index, len, errors.work_item],
        )?;
        Ok(())
    }

    /// Writes `__dpex_report(record, code, what, index, len, work_item)`, a function that is
    /// never inlined: it claims the record's status word for `code` and, when this is the
    /// first failure, writes the other words. Kept out of line, the rarely taken report path
    /// adds no masked atomics or scatters to the vectorized body of a kernel.
    pub(super) fn emit_report_helper(&mut self, id: Word) -> BuildResult<()> {
        let void = self.b.type_void();
        let u32_ty = self.ty(Scalar::U32);
        let u64_ty = self.ty(Scalar::U64);
        let record_ty = self.record_ptr_ty();
        let fn_ty = self
            .b
            .type_function(void, [record_ty, u32_ty, u64_ty, u64_ty, u64_ty, u64_ty]);
        self.b.name(id, "__dpex_report");
        self.b
            .begin_function(void, Some(id), self.flavour.function_control(true), fn_ty)?;
        let record = self.b.function_parameter(record_ty)?;
        if self.flavour == Flavour::Vulkan {
            self.pointer_param(record, Access::ReadWrite, Convention::Function);
        }
        let code = self.b.function_parameter(u32_ty)?;
        let mut words = Vec::new();
        for _ in 0..4 {
            words.push(self.b.function_parameter(u64_ty)?);
        }
        let entry = self.b.id();
        self.begin_block(entry)?;
        let status_ptr_ty = self.global_ptr_ty(Scalar::U32);
        let status = self.op(Op::Bitcast, status_ptr_ty, &[record])?;
        let scope = self.const_u32(scope_value(Scope::Device));
        let class = self.flavour.global_class();
        let relaxed = self.const_u32(order_bits(MemoryOrder::Relaxed) | self.storage_bits(class));
        let zero = self.const_zero(Scalar::U32);
        let previous = self.op(
            Op::AtomicCompareExchange,
            u32_ty,
            &[status, scope, relaxed, relaxed, code, zero],
        )?;
        let bool_ty = self.ty(Scalar::Bool);
        let first = self.op(Op::IEqual, bool_ty, &[previous, zero])?;
        let record_label = self.b.id();
        let merge = self.b.id();
        self.b.selection_merge(merge, SelectionControl::NONE)?;
        self.b.branch_conditional(first, record_label, merge, [])?;
        self.begin_block(record_label)?;
        for (word, value) in [WHAT_WORD, INDEX_WORD, LEN_WORD, WORK_ITEM_WORD]
            .into_iter()
            .zip(words)
        {
            self.store_record_word(record, word, value)?;
        }
        self.branch(merge)?;
        self.begin_block(merge)?;
        self.b.ret()?;
        self.b.end_function()?;
        Ok(())
    }

    /// A plain store of `value` (a `u64`) into word `word` of the record at `record`.
    fn store_record_word(&mut self, record: Word, word: u64, value: Word) -> BuildResult<()> {
        let ptr_ty = self.record_ptr_ty();
        let offset = self.const_int(Scalar::U64, word);
        let ptr = self.element_of(ptr_ty, record, offset)?;
        let size = Scalar::U64.bits() / 8;
        Ok(self.b.store(
            ptr,
            value,
            Some(MemoryAccess::ALIGNED),
            [Operand::LiteralBit32(size)],
        )?)
    }
}
