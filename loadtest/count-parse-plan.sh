#!/usr/bin/env bash
# How often each database node parses and plans SQL per pgbench transaction: exact call
# counts from perf uprobes, not samples (docs/scaling.md, "Cost of Citus on one machine").
#   loadtest/count-parse-plan.sh DIR ENGINE SCRIPT...
# DIR is a folder that run-benchmarks.sh kept (KEEP=1 ROUTED=1 ONLY=relay or claim, the
# same ENGINE): its stopped database, its helper tables and its routed pgbench scripts in
# DIR/routed. For each SCRIPT (e.g. relay.sql) it starts the database, runs pgbench -M
# prepared with 8 clients (a 2 s warm-up, in which each connection prepares its
# statements, then a 7 s run), records 4 s of it, and prints per transaction completed in
# those 4 s, per node: PostgreSQL's raw_parser (every SQL text parsed) and planner calls,
# and on Citus its ParseQueryString (a shard query parsed again), pg_get_query_def (a query
# deparsed to text) and CacheLocalPlanForShardQuery calls. Needs root (perf probe).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?DIR} engine=${2:?ENGINE}
shift 2
(($#)) || { echo "name at least one pgbench script" >&2; exit 1; }
dir=$(cd "$dir" && pwd)
bindir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin | sort -V | tail -n 1)
libdir=$("$bindir/pg_config" --pkglibdir)

remove_probes() {
  local p
  for p in "$@"; do perf probe -q -d "$p" 2>/dev/null || true; done
}
probes=(probe_postgres:raw_parser probe_postgres:planner)
remove_probes "${probes[@]}" probe_citus:ParseQueryString probe_citus:pg_get_query_def probe_citus:CacheLocalPlanForShardQuery
perf probe -q -x "$bindir/postgres" --add raw_parser
perf probe -q -x "$bindir/postgres" --add planner
if [[ $engine == citus ]]; then
  for f in ParseQueryString pg_get_query_def CacheLocalPlanForShardQuery; do
    perf probe -q -x "$libdir/citus.so" --add "$f"
    probes+=("probe_citus:$f")
  done
  url=$("$root/scripts/local-citus.sh" start "$dir/citus" | tail -n 1)
  read -r -a workers <<<"$(sed -n 's/^SEALPOST_CITUS_WORKERS=//p' "$dir/citus/env")"
  nodes=("coordinator=$url")
  for k in "${!workers[@]}"; do nodes+=("worker-$((k + 1))=${workers[k]}"); done
else
  url=$("$root/scripts/local-postgres.sh" start "$dir/pg")
  nodes=("postgres=$url")
fi
cleanup() {
  remove_probes "${probes[@]}"
  if [[ $engine == citus ]]; then "$root/scripts/local-citus.sh" stop "$dir/citus" || true
  else "$root/scripts/local-postgres.sh" stop "$dir/pg" || true; fi
}
trap cleanup EXIT
"$root/loadtest/pg-usage.py" locate "${nodes[@]}" >"$dir/count-nodes.json"
events=$(IFS=,; echo "${probes[*]}")

for script in "$@"; do
  pgbench() { "$bindir/pgbench" -n -M prepared -c 8 -j 1 -f "$dir/routed/$script" "$@" "$url"; }
  pgbench -T 2 >/dev/null 2>&1
  rm -f "$dir"/count-log.*
  (cd "$dir" && pgbench -T 7 --log --log-prefix=count-log >"$dir/count-pgbench.log" 2>&1) &
  bench=$!
  sleep 1.5
  # Every node's processes now (pgbench's backends and, on Citus, the coordinator's
  # connections to the workers live for the whole run).
  : >"$dir/count-pids.txt"
  for node in $(jq -r 'keys[]' "$dir/count-nodes.json"); do
    postmaster=$(jq -r --arg n "$node" '.[$n].postmaster' "$dir/count-nodes.json")
    for pid in "$postmaster" $(pgrep -P "$postmaster"); do echo "$pid $node" >>"$dir/count-pids.txt"; done
  done
  t0=$(date +%s.%N)
  perf record -q -e "$events" -a -o "$dir/count.data" -- sleep 4
  t1=$(date +%s.%N)
  wait "$bench"
  # pgbench's log: one line per transaction, its completion time in fields 5 and 6.
  transactions=$(cat "$dir"/count-log.* | awk -v a="$t0" -v b="$t1" '{t = $5 + $6 / 1e6} t >= a && t < b {n++} END {print n + 0}')
  perf script -i "$dir/count.data" -F pid,event 2>/dev/null |
    python3 -c '
import collections, sys
pids_file, transactions, label = sys.argv[1], int(sys.argv[2]), sys.argv[3]
node_of = dict((int(l.split()[0]), l.split()[1]) for l in open(pids_file))
calls = collections.Counter()
for line in sys.stdin:
    fields = line.split()
    if len(fields) >= 2:
        calls[(node_of.get(int(fields[0]), "other processes"), fields[1].rstrip(":").split(":")[-1])] += 1
print(f"{label}: {transactions} transactions in 4 s (pgbench -M prepared, 8 clients); calls per transaction:")
names = ["raw_parser", "planner", "ParseQueryString", "pg_get_query_def", "CacheLocalPlanForShardQuery"]
for node in sorted({n for n, _ in calls}):
    print(f"  {node}: " + ", ".join(f"{e} {calls[(node, e)] / transactions:.2f}" for e in names if (node, e) in calls))
' "$dir/count-pids.txt" "$transactions" "$engine $script"
done
