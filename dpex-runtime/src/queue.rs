//! Command queues on a device (in-order by default, out-of-order and profiling on request); tensors
//! remember theirs, and launches follow the data onto it.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use crate::backend::{opencl, vulkan};
use crate::device::{Device, DeviceBackend, DeviceType};
use crate::error::{Error, Result};
use crate::error_record::Unwaited;
use crate::tensor::memory::DeviceMemory;

/// How a [`Queue`] executes, records and waits for its commands. The default is an in-order
/// queue without profiling whose waits are [`WaitMode::Auto`], what [`Queue::new`] creates.
///
/// ```
/// use dpex_runtime::QueueOptions;
/// let options = QueueOptions { out_of_order: true, ..QueueOptions::default() };
/// assert!(!options.profiling);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct QueueOptions {
    /// `CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE`: launches may run in any order and overlap; order
    /// them with [`launch_after`](crate::launch_after)'s wait list. Tensor copies to and from the
    /// host still come after everything enqueued before them (the runtime enqueues a barrier).
    pub out_of_order: bool,
    /// `CL_QUEUE_PROFILING_ENABLE`: the events of launches carry device timestamps, read with
    /// [`Event::profiling`](crate::Event::profiling).
    pub profiling: bool,
    /// How waits on the queue's work ([`Event::wait`](crate::Event::wait),
    /// [`Queue::finish`], blocking copies) wait for the device.
    pub wait: WaitMode,
}

/// How a wait for a Vulkan queue's work waits for the device, as CUDA's
/// `cudaDeviceScheduleAuto` / `Spin` / `BlockingSync` choose it. A driver's sleeping wait
/// costs tens of microseconds of wake-up latency after the device is done (measured on the
/// H200: BENCHMARKS.md); polling costs a host core while it lasts. OpenCL queues wait in
/// `clWaitForEvents`, which the OpenCL driver implements as it chooses, whatever the mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum WaitMode {
    /// On a GPU, polls the device for up to [`WaitMode::AUTO_POLL`] and then sleeps in the
    /// driver; on a CPU device (whose cores run the kernels) sleeps at once.
    #[default]
    Auto,
    /// Polls the device until the work is done: the lowest latency, one busy host core per
    /// waiting thread.
    Poll,
    /// Sleeps in the driver at once: no busy core, the driver's wake-up latency.
    Sleep,
}

impl WaitMode {
    /// How long an [`Auto`](WaitMode::Auto) wait on a GPU polls before it sleeps: long enough
    /// for short kernels to be seen done at once, short enough that a long one costs a core
    /// for at most this.
    pub const AUTO_POLL: std::time::Duration = std::time::Duration::from_millis(2);
}

/// A command queue on a [`Device`]: an OpenCL command queue in the device's one shared context,
/// or a Vulkan submission stream (a timeline semaphore on the device's compute queue).
///
/// Cheap to clone: clones are the *same* queue (see [`Queue::same_queue`]). `Send + Sync`:
/// threads may enqueue on one queue concurrently (OpenCL queues are thread-safe; a Vulkan
/// queue serialises its submissions).
///
/// Vulkan queues run their commands in order: [`QueueOptions::out_of_order`] is accepted (in
/// order is one valid out-of-order schedule); with [`QueueOptions::profiling`] each launch
/// records device timestamps around its dispatch (a queue family without timestamps refuses it
/// with [`Error::Unsupported`]).
#[derive(Clone)]
pub struct Queue {
    inner: Arc<QueueInner>,
}

/// The API object behind a [`Queue`].
pub(crate) enum QueueBackend {
    /// An OpenCL command queue.
    OpenCl(opencl::queue::CommandQueue),
    /// A Vulkan submission stream.
    Vulkan(Arc<vulkan::Stream>),
}

struct QueueInner {
    device: Device,
    options: QueueOptions,
    backend: QueueBackend,
    /// Error records of completed launches that found them clean (all zero), for reuse.
    error_records: Mutex<Vec<DeviceMemory>>,
    /// Error records of launches whose events were dropped unread, oldest first: the next
    /// synchronization point reads them.
    unwaited: Mutex<Vec<Unwaited>>,
}

/// Clean error records a queue keeps for reuse, at most.
const POOLED_ERROR_RECORDS: usize = 64;

impl Queue {
    /// A clean (all-zero) error record of an earlier launch on this queue, if one is free.
    pub(crate) fn take_error_record(&self) -> Option<DeviceMemory> {
        self.inner
            .error_records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
    }

    /// Keeps a clean error record, read back after its launch completed, for a later launch.
    pub(crate) fn give_back_error_record(&self, record: DeviceMemory) {
        let mut pool = self
            .inner
            .error_records
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if pool.len() < POOLED_ERROR_RECORDS {
            pool.push(record);
        }
    }

    /// Keeps the error record of a launch whose event was dropped unread, for the next
    /// synchronization point.
    pub(crate) fn defer_error_record(&self, record: Unwaited) {
        self.inner
            .unwaited
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record);
    }

    /// Reads the error records of launches whose events were dropped unread (every one of them
    /// has completed: the caller just synchronized with everything enqueued before). Returns the
    /// oldest failure; the records after it stay for the next synchronization point, so each
    /// failure is reported once.
    pub(crate) fn report_unwaited(&self) -> Result<()> {
        let taken = std::mem::take(
            &mut *self
                .inner
                .unwaited
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        let mut records = taken.into_iter();
        while let Some(record) = records.next() {
            if let Err(e) = record.check(self) {
                let mut unwaited = self
                    .inner
                    .unwaited
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                unwaited.splice(0..0, records);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Creates a new in-order queue on `device`, without profiling.
    pub fn new(device: &Device) -> Result<Queue> {
        Queue::with_options(device, QueueOptions::default())
    }

    /// Creates a new queue on `device` with `options` (out-of-order execution, profiling).
    ///
    /// Every queue of a device shares the device's context, so tensors and compiled programs
    /// move freely between them.
    pub fn with_options(device: &Device, options: QueueOptions) -> Result<Queue> {
        let backend = match device.backend() {
            DeviceBackend::OpenCl(_) => {
                QueueBackend::OpenCl(opencl::queue::create(device, options)?)
            }
            DeviceBackend::Vulkan(physical) => {
                if options.profiling && physical.info.timestamp_valid_bits == 0 {
                    return Err(Error::Unsupported {
                        what: "profiling (QueueOptions::profiling; the compute queue has no \
                               timestamps)"
                            .to_string(),
                        device: device.to_string(),
                    });
                }
                let ctx = physical.context(device.name())?;
                let poll = match options.wait {
                    WaitMode::Poll => std::time::Duration::MAX,
                    WaitMode::Sleep => std::time::Duration::ZERO,
                    WaitMode::Auto if device.device_type() == DeviceType::Cpu => {
                        std::time::Duration::ZERO
                    }
                    WaitMode::Auto => WaitMode::AUTO_POLL,
                };
                QueueBackend::Vulkan(Arc::new(vulkan::Stream::new(ctx, options.profiling, poll)?))
            }
        };
        Ok(Queue {
            inner: Arc::new(QueueInner {
                device: device.clone(),
                options,
                backend,
                error_records: Mutex::new(Vec::new()),
                unwaited: Mutex::new(Vec::new()),
            }),
        })
    }

    /// A new queue on [`Device::default_device`] (`DPEX_DEVICE`, else a GPU, else a CPU).
    #[allow(clippy::should_implement_trait)]
    pub fn default() -> Result<Queue> {
        Queue::new(&Device::default_device()?)
    }

    /// The queue's device.
    pub fn device(&self) -> &Device {
        &self.inner.device
    }

    /// The options the queue was created with.
    pub fn options(&self) -> QueueOptions {
        self.inner.options
    }

    /// Whether commands may run out of order ([`QueueOptions::out_of_order`]).
    pub fn is_out_of_order(&self) -> bool {
        self.inner.options.out_of_order
    }

    /// Whether the queue records profiling timestamps ([`QueueOptions::profiling`]).
    pub fn is_profiling(&self) -> bool {
        self.inner.options.profiling
    }

    /// Blocks until every command enqueued so far has completed.
    ///
    /// Then reports the failed run-time check ([`Error::OutOfBounds`], [`Error::DivideByZero`],
    /// [`Error::DivideOverflow`], naming the kernel) of a launch whose [`Event`](crate::Event)
    /// was dropped without [`wait`](crate::Event::wait): a failure is reported once, at the
    /// first synchronization point of its queue after the launch (this `finish`, a blocking
    /// copy between a tensor of the queue and the host, or a `wait` on an event of the
    /// queue); a launch waited for reports its own failure at its `wait` only. When several
    /// unwaited launches failed, the oldest is reported and the others at the next points.
    pub fn finish(&self) -> Result<()> {
        self.complete()?;
        self.report_unwaited()
    }

    /// Blocks until every command enqueued so far has completed, without reporting the
    /// failures of unwaited launches (they stay for the user's next synchronization point).
    pub(crate) fn complete(&self) -> Result<()> {
        match &self.inner.backend {
            QueueBackend::OpenCl(queue) => queue.finish(),
            QueueBackend::Vulkan(stream) => stream.finish(),
        }
    }

    /// The API object behind the queue.
    pub(crate) fn backend(&self) -> &QueueBackend {
        &self.inner.backend
    }

    /// Whether `self` and `other` are the same queue (clones of one [`Queue::new`]).
    pub fn same_queue(&self, other: &Queue) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The OpenCL command queue (`None` on a Vulkan device).
    pub(crate) fn cl_queue(&self) -> Option<&opencl::queue::CommandQueue> {
        match &self.inner.backend {
            QueueBackend::OpenCl(queue) => Some(queue),
            QueueBackend::Vulkan(_) => None,
        }
    }
}

impl fmt::Debug for Queue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("device", &self.inner.device)
            .field("options", &self.inner.options)
            .field("id", &Arc::as_ptr(&self.inner))
            .finish()
    }
}
