//! The Vulkan side of the emit tests: every kernel the OpenCL tests emit is also emitted with
//! `emit_vulkan` (one module per kernel) and validated with `spirv-val --target-env vulkan1.2`
//! (and `vulkan1.3`).

use dpex_abi::Api;
use dpex_spirv::ir::Module;
use dpex_spirv::{emit_vulkan, validation_env, EmitError, VulkanOptions};

use super::validate_env;

/// What an [`EmitError::Unsupported`] may name: the functions the Vulkan flavour leaves to
/// dpex's math library, and the one control-flow shape it cannot express.
const KNOWN_GAPS: [&str; 2] = [
    "dpex's math library does not implement it",
    "a `return` in a loop's continuing block",
];

/// Emits each kernel of `module` (with all of its functions) for Vulkan and validates it;
/// returns the words of the kernels that emitted. A kernel using a known gap
/// ([`KNOWN_GAPS`]) must fail with [`EmitError::Unsupported`]; any other error fails the test.
pub fn also_valid(name: &str, module: &Module) -> Vec<Vec<u32>> {
    let mut emitted = Vec::new();
    for kernel in &module.kernels {
        let single = Module {
            functions: module.functions.clone(),
            kernels: vec![kernel.clone()],
        };
        let vk_name = format!("{name}-{}-vk", kernel.name);
        match emit_vulkan(&single, &VulkanOptions::default()) {
            Ok(vk) => {
                validate_env(&vk_name, &vk.words, &validation_env(&vk.words, Api::Vulkan));
                // spirv-tools 2023.1's vulkan1.3 skips the capability allow-list, but checks
                // the rest as Vulkan 1.3 does.
                validate_env(&vk_name, &vk.words, "vulkan1.3");
                emitted.push(vk.words.into_owned());
            }
            Err(EmitError::Unsupported { what, .. })
                if KNOWN_GAPS.iter().any(|gap| what.contains(gap)) => {}
            Err(e) => panic!("emitting `{vk_name}` for Vulkan failed: {e}"),
        }
    }
    emitted
}
