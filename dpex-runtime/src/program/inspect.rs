//! What happens to a module before it is built: `DPEX_DUMP_SPIRV` (write it to a folder) and
//! `DPEX_VALIDATE_SPIRV` (run `spirv-val` on it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use super::stats::trace;
use crate::error::{Error, Result};
use crate::spec::KernelSpec;

const SPIRV_MAGIC: u32 = 0x0723_0203;
const OP_CAPABILITY: u32 = 17;
const CAPABILITY_FLOAT16: u32 = 9;
const CAPABILITY_INT64_ATOMICS: u32 = 12;

/// The module's words as little-endian bytes (the byte order of a `.spv` file we write).
pub(super) fn words_to_bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// A file name that no other thread or process uses at the same time.
pub(super) fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The file `DPEX_DUMP_SPIRV=<dir>` writes for the module of `kernel` whose words hash to
/// `hash`: `<kernel>-<hash>.spv` (OpenCL) or `<kernel>-vulkan-<hash>.spv`.
pub(super) fn dump_file_name(kernel: &str, flavour: &str, hash: u64) -> String {
    let name: String = kernel
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{name}{flavour}-{hash:016x}.spv")
}

/// Writes `spec`'s module to `$DPEX_DUMP_SPIRV/<kernel>-<hash>.spv` if that variable is set.
/// Failures are traced (`DPEX_LOG`), never returned: dumping is a debugging aid.
pub(super) fn dump_if_requested(spec: &KernelSpec) {
    dump_words(
        spec.name,
        spec.spirv,
        &dump_file_name(spec.name, "", spec.spirv_hash),
    );
}

/// Writes a kernel's Vulkan module to `$DPEX_DUMP_SPIRV/<kernel>-vulkan-<hash>.spv` if that
/// variable is set, as [`dump_if_requested`] does for OpenCL modules.
pub(crate) fn dump_vulkan_if_requested(kernel: &str, words: &[u32]) {
    let hash = xxhash_rust::xxh3::xxh3_64(&words_to_bytes(words));
    dump_words(kernel, words, &dump_file_name(kernel, "-vulkan", hash));
}

/// Writes `words` to `$DPEX_DUMP_SPIRV/<file>` if that variable is set (traced, never failing).
fn dump_words(kernel: &str, words: &[u32], file: &str) {
    let Some(dir) = std::env::var_os("DPEX_DUMP_SPIRV").filter(|d| !d.is_empty()) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let path = dir.join(file);
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        // Temp file + rename: a reader never sees a half-written module.
        let tmp = dir.join(format!(".{file}.{}.tmp", unique_suffix()));
        std::fs::write(&tmp, words_to_bytes(words))?;
        std::fs::rename(&tmp, &path).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    });
    match written {
        Ok(()) => trace(format_args!("dumped `{kernel}` to {}", path.display())),
        Err(e) => trace(format_args!(
            "DPEX_DUMP_SPIRV: cannot write {}: {e}",
            path.display()
        )),
    }
}

/// The SPIR-V version (major, minor) in the module header, if the magic number is right.
pub(super) fn spirv_version(words: &[u32]) -> Option<(u32, u32)> {
    match words {
        [SPIRV_MAGIC, version, ..] => Some(((version >> 16) & 0xff, (version >> 8) & 0xff)),
        _ => None,
    }
}

/// The capabilities the module declares (`OpCapability`, opcode 17), in order.
pub(super) fn capabilities(words: &[u32]) -> Vec<u32> {
    let mut caps = Vec::new();
    let mut at = 5;
    while let Some(&first) = words.get(at) {
        let count = (first >> 16) as usize;
        let opcode = first & 0xffff;
        if count == 0 {
            break;
        }
        if opcode == OP_CAPABILITY {
            if let Some(&cap) = words.get(at + 1) {
                caps.push(cap);
            }
        }
        at += count;
    }
    caps
}

/// The `--target-env` for `spirv-val`: `opencl2.2` for SPIR-V up to 1.2 without the `Float16`
/// and `Int64Atomics` capabilities (which that environment does not allow), else the plain
/// `spv1.<minor>` rules of the module's version.
pub(super) fn target_env(words: &[u32]) -> String {
    let (major, minor) = spirv_version(words).unwrap_or((1, 0));
    let caps = capabilities(words);
    let opencl_ok =
        !caps.contains(&CAPABILITY_FLOAT16) && !caps.contains(&CAPABILITY_INT64_ATOMICS);
    if major == 1 && minor <= 2 && opencl_ok {
        "opencl2.2".to_string()
    } else {
        format!("spv1.{minor}")
    }
}

/// The `spirv-val` that `DPEX_VALIDATE_SPIRV` asks for: `1`/`true`/`on`/`yes` for the one on
/// `PATH`, any other value is its path; unset, empty, `0`, `off`, `false` or `no`: none.
fn validator() -> Option<PathBuf> {
    let value = std::env::var_os("DPEX_VALIDATE_SPIRV")?;
    let text = value.to_string_lossy().trim().to_ascii_lowercase();
    match text.as_str() {
        "" | "0" | "off" | "false" | "no" => None,
        "1" | "on" | "true" | "yes" => Some(PathBuf::from("spirv-val")),
        _ => Some(PathBuf::from(value)),
    }
}

/// Runs `spirv-val` on `spec`'s module if `DPEX_VALIDATE_SPIRV` is set: a rejection, or a
/// validator that cannot be run, is [`Error::InvalidSpirv`].
pub(super) fn validate_if_requested(spec: &KernelSpec) -> Result<()> {
    match validator() {
        Some(tool) => validate_with(&tool, spec),
        None => Ok(()),
    }
}

/// Runs `spirv-val --target-env vulkan1.2` on a kernel's Vulkan module if `DPEX_VALIDATE_SPIRV`
/// is set, as [`validate_if_requested`] does for OpenCL modules.
pub(crate) fn validate_vulkan_if_requested(kernel: &str, words: &[u32]) -> Result<()> {
    match validator() {
        Some(tool) => validate_words(&tool, kernel, words, "vulkan1.2"),
        None => Ok(()),
    }
}

/// Runs `tool` (a `spirv-val`) on `spec`'s module, written to a temporary file.
pub(super) fn validate_with(tool: &Path, spec: &KernelSpec) -> Result<()> {
    validate_words(tool, spec.name, spec.spirv, &target_env(spec.spirv))
}

/// Runs `tool` with `--target-env env` on `words`, written to a temporary file.
fn validate_words(tool: &Path, kernel: &str, words: &[u32], env: &str) -> Result<()> {
    let invalid = |log: String| Error::InvalidSpirv {
        kernel: kernel.to_string(),
        log,
    };
    let file = std::env::temp_dir().join(format!("dpex-validate-{}.spv", unique_suffix()));
    std::fs::write(&file, words_to_bytes(words)).map_err(|e| {
        invalid(format!(
            "cannot write the module to {} for spirv-val: {e}",
            file.display()
        ))
    })?;
    let output = Command::new(tool)
        .arg("--target-env")
        .arg(env)
        .arg(&file)
        .output();
    let _ = std::fs::remove_file(&file);
    let output = output.map_err(|e| {
        invalid(format!(
            "cannot run `{}` (DPEX_VALIDATE_SPIRV): {e}; install SPIRV-Tools or unset \
             DPEX_VALIDATE_SPIRV",
            tool.display()
        ))
    })?;
    trace(format_args!(
        "spirv-val --target-env {env} on `{}`: {}",
        kernel, output.status
    ));
    if output.status.success() {
        return Ok(());
    }
    let mut log = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !stderr.trim().is_empty() {
        if !log.is_empty() {
            log.push('\n');
        }
        log.push_str(stderr.trim());
    }
    log.push_str(&format!(
        "\n({} --target-env {env} exited with {})",
        tool.display(),
        output.status
    ));
    Err(invalid(log))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header for SPIR-V `1.minor` followed by `OpCapability` instructions.
    fn module(minor: u32, caps: &[u32]) -> Vec<u32> {
        let mut words = vec![SPIRV_MAGIC, (1 << 16) | (minor << 8), 0, 10, 0];
        for &cap in caps {
            words.extend([(2 << 16) | OP_CAPABILITY, cap]);
        }
        // OpMemoryModel Physical64 OpenCL.
        words.extend([(3 << 16) | 14, 2, 2]);
        words
    }

    #[test]
    fn the_version_and_capabilities_choose_the_target_environment() {
        assert_eq!(spirv_version(&module(2, &[])), Some((1, 2)));
        assert_eq!(capabilities(&module(0, &[4, 6, 11])), [4, 6, 11]);
        assert_eq!(target_env(&module(0, &[4, 6, 11])), "opencl2.2");
        assert_eq!(target_env(&module(2, &[4, 6])), "opencl2.2");
        assert_eq!(target_env(&module(2, &[4, CAPABILITY_FLOAT16])), "spv1.2");
        assert_eq!(
            target_env(&module(1, &[CAPABILITY_INT64_ATOMICS])),
            "spv1.1"
        );
        assert_eq!(target_env(&module(4, &[4])), "spv1.4");
    }

    #[test]
    fn malformed_modules_do_not_panic() {
        assert_eq!(spirv_version(&[]), None);
        assert_eq!(spirv_version(&[1, 2, 3]), None);
        assert!(capabilities(&[SPIRV_MAGIC, 0x10000, 0, 0, 0, 0]).is_empty());
        // A capability instruction cut off at the end of the module.
        assert!(capabilities(&[SPIRV_MAGIC, 0x10000, 0, 0, 0, (2 << 16) | 17]).is_empty());
        assert_eq!(target_env(&[]), "opencl2.2");
    }

    #[test]
    fn dump_names_are_file_names() {
        let spec = KernelSpec {
            name: "a/b c",
            dims: 1,
            spirv: &[],
            spirv_hash: 0xab,
            params: &[],
            requires: &[],
            static_local_bytes: 0,
            build_options: "",
            reports_errors: false,
            assumes: &[],
            opencl: dpex_abi::opencl::Interface::EMPTY,
            vulkan: Err("built for OpenCL only"),
        };
        assert_eq!(
            dump_file_name(spec.name, "", spec.spirv_hash),
            "a_b_c-00000000000000ab.spv"
        );
    }
}
