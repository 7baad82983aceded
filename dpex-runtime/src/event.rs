//! Events: handles on enqueued kernel launches, to wait on, to order later launches after, and to
//! read profiling timestamps from.

use std::fmt;
use std::time::Duration;

use crate::backend::opencl;
use crate::backend::vulkan::Signal;
use crate::error::{Error, Result};
use crate::error_record::ErrorRecord;
use crate::queue::Queue;

/// A launched kernel; [`Event::wait`] blocks until it has run.
///
/// Waiting is optional on an in-order queue: later reads of the kernel's tensors on the same
/// queue come after it. On an out-of-order queue, pass the event to
/// [`launch_after`](crate::launch_after) to order a later launch after this one.
///
/// Dropping an event without waiting is allowed (the launch keeps its resources until it has
/// run), but its failed run-time check is then reported at the next synchronization point of
/// its queue instead: [`Queue::finish`], a blocking copy between one of the queue's tensors and
/// the host (`to_vec`, `copy_to_host`, `copy_from_host`), or the next `wait` on an event of the
/// queue. Each failure is reported once: waiting on the event itself reports it there only.
///
/// On a Vulkan device an event is a value of its queue's timeline semaphore; its launch may
/// still sit in the queue's open batch, which waiting submits.
#[must_use = "a launch is asynchronous: `wait()` on its event (or `finish()` its queue) to see \
              its errors"]
pub struct Event {
    event: Inner,
    queue: Queue,
    kernel: &'static str,
    profiling: bool,
    /// For a safe kernel: where it reports a failed run-time check.
    record: Option<ErrorRecord>,
}

/// The API object behind an [`Event`].
pub(crate) enum Inner {
    /// An OpenCL event.
    OpenCl(opencl::event::Event),
    /// A point on a Vulkan queue's timeline.
    Vulkan(Signal),
}

/// Device timestamps of a command, in nanoseconds of the device's clock
/// (`clGetEventProfilingInfo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProfilingInfo {
    /// `CL_PROFILING_COMMAND_QUEUED`: when the command was enqueued.
    pub queued: u64,
    /// `CL_PROFILING_COMMAND_SUBMIT`: when it was submitted to the device.
    pub submitted: u64,
    /// `CL_PROFILING_COMMAND_START`: when it started running.
    pub started: u64,
    /// `CL_PROFILING_COMMAND_END`: when it finished.
    pub ended: u64,
}

impl ProfilingInfo {
    /// How long the command ran on the device (`ended - started`, 0 if the clock went back).
    pub fn duration(&self) -> Duration {
        Duration::from_nanos(self.ended.saturating_sub(self.started))
    }

    /// How long the command waited between being enqueued and starting (`started - queued`).
    pub fn latency(&self) -> Duration {
        Duration::from_nanos(self.started.saturating_sub(self.queued))
    }
}

impl Event {
    pub(crate) fn new(
        event: Inner,
        queue: &Queue,
        kernel: &'static str,
        record: Option<ErrorRecord>,
    ) -> Event {
        Event {
            event,
            queue: queue.clone(),
            kernel,
            profiling: queue.is_profiling(),
            record,
        }
    }

    /// Blocks until the command has completed. For a safe kernel, returns the first run-time
    /// check that failed ([`Error::OutOfBounds`], [`Error::DivideByZero`],
    /// [`Error::DivideOverflow`]); such a failure touched no memory.
    ///
    /// Then, as every synchronization point of the queue, reports the failure of an earlier
    /// launch on the queue whose event was dropped unwaited (see [`Event`]); reading those
    /// records waits for the commands enqueued on the queue before this call.
    pub fn wait(&self) -> Result<()> {
        self.complete()?;
        if let Some(record) = &self.record {
            record.check()?;
        }
        self.queue.report_unwaited()
    }

    /// Blocks until the command has completed, without reading its error record.
    pub(crate) fn complete(&self) -> Result<()> {
        match &self.event {
            Inner::OpenCl(event) => event.wait(self.kernel),
            Inner::Vulkan(signal) => signal.wait(),
        }
    }

    /// The name of the kernel this event belongs to.
    pub fn kernel(&self) -> &'static str {
        self.kernel
    }

    /// The command's device timestamps. Blocks until the command has completed. On Vulkan the
    /// timestamps bracket the dispatch (`queued` and `submitted` equal `started`).
    ///
    /// Errors with [`Error::ProfilingDisabled`] unless the launch queue was created with
    /// [`QueueOptions::profiling`](crate::QueueOptions::profiling).
    pub fn profiling(&self) -> Result<ProfilingInfo> {
        if !self.profiling {
            return Err(Error::ProfilingDisabled {
                kernel: self.kernel.to_string(),
            });
        }
        self.wait()?;
        let event = match &self.event {
            Inner::OpenCl(event) => event,
            Inner::Vulkan(signal) => {
                let Some(times) = signal.times() else {
                    return Err(Error::ProfilingDisabled {
                        kernel: self.kernel.to_string(),
                    });
                };
                let (started, ended) = times?;
                // Vulkan timestamps bracket the dispatch only: queued and submitted are its start.
                return Ok(ProfilingInfo {
                    queued: started,
                    submitted: started,
                    started,
                    ended,
                });
            }
        };
        event.profiling(self.kernel)
    }

    /// The point of a Vulkan queue's timeline this event is (`None` for an OpenCL event).
    pub(crate) fn signal(&self) -> Option<&Signal> {
        match &self.event {
            Inner::Vulkan(signal) => Some(signal),
            Inner::OpenCl(_) => None,
        }
    }

    /// The OpenCL event, for wait lists (`None` for a Vulkan event).
    pub(crate) fn opencl(&self) -> Option<&opencl::event::Event> {
        match &self.event {
            Inner::OpenCl(event) => Some(event),
            Inner::Vulkan(_) => None,
        }
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("kernel", &self.kernel)
            .field("profiling", &self.profiling)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_saturate() {
        let p = ProfilingInfo {
            queued: 10,
            submitted: 20,
            started: 50,
            ended: 1_050,
        };
        assert_eq!(p.duration(), Duration::from_nanos(1_000));
        assert_eq!(p.latency(), Duration::from_nanos(40));
        let backwards = ProfilingInfo { ended: 0, ..p };
        assert_eq!(backwards.duration(), Duration::ZERO);
    }
}
