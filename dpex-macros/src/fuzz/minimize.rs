//! Shrinks a failing input: removes runs of tokens (halving the run length down to one token)
//! and gathered functions while the same failure remains.

use super::harness::{check, Failure, Input};
use super::mutate::{flatten, rebuild, Flat};
use std::time::{Duration, Instant};

/// At most this many re-runs (and this long) per failure.
const ATTEMPTS: usize = 4000;
const TIME: Duration = Duration::from_secs(120);

/// The smallest input found that fails like `failure`.
pub(crate) fn minimize(input: &Input, failure: &Failure) -> Input {
    let start = Instant::now();
    let mut attempts = 0;
    let mut still_fails = |candidate: &Input| {
        attempts += 1;
        if attempts > ATTEMPTS || start.elapsed() > TIME {
            return false;
        }
        matches!(check(candidate), Err(f) if f.same_bug(failure))
    };
    match input {
        Input::Pipeline {
            kernel,
            funcs,
            checked,
        } => {
            let mut funcs = funcs.clone();
            let mut i = 0;
            while i < funcs.len() {
                let mut fewer = funcs.clone();
                fewer.remove(i);
                let candidate = Input::Pipeline {
                    kernel: kernel.clone(),
                    funcs: fewer.clone(),
                    checked: *checked,
                };
                if still_fails(&candidate) {
                    funcs = fewer;
                } else {
                    i += 1;
                }
            }
            let flat = shrink(flatten(kernel.clone()), |flat| {
                still_fails(&Input::Pipeline {
                    kernel: rebuild(flat),
                    funcs: funcs.clone(),
                    checked: *checked,
                })
            });
            Input::Pipeline {
                kernel: rebuild(&flat),
                funcs,
                checked: *checked,
            }
        }
        Input::Entry { which, attr, item } => {
            let flat = shrink(flatten(item.clone()), |flat| {
                still_fails(&Input::Entry {
                    which: *which,
                    attr: attr.clone(),
                    item: rebuild(flat),
                })
            });
            Input::Entry {
                which: *which,
                attr: attr.clone(),
                item: rebuild(&flat),
            }
        }
    }
}

/// Removes runs of tokens while `fails` holds.
fn shrink(mut tokens: Vec<Flat>, mut fails: impl FnMut(&[Flat]) -> bool) -> Vec<Flat> {
    let mut run = (tokens.len() / 2).max(1);
    loop {
        let mut at = 0;
        let mut removed_any = false;
        while at < tokens.len() {
            let end = (at + run).min(tokens.len());
            let mut candidate = tokens.clone();
            candidate.drain(at..end);
            if fails(&candidate) {
                tokens = candidate;
                removed_any = true;
            } else {
                at += run;
            }
        }
        if run == 1 && !removed_any {
            return tokens;
        }
        if run > 1 {
            run /= 2;
        }
    }
}
