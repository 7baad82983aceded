//! Devices of every API: listing them, selecting one by a selector string, and what each
//! holds (an OpenCL device and its shared context, or a Vulkan physical device and its logical
//! device).

use std::fmt;
use std::sync::Arc;

use crate::backend::opencl;
use crate::backend::vulkan::{Physical, VulkanInfo};
use crate::error::{Error, Result};
use crate::feature::Feature;
use crate::registry::registry;
use crate::selector;

/// The kind of a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeviceType {
    /// A CPU (`CL_DEVICE_TYPE_CPU`).
    Cpu,
    /// A GPU (`CL_DEVICE_TYPE_GPU`).
    Gpu,
    /// An accelerator such as an FPGA (`CL_DEVICE_TYPE_ACCELERATOR`).
    Accelerator,
    /// Anything else (`CL_DEVICE_TYPE_CUSTOM`, or the type query failed).
    Other,
}

impl DeviceType {
    /// The lowercase name used in selectors and filter strings: `cpu`, `gpu`, `accelerator`, `other`.
    pub fn name(self) -> &'static str {
        match self {
            DeviceType::Cpu => "cpu",
            DeviceType::Gpu => "gpu",
            DeviceType::Accelerator => "accelerator",
            DeviceType::Other => "other",
        }
    }
}

impl fmt::Display for DeviceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the runtime knows about one device, usable by dpex or not.
///
/// The API-neutral core: [`api`](Self::api), [`name`](Self::name), [`vendor`](Self::vendor),
/// [`driver_version`](Self::driver_version), [`device_type`](Self::device_type), the limits
/// ([`max_work_group_size`](Self::max_work_group_size),
/// [`max_work_item_sizes`](Self::max_work_item_sizes),
/// [`max_work_group_count`](Self::max_work_group_count),
/// [`local_mem_size`](Self::local_mem_size), [`sub_group_sizes`](Self::sub_group_sizes),
/// [`max_mem_alloc_size`](Self::max_mem_alloc_size)), the features ([`DeviceInfo::supports`])
/// and [`usable`](Self::usable). The field docs name the OpenCL query; for a Vulkan device each
/// holds the Vulkan counterpart (named in the field's doc), and [`vulkan`](Self::vulkan) has
/// the rest.
#[derive(Clone, Debug)]
pub struct DeviceInfo {
    /// The API dpex reaches the device through.
    pub api: dpex_abi::Api,
    /// Index of the platform in `clGetPlatformIDs` order; for Vulkan, the index of the physical
    /// device in `vkEnumeratePhysicalDevices` order.
    pub platform_index: usize,
    /// Index of the device within its platform (`clGetDeviceIDs` order); 0 for Vulkan.
    pub device_index: usize,
    /// `CL_PLATFORM_NAME`; for Vulkan `Vulkan <loader version>`.
    pub platform_name: String,
    /// `CL_DEVICE_NAME`.
    pub name: String,
    /// `CL_DEVICE_VENDOR`.
    pub vendor: String,
    /// `CL_DRIVER_VERSION`.
    pub driver_version: String,
    /// The device's type.
    pub device_type: DeviceType,
    /// `CL_DEVICE_IL_VERSION`, e.g. `SPIR-V_1.0 SPIR-V_1.1 ...` (empty when the driver takes no IL).
    pub il_versions: String,
    /// `CL_DEVICE_EXTENSIONS`, one entry per extension (empty when the query failed).
    pub extensions: Vec<String>,
    /// `CL_DEVICE_MAX_WORK_GROUP_SIZE` (`None`: the query failed); Vulkan:
    /// `maxComputeWorkGroupInvocations`.
    pub max_work_group_size: Option<usize>,
    /// `CL_DEVICE_MAX_WORK_ITEM_SIZES`, one limit per dimension (empty when the query failed);
    /// Vulkan: `maxComputeWorkGroupSize`.
    pub max_work_item_sizes: Vec<usize>,
    /// The most work-groups of one launch per dimension: Vulkan's `maxComputeWorkGroupCount`
    /// (empty for OpenCL, which has no such limit).
    pub max_work_group_count: Vec<u64>,
    /// `CL_DEVICE_VERSION`, e.g. `OpenCL 3.0 (Build 0)`.
    pub version: String,
    /// `CL_DEVICE_MAX_COMPUTE_UNITS` (`None`: the query failed).
    pub compute_units: Option<u32>,
    /// `CL_DEVICE_GLOBAL_MEM_SIZE` in bytes (`None`: the query failed).
    pub global_mem_size: Option<u64>,
    /// `CL_DEVICE_MAX_MEM_ALLOC_SIZE`: the largest single buffer in bytes (`None`: the query
    /// failed).
    pub max_mem_alloc_size: Option<u64>,
    /// `CL_DEVICE_LOCAL_MEM_SIZE` in bytes (`None`: the query failed); Vulkan:
    /// `maxComputeSharedMemorySize`.
    pub local_mem_size: Option<u64>,
    /// `CL_DEVICE_DOUBLE_FP_CONFIG` (`None`: the query failed; 0: no double precision).
    pub double_fp_config: Option<u64>,
    /// Whether `f32` subnormals survive arithmetic on the device (else they may be flushed to
    /// zero, in operands and results): OpenCL's `CL_FP_DENORM` in
    /// `CL_DEVICE_SINGLE_FP_CONFIG`; Vulkan's `shaderDenormPreserveFloat32` (the NVIDIA H200
    /// has none and flushes), or lavapipe, which keeps them without offering the mode
    /// (measured by the conformance suite).
    pub f32_subnormals: bool,
    /// `CL_DEVICE_MAX_NUM_SUB_GROUPS` (`None`: the query failed, e.g. before OpenCL 2.1).
    pub max_num_sub_groups: Option<u32>,
    /// `CL_DEVICE_SUB_GROUP_SIZES_INTEL` (empty when the device does not report it); Vulkan:
    /// `subgroupSize`.
    pub sub_group_sizes: Vec<usize>,
    /// `Ok(())` if dpex can run kernels on the device, else the reason it cannot.
    pub usable: std::result::Result<(), String>,
    /// A selector that names exactly this device: `opencl:<type>:<n>` / `vulkan:<type>:<n>`
    /// (the n-th usable device of that type and API) for usable devices,
    /// `opencl:<platform>:<device>` / `vulkan:<n>` for the others.
    pub filter: String,
    /// Vulkan's features and limits beyond the fields above (`None` for OpenCL devices).
    pub vulkan: Option<VulkanInfo>,
}

impl DeviceInfo {
    /// Whether dpex can run kernels on this device.
    pub fn is_usable(&self) -> bool {
        self.usable.is_ok()
    }
}

impl fmt::Display for DeviceInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(vulkan) = &self.vulkan {
            write!(
                f,
                "{:<16} Vulkan device {}: `{}` ({}; vendor `{}`; driver {}; Vulkan {}): ",
                self.filter,
                self.platform_index,
                self.name,
                self.device_type,
                self.vendor,
                self.driver_version,
                vulkan.api_version
            )?;
        } else {
            write!(
                f,
                "{:<16} platform {} `{}`, device {}: `{}` ({}; vendor `{}`; driver {}; IL `{}`): ",
                self.filter,
                self.platform_index,
                self.platform_name,
                self.device_index,
                self.name,
                self.device_type,
                self.vendor,
                self.driver_version,
                self.il_versions
            )?;
        }
        match &self.usable {
            Ok(()) => f.write_str("usable"),
            Err(reason) => write!(f, "NOT usable: {reason}"),
        }
    }
}

/// A device dpex can run kernels on: an OpenCL device that accepts SPIR-V or a Vulkan device
/// with buffer device addresses. Cheap to clone; all clones share one OpenCL context (or one
/// Vulkan logical device).
#[derive(Clone)]
pub struct Device {
    inner: Arc<DeviceInner>,
}

pub(crate) struct DeviceInner {
    pub(crate) info: DeviceInfo,
    backend: DeviceBackend,
}

/// The API object behind a [`Device`].
pub(crate) enum DeviceBackend {
    /// An OpenCL device and its context.
    OpenCl(opencl::device::Handle),
    /// A Vulkan physical device (its logical device is created at first use).
    Vulkan(Physical),
}

impl Device {
    /// An OpenCL device.
    pub(crate) fn from_opencl(handle: opencl::device::Handle, info: DeviceInfo) -> Device {
        Device {
            inner: Arc::new(DeviceInner {
                info,
                backend: DeviceBackend::OpenCl(handle),
            }),
        }
    }

    /// A Vulkan device.
    pub(crate) fn from_vulkan(physical: Physical, info: DeviceInfo) -> Device {
        Device {
            inner: Arc::new(DeviceInner {
                info,
                backend: DeviceBackend::Vulkan(physical),
            }),
        }
    }

    /// The API object behind the device.
    pub(crate) fn backend(&self) -> &DeviceBackend {
        &self.inner.backend
    }

    /// The API dpex reaches the device through.
    pub fn api(&self) -> dpex_abi::Api {
        self.inner.info.api
    }

    /// Every OpenCL platform's devices and every Vulkan device, usable by dpex or not (see
    /// [`DeviceInfo::usable`]).
    pub fn all() -> Result<Vec<DeviceInfo>> {
        Ok(registry()?.entries.iter().map(|e| e.info.clone()).collect())
    }

    /// A human-readable listing of every platform and device with its filter string and usability.
    pub fn listing() -> Result<String> {
        Ok(registry()?.listing())
    }

    /// Selects a device by a selector string.
    ///
    /// Forms (case-insensitive): `cpu`, `gpu`, `accelerator` (also `fpga`), `*` (any device),
    /// `opencl` / `vulkan` (any device of that API), `opencl:gpu:1` (the second usable OpenCL
    /// GPU), `vulkan:cpu:0` (the first usable Vulkan CPU device, e.g. lavapipe), `opencl:0`
    /// (any device of platform 0), `opencl:0:1` (platform 0, device 1), `vulkan:0` (the first
    /// Vulkan device). Without an API prefix a type matches devices of every API: GPUs before
    /// CPUs for the default device, and OpenCL devices before Vulkan ones within one type.
    /// A comma-separated list is tried in order. Only usable devices are selected.
    pub fn select(selector: &str) -> Result<Device> {
        let filters = match selector::parse(selector) {
            Ok(filters) => filters,
            Err(reason) => {
                let listing = match registry() {
                    Ok(r) => r.listing(),
                    Err(e) => format!("  (the devices could not be listed: {e})"),
                };
                return Err(Error::InvalidSelector {
                    selector: selector.to_string(),
                    reason,
                    listing,
                });
            }
        };
        registry()?.select(selector, &filters)
    }

    /// The default device: the selector in `DPEX_DEVICE` if set, else the first usable GPU, else
    /// the first usable CPU, else any usable device.
    pub fn default_device() -> Result<Device> {
        let env = std::env::var("DPEX_DEVICE").ok();
        Device::default_device_from(env.as_deref())
    }

    /// [`Device::default_device`] with the value of `DPEX_DEVICE` given explicitly
    /// (`None` or blank: unset).
    pub fn default_device_from(dpex_device: Option<&str>) -> Result<Device> {
        match dpex_device.map(str::trim) {
            Some(sel) if !sel.is_empty() => Device::select(sel),
            _ => registry()?.preferred(),
        }
    }

    /// `CL_DEVICE_NAME`.
    pub fn name(&self) -> &str {
        &self.inner.info.name
    }

    /// `CL_DEVICE_VENDOR`.
    pub fn vendor(&self) -> &str {
        &self.inner.info.vendor
    }

    /// `CL_DRIVER_VERSION`.
    pub fn driver_version(&self) -> &str {
        &self.inner.info.driver_version
    }

    /// The device's type.
    pub fn device_type(&self) -> DeviceType {
        self.inner.info.device_type
    }

    /// `CL_DEVICE_IL_VERSION`, e.g. `SPIR-V_1.0 SPIR-V_1.1 SPIR-V_1.2`.
    pub fn il_versions(&self) -> &str {
        &self.inner.info.il_versions
    }

    /// `CL_DEVICE_MAX_WORK_GROUP_SIZE` (1 if the query failed).
    pub fn max_work_group_size(&self) -> usize {
        self.inner.info.max_work_group_size.unwrap_or(1)
    }

    /// `CL_DEVICE_MAX_WORK_ITEM_SIZES`: the largest work-group extent per dimension (empty if
    /// the query failed).
    pub fn max_work_item_sizes(&self) -> &[usize] {
        &self.inner.info.max_work_item_sizes
    }

    /// `CL_DEVICE_MAX_COMPUTE_UNITS` (`None` if the query failed).
    pub fn compute_units(&self) -> Option<u32> {
        self.inner.info.compute_units
    }

    /// `CL_DEVICE_GLOBAL_MEM_SIZE`: bytes of device memory (`None` if the query failed).
    pub fn global_mem_size(&self) -> Option<u64> {
        self.inner.info.global_mem_size
    }

    /// `CL_DEVICE_MAX_MEM_ALLOC_SIZE`: the largest tensor buffer in bytes (`None` if the query
    /// failed). Larger allocations are refused with
    /// [`Error::AllocationTooLarge`](crate::Error::AllocationTooLarge).
    pub fn max_mem_alloc_size(&self) -> Option<u64> {
        self.inner.info.max_mem_alloc_size
    }

    /// Whether the device supports half precision (`cl_khr_fp16`).
    pub fn has_fp16(&self) -> bool {
        self.has_extension("cl_khr_fp16")
    }

    /// `CL_DEVICE_LOCAL_MEM_SIZE`: bytes of work-group local memory (`None` if the query failed).
    pub fn local_mem_size(&self) -> Option<u64> {
        self.inner.info.local_mem_size
    }

    /// `CL_DEVICE_MAX_NUM_SUB_GROUPS` (`None` if the query failed, e.g. before OpenCL 2.1).
    pub fn max_num_sub_groups(&self) -> Option<u32> {
        self.inner.info.max_num_sub_groups
    }

    /// The sub-group sizes the device supports (`CL_DEVICE_SUB_GROUP_SIZES_INTEL`; empty if the
    /// device does not report them).
    pub fn sub_group_sizes(&self) -> &[usize] {
        &self.inner.info.sub_group_sizes
    }

    /// `CL_DEVICE_EXTENSIONS`, one entry per extension.
    pub fn extensions(&self) -> &[String] {
        &self.inner.info.extensions
    }

    /// Whether the device reports `extension`, e.g. `cl_khr_fp16`.
    pub fn has_extension(&self, extension: &str) -> bool {
        self.inner.info.has_extension(extension)
    }

    /// Whether the device supports `feature` (see [`Feature`] for what each one checks).
    pub fn supports(&self, feature: Feature) -> bool {
        self.inner.info.supports(feature)
    }

    /// Whether `f32` subnormals survive arithmetic on the device; where not (the NVIDIA H200
    /// through Vulkan), subnormal `f32` operands and results may be flushed to zero (see
    /// [`DeviceInfo::f32_subnormals`]).
    pub fn keeps_f32_subnormals(&self) -> bool {
        self.inner.info.f32_subnormals
    }

    /// Whether the device supports double precision (`CL_DEVICE_DOUBLE_FP_CONFIG` is not 0).
    pub fn has_fp64(&self) -> bool {
        self.inner.info.double_fp_config.is_some_and(|c| c != 0)
    }

    /// The selector that names this device, e.g. `opencl:cpu:0`.
    pub fn filter_string(&self) -> String {
        self.inner.info.filter.clone()
    }

    /// Everything known about the device.
    pub fn info(&self) -> &DeviceInfo {
        &self.inner.info
    }
}

impl PartialEq for Device {
    fn eq(&self, other: &Device) -> bool {
        match (&self.inner.backend, &other.inner.backend) {
            (DeviceBackend::OpenCl(a), DeviceBackend::OpenCl(b)) => a.id() == b.id(),
            (DeviceBackend::Vulkan(a), DeviceBackend::Vulkan(b)) => a.handle == b.handle,
            _ => false,
        }
    }
}

impl Eq for Device {}

impl fmt::Debug for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Device")
            .field("name", &self.name())
            .field("filter", &self.inner.info.filter)
            .field("vendor", &self.vendor())
            .field("driver_version", &self.driver_version())
            .finish()
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` [{}]", self.name(), self.inner.info.filter)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A usable device's info with no extensions and every optional query failed.
    pub(crate) fn fake_info(name: &str) -> DeviceInfo {
        DeviceInfo {
            api: dpex_abi::Api::OpenCl,
            platform_index: 0,
            device_index: 0,
            platform_name: "platform 0".to_string(),
            name: name.to_string(),
            vendor: "vendor".to_string(),
            driver_version: "1.0".to_string(),
            device_type: DeviceType::Cpu,
            il_versions: "SPIR-V_1.2".to_string(),
            extensions: Vec::new(),
            max_work_group_size: None,
            max_work_item_sizes: Vec::new(),
            max_work_group_count: Vec::new(),
            version: "OpenCL 3.0".to_string(),
            compute_units: None,
            global_mem_size: None,
            max_mem_alloc_size: None,
            local_mem_size: None,
            double_fp_config: None,
            f32_subnormals: true,
            max_num_sub_groups: None,
            sub_group_sizes: Vec::new(),
            usable: Ok(()),
            filter: "opencl:cpu:0".to_string(),
            vulkan: None,
        }
    }
}
