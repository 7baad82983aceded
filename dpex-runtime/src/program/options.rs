//! Driver build options: the process-wide default and each kernel's own.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use once_cell::sync::Lazy;

use crate::error::Result;
use crate::spec::KernelSpec;

/// The global options and a small id that stands for them in the in-memory cache key (every
/// distinct string gets its own id, so a key costs no string hashing per launch).
struct Global {
    id: u64,
    text: Arc<str>,
    ids: HashMap<Arc<str>, u64>,
}

static GLOBAL: Lazy<RwLock<Global>> = Lazy::new(|| {
    let text: Arc<str> = normalize(&std::env::var("DPEX_BUILD_OPTIONS").unwrap_or_default()).into();
    let ids = HashMap::from([(text.clone(), 0)]);
    RwLock::new(Global { id: 0, text, ids })
});

/// Collapses runs of whitespace, so `" -a  -b "` and `"-a -b"` are the same options.
fn normalize(options: &str) -> String {
    options.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Sets the build options passed to `clBuildProgram` for every kernel built from now on (before
/// each kernel's own [`KernelSpec::build_options`]), replacing `DPEX_BUILD_OPTIONS`, e.g.
/// `set_build_options("-cl-fast-relaxed-math")`. The options are part of the program cache keys:
/// kernels already built with other options are built again at their next launch.
///
/// Options with a NUL character make every later build fail with an `OpenCl` error
/// (`CL_INVALID_BUILD_OPTIONS`).
pub fn set_build_options(options: &str) {
    let text = normalize(options);
    let mut global = GLOBAL.write().unwrap_or_else(|p| p.into_inner());
    let next = global.ids.len() as u64;
    let (text, id) = match global.ids.get_key_value(text.as_str()) {
        Some((text, id)) => (text.clone(), *id),
        None => {
            let text: Arc<str> = text.into();
            global.ids.insert(text.clone(), next);
            (text, next)
        }
    };
    global.text = text;
    global.id = id;
}

/// The global build options in force: the last [`set_build_options`], else
/// `DPEX_BUILD_OPTIONS` (read at first use), else empty.
pub fn build_options() -> String {
    global().1.to_string()
}

/// The global options' id and text.
pub(super) fn global() -> (u64, Arc<str>) {
    let global = GLOBAL.read().unwrap_or_else(|p| p.into_inner());
    (global.id, global.text.clone())
}

/// The options passed to `clBuildProgram` for `spec`: the global ones, then the kernel's own.
/// A NUL character is an error (OpenCL takes a C string).
pub(super) fn effective(global: &str, spec: &KernelSpec) -> Result<String> {
    let options = normalize(&format!("{global} {}", spec.build_options));
    if options.contains('\0') {
        return Err(crate::backend::opencl::status::error(
            "clBuildProgram",
            -43,
            format!(
                "kernel `{}`: the build options {options:?} contain a NUL character",
                spec.name
            ),
        ));
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_normalized() {
        assert_eq!(normalize("  -a   -b\t-c "), "-a -b -c");
        assert_eq!(normalize(""), "");
    }
}
