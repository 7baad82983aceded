//! Device listing and selection on the real OpenCL platforms of this machine.

mod common;

use dpex_runtime::{Device, DeviceType, Error};

#[test]
fn listing_contains_a_usable_cpu() {
    let all = Device::all().unwrap_or_else(|e| panic!("{e}"));
    let listing = Device::listing().unwrap_or_else(|e| panic!("{e}"));
    let cpu = all
        .iter()
        .find(|d| d.device_type == DeviceType::Cpu && d.is_usable())
        .unwrap_or_else(|| panic!("no usable CPU device; devices seen:\n{listing}"));
    assert!(cpu.il_versions.contains("SPIR-V"), "{cpu}");
    assert_eq!(cpu.filter, "opencl:cpu:0");
    assert!(listing.contains("opencl:cpu:0"), "{listing}");
    // Every unusable device says why.
    for d in &all {
        if let Err(reason) = &d.usable {
            assert!(!reason.is_empty(), "{d}");
        }
    }
}

#[test]
fn select_by_type_filter_and_position() {
    let cpu = common::cpu();
    assert_eq!(cpu.device_type(), DeviceType::Cpu);
    assert!(cpu.il_versions().contains("SPIR-V"));
    assert!(cpu.max_work_group_size() >= 1);
    assert_eq!(cpu.filter_string(), "opencl:cpu:0");
    for selector in [
        "opencl:cpu:0",
        "OPENCL:CPU",
        "opencl:cpu",
        "*",
        "opencl",
        "gpu,cpu",
    ] {
        let d = Device::select(selector).unwrap_or_else(|e| panic!("{selector}: {e}"));
        assert_eq!(d, cpu, "{selector}");
    }
    // By position: the CPU's own platform and device index.
    let info = cpu.info();
    let positional = format!("opencl:{}:{}", info.platform_index, info.device_index);
    assert_eq!(
        Device::select(&positional).unwrap_or_else(|e| panic!("{e}")),
        cpu
    );
    if info.platform_index == 0 && info.device_index == 0 {
        assert_eq!(
            Device::select("opencl:0:0").unwrap_or_else(|e| panic!("{e}")),
            cpu
        );
    }
    assert!(cpu.to_string().contains("opencl:cpu:0"), "{cpu}");
    assert!(!cpu.name().is_empty() && !cpu.vendor().is_empty() && !cpu.driver_version().is_empty());
}

#[test]
fn a_selector_matching_nothing_lists_the_devices() {
    let cpu = common::cpu();
    let err = Device::select("fpga:7").expect_err("no FPGA here");
    assert!(matches!(err, Error::NoDeviceMatches { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("fpga:7"), "{text}");
    assert!(
        text.contains(cpu.name()) && text.contains("opencl:cpu:0"),
        "{text}"
    );

    let err = Device::select("opencl:cpu:5").expect_err("only one CPU");
    assert!(matches!(err, Error::NoDeviceMatches { .. }), "{err:?}");

    let err = Device::select("dsp:0").expect_err("not a selector");
    assert!(matches!(err, Error::InvalidSelector { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("`dsp`") && text.contains("opencl:cpu:0"),
        "{text}"
    );

    let err = Device::select("").expect_err("empty");
    assert!(matches!(err, Error::InvalidSelector { .. }), "{err:?}");
}

#[test]
fn default_device_follows_dpex_device() {
    let cpu = common::cpu();
    // No DPEX_DEVICE: a usable GPU if there is one, else the CPU.
    let default = Device::default_device_from(None).unwrap_or_else(|e| panic!("{e}"));
    let has_gpu = Device::all()
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .any(|d| d.device_type == DeviceType::Gpu && d.is_usable());
    if !has_gpu {
        assert_eq!(default, cpu);
    }
    assert_eq!(Device::default_device_from(Some("  ")).ok(), Some(default));
    assert_eq!(
        Device::default_device_from(Some("cpu")).ok(),
        Some(cpu.clone())
    );
    assert_eq!(Device::default_device_from(Some("gpu,cpu")).ok(), Some(cpu));
    let err = Device::default_device_from(Some("fpga:7")).expect_err("no FPGA");
    assert!(err.to_string().contains("fpga:7"), "{err}");
}

#[test]
fn devices_share_one_context_across_selections() {
    let a = common::cpu();
    let b = Device::select("opencl:cpu:0").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a, b);
    // Two queues from separately selected handles can share tensors (one context).
    let qa = dpex_runtime::Queue::new(&a).unwrap_or_else(|e| panic!("{e}"));
    let qb = dpex_runtime::Queue::new(&b).unwrap_or_else(|e| panic!("{e}"));
    assert!(!qa.same_queue(&qb));
    assert!(qa.same_queue(&qa.clone()));
    assert_eq!(qa.device(), qb.device());
    qa.finish().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn capabilities_and_features_are_reported() {
    use dpex_runtime::Feature;
    let cpu = common::cpu();
    let info = cpu.info();
    eprintln!(
        "{cpu}: local memory {:?} bytes, work-item sizes {:?}, work-group size {}, \
         sub-groups {:?} (sizes {:?}), features {:?}\nextensions: {}",
        cpu.local_mem_size(),
        cpu.max_work_item_sizes(),
        cpu.max_work_group_size(),
        cpu.max_num_sub_groups(),
        cpu.sub_group_sizes(),
        info.features(),
        cpu.extensions().join(" ")
    );
    assert!(!cpu.extensions().is_empty());
    assert!(cpu.extensions().iter().all(|e| e.starts_with("cl_")));
    assert!(cpu.local_mem_size().is_some_and(|b| b >= 1024));
    // OpenCL requires at least 3 dimensions, each allowing at least 1 work-item.
    assert!(cpu.max_work_item_sizes().len() >= 3);
    assert!(cpu.max_work_item_sizes().iter().all(|&s| s >= 1));
    assert!(cpu.max_work_item_sizes()[0] <= cpu.max_work_group_size().max(1) * 1024);

    // Each feature agrees with what it is documented to check.
    assert_eq!(
        cpu.supports(Feature::Fp64),
        cpu.has_extension("cl_khr_fp64") || cpu.has_fp64()
    );
    assert_eq!(
        cpu.supports(Feature::Fp16),
        cpu.has_extension("cl_khr_fp16")
    );
    assert_eq!(
        cpu.supports(Feature::Int64Atomics),
        cpu.has_extension("cl_khr_int64_base_atomics")
    );
    assert_eq!(
        cpu.supports(Feature::SubGroups),
        cpu.has_extension("cl_khr_subgroups")
            || cpu.has_extension("cl_intel_subgroups")
            || cpu.max_num_sub_groups().is_some_and(|n| n > 0)
    );
    // Intel's OpenCL CPU runtime (the device under test) has double precision and sub-groups.
    assert!(cpu.supports(Feature::Fp64), "{cpu}");
    assert!(cpu.supports(Feature::SubGroups), "{cpu}");
    assert_eq!(
        info.features().len(),
        Feature::ALL.iter().filter(|&&f| cpu.supports(f)).count()
    );
}

#[test]
fn dpctl_filter_strings_and_lists() {
    let cpu = common::cpu();
    let has = |ty: DeviceType| {
        Device::all()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .any(|d| d.device_type == ty && d.is_usable())
    };
    for selector in [
        "accelerator,opencl:cpu:0",
        "opencl:accelerator,cpu",
        "fpga:3, opencl:cpu",
    ] {
        if !has(DeviceType::Accelerator) {
            let d = Device::select(selector).unwrap_or_else(|e| panic!("{selector}: {e}"));
            assert_eq!(d, cpu, "{selector}");
        }
    }
    if !has(DeviceType::Accelerator) {
        let err = Device::select("accelerator").expect_err("no accelerator here");
        let text = err.to_string();
        assert!(
            text.contains("`accelerator`") && text.contains(cpu.name()),
            "{text}"
        );
    }
    if !has(DeviceType::Gpu) {
        let err = Device::select("opencl:gpu").expect_err("no GPU here");
        assert!(err.to_string().contains("opencl:cpu:0"), "{err}");
        // The default selector then falls back to the CPU.
        assert_eq!(Device::default_device_from(None).ok(), Some(cpu.clone()));
    }
}

/// Debian's PoCL (no SPIR-V) is listed with its reason and never selected, while `opencl:cpu`
/// still finds a device that takes SPIR-V. Checked whenever PoCL is installed (`.ci/run`
/// installs `pocl-opencl-icd`).
#[test]
fn devices_without_spirv_are_listed_but_never_selected() {
    let all = Device::all().unwrap_or_else(|e| panic!("{e}"));
    let cpu = common::cpu();
    for info in all.iter().filter(|d| !d.is_usable()) {
        let reason = info.usable.clone().err().unwrap_or_default();
        assert!(!reason.is_empty(), "{info}");
        assert!(
            !info.filter.starts_with("opencl:cpu") && !info.filter.starts_with("opencl:gpu"),
            "unusable devices get positional filters: {info}"
        );
        let err = Device::select(&info.filter).expect_err("an unusable device is never selected");
        assert!(matches!(err, Error::DeviceNotUsable { .. }), "{err:?}");
        assert!(err.to_string().contains(&reason), "{err}");
    }
    for info in all
        .iter()
        .filter(|d| d.platform_name.contains("Portable Computing Language"))
    {
        assert!(!info.is_usable(), "PoCL takes no SPIR-V: {info}");
        assert!(
            info.usable
                .clone()
                .err()
                .unwrap_or_default()
                .contains("SPIR-V"),
            "{info}"
        );
    }
    assert!(Device::select("opencl:cpu").unwrap_or_else(|e| panic!("{e}")) == cpu);
    assert!(cpu.il_versions().contains("SPIR-V"));
}

#[test]
fn the_device_table_lists_every_device_with_a_verdict() {
    let table = dpex_runtime::device_table().unwrap_or_else(|e| panic!("{e}"));
    let cpu = common::cpu();
    let header = table.lines().next().unwrap_or_default();
    for column in [
        "FILTER",
        "NAME",
        "VENDOR",
        "DRIVER",
        "CU",
        "GLOBAL MEM",
        "LOCAL MEM",
        "MAX WG",
        "SUB-GROUPS",
        "FP16",
        "FP64",
        "IL",
        "DPEX",
    ] {
        assert!(header.contains(column), "{header}");
    }
    let row = table
        .lines()
        .find(|l| l.starts_with("opencl:cpu:0"))
        .unwrap_or_else(|| panic!("no CPU row:\n{table}"));
    assert!(row.contains(cpu.name()) && row.ends_with("usable"), "{row}");
    let all = Device::all().unwrap_or_else(|e| panic!("{e}"));
    for info in &all {
        assert!(table.contains(&info.filter), "{table}");
        if let Err(reason) = &info.usable {
            assert!(table.contains(reason.as_str()), "{table}");
        }
    }
    let info = cpu.info();
    assert!(info.compute_units.is_some_and(|c| c > 0));
    assert!(info.global_mem_size.is_some_and(|g| g > 0));
    assert!(info.max_mem_alloc_size.is_some_and(|m| m > 0));
    assert!(info.version.starts_with("OpenCL"), "{}", info.version);
}
