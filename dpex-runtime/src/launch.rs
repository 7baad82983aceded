//! Launching a kernel: checks, queue inference (compute follows data), then the launch on the
//! queue's API (`backend::opencl::enqueue`, `backend::vulkan::enqueue`).

use crate::arg::KernelArg;
use crate::assume::assumptions_hold;
use crate::backend::{opencl, vulkan};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::queue::{Queue, QueueBackend};
use crate::spec::KernelSpec;
use crate::validate::{check_args, check_device_limits, check_features, check_range};

/// Launches `spec` over the global range `global` (one extent per kernel dimension), in
/// work-groups of `local` work-items (`None`: the driver picks the work-group size).
///
/// With `queue: None` the kernel runs on the queue of its tensor arguments, which must all be on
/// the same queue ([`Error::QueueMismatch`]; no tensor: [`Error::NoQueue`]). With `Some(queue)`
/// every tensor must live on that queue's device ([`Error::WrongQueue`]); a tensor on another
/// queue of the same device is synchronised with (its queue is finished first and the launch is
/// waited for). The program is built at the first launch on each device and cached.
///
/// Nothing is enqueued unless every check passes: the arguments match the parameters; `global`
/// has `spec.dims` non-zero extents ([`Error::RangeDims`], [`Error::EmptyRange`]); `local`, if
/// given, has as many extents ([`Error::LocalRangeDims`]), none zero ([`Error::ZeroLocalSize`]),
/// each dividing its global extent ([`Error::RangeNotDivisible`]) and within
/// `CL_DEVICE_MAX_WORK_ITEM_SIZES` ([`Error::WorkItemSizeTooLarge`]), with at most
/// `CL_DEVICE_MAX_WORK_GROUP_SIZE` and the kernel's `CL_KERNEL_WORK_GROUP_SIZE` work-items
/// ([`Error::WorkGroupTooLarge`]); the device supports every feature in `spec.requires`
/// ([`Error::MissingFeature`], checked before the program is built); and the local accessors plus
/// `spec.static_local_bytes` fit `CL_DEVICE_LOCAL_MEM_SIZE` ([`Error::LocalMemoryExceeded`]).
pub fn launch(
    spec: &'static KernelSpec,
    global: &[usize],
    local: Option<&[usize]>,
    queue: Option<&Queue>,
    args: &[KernelArg<'_>],
) -> Result<Event> {
    launch_after(spec, global, local, queue, args, &[])
}

/// [`launch`] that starts only after every event in `wait_for` has completed (the wait list of
/// `clEnqueueNDRangeKernel`).
///
/// This is how launches are ordered on an out-of-order queue
/// ([`QueueOptions::out_of_order`](crate::QueueOptions)); on an in-order queue it also orders a
/// launch after commands of *other* queues of the same device. The events must belong to the
/// launch device's context (every queue of one device shares it); an event of another device is
/// an OpenCL error (`CL_INVALID_CONTEXT`). Events of the other API (a Vulkan event for an
/// OpenCL launch, or any event for a Vulkan launch) are waited for on the host before the
/// launch is enqueued.
pub fn launch_after(
    spec: &'static KernelSpec,
    global: &[usize],
    local: Option<&[usize]>,
    queue: Option<&Queue>,
    args: &[KernelArg<'_>],
    wait_for: &[&Event],
) -> Result<Event> {
    check_args(spec, args)?;
    check_range(spec, global, local)?;
    if !assumptions_hold(spec, global, local, args) {
        return Err(Error::AssumptionsNotMet {
            kernel: spec.name.to_string(),
        });
    }
    enqueue_checked(spec, global, local, queue, args, wait_for)
}

/// Launches the first of `variants` whose assumptions hold for this launch
/// ([`assumptions_hold`]): the `#[kernel]` launcher passes the variant that leaves out the
/// index checks it could prove at launch, then the fully checked one (which assumes nothing).
/// Otherwise as [`launch_after`] (`wait_for` empty: as [`launch`]); an empty `variants` is
/// [`Error::NoInstance`].
pub fn launch_best(
    variants: &[&'static KernelSpec],
    global: &[usize],
    local: Option<&[usize]>,
    queue: Option<&Queue>,
    args: &[KernelArg<'_>],
    wait_for: &[&Event],
) -> Result<Event> {
    let Some(&last) = variants.last() else {
        return Err(Error::NoInstance {
            kernel: String::from("(no variant)"),
            types: String::new(),
        });
    };
    check_args(last, args)?;
    check_range(last, global, local)?;
    let chosen = variants
        .iter()
        .copied()
        .find(|spec| assumptions_hold(spec, global, local, args));
    match chosen {
        // Every variant has the same parameters and dimensions: the checks above hold for it.
        Some(spec) => enqueue_checked(spec, global, local, queue, args, wait_for),
        None => Err(Error::AssumptionsNotMet {
            kernel: last.name.to_string(),
        }),
    }
}

/// The rest of a launch whose arguments, range and assumptions are checked.
fn enqueue_checked(
    spec: &'static KernelSpec,
    global: &[usize],
    local: Option<&[usize]>,
    queue: Option<&Queue>,
    args: &[KernelArg<'_>],
    wait_for: &[&Event],
) -> Result<Event> {
    let (queue, foreign) = pick_queue(spec, queue, args)?;
    let device = queue.device();
    check_features(spec, device.info(), device)?;
    check_device_limits(spec, device.info(), device, (global, local), args)?;
    let event = match queue.backend() {
        QueueBackend::OpenCl(_) => {
            opencl::enqueue(spec, queue, (global, local), args, wait_for, &foreign)?
        }
        QueueBackend::Vulkan(stream) => vulkan::enqueue(
            spec,
            stream,
            queue,
            (global, local),
            args,
            wait_for,
            &foreign,
        )?,
    };
    if !foreign.is_empty() {
        event.wait()?;
    }
    Ok(event)
}

/// [`launch`] on an explicitly named queue: `launch(spec, global, local, Some(queue), args)`.
pub fn launch_on(
    queue: &Queue,
    spec: &'static KernelSpec,
    global: &[usize],
    local: Option<&[usize]>,
    args: &[KernelArg<'_>],
) -> Result<Event> {
    launch(spec, global, local, Some(queue), args)
}

/// The launch queue, and the other queues (same device) whose tensors the launch uses.
fn pick_queue<'a>(
    spec: &KernelSpec,
    queue: Option<&'a Queue>,
    args: &[KernelArg<'a>],
) -> Result<(&'a Queue, Vec<&'a Queue>)> {
    let tensors = spec.params.iter().zip(args).filter_map(|(p, a)| match a {
        KernelArg::Tensor { queue, .. } => Some((p.name, *queue)),
        KernelArg::Scalar { .. } | KernelArg::Local { .. } => None,
    });
    match queue {
        Some(queue) => {
            let mut foreign: Vec<&Queue> = Vec::new();
            for (name, q) in tensors {
                if q.same_queue(queue) {
                    continue;
                }
                if q.device() != queue.device() {
                    return Err(Error::WrongQueue {
                        kernel: spec.name.to_string(),
                        arg: name.to_string(),
                        arg_device: q.device().to_string(),
                        queue_device: queue.device().to_string(),
                    });
                }
                if !foreign.iter().any(|f| f.same_queue(q)) {
                    foreign.push(q);
                }
            }
            Ok((queue, foreign))
        }
        None => {
            let mut tensors = tensors;
            let Some((first_name, first)) = tensors.next() else {
                return Err(Error::NoQueue {
                    kernel: spec.name.to_string(),
                });
            };
            if let Some((name, q)) = tensors.find(|(_, q)| !q.same_queue(first)) {
                let describe = |q: &Queue| {
                    if q.device() == first.device() {
                        format!("{} (another queue on the same device)", q.device())
                    } else {
                        q.device().to_string()
                    }
                };
                return Err(Error::QueueMismatch {
                    kernel: spec.name.to_string(),
                    first_arg: first_name.to_string(),
                    first_device: first.device().to_string(),
                    second_arg: name.to_string(),
                    second_device: describe(q),
                });
            }
            Ok((first, Vec::new()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::Device;
    use crate::feature::Feature;
    use crate::program::program_builds;
    use crate::spec::{ParamSpec, ParamSpecKind};
    use crate::tensor::{DType, Tensor};

    static PARAMS: [ParamSpec; 1] = [ParamSpec {
        name: "out",
        kind: ParamSpecKind::Tensor {
            elem: DType::F32,
            writable: true,
            dims: 1,
        },
    }];

    /// No SPIR-V at all: a launch that got as far as building would fail with `BuildFailed`
    /// or an OpenCL error instead of `MissingFeature`.
    static NEEDS_FP16: KernelSpec = KernelSpec {
        name: "needs_fp16",
        dims: 1,
        spirv: &[0x0723_0203],
        spirv_hash: 0x5eed_f016,
        params: &PARAMS,
        requires: &[Feature::Fp64, Feature::Fp16],
        static_local_bytes: 0,
        build_options: "",
        reports_errors: false,
        assumes: &[],
        opencl: dpex_abi::opencl::Interface {
            params: std::borrow::Cow::Borrowed(&[dpex_abi::opencl::Arg::Tensor {
                index: 0,
                dims: 1,
            }]),
            error_record: None,
            args: 4,
        },
        vulkan: Err("built for OpenCL only"),
    };

    /// The real CPU device, described as one without fp16 (same OpenCL device id).
    fn cpu_without_fp16() -> Device {
        let real = Device::select("cpu").unwrap_or_else(|e| panic!("no CPU device:\n{e}"));
        let mut info = real.info().clone();
        info.extensions.retain(|e| e != "cl_khr_fp16");
        info.name = format!("{} (without fp16)", info.name);
        Device::from_opencl(opencl::device::Handle::twin(&real), info)
    }

    /// Lavapipe, described as a device without fp16 (same physical device).
    fn lavapipe_without_fp16() -> Device {
        let real = Device::select("vulkan:cpu:0").unwrap_or_else(|e| panic!("no lavapipe:\n{e}"));
        let crate::device::DeviceBackend::Vulkan(physical) = real.backend() else {
            panic!("vulkan:cpu:0 is not a Vulkan device");
        };
        let mut info = real.info().clone();
        if let Some(vulkan) = info.vulkan.as_mut() {
            vulkan.shader_float16 = false;
        }
        info.name = format!("{} (without fp16)", info.name);
        Device::from_vulkan(physical.duplicate(false), info)
    }

    #[test]
    fn a_missing_feature_stops_a_vulkan_launch_before_anything_is_submitted() {
        let device = lavapipe_without_fp16();
        assert!(device.supports(Feature::Fp64) && !device.supports(Feature::Fp16));
        let queue = Queue::new(&device).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Tensor::full(&queue, 4, 7.0f32).unwrap_or_else(|e| panic!("{e}"));
        let err = launch(&NEEDS_FP16, &[4], None, None, &[(&mut out).into()])
            .expect_err("fp16 is missing");
        assert!(
            matches!(&err, Error::MissingFeature { kernel, feature: Feature::Fp16, device }
                if kernel == "needs_fp16" && device.contains("without fp16")),
            "{err:?}"
        );
        assert_eq!(out.to_vec().unwrap_or_else(|e| panic!("{e}")), [7.0; 4]);
    }

    #[test]
    fn a_missing_feature_stops_the_launch_before_the_build() {
        let device = cpu_without_fp16();
        assert!(device.supports(Feature::Fp64) && !device.supports(Feature::Fp16));
        let queue = Queue::new(&device).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Tensor::full(&queue, 4, 7.0f32).unwrap_or_else(|e| panic!("{e}"));
        let err = launch(&NEEDS_FP16, &[4], Some(&[2]), None, &[(&mut out).into()])
            .expect_err("fp16 is missing");
        assert!(
            matches!(&err, Error::MissingFeature { kernel, feature: Feature::Fp16, device }
                if kernel == "needs_fp16" && device.contains("without fp16")),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("kernel `needs_fp16` uses fp16 (cl_khr_fp16), which device `")
                && err.to_string().contains("does not support"),
            "{err}"
        );
        assert_eq!(program_builds(&NEEDS_FP16), 0);
        assert_eq!(out.to_vec().unwrap_or_else(|e| panic!("{e}")), [7.0; 4]);
    }
}
