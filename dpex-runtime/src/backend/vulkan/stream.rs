//! A dpex queue on a Vulkan device: one timeline semaphore counting its submissions, a command
//! pool, and what each submission keeps alive until the timeline passes it.
//!
//! Every command buffer starts with a full memory barrier (so it runs after everything submitted
//! before it on the device's queue: dpex queues are in order) and ends with a barrier that makes
//! the device's writes visible to the host. Submission `n` signals the value `n`; resources of
//! completed submissions are reclaimed at each submit and each wait.

use std::any::Any;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ash::vk;

use super::buffer::{Buffer, Placement};
use super::timestamps::Timestamps;
use super::{vk_err, Context};
use crate::error::Result;

/// Something a submission keeps alive until it completed (tensor memory, an error record).
pub(crate) type Keep = Arc<dyn Any + Send + Sync>;

/// Argument blocks kept for reuse per stream, at most.
const POOLED_BLOCKS: usize = 32;

/// Bytes of a pooled argument block (larger blocks are allocated to size and not pooled).
pub(crate) const BLOCK_BYTES: u64 = 512;

/// One queue's submission stream.
pub(crate) struct Stream {
    pub(crate) ctx: Arc<Context>,
    /// Whether launches record timestamps ([`QueueOptions::profiling`](crate::QueueOptions)).
    pub(crate) profiling: bool,
    timeline: vk::Semaphore,
    state: Mutex<State>,
}

struct State {
    /// The value of the last submission (0: none yet).
    submitted: u64,
    pool: vk::CommandPool,
    free: Vec<vk::CommandBuffer>,
    pending: VecDeque<Pending>,
    /// Host-visible argument blocks of completed launches.
    blocks: Vec<Buffer>,
}

/// A submission not known to be complete, and what it uses.
struct Pending {
    value: u64,
    cmd: vk::CommandBuffer,
    block: Option<Buffer>,
    _keep: Vec<Keep>,
}

/// What a submission holds until it completes: the argument block and other resources.
#[derive(Default)]
pub(crate) struct Resources {
    /// The argument block (returned to the stream's pool afterwards).
    pub(crate) block: Option<Buffer>,
    /// Anything else the device uses.
    pub(crate) keep: Vec<Keep>,
}

/// A point on a stream's timeline: what a Vulkan [`Event`](crate::Event) waits for.
#[derive(Clone)]
pub(crate) struct Signal {
    pub(crate) stream: Arc<Stream>,
    pub(crate) value: u64,
    /// The launch's timestamps, on a profiling queue.
    pub(crate) timestamps: Option<Arc<Timestamps>>,
}

impl Signal {
    /// Blocks until the submission has completed.
    pub(crate) fn wait(&self) -> Result<()> {
        self.stream.wait(self.value)
    }

    /// The launch's device start and end in nanoseconds (`None`: not a profiling queue).
    pub(crate) fn times(&self) -> Option<Result<(u64, u64)>> {
        self.timestamps.as_ref().map(|t| t.read())
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Stream {
    /// A new stream on `ctx`'s queue, recording timestamps if `profiling`.
    pub(crate) fn new(ctx: &Arc<Context>, profiling: bool) -> Result<Stream> {
        let device = &ctx.device;
        let mut kind = vk::SemaphoreTypeCreateInfo::default()
            .semaphore_type(vk::SemaphoreType::TIMELINE)
            .initial_value(0);
        let info = vk::SemaphoreCreateInfo::default().push_next(&mut kind);
        // SAFETY: a valid create info on a live device with timelineSemaphore enabled.
        let timeline = unsafe { device.create_semaphore(&info, None) }
            .map_err(vk_err("vkCreateSemaphore", "a queue's timeline semaphore"))?;
        let pool_info = vk::CommandPoolCreateInfo::default()
            .flags(vk::CommandPoolCreateFlags::RESET_COMMAND_BUFFER)
            .queue_family_index(ctx.family);
        // SAFETY: a valid create info; the family is the device's queue's.
        let pool = match unsafe { device.create_command_pool(&pool_info, None) } {
            Ok(pool) => pool,
            Err(e) => {
                // SAFETY: the semaphore was created above and is unused.
                unsafe { device.destroy_semaphore(timeline, None) };
                return Err(vk_err("vkCreateCommandPool", "a queue's command pool")(e));
            }
        };
        Ok(Stream {
            ctx: ctx.clone(),
            profiling,
            timeline,
            state: Mutex::new(State {
                submitted: 0,
                pool,
                free: Vec::new(),
                pending: VecDeque::new(),
                blocks: Vec::new(),
            }),
        })
    }

    /// A host-visible argument block of at least `bytes` bytes, from the pool if one is free.
    pub(crate) fn block(&self, bytes: u64) -> Result<Buffer> {
        if bytes <= BLOCK_BYTES {
            if let Some(block) = lock(&self.state).blocks.pop() {
                return Ok(block);
            }
        }
        Buffer::new(&self.ctx, bytes.max(BLOCK_BYTES), Placement::Host)
    }

    /// Records commands with `record` into a command buffer between the ordering barriers,
    /// submits it and returns the timeline value it signals; `resources` live until then.
    pub(crate) fn submit(
        &self,
        record: impl FnOnce(&ash::Device, vk::CommandBuffer),
        resources: Resources,
        detail: impl Fn() -> String,
    ) -> Result<u64> {
        let device = &self.ctx.device;
        let mut state = lock(&self.state);
        self.reclaim(&mut state);
        let cmd = match state.free.pop() {
            Some(cmd) => cmd,
            None => {
                let info = vk::CommandBufferAllocateInfo::default()
                    .command_pool(state.pool)
                    .level(vk::CommandBufferLevel::PRIMARY)
                    .command_buffer_count(1);
                // SAFETY: the pool belongs to this stream and is used under its lock.
                let cmds = unsafe { device.allocate_command_buffers(&info) }
                    .map_err(vk_err("vkAllocateCommandBuffers", detail()))?;
                cmds.into_iter().next().ok_or_else(|| {
                    vk_err("vkAllocateCommandBuffers", detail())(vk::Result::ERROR_UNKNOWN)
                })?
            }
        };
        let recorded =
            Self::record(device, cmd, record).map_err(vk_err("vkEndCommandBuffer", detail()));
        let value = state.submitted + 1;
        let submitted = recorded.and_then(|()| {
            let cmds = [cmd];
            let semaphores = [self.timeline];
            let values = [value];
            let mut timeline =
                vk::TimelineSemaphoreSubmitInfo::default().signal_semaphore_values(&values);
            let submit = vk::SubmitInfo::default()
                .command_buffers(&cmds)
                .signal_semaphores(&semaphores)
                .push_next(&mut timeline);
            self.ctx.submit(&submit, &detail)
        });
        if let Err(e) = submitted {
            // SAFETY: the command buffer was not submitted; it goes back to the pool.
            let _ =
                unsafe { device.reset_command_buffer(cmd, vk::CommandBufferResetFlags::empty()) };
            state.free.push(cmd);
            return Err(e);
        }
        state.submitted = value;
        state.pending.push_back(Pending {
            value,
            cmd,
            block: resources.block,
            _keep: resources.keep,
        });
        Ok(value)
    }

    fn record(
        device: &ash::Device,
        cmd: vk::CommandBuffer,
        record: impl FnOnce(&ash::Device, vk::CommandBuffer),
    ) -> std::result::Result<(), vk::Result> {
        let begin = vk::CommandBufferBeginInfo::default()
            .flags(vk::CommandBufferUsageFlags::ONE_TIME_SUBMIT);
        let before = [vk::MemoryBarrier::default()
            .src_access_mask(vk::AccessFlags::MEMORY_WRITE)
            .dst_access_mask(vk::AccessFlags::MEMORY_READ | vk::AccessFlags::MEMORY_WRITE)];
        let after = [vk::MemoryBarrier::default()
            .src_access_mask(vk::AccessFlags::MEMORY_WRITE)
            .dst_access_mask(vk::AccessFlags::HOST_READ | vk::AccessFlags::HOST_WRITE)];
        // SAFETY: `cmd` is a reset primary command buffer of this stream's pool, recorded under
        // the stream's lock; the barriers are valid for any queue with compute.
        unsafe {
            device.begin_command_buffer(cmd, &begin)?;
            device.cmd_pipeline_barrier(
                cmd,
                vk::PipelineStageFlags::ALL_COMMANDS,
                vk::PipelineStageFlags::ALL_COMMANDS,
                vk::DependencyFlags::empty(),
                &before,
                &[],
                &[],
            );
            record(device, cmd);
            device.cmd_pipeline_barrier(
                cmd,
                vk::PipelineStageFlags::ALL_COMMANDS,
                vk::PipelineStageFlags::HOST,
                vk::DependencyFlags::empty(),
                &after,
                &[],
                &[],
            );
            device.end_command_buffer(cmd)
        }
    }

    /// Frees what completed submissions held: their command buffers go back to the free list,
    /// their argument blocks to the pool.
    fn reclaim(&self, state: &mut State) {
        // SAFETY: a query on this stream's live semaphore.
        let Ok(done) = (unsafe { self.ctx.device.get_semaphore_counter_value(self.timeline) })
        else {
            return;
        };
        while state.pending.front().is_some_and(|p| p.value <= done) {
            let Some(pending) = state.pending.pop_front() else {
                break;
            };
            // SAFETY: the submission completed (the timeline passed it), so the command buffer
            // is no longer in use.
            let reset = unsafe {
                self.ctx
                    .device
                    .reset_command_buffer(pending.cmd, vk::CommandBufferResetFlags::empty())
            };
            if reset.is_ok() {
                state.free.push(pending.cmd);
            }
            if let Some(block) = pending.block {
                if state.blocks.len() < POOLED_BLOCKS {
                    state.blocks.push(block);
                }
            }
        }
    }

    /// Blocks until the timeline has reached `value`, then reclaims.
    pub(crate) fn wait(&self, value: u64) -> Result<()> {
        let semaphores = [self.timeline];
        let values = [value];
        let info = vk::SemaphoreWaitInfo::default()
            .semaphores(&semaphores)
            .values(&values);
        // SAFETY: waiting on this stream's live semaphore for a value it was (or will be)
        // signalled with.
        unsafe { self.ctx.device.wait_semaphores(&info, u64::MAX) }.map_err(vk_err(
            "vkWaitSemaphores",
            format!("waiting for submission {value}"),
        ))?;
        self.reclaim(&mut lock(&self.state));
        Ok(())
    }

    /// Blocks until every submission so far has completed.
    pub(crate) fn finish(&self) -> Result<()> {
        let last = lock(&self.state).submitted;
        self.wait(last)
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        let semaphores = [self.timeline];
        let values = [state.submitted];
        let info = vk::SemaphoreWaitInfo::default()
            .semaphores(&semaphores)
            .values(&values);
        // SAFETY: events hold the stream, so it drops once nothing can wait on it; the device
        // finishes every submission before the pool, the semaphore and the resources go (a
        // failed wait falls back to waiting for the whole device).
        unsafe {
            if self.ctx.device.wait_semaphores(&info, u64::MAX).is_err() {
                let _ = self.ctx.device.device_wait_idle();
            }
            state.pending.clear();
            self.ctx.device.destroy_command_pool(state.pool, None);
            self.ctx.device.destroy_semaphore(self.timeline, None);
        }
    }
}
