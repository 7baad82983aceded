#!/usr/bin/env bash
# Makes sure `spirv-val` and `spirv-dis` (Khronos SPIRV-Tools) are on PATH: the tests validate
# every emitted SPIR-V module with them. Installs Debian's `spirv-tools` package when missing.
set -euo pipefail

if command -v spirv-val >/dev/null 2>&1 && command -v spirv-dis >/dev/null 2>&1; then
    exit 0
fi
if [[ "$(id -u)" == 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "dpex: spirv-val is missing; install SPIRV-Tools (Debian/Ubuntu: apt-get install spirv-tools)" >&2
    exit 1
fi
echo "dpex: installing spirv-tools (spirv-val, spirv-dis) with apt-get ..."
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq spirv-tools >/dev/null
command -v spirv-val >/dev/null
