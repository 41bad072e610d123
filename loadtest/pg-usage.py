#!/usr/bin/env python3
"""CPU time and WAL of each database node (and of other processes) over a window of a run.

  pg-usage.py locate NAME=URL... > nodes.json        (once: each node's postmaster)
  pg-usage.py snapshot nodes.json [--pid NAME=PID]... > before.json
  pg-usage.py per-op BEFORE AFTER OPS [--label L] [--engine E]   (one JSON line)

A node's CPU is that of its whole process tree, read from /proc: the postmaster's own user
+ system time, the times of its children that have exited (cutime + cstime: the postmaster
waits for every backend it forks, so a connection that came and went within the window is
counted), and the times of its live children. Its WAL is pg_current_wal_lsn(), read after
all the /proc figures (a psql call per node), so the CPU figures are taken within a few
milliseconds of each other. The snapshot also reads the machine's busy CPU time from
/proc/stat, so per-op tells how many of the cores were busy over the window. Run as the
clusters' owner or root (locate reads postmaster.pid). per-op divides the differences by
OPS (sends, claims, pgbench transactions).
"""
import glob
import json
import os
import subprocess
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")
PSQL = (sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"),
               key=lambda p: int(p.split("/")[4])) or ["psql"])[-1]


def stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    # Fields after the command name, which is in parentheses and may hold spaces.
    return s[s.rfind(")") + 2:].split()


def process_cpu(pid, children_too=False):
    """utime + stime (and cutime + cstime) of one process, in seconds."""
    f = stat_fields(pid)
    # f[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
    ticks = int(f[11]) + int(f[12])
    if children_too:
        ticks += int(f[13]) + int(f[14])
    return ticks / TICKS


def children(ppid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(stat_fields(entry)[1]) == ppid:
                    out.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass  # gone meanwhile
    return out


def tree_cpu(postmaster):
    total = process_cpu(postmaster, children_too=True)
    for pid in children(postmaster):
        try:
            total += process_cpu(pid)
        except OSError:
            # Exited between the listing and now: its time moved to the postmaster's cutime,
            # which was read already, so this snapshot misses it (a few ms at most).
            pass
    return total


def query(url, sql):
    return subprocess.run([PSQL, url, "-X", "-q", "-At", "-c", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def locate(args):
    nodes = {}
    for a in args:
        name, url = a.split("=", 1)
        data = query(url, "SHOW data_directory")
        with open(os.path.join(data, "postmaster.pid")) as f:
            nodes[name] = {"url": url, "postmaster": int(f.readline())}
    json.dump(nodes, sys.stdout)
    print()


def machine_busy():
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + cpu[4]  # idle + iowait
    return (sum(cpu[:8]) - idle) / TICKS


def snapshot(args):
    with open(args[0]) as f:
        nodes = json.load(f)
    pids = {}
    it = iter(args[1:])
    for a in it:
        if a != "--pid":
            sys.exit(__doc__)
        name, pid = next(it).split("=", 1)
        pids[name] = int(pid)
    out = {"t": time.monotonic(), "machine_busy_s": machine_busy(), "nodes": {}, "processes": {}}
    for name, node in nodes.items():
        out["nodes"][name] = {"cpu_s": tree_cpu(node["postmaster"])}
    for name, pid in pids.items():
        try:
            out["processes"][name] = process_cpu(pid)
        except OSError:
            pass
    for name, node in nodes.items():
        out["nodes"][name]["wal_bytes"] = int(
            query(node["url"], "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint"))
    json.dump(out, sys.stdout)
    print()


def per_op(args):
    before_file, after_file, ops = args[0], args[1], float(args[2])
    label = engine = None
    rest = args[3:]
    while rest:
        if rest[0] == "--label":
            label = rest[1]
        elif rest[0] == "--engine":
            engine = rest[1]
        rest = rest[2:]
    with open(before_file) as f:
        a = json.load(f)
    with open(after_file) as f:
        b = json.load(f)
    seconds = b["t"] - a["t"]
    cpu = {n: round((b["nodes"][n]["cpu_s"] - a["nodes"][n]["cpu_s"]) * 1000 / ops, 4)
           for n in a["nodes"] if n in b["nodes"]}
    wal = {n: round((b["nodes"][n]["wal_bytes"] - a["nodes"][n]["wal_bytes"]) / ops, 1)
           for n in a["nodes"] if n in b["nodes"]}
    for n in a["processes"]:
        if n in b["processes"]:
            cpu[n] = round((b["processes"][n] - a["processes"][n]) * 1000 / ops, 4)
    db_cpu = sum(v for n, v in cpu.items() if n in a["nodes"])
    db_wal = sum(wal.values())
    line = {"scenario": "db_usage", "label": label, "engine": engine, "ops": ops,
            "seconds": round(seconds, 3),
            "cpu_ms_per_op": cpu, "db_cpu_ms_per_op": round(db_cpu, 4),
            "wal_bytes_per_op": wal, "db_wal_bytes_per_op": round(db_wal, 1),
            "machine_busy_cores": round((b["machine_busy_s"] - a["machine_busy_s"]) / seconds, 3),
            "cores": os.cpu_count()}
    print(json.dumps(line))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "locate":
        locate(sys.argv[2:])
    elif sys.argv[1] == "snapshot" and len(sys.argv) >= 3:
        snapshot(sys.argv[2:])
    elif sys.argv[1] == "per-op" and len(sys.argv) >= 5:
        per_op(sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
