//! The device listing as an aligned table (what `dpex devices` prints), like `sycl-ls` or
//! `clinfo -l` with dpex's usability verdict per device.

use crate::device::DeviceInfo;
use crate::error::Result;
use crate::registry::registry;

/// Every OpenCL platform's devices and every Vulkan device on the machine as an aligned text
/// table: filter string, API, type, name, vendor, driver version, compute units, memory sizes,
/// work-group and sub-group sizes, fp16/fp64, the SPIR-V versions the driver takes, the
/// optional features it has, and whether dpex can use the device (or why not). Followed by the
/// OpenCL platform names and any platform (or the Vulkan loader) that could not be listed.
///
/// Errors only when OpenCL itself cannot be loaded and there is no Vulkan device
/// ([`Error::NoOpenClLibrary`](crate::Error)).
pub fn device_table() -> Result<String> {
    let registry = registry()?;
    let infos: Vec<DeviceInfo> = registry.entries.iter().map(|e| e.info.clone()).collect();
    Ok(format_table(&infos, &registry.problems))
}

const HEADER: [&str; 17] = [
    "FILTER",
    "API",
    "TYPE",
    "NAME",
    "VENDOR",
    "DRIVER",
    "CU",
    "GLOBAL MEM",
    "MAX ALLOC",
    "LOCAL MEM",
    "MAX WG",
    "SUB-GROUPS",
    "FP16",
    "FP64",
    "IL",
    "FEATURES",
    "DPEX",
];

/// The table for `infos`, then the platforms, then `problems` (one line each).
pub(crate) fn format_table(infos: &[DeviceInfo], problems: &[String]) -> String {
    let rows: Vec<[String; 17]> = infos.iter().map(row).collect();
    let mut widths = HEADER.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut out = String::new();
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                let pad = width - cell.chars().count();
                out.push_str(cell);
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        out.trim_end().to_string()
    };
    let mut lines = vec![line(&HEADER.map(String::from))];
    lines.extend(rows.iter().map(|r| line(r)));
    if infos.is_empty() {
        lines.push("(no devices found)".to_string());
    }
    let mut platforms: Vec<(usize, &str)> = infos
        .iter()
        .filter(|i| i.api == dpex_abi::Api::OpenCl)
        .map(|i| (i.platform_index, i.platform_name.as_str()))
        .collect();
    platforms.dedup();
    if !platforms.is_empty() {
        lines.push(String::new());
        lines.push("Platforms:".to_string());
        lines.extend(platforms.iter().map(|(i, name)| format!("  {i}: {name}")));
    }
    if !problems.is_empty() {
        lines.push(String::new());
        lines.push("Problems:".to_string());
        lines.extend(problems.iter().map(|p| format!("  {p}")));
    }
    lines.join("\n") + "\n"
}

fn row(info: &DeviceInfo) -> [String; 17] {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "?".to_string());
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
    [
        info.filter.clone(),
        info.api.to_string(),
        info.device_type.to_string(),
        info.name.clone(),
        info.vendor.clone(),
        info.driver_version.clone(),
        opt(info.compute_units.map(|c| c.to_string())),
        opt(info.global_mem_size.map(human_bytes)),
        opt(info.max_mem_alloc_size.map(human_bytes)),
        opt(info.local_mem_size.map(human_bytes)),
        opt(info.max_work_group_size.map(|s| s.to_string())),
        if info.sub_group_sizes.is_empty() {
            "-".to_string()
        } else {
            info.sub_group_sizes
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(",")
        },
        yes_no(info.supports(crate::Feature::Fp16)),
        yes_no(info.supports(crate::Feature::Fp64)),
        il_summary(&info.il_versions),
        features(info),
        match &info.usable {
            Ok(()) => "usable".to_string(),
            Err(reason) => format!("NOT usable: {reason}"),
        },
    ]
}

/// The optional features the device has (see [`Feature`](crate::Feature)), e.g.
/// `fp64,fp16,int64-atomics,sub-groups`; `-` for none.
fn features(info: &DeviceInfo) -> String {
    let names: Vec<&str> = info
        .features()
        .into_iter()
        .map(|f| match f {
            crate::Feature::Int64Atomics => "int64-atomics",
            other => other.name(),
        })
        .collect();
    if names.is_empty() {
        "-".to_string()
    } else {
        names.join(",")
    }
}

/// `1536` -> `1.5 KiB`; whole numbers without decimals (`256 KiB`).
fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `SPIR-V_1.0 SPIR-V_1.1 SPIR-V_1.2` -> `SPIR-V 1.0-1.2`; empty -> `none`; anything else as is.
fn il_summary(il: &str) -> String {
    let parts: Vec<&str> = il.split_whitespace().collect();
    if parts.is_empty() {
        return "none".to_string();
    }
    let versions: Option<Vec<(u32, u32)>> = parts
        .iter()
        .map(|p| {
            let (major, minor) = p.strip_prefix("SPIR-V_")?.split_once('.')?;
            Some((major.parse().ok()?, minor.parse().ok()?))
        })
        .collect();
    let Some(versions) = versions else {
        return parts.join(" ");
    };
    let consecutive = versions
        .windows(2)
        .all(|w| w[1].0 == w[0].0 && w[1].1 == w[0].1 + 1);
    let show = |(major, minor): (u32, u32)| format!("{major}.{minor}");
    match (versions.first(), versions.last()) {
        (Some(&first), Some(&last)) if consecutive && versions.len() > 1 => {
            format!("SPIR-V {}-{}", show(first), show(last))
        }
        _ => format!(
            "SPIR-V {}",
            versions
                .iter()
                .map(|&v| show(v))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::tests::fake_info;
    use crate::device::DeviceType;

    #[test]
    fn sizes_and_il_versions_read_well() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(256 * 1024), "256 KiB");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(64 << 30), "64 GiB");
        assert_eq!(
            il_summary("SPIR-V_1.0 SPIR-V_1.1 SPIR-V_1.2 SPIR-V_1.3 SPIR-V_1.4"),
            "SPIR-V 1.0-1.4"
        );
        assert_eq!(il_summary("SPIR-V_1.0 SPIR-V_1.2"), "SPIR-V 1.0,1.2");
        assert_eq!(il_summary("SPIR-V_1.2"), "SPIR-V 1.2");
        assert_eq!(il_summary(""), "none");
        assert_eq!(il_summary("SPIR-V_1.0 SPIRV_X"), "SPIR-V_1.0 SPIRV_X");
    }

    #[test]
    fn the_table_is_aligned_and_gives_verdicts() {
        let mut cpu = fake_info("Intel(R) Xeon(R) CPU");
        cpu.il_versions = "SPIR-V_1.0 SPIR-V_1.1 SPIR-V_1.2".to_string();
        cpu.compute_units = Some(16);
        cpu.global_mem_size = Some(32 << 30);
        cpu.max_mem_alloc_size = Some(8 << 30);
        cpu.local_mem_size = Some(256 << 10);
        cpu.max_work_group_size = Some(8192);
        cpu.sub_group_sizes = vec![4, 8, 16];
        cpu.extensions = vec!["cl_khr_fp16".into(), "cl_khr_fp64".into()];
        let mut pocl = fake_info("pthread-cpu");
        pocl.platform_index = 1;
        pocl.platform_name = "Portable Computing Language".to_string();
        pocl.device_type = DeviceType::Cpu;
        pocl.filter = "opencl:1:0".to_string();
        pocl.il_versions = String::new();
        pocl.usable =
            Err("the driver does not accept SPIR-V (empty CL_DEVICE_IL_VERSION)".to_string());
        let table = format_table(
            &[cpu, pocl],
            &["platform 2 `broken`: clGetDeviceIDs failed".to_string()],
        );
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[0].starts_with("FILTER        API     TYPE  NAME"),
            "{table}"
        );
        let column = |line: &str, word: &str| line.find(word);
        let status_col = column(lines[0], "DPEX");
        assert_eq!(column(lines[1], "usable"), status_col, "{table}");
        assert_eq!(column(lines[2], "NOT usable"), status_col, "{table}");
        assert_eq!(column(lines[1], "16 "), column(lines[0], "CU"), "{table}");
        assert!(
            lines[1].contains("32 GiB") && lines[1].contains("8 GiB"),
            "{table}"
        );
        assert!(
            lines[1].contains("256 KiB") && lines[1].contains("4,8,16"),
            "{table}"
        );
        assert!(lines[1].contains("SPIR-V 1.0-1.2"), "{table}");
        assert!(lines[2].contains(" none "), "{table}");
        assert!(lines[2].ends_with("empty CL_DEVICE_IL_VERSION)"), "{table}");
        assert!(
            table.contains("  1: Portable Computing Language"),
            "{table}"
        );
        assert!(
            table.contains("Problems:\n  platform 2 `broken`"),
            "{table}"
        );
        let empty = format_table(&[], &[]);
        assert!(
            empty.starts_with("FILTER  API  TYPE  NAME")
                && empty.ends_with("\n(no devices found)\n"),
            "{empty}"
        );
    }
}
