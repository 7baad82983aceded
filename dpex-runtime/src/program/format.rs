//! The on-disk cache's file format and key.
//!
//! A cache file is named `<key>.dpexbin`, `<key>` being 32 hex digits of an XXH3-128 hash of
//! [`DiskKey`] (format version, SPIR-V words, device name, vendor, driver version, device
//! version, platform name, build options). All integers are little-endian:
//!
//! | bytes | field |
//! | --- | --- |
//! | 8 | magic `DPEXBIN\0` |
//! | 4 | format version ([`FORMAT_VERSION`]) |
//! | 16 | the key hash (echo of the file name) |
//! | 4 | length of the key text |
//! | 4 | length of the build log |
//! | 8 | length of the payload (the device binary) |
//! | .. | key text: the key's fields, one `name=value` per line (UTF-8) |
//! | .. | the driver's build log of the original build from SPIR-V (UTF-8) |
//! | .. | payload: `CL_PROGRAM_BINARIES` of the device |
//! | 8 | XXH3-64 checksum of every byte before it |
//!
//! A file whose magic, version, key hash, key text, lengths or checksum do not match what the
//! reader expects is rejected (and deleted by the cache) before anything is given to the driver.

use std::fmt;

use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

use crate::device::Device;
use crate::spec::KernelSpec;

/// The first 8 bytes of every cache file.
pub(super) const MAGIC: &[u8; 8] = b"DPEXBIN\0";

/// Bumped whenever the file format or the key changes: older files then become misses (their
/// names differ) and are evicted as the least recently used.
pub(super) const FORMAT_VERSION: u32 = 1;

/// Bytes before the key text.
const FIXED_HEADER: usize = 8 + 4 + 16 + 4 + 4 + 8;
/// Bytes of the trailing checksum.
const CHECKSUM: usize = 8;

/// Everything a cached device binary depends on, and its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct DiskKey {
    /// XXH3-128 of the fields below and the SPIR-V words: the file name.
    pub(super) hash: u128,
    /// The fields as `name=value` lines, stored in the file and compared on load.
    pub(super) text: String,
}

impl DiskKey {
    /// The key of `spec` built for `device` with `options`.
    pub(super) fn new(spec: &KernelSpec, device: &Device, options: &str) -> DiskKey {
        let info = device.info();
        DiskKey::from_parts(
            spec.spirv,
            &[
                ("device", &info.name),
                ("vendor", &info.vendor),
                ("driver", &info.driver_version),
                ("device_version", &info.version),
                ("platform", &info.platform_name),
                ("options", options),
            ],
        )
    }

    /// The key of `words` and `fields` (name, value).
    pub(super) fn from_parts(words: &[u32], fields: &[(&str, &str)]) -> DiskKey {
        let mut text = format!("format={FORMAT_VERSION}\nspirv_words={}\n", words.len());
        for (name, value) in fields {
            // A newline in a value (never seen in device names) cannot forge another field.
            let value = value.replace(['\n', '\r'], " ");
            text.push_str(&format!("{name}={value}\n"));
        }
        let mut bytes = Vec::with_capacity(8 + text.len() + 4 * words.len());
        bytes.extend_from_slice(&(text.len() as u64).to_le_bytes());
        bytes.extend_from_slice(text.as_bytes());
        bytes.extend(words.iter().flat_map(|w| w.to_le_bytes()));
        DiskKey {
            hash: xxh3_128(&bytes),
            text,
        }
    }

    /// The cache file's name: `<32 hex digits>.dpexbin`.
    pub(super) fn file_name(&self) -> String {
        format!("{:032x}.{}", self.hash, super::disk::EXTENSION)
    }
}

/// Why a cache file was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Reject {
    /// Not a dpex cache file, or one of another format version.
    Foreign(String),
    /// Shorter or longer than its header says.
    Truncated { expected: u64, got: u64 },
    /// The checksum does not match the contents.
    Checksum,
    /// A valid file for another key (a hash collision or a renamed file).
    WrongKey,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reject::Foreign(what) => write!(
                f,
                "not a dpex cache file of format {FORMAT_VERSION} ({what})"
            ),
            Reject::Truncated { expected, got } => {
                write!(
                    f,
                    "truncated or overlong: {got} bytes, the header says {expected}"
                )
            }
            Reject::Checksum => f.write_str("checksum mismatch (corrupt contents)"),
            Reject::WrongKey => f.write_str("the file belongs to another key"),
        }
    }
}

/// What a valid cache file holds.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Entry<'a> {
    /// The device binary.
    pub(super) binary: &'a [u8],
    /// The build log of the original build from SPIR-V.
    pub(super) build_log: String,
}

/// The bytes of a cache file for `key` holding `binary` and `build_log`.
pub(super) fn encode(key: &DiskKey, binary: &[u8], build_log: &str) -> Vec<u8> {
    let log = build_log.as_bytes();
    let mut out =
        Vec::with_capacity(FIXED_HEADER + key.text.len() + log.len() + binary.len() + CHECKSUM);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&key.hash.to_le_bytes());
    out.extend_from_slice(&(key.text.len() as u32).to_le_bytes());
    out.extend_from_slice(&(log.len() as u32).to_le_bytes());
    out.extend_from_slice(&(binary.len() as u64).to_le_bytes());
    out.extend_from_slice(key.text.as_bytes());
    out.extend_from_slice(log);
    out.extend_from_slice(binary);
    let checksum = xxh3_64(&out);
    out.extend_from_slice(&checksum.to_le_bytes());
    out
}

/// Reads `N` bytes at `at` (the caller checked the length).
fn array<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(src) = bytes.get(at..at + N) {
        out.copy_from_slice(src);
    }
    out
}

/// Checks `bytes` as the cache file of `key`: returns its binary and build log, or why not.
pub(super) fn decode<'a>(bytes: &'a [u8], key: &DiskKey) -> Result<Entry<'a>, Reject> {
    if bytes.len() < FIXED_HEADER + CHECKSUM {
        return if bytes.starts_with(MAGIC) || MAGIC.starts_with(bytes) {
            Err(Reject::Truncated {
                expected: (FIXED_HEADER + CHECKSUM) as u64,
                got: bytes.len() as u64,
            })
        } else {
            Err(Reject::Foreign(format!(
                "{} bytes, no dpex header",
                bytes.len()
            )))
        };
    }
    if &bytes[..8] != MAGIC {
        return Err(Reject::Foreign("wrong magic number".to_string()));
    }
    let version = u32::from_le_bytes(array(bytes, 8));
    if version != FORMAT_VERSION {
        return Err(Reject::Foreign(format!("format version {version}")));
    }
    let hash = u128::from_le_bytes(array(bytes, 12));
    let key_len = u64::from(u32::from_le_bytes(array(bytes, 28)));
    let log_len = u64::from(u32::from_le_bytes(array(bytes, 32)));
    let binary_len = u64::from_le_bytes(array(bytes, 36));
    let expected = (FIXED_HEADER as u64 + CHECKSUM as u64)
        .saturating_add(key_len)
        .saturating_add(log_len)
        .saturating_add(binary_len);
    if expected != bytes.len() as u64 {
        return Err(Reject::Truncated {
            expected,
            got: bytes.len() as u64,
        });
    }
    // Every length fits: they add up to `bytes.len()`.
    let (body, checksum) = bytes.split_at(bytes.len() - CHECKSUM);
    if xxh3_64(body) != u64::from_le_bytes(array(checksum, 0)) {
        return Err(Reject::Checksum);
    }
    let key_end = FIXED_HEADER + key_len as usize;
    let log_end = key_end + log_len as usize;
    if hash != key.hash || &body[FIXED_HEADER..key_end] != key.text.as_bytes() {
        return Err(Reject::WrongKey);
    }
    Ok(Entry {
        binary: &body[log_end..],
        build_log: String::from_utf8_lossy(&body[key_end..log_end]).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(options: &str) -> DiskKey {
        DiskKey::from_parts(
            &[0x0723_0203, 0x10200, 7],
            &[("device", "cpu"), ("options", options)],
        )
    }

    #[test]
    fn a_file_round_trips() {
        let k = key("");
        let bytes = encode(&k, b"\x7fELF binary", "log line");
        let entry = decode(&bytes, &k).expect("valid file");
        assert_eq!(entry.binary, b"\x7fELF binary");
        assert_eq!(entry.build_log, "log line");
        assert!(k.file_name().ends_with(".dpexbin") && k.file_name().len() == 32 + 8);
    }

    #[test]
    fn every_key_field_changes_the_hash() {
        let base = key("");
        assert_ne!(base.hash, key("-cl-fast-relaxed-math").hash);
        let other_words = DiskKey::from_parts(
            &[0x0723_0203, 0x10200, 8],
            &[("device", "cpu"), ("options", "")],
        );
        assert_ne!(base.hash, other_words.hash);
        let other_device = DiskKey::from_parts(
            &[0x0723_0203, 0x10200, 7],
            &[("device", "gpu"), ("options", "")],
        );
        assert_ne!(base.hash, other_device.hash);
        assert_eq!(base, key(""));
    }

    #[test]
    fn corrupt_truncated_foreign_and_misplaced_files_are_rejected() {
        let k = key("");
        let good = encode(&k, &[1, 2, 3, 4, 5, 6, 7, 8], "");
        for cut in 0..good.len() {
            assert!(
                matches!(
                    decode(&good[..cut], &k),
                    Err(Reject::Truncated { .. } | Reject::Foreign(_))
                ),
                "cut at {cut}"
            );
        }
        let mut longer = good.clone();
        longer.push(0);
        assert!(matches!(decode(&longer, &k), Err(Reject::Truncated { .. })));
        for at in 0..good.len() {
            let mut flipped = good.clone();
            flipped[at] ^= 0x10;
            assert!(decode(&flipped, &k).is_err(), "flipped byte {at}");
        }
        assert!(matches!(
            decode(b"#!/bin/sh\necho not a binary\n.......", &k),
            Err(Reject::Foreign(_))
        ));
        assert_eq!(decode(&good, &key("-O0")), Err(Reject::WrongKey));
        let mut other_version = good.clone();
        other_version[8] = 99;
        assert!(matches!(
            decode(&other_version, &k),
            Err(Reject::Foreign(_))
        ));
    }
}
