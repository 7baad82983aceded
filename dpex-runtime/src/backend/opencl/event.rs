//! OpenCL events: waiting for one and reading its profiling timestamps.

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
        let detail = || format!("profiling kernel `{kernel}`");
        let query = "clGetEventProfilingInfo";
        Ok(ProfilingInfo {
            queued: event
                .profiling_command_queued()
                .map_err(cl_with(query, detail()))?,
            submitted: event
                .profiling_command_submit()
                .map_err(cl_with(query, detail()))?,
            started: event
                .profiling_command_start()
                .map_err(cl_with(query, detail()))?,
            ended: event
                .profiling_command_end()
                .map_err(cl_with(query, detail()))?,
        })
    }
}
