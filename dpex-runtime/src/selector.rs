//! Parsing of device selector strings such as `cpu`, `opencl:gpu:0`, `vulkan:cpu:0`, `vulkan:1`
//! or `opencl:0:1,cpu`.

use dpex_abi::Api;

use crate::device::DeviceType;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
