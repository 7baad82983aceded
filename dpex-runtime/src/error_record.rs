//! The error record of a launch of a safe kernel: six `u64` words in device memory where the
//! kernel reports the first run-time check that failed (an out-of-bounds index, an integer
//! division by zero or `MIN / -1`); [`Event::wait`](crate::Event::wait) reads it back, and the
//! record of a launch whose event was dropped unread waits on its queue for the next
//! synchronization point ([`Unwaited`]).
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
/// dropped, so that a loop of launches and waits allocates none after the first; a record never
/// read goes to the queue's list of [`Unwaited`] records.
pub(crate) struct ErrorRecord {
    /// `None` only while dropping. Shared with a Vulkan submission, which holds it until the
    /// kernel completed.
    memory: Option<Arc<DeviceMemory>>,
    queue: Queue,
    spec: &'static KernelSpec,
    /// Set by [`ErrorRecord::check`] when it read the record (the launch had completed) and
    /// found every word zero.
    clean: AtomicBool,
    /// Set by [`ErrorRecord::check`]: its failure, if any, was reported.
    reported: AtomicBool,
}

/// The record of a launch whose [`Event`](crate::Event) was dropped without reading it: its
/// queue keeps it until the next synchronization point, which reports its failure. It holds no
/// [`Queue`], so that the queue's list of them makes no reference cycle.
pub(crate) struct Unwaited {
    memory: Arc<DeviceMemory>,
    spec: &'static KernelSpec,
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
            reported: AtomicBool::new(false),
        })
    }

    /// The record's memory.
    pub(crate) fn memory(&self) -> Option<&Arc<DeviceMemory>> {
        self.memory.as_ref()
    }

    /// Reads the record (after the kernel has completed) and turns a failure into its error.
    pub(crate) fn check(&self) -> Result<()> {
        let Some(memory) = &self.memory else {
            return Ok(());
        };
        let (clean, outcome) = read_record(&self.queue, memory, self.spec)?;
        self.clean.store(clean, Ordering::Relaxed);
        self.reported.store(true, Ordering::Relaxed);
        outcome
    }
}

impl Unwaited {
    /// Reads the record on `queue` (its launch has completed) and turns a failure into its
    /// error; a clean record goes back to the queue's pool.
    pub(crate) fn check(self, queue: &Queue) -> Result<()> {
        let (clean, outcome) = read_record(queue, &self.memory, self.spec)?;
        if clean {
            if let Some(memory) = Arc::into_inner(self.memory) {
                queue.give_back_error_record(memory);
            }
        }
        outcome
    }
}

/// Reads a completed launch's record: whether it is clean, and its failure as an error.
fn read_record(
    queue: &Queue,
    memory: &DeviceMemory,
    spec: &KernelSpec,
) -> Result<(bool, Result<()>)> {
    let mut bytes = [0u8; WORDS * 8];
    read(queue, memory, 0, &mut bytes)?;
    let word = |k: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[k * 8..k * 8 + 8]);
        u64::from_le_bytes(w)
    };
    let kernel = spec.name.to_string();
    let work_item = word(4);
    let code = word(0) & 0xffff_ffff;
    let outcome = match Check::from_code(code) {
        None if code == 0 => Ok(()),
        None => Err(Error::KernelFailed { kernel, code }),
        Some(Check::OutOfBounds) => Err(Error::OutOfBounds {
            kernel,
            parameter: describe(spec, word(1)),
            axis: dpex_abi::record::axis(word(1)).map(|a| a as usize),
            index: word(2),
            len: word(3),
            work_item,
        }),
        Some(Check::DivideByZero) => Err(Error::DivideByZero { kernel, work_item }),
        Some(Check::DivideOverflow) => Err(Error::DivideOverflow { kernel, work_item }),
    };
    Ok((bytes.iter().all(|&b| b == 0), outcome))
}

/// The name of what word 1 of a record of `spec` designates.
fn describe(spec: &KernelSpec, what: u64) -> String {
    match What::decode(what) {
        What::Param(id) => spec
            .params
            .get(id as usize)
            .map_or_else(|| format!("parameter {id}"), |p| p.name.to_string()),
        What::WorkgroupArray(id) => format!("local array #{id}"),
        What::PrivateArray(id) => format!("private array #{id}"),
    }
}

impl Drop for ErrorRecord {
    fn drop(&mut self) {
        let Some(memory) = self.memory.take() else {
            return;
        };
        if !self.reported.load(Ordering::Relaxed) {
            self.queue.defer_error_record(Unwaited {
                memory,
                spec: self.spec,
            });
        } else if self.clean.load(Ordering::Relaxed) {
            // Only a record no submission holds any more is reused.
            if let Some(memory) = Arc::into_inner(memory) {
                self.queue.give_back_error_record(memory);
            }
        }
    }
}
