//! Passes over the IR that run between the front end and the back ends.

mod barrier_fences;

pub use barrier_fences::narrow_barrier_fences;
