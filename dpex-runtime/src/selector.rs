//! Device selector strings such as `cpu`, `opencl:gpu:0`, `vulkan:cpu:0`, `vulkan:1` or
//! `opencl:0:1,cpu`: parsing them, and picking the device they name from the registry (and the
//! default device).

use dpex_abi::Api;

use crate::device::{Device, DeviceInfo, DeviceType};
use crate::error::Error;
use crate::registry::Registry;

/// One alternative of a selector: which devices it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Filter {
    /// Devices of a type (`None`: any type); with an index, the index-th *usable* device of that type.
    ByType {
        /// The API, or `None` for devices of every API (no prefix).
        api: Option<Api>,
        /// The device type, or `None` for `*` / no type.
        ty: Option<DeviceType>,
        /// Position among the usable devices of that type.
        index: Option<usize>,
    },
    /// Devices by position: platform index, optionally the device index within the platform
    /// (OpenCL); the physical device's index (Vulkan).
    ByPosition {
        /// The API (OpenCL when no prefix is given).
        api: Api,
        /// Platform index (order of `clGetPlatformIDs`), or the Vulkan device's index (order of
        /// `vkEnumeratePhysicalDevices`).
        platform: usize,
        /// Device index within the platform (order of `clGetDeviceIDs`).
        device: Option<usize>,
    },
}

/// Parses a comma-separated selector into its alternatives, in order.
pub(crate) fn parse(selector: &str) -> Result<Vec<Filter>, String> {
    let alternatives: Vec<&str> = selector.split(',').map(str::trim).collect();
    if alternatives.iter().all(|a| a.is_empty()) {
        return Err("the selector is empty".to_string());
    }
    alternatives
        .into_iter()
        .map(|alt| {
            if alt.is_empty() {
                Err("an alternative between commas is empty".to_string())
            } else {
                parse_one(alt)
            }
        })
        .collect()
}

fn parse_one(alt: &str) -> Result<Filter, String> {
    let lower = alt.to_ascii_lowercase();
    let mut tokens: Vec<&str> = lower.split(':').map(str::trim).collect();
    let api = match tokens.first().copied() {
        Some("opencl") => {
            tokens.remove(0);
            Some(Api::OpenCl)
        }
        Some("vulkan") => {
            tokens.remove(0);
            Some(Api::Vulkan)
        }
        Some(b @ ("level_zero" | "cuda" | "hip" | "host" | "native_cpu")) => {
            return Err(format!(
                "the `{b}` backend is not supported; dpex runs on `opencl` and `vulkan` devices"
            ))
        }
        _ => None,
    };
    let position = |platform, device| Filter::ByPosition {
        api: api.unwrap_or(Api::OpenCl),
        platform,
        device,
    };
    match tokens.as_slice() {
        [] | ["*"] => Ok(Filter::ByType {
            api,
            ty: None,
            index: None,
        }),
        [first] => match parse_index(first) {
            Some(platform) => Ok(position(platform, None)),
            None => Ok(Filter::ByType {
                api,
                ty: parse_type(first, alt)?,
                index: None,
            }),
        },
        [first, second] => {
            let Some(index) = parse_index(second) else {
                return Err(format!(
                    "`{second}` in `{alt}` is not a device index (a non-negative number)"
                ));
            };
            match parse_index(first) {
                Some(_) if api == Some(Api::Vulkan) => Err(format!(
                    "`{alt}`: Vulkan devices are numbered with one index (`vulkan:1`)"
                )),
                Some(platform) => Ok(position(platform, Some(index))),
                None => Ok(Filter::ByType {
                    api,
                    ty: parse_type(first, alt)?,
                    index: Some(index),
                }),
            }
        }
        _ => Err(format!("`{alt}` has too many `:`-separated parts")),
    }
}

fn parse_index(token: &str) -> Option<usize> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    token.parse().ok()
}

fn parse_type(token: &str, alt: &str) -> Result<Option<DeviceType>, String> {
    match token {
        "*" => Ok(None),
        "cpu" => Ok(Some(DeviceType::Cpu)),
        "gpu" => Ok(Some(DeviceType::Gpu)),
        "accelerator" | "acc" | "fpga" => Ok(Some(DeviceType::Accelerator)),
        _ => Err(format!(
            "`{token}` in `{alt}` is neither a device type (cpu, gpu, accelerator, *) nor a platform index"
        )),
    }
}

impl Registry {
    /// Applies parsed selector alternatives in order.
    pub(crate) fn select(&self, selector: &str, filters: &[Filter]) -> crate::Result<Device> {
        let mut reasons = Vec::new();
        for filter in filters {
            let (usable, unusable) = self.matching(filter);
            if let Some(device) = usable {
                return Ok(device);
            }
            for info in unusable {
                let line = format!(
                    "  {} (`{}`): {}",
                    info.filter,
                    info.name,
                    info.usable.clone().err().unwrap_or_default()
                );
                if !reasons.contains(&line) {
                    reasons.push(line);
                }
            }
        }
        if reasons.is_empty() {
            Err(Error::NoDeviceMatches {
                selector: selector.to_string(),
                listing: self.listing(),
            })
        } else {
            Err(Error::DeviceNotUsable {
                selector: selector.to_string(),
                reasons: reasons.join("\n"),
                listing: self.listing(),
            })
        }
    }

    /// The device a filter picks (if any usable one matches) and the unusable devices it matches.
    fn matching(&self, filter: &Filter) -> (Option<Device>, Vec<&DeviceInfo>) {
        use Filter::*;
        let in_scope = |info: &DeviceInfo| match *filter {
            ByType { api, ty, .. } => {
                api.is_none_or(|a| a == info.api) && ty.is_none_or(|t| t == info.device_type)
            }
            ByPosition {
                api,
                platform,
                device,
            } => {
                info.api == api
                    && info.platform_index == platform
                    && device.is_none_or(|d| d == info.device_index)
            }
        };
        let mut unusable: Vec<&DeviceInfo> = self
            .entries
            .iter()
            .filter(|e| e.device.is_none() && in_scope(&e.info))
            .map(|e| &e.info)
            .collect();
        let usable: Vec<Device> = self
            .entries
            .iter()
            .filter(|e| in_scope(&e.info))
            .filter_map(|e| e.device.clone())
            .collect();
        let picked = match *filter {
            ByType {
                index: Some(index), ..
            } => {
                // `opencl:cpu:N` counts usable devices only: unusable ones are not "matched"
                // unless no usable device of the type exists (then their reasons explain why).
                if !usable.is_empty() {
                    unusable.clear();
                }
                usable.get(index).cloned()
            }
            _ => usable.first().cloned(),
        };
        (picked, unusable)
    }

    /// The first usable GPU, else CPU, else anything usable (OpenCL devices come before Vulkan
    /// ones in the registry, so they win within one type).
    pub(crate) fn preferred(&self) -> crate::Result<Device> {
        let first = |ty: Option<DeviceType>| {
            self.entries
                .iter()
                .filter(|e| ty.is_none_or(|t| t == e.info.device_type))
                .find_map(|e| e.device.clone())
        };
        first(Some(DeviceType::Gpu))
            .or_else(|| first(Some(DeviceType::Cpu)))
            .or_else(|| first(None))
            .ok_or_else(|| Error::NoUsableDevice {
                listing: self.listing(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::opencl;
    use crate::device::tests::fake_info;
    use crate::registry::{into_entries, Handle, Probe};

    fn ty(ty: Option<DeviceType>, index: Option<usize>) -> Filter {
        Filter::ByType {
            api: None,
            ty,
            index,
        }
    }

    fn on(api: Api, ty: Option<DeviceType>, index: Option<usize>) -> Filter {
        Filter::ByType {
            api: Some(api),
            ty,
            index,
        }
    }

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(parse("cpu"), Ok(vec![ty(Some(DeviceType::Cpu), None)]));
        assert_eq!(parse("opencl"), Ok(vec![on(Api::OpenCl, None, None)]));
        assert_eq!(parse("opencl:*"), Ok(vec![on(Api::OpenCl, None, None)]));
        assert_eq!(parse("*"), Ok(vec![ty(None, None)]));
        assert_eq!(
            parse("OpenCL:GPU:0"),
            Ok(vec![on(Api::OpenCl, Some(DeviceType::Gpu), Some(0))])
        );
        assert_eq!(
            parse("opencl:0:1"),
            Ok(vec![Filter::ByPosition {
                api: Api::OpenCl,
                platform: 0,
                device: Some(1)
            }])
        );
        assert_eq!(
            parse("vulkan:cpu:0"),
            Ok(vec![on(Api::Vulkan, Some(DeviceType::Cpu), Some(0))])
        );
        assert_eq!(
            parse("vulkan:2"),
            Ok(vec![Filter::ByPosition {
                api: Api::Vulkan,
                platform: 2,
                device: None
            }])
        );
        assert!(parse("vulkan:0:1").is_err());
        assert_eq!(
            parse(" gpu , cpu "),
            Ok(vec![
                ty(Some(DeviceType::Gpu), None),
                ty(Some(DeviceType::Cpu), None)
            ])
        );
        assert_eq!(
            parse("fpga:7"),
            Ok(vec![ty(Some(DeviceType::Accelerator), Some(7))])
        );
    }

    #[test]
    fn rejects_malformed_selectors() {
        assert!(parse("").is_err());
        assert!(parse("gpu,,cpu").is_err());
        assert!(parse("dsp").unwrap_err().contains("`dsp`"));
        assert!(parse("opencl:gpu:x").is_err());
        assert!(parse("opencl:gpu:0:1").is_err());
        assert!(parse("cuda:gpu").unwrap_err().contains("not supported"));
    }

    fn probe(platform: usize, device: usize, ty: DeviceType, name: &str, usable: bool) -> Probe {
        let mut info = fake_info(name);
        info.platform_index = platform;
        info.device_index = device;
        info.platform_name = format!("platform {platform}");
        info.device_type = ty;
        info.filter = String::new();
        if !usable {
            info.il_versions = String::new();
            info.usable =
                Err("the driver does not accept SPIR-V (empty CL_DEVICE_IL_VERSION)".to_string());
        }
        // A null device id: selection never calls OpenCL.
        let handle = usable.then(|| Handle::OpenCl(opencl::device::Handle::null()));
        Probe { info, handle }
    }

    /// NVIDIA GPU (no SPIR-V), PoCL CPU (no SPIR-V), then a usable CPU and a usable GPU.
    fn machine() -> Registry {
        Registry {
            entries: into_entries(vec![
                probe(0, 0, DeviceType::Gpu, "H100", false),
                probe(1, 0, DeviceType::Cpu, "pocl-cpu", false),
                probe(2, 0, DeviceType::Cpu, "intel-cpu", true),
                probe(2, 1, DeviceType::Gpu, "intel-gpu", true),
            ]),
            problems: vec![
                "platform 3 `broken`: clGetDeviceIDs failed with CL_INVALID_PLATFORM".into(),
            ],
            vulkan_loader: String::new(),
        }
    }

    fn pick(r: &Registry, selector: &str) -> crate::Result<String> {
        r.select(
            selector,
            &parse(selector).map_err(|reason| Error::InvalidSelector {
                selector: selector.into(),
                reason,
                listing: String::new(),
            })?,
        )
        .map(|d| d.name().to_string())
    }

    #[test]
    fn filters_count_usable_devices_per_type() {
        let r = machine();
        let filters: Vec<&str> = r.entries.iter().map(|e| e.info.filter.as_str()).collect();
        assert_eq!(
            filters,
            ["opencl:0:0", "opencl:1:0", "opencl:cpu:0", "opencl:gpu:0"]
        );
    }

    #[test]
    fn selection_skips_unusable_devices() {
        let r = machine();
        assert_eq!(pick(&r, "gpu").ok().as_deref(), Some("intel-gpu"));
        assert_eq!(pick(&r, "cpu").ok().as_deref(), Some("intel-cpu"));
        assert_eq!(pick(&r, "opencl:cpu:0").ok().as_deref(), Some("intel-cpu"));
        assert_eq!(pick(&r, "opencl:2:1").ok().as_deref(), Some("intel-gpu"));
        assert_eq!(pick(&r, "opencl:2").ok().as_deref(), Some("intel-cpu"));
        assert_eq!(
            pick(&r, "accelerator,gpu").ok().as_deref(),
            Some("intel-gpu")
        );
        assert_eq!(
            r.preferred().ok().map(|d| d.name().to_string()).as_deref(),
            Some("intel-gpu")
        );
    }

    #[test]
    fn selecting_only_unusable_devices_says_why() {
        let r = machine();
        let err = pick(&r, "opencl:0:0").expect_err("the H100 takes no SPIR-V");
        assert!(matches!(err, Error::DeviceNotUsable { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains("H100") && text.contains("does not accept SPIR-V"),
            "{text}"
        );
        assert!(text.contains("scripts/setup-opencl.sh"), "{text}");
        assert!(
            text.contains("CL_INVALID_PLATFORM"),
            "the listing names broken platforms: {text}"
        );

        let err = pick(&r, "opencl:cpu:5").expect_err("one usable CPU");
        assert!(matches!(err, Error::NoDeviceMatches { .. }), "{err:?}");

        let err = pick(&r, "opencl:7").expect_err("no platform 7");
        assert!(matches!(err, Error::NoDeviceMatches { .. }), "{err:?}");
    }

    #[test]
    fn no_usable_device_lists_every_reason() {
        let r = Registry {
            entries: into_entries(vec![
                probe(0, 0, DeviceType::Gpu, "H100", false),
                probe(1, 0, DeviceType::Cpu, "pocl-cpu", false),
            ]),
            problems: Vec::new(),
            vulkan_loader: String::new(),
        };
        let err = r.preferred().expect_err("nothing usable");
        let text = err.to_string();
        assert!(matches!(err, Error::NoUsableDevice { .. }), "{err:?}");
        assert!(
            text.contains("scripts/setup-opencl.sh") && text.contains("SPIR-V"),
            "{text}"
        );
        assert!(text.contains("H100") && text.contains("pocl-cpu"), "{text}");
        assert_eq!(text.matches("NOT usable").count(), 2, "{text}");
    }
}
