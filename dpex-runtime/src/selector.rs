//! Parsing of device selector strings such as `cpu`, `opencl:gpu:0` or `opencl:0:1,cpu`.

use crate::device::DeviceType;

/// One alternative of a selector: which devices it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Filter {
    /// Devices of a type (`None`: any type); with an index, the index-th *usable* device of that type.
    ByType {
        /// The device type, or `None` for `*` / no type.
        ty: Option<DeviceType>,
        /// Position among the usable devices of that type.
        index: Option<usize>,
    },
    /// Devices by position: platform index, optionally the device index within the platform.
    ByPosition {
        /// Platform index (order of `clGetPlatformIDs`).
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
    match tokens.first().copied() {
        Some("opencl") => {
            tokens.remove(0);
        }
        Some(b @ ("level_zero" | "cuda" | "hip" | "vulkan" | "host" | "native_cpu")) => {
            return Err(format!(
                "the `{b}` backend is not supported; dpex runs on `opencl` devices"
            ))
        }
        _ => {}
    }
    match tokens.as_slice() {
        [] | ["*"] => Ok(Filter::ByType {
            ty: None,
            index: None,
        }),
        [first] => match parse_index(first) {
            Some(platform) => Ok(Filter::ByPosition {
                platform,
                device: None,
            }),
            None => Ok(Filter::ByType {
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
                Some(platform) => Ok(Filter::ByPosition {
                    platform,
                    device: Some(index),
                }),
                None => Ok(Filter::ByType {
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
        Filter::ByType { ty, index }
    }

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(parse("cpu"), Ok(vec![ty(Some(DeviceType::Cpu), None)]));
        assert_eq!(parse("opencl"), Ok(vec![ty(None, None)]));
        assert_eq!(parse("opencl:*"), Ok(vec![ty(None, None)]));
        assert_eq!(
            parse("OpenCL:GPU:0"),
            Ok(vec![ty(Some(DeviceType::Gpu), Some(0))])
        );
        assert_eq!(
            parse("opencl:0:1"),
            Ok(vec![Filter::ByPosition {
                platform: 0,
                device: Some(1)
            }])
        );
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
