//! OpenCL events: waiting for one and reading its profiling timestamps.

use opencl3::error_codes::ClError;
use opencl3::types::cl_event;

use super::status::cl_with;
use crate::error::Result;
use crate::event::ProfilingInfo;

/// The OpenCL event of an enqueued command.
pub(crate) struct Event(opencl3::event::Event);

impl Event {
    /// The event of an enqueued command.
    pub(crate) fn new(event: opencl3::event::Event) -> Event {
        Event(event)
    }

    /// The raw event, for wait lists.
    pub(crate) fn raw(&self) -> cl_event {
        self.0.get()
    }

    /// Blocks until the command of kernel `kernel` has completed.
    pub(crate) fn wait(&self, kernel: &str) -> Result<()> {
        self.0.wait().map_err(cl_with(
            "clWaitForEvents",
            format!("waiting for kernel `{kernel}`"),
        ))
    }

    /// The command's four timestamps (`clGetEventProfilingInfo`); the command has completed.
    pub(crate) fn profiling(&self, kernel: &str) -> Result<ProfilingInfo> {
        let event = &self.0;
        let time = |t: std::result::Result<u64, ClError>| {
            t.map_err(cl_with(
                "clGetEventProfilingInfo",
                format!("profiling kernel `{kernel}`"),
            ))
        };
        Ok(ProfilingInfo {
            queued: time(event.profiling_command_queued())?,
            submitted: time(event.profiling_command_submit())?,
            started: time(event.profiling_command_start())?,
            ended: time(event.profiling_command_end())?,
        })
    }
}
