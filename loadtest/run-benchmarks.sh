#!/usr/bin/env bash
# Runs the load scenarios against a throwaway server and database, then pgbench with the
# same row operations (loadtest/pgbench/*.sql) and the same client count against the same
# database, and prints our figure as a ratio of pgbench's. See docs/benchmarks.md.
#   loadtest/run-benchmarks.sh [BUILD_DIR]            (default: build-load)
# Settings (environment): DURATION=15 RECEIVERS=50 SENDERS=8 CLAIMERS=8 ACCOUNTS=100 KEYS=100
#   BACKLOG=2000 (sends queued for the backlog drain) IDLE=600 (idle WebSockets; 10000 for the
#   target, which needs ~1700 registrations and a raised open-file limit)
#   RESULTS=<file for the JSON lines> KEEP=1 (keep the temporary folder)
#   ONLY=relay|backlog|idle runs just that scenario (relay: max and half rate), without pgbench
# The database is durable (scripts/local-postgres.sh without --fast), as in production.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-load}
DURATION=${DURATION:-15}
RECEIVERS=${RECEIVERS:-50}
SENDERS=${SENDERS:-8}
CLAIMERS=${CLAIMERS:-8}
ACCOUNTS=${ACCOUNTS:-100}
KEYS=${KEYS:-100}
BACKLOG=${BACKLOG:-2000}
IDLE=${IDLE:-600}
work=$(mktemp -d /tmp/sealpost-bench.XXXXXX)
chmod 0755 "$work"
RESULTS=${RESULTS:-$work/results.jsonl}
loadtest=$build/loadtest/sealpost-loadtest
server=$build/server/sealpost-server
pgbench=$(ls -d /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1)
[[ -x $loadtest && -x $server ]] || { echo "build sealpost-loadtest and sealpost-server in $build first" >&2; exit 1; }
[[ -x $pgbench ]] || { echo "pgbench not found (Debian: postgresql-contrib)" >&2; exit 1; }

server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  "$root/scripts/local-postgres.sh" stop "$work/pg" || true
  if [[ ${KEEP:-} == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true  # the idle scenario holds many sockets
url=$("$root/scripts/local-postgres.sh" start "$work/pg")
psql() { command psql "$url" -X -q -v ON_ERROR_STOP=1 "$@"; }
port=$(free_port)
admin=$(free_port)
unlimited=1000000000
env SEALPOST_DATABASE_URL="$url" SEALPOST_LISTEN="127.0.0.1:$port" SEALPOST_ADMIN_LISTEN="127.0.0.1:$admin" \
  SEALPOST_LOG_LEVEL=warn \
  SEALPOST_HTTP_MAX_CONNECTIONS=$((IDLE + 1000)) SEALPOST_HTTP_MAX_CONNECTIONS_PER_IP=0 \
  SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST=$unlimited SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_PER_MINUTE=$unlimited \
  SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_BURST=$unlimited SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_PER_MINUTE=$unlimited \
  SEALPOST_RATE_LIMITS_BUNDLE_PER_REQUESTER_BURST=$unlimited SEALPOST_RATE_LIMITS_BUNDLE_PER_REQUESTER_PER_MINUTE=$unlimited \
  SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_BURST=$unlimited SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_PER_MINUTE=$unlimited \
  SEALPOST_RATE_LIMITS_LINK_TOKEN_PER_ACCOUNT_BURST=$unlimited SEALPOST_RATE_LIMITS_LINK_TOKEN_PER_ACCOUNT_PER_MINUTE=$unlimited \
  "$server" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$admin/readyz" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
echo "server on 127.0.0.1:$port, database $url, results in $RESULTS"

lt() { "$loadtest" "$@" --port "$port" --results "$RESULTS"; }
last() { tail -n 1 "$RESULTS" | jq -r "$1"; }
# pgbench SCRIPT CLIENTS VARS...: prints transactions/s (without connection time).
run_pgbench() {
  local script=$1 clients=$2; shift 2
  "$pgbench" -n -M extended -c "$clients" -j 1 -T "$DURATION" -f "$root/loadtest/pgbench/$script" "$@" "$url" \
    | tee "$work/pgbench-$script.log" >&2
  sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pgbench-$script.log" | tail -n 1
}
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

if [[ ${ONLY:-} == backlog ]]; then
  lt backlog --receivers "$RECEIVERS" --senders "$SENDERS" --messages "$BACKLOG" --duration 120
  printf 'backlog drain: %.1f envelopes/s delivered and acked\n' "$(last .drained_per_s)"
  exit 0
fi
if [[ ${ONLY:-} == idle ]]; then
  lt idle --connections "$IDLE" --server-pid "$server_pid" --setup-concurrency 8 --duration 5
  printf 'idle: %s sockets, %.1f KiB of server RSS each\n' "$(last .connected)" "$(last .kib_per_socket)"
  exit 0
fi

echo "== relay, as fast as possible =="
lt relay --receivers "$RECEIVERS" --senders "$SENDERS" --duration "$DURATION" --label max
relay_max=$(last .sends_per_s)
echo "== relay at half of that =="
half=$(python3 -c "print(round($relay_max / 2, 1))")
lt relay --receivers "$RECEIVERS" --senders "$SENDERS" --rate "$half" --duration "$DURATION" --label half
relay_half_p99=$(last .e2e_latency_ms.p99)
if [[ ${ONLY:-} == relay ]]; then
  printf 'relay: %s sends/s at most; at half of that, e2e p99 %.1f ms\n' "$relay_max" "$relay_half_p99"
  exit 0
fi

echo "== claim storm =="
lt claim --clients "$CLAIMERS" --accounts "$ACCOUNTS" --keys "$KEYS" --duration "$DURATION"
claim_rate=$(last .claims_per_s)
claim_dups=$(last .duplicate_keys)

echo "== backlog drain =="
lt backlog --receivers "$RECEIVERS" --senders "$SENDERS" --messages "$BACKLOG" --duration 120
backlog_rate=$(last .drained_per_s)

echo "== idle connections =="
lt idle --connections "$IDLE" --server-pid "$server_pid" --setup-concurrency 8 --duration 5
idle_kib=$(last .kib_per_socket)
idle_connected=$(last .connected)

echo "== pgbench: relay row operations, $SENDERS clients =="
psql -c "DROP TABLE IF EXISTS bench_relay" \
  -c "CREATE TABLE bench_relay AS SELECT row_number() OVER (ORDER BY account_id)::int AS i, account_id
      FROM devices WHERE device_id = 2" -c "CREATE UNIQUE INDEX ON bench_relay (i)" -c "ANALYZE bench_relay"
receivers=$(psql -Atc "SELECT count(*) FROM bench_relay")
pg_relay=$(run_pgbench relay.sql "$SENDERS" -D receivers="$receivers")
echo "== pgbench: relay row operations at our half rate ($half/s): latency tail of the database alone =="
pg_half_rate=$(python3 -c "print(max(1, round($half)))")
(cd "$work" && "$pgbench" -n -M extended -c "$SENDERS" -j 1 -T "$DURATION" -R "$pg_half_rate" --log --log-prefix=relay-half \
  -f "$root/loadtest/pgbench/relay.sql" -D receivers="$receivers" "$url" >"$work/pgbench-relay-half.log" 2>&1)
# Per-transaction log lines: client, txn, latency (us), ...; p99 in ms.
pg_half_p99=$(cat "$work"/relay-half.* | python3 -c "
import sys
lat = sorted(int(l.split()[2]) for l in sys.stdin if l.strip())
print(f'{lat[min(len(lat) - 1, int(len(lat) * 0.99))] / 1000:.1f}' if lat else 'nan')")

echo "== pgbench: claim row operations, $CLAIMERS clients =="
# Refill the claim targets' pools with enough keys for the run (fresh key ids: the claimed
# ones are remembered in claimed_prekeys).
per_account=$(python3 -c "import math; print(max(1000, math.ceil(8 * $claim_rate * $DURATION / $ACCOUNTS)))")
psql -c "DROP TABLE IF EXISTS bench_claim" \
  -c "CREATE TABLE bench_claim AS SELECT row_number() OVER (ORDER BY account_id)::int AS i, account_id
      FROM accounts a JOIN (SELECT account_id FROM claimed_prekeys GROUP BY account_id) c ON c.account_id = a.id" \
  -c "CREATE UNIQUE INDEX ON bench_claim (i)" \
  -c "INSERT INTO one_time_prekeys (account_id, device_id, key_id, public_key)
      SELECT account_id, 1, 1000000 + k, decode('05' || md5(random()::text) || md5(random()::text), 'hex') FROM bench_claim, generate_series(1, $per_account) k" \
  -c "INSERT INTO pq_one_time_prekeys (account_id, device_id, key_id, public_key, signature)
      SELECT account_id, 1, 1000000 + k, decode('08' || repeat(md5(random()::text), 98), 'hex'), decode(repeat(md5(random()::text), 4), 'hex')
      FROM bench_claim, generate_series(1, $per_account) k" \
  -c "ANALYZE"
targets=$(psql -Atc "SELECT count(*) FROM bench_claim")
pg_claim=$(run_pgbench claim.sql "$CLAIMERS" -D targets="$targets")
left=$(psql -Atc "SELECT min(n) FROM (SELECT count(*) AS n FROM one_time_prekeys JOIN bench_claim USING (account_id) GROUP BY account_id) q")

echo
echo "== summary (DURATION=${DURATION}s; results: $RESULTS) =="
printf '%-44s %12s %12s %8s\n' scenario ours pgbench ratio
printf '%-44s %12.1f %12.1f %8s\n' "relay sends/s ($SENDERS senders, $RECEIVERS x 2 devices)" "$relay_max" "$pg_relay" "$(ratio "$relay_max" "$pg_relay")"
printf '%-44s %12.1f %12.1f %8s\n' "claims/s ($CLAIMERS clients)" "$claim_rate" "$pg_claim" "$(ratio "$claim_rate" "$pg_claim")"
printf 'relay at half max (%s sends/s): e2e p99 %.1f ms; pgbench alone at that rate: p99 %s ms per send (its 3 commits, fetches included)\n' "$half" "$relay_half_p99" "$pg_half_p99"
printf 'backlog drain: %.1f envelopes/s delivered and acked\n' "$backlog_rate"
printf 'idle: %s sockets, %.1f KiB of server RSS each\n' "$idle_connected" "$idle_kib"
echo "claim: duplicate one-time keys: $claim_dups; pgbench left at least $left EC keys per account (0 would understate pgbench)"
