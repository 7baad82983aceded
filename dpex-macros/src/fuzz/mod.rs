//! Property tests ("fuzzing") of the macro front end: whatever it is given, `#[kernel]` ends in
//! either a SPIR-V module that `spirv-val` accepts or a compile error, never in a panic, an
//! emitter rejection (`EmitError`: a lowered module the back end refuses is a bug of the
//! lowering) or an invalid module.
//!
//! Inputs come from three sources:
//! - [`grammar`]: random kernel-shaped functions from a small grammar (signatures with
//!   `Item<N>`/`NdItem<N>`, scalars, tensors and local accessors; bodies with lets, arithmetic on
//!   every scalar type, casts, control flow with labels, arrays, tuples, math methods, atomics,
//!   barriers, local arrays and nested device functions), mostly well typed;
//! - [`mutate`]: the kernels of the repository's tests and examples (read from disk at test
//!   time), with tokens deleted, duplicated, swapped or replaced;
//! - both again through the public entry points `generate::kernel`, `generate::func` and
//!   `generate::kernel_step` (tokens in, tokens out: never a panic, and the output parses).
//!
//! `cargo test -p dpex-macros fuzz` runs a few hundred cases of each (seconds). For a long run:
//! `DPEX_FUZZ_SECONDS=1800 cargo test --release -p dpex-macros fuzz -- --nocapture`
//! (each of the three tests runs that long), or `DPEX_FUZZ_CASES=100000`. `DPEX_FUZZ_SEED=n`
//! changes the seed (printed with every failure, so a failure reproduces). Failures are
//! minimized (tokens removed while the same failure remains) and printed all at the end.

mod grammar;
mod harness;
mod minimize;
mod mutate;
mod regressions;

use harness::{Failure, Input};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

/// How many cases a test runs and for how long (see the module documentation).
struct Budget {
    cases: Option<u64>,
    until: Option<Instant>,
    seed: u64,
}

impl Budget {
    fn from_env(default_cases: u64, salt: u64) -> Budget {
        let number = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let seconds = number("DPEX_FUZZ_SECONDS");
        let cases = number("DPEX_FUZZ_CASES").or(match seconds {
            Some(_) => None,
            None => Some(default_cases),
        });
        let until = seconds.map(|s| Instant::now() + Duration::from_secs(s));
        let seed = number("DPEX_FUZZ_SEED").unwrap_or(0x6470_6578) ^ salt;
        Budget { cases, until, seed }
    }

    fn go_on(&self, done: u64) -> bool {
        self.cases.is_none_or(|n| done < n) && self.until.is_none_or(|t| Instant::now() < t)
    }
}

/// Runs `setup()(rng)` cases until the budget is spent, on a thread with the 8 MiB stack that
/// rustc gives proc macros (`setup` runs there: token streams cannot cross threads); fails
/// with every distinct failure, minimized. Returns the counts of outcomes.
fn run_campaign<M: FnMut(&mut StdRng) -> Input>(
    name: &'static str,
    default_cases: u64,
    salt: u64,
    setup: impl FnOnce() -> M + Send,
) -> harness::Stats {
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name(format!("fuzz-{name}"))
            .stack_size(8 << 20)
            .spawn_scoped(s, move || campaign(name, default_cases, salt, setup()));
        match worker.map(|w| w.join()) {
            Ok(Ok(stats)) => stats,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(e) => panic!("cannot start the fuzz thread: {e}"),
        }
    })
}

fn campaign(
    name: &str,
    default_cases: u64,
    salt: u64,
    mut make: impl FnMut(&mut StdRng) -> Input,
) -> harness::Stats {
    harness::install_panic_hook();
    // In long runs, the input being run is kept in a file: a crash that takes the process down
    // (a stack overflow aborts) leaves it behind.
    let last_input = std::env::var_os("DPEX_FUZZ_SECONDS")
        .map(|_| std::env::temp_dir().join(format!("dpex-fuzz-last-{name}.txt")));
    let budget = Budget::from_env(default_cases, salt);
    let start = Instant::now();
    let mut done = 0u64;
    let mut stats = harness::Stats::default();
    let mut failures: Vec<(u64, Failure, Input)> = Vec::new();
    while budget.go_on(done) {
        let case_seed = budget
            .seed
            .wrapping_add(done.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let mut rng = StdRng::seed_from_u64(case_seed);
        let input = make(&mut rng);
        if let Some(path) = &last_input {
            let _ = std::fs::write(path, format!("seed {case_seed:#x}\n{}", input.render()));
        }
        let outcome = harness::check(&input);
        stats.count(&outcome);
        if let Err(failure) = outcome {
            let known = failures.iter().any(|(_, f, _)| f.same_bug(&failure));
            if !known {
                eprintln!(
                    "[{name}] case {done} (seed {case_seed:#x}) failed: {}\n{}",
                    failure.summary(),
                    input.render()
                );
                let small = minimize::minimize(&input, &failure);
                failures.push((case_seed, failure, small));
            }
        }
        done += 1;
    }
    eprintln!(
        "[{name}] {done} cases in {:.1?} ({stats}); {} distinct failure(s)",
        start.elapsed(),
        failures.len()
    );
    if !failures.is_empty() {
        let mut report = String::new();
        for (seed, failure, input) in &failures {
            report.push_str(&format!(
                "\n=== {} (case seed {seed:#x}) ===\nminimized input:\n{}\n{}\n",
                failure.summary(),
                input.render(),
                failure.detail
            ));
        }
        panic!("[{name}] {} distinct failure(s):{report}", failures.len());
    }
    stats
}

#[test]
fn fuzz_generated_kernels() {
    let stats = run_campaign("generated", 300, 1, || {
        |rng: &mut StdRng| {
            let source = grammar::kernel(rng);
            Input::pipeline_source(&source, rng.random_bool(0.8))
        }
    });
    // The grammar writes mostly well-typed kernels: most must reach spirv-val, or the test
    // would only exercise error paths.
    assert!(
        stats.valid * 2 > stats.cases(),
        "too few generated kernels lowered: {stats}"
    );
}

#[test]
fn fuzz_mutated_kernels() {
    let stats = run_campaign("mutated", 400, 2, || {
        let seeds = mutate::Seeds::load();
        assert!(
            seeds.kernels.len() >= 20,
            "expected the kernels of tests/ and examples/ as seeds, found {}",
            seeds.kernels.len()
        );
        move |rng: &mut StdRng| {
            let (kernel, funcs) = seeds.mutated(rng);
            Input::Pipeline {
                kernel,
                funcs,
                checked: rng.random_bool(0.8),
            }
        }
    });
    assert!(stats.valid > 0, "no mutant lowered: {stats}");
}

#[test]
fn fuzz_macro_entry_points() {
    run_campaign("entry", 200, 3, || {
        let seeds = mutate::Seeds::load();
        move |rng: &mut StdRng| mutate::entry_input(&seeds, rng)
    });
}
