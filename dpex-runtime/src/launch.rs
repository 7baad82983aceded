//! Launching a kernel: checks, queue inference (compute follows data), then the launch on the
//! queue's API (OpenCL: set args and enqueue here; Vulkan: `backend::vulkan::launch`).

use std::ffi::c_void;
use std::ptr;

use opencl3::kernel::Kernel;
use opencl3::types::{cl_event, cl_uint};

use crate::arg::KernelArg;
use crate::assume::assumptions_hold;
use crate::backend::vulkan;
use crate::error::{cl_with, Error, Result};
use crate::error_record::ErrorRecord;
use crate::event::{Event, Inner};
use crate::program::program_for;
use crate::queue::{Queue, QueueBackend};
use crate::spec::KernelSpec;
use crate::tensor::{TensorLayout, MAX_DIMS};
use crate::validate::{
    check_args, check_device_limits, check_features, check_range, check_work_group,
};

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
/// an OpenCL error (`CL_INVALID_CONTEXT`).
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
/// Otherwise as [`launch`]; an empty `variants` is [`Error::NoInstance`].
pub fn launch_best(
    variants: &[&'static KernelSpec],
    global: &[usize],
    local: Option<&[usize]>,
    queue: Option<&Queue>,
    args: &[KernelArg<'_>],
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
        Some(spec) => enqueue_checked(spec, global, local, queue, args, &[]),
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
    check_device_limits(spec, device.info(), device, local, args)?;
    if let QueueBackend::Vulkan(stream) = queue.backend() {
        let event = enqueue_vulkan(
            spec,
            stream,
            queue,
            (global, local),
            args,
            wait_for,
            &foreign,
        )?;
        if !foreign.is_empty() {
            event.wait()?;
        }
        return Ok(event);
    }
    for other in &foreign {
        other.finish()?;
    }
    let program = program_for(spec, device)?;
    let record = if spec.reports_errors {
        Some(ErrorRecord::new(queue, spec)?)
    } else {
        None
    };
    let kernel = program.take_kernel(spec.name)?;
    let limit = local.and_then(|_| program.work_group_limit(spec.name, &kernel, device.id()));
    let enqueued = check_kernel_limit(spec, limit, queue, local).and_then(|()| {
        set_args_and_enqueue(
            spec,
            &kernel,
            queue,
            (global, local),
            args,
            wait_for,
            record,
        )
    });
    program.give_back(spec.name, kernel);
    let event = enqueued?;
    if !foreign.is_empty() {
        event.wait()?;
    }
    Ok(event)
}

/// The Vulkan half of [`enqueue_checked`]: the kernel's Vulkan module (or
/// [`Error::NotCompiledForApi`] before anything is enqueued), the events and queues waited for
/// on the host, the error record, then the launch.
fn enqueue_vulkan(
    spec: &'static KernelSpec,
    stream: &std::sync::Arc<vulkan::Stream>,
    queue: &Queue,
    (global, local): (&[usize], Option<&[usize]>),
    args: &[KernelArg<'_>],
    wait_for: &[&Event],
    foreign: &[&Queue],
) -> Result<Event> {
    let device = queue.device();
    let module = spec
        .vulkan
        .as_ref()
        .map_err(|reason| Error::NotCompiledForApi {
            kernel: spec.name.to_string(),
            api: dpex_abi::Api::Vulkan,
            device: device.to_string(),
            reason: reason.to_string(),
        })?;
    let info = device.info();
    let launch = vulkan::Launch {
        spec,
        module,
        info,
        device: device.to_string(),
        global,
        local,
        record: None,
    };
    // Everything the device's limits decide is checked before any wait or allocation.
    vulkan::check(&launch, args)?;
    for event in wait_for {
        event.complete()?;
    }
    for other in foreign {
        other.finish()?;
    }
    let record = if spec.reports_errors {
        Some(ErrorRecord::new(queue, spec)?)
    } else {
        None
    };
    let launch = vulkan::Launch {
        record: record.as_ref().and_then(ErrorRecord::memory),
        ..launch
    };
    let signal = vulkan::launch(stream, &launch, args)?;
    Ok(Event::new(Inner::Vulkan(signal), spec.name, false, record))
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

/// The work-group fits the compiled kernel's `CL_KERNEL_WORK_GROUP_SIZE` on the queue's device,
/// `limit` (not checked if the query failed; the driver then still is).
fn check_kernel_limit(
    spec: &KernelSpec,
    limit: Option<usize>,
    queue: &Queue,
    local: Option<&[usize]>,
) -> Result<()> {
    let Some(local) = local else {
        return Ok(());
    };
    match limit {
        Some(limit) => check_work_group(spec, local, limit, || {
            format!(
                "CL_KERNEL_WORK_GROUP_SIZE of this kernel compiled for device {}",
                queue.device()
            )
        }),
        None => Ok(()),
    }
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

/// The most 64-bit kernel arguments that follow a tensor's pointer.
const TENSOR_SCALARS: usize = 1 + 2 * MAX_DIMS;

/// One 64-bit kernel argument of a tensor: its native-endian bytes, what it is and, for extents
/// and strides, its axis (the last two for error messages).
type TensorScalar = ([u8; 8], &'static str, Option<usize>);

/// The 64-bit kernel arguments that follow a tensor's pointer: the offset (`u64`), then
/// `layout.dims` extents (`u64`), then as many strides (`i64`). Returns them in an array and how
/// many are used (`layout.dims` is at most [`MAX_DIMS`]: checked, and clamped here).
fn tensor_scalars(layout: &TensorLayout) -> ([TensorScalar; TENSOR_SCALARS], usize) {
    let dims = layout.dims.min(MAX_DIMS);
    let mut values = [([0u8; 8], "", None); TENSOR_SCALARS];
    values[0] = (layout.offset.to_ne_bytes(), "offset", None);
    for axis in 0..dims {
        values[1 + axis] = (layout.shape[axis].to_ne_bytes(), "shape", Some(axis));
        values[1 + dims + axis] = (layout.strides[axis].to_ne_bytes(), "strides", Some(axis));
    }
    (values, 1 + 2 * dims)
}

fn set_args_and_enqueue(
    spec: &KernelSpec,
    kernel: &Kernel,
    queue: &Queue,
    (global, local): (&[usize], Option<&[usize]>),
    args: &[KernelArg<'_>],
    wait_for: &[&Event],
    record: Option<ErrorRecord>,
) -> Result<Event> {
    let mut index: cl_uint = 0;
    for (param, arg) in spec.params.iter().zip(args) {
        let what = || format!("kernel `{}`, argument `{}`", spec.name, param.name);
        match arg {
            KernelArg::Scalar { dtype, bytes } => {
                // SAFETY: each call passes exactly `dtype.size()` bytes, the size of the scalar
                // parameter at `index` in the dpex ABI; the driver checks index and size.
                let set = unsafe {
                    match dtype.size() {
                        1 => kernel.set_arg(index, &[bytes[0]]),
                        2 => kernel.set_arg(index, &[bytes[0], bytes[1]]),
                        4 => kernel.set_arg(index, &[bytes[0], bytes[1], bytes[2], bytes[3]]),
                        _ => kernel.set_arg(index, bytes),
                    }
                };
                set.map_err(cl_with("clSetKernelArg", what()))?;
                index += 1;
            }
            KernelArg::Tensor {
                mem, len, layout, ..
            } => {
                // An empty view is never dereferenced: it passes a null pointer.
                let mem: *mut c_void = if *len == 0 {
                    ptr::null_mut()
                } else {
                    mem.cl_mem()
                };
                // SAFETY: the argument at `index` is a global pointer: a valid cl_mem of this
                // context (borrowed from a live tensor) or null, which OpenCL passes as a null
                // pointer. check_args made sure every element the view addresses lies inside
                // that buffer.
                unsafe { kernel.set_arg(index, &mem) }
                    .map_err(cl_with("clSetKernelArg", what()))?;
                index += 1;
                let (values, count) = tensor_scalars(layout);
                for (value, part, axis) in &values[..count] {
                    // SAFETY: each of these arguments is a 64-bit integer (the u64 offset, the
                    // u64 extents, the i64 strides) in the dpex ABI, and exactly 8 bytes are
                    // passed; the driver checks index and size.
                    unsafe { kernel.set_arg(index, value) }.map_err(|e| {
                        let part = match axis {
                            Some(axis) => format!("{part}[{axis}]"),
                            None => part.to_string(),
                        };
                        Error::opencl("clSetKernelArg", e.0, format!("{} ({part})", what()))
                    })?;
                    index += 1;
                }
            }
            KernelArg::Local { dtype, len } => {
                let bytes = len
                    .checked_mul(dtype.size() as u64)
                    .and_then(|b| usize::try_from(b).ok())
                    .ok_or_else(|| Error::InvalidArgument {
                        kernel: spec.name.to_string(),
                        arg: param.name.to_string(),
                        detail: format!("a LocalAccessor<{dtype}> of {len} elements is too large"),
                    })?;
                // SAFETY: the argument at `index` is a `__local` pointer: a size in bytes (not 0:
                // checked) and a null value ask OpenCL to allocate that much local memory per
                // work-group. The next one is the accessor's u64 length.
                unsafe {
                    kernel
                        .set_arg_local_buffer(index, bytes)
                        .map_err(cl_with("clSetKernelArg", what()))?;
                    kernel
                        .set_arg(index + 1, len)
                        .map_err(cl_with("clSetKernelArg", format!("{} (length)", what())))?;
                }
                index += 2;
            }
        }
    }
    if let Some(record) = &record {
        let mem: *mut c_void = record.mem();
        // SAFETY: a safe kernel's last argument is a global pointer to its error record: a
        // valid cl_mem of this context, alive in `record` until the event is dropped.
        unsafe { kernel.set_arg(index, &mem) }.map_err(cl_with(
            "clSetKernelArg",
            format!("kernel `{}`, its error record", spec.name),
        ))?;
    }
    let local_ptr = match local {
        Some(local) => local.as_ptr(),
        None => ptr::null(),
    };
    // SAFETY: every argument of the kernel is set above; `global` holds `spec.dims` non-zero
    // extents (checked; the driver rejects more dimensions than it has); `local_ptr` is null or
    // points to `global.len()` extents (checked); no offsets are passed; the wait list holds
    // events that `wait_for` keeps alive for the call.
    let mut wait_list: Vec<cl_event> = Vec::with_capacity(wait_for.len());
    for event in wait_for {
        match event.cl_event() {
            Some(raw) => wait_list.push(raw),
            // A Vulkan event is waited for on the host.
            None => event.complete()?,
        }
    }
    let Some(cl_queue) = queue.cl_queue() else {
        return Err(Error::Unsupported {
            what: "an OpenCL launch on a queue of another API".to_string(),
            device: queue.device().to_string(),
        });
    };
    let event = unsafe {
        cl_queue.enqueue_nd_range_kernel(
            kernel.get(),
            global.len() as cl_uint,
            ptr::null(),
            global.as_ptr(),
            local_ptr,
            &wait_list,
        )
    }
    .map_err(cl_with(
        "clEnqueueNDRangeKernel",
        format!(
            "kernel `{}` over {global:?} (local {local:?}) on {}",
            spec.name,
            queue.device()
        ),
    ))?;
    Ok(Event::new(
        Inner::OpenCl(event),
        spec.name,
        queue.is_profiling(),
        record,
    ))
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
        vulkan: Err("built for OpenCL only"),
    };

    #[test]
    fn tensor_arguments_follow_the_pointer_in_abi_order() {
        let layout = TensorLayout {
            dims: 2,
            shape: [3, 5, 1, 1],
            strides: [1, -3, 0, 0],
            offset: 7,
        };
        let (values, count) = tensor_scalars(&layout);
        assert_eq!(count, 5);
        let got: Vec<(i64, &str, Option<usize>)> = values[..count]
            .iter()
            .map(|&(bytes, part, axis)| (i64::from_ne_bytes(bytes), part, axis))
            .collect();
        assert_eq!(
            got,
            [
                (7, "offset", None),
                (3, "shape", Some(0)),
                (5, "shape", Some(1)),
                (1, "strides", Some(0)),
                (-3, "strides", Some(1)),
            ]
        );
        let four = TensorLayout { dims: 4, ..layout };
        assert_eq!(tensor_scalars(&four).1, 9);
    }

    /// The real CPU device, described as one without fp16 (same OpenCL device id).
    fn cpu_without_fp16() -> Device {
        let real = Device::select("cpu").unwrap_or_else(|e| panic!("no CPU device:\n{e}"));
        let mut info = real.info().clone();
        info.extensions.retain(|e| e != "cl_khr_fp16");
        info.name = format!("{} (without fp16)", info.name);
        Device::from_parts(opencl3::device::Device::new(real.id()), info)
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
        Device::from_vulkan(physical.duplicate(), info)
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
