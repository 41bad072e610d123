#!/usr/bin/env bash
# The server's tests on Citus (docs/scaling.md): installs Citus once from ../shared/vendor,
# builds as scripts/test.sh does, and runs CTest with its throwaway cluster on Citus (a
# coordinator and two workers, tests/support/test-cluster.sh) instead of plain Postgres.
#   scripts/test-citus.sh             the tests labelled "citus", which CI runs on Citus:
#                                     relay, keys and accounts, crash safety (with a worker
#                                     killed under load), placement, migrations
#   scripts/test-citus.sh -L server   every server test on Citus
# Arguments go to ctest in place of "-L citus".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SEALPOST_BUILD_DIR:-$root/build}

"$root/scripts/local-citus.sh" install
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" -DSEALPOST_WERROR=ON
(($#)) || set -- -L citus
SEALPOST_TEST_ENGINE=citus ctest --test-dir "$build" -j "${SEALPOST_TEST_JOBS:-2}" \
  --output-on-failure "$@"
