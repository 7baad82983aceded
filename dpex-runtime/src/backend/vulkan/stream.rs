//! A dpex queue on a Vulkan device: one timeline semaphore counting its submissions, a command
//! pool, and what each submission keeps alive until the timeline passes it.
//!
//! Every command buffer starts with a full memory barrier (so it runs after everything submitted
//! before it on the device's queue: dpex queues are in order) and ends with a barrier that makes
//! the device's writes visible to the host. Submission `n` signals the value `n`; resources of
//! completed submissions are reclaimed at each submit and each wait.
//!
//! Launches are batched (one `vkQueueSubmit` costs about 30 us on the H200, a dispatch in a
//! recorded batch about 1.5 us): each is recorded into the open command buffer, followed by a
//! compute-to-compute barrier, and the batch is submitted when it holds 64 launches or at a
//! sync point: an event's wait, [`Stream::finish`] (so `Queue::finish`, host reads and writes
//! of mapped memory), any transfer, a launch on another queue waiting for one of its events,
//! the stream's drop. Every launch of a batch signals the batch's value.

use std::any::Any;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use ash::vk;

use super::buffer::{Buffer, Placement};
use super::timestamps::Timestamps;
use super::{vk_err, Context};
use crate::error::{Error, Result};

/// Something a submission keeps alive until it completed (tensor memory, an error record).
pub(crate) type Keep = Arc<dyn Any + Send + Sync>;

/// Bytes of an argument block's slot (larger blocks get a buffer of their own).
pub(crate) const BLOCK_BYTES: u64 = 512;

/// Slots per chunk of argument blocks: one allocation serves this many launches.
const CHUNK_SLOTS: u64 = 128;

/// Free chunks kept for reuse per stream, at most.
const POOLED_CHUNKS: usize = 8;

/// Launches per command buffer at most: a full batch is submitted.
const MAX_BATCH: u32 = 64;

/// Failed submissions remembered per stream, at most.
const REMEMBERED_FAILURES: usize = 16;

/// One queue's submission stream.
pub(crate) struct Stream {
    pub(crate) ctx: Arc<Context>,
    /// Whether launches record timestamps ([`QueueOptions::profiling`](crate::QueueOptions)).
    pub(crate) profiling: bool,
    /// How long a wait polls the timeline before it sleeps in `vkWaitSemaphores`
    /// ([`WaitMode`](crate::WaitMode)).
    poll: Duration,
    timeline: vk::Semaphore,
    state: Mutex<State>,
}

struct State {
    /// The value of the last submission made or tried (0: none yet).
    submitted: u64,
    /// The value of the last submission the device's queue accepted.
    accepted: u64,
    /// Launches recorded but not yet submitted.
    open: Option<Batch>,
    /// Submissions that failed, with their errors (the waits on them return it).
    failed: Vec<(u64, Error)>,
    pool: vk::CommandPool,
    free: Vec<vk::CommandBuffer>,
    pending: VecDeque<Pending>,
    /// The chunk new argument blocks are cut from, and its next free slot.
    chunk: Option<(Arc<Buffer>, u64)>,
    /// Full chunks, some of whose blocks launches may still use.
    retired: Vec<Arc<Buffer>>,
    /// Chunks none of whose blocks is in use.
    free_chunks: Vec<Arc<Buffer>>,
}

/// One launch's argument block: a slot of a chunk of host-visible memory (device-local where
/// the device has such), or a buffer of its own when it is larger than a slot. A chunk is
/// reused only once no block of it is left, and blocks live until their launch completed.
pub(crate) struct Block {
    chunk: Arc<Buffer>,
    offset: u64,
}

impl Block {
    /// The device address of the block's first byte.
    pub(crate) fn address(&self) -> u64 {
        self.chunk.address() + self.offset
    }

    /// Writes `bytes` (at most the block's size) at the block's start; false if not mapped.
    pub(crate) fn write(&self, bytes: &[u8]) -> bool {
        self.chunk.write_at(self.offset, bytes)
    }
}

/// A submission not known to be complete, and what it uses.
struct Pending {
    value: u64,
    cmd: vk::CommandBuffer,
    _blocks: Vec<Block>,
    _keep: Vec<Keep>,
}

/// The launches recorded into the open command buffer, and what they use.
struct Batch {
    cmd: vk::CommandBuffer,
    launches: u32,
    blocks: Vec<Block>,
    keep: Vec<Keep>,
}

/// What a submission holds until it completes: the argument block and other resources.
#[derive(Default)]
pub(crate) struct Resources {
    /// The argument block (its slot reused afterwards).
    pub(crate) block: Option<Block>,
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
    /// A new stream on `ctx`'s queue, recording timestamps if `profiling`, whose waits poll
    /// for up to `poll` before they sleep.
    pub(crate) fn new(ctx: &Arc<Context>, profiling: bool, poll: Duration) -> Result<Stream> {
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
            poll,
            timeline,
            state: Mutex::new(State {
                submitted: 0,
                accepted: 0,
                open: None,
                failed: Vec::new(),
                pool,
                free: Vec::new(),
                pending: VecDeque::new(),
                chunk: None,
                retired: Vec::new(),
                free_chunks: Vec::new(),
            }),
        })
    }

    /// An argument block of at least `bytes` bytes: the next slot of the current chunk (a
    /// free or new chunk when it is full), or a buffer of its own for more than a slot.
    pub(crate) fn block(&self, bytes: u64) -> Result<Block> {
        if bytes > BLOCK_BYTES {
            let chunk = Arc::new(Buffer::new(&self.ctx, bytes, Placement::Block)?);
            return Ok(Block { chunk, offset: 0 });
        }
        let mut state = lock(&self.state);
        if let Some((chunk, slot)) = state.chunk.as_mut().filter(|(_, slot)| *slot < CHUNK_SLOTS) {
            let block = Block {
                chunk: chunk.clone(),
                offset: *slot * BLOCK_BYTES,
            };
            *slot += 1;
            return Ok(block);
        }
        let chunk = match state.free_chunks.pop() {
            Some(chunk) => chunk,
            None => Arc::new(Buffer::new(
                &self.ctx,
                BLOCK_BYTES * CHUNK_SLOTS,
                Placement::Block,
            )?),
        };
        if let Some((full, _)) = state.chunk.replace((chunk.clone(), 1)) {
            state.retired.push(full);
        }
        Ok(Block { chunk, offset: 0 })
    }

    /// A reset command buffer from the free list, or a new one.
    fn take_cmd(
        &self,
        state: &mut State,
        detail: &dyn Fn() -> String,
    ) -> Result<vk::CommandBuffer> {
        if let Some(cmd) = state.free.pop() {
            return Ok(cmd);
        }
        let info = vk::CommandBufferAllocateInfo::default()
            .command_pool(state.pool)
            .level(vk::CommandBufferLevel::PRIMARY)
            .command_buffer_count(1);
        // SAFETY: the pool belongs to this stream and is used under its lock.
        let cmds = unsafe { self.ctx.device.allocate_command_buffers(&info) }
            .map_err(vk_err("vkAllocateCommandBuffers", detail()))?;
        cmds.into_iter()
            .next()
            .ok_or_else(|| vk_err("vkAllocateCommandBuffers", detail())(vk::Result::ERROR_UNKNOWN))
    }

    /// Gives back a command buffer that was not submitted.
    fn give_back(&self, state: &mut State, cmd: vk::CommandBuffer) {
        // SAFETY: the command buffer is not pending (never submitted); it is reset for reuse.
        let reset = unsafe {
            self.ctx
                .device
                .reset_command_buffer(cmd, vk::CommandBufferResetFlags::empty())
        };
        if reset.is_ok() {
            state.free.push(cmd);
        }
    }

    /// Records `record` into the open batch (opening one if needed) followed by a
    /// compute-to-compute barrier, and returns the timeline value that signals its completion;
    /// `resources` live until then. The batch is submitted when it is full, else at the next
    /// sync point (a wait, a transfer, [`Stream::finish`]).
    pub(crate) fn launch(
        &self,
        record: impl FnOnce(&ash::Device, vk::CommandBuffer),
        resources: Resources,
        detail: impl Fn() -> String,
    ) -> Result<u64> {
        let device = &self.ctx.device;
        let mut state = lock(&self.state);
        if state.open.is_none() {
            self.reclaim(&mut state);
            let cmd = self.take_cmd(&mut state, &detail)?;
            if let Err(e) = begin(device, cmd) {
                self.give_back(&mut state, cmd);
                return Err(vk_err("vkBeginCommandBuffer", detail())(e));
            }
            state.open = Some(Batch {
                cmd,
                launches: 0,
                blocks: Vec::new(),
                keep: Vec::new(),
            });
        }
        let value = state.submitted + 1;
        let Some(batch) = state.open.as_mut() else {
            return Err(vk_err("vkBeginCommandBuffer", detail())(
                vk::Result::ERROR_UNKNOWN,
            ));
        };
        let barrier = [vk::MemoryBarrier::default()
            .src_access_mask(vk::AccessFlags::SHADER_WRITE)
            .dst_access_mask(vk::AccessFlags::SHADER_READ | vk::AccessFlags::SHADER_WRITE)];
        record(device, batch.cmd);
        // SAFETY: the batch's command buffer is recording (begun above or by an earlier
        // launch), under the stream's lock; the barrier orders this dispatch's writes before
        // the next dispatch's accesses.
        unsafe {
            device.cmd_pipeline_barrier(
                batch.cmd,
                vk::PipelineStageFlags::COMPUTE_SHADER,
                vk::PipelineStageFlags::COMPUTE_SHADER,
                vk::DependencyFlags::empty(),
                &barrier,
                &[],
                &[],
            );
        }
        batch.launches += 1;
        batch.blocks.extend(resources.block);
        batch.keep.extend(resources.keep);
        if batch.launches >= MAX_BATCH {
            self.flush(&mut state, &detail)?;
        }
        Ok(value)
    }

    /// Submits the open batch, if any.
    fn flush(&self, state: &mut State, detail: &dyn Fn() -> String) -> Result<()> {
        let Some(batch) = state.open.take() else {
            return Ok(());
        };
        let recorded = end(&self.ctx.device, batch.cmd);
        let resources = (batch.blocks, batch.keep);
        self.submit_recorded(state, batch.cmd, recorded, resources, detail)
            .map(|_| ())
    }

    /// Records commands with `record` into their own command buffer between the ordering
    /// barriers, after submitting the open batch, and submits them; returns the timeline value
    /// that signals their completion. `resources` live until then.
    pub(crate) fn submit(
        &self,
        record: impl FnOnce(&ash::Device, vk::CommandBuffer),
        resources: Resources,
        detail: impl Fn() -> String,
    ) -> Result<u64> {
        let device = &self.ctx.device;
        let mut state = lock(&self.state);
        self.flush(&mut state, &detail)?;
        self.reclaim(&mut state);
        let cmd = self.take_cmd(&mut state, &detail)?;
        let recorded = begin(device, cmd).and_then(|()| {
            record(device, cmd);
            end(device, cmd)
        });
        let resources = (resources.block.into_iter().collect(), resources.keep);
        self.submit_recorded(&mut state, cmd, recorded, resources, &detail)
    }

    /// Submits a recorded command buffer (`recorded`: whether recording succeeded) signalling
    /// the next timeline value. A failure is remembered for the waits on that value.
    fn submit_recorded(
        &self,
        state: &mut State,
        cmd: vk::CommandBuffer,
        recorded: std::result::Result<(), vk::Result>,
        (blocks, keep): (Vec<Block>, Vec<Keep>),
        detail: &dyn Fn() -> String,
    ) -> Result<u64> {
        let value = state.submitted + 1;
        let submitted = recorded
            .map_err(vk_err("vkEndCommandBuffer", detail()))
            .and_then(|()| {
                let cmds = [cmd];
                let semaphores = [self.timeline];
                let values = [value];
                let mut timeline =
                    vk::TimelineSemaphoreSubmitInfo::default().signal_semaphore_values(&values);
                let submit = vk::SubmitInfo::default()
                    .command_buffers(&cmds)
                    .signal_semaphores(&semaphores)
                    .push_next(&mut timeline);
                self.ctx.submit(&submit, detail)
            });
        state.submitted = value;
        if let Err(e) = submitted {
            self.give_back(state, cmd);
            if state.failed.len() >= REMEMBERED_FAILURES {
                state.failed.remove(0);
            }
            state.failed.push((value, e.clone()));
            return Err(e);
        }
        state.accepted = value;
        state.pending.push_back(Pending {
            value,
            cmd,
            _blocks: blocks,
            _keep: keep,
        });
        Ok(value)
    }

    /// The timeline's current value (`None` if the query failed).
    fn completed(&self) -> Option<u64> {
        // SAFETY: a query on this stream's live semaphore.
        unsafe { self.ctx.device.get_semaphore_counter_value(self.timeline) }.ok()
    }

    /// Frees what completed submissions held: their command buffers go back to the free list,
    /// their argument blocks are dropped, and chunks with no block left become free.
    fn reclaim(&self, state: &mut State) {
        let Some(done) = self.completed() else {
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
        }
        // A retired chunk none of whose blocks is left (only the list holds it) is free.
        let (unused, used): (Vec<_>, Vec<_>) = std::mem::take(&mut state.retired)
            .into_iter()
            .partition(|chunk| Arc::strong_count(chunk) == 1);
        state.retired = used;
        for chunk in unused {
            if state.free_chunks.len() < POOLED_CHUNKS {
                state.free_chunks.push(chunk);
            }
        }
    }

    /// Blocks until the submission of `value` has completed (submitting the open batch first
    /// if `value` is in it), then reclaims; the error of a submission that failed.
    pub(crate) fn wait(&self, value: u64) -> Result<()> {
        let (target, failure) = {
            let mut state = lock(&self.state);
            let flushed = if value > state.submitted {
                self.flush(&mut state, &|| format!("submitting launch {value}"))
            } else {
                Ok(())
            };
            let failure = state
                .failed
                .iter()
                .find(|(v, _)| *v == value)
                .map(|(_, e)| e.clone())
                .or(flushed.err());
            (value.min(state.accepted), failure)
        };
        self.wait_for(target)?;
        self.reclaim(&mut lock(&self.state));
        failure.map_or(Ok(()), Err)
    }

    /// Blocks until the timeline has reached `value`: polls it for up to `self.poll`, then
    /// sleeps in `vkWaitSemaphores`.
    fn wait_for(&self, value: u64) -> Result<()> {
        if !self.poll.is_zero() {
            let start = Instant::now();
            loop {
                match self.completed() {
                    Some(done) if done >= value => return Ok(()),
                    // A failed query: the sleeping wait below reports the device's error.
                    None => break,
                    Some(_) if start.elapsed() >= self.poll => break,
                    Some(_) => std::hint::spin_loop(),
                }
            }
        }
        let semaphores = [self.timeline];
        let values = [value];
        let info = vk::SemaphoreWaitInfo::default()
            .semaphores(&semaphores)
            .values(&values);
        // SAFETY: waiting on this stream's live semaphore for a value an accepted submission
        // signals.
        unsafe { self.ctx.device.wait_semaphores(&info, u64::MAX) }.map_err(vk_err(
            "vkWaitSemaphores",
            format!("waiting for submission {value}"),
        ))
    }

    /// Blocks until every launch and transfer so far has completed.
    pub(crate) fn finish(&self) -> Result<()> {
        let (last, flushed) = {
            let mut state = lock(&self.state);
            let flushed = self.flush(&mut state, &|| "finishing the queue".to_string());
            (state.accepted, flushed)
        };
        self.wait_for(last)?;
        self.reclaim(&mut lock(&self.state));
        flushed
    }
}

/// Begins `cmd` with a full memory barrier: it runs after everything submitted before it.
fn begin(device: &ash::Device, cmd: vk::CommandBuffer) -> std::result::Result<(), vk::Result> {
    let info =
        vk::CommandBufferBeginInfo::default().flags(vk::CommandBufferUsageFlags::ONE_TIME_SUBMIT);
    let before = [vk::MemoryBarrier::default()
        .src_access_mask(vk::AccessFlags::MEMORY_WRITE)
        .dst_access_mask(vk::AccessFlags::MEMORY_READ | vk::AccessFlags::MEMORY_WRITE)];
    // SAFETY: `cmd` is a reset primary command buffer of the stream's pool, used under the
    // stream's lock; the barrier is valid on any queue with compute.
    unsafe {
        device.begin_command_buffer(cmd, &info)?;
        device.cmd_pipeline_barrier(
            cmd,
            vk::PipelineStageFlags::ALL_COMMANDS,
            vk::PipelineStageFlags::ALL_COMMANDS,
            vk::DependencyFlags::empty(),
            &before,
            &[],
            &[],
        );
    }
    Ok(())
}

/// Ends `cmd` with a barrier that makes the device's writes visible to the host.
fn end(device: &ash::Device, cmd: vk::CommandBuffer) -> std::result::Result<(), vk::Result> {
    let after = [vk::MemoryBarrier::default()
        .src_access_mask(vk::AccessFlags::MEMORY_WRITE)
        .dst_access_mask(vk::AccessFlags::HOST_READ | vk::AccessFlags::HOST_WRITE)];
    // SAFETY: `cmd` is recording (begun by `begin`), under the stream's lock.
    unsafe {
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

impl Drop for Stream {
    fn drop(&mut self) {
        // Launches not submitted yet still run: events may be gone, their effects are not.
        let _ = self.finish();
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        let semaphores = [self.timeline];
        let values = [state.accepted];
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
