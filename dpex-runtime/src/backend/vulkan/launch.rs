//! A kernel launch on a Vulkan queue: the work-group size, the dispatch's group counts checked
//! against the device, the pipeline for the launch's specialization constants, the argument
//! block (laid out per the module's [`Interface`]) and one submission.
//!
//! Work-group size of a [`Range`](crate::Range) launch (no local size given): 256 work-items in
//! 1-d, 32x8 in 2-d and 32x4x2 in 3-d (dimension 0, the fastest-varying, spans a whole 32-wide
//! sub-group, so neighbouring work-items touch neighbouring elements; an `NdRange` launch
//! picks its own), each extent clamped to the global extent and to
//! `maxComputeWorkGroupSize`, then halved (largest first) until `maxComputeWorkGroupInvocations`
//! allows it. The dispatch covers the range with whole groups (in parts where they outnumber
//! `maxComputeWorkGroupCount`); the kernel skips the work-items past its end (the range is in
//! the argument block).

use std::sync::Arc;

use ash::vk;
use dpex_abi::vulkan::{
    Interface, Module, Slot, CORRECT_DIV_SQRT_SPEC_ID, FUSED_FMA_SPEC_ID, LOCAL_SIZE_SPEC_IDS,
};

use super::pipeline::{pipeline, SpecConstants};
use super::stream::{Keep, Resources, Signal, Stream};
use super::timestamps::Timestamps;
use super::vk_err;
use crate::arg::KernelArg;
use crate::device::DeviceInfo;
use crate::error::{Error, Result};
use crate::error_record::ErrorRecord;
use crate::event::{Event, Inner};
use crate::queue::Queue;
use crate::spec::KernelSpec;
use crate::tensor::DeviceMemory;

/// The work-group size of a launch without a local size: see the module documentation.
pub(crate) fn default_local(global: &[usize], info: &DeviceInfo) -> [usize; 3] {
    let preferred: [usize; 3] = match global.len() {
        1 => [256, 1, 1],
        2 => [32, 8, 1],
        _ => [32, 4, 2],
    };
    let mut local = [1usize; 3];
    for dim in 0..global.len().min(3) {
        let device_max = info
            .max_work_item_sizes
            .get(dim)
            .copied()
            .unwrap_or(1)
            .max(1);
        local[dim] = preferred[dim].min(global[dim]).min(device_max).max(1);
    }
    let limit = info.max_work_group_size.unwrap_or(1).max(1);
    while local.iter().product::<usize>() > limit {
        let largest = (0..3).max_by_key(|&d| local[d]).unwrap_or(0);
        local[largest] = local[largest].div_ceil(2);
    }
    local
}

/// What a Vulkan launch needs beyond the checked arguments.
pub(crate) struct Launch<'a> {
    pub(crate) spec: &'static KernelSpec,
    pub(crate) module: &'a Module,
    pub(crate) info: &'a DeviceInfo,
    /// The device, for messages.
    pub(crate) device: String,
    pub(crate) global: &'a [usize],
    pub(crate) local: Option<&'a [usize]>,
    /// The error record of a kernel that reports errors.
    pub(crate) record: Option<&'a Arc<DeviceMemory>>,
}

/// Checks what only a Vulkan launch needs: the module's interface fits the kernel, the
/// dispatch's group counts fit `maxComputeWorkGroupCount`, the local accessors' lengths fit
/// their specialization constants. Returns the work-group size, the group counts and the
/// specialization constants.
pub(crate) fn check(
    launch: &Launch<'_>,
    args: &[KernelArg<'_>],
) -> Result<([u64; 3], SpecConstants)> {
    let spec = launch.spec;
    let interface = &launch.module.interface;
    if spec.reports_errors != interface.error_record_word.is_some() {
        return Err(Error::InvalidSpirv {
            kernel: spec.name.to_string(),
            log: format!(
                "the kernel {} errors but its Vulkan module's interface {} an error record",
                if spec.reports_errors {
                    "reports"
                } else {
                    "does not report"
                },
                if spec.reports_errors {
                    "has no word for"
                } else {
                    "has a word for"
                }
            ),
        });
    }
    if interface.params.len() != spec.params.len() {
        return Err(Error::InvalidSpirv {
            kernel: spec.name.to_string(),
            log: format!(
                "the Vulkan module's interface has {} parameters, the kernel {}",
                interface.params.len(),
                spec.params.len()
            ),
        });
    }
    let local = match launch.local {
        Some(local) => {
            let mut l = [1usize; 3];
            l[..local.len().min(3)].copy_from_slice(&local[..local.len().min(3)]);
            l
        }
        None => default_local(launch.global, launch.info),
    };
    let groups = group_counts(launch, local)?;
    let constants = spec_constants(launch, local, args)?;
    Ok((groups, constants))
}

/// Checks the dispatch ([`check`]), then records and submits it on `stream`; returns the point
/// of the stream's timeline that signals its completion.
fn launch_on(stream: &Arc<Stream>, launch: &Launch<'_>, args: &[KernelArg<'_>]) -> Result<Signal> {
    let spec = launch.spec;
    let (groups, constants) = check(launch, args)?;
    let (words, mut keep) = block_words(launch, &launch.module.interface, args)?;
    let pipeline = pipeline(&stream.ctx, spec, launch.module, constants)?;
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    // The push constants: the block itself when it fits them, else its address.
    let (push, block) = if launch.module.interface.block_in_push_constants() {
        (bytes, None)
    } else {
        let block = stream.block(bytes.len() as u64)?;
        if !block.write(&bytes) {
            return Err(vk_err("vkMapMemory", "writing a launch's argument block")(
                vk::Result::ERROR_MEMORY_MAP_FAILED,
            ));
        }
        (block.address().to_le_bytes().to_vec(), Some(block))
    };
    if let Some(record) = launch.record {
        keep.push(record.clone());
    }
    let timestamps = if stream.profiling {
        let t = Arc::new(Timestamps::new(&stream.ctx)?);
        keep.push(t.clone());
        Some(t)
    } else {
        None
    };
    let stamps = timestamps.clone();
    let layout = stream.ctx.layout;
    let limit = [0, 1, 2].map(|dim| {
        launch
            .info
            .max_work_group_count
            .get(dim)
            .copied()
            .unwrap_or(u64::from(u32::MAX))
    });
    let parts = dispatches(groups, limit);
    let value = stream.launch(
        // SAFETY: the pipeline and layout belong to the stream's device; `push` (whole words)
        // lies within the layout's one push constant range of PUSH_CONSTANT_BYTES; the group
        // counts of each part are within maxComputeWorkGroupCount ([`dispatches`]), the
        // pipeline allows a dispatch base; every buffer the kernel addresses is kept alive by
        // the submission's resources.
        // The timestamps (on a profiling queue, whose family has timestamps: checked when the
        // queue was created) bracket the dispatch.
        |device, cmd| unsafe {
            if let Some(t) = &stamps {
                t.start(device, cmd);
            }
            device.cmd_bind_pipeline(cmd, vk::PipelineBindPoint::COMPUTE, pipeline);
            device.cmd_push_constants(cmd, layout, vk::ShaderStageFlags::COMPUTE, 0, &push);
            for &(base, count) in &parts {
                device.cmd_dispatch_base(
                    cmd, base[0], base[1], base[2], count[0], count[1], count[2],
                );
            }
            if let Some(t) = &stamps {
                t.end(device, cmd);
            }
        },
        Resources { block, keep },
        || {
            format!(
                "kernel `{}` over {:?} on {}",
                spec.name, launch.global, launch.device
            )
        },
    )?;
    Ok(Signal {
        stream: stream.clone(),
        value,
        timestamps,
    })
}

/// The Vulkan half of a checked launch: the kernel's Vulkan module (or
/// [`Error::NotCompiledForApi`] before anything is enqueued), the events and queues waited for
/// on the host, the error record, then the launch.
pub(crate) fn enqueue(
    spec: &'static KernelSpec,
    stream: &Arc<Stream>,
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
    let launch = Launch {
        spec,
        module,
        info,
        device: device.to_string(),
        global,
        local,
        record: None,
    };
    // Everything the device's limits decide is checked before any wait or allocation.
    check(&launch, args)?;
    // Submissions on one stream run in order: only events of other queues are waited for.
    for event in wait_for {
        if !event
            .signal()
            .is_some_and(|s| Arc::ptr_eq(&s.stream, stream))
        {
            event.complete()?;
        }
    }
    for other in foreign {
        other.complete()?;
    }
    let record = if spec.reports_errors {
        Some(ErrorRecord::new(queue, spec)?)
    } else {
        None
    };
    let launch = Launch {
        record: record.as_ref().and_then(ErrorRecord::memory),
        ..launch
    };
    let signal = launch_on(stream, &launch, args)?;
    Ok(Event::new(Inner::Vulkan(signal), queue, spec.name, record))
}

/// The work-groups per dimension. A count above `maxComputeWorkGroupCount` is dispatched in
/// several parts ([`dispatches`]); a dimension must still fit the 32-bit `GlobalInvocationId`.
fn group_counts(launch: &Launch<'_>, local: [usize; 3]) -> Result<[u64; 3]> {
    let mut groups = [1u64; 3];
    for dim in 0..launch.global.len().min(3) {
        let size = local[dim].max(1) as u64;
        let count = (launch.global[dim] as u64).div_ceil(size);
        let limit = (1u64 << 32) / size;
        if count > limit {
            return Err(Error::TooManyWorkGroups {
                kernel: launch.spec.name.to_string(),
                dim,
                groups: count,
                limit,
                device: launch.device.clone(),
            });
        }
        groups[dim] = count;
    }
    Ok(groups)
}

/// One `vkCmdDispatchBase`: the first group and the group counts, per dimension.
type Dispatch = ([u32; 3], [u32; 3]);

/// The dispatches covering `groups` work-groups per dimension, each at most `limit` groups per
/// dimension (`maxComputeWorkGroupCount`): one when the launch fits, else a grid of parts.
fn dispatches(groups: [u64; 3], limit: [u64; 3]) -> Vec<Dispatch> {
    let parts = |dim: usize| -> Vec<(u32, u32)> {
        let step = limit[dim].clamp(1, u64::from(u32::MAX));
        (0..groups[dim])
            .step_by(step as usize)
            .map(|base| (base as u32, step.min(groups[dim] - base) as u32))
            .collect()
    };
    let (xs, ys, zs) = (parts(0), parts(1), parts(2));
    let mut all = Vec::with_capacity(xs.len() * ys.len() * zs.len());
    for &(bz, cz) in &zs {
        for &(by, cy) in &ys {
            for &(bx, cx) in &xs {
                all.push(([bx, by, bz], [cx, cy, cz]));
            }
        }
    }
    all
}

/// The work-group size, each local accessor's length, the fused-fma and the correct-division
/// flags.
fn spec_constants(
    launch: &Launch<'_>,
    local: [usize; 3],
    args: &[KernelArg<'_>],
) -> Result<SpecConstants> {
    let spec = launch.spec;
    let mut constants: SpecConstants = LOCAL_SIZE_SPEC_IDS
        .iter()
        .zip(local)
        .map(|(&id, l)| (id, l as u32))
        .collect();
    for ((slot, arg), param) in launch
        .module
        .interface
        .params
        .iter()
        .zip(args)
        .zip(spec.params)
    {
        if let (Slot::Local { spec_id, .. }, KernelArg::Local { dtype, len, .. }) = (slot, arg) {
            let len = u32::try_from(*len).map_err(|_| Error::InvalidArgument {
                kernel: spec.name.to_string(),
                arg: param.name.to_string(),
                detail: format!("a LocalAccessor<{dtype}> of {len} elements is too large for a Vulkan specialization constant"),
            })?;
            constants.push((*spec_id, len));
        }
    }
    let fused = launch.info.vulkan.as_ref().is_some_and(|v| v.fused_fma);
    constants.push((FUSED_FMA_SPEC_ID, u32::from(fused)));
    let correct_div_sqrt = launch
        .info
        .vulkan
        .as_ref()
        .is_some_and(|v| v.correct_div_sqrt);
    constants.push((CORRECT_DIV_SQRT_SPEC_ID, u32::from(correct_div_sqrt)));
    Ok(constants)
}

/// The argument block's words, and the tensor memory the launch must keep alive.
fn block_words(
    launch: &Launch<'_>,
    interface: &Interface,
    args: &[KernelArg<'_>],
) -> Result<(Vec<u64>, Vec<Keep>)> {
    let spec = launch.spec;
    let mut words = vec![0u64; interface.block_words as usize];
    let mut keep: Vec<Keep> = Vec::new();
    let bad_layout = |what: String| Error::InvalidSpirv {
        kernel: spec.name.to_string(),
        log: format!("the Vulkan module's interface does not fit its argument block: {what}"),
    };
    let put = |word: u32, value: u64, words: &mut Vec<u64>| match words.get_mut(word as usize) {
        Some(slot) => {
            *slot = value;
            Ok(())
        }
        None => Err(bad_layout(format!(
            "word {word} of {}",
            interface.block_words
        ))),
    };
    for dim in 0..3 {
        let extent = launch.global.get(dim).copied().unwrap_or(1) as u64;
        put(interface.range_word + dim as u32, extent, &mut words)?;
    }
    for (slot, arg) in interface.params.iter().zip(args) {
        match (*slot, arg) {
            (Slot::Scalar { word }, KernelArg::Scalar { bytes, .. }) => {
                put(word, u64::from_le_bytes(*bytes), &mut words)?;
            }
            (
                Slot::Tensor { word, dims },
                KernelArg::Tensor {
                    mem, len, layout, ..
                },
            ) => {
                let memory = mem.memory();
                let address = match memory.vulkan() {
                    Some(buffer) if *len > 0 => buffer.address(),
                    _ => 0,
                };
                if *len > 0 {
                    keep.push(memory.clone());
                }
                put(word, address, &mut words)?;
                put(word + 1, layout.offset, &mut words)?;
                for axis in 0..dims.min(layout.dims as u32) {
                    put(word + 2 + axis, layout.shape[axis as usize], &mut words)?;
                    put(
                        word + 2 + dims + axis,
                        layout.strides[axis as usize] as u64,
                        &mut words,
                    )?;
                }
            }
            (
                Slot::Local { word, dims, .. },
                KernelArg::Local {
                    shape, dims: given, ..
                },
            ) => {
                if dims as usize != *given {
                    return Err(bad_layout(format!(
                        "slot {slot:?} for argument {}",
                        arg.describe()
                    )));
                }
                for (axis, &extent) in (0..dims).zip(shape.iter()) {
                    put(word + axis, extent, &mut words)?;
                }
            }
            (slot, arg) => {
                return Err(bad_layout(format!(
                    "slot {slot:?} for argument {}",
                    arg.describe()
                )));
            }
        }
    }
    if let (Some(word), Some(record)) = (interface.error_record_word, launch.record) {
        let address = record.vulkan().map_or(0, |b| b.address());
        put(word, address, &mut words)?;
    }
    Ok((words, keep))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::tests::fake_info;

    #[test]
    fn range_launches_take_the_documented_work_group_sizes() {
        let mut info = fake_info("gpu");
        info.max_work_item_sizes = vec![1024, 1024, 64];
        info.max_work_group_size = Some(1024);
        assert_eq!(default_local(&[1_000_000], &info), [256, 1, 1]);
        assert_eq!(default_local(&[500, 300], &info), [32, 8, 1]);
        assert_eq!(default_local(&[100, 100, 100], &info), [32, 4, 2]);
        // Clamped to the range ...
        assert_eq!(default_local(&[10], &info), [10, 1, 1]);
        assert_eq!(default_local(&[1000, 3], &info), [32, 3, 1]);
        // ... to the per-dimension limits ...
        info.max_work_item_sizes = vec![16, 2, 1];
        assert_eq!(default_local(&[100, 100, 100], &info), [16, 2, 1]);
        // ... and to the invocations, halving the largest extent first.
        info.max_work_item_sizes = vec![1024, 1024, 64];
        info.max_work_group_size = Some(16);
        assert_eq!(default_local(&[1000], &info), [16, 1, 1]);
        assert_eq!(default_local(&[100, 100], &info), [4, 4, 1]);
        info.max_work_group_size = None;
        assert_eq!(default_local(&[100, 100, 100], &info), [1, 1, 1]);
        // A range longer than the group-count limit keeps the documented size: its groups are
        // dispatched in parts.
        info.max_work_group_size = Some(1024);
        info.max_work_group_count = vec![65_535, 65_535, 65_535];
        assert_eq!(default_local(&[1 << 24], &info), [256, 1, 1]);
        assert_eq!(default_local(&[1 << 30], &info), [256, 1, 1]);
    }

    #[test]
    fn a_launch_over_the_group_count_limit_is_dispatched_in_parts_covering_every_group() {
        let parts = dispatches([262_144, 3, 1], [65_535, 2, 65_535]);
        assert_eq!(parts.len(), 5 * 2);
        let mut covered = vec![[false; 3]; 262_144];
        for (base, count) in parts {
            assert!(count[0] <= 65_535 && count[1] <= 2 && count[2] == 1);
            for x in base[0]..base[0] + count[0] {
                for y in base[1]..base[1] + count[1] {
                    assert!(!covered[x as usize][y as usize], "group ({x}, {y}) twice");
                    covered[x as usize][y as usize] = true;
                }
            }
        }
        assert!(covered.iter().all(|c| c == &[true; 3]));
        assert_eq!(
            dispatches([7, 1, 1], [65_535; 3]),
            vec![([0; 3], [7, 1, 1])]
        );
    }
}
