#!/usr/bin/env bash
# Key transparency at scale (docs/benchmarks.md, "Key transparency"): how long the sequencer
# takes to publish a backlog of ACCOUNTS accounts and their usernames in batches of BATCH
# labels, and how fast and how big a contact's search of an account is in the log that
# results. A throwaway durable Postgres and one sealpost-server:
#   1. the server starts once on the empty database: it migrates and creates the log (its
#      first entry is a heartbeat), and stops;
#   2. ACCOUNTS accounts (username ktb<n>, one device with a random 33-byte identity key,
#      random password salt and hash of the server's lengths) are written in SQL, and both
#      labels of each queued in kt_pending, account then username, as a registration
#      queues them. SQL, not the API: registering 100,000 accounts through the API would
#      take longer than the measurement;
#   3. the server starts again with kt.max_batch = BATCH and kt.batch_interval_ms = INTERVAL
#      and publishes the backlog; from its log (kt_entry_appended) come the batch times of
#      the entries with BATCH versions, and the backlog's length; pg-usage.py gives the CPU
#      of the server and of Postgres, and the WAL, per published version; with PERF=1 perf
#      samples the server process meanwhile (call graphs), to split its CPU time; Postgres
#      logs the duration of each statement (log_min_duration_statement = 0), for the time
#      a batch spends inside Postgres, by statement;
#   4. the server restarts with the default batch interval (2 s), and sealpost-loadtest
#      kt-search runs with each CLIENTS_LIST entry: its clients (accounts it
#      registers through the API, so their passwords are known) search random seeded
#      accounts (their ids in a file, --targets) for DURATION seconds;
#      Then a short run of 1 client with every statement logged: the statements a search
#      runs and their time inside Postgres (as for the backlog's batches, step 3);
#   5. the size of every kt_ table, and per published version.
#   loadtest/kt-bench.sh [BUILD_DIR]            (default: build-load)
# Settings (environment): ACCOUNTS=100000 BATCH=10000 INTERVAL=100 (ms) DURATION=20
#   CLIENTS_LIST="1 8" RESULTS=<file for the JSON lines> KEEP=1 (keep the temporary folder)
#   PERF=1 (default when perf is installed) PERF_FREQ=99 PERF_CALL_GRAPH=dwarf
#   A quick run: ACCOUNTS=2000 DURATION=5.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-load}
ACCOUNTS=${ACCOUNTS:-100000}
BATCH=${BATCH:-10000}
INTERVAL=${INTERVAL:-100}
DURATION=${DURATION:-20}
CLIENTS_LIST=${CLIENTS_LIST:-1 8}
read -r -a clients_list <<<"$CLIENTS_LIST"
if command -v perf >/dev/null; then PERF=${PERF:-1}; else PERF=${PERF:-0}; fi
PERF_FREQ=${PERF_FREQ:-99}
PERF_CALL_GRAPH=${PERF_CALL_GRAPH:-dwarf}
[[ $ACCOUNTS =~ ^[1-9][0-9]*$ && $BATCH =~ ^[1-9][0-9]*$ ]] || { echo "ACCOUNTS and BATCH are positive integers" >&2; exit 1; }
work=$(mktemp -d /tmp/sealpost-kt-bench.XXXXXX)
chmod 0755 "$work"
RESULTS=${RESULTS:-$work/results.jsonl}
loadtest=$build/loadtest/sealpost-loadtest
server=$build/server/sealpost-server
[[ -x $loadtest && -x $server ]] || { echo "build sealpost-loadtest and sealpost-server in $build first" >&2; exit 1; }

server_pid='' perf_pid=''
cleanup() {
  [[ -z $perf_pid ]] || { kill -INT "$perf_pid" 2>/dev/null && wait "$perf_pid" 2>/dev/null || true; }
  [[ -z $server_pid ]] || { kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true; }
  "$root/scripts/local-postgres.sh" stop "$work/pg" || true
  if [[ ${KEEP:-} == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

read -r port admin <<<"$(python3 -c 'import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')"

echo "machine before: $(uptime)"
url=$("$root/scripts/local-postgres.sh" start "$work/pg")
psql() { command psql "$url" -X -q -v ON_ERROR_STOP=1 "$@"; }
unlimited=1000000000

# start_server INTERVAL_MS MAX_BATCH LOG: the server in the background ($server_pid), ready.
# Info level: the sequencer's kt_entry_appended lines are the batch times. Registrations
# answer at once (confirm_wait_ms = 0); the rate limits of registration and searches are
# lifted for the load generator.
start_server() {
  env SEALPOST_DATABASE_URL="$url" SEALPOST_LISTEN="127.0.0.1:$port" SEALPOST_ADMIN_LISTEN="127.0.0.1:$admin" \
    SEALPOST_LOG_LEVEL=info SEALPOST_KT_CONFIRM_WAIT_MS=0 \
    SEALPOST_KT_BATCH_INTERVAL_MS="$1" SEALPOST_KT_MAX_BATCH="$2" \
    SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST=$unlimited SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_PER_MINUTE=$unlimited \
    SEALPOST_RATE_LIMITS_KT_QUERIES_PER_ACCOUNT_BURST=$unlimited SEALPOST_RATE_LIMITS_KT_QUERIES_PER_ACCOUNT_PER_MINUTE=$unlimited \
    "$server" >"$3" 2>&1 &
  server_pid=$!
}
wait_ready() {
  for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:$admin/readyz" >/dev/null && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$1" >&2; exit 1; }
    sleep 0.2
  done
  echo "the server was not ready in 60 s" >&2
  exit 1
}
stop_server() {
  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=
}

# Statement times inside Postgres (log_min_duration_statement = 0, parameters left out),
# for the sequencer's split of a batch (SQL against the rest) and the statements of a search.
# The log says which session ran each one (%a: application_name).
pg_home=$work/pg
[[ ! -f $work/pg/cluster-location ]] || pg_home=$(cat "$work/pg/cluster-location")
pg_log=$pg_home/postgres.log
statement_log() {
  if [[ $1 == on ]]; then
    psql -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "ALTER SYSTEM SET log_parameter_max_length = 0" \
      -c "ALTER SYSTEM SET log_line_prefix = '%m [%p] %a: '" -c "SELECT pg_reload_conf()" >/dev/null
  else
    psql -c "ALTER SYSTEM RESET log_min_duration_statement" -c "ALTER SYSTEM RESET log_parameter_max_length" \
      -c "ALTER SYSTEM RESET log_line_prefix" -c "SELECT pg_reload_conf()" >/dev/null
  fi
}
# statement_times FIRST_LINE SESSION OPS WHAT: from line FIRST_LINE of the Postgres log on,
# the statements of the sessions whose application_name starts with SESSION (or, with
# "!SESSION", does not, psql's excluded), by kind: how many per OPS and their time (parse +
# bind + execute, in ms) per OPS. One JSON line.
statement_times() {
  tail -n +"$1" "$pg_log" | python3 -c '
import collections, json, re, sys
session, ops, what = sys.argv[1], float(sys.argv[2]), sys.argv[3]
exclude = session.startswith("!")
session = session.lstrip("!")
line_re = re.compile(r"^\S+ \S+ \S+ \[\d+\] (.*?): LOG:  duration: ([0-9.]+) ms  (parse|bind|execute|statement)[^:]*: ?(.*)$")
kinds = [("read prefix level", "SELECT n.depth"), ("insert prefix nodes", "INSERT INTO kt_prefix_nodes"),
         ("insert versions", "INSERT INTO kt_versions"), ("latest versions", "DISTINCT ON (label)"),
         ("versions of label", "FROM kt_versions WHERE label ="), ("device sets", "FROM devices"),
         ("username owners", "FROM usernames"), ("read pending", "FROM kt_pending ORDER BY"),
         ("delete pending", "DELETE FROM kt_pending"), ("count pending", "count(*) FROM kt_pending"),
         ("log nodes", "kt_log_nodes"), ("insert entry", "INSERT INTO kt_entries"),
         ("entries", "FROM kt_entries"), ("COMMIT", "COMMIT"), ("BEGIN", "BEGIN"), ("ROLLBACK", "ROLLBACK")]
count, ms = collections.Counter(), collections.Counter()
for line in sys.stdin:
    m = line_re.match(line)
    if not m:
        continue
    app, dur, step, text = m.groups()
    if exclude == app.startswith(session) or (exclude and app.startswith("psql")):
        continue
    kind = next((k for k, needle in kinds if needle in text), text[:40] or "other")
    ms[kind] += float(dur)
    if step in ("execute", "statement"):
        count[kind] += 1
print(json.dumps({"scenario": "kt_statements", "what": what, "ops": ops,
                  "statements_per_op": round(sum(count.values()) / ops, 2),
                  "ms_per_op": round(sum(ms.values()) / ops, 3),
                  "by_kind": {k: {"per_op": round(count[k] / ops, 2), "ms_per_op": round(ms[k] / ops, 3)}
                              for k in sorted(ms, key=ms.get, reverse=True)}}))
' "$2" "$3" "$4"
}
# print_statement_times JSON: its lines of the summary.
print_statement_times() {
  jq -r '"\(.what): \(.statements_per_op) statements, \(.ms_per_op) ms inside Postgres per \(if .what == "backlog" then "batch" else "search" end):",
    (.by_kind | to_entries[] | "  \(.key): \(.value.per_op) statements, \(.value.ms_per_op) ms")' <<<"$1"
}

echo "== 1. migrate and create the log =="
# An hour between batches: the first one (at start) creates the log, no other runs.
start_server 3600000 "$BATCH" "$work/server-init.log"
wait_ready "$work/server-init.log"
for _ in $(seq 300); do
  [[ $(psql -Atc "SELECT count(*) FROM kt_entries") -ge 1 ]] && break
  sleep 0.2
done
stop_server
echo "log created: $(psql -Atc "SELECT count(*) FROM kt_entries") entry"

echo "== 2. seed $ACCOUNTS accounts in SQL and queue their $((2 * ACCOUNTS)) labels =="
seed_start=$(date +%s.%N)
# The usernames rows come from the accounts trigger (schema 0005). kt_pending ids follow the
# ORDER BY: each account's label, then its username's, as a registration queues them, so a
# batch holds half account labels, half username labels.
psql <<SQL
BEGIN;
INSERT INTO accounts (id, username)
  SELECT gen_random_uuid(), 'ktb' || i FROM generate_series(1, $ACCOUNTS) AS i;
INSERT INTO devices (account_id, device_id, registration_id, identity_key, password_salt, password_hash)
  SELECT id, 1, 1 + floor(random() * 16380)::int,
         '\x05'::bytea || sha256(uuid_send(gen_random_uuid())),
         uuid_send(gen_random_uuid()), sha256(uuid_send(gen_random_uuid()))
  FROM accounts WHERE username LIKE 'ktb%';
INSERT INTO kt_pending (label)
  SELECT l.label FROM accounts a,
    LATERAL (VALUES (1, '\x01'::bytea || uuid_send(a.id)),
                    (2, '\x02'::bytea || convert_to(a.username, 'UTF8'))) AS l(k, label)
  WHERE a.username LIKE 'ktb%'
  ORDER BY a.username, l.k;
COMMIT;
VACUUM ANALYZE accounts, usernames, devices, kt_pending;
SQL
psql -Atc "SELECT id FROM accounts WHERE username LIKE 'ktb%'" >"$work/targets.txt"
pending=$(psql -Atc "SELECT count(*) FROM kt_pending")
printf 'seeded in %.1f s: %s accounts, %s labels pending\n' "$(echo "$(date +%s.%N) - $seed_start" | bc)" \
  "$(wc -l <"$work/targets.txt")" "$pending"

echo "== 3. publish the backlog: batches of $BATCH labels every $INTERVAL ms =="
"$root/loadtest/pg-usage.py" locate "postgres=$url" >"$work/usage-nodes.json"
statement_log on
log_from=$(($(wc -l <"$pg_log") + 1))
usage_snapshot() { "$root/loadtest/pg-usage.py" snapshot "$work/usage-nodes.json" --pid "server=$server_pid" >"$1"; }
start_server "$INTERVAL" "$BATCH" "$work/server.log"
# At once, before the server is ready: the sequencer starts with it.
backlog_start=$(date +%s.%N)
usage_snapshot "$work/usage-backlog-before.json"
if [[ $PERF == 1 ]]; then
  perf record -q -p "$server_pid" --call-graph "$PERF_CALL_GRAPH" -F "$PERF_FREQ" -o "$work/perf-backlog.data" >/dev/null 2>&1 &
  perf_pid=$!
fi
wait_ready "$work/server.log"
# kt_pending is empty once the batch that read its last rows has committed (it deletes them
# in its own transaction).
while [[ $(psql -Atc "SELECT count(*) FROM kt_pending") -gt 0 ]]; do
  kill -0 "$server_pid" 2>/dev/null || { tail -n 20 "$work/server.log" >&2; exit 1; }
  sleep 0.5
done
backlog_wall=$(echo "$(date +%s.%N) - $backlog_start" | bc)
usage_snapshot "$work/usage-backlog-after.json"
statement_log off
if [[ $PERF == 1 ]]; then
  kill -INT "$perf_pid"
  wait "$perf_pid" || true
  perf_pid=
fi
# The sequencer's entries of this start (kt_entry_appended), as JSON lines.
grep '"kt_entry_appended"' "$work/server.log" | jq -c '{position, versions, batch_ms, ts_ms}' >"$work/entries.jsonl"
published=$(jq -s 'map(.versions) | add' "$work/entries.jsonl")
"$root/loadtest/pg-usage.py" per-op "$work/usage-backlog-before.json" "$work/usage-backlog-after.json" "$published" \
  --label kt-backlog --engine postgres | tee "$work/usage.jsonl" >>"$RESULTS"
batch_summary=$(jq -s --argjson b "$BATCH" '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
    else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  [.[] | select(.versions == $b) | .batch_ms] as $full
  | {scenario: "kt_backlog", batch: $b, entries: length, versions: (map(.versions) | add),
     full_batches: ($full | length), batch_ms_min: ($full | min), batch_ms_median: ($full | median),
     batch_ms_max: ($full | max), batch_ms_sum: (map(.batch_ms) | add),
     first_to_last_s: ((last.ts_ms - (first.ts_ms - first.batch_ms)) / 1000)}' "$work/entries.jsonl")
echo "$batch_summary" | jq -c --argjson wall "$backlog_wall" '. + {wall_s: $wall}' | tee -a "$RESULTS"
server_cpu_s=$(jq -r '.processes.server' "$work/usage-backlog-after.json")
backlog_sql=$(statement_times "$log_from" sealpost-kt-sequencer "$(jq -r .entries <<<"$batch_summary")" backlog | tee -a "$RESULTS")

if [[ $PERF == 1 && -s $work/perf-backlog.data ]]; then
  # The server's samples by shared object, its top symbols by their own samples, and the
  # functions that include the most (with the samples of everything they called).
  perf report -i "$work/perf-backlog.data" --no-children --sort dso -g none --stdio 2>/dev/null |
    awk '/%/ && !/^#/ && ++n <= 12' >"$work/perf-backlog-dso.txt"
  perf report -i "$work/perf-backlog.data" --no-children --sort dso,sym -g none --stdio 2>/dev/null |
    awk '/%/ && !/^#/ && ++n <= 25' >"$work/perf-backlog-self.txt"
  perf report -i "$work/perf-backlog.data" --children --sort sym -g none --stdio 2>/dev/null |
    awk '/%/ && !/^#/ && ++n <= 60' >"$work/perf-backlog-inclusive.txt"
fi

echo "== 4. search latency at $ACCOUNTS accounts =="
# Restarted with the default batch interval: ten idle batches a second would load the
# database beside the searches. The clients' own registrations are the only labels queued.
stop_server
start_server 2000 "$BATCH" "$work/server-search.log"
wait_ready "$work/server-search.log"
declare -A search_p50 search_p95 search_p99 search_max search_rate
for c in "${clients_list[@]}"; do
  "$loadtest" kt-search --port "$port" --clients "$c" --duration "$DURATION" \
    --targets "$work/targets.txt" --label "kt-search-$c" --results "$RESULTS"
  search_p50[$c]=$(tail -n 1 "$RESULTS" | jq -r '.latency_ms.p50')
  search_p95[$c]=$(tail -n 1 "$RESULTS" | jq -r '.latency_ms.p95')
  search_p99[$c]=$(tail -n 1 "$RESULTS" | jq -r '.latency_ms.p99')
  search_max[$c]=$(tail -n 1 "$RESULTS" | jq -r '.latency_ms.max')
  search_rate[$c]=$(tail -n 1 "$RESULTS" | jq -r '.searches_per_s')
done
search_sizes=$(tail -n 1 "$RESULTS")
# The statements of a search, in a short run of its own: logging every statement slows it.
statement_log on
log_from=$(($(wc -l <"$pg_log") + 1))
"$loadtest" kt-search --port "$port" --clients 1 --duration 3 --targets "$work/targets.txt" \
  --label kt-search-statements --results "$work/statements-run.jsonl" >/dev/null
statement_log off
search_sql=$(statement_times "$log_from" '!sealpost-kt-sequencer' "$(tail -n 1 "$work/statements-run.jsonl" | jq -r .searches)" search |
  tee -a "$RESULTS")

echo "== 5. kt_ tables =="
versions_total=$(psql -Atc "SELECT count(*) FROM kt_versions")
psql -Atc "SELECT c.relname, pg_total_relation_size(c.oid), (SELECT reltuples::bigint FROM pg_class WHERE oid = c.oid)
           FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE 'kt\_%' ORDER BY c.relname" >"$work/tables.txt"
# reltuples is an estimate; the row counts of the two big tables exactly.
prefix_rows=$(psql -Atc "SELECT count(*) FROM kt_prefix_nodes")
tables_json=$(awk -F'|' -v versions="$versions_total" -v prefix="$prefix_rows" '
  BEGIN { printf "{\"scenario\":\"kt_tables\",\"versions\":%s,\"kt_prefix_nodes_rows\":%s,\"bytes\":{", versions, prefix }
  { printf "%s\"%s\":%s", (NR > 1 ? "," : ""), $1, $2 }
  END { print "}}" }' "$work/tables.txt")
echo "$tables_json" | tee -a "$RESULTS" >/dev/null

echo
echo "machine after: $(uptime)"
echo "== summary: $ACCOUNTS accounts, $published labels published in batches of $BATCH (results: $RESULTS) =="
jq -r '"backlog: \(.versions) versions in \(.entries) entries; \(.full_batches) batches of \(.batch) labels: batch_ms min \(.batch_ms_min), median \(.batch_ms_median), max \(.batch_ms_max); batches together \(.batch_ms_sum) ms; first batch start to last commit \(.first_to_last_s) s"' <<<"$batch_summary"
printf 'backlog: %.1f s from the server start to an empty kt_pending (with its start and readiness)\n' "$backlog_wall"
jq -r '"backlog CPU per published version: " + ([.cpu_ms_per_op | to_entries[] | "\(.key) \(.value) ms"] | join(", "))
  + "; WAL \(.db_wal_bytes_per_op) bytes; \(.machine_busy_cores) of \(.cores) cores busy"' "$work/usage.jsonl"
printf 'server CPU over the backlog: %.1f s\n' "$server_cpu_s"
print_statement_times "$backlog_sql"
printf '%-28s %10s %9s %9s %9s %9s\n' "search (GET /v1/kt/accounts)" "req/s" "p50 ms" "p95 ms" "p99 ms" "max ms"
for c in "${clients_list[@]}"; do
  printf '%-28s %10.1f %9.2f %9.2f %9.2f %9.2f\n' "$c client(s)" "${search_rate[$c]}" "${search_p50[$c]}" \
    "${search_p95[$c]}" "${search_p99[$c]}" "${search_max[$c]}"
done
print_statement_times "$search_sql"
jq -r '"answer sizes, \(.params.clients)-client run (min / p50 / max): " + ([("body_bytes", "ladder_proof_bytes", "ladders", "entries", "inclusion", "versions") as $k
  | "\($k) \(.[$k].min) / \(.[$k].p50) / \(.[$k].max)"] | join(", "))' <<<"$search_sizes"
echo "kt_ tables ($versions_total versions, $prefix_rows kt_prefix_nodes rows):"
while IFS='|' read -r name bytes _; do
  printf '  %-16s %12s bytes  %8.1f bytes per version\n' "$name" "$bytes" "$(echo "scale=1; $bytes / $versions_total" | bc)"
done <"$work/tables.txt"
printf '  kt_prefix_nodes rows per version: %.2f\n' "$(echo "scale=3; $prefix_rows / $versions_total" | bc)"
if [[ $PERF == 1 && -s $work/perf-backlog-dso.txt ]]; then
  echo "perf, server process during the backlog, samples by shared object:"
  sed 's/^/  /' "$work/perf-backlog-dso.txt"
  echo "top symbols by own samples ($work/perf-backlog-self.txt, inclusive: perf-backlog-inclusive.txt):"
  sed 's/^/  /' "$work/perf-backlog-self.txt"
  echo "inclusive (with callees), top 30:"
  awk 'NR <= 30' "$work/perf-backlog-inclusive.txt" | sed 's/^/  /'
fi
