//! Probing OpenCL platforms and devices: what each reports and whether dpex can use it (the
//! driver takes SPIR-V, has a compiler, uses 64-bit addresses).

use dpex_abi::Api;
use opencl3::device::{
    CL_DEVICE_TYPE_ACCELERATOR, CL_DEVICE_TYPE_ALL, CL_DEVICE_TYPE_CPU, CL_DEVICE_TYPE_GPU,
};
use opencl3::error_codes::ClError;
use opencl3::platform::get_platforms;

use super::status::status_name;
use crate::device::{DeviceInfo, DeviceType};
use crate::error::{Error, Result};
use crate::registry::{Handle, Probe};

/// Status of `clGetPlatformIDs` when the Khronos loader finds no vendor library.
const CL_PLATFORM_NOT_FOUND_KHR: i32 = -1001;
/// cl3's status when `libOpenCL.so.1` cannot be loaded.
const DLOPEN_RUNTIME_LOAD_FAILED: i32 = -2000;

/// Every OpenCL platform's devices, probed, and the platforms that could not be listed; `Err`
/// when the OpenCL library cannot be loaded or the platforms cannot be listed.
pub(crate) fn enumerate() -> Result<(Vec<Probe>, Vec<String>)> {
    let platforms = match get_platforms() {
        Ok(platforms) => platforms,
        Err(ClError(CL_PLATFORM_NOT_FOUND_KHR)) => Vec::new(),
        Err(ClError(DLOPEN_RUNTIME_LOAD_FAILED)) => {
            let tried = match std::env::var("OPENCL_DYLIB_PATH") {
                Ok(paths) => {
                    format!("tried OPENCL_DYLIB_PATH=`{paths}` and the system `libOpenCL.so.1`")
                }
                Err(_) => {
                    "tried the system `libOpenCL.so.1`; OPENCL_DYLIB_PATH is unset".to_string()
                }
            };
            return Err(Error::NoOpenClLibrary { detail: tried });
        }
        Err(e) => {
            return Err(super::status::error(
                "clGetPlatformIDs",
                e.0,
                "listing OpenCL platforms",
            ))
        }
    };
    let mut probes = Vec::new();
    let mut problems = Vec::new();
    for (platform_index, platform) in platforms.iter().enumerate() {
        let platform_name = platform
            .name()
            .map(|n| clean(&n))
            .unwrap_or_else(|e| format!("<name unknown: {}>", status_name(e.0)));
        let ids = match platform.get_devices(CL_DEVICE_TYPE_ALL) {
            Ok(ids) => ids,
            Err(e) => {
                problems.push(format!(
                    "platform {platform_index} `{platform_name}`: clGetDeviceIDs failed with {}",
                    status_name(e.0)
                ));
                continue;
            }
        };
        for (device_index, id) in ids.into_iter().enumerate() {
            probes.push(describe(
                platform_index,
                &platform_name,
                device_index,
                opencl3::device::Device::new(id),
            ));
        }
    }
    Ok((probes, problems))
}

/// Trims the NUL terminators and blanks some drivers leave in info strings.
fn clean(s: &str) -> String {
    s.trim_matches(|c: char| c == '\0' || c.is_whitespace())
        .to_string()
}

fn text(query: opencl3::Result<String>) -> String {
    match query {
        Ok(s) => clean(&s),
        Err(e) => format!("<unknown: {}>", status_name(e.0)),
    }
}

fn describe(
    platform_index: usize,
    platform_name: &str,
    device_index: usize,
    id: opencl3::device::Device,
) -> Probe {
    let device_type = match id.dev_type() {
        Ok(t) if t & CL_DEVICE_TYPE_GPU != 0 => DeviceType::Gpu,
        Ok(t) if t & CL_DEVICE_TYPE_CPU != 0 => DeviceType::Cpu,
        Ok(t) if t & CL_DEVICE_TYPE_ACCELERATOR != 0 => DeviceType::Accelerator,
        _ => DeviceType::Other,
    };
    let (il_versions, il_problem) = match id.il_version() {
        Ok(v) => (clean(&v), None),
        Err(e) => (
            String::new(),
            Some(format!(
                "the driver does not accept SPIR-V (CL_DEVICE_IL_VERSION query failed with {}; \
                 OpenCL 2.1 or later is needed)",
                status_name(e.0)
            )),
        ),
    };
    let usable = if let Some(problem) = il_problem {
        Err(problem)
    } else if !il_versions.contains("SPIR-V") {
        Err(if il_versions.is_empty() {
            "the driver does not accept SPIR-V (empty CL_DEVICE_IL_VERSION)".to_string()
        } else {
            format!("the driver does not accept SPIR-V (CL_DEVICE_IL_VERSION is `{il_versions}`)")
        })
    } else if !id.available().unwrap_or(false) {
        Err("the device is not available (CL_DEVICE_AVAILABLE is false)".to_string())
    } else if !id.compiler_available().unwrap_or(false) {
        Err("the driver has no compiler (CL_DEVICE_COMPILER_AVAILABLE is false)".to_string())
    } else if id.address_bits().unwrap_or(0) != 64 {
        Err("the device does not use 64-bit addresses (dpex kernels are Physical64)".to_string())
    } else {
        Ok(())
    };
    let info = DeviceInfo {
        api: Api::OpenCl,
        platform_index,
        device_index,
        platform_name: platform_name.to_string(),
        name: text(id.name()),
        vendor: text(id.vendor()),
        driver_version: text(id.driver_version()),
        device_type,
        il_versions,
        extensions: id
            .extensions()
            .map(|e| clean(&e).split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
        max_work_group_size: id.max_work_group_size().ok(),
        max_work_item_sizes: id.max_work_item_sizes().unwrap_or_default(),
        max_work_group_count: Vec::new(),
        version: text(id.version()),
        compute_units: id.max_compute_units().ok(),
        global_mem_size: id.global_mem_size().ok(),
        max_mem_alloc_size: id.max_mem_alloc_size().ok(),
        local_mem_size: id.local_mem_size().ok(),
        double_fp_config: id.double_fp_config().ok(),
        // CL_FP_DENORM is bit 0 of the fp config.
        f32_subnormals: id.single_fp_config().is_ok_and(|c| c & 1 != 0),
        max_num_sub_groups: id.max_num_sub_groups().ok(),
        sub_group_sizes: sub_group_sizes(&id),
        usable,
        filter: String::new(),
        vulkan: None,
    };
    let handle = info
        .usable
        .is_ok()
        .then_some(Handle::OpenCl(super::device::Handle::new(id)));
    Probe { info, handle }
}

/// `CL_DEVICE_SUB_GROUP_SIZES_INTEL` (a `size_t` array); empty when the device does not report it.
fn sub_group_sizes(id: &opencl3::device::Device) -> Vec<usize> {
    const CL_DEVICE_SUB_GROUP_SIZES_INTEL: u32 = 0x4108;
    let Ok(bytes) = id.get_data(CL_DEVICE_SUB_GROUP_SIZES_INTEL) else {
        return Vec::new();
    };
    bytes
        .chunks_exact(std::mem::size_of::<usize>())
        .filter_map(|chunk| chunk.try_into().ok().map(usize::from_ne_bytes))
        .collect()
}
