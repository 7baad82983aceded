//! Running an emitted module on the OpenCL CPU device through `opencl3` directly, with every
//! kernel argument set by hand: for ABIs the runtime does not know yet (the error record of
//! kernels that report errors).

use std::ptr;

use opencl3::command_queue::CommandQueue;
use opencl3::context::Context;
use opencl3::device::{get_all_devices, Device, CL_DEVICE_TYPE_CPU};
use opencl3::kernel::Kernel;
use opencl3::memory::{Buffer, ClMem, CL_MEM_READ_WRITE};
use opencl3::types::{cl_mem, CL_BLOCKING};

/// A context and queue on the first CPU device that takes SPIR-V; fails (never skips)
/// without one.
pub struct Cl {
    pub device: Device,
    pub context: Context,
    pub queue: CommandQueue,
}

/// One kernel argument.
pub enum Arg<'a> {
    /// A buffer, passed as its `cl_mem`.
    Buffer(&'a Buffer<u64>),
    /// A `u64` by value.
    U64(u64),
    /// An `i64` by value.
    I64(i64),
}

impl Cl {
    pub fn cpu() -> Cl {
        let ids = get_all_devices(CL_DEVICE_TYPE_CPU)
            .unwrap_or_else(|e| panic!("no OpenCL CPU device (scripts/setup-opencl.sh): {e}"));
        let device = ids
            .into_iter()
            .map(Device::new)
            .find(|d| d.il_version().is_ok_and(|v| v.contains("SPIR-V")))
            .unwrap_or_else(|| panic!("no OpenCL CPU device takes SPIR-V"));
        let context = Context::from_device(&device).expect("context");
        #[allow(deprecated)]
        let queue = CommandQueue::create_default(&context, 0).expect("queue");
        Cl {
            device,
            context,
            queue,
        }
    }

    /// A buffer holding `data`.
    pub fn buffer(&self, data: &[u64]) -> Buffer<u64> {
        // SAFETY: a fresh buffer of `data.len()` elements, no host pointer; the write is
        // blocking, so `data` outlives it.
        unsafe {
            let mut buffer = Buffer::<u64>::create(
                &self.context,
                CL_MEM_READ_WRITE,
                data.len(),
                ptr::null_mut(),
            )
            .expect("buffer");
            self.queue
                .enqueue_write_buffer(&mut buffer, CL_BLOCKING, 0, data, &[])
                .expect("write buffer");
            buffer
        }
    }

    /// The `len` elements of `buffer`.
    pub fn read(&self, buffer: &Buffer<u64>, len: usize) -> Vec<u64> {
        let mut data = vec![0u64; len];
        // SAFETY: a blocking read of `len` elements into a slice of that length.
        unsafe {
            self.queue
                .enqueue_read_buffer(buffer, CL_BLOCKING, 0, &mut data, &[])
                .expect("read buffer");
        }
        data
    }

    /// Builds `words`, runs kernel `name` with `args` over `global` work-items and waits.
    pub fn run(&self, words: &[u32], name: &str, args: &[Arg], global: &[usize]) {
        let il: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
        let mut program =
            opencl3::program::Program::create_from_il(&self.context, &il).expect("program");
        if let Err(e) = program.build(&[self.device.id()], "") {
            let log = program.get_build_log(self.device.id()).unwrap_or_default();
            panic!("building `{name}` failed: {e}\n{log}");
        }
        let kernel = Kernel::create(&program, name).expect("kernel");
        for (i, arg) in args.iter().enumerate() {
            let i = i as u32;
            // SAFETY: each argument matches the type of the kernel's parameter `i` (the test
            // builds both).
            unsafe {
                match arg {
                    Arg::Buffer(b) => {
                        let mem: cl_mem = b.get();
                        kernel.set_arg(i, &mem)
                    }
                    Arg::U64(v) => kernel.set_arg(i, v),
                    Arg::I64(v) => kernel.set_arg(i, v),
                }
                .unwrap_or_else(|e| panic!("argument {i} of `{name}`: {e}"));
            }
        }
        // SAFETY: every argument is set; `global` has one size per launch dimension.
        unsafe {
            self.queue
                .enqueue_nd_range_kernel(
                    kernel.get(),
                    global.len() as u32,
                    ptr::null(),
                    global.as_ptr(),
                    ptr::null(),
                    &[],
                )
                .expect("enqueue");
        }
        self.queue.finish().expect("finish");
    }
}
