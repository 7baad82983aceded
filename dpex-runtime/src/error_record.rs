//! The error record of a launch of a safe kernel: six `u64` words in device memory where the
//! kernel reports the first run-time check that failed (an out-of-bounds index, an integer
//! division by zero or `MIN / -1`); [`Event::wait`](crate::Event::wait) reads it back.
//!
//! Layout: [`dpex_abi::record`], written by the SPIR-V emitter.

use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use dpex_abi::record::{Check, What};

use crate::error::{Error, Result};
use crate::queue::Queue;
use crate::spec::KernelSpec;
use crate::tensor::memory::{read, DeviceMemory};

/// Words in a record.
const WORDS: usize = dpex_abi::record::WORDS as usize;

/// One launch's error record. A record its launch left clean goes back to the queue's pool when
/// dropped, so that a loop of launches and waits allocates none after the first.
pub(crate) struct ErrorRecord {
    /// `None` only while dropping. Shared with a Vulkan submission, which holds it until the
    /// kernel completed.
    memory: Option<Arc<DeviceMemory>>,
    queue: Queue,
    spec: &'static KernelSpec,
    /// Set by [`ErrorRecord::check`] when it read the record (the launch had completed) and
    /// found every word zero.
    clean: AtomicBool,
}

impl ErrorRecord {
    /// A zeroed record on `queue`'s device for a launch of `spec`.
    pub(crate) fn new(queue: &Queue, spec: &'static KernelSpec) -> Result<ErrorRecord> {
        let memory = match queue.take_error_record() {
            Some(memory) => memory,
            None => {
                let zeros = [0u64; WORDS];
                DeviceMemory::allocate(
                    queue,
                    std::mem::size_of_val(&zeros),
                    Some(zeros.as_ptr().cast::<c_void>()),
                    &|| format!("the error record of kernel `{}`", spec.name),
                )?
            }
        };
        Ok(ErrorRecord {
            memory: Some(Arc::new(memory)),
            queue: queue.clone(),
            spec,
            clean: AtomicBool::new(false),
        })
    }

    /// The record's memory.
    pub(crate) fn memory(&self) -> Option<&Arc<DeviceMemory>> {
        self.memory.as_ref()
    }

    /// Reads the record (after the kernel has completed) and turns a failure into its error.
    pub(crate) fn check(&self) -> Result<()> {
        let mut bytes = [0u8; WORDS * 8];
        if let Some(memory) = &self.memory {
            read(&self.queue, memory, 0, &mut bytes)?;
        }
        if bytes.iter().all(|&b| b == 0) {
            self.clean.store(true, Ordering::Relaxed);
        }
        let word = |k: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&bytes[k * 8..k * 8 + 8]);
            u64::from_le_bytes(w)
        };
        let kernel = self.spec.name.to_string();
        let work_item = word(4);
        let code = word(0) & 0xffff_ffff;
        match Check::from_code(code) {
            None if code == 0 => Ok(()),
            None => Err(Error::KernelFailed { kernel, code }),
            Some(Check::OutOfBounds) => Err(Error::OutOfBounds {
                kernel,
                parameter: self.describe(word(1)),
                index: word(2),
                len: word(3),
                work_item,
            }),
            Some(Check::DivideByZero) => Err(Error::DivideByZero { kernel, work_item }),
            Some(Check::DivideOverflow) => Err(Error::DivideOverflow { kernel, work_item }),
        }
    }

    /// The name of what word 1 of the record designates.
    fn describe(&self, what: u64) -> String {
        match What::decode(what) {
            What::Param(id) => self
                .spec
                .params
                .get(id as usize)
                .map_or_else(|| format!("parameter {id}"), |p| p.name.to_string()),
            What::WorkgroupArray(id) => format!("local array #{id}"),
            What::PrivateArray(id) => format!("private array #{id}"),
        }
    }
}

impl Drop for ErrorRecord {
    fn drop(&mut self) {
        if self.clean.load(Ordering::Relaxed) {
            // Only a record no submission holds any more is reused.
            if let Some(memory) = self.memory.take().and_then(Arc::into_inner) {
                self.queue.give_back_error_record(memory);
            }
        }
    }
}
