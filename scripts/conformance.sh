# The end-to-end test binaries that make up the conformance suite: each gets its device from
# `DPEX_DEVICE` (tests/common/mod.rs), so `scripts/test.sh` runs them once per backend.
# Sourced by scripts/test.sh, scripts/gpu-bundle.sh and scripts/gpu-run.sh.
CONFORMANCE_TESTS=(
    atomics constants kernel_options kernels language_aggregates language_control
    language_expressions language_functions language_generics language_math language_scalars
    launch nd_range nd_range_kernels proven_checks safety views
)
