#!/usr/bin/env bash
# Builds (here, with Rust) what a GPU machine without Rust runs: the `dpex` CLI, every example
# and the end-to-end test binaries (the conformance suite and the math accuracy table), in
# release mode, stripped, into the git-ignored `.gpu/bin`.
# Then `scripts/gpu-run.sh` runs them there (see GPU.md). Needs `.gpu/` in .git/info/exclude.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
source scripts/conformance.sh
out=.gpu/bin
rm -rf "$out"
mkdir -p "$out"
cargo build --release --bin dpex --examples
cp target/release/dpex "$out/"
for example in examples/*.rs; do
    cp "target/release/examples/$(basename "$example" .rs)" "$out/"
done
args=()
for t in "${CONFORMANCE_TESTS[@]}" math_accuracy; do args+=(--test "$t"); done
cargo test --release --no-run "${args[@]}" --message-format=json 2>/dev/null |
    python3 -c '
import json, sys, shutil
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["kind"] == ["test"]:
        shutil.copy(m["executable"], sys.argv[1] + "/test-" + m["target"]["name"])
' "$out"
# The GPU bench (scripts/gpu-bench.sh runs it there against CUDA C).
cargo bench --no-run --bench gpu_bench --message-format=json 2>/dev/null |
    python3 -c '
import json, sys, shutil
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "gpu_bench":
        shutil.copy(m["executable"], sys.argv[1] + "/gpu_bench")
' "$out"
strip "$out"/*
du -sh "$out"
