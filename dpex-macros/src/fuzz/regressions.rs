//! Regression tests: the minimized inputs that found bugs.
