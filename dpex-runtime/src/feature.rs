//! Optional device features a kernel may require (fp64, fp16, 64-bit atomics, sub-groups) and how a device reports them.

use std::fmt;

use crate::device::DeviceInfo;

/// An optional OpenCL device capability that a kernel can depend on.
///
/// `#[kernel]` lists what a kernel uses in [`KernelSpec::requires`](crate::KernelSpec::requires);
/// a launch on a device without one of them fails with [`Error::MissingFeature`](crate::Error::MissingFeature)
/// before the program is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Feature {
    /// Double precision (`f64`): `cl_khr_fp64`, or a non-zero `CL_DEVICE_DOUBLE_FP_CONFIG`.
    Fp64,
    /// Half precision arithmetic (`f16`): `cl_khr_fp16`.
    Fp16,
    /// Atomic operations on 64-bit integers: `cl_khr_int64_base_atomics`.
    Int64Atomics,
    /// Sub-groups: `cl_khr_subgroups`, `cl_intel_subgroups`, or OpenCL 3.0's optional core
    /// feature (`CL_DEVICE_MAX_NUM_SUB_GROUPS` > 0).
    SubGroups,
}

impl Feature {
    /// Every feature, in declaration order.
    pub const ALL: &'static [Feature] = &[
        Feature::Fp64,
        Feature::Fp16,
        Feature::Int64Atomics,
        Feature::SubGroups,
    ];

    /// A short readable name: `fp64`, `fp16`, `64-bit integer atomics`, `sub-groups`.
    pub fn name(self) -> &'static str {
        match self {
            Feature::Fp64 => "fp64",
            Feature::Fp16 => "fp16",
            Feature::Int64Atomics => "64-bit integer atomics",
            Feature::SubGroups => "sub-groups",
        }
    }

    /// The OpenCL extension that provides the feature, e.g. `cl_khr_fp64`.
    pub fn extension(self) -> &'static str {
        match self {
            Feature::Fp64 => "cl_khr_fp64",
            Feature::Fp16 => "cl_khr_fp16",
            Feature::Int64Atomics => "cl_khr_int64_base_atomics",
            Feature::SubGroups => "cl_khr_subgroups",
        }
    }
}

impl fmt::Display for Feature {
    /// E.g. `fp64 (cl_khr_fp64)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.extension())
    }
}

impl DeviceInfo {
    /// Whether the device reports `extension` in `CL_DEVICE_EXTENSIONS`.
    pub fn has_extension(&self, extension: &str) -> bool {
        self.extensions.iter().any(|e| e == extension)
    }

    /// Whether the device supports `feature`, judged from its extensions and queries (a query
    /// that failed counts as "not supported").
    /// On a Vulkan device, see [`VulkanInfo::supports`](crate::VulkanInfo::supports).
    pub fn supports(&self, feature: Feature) -> bool {
        if let Some(vulkan) = &self.vulkan {
            return vulkan.supports(feature);
        }
        match feature {
            Feature::Fp64 => {
                self.has_extension("cl_khr_fp64")
                    || self.double_fp_config.is_some_and(|config| config != 0)
            }
            Feature::Fp16 => self.has_extension("cl_khr_fp16"),
            Feature::Int64Atomics => self.has_extension("cl_khr_int64_base_atomics"),
            Feature::SubGroups => {
                self.has_extension("cl_khr_subgroups")
                    || self.has_extension("cl_intel_subgroups")
                    || self.max_num_sub_groups.is_some_and(|n| n > 0)
            }
        }
    }

    /// The features of [`Feature::ALL`] the device supports.
    pub fn features(&self) -> Vec<Feature> {
        Feature::ALL
            .iter()
            .copied()
            .filter(|&f| self.supports(f))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::tests::fake_info;

    #[test]
    fn display_names_the_extension() {
        assert_eq!(Feature::Fp64.to_string(), "fp64 (cl_khr_fp64)");
        assert_eq!(
            Feature::SubGroups.to_string(),
            "sub-groups (cl_khr_subgroups)"
        );
        assert_eq!(Feature::ALL.len(), 4);
    }

    #[test]
    fn support_comes_from_extensions_and_queries() {
        let mut info = fake_info("bare");
        assert!(info.features().is_empty());

        info.double_fp_config = Some(0x3f);
        assert!(info.supports(Feature::Fp64));
        info.double_fp_config = Some(0);
        assert!(!info.supports(Feature::Fp64));
        info.extensions = vec!["cl_khr_fp64".into(), "cl_khr_fp16".into()];
        assert!(info.supports(Feature::Fp64) && info.supports(Feature::Fp16));
        assert!(!info.supports(Feature::Int64Atomics) && !info.supports(Feature::SubGroups));

        info.extensions = vec!["cl_intel_subgroups".into()];
        assert!(info.supports(Feature::SubGroups));
        info.extensions = vec!["cl_khr_int64_base_atomics".into()];
        assert!(info.supports(Feature::Int64Atomics) && !info.supports(Feature::SubGroups));
        info.max_num_sub_groups = Some(0);
        assert!(!info.supports(Feature::SubGroups));
        info.max_num_sub_groups = Some(16);
        assert!(info.supports(Feature::SubGroups));
        // A prefix of an extension's name is not the extension.
        info.extensions = vec!["cl_khr_fp16_extra".into()];
        assert!(!info.supports(Feature::Fp16));
    }
}
