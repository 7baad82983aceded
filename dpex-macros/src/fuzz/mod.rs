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

/// Runs `make_input(rng)` cases until the budget is spent; fails with every distinct failure,
/// minimized.
fn run_campaign(
    name: &str,
    default_cases: u64,
    salt: u64,
    mut make: impl FnMut(&mut StdRng) -> Input,
) {
    harness::install_panic_hook();
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
}

#[test]
fn fuzz_generated_kernels() {
    run_campaign("generated", 300, 1, |rng| {
        let source = grammar::kernel(rng);
        Input::pipeline_source(&source, rng.random_bool(0.8))
    });
}

#[test]
fn fuzz_mutated_kernels() {
    let seeds = mutate::Seeds::load();
    assert!(
        seeds.kernels.len() >= 20,
        "expected the kernels of tests/ and examples/ as seeds, found {}",
        seeds.kernels.len()
    );
    run_campaign("mutated", 400, 2, |rng| {
        let (kernel, funcs) = seeds.mutated(rng);
        Input::Pipeline {
            kernel,
            funcs,
            checked: rng.random_bool(0.8),
        }
    });
}

#[test]
fn fuzz_macro_entry_points() {
    let seeds = mutate::Seeds::load();
    run_campaign("entry", 200, 3, |rng| mutate::entry_input(&seeds, rng));
}
