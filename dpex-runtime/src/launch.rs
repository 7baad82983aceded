//! Launching a kernel: argument checks, queue inference (compute follows data), set args, enqueue.

use std::ffi::c_void;
use std::ptr;

use opencl3::kernel::Kernel;
use opencl3::types::cl_uint;

use crate::arg::KernelArg;
use crate::error::{cl_with, Error, Result};
use crate::event::Event;
use crate::program::program_for;
use crate::queue::Queue;
use crate::spec::{KernelSpec, ParamSpecKind};

/// Launches `spec` over the global range `global` (one extent per kernel dimension).
///
/// With `queue: None` the kernel runs on the queue of its tensor arguments, which must all be on
/// the same queue ([`Error::QueueMismatch`]; no tensor: [`Error::NoQueue`]). With `Some(queue)`
/// every tensor must live on that queue's device ([`Error::WrongQueue`]); a tensor on another
/// queue of the same device is synchronised with (its queue is finished first and the launch is
/// waited for). The program is built at the first launch on each device and cached.
pub fn launch(
    spec: &'static KernelSpec,
    global: &[usize],
    queue: Option<&Queue>,
    args: &[KernelArg<'_>],
) -> Result<Event> {
    check_args(spec, args)?;
    check_range(spec, global)?;
    let (queue, foreign) = pick_queue(spec, queue, args)?;
    for other in &foreign {
        other.finish()?;
    }
    let program = program_for(spec, queue.device())?;
    let kernel = program.take_kernel(spec.name)?;
    let enqueued = set_args_and_enqueue(spec, &kernel, queue, global, args);
    program.give_back(spec.name, kernel);
    let event = enqueued?;
    if !foreign.is_empty() {
        event.wait()?;
    }
    Ok(event)
}

/// [`launch`] on an explicitly named queue: `launch(spec, global, Some(queue), args)`.
pub fn launch_on(
    queue: &Queue,
    spec: &'static KernelSpec,
    global: &[usize],
    args: &[KernelArg<'_>],
) -> Result<Event> {
    launch(spec, global, Some(queue), args)
}

fn check_args(spec: &KernelSpec, args: &[KernelArg<'_>]) -> Result<()> {
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
                ParamSpecKind::Tensor { elem, writable },
                KernelArg::Tensor {
                    dtype,
                    writable: given,
                    ..
                },
            ) => elem == *dtype && (*given || !writable),
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
        if let KernelArg::Tensor {
            dtype, mem, len, ..
        } = arg
        {
            let needed = len.checked_mul(dtype.size() as u64);
            if needed.map_or(true, |n| n > mem.bytes()) {
                return Err(Error::InvalidArgument {
                    kernel: spec.name.to_string(),
                    arg: param.name.to_string(),
                    detail: format!(
                        "a length of {len} {dtype} elements does not fit the tensor's {} bytes",
                        mem.bytes()
                    ),
                });
            }
        }
    }
    Ok(())
}

fn check_range(spec: &KernelSpec, global: &[usize]) -> Result<()> {
    if global.len() != spec.dims {
        return Err(Error::RangeDims {
            kernel: spec.name.to_string(),
            expected: spec.dims,
            got: global.len(),
        });
    }
    if global.is_empty() || global.contains(&0) {
        return Err(Error::EmptyRange {
            kernel: spec.name.to_string(),
            global: global.to_vec(),
        });
    }
    Ok(())
}

/// The launch queue, and the other queues (same device) whose tensors the launch uses.
fn pick_queue<'a>(
    spec: &KernelSpec,
    queue: Option<&'a Queue>,
    args: &[KernelArg<'a>],
) -> Result<(&'a Queue, Vec<&'a Queue>)> {
    let tensors = spec.params.iter().zip(args).filter_map(|(p, a)| match a {
        KernelArg::Tensor { queue, .. } => Some((p.name, *queue)),
        KernelArg::Scalar { .. } => None,
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

fn set_args_and_enqueue(
    spec: &KernelSpec,
    kernel: &Kernel,
    queue: &Queue,
    global: &[usize],
    args: &[KernelArg<'_>],
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
            KernelArg::Tensor { mem, len, .. } => {
                let mem: *mut c_void = mem.cl_mem();
                // SAFETY: the argument at `index` is a global pointer: a valid cl_mem of this
                // context (borrowed from a live tensor) or null for an empty tensor, which
                // OpenCL passes as a null pointer. The next one is the tensor's u64 length.
                unsafe {
                    kernel
                        .set_arg(index, &mem)
                        .map_err(cl_with("clSetKernelArg", what()))?;
                    kernel
                        .set_arg(index + 1, len)
                        .map_err(cl_with("clSetKernelArg", format!("{} (length)", what())))?;
                }
                index += 2;
            }
        }
    }
    // SAFETY: every argument of the kernel is set above, `global` holds `spec.dims` non-zero extents
    // (checked; the driver rejects more dimensions than it has), and no offsets, local sizes or wait lists are passed.
    let event = unsafe {
        queue.cl_queue().enqueue_nd_range_kernel(
            kernel.get(),
            global.len() as cl_uint,
            ptr::null(),
            global.as_ptr(),
            ptr::null(),
            &[],
        )
    }
    .map_err(cl_with(
        "clEnqueueNDRangeKernel",
        format!(
            "kernel `{}` over {global:?} on {}",
            spec.name,
            queue.device()
        ),
    ))?;
    Ok(Event::new(event, spec.name))
}
