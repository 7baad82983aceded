//! The runtime's error type: every failure names the operation, the driver's status and the kernel or argument involved.

use crate::feature::Feature;

/// What `scripts/setup-opencl.sh` and the alternatives are, said once for every "no device" error.
const SETUP_HINT: &str =
    "run `scripts/setup-opencl.sh` in the dpex repo (it installs Intel's OpenCL \
     CPU runtime into .dpex/opencl, which `cargo run`/`cargo test` pick up), or install an OpenCL \
     driver that accepts SPIR-V";

/// What an out-of-bounds index was checked against: `` `x` of length 8 `` or, for an N-d
/// access, `` axis 1 of `m` (extent 4) ``.
fn bounds_of(parameter: &str, axis: Option<usize>, len: u64) -> String {
    match axis {
        Some(axis) => format!("axis {axis} of `{parameter}` (extent {len})"),
        None => format!("`{parameter}` of length {len}"),
    }
}

/// Everything that can go wrong in the dpex runtime.
///
/// Errors are `Clone`: a failed program build is reported to every launch that waited for it.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A driver call (OpenCL or Vulkan) returned an error status.
    #[error(
        "{} error {status_name} ({status}) in {operation}{}",
        api_title(*api),
        detail_suffix(detail)
    )]
    Driver {
        /// The API of the driver.
        api: dpex_abi::Api,
        /// The driver function (or the runtime step) that failed, e.g. `clCreateBuffer` or
        /// `vkAllocateMemory`.
        operation: &'static str,
        /// The raw status code (`cl_int`, `VkResult`).
        status: i32,
        /// The status code's name, e.g. `CL_INVALID_VALUE` or `ERROR_OUT_OF_DEVICE_MEMORY`.
        status_name: String,
        /// What the runtime was doing (may be empty).
        detail: String,
    },

    /// The OpenCL ICD loader (`libOpenCL.so.1`) could not be loaded.
    #[error("cannot load the OpenCL library ({detail}); {SETUP_HINT}")]
    NoOpenClLibrary {
        /// Which library paths were tried.
        detail: String,
    },

    /// No device that accepts SPIR-V was found.
    #[error("no usable OpenCL device (one that accepts SPIR-V) was found; {SETUP_HINT}.\nDevices seen:\n{listing}")]
    NoUsableDevice {
        /// Every platform and device seen, each with the reason it is unusable.
        listing: String,
    },

    /// A device selector matched no device.
    #[error("no OpenCL device matches the selector `{selector}`.\nDevices seen:\n{listing}")]
    NoDeviceMatches {
        /// The selector as given.
        selector: String,
        /// Every platform and device seen.
        listing: String,
    },

    /// A device selector matched devices, but none of them can run dpex kernels.
    #[error("the selector `{selector}` matches only devices that dpex cannot use:\n{reasons}\n{SETUP_HINT}.\nDevices seen:\n{listing}")]
    DeviceNotUsable {
        /// The selector as given.
        selector: String,
        /// One line per matched device with the reason it is unusable.
        reasons: String,
        /// Every platform and device seen.
        listing: String,
    },

    /// A device selector could not be parsed.
    #[error(
        "invalid device selector `{selector}`: {reason}. Selectors look like `cpu`, `gpu`, \
             `accelerator`, `opencl:cpu:0` (the first usable CPU), `opencl:0:1` (platform 0, \
             device 1); separate alternatives with commas.\nDevices seen:\n{listing}"
    )]
    InvalidSelector {
        /// The selector as given.
        selector: String,
        /// What is wrong with it.
        reason: String,
        /// Every platform and device seen.
        listing: String,
    },

    /// The driver rejected a kernel's SPIR-V (OpenCL's program build, or Vulkan's
    /// `vkCreateShaderModule` / `vkCreateComputePipelines`).
    #[error("building kernel `{kernel}` for device {device} failed:\n{log}")]
    BuildFailed {
        /// The kernel's name.
        kernel: String,
        /// The device (name and filter string).
        device: String,
        /// The driver's build log.
        log: String,
    },

    /// `spirv-val` rejected a kernel's SPIR-V module (only checked when `DPEX_VALIDATE_SPIRV` is
    /// set), or could not be run.
    #[error("the SPIR-V of kernel `{kernel}` is invalid (spirv-val):\n{log}")]
    InvalidSpirv {
        /// The kernel's name.
        kernel: String,
        /// What `spirv-val` printed (or why it could not be run).
        log: String,
    },

    /// Two tensor arguments of one launch live on different queues.
    #[error(
        "kernel `{kernel}`: argument `{first_arg}` is on {first_device} but argument \
             `{second_arg}` is on another queue ({second_device}); copy one tensor to the other's \
             queue, or name the queue with `launch_on(&queue, ...)`"
    )]
    QueueMismatch {
        /// The kernel's name.
        kernel: String,
        /// The first tensor parameter.
        first_arg: String,
        /// Device of the first tensor's queue.
        first_device: String,
        /// The tensor parameter on a different queue.
        second_arg: String,
        /// Device of the second tensor's queue.
        second_device: String,
    },

    /// A launch without a queue and without tensor arguments.
    #[error(
        "kernel `{kernel}` has no tensor argument, so the queue cannot be inferred from the \
             data; call `launch_on(&queue, ...)`"
    )]
    NoQueue {
        /// The kernel's name.
        kernel: String,
    },

    /// `launch_on(&queue, ...)` with a tensor that lives on another device.
    #[error(
        "kernel `{kernel}`: argument `{arg}` lives on {arg_device}, but the launch queue is \
             on {queue_device}; copy the tensor to that queue's device first"
    )]
    WrongQueue {
        /// The kernel's name.
        kernel: String,
        /// The tensor parameter.
        arg: String,
        /// Device of the tensor.
        arg_device: String,
        /// Device of the launch queue.
        queue_device: String,
    },

    /// Wrong number of kernel arguments.
    #[error("kernel `{kernel}` takes {expected} arguments, got {got}")]
    ArgumentCount {
        /// The kernel's name.
        kernel: String,
        /// Parameters the kernel declares.
        expected: usize,
        /// Arguments given.
        got: usize,
    },

    /// A kernel argument of the wrong kind or element type.
    #[error("kernel `{kernel}`, argument `{arg}`: expected {expected}, got {got}")]
    ArgumentType {
        /// The kernel's name.
        kernel: String,
        /// The parameter's name.
        arg: String,
        /// What the parameter takes, e.g. `&mut Tensor<f32>`.
        expected: String,
        /// What was passed.
        got: String,
    },

    /// A safe kernel indexed past the end of a tensor, a local accessor or an array. The access
    /// was skipped (nothing was read or written there); only the first failure is reported.
    #[error(
        "kernel `{kernel}`: index {index} is out of bounds for {} (work-item {work_item}); the \
         access was skipped",
        bounds_of(parameter, *axis, *len)
    )]
    OutOfBounds {
        /// The kernel's name.
        kernel: String,
        /// The parameter (or local/private array) indexed.
        parameter: String,
        /// For an N-d access, the axis (0-based) whose index is out of bounds, the first one if
        /// several are; `None` for a 1-d access.
        axis: Option<usize>,
        /// The index (for an N-d access, the index on `axis`).
        index: u64,
        /// The number of elements (for an N-d access, the extent of `axis`).
        len: u64,
        /// The global linear id of the work-item (dimension 0 fastest).
        work_item: u64,
    },

    /// A safe kernel divided an integer by zero (Rust panics there); the division gave a
    /// meaningless value instead of trapping.
    #[error("kernel `{kernel}`: integer division or remainder by zero in work-item {work_item}")]
    DivideByZero {
        /// The kernel's name.
        kernel: String,
        /// The global linear id of the work-item.
        work_item: u64,
    },

    /// A safe kernel divided the smallest signed integer by -1 (Rust panics there).
    #[error("kernel `{kernel}`: integer division overflow (MIN / -1) in work-item {work_item}")]
    DivideOverflow {
        /// The kernel's name.
        kernel: String,
        /// The global linear id of the work-item.
        work_item: u64,
    },

    /// A safe kernel reported a failure this runtime does not know.
    #[error("kernel `{kernel}` reported an unknown failure (code {code})")]
    KernelFailed {
        /// The kernel's name.
        kernel: String,
        /// The code in its error record.
        code: u64,
    },

    /// A generic kernel launched with element types it was not instantiated for.
    #[error("kernel `{kernel}` has no instance for the types ({types}): its type parameters take f32 or f64")]
    NoInstance {
        /// The kernel's name.
        kernel: String,
        /// The types of the launch, comma-separated.
        types: String,
    },

    /// A kernel variant launched where the index checks it leaves out could fail (see
    /// [`KernelSpec::assumes`](crate::KernelSpec::assumes)); the `#[kernel]` launchers never do
    /// this, they pick the checked variant instead.
    #[error("kernel `{kernel}`: this variant leaves out index checks that this launch's range and arguments do not prove; launch the checked variant")]
    AssumptionsNotMet {
        /// The kernel's name.
        kernel: String,
    },

    /// A kernel argument that is malformed (e.g. a tensor reference whose length does not fit its memory).
    #[error("kernel `{kernel}`, argument `{arg}`: {detail}")]
    InvalidArgument {
        /// The kernel's name.
        kernel: String,
        /// The parameter's name.
        arg: String,
        /// What is wrong.
        detail: String,
    },

    /// The launch range has a different number of dimensions than the kernel.
    #[error("kernel `{kernel}` is {expected}-dimensional but was launched over a {got}-dimensional range")]
    RangeDims {
        /// The kernel's name.
        kernel: String,
        /// The kernel's dimensions.
        expected: usize,
        /// The range's dimensions.
        got: usize,
    },

    /// A launch range with a zero extent.
    #[error("kernel `{kernel}`: the launch range {global:?} is empty (OpenCL cannot launch zero work-items)")]
    EmptyRange {
        /// The kernel's name.
        kernel: String,
        /// The global range given.
        global: Vec<usize>,
    },

    /// A launch range larger than dpex, the device's API or the device launch: more than
    /// [`MAX_WORK_ITEMS`](crate::MAX_WORK_ITEMS) work-items in all (or a product of extents past
    /// 2^64), or an extent beyond the API's (Vulkan: 2^32, its 32-bit work-item ids). Refused
    /// before the driver sees it (see SAFETY.md, "Launch validation").
    #[error(
        "kernel `{kernel}`: the launch range {global:?} is too large: {detail}; check how the \
         range is computed (a wrapped `n - m` gives such sizes), or split the work into several \
         launches"
    )]
    RangeTooLarge {
        /// The kernel's name.
        kernel: String,
        /// The global range given.
        global: Vec<usize>,
        /// The limit exceeded: work-items in all, or work-items in one dimension.
        limit: u64,
        /// Which limit, and by how much.
        detail: String,
    },

    /// An ND-range whose local range has a different number of dimensions than its global range.
    #[error(
        "kernel `{kernel}`: the local range {local:?} has {} dimensions but the global range \
         {global:?} has {}",
        local.len(),
        global.len()
    )]
    LocalRangeDims {
        /// The kernel's name.
        kernel: String,
        /// The global range given.
        global: Vec<usize>,
        /// The local range given.
        local: Vec<usize>,
    },

    /// An ND-range with a zero local (work-group) extent.
    #[error(
        "kernel `{kernel}`: the local range {local:?} has a zero extent (a work-group has at \
         least one work-item in every dimension)"
    )]
    ZeroLocalSize {
        /// The kernel's name.
        kernel: String,
        /// The local range given.
        local: Vec<usize>,
    },

    /// An ND-range whose global extent is not a multiple of its local extent in some dimension.
    #[error(
        "kernel `{kernel}`: the global size {global} in dimension {dim} is not a multiple of the \
         local size {local}; round the global size up to a multiple of {local} (and skip the \
         extra work-items in the kernel) or pick a local size that divides {global}"
    )]
    RangeNotDivisible {
        /// The kernel's name.
        kernel: String,
        /// The dimension (0-based).
        dim: usize,
        /// The global extent in that dimension.
        global: usize,
        /// The local extent in that dimension.
        local: usize,
    },

    /// A work-group with more work-items than the device or the compiled kernel allows.
    #[error(
        "kernel `{kernel}`: a work-group of {local:?} ({} work-items) exceeds the limit of \
         {limit} work-items ({why})",
        work_items(local)
    )]
    WorkGroupTooLarge {
        /// The kernel's name.
        kernel: String,
        /// The local range given.
        local: Vec<usize>,
        /// The largest number of work-items per work-group allowed.
        limit: usize,
        /// Which limit, e.g. the device's `CL_DEVICE_MAX_WORK_GROUP_SIZE` or the kernel's
        /// `CL_KERNEL_WORK_GROUP_SIZE`, and on which device.
        why: String,
    },

    /// A local extent above the device's `CL_DEVICE_MAX_WORK_ITEM_SIZES` in its dimension.
    #[error(
        "kernel `{kernel}`: the local size {local} in dimension {dim} exceeds the device's \
         limit for that dimension, CL_DEVICE_MAX_WORK_ITEM_SIZES[{dim}] = {limit}"
    )]
    WorkItemSizeTooLarge {
        /// The kernel's name.
        kernel: String,
        /// The dimension (0-based).
        dim: usize,
        /// The local extent in that dimension.
        local: usize,
        /// The device's limit for that dimension.
        limit: usize,
    },

    /// The launch needs more work-group local memory than the device has.
    #[error(
        "kernel `{kernel}` needs {bytes} bytes of work-group local memory (its LocalAccessor \
         arguments and its fixed-size local arrays), but the device has {limit} bytes \
         (CL_DEVICE_LOCAL_MEM_SIZE)"
    )]
    LocalMemoryExceeded {
        /// The kernel's name.
        kernel: String,
        /// Bytes needed per work-group (saturating at `u64::MAX`).
        bytes: u64,
        /// `CL_DEVICE_LOCAL_MEM_SIZE` of the launch device.
        limit: u64,
    },

    /// The kernel uses a feature that the launch device does not support.
    #[error(
        "kernel `{kernel}` uses {feature}, which device {device} does not support; launch it on \
         a device that reports {} (see `Device::listing()`)",
        feature.extension()
    )]
    MissingFeature {
        /// The kernel's name.
        kernel: String,
        /// The device (name and filter string).
        device: String,
        /// The missing feature.
        feature: Feature,
    },

    /// The kernel has no module for the launch device's API: the emitter's flavour for that API
    /// could not compile it (a construct it does not support yet).
    #[error("kernel `{kernel}` cannot run on {api} device `{device}`: {reason}")]
    NotCompiledForApi {
        /// The kernel's name.
        kernel: String,
        /// The API of the device (`vulkan`, `opencl`).
        api: dpex_abi::Api,
        /// The device (name and filter string).
        device: String,
        /// Why the kernel was not compiled for that API.
        reason: String,
    },

    /// A Vulkan launch with more work-items in one dimension than its 32-bit ids can number.
    #[error(
        "kernel `{kernel}`: the launch needs {groups} work-groups in dimension {dim}, but device \
         {device} allows at most {limit} (Vulkan's 32-bit work-item ids: 2^32 work-items per \
         dimension); use a smaller range or split the launch"
    )]
    TooManyWorkGroups {
        /// The kernel's name.
        kernel: String,
        /// The dimension (0-based).
        dim: usize,
        /// The work-groups the launch needs in that dimension.
        groups: u64,
        /// The most work-groups of this size that dimension can have (2^32 work-items).
        limit: u64,
        /// The device (name and filter string).
        device: String,
    },

    /// Something the device's API (or dpex's support of it) does not offer.
    #[error("{what} is not supported on device {device}")]
    Unsupported {
        /// What was asked for.
        what: String,
        /// The device (name and filter string).
        device: String,
    },

    /// An event's profiling timestamps were asked for, but its queue does not record them.
    #[error(
        "kernel `{kernel}` ran on a queue without profiling; create the queue with \
         `Queue::with_options(&device, QueueOptions {{ profiling: true, .. }})`"
    )]
    ProfilingDisabled {
        /// The kernel's name.
        kernel: String,
    },

    /// An allocation larger than the device allows, refused before the driver sees it.
    #[error(
        "cannot allocate {bytes} bytes for {what} on {device}: the device allows at most {limit} \
         bytes ({limit_name})"
    )]
    AllocationTooLarge {
        /// What was being allocated, e.g. `a tensor of 1000 f32`.
        what: String,
        /// Bytes requested.
        bytes: u64,
        /// The device's limit in bytes.
        limit: u64,
        /// Which limit: `CL_DEVICE_MAX_MEM_ALLOC_SIZE` or `CL_DEVICE_GLOBAL_MEM_SIZE`.
        limit_name: &'static str,
        /// The device (name and filter string).
        device: String,
    },

    /// Two tensors (or a tensor and host data) whose shapes must agree do not.
    #[error("{operation}: expected shape {expected:?}, got {got:?}")]
    ShapeMismatch {
        /// What was being done, e.g. `Tensor::copy_from`.
        operation: &'static str,
        /// The shape required.
        expected: Vec<usize>,
        /// The shape given.
        got: Vec<usize>,
    },

    /// A view (slice, permutation, reshape) that cannot be made of this tensor.
    #[error("{operation}: {detail}")]
    InvalidView {
        /// The view operation, e.g. `Tensor::reshape`.
        operation: &'static str,
        /// What is wrong and what to do instead.
        detail: String,
    },

    /// Host data of the wrong length for a tensor.
    #[error("the host slice has {got} elements but the tensor has {expected}")]
    SizeMismatch {
        /// The tensor's length.
        expected: usize,
        /// The host slice's length.
        got: usize,
    },

    /// A tensor length whose size in bytes does not fit in `usize`.
    #[error("a tensor of {len} elements of {elem_size} bytes is too large")]
    LengthOverflow {
        /// Elements requested.
        len: usize,
        /// Bytes per element.
        elem_size: usize,
    },
}

/// Shorthand for results of the dpex runtime.
pub type Result<T> = std::result::Result<T, Error>;

/// The number of work-items in a work-group of extents `local` (saturating).
fn work_items(local: &[usize]) -> usize {
    local.iter().fold(1usize, |acc, &l| acc.saturating_mul(l))
}

/// How an API is named in messages: `OpenCL`, `Vulkan`.
fn api_title(api: dpex_abi::Api) -> &'static str {
    match api {
        dpex_abi::Api::OpenCl => "OpenCL",
        dpex_abi::Api::Vulkan => "Vulkan",
    }
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    }
}
