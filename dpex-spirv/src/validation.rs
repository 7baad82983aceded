//! Which `spirv-val` environment checks an emitted module: one chooser for both APIs, so
//! tests and tools validate the same way.

use dpex_abi::Api;

/// The `spirv-val --target-env` value that validates `words`, emitted for `api`.
///
/// - Vulkan: `vulkan1.2` (SPIR-V 1.5 under Vulkan 1.2; its capability allow-list is the
///   gate, which `vulkan1.3` in spirv-tools 2023.1 does not check).
/// - OpenCL: `opencl2.2` (SPIR-V 1.2 under OpenCL 2.2), except for modules that environment
///   cannot take, which validate as universal SPIR-V of their version (`spv1.x`): those
///   declaring a capability of a device extension, `Float16` (`cl_khr_fp16`) or
///   `Int64Atomics` (`cl_khr_int64_base_atomics`), which `spirv-val`'s OpenCL environments
///   reject, and those of another version than 1.2 (sub-group shuffles need 1.3).
pub fn validation_env(words: &[u32], api: Api) -> String {
    if api == Api::Vulkan {
        return "vulkan1.2".to_owned();
    }
    let minor = words.get(1).map_or(2, |w| (w >> 8) & 0xff);
    if minor != 2 || declares_extension_capability(words) {
        format!("spv1.{minor}")
    } else {
        "opencl2.2".to_owned()
    }
}

/// `OpCapability` opcode.
const OP_CAPABILITY: u32 = 17;
/// `Float16` and `Int64Atomics`, the capabilities of OpenCL device extensions.
const EXTENSION_CAPABILITIES: [u32; 2] = [9, 12];

/// Whether `words` declare `Float16` or `Int64Atomics`.
fn declares_extension_capability(words: &[u32]) -> bool {
    let mut at = 5;
    while let Some(&first) = words.get(at) {
        let count = (first >> 16) as usize;
        if first & 0xffff == OP_CAPABILITY {
            if let Some(capability) = words.get(at + 1) {
                if EXTENSION_CAPABILITIES.contains(capability) {
                    return true;
                }
            }
        }
        at += count.max(1);
    }
    false
}
