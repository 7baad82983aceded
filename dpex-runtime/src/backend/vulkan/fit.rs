//! Fits a module to the device before the driver sees it: drops the float-controls execution
//! modes the device cannot honour, and, on lavapipe, drops the ordering bits of atomics the
//! driver orders anyway.
//!
//! **Float controls.** The Vulkan flavour asks for `DenormPreserve` and
//! `SignedZeroInfNanPreserve` on every float width a kernel uses (Rust's semantics). Vulkan
//! forbids a mode the device lacks for a width, so such a device gets the module without it and
//! computes as its driver does by default ([`FloatControls`] tells users).
//!
//! **Atomics on lavapipe.** Mesa 22's lavapipe loses the iterations of a compare-exchange loop
//! when an atomic in it carries acquire or release semantics, the load before the
//! compare-exchange included (one work-item per sub-group succeeds, the others leave the loop:
//! measured with `tests/atomics.rs`); with relaxed semantics the same loop is exact. On that
//! driver (a CPU, x86-64 here) the ordering bits of atomic loads and read-modify-writes are
//! dropped, the storage-class bits kept: llvmpipe runs every read-modify-write as an LLVM
//! `seq_cst` atomic whatever its semantics say, and an atomic load as a volatile load, which
//! x86's total store order keeps in order with the loads after it. Stores and fences keep
//! their semantics.

use std::borrow::Cow;
use std::collections::HashMap;

/// Which float-controls modes the device honours, per float width.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FloatControls {
    /// `shaderDenormPreserveFloat{16,32,64}`: subnormals are kept, not flushed to zero.
    pub denorm_preserve: [bool; 3],
    /// `shaderSignedZeroInfNanPreserveFloat{16,32,64}`: no optimization loses a zero's sign,
    /// an infinity or a NaN.
    pub signed_zero_inf_nan_preserve: [bool; 3],
}

/// How a device's modules are fitted to it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Fit {
    /// The device's float controls.
    pub(crate) float_controls: FloatControls,
    /// Whether to drop the ordering bits of atomic loads and read-modify-writes (lavapipe).
    pub(crate) relax_atomics: bool,
}

/// `OpConstant`'s opcode.
const OP_CONSTANT: u32 = 43;
/// `OpExecutionMode`'s opcode.
const OP_EXECUTION_MODE: u32 = 16;
/// The `DenormPreserve` execution mode.
const DENORM_PRESERVE: u32 = 4459;
/// The `SignedZeroInfNanPreserve` execution mode.
const SIGNED_ZERO_INF_NAN_PRESERVE: u32 = 4461;
/// The ordering bits of `MemorySemantics`: `Acquire`, `Release`, `AcquireRelease`,
/// `SequentiallyConsistent`.
const ORDER_BITS: u32 = 0x2 | 0x4 | 0x8 | 0x10;
/// Words in a SPIR-V module's header.
const HEADER_WORDS: usize = 5;

/// An instruction of a module: its first word's index and its word count.
type Instruction = (usize, usize);

/// The instructions of `words` after the header, or `None` for a malformed stream.
fn instructions(words: &[u32]) -> Option<Vec<Instruction>> {
    let mut all = Vec::new();
    let mut at = HEADER_WORDS;
    while at < words.len() {
        let count = (words[at] >> 16) as usize;
        if count == 0 || at + count > words.len() {
            return None;
        }
        all.push((at, count));
        at += count;
    }
    Some(all)
}

/// The offsets (from the instruction's first word) of the memory-semantics ids of an atomic
/// load or read-modify-write with opcode `opcode`; none for other instructions.
fn semantics_words(opcode: u32) -> &'static [usize] {
    match opcode {
        // OpAtomicCompareExchange(Weak): the equal and unequal semantics.
        230 | 231 => &[5, 6],
        // OpAtomicLoad, OpAtomicExchange, OpAtomicIIncrement .. OpAtomicXor, OpAtomicFMinEXT,
        // OpAtomicFMaxEXT, OpAtomicFAddEXT.
        227 | 229 | 232..=242 | 5614 | 5615 | 6035 => &[5],
        _ => &[],
    }
}

impl FloatControls {
    /// Whether the device honours execution mode `mode` for floats of `width` bits; true for
    /// every other mode.
    fn honours(&self, mode: u32, width: u32) -> bool {
        let index = match width {
            16 => 0,
            32 => 1,
            64 => 2,
            _ => return true,
        };
        match mode {
            DENORM_PRESERVE => self.denorm_preserve[index],
            SIGNED_ZERO_INF_NAN_PRESERVE => self.signed_zero_inf_nan_preserve[index],
            _ => true,
        }
    }

    /// The float-controls execution modes among `instructions` the device does not honour.
    fn unhonoured(&self, words: &[u32], instructions: &[Instruction]) -> Vec<Instruction> {
        instructions
            .iter()
            .copied()
            // OpExecutionMode %entry mode literal: 4 words for the float-controls modes.
            .filter(|&(at, count)| {
                words[at] & 0xffff == OP_EXECUTION_MODE
                    && count == 4
                    && !self.honours(words[at + 2], words[at + 3])
            })
            .collect()
    }
}

/// The semantics ids of atomic loads and read-modify-writes that carry ordering bits, each with the id
/// of the `OpConstant` of the same type and value without them, where the module has one (the
/// flavour always declares the relaxed semantics of the memory its atomics touch): (word
/// index, new id) pairs.
fn relaxed_semantics(words: &[u32], instructions: &[Instruction]) -> Vec<(usize, u32)> {
    let mut constants: HashMap<u32, (u32, u32)> = HashMap::new();
    let mut by_value: HashMap<(u32, u32), u32> = HashMap::new();
    for &(at, count) in instructions {
        if words[at] & 0xffff == OP_CONSTANT && count == 4 {
            let (ty, id, value) = (words[at + 1], words[at + 2], words[at + 3]);
            constants.insert(id, (ty, value));
            by_value.entry((ty, value)).or_insert(id);
        }
    }
    let mut edits = Vec::new();
    for &(at, count) in instructions {
        for &offset in semantics_words(words[at] & 0xffff) {
            if offset >= count {
                continue;
            }
            let Some(&(ty, value)) = constants.get(&words[at + offset]) else {
                continue;
            };
            if value & ORDER_BITS == 0 {
                continue;
            }
            if let Some(&relaxed) = by_value.get(&(ty, value & !ORDER_BITS)) {
                edits.push((at + offset, relaxed));
            }
        }
    }
    edits
}

impl Fit {
    /// `words` fitted to the device (borrowed when nothing changes). A malformed instruction
    /// stream is returned as it is, for the driver (and `spirv-val`) to reject.
    pub(crate) fn apply<'a>(&self, words: &'a [u32]) -> Cow<'a, [u32]> {
        let Some(instructions) = instructions(words) else {
            return Cow::Borrowed(words);
        };
        let dropped = self.float_controls.unhonoured(words, &instructions);
        let relaxed = if self.relax_atomics {
            relaxed_semantics(words, &instructions)
        } else {
            Vec::new()
        };
        if dropped.is_empty() && relaxed.is_empty() {
            return Cow::Borrowed(words);
        }
        let mut edited = words.to_vec();
        for (word, id) in relaxed {
            edited[word] = id;
        }
        let mut kept = Vec::with_capacity(edited.len());
        let mut from = 0;
        for (at, count) in dropped {
            kept.extend_from_slice(&edited[from..at]);
            from = at + count;
        }
        kept.extend_from_slice(&edited[from..]);
        Cow::Owned(kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `%10` is the `u32` type; `%11 = 72` (`AcquireRelease | UniformMemory`), `%12 = 64`
    /// (`UniformMemory`).
    const U32: u32 = 10;
    const ACQ_REL: u32 = 11;
    const RELAXED: u32 = 12;

    /// A header, `OpExecutionMode %3 DenormPreserve 32`, `OpExecutionMode %3
    /// SignedZeroInfNanPreserve 64`, `OpExecutionMode %3 LocalSize 1 1 1`, the two semantics
    /// constants, an `OpAtomicIAdd` and an `OpAtomicLoad` with `%11`.
    fn module() -> Vec<u32> {
        let mut words = vec![0x0723_0203, 0x0001_0500, 0, 20, 0];
        words.extend([4 << 16 | OP_EXECUTION_MODE, 3, DENORM_PRESERVE, 32]);
        let szinp = SIGNED_ZERO_INF_NAN_PRESERVE;
        words.extend([4 << 16 | OP_EXECUTION_MODE, 3, szinp, 64]);
        words.extend([6 << 16 | OP_EXECUTION_MODE, 3, 17, 1, 1, 1]);
        words.extend([4 << 16 | OP_CONSTANT, U32, ACQ_REL, 72]);
        words.extend([4 << 16 | OP_CONSTANT, U32, RELAXED, 64]);
        // %14 = OpAtomicIAdd %u32 %ptr13 %scope %11 %value15
        words.extend([7 << 16 | 234, U32, 14, 13, 16, ACQ_REL, 15]);
        // %17 = OpAtomicLoad %u32 %ptr13 %scope %11
        words.extend([6 << 16 | 227, U32, 17, 13, 16, ACQ_REL]);
        words
    }

    const EVERY_MODE: FloatControls = FloatControls {
        denorm_preserve: [true; 3],
        signed_zero_inf_nan_preserve: [true; 3],
    };

    #[test]
    fn a_device_with_every_mode_and_ordered_atomics_gets_the_module_unchanged() {
        let fit = Fit {
            float_controls: EVERY_MODE,
            relax_atomics: false,
        };
        let words = module();
        assert!(matches!(fit.apply(&words), Cow::Borrowed(w) if w == words.as_slice()));
    }

    #[test]
    fn only_the_modes_the_device_lacks_are_dropped() {
        let fit = Fit {
            float_controls: FloatControls {
                denorm_preserve: [true, false, true],
                ..EVERY_MODE
            },
            relax_atomics: false,
        };
        let words = module();
        let mut want = words[..HEADER_WORDS].to_vec();
        want.extend_from_slice(&words[HEADER_WORDS + 4..]);
        assert_eq!(fit.apply(&words).as_ref(), want.as_slice());
    }

    #[test]
    fn relaxing_changes_loads_and_read_modify_writes() {
        let fit = Fit {
            float_controls: EVERY_MODE,
            relax_atomics: true,
        };
        let words = module();
        let fitted = fit.apply(&words);
        let add = words.len() - 13;
        let load = words.len() - 6;
        let mut want = words.clone();
        want[add + 5] = RELAXED;
        want[load + 5] = RELAXED;
        assert_eq!(fitted.as_ref(), want.as_slice());
    }

    #[test]
    fn a_truncated_stream_is_left_for_the_driver_to_reject() {
        let fit = Fit {
            float_controls: FloatControls::default(),
            relax_atomics: true,
        };
        let mut words = module();
        words.truncate(words.len() - 2);
        assert_eq!(fit.apply(&words).as_ref(), words.as_slice());
    }
}
