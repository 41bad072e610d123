#!/usr/bin/env bash
# Runs the load scenarios against a throwaway server (or two) and database, then pgbench
# against the same database with the same client count, and prints our figures as a ratio
# of the least row work pgbench needs for the same result (loadtest/pgbench/*-least.sql),
# measured in the same run. pgbench running the server's own statements (relay.sql,
# claim.sql) is shown beside it, for information. See docs/benchmarks.md.
#   loadtest/run-benchmarks.sh [BUILD_DIR]            (default: build-load)
# Settings (environment): DURATION=15 RECEIVERS=50 SENDERS_LIST="8 32" (relay senders; one
#   relay run and its pgbench runs, with as many clients, per entry; SENDERS=N alone means
#   SENDERS_LIST=N) CLAIMERS=8 ACCOUNTS=100
#   KEYS=100 BACKLOG=2000 (sends queued for the backlog drain, by the first SENDERS_LIST
#   entry's senders) IDLE=600 (idle WebSockets; 10000 for the target, which needs ~1700
#   registrations and a raised open-file limit)
#   NODES=1 (2: two server processes on the one database; the relay runs with --nodes 2, so
#   half of its wake-ups cross nodes; the other scenarios use the first node)
#   RESULTS=<file for the JSON lines> KEEP=1 (keep the temporary folder)
#   PERF=1 profiles each relay run as fast as possible with perf (perf record -a) and
#   writes, per process tree (database node, server), its share of the samples and its top
#   symbols to PERF_DIR (default: the temporary folder; KEEP=1 keeps it); PERF_CALL_GRAPH=
#   dwarf (default fp) for call graphs through Debian's PostgreSQL, PERF_FREQ, PERF_SECONDS
#   ONLY=relay|claim|backlog|idle runs just that scenario; relay: as fast as possible at each
#   SENDERS_LIST entry, then at half the first one's rate, with its pgbench runs; claim:
#   the claim storm and its pgbench runs
#   PGBENCH=0 leaves pgbench out (our figures alone, no ratios)
#   ENGINE=postgres|citus (default postgres): the database is a plain durable Postgres
#   (scripts/local-postgres.sh), or a durable Citus cluster, a coordinator and 2 workers
#   (scripts/local-citus.sh, same settings plus Citus); the server and pgbench talk to the
#   coordinator. loadtest/compare-engines.sh runs relay and claim on both, one table.
#   ROUTED=0|1 (default 1 on Citus, 0 on Postgres): pgbench runs its scripts with the
#   benchmark accounts written in as literals (loadtest/pgbench-routed.py) instead of
#   looked up in the helper tables by a subquery, which Citus cannot route to one shard.
#   Same statements, same row work; the lookup is the difference.
#   PGBENCH_MODE=extended|prepared (default extended): pgbench's query mode. The server
#   prepares its hot statements once per connection; -M extended parses and plans every
#   statement every time (claim-least.sql: about twice the database CPU per claim).
#   LEAST=statement|function (default statement on Postgres, function on Citus): the least
#   row work as the single statements of relay-least.sql and claim-least.sql, or as the same
#   rows in one call of a function (relay-least-function.sql, claim-least-function.sql,
#   functions in loadtest/pgbench/least-functions.sql, distributed by account on Citus).
#   Citus splits those statements into distributed subplans or refuses them; a function
#   call runs on the account's worker in one round trip.
# Beside each relay run as fast as possible and each pgbench run it records the CPU time of
# every database node's processes and of the server, and the WAL each node wrote, per send,
# claim or pgbench transaction (loadtest/pg-usage.py; "db_usage" lines in RESULTS).
#   CHARTS=1 also charts the relay runs as fast as possible and the claim storm, second by
#   second, each beside its least-row-work pgbench run: the per-second CSVs
#   (sealpost-loadtest --progress-csv; pgbench --progress=1 and its per-transaction log,
#   through loadtest/pgbench-seconds.py) and the SVGs (loadtest/render-charts.sh, gnuplot)
#   go to CHARTS_DIR (default: docs/benchmarks in this checkout): relay-N.csv,
#   relay-N-pgbench.csv, relay-N-throughput.svg, relay-N-p99.svg per SENDERS_LIST entry N,
#   and claim.csv, claim-pgbench.csv, claim-throughput.svg, claim-p99.svg. Without gnuplot
#   the figures are printed as usual and the CSVs kept; render-charts.sh draws them later.
# The database is durable (scripts/local-postgres.sh without --fast), as in production; so is
# every Citus node.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-load}
DURATION=${DURATION:-15}
RECEIVERS=${RECEIVERS:-50}
SENDERS_LIST=${SENDERS_LIST:-${SENDERS:-8 32}}
read -r -a senders_list <<<"$SENDERS_LIST"
SENDERS=${senders_list[0]}
CLAIMERS=${CLAIMERS:-8}
ACCOUNTS=${ACCOUNTS:-100}
KEYS=${KEYS:-100}
BACKLOG=${BACKLOG:-2000}
IDLE=${IDLE:-600}
NODES=${NODES:-1}
PGBENCH=${PGBENCH:-1}
CHARTS=${CHARTS:-0}
CHARTS_DIR=${CHARTS_DIR:-$root/docs/benchmarks}
PERF=${PERF:-0}
PGBENCH_MODE=${PGBENCH_MODE:-extended}
[[ $PGBENCH_MODE == extended || $PGBENCH_MODE == prepared ]] || { echo "PGBENCH_MODE is extended or prepared" >&2; exit 1; }
PERF_SECONDS=${PERF_SECONDS:-$((DURATION > 4 ? DURATION - 2 : 2))}
PERF_FREQ=${PERF_FREQ:-499}
PERF_CALL_GRAPH=${PERF_CALL_GRAPH:-fp}
ENGINE=${ENGINE:-postgres}
[[ $ENGINE == postgres || $ENGINE == citus ]] || { echo "ENGINE is postgres or citus" >&2; exit 1; }
if [[ $ENGINE == citus ]]; then ROUTED=${ROUTED:-1}; else ROUTED=${ROUTED:-0}; fi
[[ $ROUTED == 0 || $ROUTED == 1 ]] || { echo "ROUTED is 0 or 1" >&2; exit 1; }
if [[ $ENGINE == citus ]]; then LEAST=${LEAST:-function}; else LEAST=${LEAST:-statement}; fi
[[ $LEAST == statement || $LEAST == function ]] || { echo "LEAST is statement or function" >&2; exit 1; }
# The least-row-work scripts.
if [[ $LEAST == function ]]; then
  relay_least=relay-least-function.sql claim_least=claim-least-function.sql
else
  relay_least=relay-least.sql claim_least=claim-least.sql
fi
work=$(mktemp -d /tmp/sealpost-bench.XXXXXX)
chmod 0755 "$work"
RESULTS=${RESULTS:-$work/results.jsonl}
PERF_DIR=${PERF_DIR:-$work}
loadtest=$build/loadtest/sealpost-loadtest
server=$build/server/sealpost-server
pgbench=$(ls -d /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1)
[[ -x $loadtest && -x $server ]] || { echo "build sealpost-loadtest and sealpost-server in $build first" >&2; exit 1; }
[[ -x $pgbench ]] || { echo "pgbench not found (Debian: postgresql-15)" >&2; exit 1; }
[[ $NODES =~ ^[12]$ ]] || { echo "NODES is 1 or 2" >&2; exit 1; }
if [[ $CHARTS == 1 ]]; then
  mkdir -p "$CHARTS_DIR"
  CHARTS_DIR=$(cd "$CHARTS_DIR" && pwd)
  command -v gnuplot >/dev/null ||
    echo "note: gnuplot not found (apt-get install gnuplot-nox): the CSVs will be written, the charts not" >&2
fi

server_pids=() ports=()
cleanup() {
  local pid
  for pid in "${server_pids[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  if [[ $ENGINE == citus ]]; then
    [[ ! -f $work/citus/nodes ]] || "$root/scripts/local-citus.sh" stop "$work/citus" || true
  else
    "$root/scripts/local-postgres.sh" stop "$work/pg" || true
  fi
  if [[ ${KEEP:-} == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# free_ports N: N distinct free ports on 127.0.0.1 (all bound at once, so none repeats).
free_ports() {
  python3 -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))' "$1"
}

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true  # the idle scenario holds many sockets
# usage_nodes: NAME=URL of every database node, for loadtest/pg-usage.py.
if [[ $ENGINE == citus ]]; then
  url=$("$root/scripts/local-citus.sh" start "$work/citus")
  usage_nodes=("coordinator=$url")
  read -r -a worker_urls <<<"$(sed -n 's/^SEALPOST_CITUS_WORKERS=//p' "$work/citus/env")"
  for k in "${!worker_urls[@]}"; do usage_nodes+=("worker-$((k + 1))=${worker_urls[k]}"); done
else
  url=$("$root/scripts/local-postgres.sh" start "$work/pg")
  usage_nodes=("postgres=$url")
fi
psql() { command psql "$url" -X -q -v ON_ERROR_STOP=1 "$@"; }
unlimited=1000000000

read -r -a free <<<"$(free_ports $((2 * NODES)))"

# start_node N: server node N (1, 2) on the database, with its own listen and admin ports,
# its log in $work/server-N.log. Nodes need no id of their own in the config: each process
# draws a random one at start (model::new_node_id()).
start_node() {
  local n=$1
  local port=${free[2 * n - 2]} admin=${free[2 * n - 1]}
  env SEALPOST_DATABASE_URL="$url" SEALPOST_LISTEN="127.0.0.1:$port" SEALPOST_ADMIN_LISTEN="127.0.0.1:$admin" \
    SEALPOST_LOG_LEVEL=warn SEALPOST_KT_CONFIRM_WAIT_MS=0 \
    SEALPOST_HTTP_MAX_CONNECTIONS=$((IDLE + 1000)) SEALPOST_HTTP_MAX_CONNECTIONS_PER_IP=0 \
    SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST=$unlimited SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_PER_MINUTE=$unlimited \
    SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_BURST=$unlimited SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_PER_MINUTE=$unlimited \
    SEALPOST_RATE_LIMITS_BUNDLE_PER_REQUESTER_BURST=$unlimited SEALPOST_RATE_LIMITS_BUNDLE_PER_REQUESTER_PER_MINUTE=$unlimited \
    SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_BURST=$unlimited SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_PER_MINUTE=$unlimited \
    SEALPOST_RATE_LIMITS_LINK_TOKEN_PER_ACCOUNT_BURST=$unlimited SEALPOST_RATE_LIMITS_LINK_TOKEN_PER_ACCOUNT_PER_MINUTE=$unlimited \
    "$server" >"$work/server-$n.log" 2>&1 &
  local pid=$!
  server_pids+=("$pid")
  ports+=("$port")
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$admin/readyz" >/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/server-$n.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "server node $n on 127.0.0.1:$port (admin $admin)"
}

# One after the other, each ready before the next starts, so a failed start shows its own log.
for n in $(seq "$NODES"); do start_node "$n"; done
server_pid=${server_pids[0]}
echo "database $url ($ENGINE), results in $RESULTS"
# The least row work as functions (LEAST=function), after the server's start made the
# schema (and distributed its tables on Citus).
psql -f "$root/loadtest/pgbench/least-functions.sql"
if [[ $ENGINE == citus ]]; then
  psql -c "SELECT create_distributed_function('bench_least_send(uuid)', 'account', colocate_with => 'accounts')" \
    -c "SELECT create_distributed_function('bench_least_ack(uuid, integer, uuid)', 'account', colocate_with => 'accounts')" \
    -c "SELECT create_distributed_function('bench_least_claim(uuid)', 'account', colocate_with => 'accounts')" >/dev/null
fi

port_args=() pid_args=()
for p in "${ports[@]}"; do port_args+=(--port "$p"); done
for p in "${server_pids[@]}"; do pid_args+=(--server-pid "$p"); done
lt() { "$loadtest" "$@" "${port_args[@]}" --results "$RESULTS"; }
relay() { lt relay --nodes "$NODES" --receivers "$RECEIVERS" --duration "$DURATION" "$@"; }
# The last result line of sealpost-loadtest (not one of ours: db_usage, pgbench).
last() { jq -c 'select(.scenario != "db_usage" and .scenario != "pgbench")' "$RESULTS" | tail -n 1 | jq -r "$1"; }

# CPU and WAL per operation (loadtest/pg-usage.py): usage_snapshot FILE records every
# database node's and server process's CPU time and WAL position now; usage_per_op BEFORE
# AFTER OPS LABEL appends the difference per operation to RESULTS (and $work/usage.jsonl,
# for the summary).
usage_pids=()
for n in "${!server_pids[@]}"; do usage_pids+=(--pid "server-$((n + 1))=${server_pids[n]}"); done
"$root/loadtest/pg-usage.py" locate "${usage_nodes[@]}" >"$work/usage-nodes.json"
usage_snapshot() { "$root/loadtest/pg-usage.py" snapshot "$work/usage-nodes.json" "${usage_pids[@]}" >"$1"; }
usage_per_op() {
  [[ -s $1 && -s $2 && ${3:-0} -gt 0 ]] || { echo "WARNING: no usage figures for $4" >&2; return 0; }
  "$root/loadtest/pg-usage.py" per-op "$1" "$2" "$3" --label "$4" --engine "$ENGINE" | tee -a "$work/usage.jsonl" >>"$RESULTS"
}
# relay_measured LABEL RELAY_ARGS...: a relay run, with the usage from the moment the
# senders start (sealpost-loadtest's "sending for" line: the registrations and WebSocket
# connections before it are left out) to its end (the drain of the envelopes in flight and
# the sockets' goodbyes are in).
# With PERF=1 it also samples the whole machine with perf (perf record -a, PERF_FREQ=499 Hz,
# call graphs PERF_CALL_GRAPH=fp or dwarf) for PERF_SECONDS of the sending (default
# DURATION - 2), and writes per process tree (each database node's backends, the server)
# the share of the samples and the top symbols.
relay_measured() {
  local label=$1 before=$work/usage-$1-before.json after=$work/usage-$1-after.json marker
  shift
  rm -f "$before"
  relay "$@" 2> >(
    while IFS= read -r line; do
      printf '%s\n' "$line" >&2
      [[ $line != *"sending for"* ]] || {
        usage_snapshot "$before"
        [[ $PERF != 1 ]] || perf_start "$label"
      }
    done
    wait
  )
  marker=$!
  usage_snapshot "$after"
  wait "$marker" || true
  usage_per_op "$before" "$after" "$(last .sends)" "$label"
  [[ $PERF != 1 ]] || perf_report "$label"
}
# perf_start LABEL: the pids of every process tree now, and perf record in the background.
perf_start() {
  local node pid
  mkdir -p "$PERF_DIR"
  for node in $(jq -r 'keys[]' "$work/usage-nodes.json"); do
    pid=$(jq -r --arg n "$node" '.[$n].postmaster' "$work/usage-nodes.json")
    { echo "$pid"; pgrep -P "$pid" || true; } | paste -sd, >"$PERF_DIR/perf-$1-pids-$node"
  done
  for n in "${!server_pids[@]}"; do echo "${server_pids[n]}" >"$PERF_DIR/perf-$1-pids-server-$((n + 1))"; done
  perf record -q -a --call-graph "$PERF_CALL_GRAPH" -F "$PERF_FREQ" -o "$PERF_DIR/perf-$1.data" -- sleep "$PERF_SECONDS" >/dev/null 2>&1 &
}
# perf_report LABEL: per process tree, its share of all samples; and, as shares of the
# tree's own samples, its top 40 symbols by their own samples (perf-LABEL-TREE.txt) and its
# top 60 with the samples of everything they called (perf-LABEL-TREE-inclusive.txt; a
# function that recurses, such as the executor under PL/pgSQL, is counted at each level, so
# these can pass 100%; needs call graphs that unwind: PERF_CALL_GRAPH=dwarf for Debian's
# PostgreSQL, which is built without frame pointers).
perf_report() {
  local f tree
  [[ -s $PERF_DIR/perf-$1.data ]] || { echo "WARNING: no perf data for $1" >&2; return 0; }
  perf report -i "$PERF_DIR/perf-$1.data" --sort pid --no-children -g none --stdio 2>/dev/null >"$PERF_DIR/perf-$1-by-pid.txt"
  for f in "$PERF_DIR/perf-$1-pids-"*; do
    tree=${f##*-pids-}
    # awk, not head: perf must not die of SIGPIPE (pipefail would end the script).
    perf report -i "$PERF_DIR/perf-$1.data" --pid="$(cat "$f")" --percentage relative --no-children -g none --sort dso,sym --stdio 2>/dev/null |
      awk '/%/ && !/^#/ && ++n <= 40' >"$PERF_DIR/perf-$1-$tree.txt"
    perf report -i "$PERF_DIR/perf-$1.data" --pid="$(cat "$f")" --percentage relative --children -g none --sort sym --stdio 2>/dev/null |
      awk '/%/ && !/^#/ && ++n <= 60' >"$PERF_DIR/perf-$1-$tree-inclusive.txt"
  done
  python3 - "$PERF_DIR" "$1" <<'PY' | tee "$PERF_DIR/perf-$1-shares.txt"
import glob, re, sys
d, label = sys.argv[1], sys.argv[2]
share = {}
for line in open(f"{d}/perf-{label}-by-pid.txt"):
    m = re.match(r"\s*([0-9.]+)%\s+(\d+):", line)
    if m:
        share[int(m.group(2))] = float(m.group(1))
print(f"perf {label}: share of all samples (whole machine) by process tree")
total = 0.0
for f in sorted(glob.glob(f"{d}/perf-{label}-pids-*")):
    tree = f.split("-pids-")[-1]
    pids = [int(p) for p in open(f).read().strip().split(",") if p]
    part = sum(share.get(p, 0) for p in pids)
    total += part
    print(f"  {tree}: {part:.1f}%")
print(f"  everything else (load generator, kernel threads, other work on the machine): {100 - total:.1f}%")
PY
}
# progress_csv NAME: with CHARTS=1, sets csv_args to the option that leaves our run's
# seconds in $CHARTS_DIR/NAME.csv, and removes an earlier run's NAME-pgbench.csv, so that a
# chart never shows this run beside another run's pgbench (PGBENCH=0 writes none).
csv_args=()
progress_csv() {
  csv_args=()
  [[ $CHARTS == 1 ]] || return 0
  csv_args=(--progress-csv "$CHARTS_DIR/$1.csv")
  rm -f "$CHARTS_DIR/$1-pgbench.csv"
}
# pgbench_file SCRIPT: the script pgbench runs: loadtest/pgbench/SCRIPT, or with ROUTED=1
# its copy with the accounts written in (route_scripts).
pgbench_file() {
  if [[ $ROUTED == 1 ]]; then echo "$work/routed/$1"; else echo "$root/loadtest/pgbench/$1"; fi
}
# route_scripts TABLE SCRIPT...: with ROUTED=1, writes each SCRIPT with the rows of the
# helper TABLE written in (loadtest/pgbench-routed.py).
route_scripts() {
  [[ $ROUTED == 1 ]] || return 0
  local table=$1 script
  shift
  mkdir -p "$work/routed"
  psql --csv -c "SELECT * FROM $table ORDER BY i" >"$work/routed/$table.csv"
  for script in "$@"; do
    "$root/loadtest/pgbench-routed.py" "$root/loadtest/pgbench/$script" "$work/routed/$table.csv" >"$work/routed/$script"
  done
}
# run_pgbench [--chart NAME] SCRIPT CLIENTS VARS...: prints transactions/s (without
# connection time); warns on failed transactions (they would flatter the figure). With
# --chart and CHARTS=1 it also leaves the run's seconds in $CHARTS_DIR/NAME.csv: tps and
# mean latency from --progress=1, the p99 of each second from the per-transaction log.
run_pgbench() {
  local chart= script clients log seconds=()
  if [[ $1 == --chart ]]; then
    [[ $CHARTS != 1 ]] || chart=$2
    shift 2
  fi
  script=$1 clients=$2
  shift 2
  local label=pgbench-${script%.sql}-c$clients tps
  log=$work/$label.log
  [[ -z $chart ]] || seconds=(--progress=1 --log --log-prefix="$work/$chart")
  usage_snapshot "$work/usage-$label-before.json"
  "$pgbench" -n -M "$PGBENCH_MODE" -c "$clients" -j 1 -T "$DURATION" "${seconds[@]}" -f "$(pgbench_file "$script")" \
    "$@" "$url" 2>&1 | tee "$log" >&2
  usage_snapshot "$work/usage-$label-after.json"
  grep -q '^number of failed transactions: 0 ' "$log" || echo "WARNING: pgbench $script had failed transactions" >&2
  [[ -z $chart ]] || "$root/loadtest/pgbench-seconds.py" "$log" "$work/$chart".* >"$CHARTS_DIR/$chart.csv"
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$log" | tail -n 1)
  usage_per_op "$work/usage-$label-before.json" "$work/usage-$label-after.json" \
    "$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$log")" "$label"
  jq -cn --arg script "$script" --argjson clients "$clients" --argjson tps "$tps" --arg engine "$ENGINE" \
    --argjson routed "$ROUTED" --argjson duration "$DURATION" \
    --arg least "$LEAST" --arg mode "$PGBENCH_MODE" \
    '{scenario: "pgbench", script: $script, clients: $clients, tps: $tps, engine: $engine, routed: ($routed == 1), least: $least, mode: $mode, duration_s: $duration}' \
    >>"$RESULTS"
  echo "$tps"
}
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
# The usage figures of this run (usage_per_op), one line each: CPU ms and WAL bytes per
# operation of every database node and server process, and how busy the machine was.
print_usage() {
  [[ -s $work/usage.jsonl ]] || return 0
  echo "per operation (a send, a claim, a pgbench transaction): CPU ms by process tree; WAL bytes by node; cores busy of $(nproc):"
  jq -r '"  \(.label): CPU " + ([.cpu_ms_per_op | to_entries[] | "\(.key) \(.value * 1000 | round / 1000)"] | join(", "))
    + "; WAL " + ([.wal_bytes_per_op | to_entries[] | "\(.key) \(.value | round)"] | join(", "))
    + "; busy \(.machine_busy_cores)"' "$work/usage.jsonl"
}
# With CHARTS=1, draws the charts from the CSVs (after the figures: without gnuplot they
# stand alone, and render-charts.sh says how to install it).
render_charts() {
  [[ $CHARTS == 1 ]] || return 0
  echo
  "$root/loadtest/render-charts.sh" "$CHARTS_DIR" || echo "charts not drawn; the per-second CSVs are in $CHARTS_DIR" >&2
}

# vacuum_relay_tables: VACUUM ANALYZE of the tables a relay run churns (each send updates 2
# device rows, inserts 2 envelopes and the acks delete them), before each relay run and each
# pgbench relay run, so that no run pays for the dead rows of the one before it.
vacuum_relay_tables() { psql -c "VACUUM ANALYZE messages, devices"; }
# refill_claim_pools FIRST_KEY_ID RATE: gives every claim target enough fresh one-time keys
# (ids from FIRST_KEY_ID: the claimed ones are remembered in claimed_prekeys) for four times
# RATE claims/s over the run, so that pgbench never finds a pool empty (an empty claim is
# cheaper, and would flatter pgbench); then VACUUM, so that a run does not walk over the
# dead index entries of the keys claimed before it (pgbench running the server's claim on
# plain Postgres: 2.1 ms of database CPU per claim before a VACUUM, 1.5 ms after).
refill_claim_pools() {
  local per_account
  per_account=$(python3 -c "import math; print(max(1000, math.ceil(4 * $2 * $DURATION / $ACCOUNTS)))")
  psql -c "INSERT INTO one_time_prekeys (account_id, device_id, key_id, public_key)
      SELECT account_id, 1, $1 + k, decode('05' || md5(random()::text) || md5(random()::text), 'hex') FROM bench_claim, generate_series(1, $per_account) k" \
    -c "INSERT INTO pq_one_time_prekeys (account_id, device_id, key_id, public_key, signature)
      SELECT account_id, 1, $1 + k, decode('08' || repeat(md5(random()::text), 98), 'hex'), decode(repeat(md5(random()::text), 4), 'hex')
      FROM bench_claim, generate_series(1, $per_account) k" \
    -c "VACUUM ANALYZE one_time_prekeys, pq_one_time_prekeys, claimed_prekeys" -c "ANALYZE"
}
# The smallest EC pool among the claim targets.
pool_left() {
  psql -Atc "SELECT min(n) FROM (SELECT count(*) AS n FROM one_time_prekeys JOIN bench_claim USING (account_id) GROUP BY account_id) q"
}

# Our claim storm: claims/s and the duplicate keys (none, or the server is wrong).
claim_storm() {
  echo "== claim storm =="
  progress_csv claim
  lt claim --clients "$CLAIMERS" --accounts "$ACCOUNTS" --keys "$KEYS" --duration "$DURATION" "${csv_args[@]}"
  claim_rate=$(last .claims_per_s)
  claim_dups=$(last .duplicate_keys)
}

# pgbench's claims on the accounts our claim storm claimed from, with as many clients: the
# least row work, then the server's statements.
claim_pgbench() {
  [[ $PGBENCH == 1 ]] || return 0
  psql -c "DROP TABLE IF EXISTS bench_claim" \
    -c "CREATE TABLE bench_claim AS
        WITH c AS MATERIALIZED (SELECT a.id AS account_id FROM accounts a
          JOIN (SELECT account_id FROM claimed_prekeys GROUP BY account_id) c ON c.account_id = a.id)
        SELECT row_number() OVER (ORDER BY account_id)::int AS i, account_id FROM c" \
    -c "CREATE UNIQUE INDEX ON bench_claim (i)"
  targets=$(psql -Atc "SELECT count(*) FROM bench_claim")
  route_scripts bench_claim "$claim_least" claim.sql
  echo "== pgbench: claim, least row work, $CLAIMERS clients =="
  refill_claim_pools 1000000 "$claim_rate"
  pg_claim_least=$(run_pgbench --chart claim-pgbench "$claim_least" "$CLAIMERS" -D targets="$targets")
  left_least=$(pool_left)
  echo "== pgbench: claim, the server's statements, $CLAIMERS clients =="
  refill_claim_pools 2000000 "$(python3 -c "print(max($claim_rate, $pg_claim_least))")"
  pg_claim=$(run_pgbench claim.sql "$CLAIMERS" -D targets="$targets")
  left_server=$(pool_left)
}

# The summary's table header.
print_table_header() {
  if [[ $PGBENCH == 1 ]]; then
    printf '%-54s %10s %10s %7s %10s\n' scenario ours least ratio "server SQL"
  else
    printf '%-54s %10s\n' scenario ours
  fi
}
# The claim's row of the summary table, and its line on the keys.
print_claim_row() {
  if [[ $PGBENCH == 1 ]]; then
    printf '%-54s %10.1f %10.1f %7s %10.1f\n' "claims/s ($CLAIMERS clients)" "$claim_rate" "$pg_claim_least" \
      "$(ratio "$claim_rate" "$pg_claim_least")" "$pg_claim"
  else
    printf '%-54s %10.1f\n' "claims/s ($CLAIMERS clients)" "$claim_rate"
  fi
}
print_claim_keys() {
  printf 'claim: duplicate one-time keys: %s' "$claim_dups"
  [[ $PGBENCH != 1 ]] || printf "; pgbench left at least %s EC keys per account after least row work, %s after the server's statements (0 would flatter pgbench)" "$left_least" "$left_server"
  echo
}

if [[ ${ONLY:-} == backlog ]]; then
  lt backlog --receivers "$RECEIVERS" --senders "$SENDERS" --messages "$BACKLOG" --duration 120
  printf 'backlog drain: %.1f envelopes/s delivered and acked\n' "$(last .drained_per_s)"
  exit 0
fi
if [[ ${ONLY:-} == idle ]]; then
  lt idle --connections "$IDLE" "${pid_args[@]:0:2}" --setup-concurrency 8 --duration 5
  printf 'idle: %s sockets, %.1f KiB of server RSS each\n' "$(last .connected)" "$(last .kib_per_socket)"
  exit 0
fi
if [[ ${ONLY:-} == claim ]]; then
  claim_storm
  claim_pgbench
  echo
  echo "== summary ($ENGINE, DURATION=${DURATION}s; results: $RESULTS) =="
  print_table_header
  print_claim_row
  print_claim_keys
  print_usage
  render_charts
  exit 0
fi

# The pgbench relay scripts' receivers: as many receiver accounts (2 devices each) of the
# relay runs as one relay run has, so the row contention matches.
make_bench_relay() {
  psql -c "DROP TABLE IF EXISTS bench_relay" \
    -c "CREATE TABLE bench_relay AS
        WITH r AS MATERIALIZED (SELECT id FROM accounts WHERE username ~ '^lt[0-9]+_r[0-9]+$' ORDER BY id LIMIT $RECEIVERS),
          d AS MATERIALIZED (SELECT r.id, d1.registration_id AS reg1, d2.registration_id AS reg2 FROM r
            JOIN devices d1 ON d1.account_id = r.id AND d1.device_id = 1
            JOIN devices d2 ON d2.account_id = r.id AND d2.device_id = 2)
        SELECT row_number() OVER (ORDER BY id)::int AS i, id AS account_id, reg1, reg2 FROM d" \
    -c "CREATE UNIQUE INDEX ON bench_relay (i)" -c "ANALYZE bench_relay"
  psql -Atc "SELECT count(*) FROM bench_relay"
}

# Per sender count: our relay as fast as possible, then pgbench's least row work and the
# server's statements with as many clients, one right after the other.
declare -A relay_max pg_least pg_server same_p99 cross_p99 cpu_per_send
receivers=
for s in "${senders_list[@]}"; do
  echo "== relay, as fast as possible, $s senders, $NODES node(s) =="
  progress_csv "relay-$s"
  vacuum_relay_tables
  relay_measured "relay-max-$s" --senders "$s" --label "max-$s" "${pid_args[@]}" "${csv_args[@]}"
  relay_max[$s]=$(last .sends_per_s)
  cpu_per_send[$s]=$(last .server_cpu_ms_per_send)
  same_p99[$s]=$(last '.e2e_latency_ms_same_node.p99 // 0')
  cross_p99[$s]=$(last '.e2e_latency_ms_cross_node.p99 // 0')
  [[ $PGBENCH == 1 ]] || continue
  if [[ -z $receivers ]]; then
    receivers=$(make_bench_relay)
    route_scripts bench_relay "$relay_least" relay.sql
  fi
  echo "== pgbench: relay, least row work, $s clients =="
  vacuum_relay_tables
  pg_least[$s]=$(run_pgbench --chart "relay-$s-pgbench" "$relay_least" "$s" -D receivers="$receivers")
  echo "== pgbench: relay, the server's statements, $s clients =="
  vacuum_relay_tables
  pg_server[$s]=$(run_pgbench relay.sql "$s" -D receivers="$receivers")
done

echo "== relay at half of the $SENDERS-sender rate =="
half=$(python3 -c "print(round(${relay_max[$SENDERS]} / 2, 1))")
vacuum_relay_tables
relay --senders "$SENDERS" --rate "$half" --label half
relay_half_p99=$(last .e2e_latency_ms.p99)
half_nodes=
if [[ $NODES -gt 1 ]]; then
  half_nodes=$(printf ' (same node %.1f, cross node %.1f)' "$(last .e2e_latency_ms_same_node.p99)" "$(last .e2e_latency_ms_cross_node.p99)")
fi

if [[ $PGBENCH == 1 ]]; then
  echo "== pgbench: relay least row work at our half rate ($half/s): latency tail of the database alone =="
  pg_half_rate=$(python3 -c "print(max(1, round($half)))")
  vacuum_relay_tables
  (cd "$work" && "$pgbench" -n -M "$PGBENCH_MODE" -c "$SENDERS" -j 1 -T "$DURATION" -R "$pg_half_rate" --log --log-prefix=relay-half \
    -f "$(pgbench_file "$relay_least")" -D receivers="$receivers" "$url" >"$work/pgbench-relay-half.log" 2>&1)
  # Per-transaction log lines: client, txn, latency (us), ...; p99 in ms.
  pg_half_p99=$(cat "$work"/relay-half.* | python3 -c "
import sys
lat = sorted(int(l.split()[2]) for l in sys.stdin if l.strip())
print(f'{lat[min(len(lat) - 1, int(len(lat) * 0.99))] / 1000:.1f}' if lat else 'nan')")
fi

# The relay's lines of the summary.
print_relay_summary() {
  local nodes="$NODES node" what
  [[ $NODES == 1 ]] || nodes+=s
  print_table_header
  for s in "${senders_list[@]}"; do
    what="relay sends/s ($s senders, $RECEIVERS x 2 devices, $nodes)"
    if [[ $PGBENCH == 1 ]]; then
      printf '%-54s %10.1f %10.1f %7s %10.1f\n' "$what" "${relay_max[$s]}" "${pg_least[$s]}" \
        "$(ratio "${relay_max[$s]}" "${pg_least[$s]}")" "${pg_server[$s]}"
    else
      printf '%-54s %10.1f\n' "$what" "${relay_max[$s]}"
    fi
  done
  for s in "${senders_list[@]}"; do
    printf 'relay, %s senders: server CPU %.3f ms per send (all nodes, while the senders ran)\n' "$s" "${cpu_per_send[$s]}"
  done
  if [[ $NODES -gt 1 ]]; then
    for s in "${senders_list[@]}"; do
      printf 'relay, %s senders, as fast as possible: e2e p99 same node %.1f ms, cross node %.1f ms\n' \
        "$s" "${same_p99[$s]}" "${cross_p99[$s]}"
    done
  fi
  printf 'relay at half max (%s sends/s, %s senders): e2e p99 %.1f ms%s' "$half" "$SENDERS" "$relay_half_p99" "$half_nodes"
  [[ $PGBENCH != 1 ]] || printf '; pgbench least row work alone at that rate: p99 %s ms per send' "$pg_half_p99"
  echo
}

if [[ ${ONLY:-} == relay ]]; then
  echo
  echo "== summary ($ENGINE, DURATION=${DURATION}s; results: $RESULTS) =="
  print_relay_summary
  print_usage
  render_charts
  exit 0
fi

claim_storm

echo "== backlog drain =="
lt backlog --receivers "$RECEIVERS" --senders "$SENDERS" --messages "$BACKLOG" --duration 120
backlog_rate=$(last .drained_per_s)

echo "== idle connections =="
lt idle --connections "$IDLE" "${pid_args[@]:0:2}" --setup-concurrency 8 --duration 5
idle_kib=$(last .kib_per_socket)
idle_connected=$(last .connected)

claim_pgbench

echo
echo "== summary ($ENGINE, DURATION=${DURATION}s; results: $RESULTS) =="
print_relay_summary
print_claim_row
printf 'backlog drain: %.1f envelopes/s delivered and acked\n' "$backlog_rate"
printf 'idle: %s sockets, %.1f KiB of server RSS each\n' "$idle_connected" "$idle_kib"
print_claim_keys
print_usage
render_charts
