//! Compile-fail tests: every construct the kernel language rejects, with its exact diagnostic.
//!
//! Refresh the snapshots after an intended change with `TRYBUILD=overwrite cargo test --test ui`.

#[test]
fn rejected_constructs() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
