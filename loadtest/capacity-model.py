#!/usr/bin/env python3
"""The capacity model of docs/scaling.md: throughput and storage against the number of Citus
workers, from measured per-operation figures and stated assumptions.

  capacity-model.py --compare DIR --storage FILE [FILE...] [assumptions]

DIR is loadtest/compare-engines.sh's OUT folder (relay-*.jsonl, claim-*.jsonl), FILE the
RESULTS of loadtest/measure-storage.sh (ENGINE=citus). Measured inputs:
  - database CPU per send on the workers (summed over them: a send runs on one worker) and
    on the coordinator, and WAL per send, from the Citus relay run as fast as possible
    with --senders senders (db_usage line relay-max-N), and the same on plain Postgres;
  - database CPU and WAL per claim from pgbench running the server's claim (claim.sql);
  - bytes on disk per row of each per-account, per-device and per-key table, per claimed
    key and per queued envelope at --content-bytes.
Everything else is an assumption, with its default here and printed beside the result.
Prints markdown: the inputs (measured or assumed), then one row per worker count.
"""
import argparse
import json
import math


def read_lines(path):
    try:
        with open(path) as f:
            return [json.loads(l) for l in f if l.strip()]
    except FileNotFoundError:
        return []


def usage(lines, label):
    found = [l for l in lines if l.get("scenario") == "db_usage" and l.get("label") == label]
    if not found:
        raise SystemExit(f"capacity-model: no db_usage line {label}")
    return found[-1]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--compare", required=True)
    p.add_argument("--storage", nargs="+", required=True)
    p.add_argument("--senders", type=int, default=32, help="which relay run's costs to use")
    p.add_argument("--devices", type=float, default=1e6)
    p.add_argument("--devices-per-account", type=float, default=2)
    p.add_argument("--envelopes-per-day", type=float, default=1e8)
    p.add_argument("--envelopes-per-send", type=float, default=2,
                   help="a send to an account with 2 devices, as in the benchmark")
    p.add_argument("--peak-factor", type=float, default=4)
    p.add_argument("--content-bytes", type=int, default=512)
    p.add_argument("--claims-per-device-per-day", type=float, default=1)
    p.add_argument("--cores-per-worker", type=int, default=8)
    p.add_argument("--coordinator-cores", type=int, default=8)
    p.add_argument("--utilization", type=float, default=0.6,
                   help="share of a node's CPU to plan for at peak")
    p.add_argument("--retention-days", type=float, nargs="+", default=[1, 7, 30])
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    a = p.parse_args()

    relay_citus = read_lines(f"{a.compare}/relay-citus-function.jsonl")
    relay_pg = read_lines(f"{a.compare}/relay-postgres-statement.jsonl")
    claim_citus = read_lines(f"{a.compare}/claim-citus-function.jsonl")
    u = usage(relay_citus, f"relay-max-{a.senders}")
    worker_ms = sum(v for k, v in u["cpu_ms_per_op"].items() if k.startswith("worker-"))
    coord_ms = u["cpu_ms_per_op"]["coordinator"]
    server_ms = sum(v for k, v in u["cpu_ms_per_op"].items() if k.startswith("server-"))
    wal_send = sum(v for k, v in u["wal_bytes_per_op"].items() if k.startswith("worker-"))
    upg = usage(relay_pg, f"relay-max-{a.senders}")
    pg_ms = upg["cpu_ms_per_op"]["postgres"]
    uc = usage(claim_citus, "pgbench-claim-c8")
    claim_worker_ms = sum(v for k, v in uc["cpu_ms_per_op"].items() if k.startswith("worker-"))
    claim_coord_ms = uc["cpu_ms_per_op"]["coordinator"]
    wal_claim = sum(v for k, v in uc["wal_bytes_per_op"].items() if k.startswith("worker-"))

    rows = {}
    for path in a.storage:
        for l in read_lines(path):
            # Of several measurements of a table, the one over the most rows.
            key = (l.get("table"), l.get("label"))
            if l.get("scenario") == "storage" and l.get("engine") == "citus" and (
                    key not in rows or l["rows"] > rows[key][0]):
                rows[key] = (l["rows"], l["bytes_per_row"])

    def row(table, label):
        key = (table, label)
        if key not in rows:
            raise SystemExit(f"capacity-model: no storage figure for {table} {label}")
        return rows[key][1]

    per_account = row("accounts", "per account") + row("usernames", "per account")
    per_device = (row("devices", "per device") + row("signed_prekeys", "per device")
                  + row("pq_last_resort_prekeys", "per device")
                  + row("device_presence", "per connected device"))
    per_device_keys = 100 * row("one_time_prekeys", "per key") + 100 * row("pq_one_time_prekeys", "per key")
    per_claimed_key = row("claimed_prekeys", "per claimed key (EC or PQ)")
    per_envelope = row("messages", f"per envelope, content {a.content_bytes} bytes")

    accounts = a.devices / a.devices_per_account
    envelopes_s = a.envelopes_per_day / 86400
    sends_s = envelopes_s / a.envelopes_per_send
    peak_sends = sends_s * a.peak_factor
    claims_s = a.devices * a.claims_per_device_per_day / 86400
    peak_claims = claims_s * a.peak_factor

    directory_gb = (accounts * per_account + a.devices * (per_device + per_device_keys)) / 1e9
    claimed_gb_year = claims_s * 86400 * 365 * 2 * per_claimed_key / 1e9
    queue_gb_day = a.envelopes_per_day * per_envelope / 1e9

    # CPU demand at peak, in cores (ms of CPU per second = cores * 1000).
    worker_cores_peak = (peak_sends * worker_ms + peak_claims * claim_worker_ms) / 1000
    coord_cores_peak = (peak_sends * coord_ms + peak_claims * claim_coord_ms) / 1000
    wal_peak = peak_sends * wal_send + peak_claims * wal_claim
    # What one node can take at the planned utilization, in sends/s (claims folded in at
    # their share of the peak).
    mix_worker_ms = worker_ms + (peak_claims / peak_sends) * claim_worker_ms
    mix_coord_ms = coord_ms + (peak_claims / peak_sends) * claim_coord_ms
    per_worker_sends = a.cores_per_worker * a.utilization * 1000 / mix_worker_ms
    coord_ceiling = a.coordinator_cores * a.utilization * 1000 / mix_coord_ms

    print("Inputs (M = measured on this machine, A = assumed):\n")
    print("| input | value | |")
    print("| --- | ---: | --- |")
    print(f"| devices; accounts ({a.devices_per_account:g} devices each) | {a.devices:,.0f}; {accounts:,.0f} | A |")
    print(f"| envelopes a day; average envelopes/s | {a.envelopes_per_day:,.0f}; {envelopes_s:,.0f} | A (issue 17) |")
    print(f"| sends/s (each {a.envelopes_per_send:g} envelopes), average; at peak ({a.peak_factor:g}x) | {sends_s:,.0f}; {peak_sends:,.0f} | A |")
    print(f"| claims a device a day; claims/s at peak | {a.claims_per_device_per_day:g}; {peak_claims:,.1f} | A |")
    print(f"| database CPU per send, workers (Citus, {a.senders} senders) | {worker_ms:.2f} ms | M |")
    print(f"| database CPU per send, coordinator | {coord_ms:.2f} ms | M |")
    print(f"| server CPU per send (Citus run; scales out with server nodes) | {server_ms:.2f} ms | M |")
    print(f"| database CPU per send, plain Postgres ({a.senders} senders) | {pg_ms:.2f} ms | M |")
    print(f"| WAL per send, workers | {wal_send:,.0f} bytes | M |")
    print(f"| database CPU per claim, workers; coordinator (pgbench, server's claim) | {claim_worker_ms:.2f}; {claim_coord_ms:.2f} ms | M |")
    print(f"| bytes per account (accounts, usernames) | {per_account:,.0f} | M |")
    print(f"| bytes per device (device, signed prekey, PQ last resort, presence) | {per_device:,.0f} | M |")
    print(f"| bytes per device for 100 EC + 100 PQ one-time keys | {per_device_keys:,.0f} | M |")
    print(f"| bytes per claimed one-time key (kept for ever) | {per_claimed_key:,.0f} | M |")
    print(f"| bytes per queued envelope, {a.content_bytes} bytes of content | {per_envelope:,.0f} | M (size: A) |")
    print(f"| cores per worker; coordinator cores; CPU share planned at peak | {a.cores_per_worker}; {a.coordinator_cores}; {a.utilization:.0%} | A |")
    print()
    print(f"At peak the workers together need {worker_cores_peak:.1f} cores and the coordinator "
          f"{coord_cores_peak:.1f} (plain Postgres on one machine: {peak_sends * pg_ms / 1000:.1f}); "
          f"WAL {wal_peak / 1e6:.2f} MB/s in all. Directory (accounts, devices, full key pools): "
          f"{directory_gb:,.0f} GB; claimed-key records grow {claimed_gb_year:,.0f} GB a year; "
          f"each day of traffic left undelivered holds {queue_gb_day:,.0f} GB.\n")
    days = a.retention_days
    print("| workers | sends/s the workers take | coordinator ceiling, sends/s | worker CPU at peak | "
          "storage per worker: directory | + queue, " + ", ".join(f"{d:g} d" for d in days)
          + " undelivered | WAL per worker at peak |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in a.workers:
        capacity = n * per_worker_sends
        load = worker_cores_peak / (n * a.cores_per_worker)
        dir_w = directory_gb / n
        queue = ", ".join(f"{(directory_gb + d * queue_gb_day) / n:,.0f} GB" for d in days)
        print(f"| {n} | {capacity:,.0f} | {coord_ceiling:,.0f} | {load:.0%} of {a.cores_per_worker} cores | "
              f"{dir_w:,.0f} GB | {queue} | {wal_peak / n / 1e6:.2f} MB/s |")
    needed = math.ceil(worker_cores_peak / (a.cores_per_worker * a.utilization))
    print(f"\nWorkers needed at peak ({a.utilization:.0%} CPU): {needed}. "
          f"Coordinator at peak: {coord_cores_peak / a.coordinator_cores:.0%} of {a.coordinator_cores} cores.")


if __name__ == "__main__":
    main()
