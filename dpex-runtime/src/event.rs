//! Events: handles on enqueued kernel launches.

use std::fmt;

use crate::error::{cl_with, Result};

/// A launched kernel; [`Event::wait`] blocks until it has run.
///
/// Waiting is optional: later reads of the kernel's tensors on the same queue come after it.
pub struct Event {
    event: opencl3::event::Event,
    kernel: &'static str,
}

impl Event {
    pub(crate) fn new(event: opencl3::event::Event, kernel: &'static str) -> Event {
        Event { event, kernel }
    }

    /// Blocks until the command has completed.
    pub fn wait(&self) -> Result<()> {
        self.event.wait().map_err(cl_with(
            "clWaitForEvents",
            format!("waiting for kernel `{}`", self.kernel),
        ))
    }

    /// The name of the kernel this event belongs to.
    pub fn kernel(&self) -> &'static str {
        self.kernel
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("kernel", &self.kernel)
            .finish()
    }
}
