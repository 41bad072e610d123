#!/usr/bin/env python3
"""A pgbench run second by second, as CSV for the benchmark charts (render-charts.sh).

  pgbench-seconds.py OUTPUT TRANSACTION_LOG... > FILE.csv

OUTPUT is what pgbench printed with --progress=1 (its "progress: 3.0 s, 652.9 tps, lat
12.199 ms stddev 6.234, 0 failed" lines); the TRANSACTION_LOGs are what it wrote with
--log (one line per transaction: client, transaction, latency in us, script, completion
time in s and us, ...). pgbench's progress gives each second's tps and mean latency but no
percentile, so the p99 of each second comes from the transaction log: the transactions
that completed in that second, the same rule as sealpost-loadtest --progress-csv.

Columns: elapsed_s (the end of the second, as pgbench's progress labels it), tps,
lat_avg_ms and lat_stddev_ms (pgbench's progress line), transactions and p99_ms (the
transaction log). A field is empty where its source has no figure for that second.
"""
import math
import re
import sys

PROGRESS = re.compile(r"^progress: ([0-9.]+) s, ([0-9.]+) tps, lat ([0-9.]+) ms stddev ([0-9.]+|NaN)")


def progress_seconds(path):
    """{second: (tps, mean ms, stddev ms)} from pgbench's progress lines."""
    seconds = {}
    with open(path) as f:
        for line in f:
            m = PROGRESS.match(line)
            if m:
                stddev = "" if m.group(4) == "NaN" else m.group(4)
                seconds[round(float(m.group(1)))] = (m.group(2), m.group(3), stddev)
    return seconds


def transactions(paths):
    """(completion time in s, latency in us) of every transaction that succeeded."""
    done = []
    for path in paths:
        with open(path) as f:
            for line in f:
                fields = line.split()
                # A failed transaction has a word ("failed", "serialization") for its latency.
                if len(fields) >= 6 and fields[2].isdigit():
                    done.append((int(fields[4]) + int(fields[5]) / 1e6, int(fields[2])))
    return done


def p99_ms(latencies_us):
    """The same quantile as sealpost-loadtest: the sample at index floor(0.99 (n - 1))."""
    ordered = sorted(latencies_us)
    return ordered[int(0.99 * (len(ordered) - 1))] / 1000


def log_seconds(done):
    """{second: (transactions, p99 ms)}, second k holding the completions in [k - 1, k) after
    the run's start, which is taken as the earliest transaction's start."""
    if not done:
        return {}
    start = min(end - latency / 1e6 for end, latency in done)
    buckets = {}
    for end, latency in done:
        buckets.setdefault(math.floor(end - start) + 1, []).append(latency)
    return {k: (len(v), p99_ms(v)) for k, v in buckets.items()}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.split("\n\n")[1])
    progress = progress_seconds(sys.argv[1])
    logged = log_seconds(transactions(sys.argv[2:]))
    print("elapsed_s,tps,lat_avg_ms,lat_stddev_ms,transactions,p99_ms")
    for k in sorted(set(progress) | set(logged)):
        tps, avg, stddev = progress.get(k, ("", "", ""))
        n, p99 = logged.get(k, ("", ""))
        print(f"{k},{tps},{avg},{stddev},{n},{'' if p99 == '' else f'{p99:.3f}'}")


if __name__ == "__main__":
    main()
