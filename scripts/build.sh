#!/usr/bin/env bash
# Configures and builds everything into build/ (override with SEALPOST_BUILD_DIR).
# Extra arguments go to CMake's configure step, e.g. -DSEALPOST_WERROR=ON.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SEALPOST_BUILD_DIR:-$root/build}
jobs=${SEALPOST_BUILD_JOBS:-$(nproc)}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j "$jobs"
