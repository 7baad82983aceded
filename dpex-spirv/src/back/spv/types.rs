//! Type and constant cache: one SPIR-V id per scalar type, pointer type and constant value,
//! and the capabilities the types used so far require.

use std::collections::{HashMap, HashSet};

use rspirv::dr::Operand;
use rspirv::spirv::{Capability, Decoration, StorageClass, Word};

use super::f16::f64_to_f16_bits;
use super::Emitter;
use crate::ir::Scalar;

/// What the module has declared so far beyond what the builder deduplicates itself.
#[derive(Debug, Default)]
pub(super) struct Cache {
    /// `OpConstant`s by (type id, bit pattern).
    constants: HashMap<(Word, u64), Word>,
    /// `OpConstantFalse` / `OpConstantTrue`.
    bools: [Option<Word>; 2],
    /// An 8-bit integer type was used.
    int8: bool,
    /// A 16-bit integer type was used.
    int16: bool,
    /// `f16` was used.
    float16: bool,
    /// `f32` was used.
    float32: bool,
    /// `f64` was used.
    float64: bool,
    /// `PhysicalStorageBuffer` pointer types already decorated with their `ArrayStride`.
    strided: HashSet<Word>,
}

impl Cache {
    /// The optional capabilities the declared types need.
    pub(super) fn capabilities(&self) -> impl Iterator<Item = Capability> {
        [
            (self.int8, Capability::Int8),
            (self.int16, Capability::Int16),
            (self.float16, Capability::Float16),
            (self.float64, Capability::Float64),
        ]
        .into_iter()
        .filter_map(|(used, capability)| used.then_some(capability))
    }

    /// The widths in bits of the float types declared, narrowest first.
    pub(super) fn float_widths(&self) -> impl Iterator<Item = u32> {
        [(self.float16, 16), (self.float32, 32), (self.float64, 64)]
            .into_iter()
            .filter_map(|(used, width)| used.then_some(width))
    }
}

impl Emitter {
    /// The SPIR-V type of values of `s`. Integer types have signedness 0, the OpenCL
    /// convention, so casts between signed and unsigned types of one width are no-ops.
    pub(super) fn ty(&mut self, s: Scalar) -> Word {
        match s {
            Scalar::Bool => self.b.type_bool(),
            Scalar::F16 => {
                self.types.float16 = true;
                self.b.type_float(16, None)
            }
            Scalar::F32 => {
                self.types.float32 = true;
                self.b.type_float(32, None)
            }
            Scalar::F64 => {
                self.types.float64 = true;
                self.b.type_float(64, None)
            }
            _ => {
                match s.bits() {
                    8 => self.types.int8 = true,
                    16 => self.types.int16 = true,
                    _ => {}
                }
                self.b.type_int(s.bits(), 0)
            }
        }
    }

    /// The type `s` has in memory and in kernel arguments: `bool` is stored as a `u8`.
    pub(super) fn storage_ty(&mut self, s: Scalar) -> Word {
        self.ty(storage_scalar(s))
    }

    /// A pointer type into `class` pointing at `pointee`.
    pub(super) fn ptr_ty(&mut self, class: StorageClass, pointee: Word) -> Word {
        self.b.type_pointer(None, class, pointee)
    }

    /// A pointer type into global memory (tensors, the error record) pointing at elements of
    /// `s` in their storage type. A Vulkan `PhysicalStorageBuffer` pointer type is decorated
    /// `ArrayStride` (the element size, which `OpPtrAccessChain` steps by), and 8- and 16-bit
    /// elements declare `StorageBuffer8BitAccess`/`StorageBuffer16BitAccess`.
    pub(super) fn global_ptr_ty(&mut self, s: Scalar) -> Word {
        let pointee = self.storage_ty(s);
        let class = self.flavour.global_class();
        let ptr = self.ptr_ty(class, pointee);
        if class == StorageClass::PhysicalStorageBuffer && self.types.strided.insert(ptr) {
            let size = storage_size(s);
            self.b
                .decorate(ptr, Decoration::ArrayStride, [Operand::LiteralBit32(size)]);
            match size {
                1 => self.require(Capability::StorageBuffer8BitAccess),
                2 => self.require(Capability::StorageBuffer16BitAccess),
                _ => {}
            }
        }
        ptr
    }

    /// The constant of type `s` whose bit pattern is `bits` (already truncated to the width;
    /// for floats, the bits of a value of that width).
    fn constant_bits(&mut self, s: Scalar, bits: u64) -> Word {
        let ty = self.ty(s);
        if let Some(&id) = self.types.constants.get(&(ty, bits)) {
            return id;
        }
        let id = match u32::try_from(bits) {
            Ok(low) if s.bits() <= 32 => self.b.constant_bit32(ty, low),
            _ => self.b.constant_bit64(ty, bits),
        };
        self.types.constants.insert((ty, bits), id);
        id
    }

    /// The integer constant `value` of integer type `s`, truncated to its width.
    pub(super) fn const_int(&mut self, s: Scalar, value: u64) -> Word {
        let bits = match s.bits() {
            64 => value,
            width => value & ((1u64 << width) - 1),
        };
        self.constant_bits(s, bits)
    }

    /// The float constant of type `s` from the bits of an `f64` (rounded to nearest for
    /// `f32` and `f16`).
    pub(super) fn const_float(&mut self, s: Scalar, f64_bits: u64) -> Word {
        let bits = match s {
            Scalar::F16 => u64::from(f64_to_f16_bits(f64::from_bits(f64_bits))),
            Scalar::F32 => u64::from((f64::from_bits(f64_bits) as f32).to_bits()),
            _ => f64_bits,
        };
        self.constant_bits(s, bits)
    }

    /// The `bool` constant `value`.
    pub(super) fn const_bool(&mut self, value: bool) -> Word {
        let slot = usize::from(value);
        if let Some(id) = self.types.bools[slot] {
            return id;
        }
        let ty = self.b.type_bool();
        let id = if value {
            self.b.constant_true(ty)
        } else {
            self.b.constant_false(ty)
        };
        self.types.bools[slot] = Some(id);
        id
    }

    /// The zero of numeric type `s`.
    pub(super) fn const_zero(&mut self, s: Scalar) -> Word {
        self.constant_bits(s, 0)
    }
}

/// The scalar a value of `s` is stored as in memory and kernel arguments.
pub(super) fn storage_scalar(s: Scalar) -> Scalar {
    match s {
        Scalar::Bool => Scalar::U8,
        other => other,
    }
}

/// The size of `s` in memory, in bytes (its alignment as well).
pub(super) fn storage_size(s: Scalar) -> u32 {
    storage_scalar(s).bits() / 8
}
