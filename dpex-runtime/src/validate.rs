//! Checks made before a launch enqueues anything: arguments against parameters, global and local
//! ranges, required device features, work-group and local-memory limits.

use crate::arg::KernelArg;
use crate::device::DeviceInfo;
use crate::error::{Error, Result};
use crate::spec::{KernelSpec, ParamSpecKind};
use crate::tensor::{DType, TensorLayout, MAX_DIMS};

/// Every argument matches its parameter's kind and element type, and is well-formed.
pub(crate) fn check_args(spec: &KernelSpec, args: &[KernelArg<'_>]) -> Result<()> {
    if args.len() != spec.params.len() {
        return Err(Error::ArgumentCount {
            kernel: spec.name.to_string(),
            expected: spec.params.len(),
            got: args.len(),
        });
    }
    for (param, arg) in spec.params.iter().zip(args) {
        let fits = match (param.kind, arg) {
            (ParamSpecKind::Scalar(want), KernelArg::Scalar { dtype, .. }) => want == *dtype,
            (
                ParamSpecKind::Tensor {
                    elem,
                    writable,
                    dims,
                },
                KernelArg::Tensor {
                    dtype,
                    writable: given,
                    layout,
                    ..
                },
            ) => elem == *dtype && (*given || !writable) && layout.dims == dims,
            (
                ParamSpecKind::Local { elem, dims },
                KernelArg::Local {
                    dtype, dims: given, ..
                },
            ) => elem == *dtype && dims == *given,
            _ => false,
        };
        if !fits {
            return Err(Error::ArgumentType {
                kernel: spec.name.to_string(),
                arg: param.name.to_string(),
                expected: param.kind.to_string(),
                got: arg.describe(),
            });
        }
        let invalid = |detail: String| Error::InvalidArgument {
            kernel: spec.name.to_string(),
            arg: param.name.to_string(),
            detail,
        };
        match arg {
            KernelArg::Tensor {
                dtype,
                mem,
                len,
                layout,
                ..
            } => check_tensor(*dtype, mem.bytes(), *len, layout).map_err(invalid)?,
            KernelArg::Local { len: 0, .. } => {
                return Err(invalid(format!(
                    "a {} of 0 elements (OpenCL cannot allocate 0 bytes of local memory); give \
                     every axis at least one element",
                    arg.describe()
                )));
            }
            _ => {}
        }
    }
    check_aliasing(spec, args)
}

/// A tensor argument's layout is well-formed: 1 to [`MAX_DIMS`] axes, `len` elements, and every
/// element of the view inside the buffer's `bytes`. Any layout (offset, strides, transposes) is
/// valid otherwise; the error is the detail of an [`Error::InvalidArgument`].
fn check_tensor(
    dtype: DType,
    bytes: u64,
    len: u64,
    layout: &TensorLayout,
) -> std::result::Result<(), String> {
    if !(1..=MAX_DIMS).contains(&layout.dims) {
        return Err(format!(
            "a tensor has 1 to {MAX_DIMS} axes, but this layout has {}",
            layout.dims
        ));
    }
    let dims = layout.dims;
    let describe = || {
        format!(
            "the view of shape {:?} with strides {:?} at offset {}",
            &layout.shape[..dims],
            &layout.strides[..dims],
            layout.offset
        )
    };
    if layout.element_count() != Some(len) {
        return Err(format!(
            "a length of {len} elements does not match {}",
            describe()
        ));
    }
    if len == 0 {
        // Nothing is read or written through an empty view (it is passed as a null pointer).
        return Ok(());
    }
    let end_bytes = layout
        .element_span()
        .and_then(|(_, end)| end.checked_mul(dtype.size() as u64));
    match end_bytes {
        Some(end) if end <= bytes => Ok(()),
        _ => Err(format!(
            "{} reaches outside the tensor's buffer of {bytes} bytes ({} elements of {dtype})",
            describe(),
            bytes / (dtype.size() as u64).max(1)
        )),
    }
}

/// No writable tensor argument shares memory with another tensor argument (views of one buffer
/// that overlap): kernels may assume `&mut` tensors alias nothing.
fn check_aliasing(spec: &KernelSpec, args: &[KernelArg<'_>]) -> Result<()> {
    let tensors: Vec<_> = spec
        .params
        .iter()
        .zip(args)
        .filter_map(|(param, arg)| match arg {
            KernelArg::Tensor {
                mem,
                writable,
                layout,
                ..
            } => Some((param.name, *mem, *writable, layout.element_span())),
            _ => None,
        })
        .collect();
    for (i, &(name, mem, writable, span)) in tensors.iter().enumerate() {
        for &(other, other_mem, other_writable, other_span) in &tensors[i + 1..] {
            let overlap = match (span, other_span) {
                (Some(a), Some(b)) => a.0 < b.1 && b.0 < a.1,
                _ => false,
            };
            if (writable || other_writable) && mem.same_buffer(&other_mem) && overlap {
                return Err(Error::InvalidArgument {
                    kernel: spec.name.to_string(),
                    arg: if writable { name } else { other }.to_string(),
                    detail: format!(
                        "`{name}` and `{other}` are overlapping views of the same memory, and \
                         one of them is written; pass a copy (.to_contiguous())"
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The most work-items one launch runs, 2^40 (about 10^12, on any device): the product of the
/// global range's extents must not exceed it ([`Error::RangeTooLarge`]).
///
/// Drivers do not survive much larger ranges: Intel's OpenCL CPU driver divides by zero when
/// the product of the extents wraps past 2^64, corrupts its heap on 1-d sizes near 2^64 and
/// runs for days on 2^80 work-items. 2^40 is a thousand times more work-items than the largest
/// tensor a device with 1 TiB of memory holds, so no real launch comes near it; such ranges
/// come from a wrapped `n - m`.
pub const MAX_WORK_ITEMS: u64 = 1 << 40;

/// The most work-items a Vulkan launch runs in one dimension: `GlobalInvocationId` is 32-bit.
const VULKAN_MAX_EXTENT: u64 = 1 << 32;

/// The global range has the kernel's dimensions, no zero extent and at most
/// [`MAX_WORK_ITEMS`] work-items; a local range, if given, has as many dimensions, no zero
/// extent, and divides the global range.
pub(crate) fn check_range(
    spec: &KernelSpec,
    global: &[usize],
    local: Option<&[usize]>,
) -> Result<()> {
    let kernel = || spec.name.to_string();
    if global.len() != spec.dims {
        return Err(Error::RangeDims {
            kernel: kernel(),
            expected: spec.dims,
            got: global.len(),
        });
    }
    if global.is_empty() || global.contains(&0) {
        return Err(Error::EmptyRange {
            kernel: kernel(),
            global: global.to_vec(),
        });
    }
    let items = global
        .iter()
        .try_fold(1u64, |acc, &g| acc.checked_mul(u64::try_from(g).ok()?));
    if items.is_none_or(|items| items > MAX_WORK_ITEMS) {
        return Err(Error::RangeTooLarge {
            kernel: kernel(),
            global: global.to_vec(),
            limit: MAX_WORK_ITEMS,
            detail: match items {
                Some(items) => format!(
                    "it has {items} work-items, more than the {MAX_WORK_ITEMS} (2^40) that \
                     dpex launches at once"
                ),
                None => "the product of its extents is 2^64 or more work-items".to_string(),
            },
        });
    }
    let Some(local) = local else {
        return Ok(());
    };
    if local.len() != global.len() {
        return Err(Error::LocalRangeDims {
            kernel: kernel(),
            global: global.to_vec(),
            local: local.to_vec(),
        });
    }
    if local.contains(&0) {
        return Err(Error::ZeroLocalSize {
            kernel: kernel(),
            local: local.to_vec(),
        });
    }
    for (dim, (&g, &l)) in global.iter().zip(local).enumerate() {
        if g % l != 0 {
            return Err(Error::RangeNotDivisible {
                kernel: kernel(),
                dim,
                global: g,
                local: l,
            });
        }
    }
    Ok(())
}

/// Every feature the kernel requires is supported by the device described by `info`.
pub(crate) fn check_features(
    spec: &KernelSpec,
    info: &DeviceInfo,
    device: &dyn std::fmt::Display,
) -> Result<()> {
    match spec.requires.iter().find(|&&f| !info.supports(f)) {
        Some(&feature) => Err(Error::MissingFeature {
            kernel: spec.name.to_string(),
            device: device.to_string(),
            feature,
        }),
        None => Ok(()),
    }
}

/// Every global extent fits the device's API (Vulkan: 2^32 work-items per dimension), the
/// work-group fits the device's per-dimension and total limits, and the launch's local memory
/// fits the device's. A limit whose query failed is not checked (the driver still is).
pub(crate) fn check_device_limits(
    spec: &KernelSpec,
    info: &DeviceInfo,
    device: &dyn std::fmt::Display,
    (global, local): (&[usize], Option<&[usize]>),
    args: &[KernelArg<'_>],
) -> Result<()> {
    if info.vulkan.is_some() {
        let too_long = global
            .iter()
            .enumerate()
            .find(|&(_, &g)| g as u64 > VULKAN_MAX_EXTENT);
        if let Some((dim, &g)) = too_long {
            return Err(Error::RangeTooLarge {
                kernel: spec.name.to_string(),
                global: global.to_vec(),
                limit: VULKAN_MAX_EXTENT,
                detail: format!(
                    "its extent {g} in dimension {dim} is more than the {VULKAN_MAX_EXTENT} \
                     (2^32) work-items a Vulkan launch has per dimension (32-bit work-item ids) \
                     on device {device}"
                ),
            });
        }
    }
    if let Some(local) = local {
        for (dim, (&l, &limit)) in local.iter().zip(&info.max_work_item_sizes).enumerate() {
            if l > limit {
                return Err(Error::WorkItemSizeTooLarge {
                    kernel: spec.name.to_string(),
                    dim,
                    local: l,
                    limit,
                });
            }
        }
        if let Some(limit) = info.max_work_group_size {
            check_work_group(spec, local, limit, || {
                format!("CL_DEVICE_MAX_WORK_GROUP_SIZE of device {device}")
            })?;
        }
    }
    let bytes = local_memory_bytes(spec, args);
    match info.local_mem_size {
        Some(limit) if bytes > limit => Err(Error::LocalMemoryExceeded {
            kernel: spec.name.to_string(),
            bytes,
            limit,
        }),
        _ => Ok(()),
    }
}

/// The work-group has at most `limit` work-items; `why` names the limit in the error.
pub(crate) fn check_work_group(
    spec: &KernelSpec,
    local: &[usize],
    limit: usize,
    why: impl FnOnce() -> String,
) -> Result<()> {
    let items = local.iter().fold(1usize, |acc, &l| acc.saturating_mul(l));
    if items > limit {
        return Err(Error::WorkGroupTooLarge {
            kernel: spec.name.to_string(),
            local: local.to_vec(),
            limit,
            why: why(),
        });
    }
    Ok(())
}

/// Bytes of local memory per work-group: the local accessors plus the kernel's fixed-size local
/// arrays (saturating at `u64::MAX`).
pub(crate) fn local_memory_bytes(spec: &KernelSpec, args: &[KernelArg<'_>]) -> u64 {
    let fixed = u64::try_from(spec.static_local_bytes).unwrap_or(u64::MAX);
    args.iter()
        .filter_map(|arg| match arg {
            KernelArg::Local { dtype, len, .. } => Some(len.saturating_mul(dtype.size() as u64)),
            _ => None,
        })
        .fold(fixed, u64::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::tests::fake_info;
    use crate::feature::Feature;
    use crate::spec::ParamSpec;
    use crate::LocalAccessor;

    static PARAMS: [ParamSpec; 1] = [ParamSpec {
        name: "tmp",
        kind: ParamSpecKind::Local {
            elem: DType::F32,
            dims: 1,
        },
    }];

    static SPEC: KernelSpec = KernelSpec {
        name: "k",
        dims: 2,
        spirv: &[],
        spirv_hash: 0,
        params: &PARAMS,
        requires: &[Feature::Fp64, Feature::SubGroups],
        static_local_bytes: 1000,
        build_options: "",
        reports_errors: false,
        assumes: &[],
        opencl: dpex_abi::opencl::Interface {
            params: std::borrow::Cow::Borrowed(&[dpex_abi::opencl::Arg::Local {
                index: 0,
                dims: 1,
            }]),
            error_record: None,
            args: 2,
        },
        vulkan: Err("built for OpenCL only"),
    };

    #[test]
    fn a_missing_feature_names_kernel_device_and_feature() {
        let mut info = fake_info("fake");
        info.double_fp_config = Some(1);
        let err =
            check_features(&SPEC, &info, &"`fake` [opencl:cpu:0]").expect_err("no sub-groups");
        assert!(
            matches!(
                &err,
                Error::MissingFeature { kernel, feature: Feature::SubGroups, .. } if kernel == "k"
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "kernel `k` uses sub-groups (cl_khr_subgroups), which device `fake` [opencl:cpu:0] \
             does not support; launch it on a device that reports cl_khr_subgroups (see \
             `Device::listing()`)"
        );
        info.max_num_sub_groups = Some(8);
        assert!(check_features(&SPEC, &info, &"fake").is_ok());
    }

    #[test]
    fn the_kernel_work_group_limit_is_checked() {
        let err = check_work_group(&SPEC, &[16, 16], 128, || "CL_KERNEL_WORK_GROUP_SIZE".into())
            .expect_err("256 > 128");
        assert!(
            matches!(&err, Error::WorkGroupTooLarge { limit: 128, local, .. } if local == &[16, 16]),
            "{err:?}"
        );
        assert!(err.to_string().contains("(256 work-items)"), "{err}");
        assert!(check_work_group(&SPEC, &[16, 8], 128, String::new).is_ok());
    }

    #[test]
    fn device_limits_per_dimension_total_and_local_memory() {
        let mut info = fake_info("fake");
        let args = [KernelArg::from(LocalAccessor::<f32>::new(6))];
        // Unknown limits are not checked.
        assert!(check_device_limits(
            &SPEC,
            &info,
            &"fake",
            (&[1 << 20, 64], Some(&[1 << 20, 1])),
            &args
        )
        .is_ok());

        info.max_work_item_sizes = vec![64, 32, 32];
        info.max_work_group_size = Some(256);
        info.local_mem_size = Some(1024);
        let err = check_device_limits(
            &SPEC,
            &info,
            &"fake",
            (&[1 << 20, 64], Some(&[8, 64])),
            &args,
        )
        .expect_err("64 > 32 in dim 1");
        assert!(
            matches!(
                err,
                Error::WorkItemSizeTooLarge {
                    dim: 1,
                    local: 64,
                    limit: 32,
                    ..
                }
            ),
            "{err:?}"
        );
        let err = check_device_limits(
            &SPEC,
            &info,
            &"fake",
            (&[1 << 20, 64], Some(&[64, 32])),
            &args,
        )
        .expect_err("2048 > 256");
        assert!(
            matches!(err, Error::WorkGroupTooLarge { limit: 256, .. }),
            "{err:?}"
        );
        assert!(check_device_limits(
            &SPEC,
            &info,
            &"fake",
            (&[1 << 20, 64], Some(&[16, 16])),
            &args
        )
        .is_ok());

        // 1000 fixed + 6 * 4 = 1024 fits; one more element does not.
        assert_eq!(local_memory_bytes(&SPEC, &args), 1024);
        let args = [KernelArg::from(LocalAccessor::<f32>::new(7))];
        let err =
            check_device_limits(&SPEC, &info, &"fake", (&[64, 64], None), &args).expect_err("1028");
        assert!(
            matches!(
                err,
                Error::LocalMemoryExceeded {
                    bytes: 1028,
                    limit: 1024,
                    ..
                }
            ),
            "{err:?}"
        );
        let huge = [KernelArg::Local {
            dtype: DType::F64,
            len: u64::MAX,
            dims: 1,
            shape: [u64::MAX, 0, 0],
        }];
        assert_eq!(local_memory_bytes(&SPEC, &huge), u64::MAX);
    }

    #[test]
    fn local_ranges_are_checked_against_the_global_range() {
        let check = |g: &[usize], l: &[usize]| check_range(&SPEC, g, Some(l));
        assert!(check(&[64, 30], &[8, 3]).is_ok());
        assert!(matches!(
            check(&[64, 30], &[8]),
            Err(Error::LocalRangeDims { .. })
        ));
        assert!(matches!(
            check(&[64, 30], &[8, 0]),
            Err(Error::ZeroLocalSize { .. })
        ));
        assert!(matches!(
            check(&[64, 30], &[8, 4]),
            Err(Error::RangeNotDivisible {
                dim: 1,
                global: 30,
                local: 4,
                ..
            })
        ));
        assert!(matches!(
            check(&[64, 0], &[8, 4]),
            Err(Error::EmptyRange { .. })
        ));
        assert!(check_range(&SPEC, &[64, 30], None).is_ok());
    }

    #[test]
    fn ranges_past_the_work_item_bound_or_wrapping_are_refused() {
        let too_large = |g: &[usize]| match check_range(&SPEC, g, None) {
            Err(Error::RangeTooLarge {
                kernel,
                global,
                limit,
                detail,
            }) => {
                assert_eq!((kernel.as_str(), &global[..]), ("k", g));
                assert_eq!(limit, MAX_WORK_ITEMS);
                detail
            }
            other => panic!("{g:?}: expected RangeTooLarge, got {other:?}"),
        };
        assert!(too_large(&[1 << 32, 1 << 32]).contains("2^64 or more"));
        assert!(too_large(&[usize::MAX, 2]).contains("2^64 or more"));
        assert!(too_large(&[1 << 20, (1 << 20) + 1]).contains("1099512676352 work-items"));
        assert!(check_range(&SPEC, &[1 << 20, 1 << 20], None).is_ok());
        assert!(check_range(&SPEC, &[1 << 20, 1 << 20], Some(&[16, 16])).is_ok());
    }

    #[test]
    fn vulkan_extents_fit_32_bit_work_item_ids() {
        let mut info = fake_info("fake");
        let fits = |info: &DeviceInfo, g: &[usize]| {
            check_device_limits(&SPEC, info, &"fake", (g, None), &[])
        };
        assert!(fits(&info, &[(1 << 32) + 1, 2]).is_ok(), "OpenCL: size_t");
        info.vulkan = Some(Default::default());
        assert!(fits(&info, &[1 << 32, 2]).is_ok());
        let err = fits(&info, &[2, (1 << 32) + 1]).expect_err("past 2^32");
        assert!(
            matches!(&err, Error::RangeTooLarge { limit, detail, .. }
                if *limit == 1 << 32 && detail.contains("dimension 1")),
            "{err:?}"
        );
    }

    fn layout(shape: &[u64], strides: &[i64], offset: u64) -> TensorLayout {
        let mut layout = TensorLayout {
            dims: shape.len(),
            shape: [1; MAX_DIMS],
            strides: [0; MAX_DIMS],
            offset,
        };
        layout.shape[..shape.len()].copy_from_slice(shape);
        layout.strides[..strides.len()].copy_from_slice(strides);
        layout
    }

    #[test]
    fn tensor_views_must_lie_inside_their_buffer() {
        let f32_check = |bytes, l: &TensorLayout| {
            check_tensor(DType::F32, bytes, l.element_count().unwrap_or(0), l)
        };
        // A transposed 3x4 matrix, a strided slice with an offset, a 4-d view: all inside.
        assert_eq!(f32_check(48, &layout(&[4, 3], &[1, 4], 0)), Ok(()));
        assert_eq!(f32_check(48, &layout(&[3], &[4], 1)), Ok(()));
        assert_eq!(
            f32_check(4 * 120, &layout(&[2, 3, 4, 5], &[60, 20, 5, 1], 0)),
            Ok(())
        );
        // One element past the end, by offset, stride or shape.
        let err = f32_check(48, &layout(&[3], &[4], 4)).expect_err("ends at 13");
        assert!(
            err.contains("reaches outside") && err.contains("48 bytes"),
            "{err}"
        );
        assert!(f32_check(48, &layout(&[4, 3], &[1, 5], 0)).is_err());
        assert!(f32_check(48, &layout(&[13], &[1], 0)).is_err());
        // Below element 0, and overflowing arithmetic.
        assert!(f32_check(48, &layout(&[3], &[-1], 1)).is_err());
        assert!(f32_check(48, &layout(&[3], &[-1], 2)).is_ok());
        assert!(f32_check(u64::MAX, &layout(&[3], &[i64::MAX], u64::MAX)).is_err());
        assert!(f32_check(u64::MAX, &layout(&[u64::MAX, 2], &[1, 1], 0)).is_err());
        // Empty views need no memory at all; a length must match the layout.
        assert_eq!(f32_check(0, &layout(&[0, 7], &[7, 1], 5)), Ok(()));
        let err = check_tensor(DType::F32, 48, 5, &layout(&[4], &[1], 0)).expect_err("len");
        assert!(err.contains("does not match"), "{err}");
        // 0 or 5 axes.
        let mut bad = layout(&[4], &[1], 0);
        bad.dims = 0;
        assert!(check_tensor(DType::F32, 48, 1, &bad).is_err());
        bad.dims = 5;
        assert!(check_tensor(DType::F32, 48, 4, &bad)
            .expect_err("5 axes")
            .contains("1 to 4 axes"));
    }

    #[test]
    fn local_arguments_are_type_checked_and_non_empty() {
        let err = check_args(&SPEC, &[LocalAccessor::<f32>::new(0).into()]).expect_err("empty");
        assert!(
            matches!(&err, Error::InvalidArgument { arg, .. } if arg == "tmp"),
            "{err:?}"
        );
        assert!(err.to_string().contains("0 elements"), "{err}");
        let err = check_args(&SPEC, &[LocalAccessor::<i32>::new(4).into()]).expect_err("i32");
        assert_eq!(
            err.to_string(),
            "kernel `k`, argument `tmp`: expected LocalAccessor<f32>, got LocalAccessor<i32>"
        );
        let err = check_args(&SPEC, &[1.0f32.into()]).expect_err("scalar");
        assert!(matches!(err, Error::ArgumentType { .. }), "{err:?}");
        assert!(check_args(&SPEC, &[LocalAccessor::<f32>::new(4).into()]).is_ok());
    }
}
