//! Vulkan compute through `ash`: the instance (the loader is opened at run time), device
//! discovery, buffers, per-queue submission streams on timeline semaphores, pipelines and
//! kernel launches following the ABI of [`dpex_abi::vulkan`].

mod buffer;
mod context;
mod fit;
mod launch;
mod pipeline;
mod probe;
mod stream;
mod timestamps;
mod transfer;

use std::sync::Arc;

use ash::vk;
use once_cell::sync::OnceCell;

use crate::error::Error;

pub(crate) use buffer::{Buffer, Placement};
pub(crate) use context::Context;
pub use fit::FloatControls;
pub(crate) use launch::enqueue;
pub(crate) use probe::Physical;
pub use probe::VulkanInfo;
pub(crate) use stream::{Signal, Stream};
pub(crate) use transfer::{copy, copy_rect, fill, read, write};

/// The Vulkan version dpex asks the instance for (devices must offer at least 1.2).
const API_VERSION: u32 = vk::API_VERSION_1_3;

/// The loaded Vulkan library and one instance, shared by every Vulkan device.
pub(crate) struct Instance {
    /// Keeps the loader library loaded while the instance lives.
    _entry: ash::Entry,
    pub(crate) instance: ash::Instance,
    /// The loader's instance version, e.g. `1.3.239`.
    pub(crate) version: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: every device created from the instance holds an `Arc<Instance>`, so none is
        // left when the last reference drops.
        unsafe { self.instance.destroy_instance(None) };
    }
}

/// What enumerating Vulkan gives: the devices as probed, or why there are none.
pub(crate) struct Discovery {
    /// One probe per physical device, in `vkEnumeratePhysicalDevices` order.
    pub(crate) devices: Vec<probe::Probe>,
    /// Why Vulkan could not be used at all or a device could not be listed (empty if none).
    pub(crate) problems: Vec<String>,
    /// The loader line of listings, e.g. `Vulkan loader 1.3.239`.
    pub(crate) loader: String,
}

/// Loads the Vulkan loader (`libvulkan.so.1`), creates an instance and probes every physical
/// device. Never fails: without a loader or an instance, there are no Vulkan devices and the
/// reason is one of the problems.
pub(crate) fn discover() -> Discovery {
    match instance() {
        Ok(instance) => {
            let (devices, problems) = probe::probe_all(instance);
            Discovery {
                devices,
                problems,
                loader: format!("Vulkan loader {}", instance.version),
            }
        }
        Err(reason) => Discovery {
            devices: Vec::new(),
            problems: vec![format!("Vulkan: {reason}")],
            loader: "Vulkan loader not available".to_string(),
        },
    }
}

/// The process's Vulkan instance, created at the first call.
fn instance() -> Result<&'static Arc<Instance>, String> {
    static INSTANCE: OnceCell<Result<Arc<Instance>, String>> = OnceCell::new();
    INSTANCE
        .get_or_init(create_instance)
        .as_ref()
        .map_err(Clone::clone)
}

fn create_instance() -> Result<Arc<Instance>, String> {
    // SAFETY: loading the system's Vulkan loader runs its initialisers; it is the library the
    // Vulkan specification defines for this, and nothing else is loaded.
    let entry = unsafe { ash::Entry::load() }
        .map_err(|e| format!("no Vulkan loader (libvulkan.so.1) could be loaded: {e}"))?;
    // SAFETY: a plain query on a loaded entry.
    let version = match unsafe { entry.try_enumerate_instance_version() } {
        Ok(Some(v)) => v,
        Ok(None) => vk::API_VERSION_1_0,
        Err(e) => return Err(format!("vkEnumerateInstanceVersion failed with {e:?}")),
    };
    if version < vk::API_VERSION_1_2 {
        return Err(format!(
            "the Vulkan loader is version {}; dpex needs 1.2 or later",
            version_string(version)
        ));
    }
    let app = vk::ApplicationInfo::default()
        .application_name(c"dpex")
        .engine_name(c"dpex")
        .api_version(API_VERSION);
    let info = vk::InstanceCreateInfo::default().application_info(&app);
    // SAFETY: `info` and what it points to live across the call; no layers or extensions.
    let instance = unsafe { entry.create_instance(&info, None) }
        .map_err(|e| format!("vkCreateInstance failed with {e:?}"))?;
    Ok(Arc::new(Instance {
        _entry: entry,
        instance,
        version: version_string(version),
    }))
}

/// `major.minor.patch` of a Vulkan version number.
pub(crate) fn version_string(version: u32) -> String {
    format!(
        "{}.{}.{}",
        vk::api_version_major(version),
        vk::api_version_minor(version),
        vk::api_version_patch(version)
    )
}

/// A `map_err` adapter turning a `vk::Result` into [`Error::Driver`].
pub(crate) fn vk_err(
    operation: &'static str,
    detail: impl Into<String>,
) -> impl FnOnce(vk::Result) -> Error {
    let detail = detail.into();
    move |result| Error::Driver {
        api: dpex_abi::Api::Vulkan,
        operation,
        status: result.as_raw(),
        status_name: format!("{result:?}"),
        detail,
    }
}
