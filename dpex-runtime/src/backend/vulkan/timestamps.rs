//! Device timestamps around one dispatch, for [`Event::profiling`](crate::Event::profiling) on
//! Vulkan queues created with profiling: a two-query `TIMESTAMP` pool per launch, written at the
//! top and the bottom of the pipeline, read after the launch completed and scaled by
//! `timestampPeriod` to nanoseconds.

use std::sync::Arc;

use ash::vk;

use super::{vk_err, Context};
use crate::error::Result;

/// The two timestamps of one launch.
pub(crate) struct Timestamps {
    ctx: Arc<Context>,
    pool: vk::QueryPool,
}

impl Timestamps {
    /// A new pool of two timestamp queries.
    pub(crate) fn new(ctx: &Arc<Context>) -> Result<Timestamps> {
        let info = vk::QueryPoolCreateInfo::default()
            .query_type(vk::QueryType::TIMESTAMP)
            .query_count(2);
        // SAFETY: a valid create info on a live device.
        let pool = unsafe { ctx.device.create_query_pool(&info, None) }
            .map_err(vk_err("vkCreateQueryPool", "the timestamps of a launch"))?;
        Ok(Timestamps {
            ctx: ctx.clone(),
            pool,
        })
    }

    /// Records the reset and the first timestamp.
    ///
    /// # Safety
    /// `cmd` is a command buffer of `device` in the recording state, on a queue family with
    /// timestamps (`timestampValidBits` > 0).
    pub(crate) unsafe fn start(&self, device: &ash::Device, cmd: vk::CommandBuffer) {
        // SAFETY: the caller's contract; the pool has two queries.
        unsafe {
            device.cmd_reset_query_pool(cmd, self.pool, 0, 2);
            device.cmd_write_timestamp(cmd, vk::PipelineStageFlags::TOP_OF_PIPE, self.pool, 0);
        }
    }

    /// Records the second timestamp.
    ///
    /// # Safety
    /// As [`Timestamps::start`], after it in the same command buffer.
    pub(crate) unsafe fn end(&self, device: &ash::Device, cmd: vk::CommandBuffer) {
        // SAFETY: the caller's contract.
        unsafe {
            device.cmd_write_timestamp(cmd, vk::PipelineStageFlags::BOTTOM_OF_PIPE, self.pool, 1)
        };
    }

    /// The start and end in nanoseconds (waits for the results; call after the launch completed).
    pub(crate) fn read(&self) -> Result<(u64, u64)> {
        let mut ticks = [0u64; 2];
        // SAFETY: both queries were written by a completed submission; the results are 64-bit.
        unsafe {
            self.ctx.device.get_query_pool_results(
                self.pool,
                0,
                &mut ticks,
                vk::QueryResultFlags::TYPE_64 | vk::QueryResultFlags::WAIT,
            )
        }
        .map_err(vk_err(
            "vkGetQueryPoolResults",
            "the timestamps of a launch",
        ))?;
        let period = f64::from(self.ctx.info.timestamp_period);
        let ns = |t: u64| (t as f64 * period) as u64;
        Ok((ns(ticks[0]), ns(ticks[1])))
    }
}

impl Drop for Timestamps {
    fn drop(&mut self) {
        // SAFETY: the submission that writes the pool keeps it alive until it completed, so the
        // device no longer uses it.
        unsafe { self.ctx.device.destroy_query_pool(self.pool, None) };
    }
}
