#!/usr/bin/env bash
# What a registration's second shard costs on Citus (docs/scaling.md). A registration writes
# its username row (distributed by username) and its account and device rows (by account):
# on Citus those are two workers for about half the accounts, committed with two-phase
# commit. pgbench runs loadtest/pgbench/registration-least.sql (the three rows) and
# registration-one-shard.sql (the same without the username row: always one worker) on
# plain Postgres and on Citus (a coordinator and 2 workers, scripts/local-citus.sh), both
# durable, on this machine, one after the other; the server migrates each database first.
#   loadtest/registration-cost.sh [BUILD_DIR]    (default: build)
# Settings (environment): DURATION=15 CLIENTS=8 KEEP=1 (keep the temporary folder)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
DURATION=${DURATION:-15}
CLIENTS=${CLIENTS:-8}
server=$build/server/sealpost-server
pgbench=$(ls -d /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1)
[[ -x $server ]] || { echo "build sealpost-server in $build first" >&2; exit 1; }
[[ -x $pgbench ]] || { echo "pgbench not found (Debian: postgresql-15)" >&2; exit 1; }
work=$(mktemp -d /tmp/sealpost-registration.XXXXXX)
chmod 0755 "$work"

server_pid=
cleanup() {
  [[ -z $server_pid ]] || kill "$server_pid" 2>/dev/null || true
  "$root/scripts/local-postgres.sh" stop "$work/postgres" >/dev/null 2>&1 || true
  [[ ! -f $work/citus/nodes ]] || "$root/scripts/local-citus.sh" stop "$work/citus" || true
  if [[ ${KEEP:-} == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# migrate URL: the server applies the schema (and on Citus distributes the tables) at start;
# it is stopped once /readyz answers.
migrate() {
  local ports port admin
  ports=$(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
  read -r port admin <<<"$ports"
  SEALPOST_DATABASE_URL=$1 SEALPOST_LISTEN=127.0.0.1:$port SEALPOST_ADMIN_LISTEN=127.0.0.1:$admin \
    SEALPOST_LOG_LEVEL=warn SEALPOST_KT_CONFIRM_WAIT_MS=0 "$server" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 150); do
    curl -fs "http://127.0.0.1:$admin/readyz" >/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.2
  done
  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=
}

# bench ENGINE URL SCRIPT: one pgbench run; prints a table row.
bench() {
  local out
  out=$("$pgbench" -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" \
    -f "$root/loadtest/pgbench/$3.sql" "$2" 2>&1) || { echo "$out" >&2; exit 1; }
  local tps latency failed
  tps=$(awk '/^tps/ && /without initial connection time/ {print $3}' <<<"$out")
  latency=$(awk '/^latency average/ {print $4}' <<<"$out")
  failed=$(awk '/^number of failed transactions/ {print $5}' <<<"$out")
  printf '| %s | %s | %.1f | %.2f | %s |\n' "$1" "$3" "$tps" "$latency" "${failed:-0}"
}

postgres_url=$("$root/scripts/local-postgres.sh" start "$work/postgres")
citus_url=$("$root/scripts/local-citus.sh" start "$work/citus" | tail -n 1)
migrate "$postgres_url"
migrate "$citus_url"

echo "registration rows, $CLIENTS clients, $DURATION s per run, $(date -u +%F), loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| engine | script | transactions/s | mean latency (ms) | failed |"
echo "| --- | --- | --- | --- | --- |"
for engine in postgres citus; do
  url=${engine}_url
  for script in registration-least registration-one-shard; do
    bench "$engine" "${!url}" "$script"
  done
done
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)"
