//! Raw OpenCL handles for interoperation: a tensor's `cl_mem` belongs to its device's
//! `cl_context`, and a read of it enqueued on the queue's `cl_command_queue` sees its data.

mod common;

use std::ptr;

use dpex_runtime::opencl::{DeviceExt, QueueExt, TensorExt};
use dpex_runtime::Tensor;
use opencl3::memory::{get_mem_object_info, CL_MEM_CONTEXT, CL_MEM_SIZE};
use opencl3::types::CL_BLOCKING;
use rand::Rng;

#[test]
fn a_raw_read_of_a_tensor_on_its_queue_returns_its_data() {
    let queue = common::cpu_queue();
    let mut rng = rand::rng();
    let data: Vec<f32> = (0..777).map(|_| rng.random_range(1.0..100.0)).collect();
    let tensor = Tensor::from_slice(&queue, &data).unwrap_or_else(|e| panic!("{e}"));
    let mem = tensor.cl_mem();
    let context = queue
        .device()
        .cl_context()
        .unwrap_or_else(|e| panic!("{e}"));
    let owner = get_mem_object_info(mem, CL_MEM_CONTEXT).expect("CL_MEM_CONTEXT");
    assert_eq!(owner.to_ptr(), context as isize);
    let size = get_mem_object_info(mem, CL_MEM_SIZE).expect("CL_MEM_SIZE");
    assert_eq!(size.to_size(), data.len() * 4);
    let mut back = vec![0.0f32; data.len()];
    // SAFETY: a blocking read of the whole buffer (its size checked above) into `back`, which
    // holds as many bytes, on the tensor's own queue.
    let event = unsafe {
        opencl3::command_queue::enqueue_read_buffer(
            queue.cl_command_queue(),
            mem,
            CL_BLOCKING,
            0,
            data.len() * 4,
            back.as_mut_ptr().cast(),
            0,
            ptr::null(),
        )
    }
    .expect("clEnqueueReadBuffer");
    // SAFETY: the event returned by the read above, released once.
    unsafe { opencl3::event::release_event(event) }.expect("clReleaseEvent");
    assert_eq!(back, data);
    assert_eq!(
        queue.device().cl_device_id(),
        common::cpu().cl_device_id(),
        "one device, one id"
    );
}
