#!/usr/bin/env bash
# Configures and builds everything into build/ (override with SEALPOST_BUILD_DIR).
# Extra arguments go to CMake's configure step, e.g. -DSEALPOST_WERROR=ON.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SEALPOST_BUILD_DIR:-$root/build}
jobs=${SEALPOST_BUILD_JOBS:-$(nproc)}
# -g1: line tables and function names (backtraces, perf, callgrind) without variable info,
# for about a quarter less compile time than -g (docs/benchmarks.md, "Build time").
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" "$@" >/dev/null
cmake --build "$build" -j "$jobs"
