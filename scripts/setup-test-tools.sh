#!/usr/bin/env bash
# Installs the system tools the tests use, from Debian's packages, when missing:
# - spirv-tools (spirv-val, spirv-dis): every emitted SPIR-V module is validated with them;
# - pocl-opencl-icd: Debian's PoCL, an OpenCL CPU driver that does NOT take SPIR-V, so that the
#   tests see a device dpex must list as unusable and never select;
# - mesa-vulkan-drivers, libvulkan1: Mesa's lavapipe (a Vulkan CPU driver) and the Vulkan loader,
#   the Vulkan device the tests launch on (`vulkan:cpu:0`).
set -euo pipefail

missing=()
command -v spirv-val >/dev/null 2>&1 && command -v spirv-dis >/dev/null 2>&1 || missing+=(spirv-tools)
[[ -e /etc/OpenCL/vendors/pocl.icd ]] || missing+=(pocl-opencl-icd)
[[ -e /usr/share/vulkan/icd.d/lvp_icd.x86_64.json || -e /usr/share/vulkan/icd.d/lvp_icd.aarch64.json ]] || missing+=(mesa-vulkan-drivers)
ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || missing+=(libvulkan1)
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ "$(id -u)" == 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "dpex: missing ${missing[*]}; install them (Debian/Ubuntu: apt-get install ${missing[*]})" >&2
    exit 1
fi
echo "dpex: installing ${missing[*]} with apt-get ..."
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
command -v spirv-val >/dev/null
