//! The single-flight map every built program and pipeline is cached in, counted in the cache's
//! hits and misses.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Condvar, Mutex};

use super::{lock, stats};
use crate::error::{Error, Result};

/// Built values by key, loaded at most once at a time per key: when several callers miss the
/// same key at once, one loads the value and the others wait for its outcome. A failure is
/// reported to every waiter and not cached, so a later call tries again.
pub(crate) struct SingleFlight<K, V> {
    slots: Mutex<HashMap<K, Slot<V>>>,
}

enum Slot<V> {
    Ready(V),
    Loading(Arc<Flight<V>>),
}

/// One load in progress; the callers that miss the same key meanwhile wait for its outcome.
struct Flight<V> {
    outcome: Mutex<Option<Result<V>>>,
    done: Condvar,
}

impl<V: Clone> Flight<V> {
    fn wait(&self) -> Result<V> {
        let mut outcome = lock(&self.outcome);
        loop {
            if let Some(outcome) = &*outcome {
                return outcome.clone();
            }
            outcome = self
                .done
                .wait(outcome)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }
}

/// What a load is of, for the error its waiters get if the loading thread panics.
pub(crate) struct Loading<'a> {
    /// The kernel's name.
    pub(crate) kernel: &'a str,
    /// The device, as messages show it.
    pub(crate) device: String,
}

impl<K: Clone + Eq + Hash, V: Clone> SingleFlight<K, V> {
    /// An empty map.
    pub(crate) fn new() -> SingleFlight<K, V> {
        SingleFlight {
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The value for `key`: cached (a hit), being loaded by another caller (a hit, after waiting
    /// for it), else loaded here by `load` (a miss).
    pub(crate) fn get_or_load(
        &self,
        key: K,
        what: impl FnOnce() -> Loading<'static>,
        load: impl FnOnce() -> Result<V>,
    ) -> Result<V> {
        let flight = {
            let mut slots = lock(&self.slots);
            match slots.get(&key) {
                Some(Slot::Ready(value)) => {
                    stats::hit();
                    return Ok(value.clone());
                }
                Some(Slot::Loading(flight)) => {
                    let flight = flight.clone();
                    drop(slots);
                    stats::hit();
                    return flight.wait();
                }
                None => {
                    let flight = Arc::new(Flight {
                        outcome: Mutex::new(None),
                        done: Condvar::new(),
                    });
                    slots.insert(key.clone(), Slot::Loading(flight.clone()));
                    flight
                }
            }
        };
        stats::miss();
        let guard = FlightGuard {
            map: self,
            key,
            flight,
            what: Some(what()),
        };
        guard.finish(load())
    }

    /// Every value loaded so far.
    pub(crate) fn ready(&self) -> Vec<V> {
        lock(&self.slots)
            .values()
            .filter_map(|slot| match slot {
                Slot::Ready(value) => Some(value.clone()),
                Slot::Loading(_) => None,
            })
            .collect()
    }
}

/// Ends a flight: publishes its outcome to the map and to the waiting callers. If the loading
/// thread panics, dropping the guard reports that to the waiters instead.
struct FlightGuard<'m, K: Clone + Eq + Hash, V: Clone> {
    map: &'m SingleFlight<K, V>,
    key: K,
    flight: Arc<Flight<V>>,
    /// `None` once the outcome is published.
    what: Option<Loading<'static>>,
}

impl<K: Clone + Eq + Hash, V: Clone> FlightGuard<'_, K, V> {
    fn finish(mut self, outcome: Result<V>) -> Result<V> {
        self.what = None;
        self.publish(outcome.clone());
        outcome
    }

    fn publish(&self, outcome: Result<V>) {
        {
            let mut slots = lock(&self.map.slots);
            match &outcome {
                Ok(value) => slots.insert(self.key.clone(), Slot::Ready(value.clone())),
                Err(_) => slots.remove(&self.key),
            };
        }
        *lock(&self.flight.outcome) = Some(outcome);
        self.flight.done.notify_all();
    }
}

impl<K: Clone + Eq + Hash, V: Clone> Drop for FlightGuard<'_, K, V> {
    fn drop(&mut self) {
        if let Some(what) = self.what.take() {
            self.publish(Err(Error::BuildFailed {
                kernel: what.kernel.to_string(),
                device: what.device,
                log: "the thread that was building this program panicked".to_string(),
            }));
        }
    }
}
