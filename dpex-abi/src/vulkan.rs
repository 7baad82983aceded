//! How a kernel's parameters reach a Vulkan compute pipeline: the one description that the
//! Vulkan flavour of the SPIR-V emitter writes ([`Interface`]) and the Vulkan launcher reads.
//!
//! # The ABI
//!
//! A dpex Vulkan module is SPIR-V 1.5 with one `GLCompute` entry point named after the kernel,
//! `PhysicalStorageBuffer64` addressing and no descriptor sets:
//!
//! - **Push constants:** up to [`PUSH_CONSTANT_BYTES`] bytes at offset 0. When the argument
//!   block fits them ([`Interface::block_in_push_constants`]: at most [`PUSH_BLOCK_WORDS`]
//!   words), they *are* the argument block; otherwise they hold one `u64`, the device address
//!   (`vkGetBufferDeviceAddress`) of the argument block in memory the device can read.
//!   Push constants cost a work-item nothing to read; a block in memory costs every
//!   work-group its loads.
//! - **Argument block:** [`Interface::block_words`] little-endian `u64` words, written by the
//!   launcher before the dispatch:
//!   - at [`Interface::range_word`], three words: the launch's global range, one extent per
//!     dimension (1 beyond the kernel's dimensions). The kernel returns at entry for work-items
//!     outside it (a dispatch covers whole work-groups), and reads its global size from here;
//!   - for each kernel parameter, the words its [`Slot`] names (a local accessor's extents);
//!   - at [`Interface::error_record_word`], when the kernel reports errors, the device address
//!     of its error record ([`crate::record`]).
//! - **Specialization constants**, set at pipeline creation: the work-group size at
//!   [`LOCAL_SIZE_SPEC_IDS`] (x, y, z, 32-bit unsigned, decorating the `WorkgroupSize`
//!   built-in); the element count of each local accessor (32-bit unsigned, the product of its
//!   extents) at the id its [`Slot::Local`] names; and at [`FUSED_FMA_SPEC_ID`] a boolean, true when the device's
//!   `Fma` rounds once (`mul_add` then uses it; otherwise dpex's exact emulation).
//!
//! Tensor memory is addressed through `PhysicalStorageBuffer` pointers made from the device
//! addresses in the block; the buffers need `VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT`.

use std::borrow::Cow;

pub use crate::ParamShape;

/// Bytes of push constants every dpex pipeline declares: 128, the least `maxPushConstantsSize`
/// Vulkan allows, so that every device takes the modules.
pub const PUSH_CONSTANT_BYTES: u32 = 128;

/// The most words an argument block passed in the push constants has.
pub const PUSH_BLOCK_WORDS: u32 = PUSH_CONSTANT_BYTES / 8;

/// Specialization constant ids of the work-group size, x (dimension 0), y and z.
pub const LOCAL_SIZE_SPEC_IDS: [u32; 3] = [0, 1, 2];

/// The specialization constant id of the first local accessor's element count; the next ones
/// follow in parameter order.
pub const FIRST_LOCAL_SPEC_ID: u32 = 3;

/// The specialization constant id of the boolean that says whether the device's `Fma` is fused
/// (one rounding, as Rust's `mul_add`): true on most GPUs, false on lavapipe.
pub const FUSED_FMA_SPEC_ID: u32 = 256;

/// The specialization constant id of the boolean that says whether the device's float
/// `OpFDiv` and `Sqrt` are correctly rounded (as Rust's `/` and `sqrt`): true on lavapipe; false (the
/// default) elsewhere, where the kernel refines them with fused `Fma` residuals.
pub const CORRECT_DIV_SQRT_SPEC_ID: u32 = 257;

/// Where one kernel parameter's values go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    /// A scalar in one word of the argument block: its little-endian bytes in the word's low
    /// bytes, the rest zero (`bool` as 0 or 1).
    Scalar {
        /// The word's index in the block.
        word: u32,
    },
    /// A tensor view in `2 + 2 * dims` consecutive words: the device address of the buffer's
    /// first element (not the view's; 0 for an empty view), the view's offset in elements,
    /// `dims` extents (axis 0 first), then `dims` strides in elements as `i64`s. Element
    /// `[i0, i1, ...]` is at `address + elem_size * (offset + i0 * stride0 + i1 * stride1 + ...)`.
    Tensor {
        /// The index of the address word.
        word: u32,
        /// The number of axes.
        dims: u32,
    },
    /// A local accessor: work-group memory whose element count is a specialization constant,
    /// with its `dims` extents (axis 0 first) in consecutive words of the block; element
    /// `[i0, i1, ...]` is at `(i0 * n1 + i1) * n2 + ...` (row-major).
    Local {
        /// The specialization constant id of its element count.
        spec_id: u32,
        /// The index of the word holding its axis 0's extent.
        word: u32,
        /// The number of axes.
        dims: u32,
    },
}

/// The launch interface of one kernel's Vulkan module.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Interface {
    /// Words in the argument block.
    pub block_words: u32,
    /// The first of the three words holding the global range.
    pub range_word: u32,
    /// One slot per kernel parameter, in parameter order.
    pub params: Cow<'static, [Slot]>,
    /// The word holding the error record's device address, for a kernel that reports errors.
    pub error_record_word: Option<u32>,
}

/// A kernel compiled for Vulkan: the module's words and its interface.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Module {
    /// The SPIR-V words.
    pub words: Cow<'static, [u32]>,
    /// A stable hash of the words (a pipeline cache key).
    pub hash: u64,
    /// How the parameters reach the kernel.
    pub interface: Interface,
}

impl Interface {
    /// Lays out the argument block of a kernel whose parameters have the given shapes, in
    /// order: the range first, then each parameter, then the error record's address; local
    /// accessors take specialization constant ids from [`FIRST_LOCAL_SPEC_ID`] on.
    pub fn layout(params: &[ParamShape], reports_errors: bool) -> Interface {
        let range_word = 0;
        let mut word = 3;
        let mut spec_id = FIRST_LOCAL_SPEC_ID;
        let slots = params
            .iter()
            .map(|shape| match *shape {
                ParamShape::Scalar => {
                    word += 1;
                    Slot::Scalar { word: word - 1 }
                }
                ParamShape::Tensor { dims } => {
                    let slot = Slot::Tensor { word, dims };
                    word += 2 + 2 * dims;
                    slot
                }
                ParamShape::Local { dims } => {
                    let slot = Slot::Local {
                        spec_id,
                        word,
                        dims,
                    };
                    spec_id += 1;
                    word += dims;
                    slot
                }
            })
            .collect::<Vec<_>>();
        let error_record_word = reports_errors.then(|| {
            word += 1;
            word - 1
        });
        Interface {
            block_words: word,
            range_word,
            params: Cow::Owned(slots),
            error_record_word,
        }
    }

    /// Whether the argument block is passed in the push constants (it has at most
    /// [`PUSH_BLOCK_WORDS`] words) rather than through its address.
    pub fn block_in_push_constants(&self) -> bool {
        self.block_words <= PUSH_BLOCK_WORDS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_holds_the_range_then_each_parameter_then_the_record() {
        let shapes = [
            ParamShape::Scalar,
            ParamShape::Tensor { dims: 2 },
            ParamShape::Local { dims: 1 },
            ParamShape::Scalar,
            ParamShape::Local { dims: 2 },
        ];
        let interface = Interface::layout(&shapes, true);
        assert_eq!(interface.range_word, 0);
        assert_eq!(
            &interface.params[..],
            [
                Slot::Scalar { word: 3 },
                Slot::Tensor { word: 4, dims: 2 },
                Slot::Local {
                    spec_id: 3,
                    word: 10,
                    dims: 1
                },
                Slot::Scalar { word: 11 },
                Slot::Local {
                    spec_id: 4,
                    word: 12,
                    dims: 2
                },
            ]
        );
        assert_eq!(interface.error_record_word, Some(14));
        assert_eq!(interface.block_words, 15);
        assert_eq!(Interface::layout(&[], false).block_words, 3);
    }
}
