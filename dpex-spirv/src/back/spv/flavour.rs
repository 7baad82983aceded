//! The flavour seam: what the OpenCL and Vulkan flavours of the writer do differently in the
//! header, storage classes and memory semantics. The rest of the differences (entry point,
//! parameters, built-ins, math) branch on [`Flavour`] where they are lowered.

use rspirv::dr::Builder;
use rspirv::spirv::{AddressingModel, Capability, FunctionControl, MemoryModel, StorageClass};

/// Which client API a module is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::back) enum Flavour {
    /// OpenCL: `Kernel` entry points, `Physical64` addressing, `OpenCL.std`.
    OpenCl,
    /// Vulkan: a `GLCompute` entry point, `PhysicalStorageBuffer64` addressing,
    /// `GLSL.std.450`, parameters in an argument block.
    Vulkan,
}

/// `MemorySemantics` bit of OpenCL's global memory (`CrossWorkgroupMemory`).
const CROSS_WORKGROUP_MEMORY: u32 = 0x200;
/// `MemorySemantics` bit of storage-buffer memory, physical storage buffers included
/// (`UniformMemory`).
const UNIFORM_MEMORY: u32 = 0x40;

impl Flavour {
    /// Declares the fixed capabilities and the memory model.
    ///
    /// Vulkan uses the `GLSL450` memory model rather than the Vulkan one: it needs no
    /// `MakeAvailable`/`MakeVisible` semantics or `NonPrivatePointer` accesses, allows
    /// `SequentiallyConsistent` (Rust's `SeqCst`) and `Device` scope without
    /// `VulkanMemoryModelDeviceScope`, and every Vulkan 1.2+ device takes it.
    pub(super) fn header(self, b: &mut Builder) {
        match self {
            Flavour::OpenCl => {
                b.capability(Capability::Addresses);
                b.capability(Capability::Kernel);
                b.capability(Capability::Int64);
                b.memory_model(AddressingModel::Physical64, MemoryModel::OpenCL);
            }
            Flavour::Vulkan => {
                b.capability(Capability::Shader);
                b.capability(Capability::Int64);
                b.capability(Capability::PhysicalStorageBufferAddresses);
                b.memory_model(
                    AddressingModel::PhysicalStorageBuffer64,
                    MemoryModel::GLSL450,
                );
            }
        }
    }

    /// The `FunctionControl` of each function of a module (the kernel, device functions, the
    /// math library, `__dpex_report`; `cold` for the report, which runs only on failure).
    ///
    /// Vulkan asks for `Inline` on every one. On the NVIDIA H200 (driver 580.159.04),
    /// kernels that loop over a device function of a long `if` chain calling the math library
    /// (`language_math`'s `f32_math_methods`, `f64_math_methods`) hung at run time with `None`;
    /// the same modules with `Inline` on every function finish in about a second with correct
    /// results. `DontInline` fixed only the f64 one, and inlining beforehand with
    /// `spirv-opt --inline-entry-points-exhaustive` neither (GPU.md, 2026-12-04).
    pub(super) fn function_control(self, cold: bool) -> FunctionControl {
        match self {
            Flavour::OpenCl if cold => FunctionControl::DONT_INLINE,
            Flavour::OpenCl => FunctionControl::NONE,
            Flavour::Vulkan => FunctionControl::INLINE,
        }
    }

    /// The storage class of global (tensor and error record) memory.
    pub(super) fn global_class(self) -> StorageClass {
        match self {
            Flavour::OpenCl => StorageClass::CrossWorkgroup,
            Flavour::Vulkan => StorageClass::PhysicalStorageBuffer,
        }
    }

    /// The `MemorySemantics` bit naming global memory.
    pub(super) fn global_memory_bits(self) -> u32 {
        match self {
            Flavour::OpenCl => CROSS_WORKGROUP_MEMORY,
            Flavour::Vulkan => UNIFORM_MEMORY,
        }
    }
}
