//! The on-disk cache of device binaries: configuration, loading, atomic writes, LRU eviction.
//!
//! Safe for several processes at once: a file is written to a temporary name in the same folder
//! and renamed into place (atomic), so a reader sees a whole file or none; readers tolerate files
//! that disappear (another process evicted or replaced them); a file that fails any check is
//! deleted and rebuilt. No error here fails a launch: the program is then built from SPIR-V.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::{Duration, Instant, SystemTime};

use super::build::Loaded;
use super::format::{decode, encode, DiskKey};
use super::inspect::unique_suffix;
use super::stats::{self, trace};
use crate::backend::opencl;
use crate::device::Device;
use crate::spec::KernelSpec;

/// The extension of cache files.
pub(super) const EXTENSION: &str = "dpexbin";

/// The default size cap of the on-disk cache: 256 MiB.
pub const DEFAULT_CACHE_MAX_BYTES: u64 = 256 << 20;

/// Temporary files older than this are left over by a crashed writer and removed on eviction.
const STALE_TEMP: Duration = Duration::from_secs(600);

/// Where and whether the on-disk program cache keeps device binaries.
///
/// By default it comes from the environment ([`CacheConfig::from_env`]); [`set_cache_config`]
/// overrides it for the whole process (e.g. an application with its own cache folder, or a test).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheConfig {
    /// The cache folder; `None` disables the disk cache.
    pub dir: Option<PathBuf>,
    /// The most bytes the folder's cache files may take; the least recently used files are
    /// deleted when a write goes over it.
    pub max_bytes: u64,
}

impl CacheConfig {
    /// The configuration the environment asks for:
    ///
    /// - `DPEX_CACHE=off` (or `0`, `false`, `no`) disables the disk cache;
    /// - `DPEX_CACHE_DIR` is the folder, else the platform's cache folder + `dpex` (`dirs`:
    ///   `$XDG_CACHE_HOME/dpex` or `~/.cache/dpex` on Linux, `~/Library/Caches/dpex` on macOS,
    ///   `%LOCALAPPDATA%\dpex` on Windows); none found: disabled;
    /// - `DPEX_CACHE_MAX_BYTES` is the size cap in bytes (a `K`, `M` or `G` suffix multiplies by
    ///   1024, 1024² or 1024³), default [`DEFAULT_CACHE_MAX_BYTES`] (256 MiB).
    pub fn from_env() -> CacheConfig {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let off = var("DPEX_CACHE").is_some_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "off" | "0" | "false" | "no"
            )
        });
        let dir = if off {
            None
        } else {
            match std::env::var_os("DPEX_CACHE_DIR").filter(|d| !d.is_empty()) {
                Some(dir) => Some(PathBuf::from(dir)),
                None => dirs::cache_dir().map(|d| d.join("dpex")),
            }
        };
        let max_bytes = match var("DPEX_CACHE_MAX_BYTES") {
            Some(v) => parse_size(&v).unwrap_or_else(|| {
                trace(format_args!(
                    "DPEX_CACHE_MAX_BYTES={v:?} is not a size; using {DEFAULT_CACHE_MAX_BYTES}"
                ));
                DEFAULT_CACHE_MAX_BYTES
            }),
            None => DEFAULT_CACHE_MAX_BYTES,
        };
        CacheConfig { dir, max_bytes }
    }

    /// A configuration that keeps no files.
    pub fn disabled() -> CacheConfig {
        CacheConfig {
            dir: None,
            max_bytes: DEFAULT_CACHE_MAX_BYTES,
        }
    }

    /// A disk cache in `dir` with the default size cap.
    pub fn in_dir(dir: impl Into<PathBuf>) -> CacheConfig {
        CacheConfig {
            dir: Some(dir.into()),
            max_bytes: DEFAULT_CACHE_MAX_BYTES,
        }
    }

    /// The cache files in the folder and their total size in bytes (0 and 0 when disabled or
    /// when the folder does not exist yet).
    pub fn usage(&self) -> io::Result<(usize, u64)> {
        let Some(dir) = &self.dir else {
            return Ok((0, 0));
        };
        let files = cache_files(dir)?;
        Ok((files.len(), files.iter().map(|f| f.len).sum()))
    }

    /// Deletes every cache file in the folder; returns how many were deleted.
    pub fn clear(&self) -> io::Result<usize> {
        let Some(dir) = &self.dir else {
            return Ok(0);
        };
        let mut deleted = 0;
        for file in cache_files(dir)? {
            match fs::remove_file(&file.path) {
                Ok(()) => deleted += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(deleted)
    }
}

/// `123`, `64K`, `256M`, `1G` (binary multiples, optional `B`/`iB`), case-insensitive.
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim().to_ascii_uppercase();
    let text = text.trim_end_matches("IB").trim_end_matches('B');
    let (digits, shift) = match text.chars().last()? {
        'K' => (&text[..text.len() - 1], 10),
        'M' => (&text[..text.len() - 1], 20),
        'G' => (&text[..text.len() - 1], 30),
        _ => (text, 0),
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(1 << shift)
}

static OVERRIDE: RwLock<Option<CacheConfig>> = RwLock::new(None);

/// Replaces the environment's disk cache configuration for this process (`None`: back to
/// [`CacheConfig::from_env`]). Programs already in memory are not affected.
pub fn set_cache_config(config: Option<CacheConfig>) {
    *OVERRIDE.write().unwrap_or_else(|p| p.into_inner()) = config;
}

/// The disk cache configuration in force: the one given to [`set_cache_config`], else
/// [`CacheConfig::from_env`] (read anew at each call).
pub fn cache_config() -> CacheConfig {
    match &*OVERRIDE.read().unwrap_or_else(|p| p.into_inner()) {
        Some(config) => config.clone(),
        None => CacheConfig::from_env(),
    }
}

/// Loads the program of `key` for `device` from `dir`, or `None` (a miss, or a problem: counted,
/// traced and, for a bad file, the file deleted).
pub(super) fn load(
    spec: &KernelSpec,
    dir: &Path,
    key: &DiskKey,
    device: &Device,
    options: &str,
) -> Option<Loaded> {
    let started = Instant::now();
    let path = dir.join(key.file_name());
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            trace(format_args!("disk cache miss: {}", path.display()));
            return None;
        }
        Err(e) => {
            stats::disk_error(format_args!("cannot read {}: {e}", path.display()));
            return None;
        }
    };
    let entry = match decode(&bytes, key) {
        Ok(entry) => entry,
        Err(reject) => {
            stats::disk_error(format_args!("{}: {reject}; deleting it", path.display()));
            remove(&path);
            return None;
        }
    };
    let program = match opencl::program::from_binary(device, entry.binary, options) {
        Ok(program) => program,
        Err(why) => {
            stats::disk_error(format_args!(
                "{}: the driver rejected the cached binary ({why}); deleting it",
                path.display()
            ));
            remove(&path);
            return None;
        }
    };
    touch(&path);
    let time = started.elapsed();
    stats::disk_hit(spec, time);
    trace(format_args!(
        "disk cache hit: {} ({} bytes, {time:?})",
        path.display(),
        bytes.len()
    ));
    Some(Loaded {
        program,
        build_log: entry.build_log,
    })
}

/// Writes `program`'s device binary to `dir` under `key` (atomically), then evicts over the cap.
/// Failures are counted and traced.
pub(super) fn store(
    dir: &Path,
    max_bytes: u64,
    key: &DiskKey,
    program: &opencl::program::Program,
    build_log: &str,
) {
    let binary = match program.binary() {
        Ok(binary) => binary,
        Err(why) => {
            stats::disk_error(format_args!("{why}; nothing cached"));
            return;
        }
    };
    let path = dir.join(key.file_name());
    let bytes = encode(key, &binary, build_log);
    match write_atomically(dir, &path, &bytes) {
        Ok(()) => {
            stats::disk_write();
            trace(format_args!(
                "disk cache write: {} ({} bytes)",
                path.display(),
                bytes.len()
            ));
        }
        Err(e) => {
            stats::disk_error(format_args!("cannot write {}: {e}", path.display()));
            return;
        }
    }
    if let Err(e) = evict(dir, max_bytes, &path) {
        stats::disk_error(format_args!("eviction in {}: {e}", dir.display()));
    }
}

/// Writes `bytes` to a temporary file in `dir` and renames it to `path`.
pub(crate) fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", unique_suffix()));
    let written = fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, path));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Marks a file as just used (its modification time orders the LRU eviction).
fn touch(path: &Path) {
    let touched = fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(SystemTime::now()));
    if let Err(e) = touched {
        trace(format_args!("cannot touch {}: {e}", path.display()));
    }
}

/// Deletes a file; one that is already gone is fine.
fn remove(path: &Path) {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => trace(format_args!("cannot delete {}: {e}", path.display())),
    }
}

/// One cache file.
struct CacheFile {
    path: PathBuf,
    len: u64,
    modified: SystemTime,
}

/// Whether `path` is one of the cache's files: a program binary (`*.dpexbin`) or a Vulkan
/// device's saved pipeline cache (`vk-*.bin`).
fn is_cache_file(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.extension().is_some_and(|e| e == EXTENSION)
        || (name.starts_with("vk-") && name.ends_with(".bin"))
}

/// The cache files in `dir` (a missing folder has none); files that vanish while listing are
/// skipped.
fn cache_files(dir: &Path) -> io::Result<Vec<CacheFile>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut files = Vec::new();
    for entry in entries {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        if !is_cache_file(&path) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_file() {
            files.push(CacheFile {
                path,
                len: meta.len(),
                modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            });
        }
    }
    Ok(files)
}

/// Deletes the least recently used cache files in `dir` until they take at most `max_bytes`
/// (never `keep`, the file just written), and temporary files left by crashed writers.
fn evict(dir: &Path, max_bytes: u64, keep: &Path) -> io::Result<()> {
    let mut files = cache_files(dir)?;
    let mut total: u64 = files.iter().map(|f| f.len).sum();
    if total > max_bytes {
        files.sort_by_key(|f| f.modified);
        for file in files {
            if total <= max_bytes {
                break;
            }
            if file.path == keep {
                continue;
            }
            remove(&file.path);
            trace(format_args!("disk cache evicted {}", file.path.display()));
            total = total.saturating_sub(file.len);
        }
    }
    remove_stale_temps(dir);
    Ok(())
}

/// Removes `.*.tmp` files older than [`STALE_TEMP`].
fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with('.') && name.ends_with(".tmp")) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > STALE_TEMP);
        if old {
            remove(&entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_size("123"), Some(123));
        assert_eq!(parse_size("64k"), Some(64 << 10));
        assert_eq!(parse_size("256M"), Some(256 << 20));
        assert_eq!(parse_size("256MiB"), Some(256 << 20));
        assert_eq!(parse_size("1 GB"), Some(1 << 30));
        assert_eq!(parse_size(""), None);
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("99999999999999999999G"), None);
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dpex-disk-unit-{name}-{}", unique_suffix()));
        fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn eviction_deletes_the_least_recently_used_files_first() {
        let dir = temp_dir("evict");
        let now = SystemTime::now();
        for (i, name) in ["a", "b", "c", "d"].iter().enumerate() {
            let path = dir.join(format!("{name}.{EXTENSION}"));
            fs::write(&path, [0u8; 100]).expect("write");
            let file = fs::File::options().write(true).open(&path).expect("open");
            // a is the oldest, d the newest.
            file.set_modified(now - Duration::from_secs(100 - i as u64 * 10))
                .expect("set mtime");
        }
        fs::write(dir.join("other.txt"), [0u8; 1000]).expect("write");
        // Keep `a` (just written, say): b and c go, d (newest) and a stay.
        evict(&dir, 250, &dir.join(format!("a.{EXTENSION}"))).expect("evict");
        let mut left: Vec<String> = fs::read_dir(&dir)
            .expect("list")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["a.dpexbin", "d.dpexbin", "other.txt"]);
        let config = CacheConfig::in_dir(&dir);
        assert_eq!(config.usage().expect("usage"), (2, 200));
        // A Vulkan pipeline cache is a cache file too.
        fs::write(dir.join("vk-00ff-1.bin"), [0u8; 32]).expect("write");
        assert_eq!(config.usage().expect("usage"), (3, 232));
        assert_eq!(config.clear().expect("clear"), 3);
        assert_eq!(config.usage().expect("usage"), (0, 0));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_missing_folder_is_an_empty_cache() {
        let config = CacheConfig::in_dir(std::env::temp_dir().join("dpex-no-such-dir-xyz"));
        assert_eq!(config.usage().expect("usage"), (0, 0));
        assert_eq!(CacheConfig::disabled().usage().expect("usage"), (0, 0));
    }
}
