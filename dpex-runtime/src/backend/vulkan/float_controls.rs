//! Fits a module's float-controls execution modes to the device: drops the modes its
//! `VkPhysicalDeviceFloatControlsProperties` say it cannot honour.
//!
//! The Vulkan flavour asks for `DenormPreserve` and `SignedZeroInfNanPreserve` on every float
//! width a kernel uses (Rust's semantics). Vulkan forbids a mode the device lacks for a width,
//! so such a device gets the module without it and computes as its driver does by default
//! (the NVIDIA H200, for one, flushes `f32` subnormals: [`FloatControls`] tells users).

use std::borrow::Cow;

/// Which float-controls modes the device honours, per float width.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FloatControls {
    /// `shaderDenormPreserveFloat{16,32,64}`: subnormals are kept, not flushed to zero.
    pub denorm_preserve: [bool; 3],
    /// `shaderSignedZeroInfNanPreserveFloat{16,32,64}`: no optimization loses a zero's sign,
    /// an infinity or a NaN.
    pub signed_zero_inf_nan_preserve: [bool; 3],
}

/// `OpExecutionMode`'s opcode.
const OP_EXECUTION_MODE: u32 = 16;
/// The `DenormPreserve` execution mode.
const DENORM_PRESERVE: u32 = 4459;
/// The `SignedZeroInfNanPreserve` execution mode.
const SIGNED_ZERO_INF_NAN_PRESERVE: u32 = 4461;
/// Words in a SPIR-V module's header.
const HEADER_WORDS: usize = 5;

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

    /// `words` without the float-controls execution modes the device does not honour
    /// (borrowed when it honours them all). A malformed instruction stream is returned as it
    /// is, for the driver (and `spirv-val`) to reject.
    pub(crate) fn fit<'a>(&self, words: &'a [u32]) -> Cow<'a, [u32]> {
        let mut dropped: Vec<std::ops::Range<usize>> = Vec::new();
        let mut at = HEADER_WORDS;
        while at < words.len() {
            let count = (words[at] >> 16) as usize;
            if count == 0 || at + count > words.len() {
                return Cow::Borrowed(words);
            }
            let opcode = words[at] & 0xffff;
            // OpExecutionMode %entry mode literal: 4 words for the float-controls modes.
            if opcode == OP_EXECUTION_MODE
                && count == 4
                && !self.honours(words[at + 2], words[at + 3])
            {
                dropped.push(at..at + count);
            }
            at += count;
        }
        if dropped.is_empty() {
            return Cow::Borrowed(words);
        }
        let mut kept = Vec::with_capacity(words.len());
        let mut from = 0;
        for range in dropped {
            kept.extend_from_slice(&words[from..range.start]);
            from = range.end;
        }
        kept.extend_from_slice(&words[from..]);
        Cow::Owned(kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header, then `OpExecutionMode %3 DenormPreserve 32`,
    /// `OpExecutionMode %3 SignedZeroInfNanPreserve 64` and `OpExecutionMode %3 LocalSize 1 1 1`.
    fn module() -> Vec<u32> {
        let mut words = vec![0x0723_0203, 0x0001_0500, 0, 10, 0];
        words.extend([4 << 16 | OP_EXECUTION_MODE, 3, DENORM_PRESERVE, 32]);
        words.extend([
            4 << 16 | OP_EXECUTION_MODE,
            3,
            SIGNED_ZERO_INF_NAN_PRESERVE,
            64,
        ]);
        words.extend([6 << 16 | OP_EXECUTION_MODE, 3, 17, 1, 1, 1]);
        words
    }

    #[test]
    fn a_device_with_every_mode_gets_the_module_unchanged() {
        let all = FloatControls {
            denorm_preserve: [true; 3],
            signed_zero_inf_nan_preserve: [true; 3],
        };
        let words = module();
        assert!(matches!(all.fit(&words), Cow::Borrowed(w) if w == words.as_slice()));
    }

    #[test]
    fn only_the_modes_the_device_lacks_are_dropped() {
        let no_f32_denormals = FloatControls {
            denorm_preserve: [true, false, true],
            signed_zero_inf_nan_preserve: [true; 3],
        };
        let words = module();
        let fitted = no_f32_denormals.fit(&words);
        let mut want = words[..HEADER_WORDS].to_vec();
        want.extend_from_slice(&words[HEADER_WORDS + 4..]);
        assert_eq!(fitted.as_ref(), want.as_slice());
    }

    #[test]
    fn a_truncated_stream_is_left_for_the_driver_to_reject() {
        let none = FloatControls::default();
        let mut words = module();
        words.truncate(words.len() - 2);
        assert_eq!(none.fit(&words).as_ref(), words.as_slice());
    }
}
