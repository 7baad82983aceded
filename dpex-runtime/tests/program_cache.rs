//! The program cache on the real OpenCL CPU device: single-flight builds, failures reported to
//! every waiter, and the on-disk cache across processes.
//!
//! Environment variables are process-wide, so every test that needs its own cache folder or
//! settings runs in a child process: this test binary started again with
//! `--exact helper --nocapture` and `DPEX_TEST_HELPER=<mode>`, which launches kernels and prints
//! its cache counters on one `DPEX_HELPER key=value ...` line.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Barrier};

use dpex_runtime::{
    build_log, cache_stats, launch, program_builds, set_build_options, Error, KernelSpec, Queue,
    Tensor,
};

const HELPER_MODE: &str = "DPEX_TEST_HELPER";
/// The kernel name the helper launches (`vadd` built by [`common::vadd_spec`]).
const HELPER_KERNEL: &str = "DPEX_TEST_KERNEL";
/// Per-kernel build options of the helper's kernel.
const HELPER_KERNEL_OPTIONS: &str = "DPEX_TEST_KERNEL_OPTIONS";

fn ok<T>(r: dpex_runtime::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `job` on 16 threads released together by a barrier, so that they all reach the
/// program cache at once; their results, in thread order.
fn on_16_threads_at_once<T: Send + 'static>(job: impl Fn() -> T + Send + Sync + 'static) -> Vec<T> {
    let job = Arc::new(job);
    let barrier = Arc::new(Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let (job, barrier) = (job.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                job()
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().expect("a launch thread panicked"))
        .collect()
}

/// `c = a + b` with `a[i] = i`, `b[i] = 2 i` on `queue`, checked.
fn launch_vadd(spec: &'static KernelSpec, queue: &Queue) -> dpex_runtime::Result<()> {
    let n = 1000;
    let a = Tensor::from_slice(queue, &(0..n).map(|i| i as f32).collect::<Vec<_>>())?;
    let b = Tensor::from_slice(queue, &(0..n).map(|i| 2.0 * i as f32).collect::<Vec<_>>())?;
    let mut c = Tensor::<f32>::zeros(queue, n)?;
    launch(
        spec,
        &[n],
        None,
        None,
        &[(&a).into(), (&b).into(), (&mut c).into()],
    )?
    .wait()?;
    let got = c.to_vec()?;
    let want: Vec<f32> = (0..n).map(|i| 3.0 * i as f32).collect();
    assert_eq!(got, want, "wrong vadd result");
    Ok(())
}

/// The vadd kernel named `name`, with per-kernel build options.
fn vadd_with_options(name: &'static str, options: &'static str) -> &'static KernelSpec {
    let base = common::vadd_spec(name);
    common::leak_spec_full(
        name,
        1,
        base.spirv.to_vec(),
        base.params.to_vec(),
        &[],
        0,
        options,
    )
}

/// The helper's kernel: name from `DPEX_TEST_KERNEL` (default `cached_vadd`), options from
/// `DPEX_TEST_KERNEL_OPTIONS`.
fn helper_kernel() -> &'static KernelSpec {
    let name: &'static str = std::env::var(HELPER_KERNEL)
        .map(|n| &*Box::leak(n.into_boxed_str()))
        .unwrap_or("cached_vadd");
    let options: &'static str = std::env::var(HELPER_KERNEL_OPTIONS)
        .map(|o| &*Box::leak(o.into_boxed_str()))
        .unwrap_or("");
    vadd_with_options(name, options)
}

/// Prints the counters for the parent, with extra `key=value` fields.
fn report(spec: &KernelSpec, extra: &str) {
    let s = cache_stats();
    println!(
        "\nDPEX_HELPER builds={} hits={} misses={} disk_hits={} disk_writes={} disk_errors={} \
         program_builds={} {extra}",
        s.builds,
        s.hits,
        s.misses,
        s.disk_hits,
        s.disk_writes,
        s.disk_errors,
        program_builds(spec)
    );
}

/// Not a test of its own: the child process's work (does nothing without `DPEX_TEST_HELPER`).
#[test]
fn helper() {
    let Ok(mode) = std::env::var(HELPER_MODE) else {
        return;
    };
    let queue = common::cpu_queue();
    match mode.as_str() {
        "launch" => {
            let spec = helper_kernel();
            ok(launch_vadd(spec, &queue));
            let log = ok(build_log(spec, queue.device()));
            report(spec, &format!("log_len={}", log.len()));
        }
        "two_kernels" => {
            let first = vadd_with_options("cached_vadd_first", "");
            let second = vadd_with_options("cached_vadd_second", "");
            ok(launch_vadd(first, &queue));
            ok(launch_vadd(second, &queue));
            report(second, "");
        }
        "single_flight" => {
            let spec = helper_kernel();
            on_16_threads_at_once(move || ok(launch_vadd(spec, &queue)));
            report(spec, "");
        }
        "options_switch" => {
            let spec = helper_kernel();
            ok(launch_vadd(spec, &queue));
            set_build_options("-cl-fast-relaxed-math");
            ok(launch_vadd(spec, &queue));
            set_build_options("  ");
            ok(launch_vadd(spec, &queue));
            report(spec, "");
        }
        "invalid" => {
            let spec = common::calls_missing_spec("invalid_order", false);
            let mut out = ok(Tensor::<i64>::zeros(&queue, 4));
            let err = launch(spec, &[4], None, None, &[(&mut out).into()])
                .expect_err("spirv-val rejects the module");
            let kind = match &err {
                Error::InvalidSpirv { kernel, log } => {
                    assert_eq!(kernel, "invalid_order");
                    if log.contains("cannot run") {
                        "cannot_run"
                    } else {
                        assert!(log.contains("spirv-val"), "{log}");
                        "invalid"
                    }
                }
                other => panic!("expected InvalidSpirv, got {other:?}"),
            };
            report(spec, &format!("error={kind}"));
        }
        other => panic!("unknown {HELPER_MODE} mode {other:?}"),
    }
}

/// A fresh, empty folder for one test, deleted when dropped (also when the test fails).
struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir(test: &str) -> TempDir {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "dpex-cache-test-{test}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    TempDir(dir)
}

/// This test binary in helper `mode` with the cache in `dir` and `env` set (the variables that
/// change the cache are cleared first).
fn helper_command(mode: &str, dir: &Path, env: &[(&str, &str)]) -> Command {
    let exe = std::env::current_exe().expect("current_exe");
    let mut cmd = Command::new(exe);
    cmd.args(["--exact", "helper", "--nocapture", "--test-threads=1"])
        .env(HELPER_MODE, mode)
        .env("DPEX_CACHE_DIR", dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in [
        "DPEX_CACHE",
        "DPEX_CACHE_MAX_BYTES",
        "DPEX_BUILD_OPTIONS",
        "DPEX_DUMP_SPIRV",
        HELPER_KERNEL,
        HELPER_KERNEL_OPTIONS,
    ] {
        cmd.env_remove(var);
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd
}

/// The `key=value` fields of the child's `DPEX_HELPER` line; panics with its output if it failed.
fn parse(output: &Output) -> HashMap<String, String> {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "helper failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("DPEX_HELPER ").map(|(_, fields)| fields))
        .unwrap_or_else(|| panic!("no DPEX_HELPER line:\n{stdout}\n{stderr}"));
    line.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Runs the helper and returns its counters.
fn run(mode: &str, dir: &Path, env: &[(&str, &str)]) -> HashMap<String, String> {
    let output = helper_command(mode, dir, env)
        .output()
        .expect("spawn the helper");
    parse(&output)
}

/// Asserts counters: each `(name, value)` of `want` must match.
fn expect(got: &HashMap<String, String>, want: &[(&str, u64)]) {
    for (name, value) in want {
        assert_eq!(
            got.get(*name).map(String::as_str),
            Some(value.to_string().as_str()),
            "counter `{name}` in {got:?}"
        );
    }
}

/// The cache files in `dir`, and whether any temporary file was left.
fn cache_files(dir: &Path) -> (Vec<PathBuf>, bool) {
    let mut files = Vec::new();
    let mut temps = false;
    for entry in std::fs::read_dir(dir)
        .expect("list the cache dir")
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "dpexbin") {
            files.push(path);
        } else if path.to_string_lossy().ends_with(".tmp") {
            temps = true;
        }
    }
    files.sort();
    (files, temps)
}

/// The one cache file in `dir`.
fn only_file(dir: &Path) -> PathBuf {
    let (files, temps) = cache_files(dir);
    assert!(!temps, "temporary files left in {}", dir.display());
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

#[test]
fn sixteen_threads_launching_a_new_kernel_build_it_once() {
    let dir = temp_dir("single-flight");
    let got = run("single_flight", &dir, &[]);
    expect(
        &got,
        &[
            ("builds", 1),
            ("misses", 1),
            ("hits", 15),
            ("disk_hits", 0),
            ("disk_writes", 1),
            ("program_builds", 1),
        ],
    );
    // Again in a new process: one load from the disk cache, still single-flight.
    let got = run("single_flight", &dir, &[]);
    expect(
        &got,
        &[
            ("builds", 0),
            ("misses", 1),
            ("hits", 15),
            ("disk_hits", 1),
            ("disk_writes", 0),
            ("program_builds", 1),
        ],
    );
}

#[test]
fn in_process_single_flight_counts_one_build_per_kernel() {
    let spec = common::vadd_spec("single_flight_in_process");
    let queue = common::cpu_queue();
    on_16_threads_at_once(move || ok(launch_vadd(spec, &queue)));
    assert_eq!(program_builds(spec), 1);
}

#[test]
fn a_failed_build_reaches_every_waiter_with_the_log_and_is_retried() {
    let spec = common::calls_missing_spec("fails_for_all", true);
    let queue = common::cpu_queue();
    let errors = {
        let queue = queue.clone();
        on_16_threads_at_once(move || {
            let mut out = ok(Tensor::<i64>::zeros(&queue, 4));
            launch(spec, &[4], None, None, &[(&mut out).into()]).expect_err("cannot link")
        })
    };
    for error in errors {
        match error {
            Error::BuildFailed { kernel, log, .. } => {
                assert_eq!(kernel, "fails_for_all");
                assert!(log.contains("dpex_missing_fn"), "{log}");
            }
            other => panic!("expected BuildFailed, got {other:?}"),
        }
    }
    // Not cached as a success: the next launch builds again and fails again.
    let before = cache_stats().build_time;
    let mut out = ok(Tensor::<i64>::zeros(&queue, 4));
    let err = launch(spec, &[4], None, None, &[(&mut out).into()]).expect_err("cannot link");
    assert!(matches!(err, Error::BuildFailed { .. }), "{err:?}");
    assert!(
        cache_stats().build_time > before,
        "the failed build was not retried"
    );
    assert_eq!(program_builds(spec), 0);
}

#[test]
fn a_second_process_loads_the_binary_without_a_driver_build() {
    let dir = temp_dir("second-process");
    let first = run("launch", &dir, &[]);
    expect(
        &first,
        &[
            ("builds", 1),
            ("misses", 1),
            ("disk_hits", 0),
            ("disk_writes", 1),
            ("disk_errors", 0),
        ],
    );
    let file = only_file(&dir);
    let second = run("launch", &dir, &[]);
    expect(
        &second,
        &[
            ("builds", 0),
            ("misses", 1),
            ("disk_hits", 1),
            ("disk_writes", 0),
            ("disk_errors", 0),
            ("program_builds", 1),
        ],
    );
    // The build log travels with the binary.
    assert_eq!(first.get("log_len"), second.get("log_len"));
    assert_eq!(only_file(&dir), file);
}

/// Damages the one cache file with `damage`, then checks that the next process detects it,
/// rebuilds (result still correct) and leaves a valid file that the process after loads.
fn recovers_from(test: &str, damage: impl Fn(&Path)) {
    let dir = temp_dir(test);
    expect(
        &run("launch", &dir, &[]),
        &[("builds", 1), ("disk_writes", 1)],
    );
    damage(&only_file(&dir));
    let rebuilt = run("launch", &dir, &[]);
    expect(
        &rebuilt,
        &[
            ("builds", 1),
            ("disk_hits", 0),
            ("disk_errors", 1),
            ("disk_writes", 1),
        ],
    );
    let again = run("launch", &dir, &[]);
    expect(
        &again,
        &[("builds", 0), ("disk_hits", 1), ("disk_errors", 0)],
    );
    only_file(&dir);
}

#[test]
fn a_corrupt_file_is_deleted_and_rebuilt() {
    recovers_from("corrupt", |path| {
        let mut bytes = std::fs::read(path).expect("read");
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x5a;
        std::fs::write(path, bytes).expect("write");
    });
}

#[test]
fn a_truncated_file_is_deleted_and_rebuilt() {
    recovers_from("truncated", |path| {
        let bytes = std::fs::read(path).expect("read");
        std::fs::write(path, &bytes[..bytes.len() / 3]).expect("write");
    });
}

#[test]
fn a_foreign_file_is_deleted_and_rebuilt() {
    recovers_from("foreign", |path| {
        std::fs::write(
            path,
            b"\x7fELF this is not a dpex cache file at all, but long enough",
        )
        .expect("write");
    });
    recovers_from("empty", |path| {
        std::fs::write(path, b"").expect("write");
    });
}

#[test]
fn four_processes_writing_the_same_cache_at_once_all_succeed() {
    let dir = temp_dir("four-writers");
    let children: Vec<Child> = (0..4)
        .map(|_| {
            helper_command("launch", &dir, &[])
                .spawn()
                .expect("spawn a helper")
        })
        .collect();
    let mut loads = 0;
    for child in children {
        let got = parse(&child.wait_with_output().expect("wait for a helper"));
        expect(&got, &[("misses", 1), ("disk_errors", 0)]);
        let builds: u64 = got["builds"].parse().expect("a number");
        let disk_hits: u64 = got["disk_hits"].parse().expect("a number");
        assert_eq!(builds + disk_hits, 1, "{got:?}");
        loads += builds + disk_hits;
    }
    assert_eq!(loads, 4);
    only_file(&dir);
    expect(
        &run("launch", &dir, &[]),
        &[("builds", 0), ("disk_hits", 1), ("disk_errors", 0)],
    );
}

#[test]
fn build_options_are_part_of_both_cache_keys() {
    let dir = temp_dir("options");
    expect(&run("launch", &dir, &[]), &[("builds", 1)]);
    let fast = [("DPEX_BUILD_OPTIONS", "-cl-fast-relaxed-math")];
    expect(
        &run("launch", &dir, &fast),
        &[("builds", 1), ("disk_hits", 0), ("disk_writes", 1)],
    );
    assert_eq!(cache_files(&dir).0.len(), 2);
    // A kernel's own options are in the key too.
    let own = [(HELPER_KERNEL_OPTIONS, "-cl-mad-enable")];
    expect(
        &run("launch", &dir, &own),
        &[("builds", 1), ("disk_hits", 0)],
    );
    assert_eq!(cache_files(&dir).0.len(), 3);
    // Each is found again with its own options.
    expect(
        &run("launch", &dir, &fast),
        &[("builds", 0), ("disk_hits", 1)],
    );
    expect(
        &run("launch", &dir, &own),
        &[("builds", 0), ("disk_hits", 1)],
    );

    // In memory: changing the global options builds again; going back finds the first program.
    let dir = temp_dir("options-switch");
    expect(
        &run("options_switch", &dir, &[("DPEX_CACHE", "off")]),
        &[
            ("builds", 2),
            ("misses", 2),
            ("hits", 1),
            ("program_builds", 2),
        ],
    );
}

#[test]
fn dpex_cache_off_writes_no_files() {
    let dir = temp_dir("off");
    for _ in 0..2 {
        expect(
            &run("launch", &dir, &[("DPEX_CACHE", "off")]),
            &[
                ("builds", 1),
                ("disk_hits", 0),
                ("disk_writes", 0),
                ("disk_errors", 0),
            ],
        );
    }
    assert_eq!(cache_files(&dir), (Vec::new(), false));
}

#[test]
fn the_size_cap_evicts_the_least_recently_used_file() {
    let dir = temp_dir("cap");
    // A cap below one file: each write evicts every older file.
    expect(
        &run("two_kernels", &dir, &[("DPEX_CACHE_MAX_BYTES", "1")]),
        &[("builds", 2), ("disk_writes", 2), ("disk_errors", 0)],
    );
    only_file(&dir);
    // The second kernel's file stayed; the first one's was evicted.
    let second = [(HELPER_KERNEL, "cached_vadd_second")];
    expect(&run("launch", &dir, &second), &[("disk_hits", 1)]);
    let first = [(HELPER_KERNEL, "cached_vadd_first")];
    expect(
        &run("launch", &dir, &first),
        &[("builds", 1), ("disk_hits", 0)],
    );
    assert_eq!(cache_files(&dir).0.len(), 2);
}

#[test]
fn dump_spirv_writes_every_module_built() {
    let dir = temp_dir("dump");
    let dump = dir.join("spv");
    let dump_str = dump.to_string_lossy().into_owned();
    run(
        "launch",
        &dir.join("cache"),
        &[("DPEX_DUMP_SPIRV", dump_str.as_str())],
    );
    let spec = vadd_with_options("cached_vadd", "");
    let path = dump.join(format!("cached_vadd-{:016x}.spv", spec.spirv_hash));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let words: Vec<u32> = bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert_eq!(words, spec.spirv);
}

#[test]
fn validate_spirv_rejects_an_invalid_module_before_the_driver() {
    let dir = temp_dir("validate");
    let spirv_val_installed = Command::new("spirv-val")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if spirv_val_installed {
        let got = run("invalid", &dir, &[("DPEX_VALIDATE_SPIRV", "1")]);
        expect(&got, &[("builds", 0), ("program_builds", 0)]);
        assert_eq!(got["error"], "invalid");
    } else {
        eprintln!("spirv-val is not installed: only the missing-tool error is checked");
    }
    let missing = [("DPEX_VALIDATE_SPIRV", "/nonexistent/spirv-val")];
    let got = run("invalid", &dir, &missing);
    assert_eq!(got["error"], "cannot_run");
}

#[test]
fn build_log_returns_the_driver_log_of_the_cached_program() {
    let spec = common::vadd_spec("build_log_kernel");
    let device = common::cpu();
    let log = ok(build_log(spec, &device));
    assert!(!log.contains('\0'), "{log:?}");
    // It builds the program at most once, like a launch.
    assert_eq!(program_builds(spec), 1);
    ok(launch_vadd(spec, &common::cpu_queue()));
    assert_eq!(program_builds(spec), 1);
    // A kernel whose module the driver rejects: the log is in the error.
    let bad = common::calls_missing_spec("build_log_bad", true);
    match build_log(bad, &device) {
        Err(Error::BuildFailed { log, .. }) => assert!(log.contains("dpex_missing_fn"), "{log}"),
        other => panic!("expected BuildFailed, got {other:?}"),
    }
}
