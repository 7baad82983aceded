//! The process-wide list of devices, enumerated once: every OpenCL platform's devices, then every
//! Vulkan physical device; one `Device` (and context) per device.

use dpex_abi::Api;
use once_cell::sync::OnceCell;

use crate::backend::{opencl, vulkan};
use crate::device::{Device, DeviceInfo, DeviceType};
use crate::error::Result;

/// One device as enumerated: its description and, if usable, its `Device` handle.
pub(crate) struct Entry {
    pub(crate) info: DeviceInfo,
    pub(crate) device: Option<Device>,
}

/// Every device seen, plus the platforms that could not be listed.
pub(crate) struct Registry {
    pub(crate) entries: Vec<Entry>,
    pub(crate) problems: Vec<String>,
    /// The Vulkan loader's line of the listing.
    pub(crate) vulkan_loader: String,
}

static REGISTRY: OnceCell<Registry> = OnceCell::new();

/// The registry, enumerated at the first call (a failed enumeration is retried at the next call).
pub(crate) fn registry() -> Result<&'static Registry> {
    REGISTRY.get_or_try_init(enumerate)
}

/// `NAME=`value`` (noting paths that do not exist), or `NAME unset`.
fn env_or_unset(name: &str) -> String {
    match std::env::var(name) {
        Ok(value) => {
            let missing = value
                .split([';', ':'])
                .filter(|p| !p.is_empty() && !std::path::Path::new(p).exists())
                .count();
            let note = if missing > 0 {
                " (missing: run scripts/setup-opencl.sh)"
            } else {
                ""
            };
            format!("{name}=`{value}`{note}")
        }
        Err(_) => format!("{name} unset"),
    }
}

/// OpenCL's devices, then Vulkan's. Without an OpenCL library the Vulkan devices are still
/// listed (the missing library becomes a problem of the listing), unless there are none: then
/// the OpenCL error is returned.
fn enumerate() -> Result<Registry> {
    let vk = vulkan::discover();
    let (mut probes, mut problems) = match opencl::probe::enumerate() {
        Ok(found) => found,
        Err(e) if !vk.devices.is_empty() => (Vec::new(), vec![format!("OpenCL: {e}")]),
        Err(e) => return Err(e),
    };
    problems.extend(vk.problems);
    probes.extend(vk.devices.into_iter().map(|p| Probe {
        info: p.info,
        handle: p.physical.map(Handle::Vulkan),
    }));
    Ok(Registry {
        entries: into_entries(probes),
        problems,
        vulkan_loader: vk.loader,
    })
}

/// A device as queried, before filter strings are assigned.
pub(crate) struct Probe {
    pub(crate) info: DeviceInfo,
    /// The device's handle if dpex can use it.
    pub(crate) handle: Option<Handle>,
}

/// The handle of a usable device, by API.
pub(crate) enum Handle {
    /// An OpenCL device.
    OpenCl(opencl::device::Handle),
    /// A Vulkan physical device.
    Vulkan(vulkan::Physical),
}

/// Gives each device its filter string, then builds the usable devices' handles.
pub(crate) fn into_entries(mut probes: Vec<Probe>) -> Vec<Entry> {
    let mut counts = std::collections::HashMap::<(Api, DeviceType), usize>::new();
    for info in probes.iter_mut().map(|p| &mut p.info) {
        if info.is_usable() {
            let n = counts.entry((info.api, info.device_type)).or_insert(0);
            info.filter = format!("{}:{}:{}", info.api, info.device_type, n);
            *n += 1;
        } else if info.api == Api::Vulkan {
            info.filter = format!("vulkan:{}", info.platform_index);
        } else {
            info.filter = format!("opencl:{}:{}", info.platform_index, info.device_index);
        }
    }
    probes
        .into_iter()
        .map(|Probe { info, handle }| Entry {
            device: handle.map(|handle| match handle {
                Handle::OpenCl(handle) => Device::from_opencl(handle, info.clone()),
                Handle::Vulkan(physical) => Device::from_vulkan(physical, info.clone()),
            }),
            info,
        })
        .collect()
}

impl Registry {
    /// One line per device (and per platform that failed), for error messages.
    pub(crate) fn listing(&self) -> String {
        let mut lines = vec![format!(
            "  (OpenCL loader: {}; {}; {})",
            env_or_unset("OPENCL_DYLIB_PATH"),
            env_or_unset("OCL_ICD_FILENAMES"),
            self.vulkan_loader
        )];
        if self.entries.is_empty() && self.problems.is_empty() {
            lines.push("  no OpenCL platforms or devices found".to_string());
        }
        lines.extend(self.entries.iter().map(|e| format!("  {}", e.info)));
        lines.extend(self.problems.iter().map(|p| format!("  {p}")));
        lines.join("\n")
    }
}
