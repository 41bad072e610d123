#!/usr/bin/env bash
# Bytes on disk per row of what Sealpost stores per device, per claimed key and per queued
# envelope, heap + TOAST + indexes, for the capacity model of docs/scaling.md. It starts a
# throwaway durable database (ENGINE=postgres|citus, as run-benchmarks.sh), lets the server
# make the schema (and distribute it on Citus), registers a few accounts through the server
# with sealpost-loadtest (to read the sizes the server really stores), then fills the
# tables directly with rows of those sizes and divides each table's total size by its rows.
#   loadtest/measure-storage.sh [BUILD_DIR]         (default: build-load)
# Settings (environment): ENGINE=postgres ACCOUNTS=20000 (2 devices each) KEY_ACCOUNTS=2000
#   (the first that many also get 100 EC and 100 PQ one-time keys per device, a full upload,
#   and 50 claimed keys of each kind) ENVELOPES=100000 (per content size, over all devices)
#   SIZES="17 256 1024 4096" (envelope content bytes; above ~2 KB the content goes to TOAST)
#   RESULTS=<file for the JSON lines> KEEP=1
# Sizes: the main fork of the table, of its TOAST table and of each of its indexes, summed
# over every shard on Citus (run_command_on_shards), less the same when the table was empty
# (on Citus each of the 32 shards has index metapages and a last, part-filled page, a cost
# that is not per row). The free space and visibility maps are left out: they are about a
# thousandth of the heap at the model's scale, but a fixed 32 KiB per shard in a small fill.
# "heap" is the table with its TOAST, "indexes" the rest. A fresh fill has no
# dead rows: a queue under churn (inserts, deletes, autovacuum) takes more; see the doc.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-load}
ENGINE=${ENGINE:-postgres}
ACCOUNTS=${ACCOUNTS:-20000}
KEY_ACCOUNTS=${KEY_ACCOUNTS:-2000}
ENVELOPES=${ENVELOPES:-100000}
SIZES=${SIZES:-17 256 1024 4096}
work=$(mktemp -d /tmp/sealpost-storage.XXXXXX)
chmod 0755 "$work"
RESULTS=${RESULTS:-$work/results.jsonl}
server=$build/server/sealpost-server
loadtest=$build/loadtest/sealpost-loadtest
[[ -x $server && -x $loadtest ]] || { echo "build sealpost-server and sealpost-loadtest in $build first" >&2; exit 1; }
[[ $ENGINE == postgres || $ENGINE == citus ]] || { echo "ENGINE is postgres or citus" >&2; exit 1; }

server_pid=
cleanup() {
  [[ -z $server_pid ]] || { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; }
  if [[ $ENGINE == citus ]]; then
    [[ ! -f $work/citus/nodes ]] || "$root/scripts/local-citus.sh" stop "$work/citus" || true
  else
    "$root/scripts/local-postgres.sh" stop "$work/pg" || true
  fi
  if [[ ${KEEP:-} == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

if [[ $ENGINE == citus ]]; then
  url=$("$root/scripts/local-citus.sh" start "$work/citus")
else
  url=$("$root/scripts/local-postgres.sh" start "$work/pg")
fi
psql() { command psql "$url" -X -q -v ON_ERROR_STOP=1 "$@"; }

read -r port admin < <(python3 -c 'import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
unlimited=1000000000
env SEALPOST_DATABASE_URL="$url" SEALPOST_LISTEN="127.0.0.1:$port" SEALPOST_ADMIN_LISTEN="127.0.0.1:$admin" \
  SEALPOST_LOG_LEVEL=warn \
  SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST=$unlimited SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_PER_MINUTE=$unlimited \
  SEALPOST_RATE_LIMITS_BUNDLE_PER_REQUESTER_BURST=$unlimited SEALPOST_RATE_LIMITS_BUNDLE_PER_REQUESTER_PER_MINUTE=$unlimited \
  SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_BURST=$unlimited SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_PER_MINUTE=$unlimited \
  "$server" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$admin/readyz" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done

# A few accounts registered through the server, each with a full upload of one-time keys:
# the column sizes the fill copies (a one-second claim storm runs too; it is not measured).
"$loadtest" claim --port "$port" --clients 1 --accounts 30 --keys 100 --duration 1 --results "$work/register.jsonl" >/dev/null
echo "sizes the server stored (bytes, average per row):"
psql -P footer=off -c "
  SELECT 'devices' AS t, avg(length(identity_key)) AS identity_key, avg(length(password_salt)) AS salt, avg(length(password_hash)) AS hash, NULL::numeric AS public_key, NULL::numeric AS signature FROM devices
  UNION ALL SELECT 'signed_prekeys', NULL, NULL, NULL, avg(length(public_key)), avg(length(signature)) FROM signed_prekeys
  UNION ALL SELECT 'pq_last_resort_prekeys', NULL, NULL, NULL, avg(length(public_key)), avg(length(signature)) FROM pq_last_resort_prekeys
  UNION ALL SELECT 'one_time_prekeys', NULL, NULL, NULL, avg(length(public_key)), NULL FROM one_time_prekeys
  UNION ALL SELECT 'pq_one_time_prekeys', NULL, NULL, NULL, avg(length(public_key)), avg(length(signature)) FROM pq_one_time_prekeys"
# The fill below takes its sizes from those rows; it stops if any differs from what it assumes.
psql -Atc "SELECT (SELECT min(length(identity_key)) = 33 AND max(length(identity_key)) = 33 AND min(length(password_salt)) = 16
                   AND min(length(password_hash)) = 32 FROM devices)
             AND (SELECT min(length(public_key)) = 33 AND min(length(signature)) = 64 FROM signed_prekeys)
             AND (SELECT min(length(public_key)) = 1569 AND min(length(signature)) = 64 FROM pq_last_resort_prekeys)
             AND (SELECT min(length(public_key)) = 33 AND max(length(public_key)) = 33 FROM one_time_prekeys)
             AND (SELECT min(length(public_key)) = 1569 AND max(length(public_key)) = 1569 AND min(length(signature)) = 64 FROM pq_one_time_prekeys)" |
  grep -qx t || { echo "the server stored other key sizes than the fill assumes; update measure-storage.sh" >&2; exit 1; }
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=

# Every table starts empty (the registrations above are gone), so a table's size is that of
# the fill alone.
psql -c "TRUNCATE accounts, usernames, devices, signed_prekeys, pq_last_resort_prekeys, one_time_prekeys,
           pq_one_time_prekeys, claimed_prekeys, messages, device_presence CASCADE"
psql -c "CREATE EXTENSION IF NOT EXISTS pgcrypto"
# fill_main_bytes(table): the main forks of a table (or shard), its TOAST table and indexes.
# Created on the coordinator, Citus creates it on the workers too.
psql -c "CREATE FUNCTION fill_main_bytes(rel regclass, OUT heap bigint, OUT total bigint) LANGUAGE sql AS \$\$
  SELECT h, h + i FROM (SELECT pg_relation_size(rel) + coalesce((SELECT pg_relation_size(reltoastrelid)
      FROM pg_class WHERE oid = rel AND reltoastrelid <> 0), 0) AS h,
    (SELECT coalesce(sum(pg_relation_size(indexrelid)), 0) FROM pg_index WHERE indrelid = rel)::bigint AS i) q \$\$"
# main_bytes TABLE: "heap total" of a table, over all its shards on Citus.
if [[ $ENGINE == citus ]]; then
  main_bytes_sql() {
    echo "SELECT sum(split_part(result, ' ', 1)::bigint) AS heap, sum(split_part(result, ' ', 2)::bigint) AS total
      FROM run_command_on_shards('$1', \$\$SELECT heap || ' ' || total FROM fill_main_bytes('%s')\$\$)"
  }
else
  main_bytes_sql() { echo "SELECT heap, total FROM fill_main_bytes('$1')"; }
fi
tables="accounts usernames devices signed_prekeys pq_last_resort_prekeys one_time_prekeys pq_one_time_prekeys claimed_prekeys device_presence messages"
# Each table's size when empty, subtracted below.
baseline() {
  local t
  psql -c "DROP TABLE IF EXISTS fill_baseline" -c "CREATE TABLE fill_baseline (t text, heap bigint, total bigint)"
  for t in $tables; do
    psql -c "INSERT INTO fill_baseline SELECT '$t', * FROM ($(main_bytes_sql "$t")) q"
  done
}
baseline

# rnd(n): n random bytes (incompressible, like keys and ciphertext), evaluated per row.
rnd() { echo "(SELECT string_agg(gen_random_bytes(least(1024, $1 - 1024 * (b - 1))), ''::bytea) FROM generate_series(1, ($1 + 1023) / 1024) b WHERE g IS NOT NULL)"; }

((KEY_ACCOUNTS <= ACCOUNTS)) || { echo "KEY_ACCOUNTS is at most ACCOUNTS" >&2; exit 1; }
echo "fill: $ACCOUNTS accounts, 2 devices each; 100 EC + 100 PQ one-time keys per device of $KEY_ACCOUNTS of them ($(date -u +%T))"
psql -c "CREATE TABLE fill_accounts AS SELECT g, gen_random_uuid() AS id FROM generate_series(1, $ACCOUNTS) g"
psql -c "INSERT INTO accounts (id, username) SELECT id, 'fill_' || g FROM fill_accounts"
# On plain Postgres a trigger of schema 5 writes usernames; on Citus the server dropped it.
psql -c "INSERT INTO usernames (username, account_id) SELECT 'fill_' || g, id FROM fill_accounts ON CONFLICT DO NOTHING"
psql -c "INSERT INTO devices (account_id, device_id, registration_id, identity_key, password_salt, password_hash)
           SELECT id, d, 1 + (g * 7 + d) % 16380, $(rnd 33), $(rnd 16), $(rnd 32) FROM fill_accounts, generate_series(1, 2) d"
psql -c "INSERT INTO signed_prekeys (account_id, device_id, key_id, public_key, signature)
           SELECT id, d, 1, $(rnd 33), $(rnd 64) FROM fill_accounts, generate_series(1, 2) d"
psql -c "INSERT INTO pq_last_resort_prekeys (account_id, device_id, key_id, public_key, signature)
           SELECT id, d, 1, $(rnd 1569), $(rnd 64) FROM fill_accounts, generate_series(1, 2) d"
psql -c "INSERT INTO one_time_prekeys (account_id, device_id, key_id, public_key)
           SELECT id, d, k, $(rnd 33) FROM fill_accounts, generate_series(1, 2) d, generate_series(1, 100) k WHERE g <= $KEY_ACCOUNTS ORDER BY g, d, k"
psql -c "INSERT INTO pq_one_time_prekeys (account_id, device_id, key_id, public_key, signature)
           SELECT id, d, k, $(rnd 1569), $(rnd 64) FROM fill_accounts, generate_series(1, 2) d, generate_series(1, 100) k WHERE g <= $KEY_ACCOUNTS ORDER BY g, d, k"
# claimed_prekeys: 2 rows per claim (EC and PQ), 50 claims per device.
psql -c "INSERT INTO claimed_prekeys (account_id, device_id, pq, key_id)
           SELECT id, d, pq, k FROM fill_accounts, generate_series(1, 2) d, (VALUES (false), (true)) p(pq), generate_series(1001, 1050) k
           WHERE g <= $KEY_ACCOUNTS"
psql -c "INSERT INTO device_presence (account_id, device_id, connection_id) SELECT id, d, gen_random_uuid() FROM fill_accounts, generate_series(1, 2) d"
psql -c "ANALYZE"

# size TABLE ROWS LABEL: one JSON line (and a printed line) with the table's bytes per row:
# its size less its size when empty, over ROWS.
size() {
  local line
  line=$(psql -Atc "SELECT json_build_object('scenario', 'storage', 'engine', '$ENGINE', 'table', '$1', 'label', '$3',
      'rows', $2::bigint, 'total_bytes', m.total, 'heap_bytes', m.heap,
      'empty_total_bytes', b.total, 'empty_heap_bytes', b.heap,
      'bytes_per_row', round((m.total - b.total)::numeric / $2, 1),
      'heap_bytes_per_row', round((m.heap - b.heap)::numeric / $2, 1),
      'index_bytes_per_row', round((m.total - b.total - m.heap + b.heap)::numeric / $2, 1))
      FROM fill_baseline b, ($(main_bytes_sql "$1")) m WHERE b.t = '$1'")
  echo "$line" >>"$RESULTS"
  jq -r '"  \(.table) \(.label): \(.rows) rows, \(.bytes_per_row) bytes per row (heap+TOAST \(.heap_bytes_per_row), indexes \(.index_bytes_per_row))"' <<<"$line"
}
devices=$((2 * ACCOUNTS)) key_devices=$((2 * KEY_ACCOUNTS))
echo "bytes per row ($ENGINE):"
size accounts "$ACCOUNTS" "per account"
size usernames "$ACCOUNTS" "per account"
size devices "$devices" "per device"
size signed_prekeys "$devices" "per device"
size pq_last_resort_prekeys "$devices" "per device"
size one_time_prekeys "$((100 * key_devices))" "per key"
size pq_one_time_prekeys "$((100 * key_devices))" "per key"
size claimed_prekeys "$((100 * key_devices))" "per claimed key (EC or PQ)"
size device_presence "$devices" "per connected device"

# Envelopes: ENVELOPES per content size, spread over the devices in arrival order (every
# device's next envelope, then the next round), as a live queue fills; the queue is emptied
# between sizes.
for bytes in $SIZES; do
  psql -c "TRUNCATE messages"
  baseline
  psql -c "INSERT INTO messages (account_id, device_id, seq, guid, source_account, source_device, type, content,
             client_timestamp, server_timestamp, expires_at)
           SELECT a.id, d, s, gen_random_uuid(), a.id, 1, 1, $(rnd "$bytes"), 1700000000000, 1700000000000,
             now() + interval '30 days'
           FROM generate_series(1, ($ENVELOPES + $devices - 1) / $devices) s, fill_accounts a, generate_series(1, 2) d
           WHERE (s - 1) * $devices + (a.g - 1) * 2 + d <= $ENVELOPES
           ORDER BY s, a.g, d"
  psql -c "ANALYZE messages"
  size messages "$ENVELOPES" "per envelope, content $bytes bytes"
done
echo "results: $RESULTS"
