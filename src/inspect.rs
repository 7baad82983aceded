//! Inspecting compiled kernels: the SPIR-V disassembly of a kernel's module.

use dpex_runtime::KernelSpec;

/// The disassembly (SPIR-V assembly text) of the module `spec` embeds, e.g.
/// `dpex::disassemble(saxpy.spec())`. The driver's build log is `dpex::build_log`.
pub fn disassemble(spec: &KernelSpec) -> Result<String, dpex_spirv::disasm::DisasmError> {
    dpex_spirv::disasm::disassemble(spec.spirv)
}
