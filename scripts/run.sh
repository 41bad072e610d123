#!/usr/bin/env bash
# The one command from a fresh Debian bookworm machine to a running server:
# installs what is missing, builds, and runs sealpost-server. With no database configured
# (no database.url in the config, no SEALPOST_DATABASE_URL), it starts a private Postgres
# cluster under .sealpost/postgres first and stops it again when the server exits.
# Arguments go to sealpost-server, e.g. scripts/run.sh --config config/sealpost.toml
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SEALPOST_BUILD_DIR:-$root/build}

"$root/scripts/install-deps.sh"
echo "run: building (first time takes a few minutes)..." >&2
"$root/scripts/build.sh" | grep -E 'error|warning' >&2 || true
server=$build/server/sealpost-server
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
# A signal interrupts the first wait; wait again for the server's own exit status.
if kill -0 $server_pid 2>/dev/null; then wait $server_pid || status=$?; fi
exit $status
