//! The Vulkan device is listed and selected, and every tensor operation works on it.

use dpex_abi::Api;
use dpex_runtime::opencl::{DeviceExt, QueueExt, TensorExt};
use dpex_runtime::{Device, Error, Tensor};

use crate::{lavapipe, ok, on_lavapipe, queue, random};

#[test]
fn lavapipe_is_listed_usable_and_selected_by_api() {
    let device = lavapipe();
    if !on_lavapipe() {
        println!("{}", ok(dpex_runtime::device_table()));
        return;
    }
    assert_eq!(device.api(), Api::Vulkan);
    assert_eq!(device.filter_string(), "vulkan:cpu:0");
    assert!(device.name().contains("llvmpipe"), "{device}");
    let info = device.info();
    assert!(info.is_usable(), "{info}");
    let vulkan = info
        .vulkan
        .as_ref()
        .unwrap_or_else(|| panic!("no Vulkan info: {info:?}"));
    assert!(!vulkan.fused_fma, "lavapipe's Fma is measured unfused");
    // Measured on Mesa 22.3 (shared/VULKAN.md): f32 atomic adds, no f64 ones; sub-groups of 8.
    assert!(
        vulkan.float32_atomic_add && !vulkan.float64_atomic_add,
        "{vulkan:?}"
    );
    assert!(
        vulkan.subgroup_ops && vulkan.shader_float64 && vulkan.buffer_int64_atomics,
        "{vulkan:?}"
    );
    assert_eq!(info.max_work_group_count.len(), 3);
    assert!(info.local_mem_size.is_some_and(|l| l >= 16384));
    for selector in [
        "vulkan:cpu:0",
        "vulkan",
        "vulkan:0",
        "VULKAN:CPU",
        "vulkan:*",
    ] {
        assert!(ok(Device::select(selector)) == device, "{selector}");
    }
    // Plain `cpu` (and the default) stay on the OpenCL CPU device: OpenCL comes first.
    assert_eq!(ok(Device::select("cpu")).api(), Api::OpenCl);
    assert_eq!(ok(Device::select("gpu,cpu")).api(), Api::OpenCl);
    let table = ok(dpex_runtime::device_table());
    let row = table
        .lines()
        .find(|l| l.starts_with("vulkan:cpu:0"))
        .unwrap_or_else(|| panic!("no Vulkan row:\n{table}"));
    assert!(
        row.contains("vulkan") && row.contains("llvmpipe") && row.ends_with("usable"),
        "{row}"
    );
    assert!(
        table.lines().any(|l| l.starts_with("opencl:cpu:0")),
        "{table}"
    );
    assert!(matches!(
        Device::select("vulkan:0:1"),
        Err(Error::InvalidSelector { .. })
    ));
    assert!(matches!(
        Device::select("vulkan:gpu:3"),
        Err(Error::NoDeviceMatches { .. })
    ));
}

#[test]
fn round_trips_fills_and_dtypes() {
    let q = queue();
    let data = random(1003, 1);
    let t = ok(Tensor::from_slice(&q, &data));
    assert_eq!(ok(t.to_vec()), data);
    assert_eq!(
        ok(Tensor::<f32>::zeros(&q, 5).and_then(|t| t.to_vec())),
        [0.0; 5]
    );
    assert_eq!(
        ok(Tensor::<f64>::full(&q, 3, -2.5).and_then(|t| t.to_vec())),
        [-2.5; 3]
    );
    assert_eq!(
        ok(Tensor::<i8>::full(&q, 7, -3).and_then(|t| t.to_vec())),
        [-3i8; 7]
    );
    assert_eq!(
        ok(Tensor::<u16>::ones(&q, 9).and_then(|t| t.to_vec())),
        [1u16; 9]
    );
    let m = ok(Tensor::from_fn(&q, [3, 4], |[i, j]| (10 * i + j) as i32));
    assert_eq!(ok(m.slice([1..3, 2..4])).shape(), [2, 2]);
    assert_eq!(
        ok(ok(m.slice([1..3, 2..4])).transpose().to_vec()),
        [12, 22, 13, 23]
    );
    let empty = ok(Tensor::<f32>::zeros(&q, 0));
    assert!(ok(empty.to_vec()).is_empty());
    assert!(t.cl_mem().is_null() && q.cl_command_queue().is_null());
    assert!(matches!(
        q.device().cl_context(),
        Err(Error::Unsupported { .. })
    ));
}

#[test]
fn copies_between_tensors_and_views() {
    let q = queue();
    let rows = 6;
    let cols = 5;
    let data = random(rows * cols, 2);
    let m = ok(Tensor::from_vec_shape(&q, data.clone(), [rows, cols]));
    // Contiguous copy.
    let mut c = ok(Tensor::<f32, 2>::zeros(&q, [rows, cols]));
    ok(c.copy_from(&m));
    assert_eq!(ok(c.to_vec()), data);
    // A rectangle (slice of a row-major matrix) into a slice of another.
    let big = ok(Tensor::<f32, 2>::full(&q, [rows + 2, cols + 3], 9.0));
    let mut window = ok(big.slice([1..4, 2..6]));
    ok(window.copy_from(&ok(m.slice([2..5, 1..5]))));
    let got = ok(big.to_vec());
    for i in 0..rows + 2 {
        for j in 0..cols + 3 {
            let want = if (1..4).contains(&i) && (2..6).contains(&j) {
                data[(i + 1) * cols + (j - 1)]
            } else {
                9.0
            };
            assert_eq!(got[i * (cols + 3) + j], want, "[{i}, {j}]");
        }
    }
    // Transposed (through the host), to_contiguous, strided host writes.
    let t = ok(m.transpose().to_contiguous());
    let want: Vec<f32> = (0..cols)
        .flat_map(|j| (0..rows).map(move |i| (i, j)))
        .map(|(i, j)| data[i * cols + j])
        .collect();
    assert_eq!(ok(t.to_vec()), want);
    let mut column = ok(c.slice_axis(1, 3..4));
    ok(column.copy_from_host(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
    let after = ok(c.to_vec());
    for i in 0..rows {
        assert_eq!(after[i * cols + 3], (i + 1) as f32);
        assert_eq!(after[i * cols + 2], data[i * cols + 2]);
    }
    if !on_lavapipe() {
        return;
    }
    // Across APIs: through the host.
    let cpu_q = ok(dpex_runtime::Queue::new(&ok(Device::select(
        "opencl:cpu:0",
    ))));
    let mut on_cl = ok(Tensor::<f32, 2>::zeros(&cpu_q, [rows, cols]));
    ok(on_cl.copy_from(&m));
    assert_eq!(ok(on_cl.to_vec()), data);
}

#[test]
fn too_large_allocations_are_typed_errors() {
    let q = queue();
    let limit = q.device().info().max_mem_alloc_size.unwrap_or(u64::MAX);
    let elems = usize::try_from(limit / 4 + 1).unwrap_or(usize::MAX);
    let err = Tensor::<f32>::zeros(&q, elems).expect_err("above maxMemoryAllocationSize");
    assert!(
        matches!(&err, Error::AllocationTooLarge { limit_name, .. } if limit_name.contains("maxMemoryAllocationSize") || limit_name.contains("heap")),
        "{err:?}"
    );
}
