#!/usr/bin/env bash
# The relay and claim benchmarks on plain Postgres and on Citus (a coordinator and 2
# workers), on this machine, one after the other in one run, and one table of them:
# scenario, engine, our figure, the least-row-work pgbench figure of the same run and
# database, their ratio, our p99 (docs/scaling.md, "Cost of Citus on one machine").
#   loadtest/compare-engines.sh [BUILD_DIR]          (default: build-load)
# Each configuration is one loadtest/run-benchmarks.sh ONLY=relay and one ONLY=claim, each
# on a fresh durable database. Settings (environment):
#   CONFIGS="postgres:statement citus:function postgres:function": ENGINE:LEAST pairs (see
#     run-benchmarks.sh). The third runs Citus's form of the least row work (one function
#     call per write) on plain Postgres, to tell the cost of that form from Citus's own.
#   PGBENCH_MODE=prepared (default here; run-benchmarks.sh's default is extended): the
#     server prepares its hot statements once per connection, so the least row work is
#     measured prepared too, not parsed and planned again for every statement.
#   OUT=DIR (default: a new /tmp/sealpost-compare.XXXXXX, kept): per run its log and JSON
#     result lines, and table.txt.
#   Everything else goes to run-benchmarks.sh as is (DURATION, SENDERS_LIST, CLAIMERS, ...).
# pgbench always runs the routed scripts here (ROUTED=1: the accounts written in, no lookup
# subquery), on both engines, so both engines run the same pgbench statements.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-load}
CONFIGS=${CONFIGS:-postgres:statement citus:function postgres:function}
export PGBENCH_MODE=${PGBENCH_MODE:-prepared}
OUT=${OUT:-$(mktemp -d /tmp/sealpost-compare.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
read -r -a configs <<<"$CONFIGS"

echo "compare-engines: results in $OUT; pgbench -M $PGBENCH_MODE; loadavg before: $(cat /proc/loadavg)" | tee "$OUT/loadavg.txt"
date -u +%Y-%m-%dT%H:%M:%SZ >"$OUT/started"
# One scenario at a time over every configuration, so that each scenario's figures are
# minutes apart, not a whole run apart.
for scenario in relay claim; do
  for config in "${configs[@]}"; do
    engine=${config%%:*} least=${config#*:}
    [[ $engine != "$config" ]] || { echo "CONFIGS entries are ENGINE:LEAST, not $config" >&2; exit 1; }
    echo "== $scenario on $engine (least row work as a $least) =="
    ENGINE=$engine LEAST=$least ROUTED=1 ONLY=$scenario RESULTS="$OUT/$scenario-$engine-$least.jsonl" \
      "$root/loadtest/run-benchmarks.sh" "$build" 2>&1 | tee "$OUT/$scenario-$engine-$least.log"
  done
done
echo "loadavg after: $(cat /proc/loadavg)" | tee -a "$OUT/loadavg.txt"

python3 - "$OUT" "${configs[@]}" <<'EOF' | tee "$OUT/table.txt"
import json, sys, os

out, configs = sys.argv[1], sys.argv[2:]

def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]

def usage(rows, label):
    u = [r for r in rows if r.get("scenario") == "db_usage" and r.get("label") == label]
    return u[-1] if u else None

rows = []
notes = []
for config in configs:
    engine, least = config.split(":")
    tag = engine if least == "statement" or engine == "citus" else f"{engine} ({least} form)"
    relay = lines(f"{out}/relay-{engine}-{least}.jsonl")
    least_relay = "relay-least-function.sql" if least == "function" else "relay-least.sql"
    for r in relay:
        if r.get("scenario") != "relay" or not str(r.get("label", "")).startswith("max-"):
            continue
        s = r["params"]["senders"]
        pg = [p for p in relay if p.get("scenario") == "pgbench" and p["script"] == least_relay and p["clients"] == s]
        srv = [p for p in relay if p.get("scenario") == "pgbench" and p["script"] == "relay.sql" and p["clients"] == s]
        u = usage(relay, f"relay-max-{s}")
        rows.append((f"relay sends/s, {s} senders", tag, r["sends_per_s"], pg[-1]["tps"] if pg else None,
                     r["e2e_latency_ms"]["p99"], srv[-1]["tps"] if srv else None, u))
    half = [r for r in relay if r.get("scenario") == "relay" and r.get("label") == "half"]
    if half:
        h = half[-1]
        notes.append(f"{tag}: relay at half max ({h['params']['target_rate']:.1f} sends/s requested, "
                     f"{h['sends_per_s']:.1f} done): e2e p99 {h['e2e_latency_ms']['p99']:.1f} ms")
    claim = lines(f"{out}/claim-{engine}-{least}.jsonl")
    least_claim = "claim-least-function.sql" if least == "function" else "claim-least.sql"
    for r in claim:
        if r.get("scenario") != "claim":
            continue
        c = r["params"]["clients"]
        pg = [p for p in claim if p.get("scenario") == "pgbench" and p["script"] == least_claim and p["clients"] == c]
        srv = [p for p in claim if p.get("scenario") == "pgbench" and p["script"] == "claim.sql" and p["clients"] == c]
        rows.append((f"claims/s, {c} clients", tag, r["claims_per_s"], pg[-1]["tps"] if pg else None,
                     r["latency_ms"]["p99"], srv[-1]["tps"] if srv else None, None))
        if r.get("duplicate_keys"):
            notes.append(f"{tag}: claim storm handed out {r['duplicate_keys']} one-time keys twice")

def f(x, fmt="{:.1f}"):
    return "n/a" if x is None else fmt.format(x)

order = {c.split(":")[0] + ":" + c.split(":")[1]: i for i, c in enumerate(configs)}
print(f"| scenario | engine | ours/s | least row work (pgbench)/s | ratio | our p99 ms | server SQL (pgbench)/s | DB CPU ms per send | WAL bytes per send |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for scen in sorted({r[0] for r in rows}, key=lambda s: (not s.startswith("relay"), int(s.split(", ")[1].split()[0]))):
    for r in [r for r in rows if r[0] == scen]:
        name, tag, ours, least, p99, srv, u = r
        ratio = f"{ours / least:.2f}" if least else "n/a"
        cpu = f(u["db_cpu_ms_per_op"], "{:.3f}") if u else ""
        wal = f(u["db_wal_bytes_per_op"], "{:.0f}") if u else ""
        print(f"| {name} | {tag} | {f(ours)} | {f(least)} | {ratio} | {f(p99)} | {f(srv)} | {cpu} | {wal} |")
print()
for n in notes:
    print(n)
print()
print("Per operation, by process tree (CPU ms) and node (WAL bytes); cores busy of the machine:")
for config in configs:
    engine, least = config.split(":")
    for scen in ("relay", "claim"):
        for u in lines(f"{out}/{scen}-{engine}-{least}.jsonl"):
            if u.get("scenario") != "db_usage":
                continue
            cpu = ", ".join(f"{k} {v:.3f}" for k, v in u["cpu_ms_per_op"].items())
            wal = ", ".join(f"{k} {v:.0f}" for k, v in u["wal_bytes_per_op"].items())
            print(f"  {engine}/{least} {u['label']}: CPU {cpu}; WAL {wal}; busy {u['machine_busy_cores']} cores")
EOF
