//! A kernel launch on an OpenCL queue: the program built (or taken from the cache), a kernel
//! object from its pool, the kernel's own work-group limit, the arguments set where the module's
//! interface ([`KernelSpec::opencl`], written by the emitter) says, and `clEnqueueNDRangeKernel`.

use std::ffi::c_void;
use std::ptr;

use opencl3::kernel::Kernel;
use opencl3::types::{cl_event, cl_uint};

use dpex_abi::opencl::Arg;

use super::memory;
use super::status::cl_with;
use crate::arg::KernelArg;
use crate::error::{Error, Result};
use crate::error_record::ErrorRecord;
use crate::event::{Event, Inner};
use crate::program::program_for;
use crate::queue::Queue;
use crate::spec::{KernelSpec, ParamSpecKind};
use crate::tensor::{TensorLayout, MAX_DIMS};
use crate::validate::check_work_group;

/// The OpenCL half of a checked launch: the queues of other tensors finished, the program,
/// the error record, the kernel's limit, then the enqueue.
pub(crate) fn enqueue(
    spec: &'static KernelSpec,
    queue: &Queue,
    (global, local): (&[usize], Option<&[usize]>),
    args: &[KernelArg<'_>],
    wait_for: &[&Event],
    foreign: &[&Queue],
) -> Result<Event> {
    let device = queue.device();
    for other in foreign {
        other.complete()?;
    }
    let program = program_for(spec, device)?;
    let record = if spec.reports_errors {
        Some(ErrorRecord::new(queue, spec)?)
    } else {
        None
    };
    let kernel = program.take_kernel(spec.name)?;
    let limit =
        local.and_then(|_| program.work_group_limit(spec.name, &kernel, super::device::id(device)));
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
    enqueued
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

/// Checks that the kernel's OpenCL interface fits its parameters: one entry per parameter, of
/// the parameter's kind (and a tensor's axes), and an error record exactly when the kernel
/// reports errors.
fn check_interface(spec: &KernelSpec) -> Result<()> {
    let interface = &spec.opencl;
    let invalid = |log: String| Error::InvalidSpirv {
        kernel: spec.name.to_string(),
        log: format!("the OpenCL module's interface does not fit the kernel: {log}"),
    };
    if interface.params.len() != spec.params.len() {
        return Err(invalid(format!(
            "it has {} parameters, the kernel {}",
            interface.params.len(),
            spec.params.len()
        )));
    }
    if interface.error_record.is_some() != spec.reports_errors {
        return Err(invalid(format!(
            "the kernel {} errors, the interface {} an error record",
            if spec.reports_errors {
                "reports"
            } else {
                "does not report"
            },
            if spec.reports_errors { "has no" } else { "has" }
        )));
    }
    for (param, slot) in spec.params.iter().zip(interface.params.iter()) {
        let fits = match (param.kind, *slot) {
            (ParamSpecKind::Scalar(_), Arg::Scalar { .. }) => true,
            (ParamSpecKind::Tensor { dims, .. }, Arg::Tensor { dims: axes, .. }) => {
                usize::try_from(axes).is_ok_and(|axes| axes == dims)
            }
            (ParamSpecKind::Local { dims, .. }, Arg::Local { dims: axes, .. }) => {
                usize::try_from(axes).is_ok_and(|axes| axes == dims)
            }
            _ => false,
        };
        if !fits {
            return Err(invalid(format!(
                "parameter `{}` is a {}, its arguments are {slot:?}",
                param.name, param.kind
            )));
        }
    }
    Ok(())
}

/// [`Error::InvalidArgument`] for an argument whose kind is not its slot's (`check_args` and
/// [`check_interface`] rule this out).
fn interface_mismatch(spec: &KernelSpec, name: &str, arg: &KernelArg<'_>, slot: Arg) -> Error {
    Error::InvalidArgument {
        kernel: spec.name.to_string(),
        arg: name.to_string(),
        detail: format!("a {} cannot be passed as {slot:?}", arg.describe()),
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
    check_interface(spec)?;
    let interface = &spec.opencl;
    for ((param, arg), slot) in spec.params.iter().zip(args).zip(interface.params.iter()) {
        let what = || format!("kernel `{}`, argument `{}`", spec.name, param.name);
        match (arg, *slot) {
            (KernelArg::Scalar { dtype, bytes }, Arg::Scalar { index }) => {
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
            }
            (
                KernelArg::Tensor {
                    mem, len, layout, ..
                },
                Arg::Tensor { index, .. },
            ) => {
                // An empty view is never dereferenced: it passes a null pointer.
                let mem: *mut c_void = if *len == 0 {
                    ptr::null_mut()
                } else {
                    memory::raw(mem.memory())
                };
                // SAFETY: the argument at `index` is a global pointer: a valid cl_mem of this
                // context (borrowed from a live tensor) or null, which OpenCL passes as a null
                // pointer. check_args made sure every element the view addresses lies inside
                // that buffer.
                unsafe { kernel.set_arg(index, &mem) }
                    .map_err(cl_with("clSetKernelArg", what()))?;
                let (values, count) = tensor_scalars(layout);
                for (at, (value, part, axis)) in (index + 1..).zip(&values[..count]) {
                    // SAFETY: each of these arguments is a 64-bit integer (the u64 offset, the
                    // u64 extents, the i64 strides) in the dpex ABI, and exactly 8 bytes are
                    // passed; the driver checks index and size.
                    unsafe { kernel.set_arg(at, value) }.map_err(|e| {
                        let part = match axis {
                            Some(axis) => format!("{part}[{axis}]"),
                            None => part.to_string(),
                        };
                        super::status::error("clSetKernelArg", e.0, format!("{} ({part})", what()))
                    })?;
                }
            }
            (
                KernelArg::Local {
                    dtype,
                    len,
                    dims,
                    shape,
                },
                Arg::Local { index, .. },
            ) => {
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
                // work-group. The next ones are the accessor's u64 extents (the interface has as
                // many as the argument: checked with the types).
                unsafe {
                    kernel
                        .set_arg_local_buffer(index, bytes)
                        .map_err(cl_with("clSetKernelArg", what()))?;
                    for (at, extent) in (index + 1..).zip(&shape[..(*dims).min(shape.len())]) {
                        kernel
                            .set_arg(at, extent)
                            .map_err(cl_with("clSetKernelArg", format!("{} (extent)", what())))?;
                    }
                }
            }
            (arg, slot) => return Err(interface_mismatch(spec, param.name, arg, slot)),
        }
    }
    if let (Some(record), Some(index)) = (&record, interface.error_record) {
        let mem: *mut c_void = record.memory().map_or(ptr::null_mut(), |m| memory::raw(m));
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
    let mut wait_list: Vec<cl_event> = Vec::with_capacity(wait_for.len());
    for event in wait_for {
        match event.opencl() {
            Some(event) => wait_list.push(event.raw()),
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
    // SAFETY: every argument of the kernel is set above; `global` holds `spec.dims` non-zero
    // extents (checked; the driver rejects more dimensions than it has); `local_ptr` is null or
    // points to `global.len()` extents (checked); no offsets are passed; the wait list holds
    // events that `wait_for` keeps alive for the call.
    let event = unsafe {
        cl_queue.cl().enqueue_nd_range_kernel(
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
        Inner::OpenCl(super::event::Event::new(event)),
        queue,
        spec.name,
        record,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
