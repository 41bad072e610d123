#!/usr/bin/env bash
# The one command that runs every test: installs what is missing, builds with warnings as
# errors, and runs the whole CTest suite (unit, integration, end-to-end). The integration
# tests start their own throwaway Postgres cluster under build/test-postgres unless
# SEALPOST_TEST_DATABASE_URL names a server to use instead.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SEALPOST_BUILD_DIR:-$root/build}

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" -DSEALPOST_WERROR=ON
ctest --test-dir "$build" -j "${SEALPOST_TEST_JOBS:-2}" --output-on-failure "$@"
