#!/usr/bin/env bash
# Builds the server and its tests with AddressSanitizer + UndefinedBehaviorSanitizer into
# build-asan/ and runs every server test there (labels matching "server": the unit tests and
# the integration tests against a real Postgres and a real, sanitized server process, which
# aborts on memory errors, undefined behaviour or leaks, failing the test).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SEALPOST_ASAN_BUILD_DIR:-$root/build-asan}

"$root/scripts/install-deps.sh"
# -g1 is enough for the sanitizers' stack traces (file and line), and compiles faster.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g1" \
  -DSEALPOST_SANITIZE=ON -DSEALPOST_WERROR=ON >/dev/null
cmake --build "$build" -j "${SEALPOST_BUILD_JOBS:-$(nproc)}" --target \
  sealpost-server server_unit_tests server_crypto_tests common_encoding_tests keytrans_tests \
  server_integration_tests \
  identity_api_tests key_transparency_tests messaging_tests metrics_tests dashboard_queries_tests tls_tests security_tests authorization_tests \
  crash_safety_tests deployment_tests
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" -L server -j "${SEALPOST_TEST_JOBS:-2}" --output-on-failure "$@"
