#!/usr/bin/env bash
# The CTest fixture's throwaway database cluster, on the engine SEALPOST_TEST_ENGINE names:
#   postgres (default)  one local cluster (scripts/local-postgres.sh) in BUILD/test-postgres
#   citus               a coordinator and two workers (scripts/local-citus.sh) in
#                       BUILD/test-citus; every test database is made on all three
# Either way BUILD/test-database.env holds its URL (and the workers'), which the tests read
# through SEALPOST_TEST_PG_ENV. Nothing happens when SEALPOST_TEST_DATABASE_URL names a
# server of the caller's.
#   test-cluster.sh start|stop BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cmd=${1:?start|stop}; build=${2:?BUILD_DIR}
[[ -z ${SEALPOST_TEST_DATABASE_URL:-} ]] || exit 0

case ${SEALPOST_TEST_ENGINE:-postgres} in
  postgres) script=$root/scripts/local-postgres.sh dir=$build/test-postgres ;;
  citus) script=$root/scripts/local-citus.sh dir=$build/test-citus ;;
  *) echo "test-cluster: SEALPOST_TEST_ENGINE is postgres or citus" >&2; exit 1 ;;
esac

case $cmd in
  start)
    "$script" start "$dir" --fast >/dev/null
    cp "$dir/env" "$build/test-database.env"
    ;;
  stop) "$script" stop "$dir" ;;
  *) echo "test-cluster: start or stop" >&2; exit 1 ;;
esac
