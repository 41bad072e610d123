#!/usr/bin/env bash
# The one command from a fresh Debian bookworm machine to a running server:
# installs what is missing, builds, and runs sealpost-server. With no database configured
# (no database.url in the config, no SEALPOST_DATABASE_URL), it starts a private Postgres
# cluster under .sealpost/postgres first and stops it again when the server exits.
# Arguments go to sealpost-server, e.g. scripts/run.sh --config config/sealpost.toml
# SEALPOST_SERVER_BINARY=PATH runs that binary instead of building one (packaged builds,
# and the test that runs this script from a private checkout).
# As root with the checkout in a 0700 folder (/root), the embedded cluster lives where the
# `postgres` user can reach it; scripts/local-postgres.sh prints where.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SEALPOST_BUILD_DIR:-$root/build}

"$root/scripts/install-deps.sh"
server=${SEALPOST_SERVER_BINARY:-}
if [[ -z $server ]]; then
  echo "run: building (first time takes a few minutes)..." >&2
  "$root/scripts/build.sh" | grep -E 'error:|warning:' >&2 || true
  server=$build/server/sealpost-server
fi
[[ -x $server ]] || { echo "run: build failed; see: scripts/build.sh" >&2; exit 1; }

if ! "$server" --database-configured "$@"; then
  pgdir=$root/.sealpost/postgres
  echo "run: no database configured; starting the embedded Postgres in $pgdir" >&2
  SEALPOST_DATABASE_URL=$("$root/scripts/local-postgres.sh" start "$pgdir")
  export SEALPOST_DATABASE_URL
  trap '"$root/scripts/local-postgres.sh" stop "$pgdir"' EXIT
fi

# Not exec: the trap above stops the embedded Postgres once the server has exited.
"$server" "$@" &
server_pid=$!
trap 'kill -TERM $server_pid 2>/dev/null || true' INT TERM
status=0
wait $server_pid || status=$?
# A signal interrupts the first wait (status 128+signal); wait again for the server's own
# exit status, which bash keeps even when the server has already exited.
if ((status > 128)); then
  status=0
  wait $server_pid || status=$?
fi
exit $status
