#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder of ours, for the embedded default and the tests.
#   local-postgres.sh start DIR [--fast]   create once (initdb), start, create database
#                                          "sealpost"; print its URL; write DIR/env
#   local-postgres.sh stop DIR             stop it (data is kept)
#   local-postgres.sh kill DIR             stop it at once, like a crash (immediate mode:
#                                          no checkpoint; the next start runs crash recovery)
#   local-postgres.sh sigkill DIR          SIGKILL the postmaster and every process of it at
#                                          once, as the kernel's OOM killer would: nothing
#                                          runs its shutdown code; the next start recovers
#   local-postgres.sh url DIR              print the URL of a running cluster
# Postgres refuses to run as root: as root the cluster belongs to the unprivileged
# `postgres` user (created by Debian's package); otherwise to the calling user.
# When `postgres` cannot reach DIR (a checkout under /root or another 0700 home folder),
# the cluster lives in /var/lib/sealpost/clusters/<hash of DIR> instead, a folder that
# belongs to `postgres`; `start` says where, and DIR/cluster-location records it.
# It listens on a Unix socket only, so it never collides with another server's port.
# --fast turns off durability (fsync) for throwaway test clusters.
# --nofsync turns off fsync but keeps synchronous commit: a commit is written to the OS
# before it is confirmed, so it survives a crash of Postgres (`kill`), not of the machine.
# (Both take effect when the cluster is created.)
# SEALPOST_PG_EXTRA_CONF: lines added to postgresql.conf when the cluster is created
# (scripts/local-citus.sh preloads Citus with it).
set -euo pipefail

die() { echo "local-postgres: $*" >&2; exit 1; }

cmd=${1:-}; dir=${2:-}
[[ -n $cmd && -n $dir ]] || die "usage: $0 start|stop|kill|sigkill|url DIR [--fast|--nofsync]"
fast=${3:-}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x $bindir/initdb ]] || die "PostgreSQL server binaries not found; run scripts/install-deps.sh"

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
dir_hash=$(echo -n "$dir" | md5sum | cut -c1-12)

if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  owner=postgres
  # From /: the caller's folder may be one that postgres cannot enter (a checkout in /root).
  as_owner() { (cd / && runuser -u postgres -- "$@"); }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

# The folder the cluster lives in: DIR itself when its owner can reach it; otherwise (root
# with the checkout in a 0700 home folder: `postgres` cannot search the folders above DIR)
# a folder of ours that belongs to `postgres`. Decided the same way by every command, so
# `stop` finds what `start` made.
home=$dir
if [[ $owner != "$(id -un)" ]]; then
  chown "$owner" "$dir"
  if ! as_owner test -x "$dir" -a -w "$dir"; then
    home=/var/lib/sealpost/clusters/$dir_hash
    mkdir -p "$home"
    chmod 0755 /var/lib/sealpost /var/lib/sealpost/clusters
    chown "$owner" "$home"
    chmod 0700 "$home"
    echo "$home" >"$dir/cluster-location"
  fi
fi
data=$home/data

# Unix socket paths are limited to 107 bytes: fall back to a short folder under /tmp.
sockdir=$home/run
if (( ${#sockdir} > 80 )); then
  sockdir=/tmp/sealpost-pg-$dir_hash
fi
port=5432
url="postgresql:///sealpost?host=${sockdir}&port=${port}&user=${owner}"

is_running() { as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; }

case $cmd in
  start)
    if [[ $home != "$dir" ]]; then
      echo "local-postgres: user $owner cannot reach $dir (a folder above it is private);" \
        "the cluster lives in $home" >&2
    fi
    mkdir -p "$sockdir"
    chown "$owner" "$home" "$sockdir"
    chmod 0755 "$sockdir"
    if [[ ! -f $data/PG_VERSION ]]; then
      rm -rf "$data"
      as_owner "$bindir/initdb" -D "$data" --auth=trust --username="$owner" \
        --encoding=UTF8 --locale=C.UTF-8 >"$home/initdb.log" 2>&1 \
        || { cat "$home/initdb.log" >&2; die "initdb failed"; }
      {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$sockdir'"
        echo "port = $port"
        echo "max_connections = 200"
        if [[ $fast == --fast ]]; then
          echo "fsync = off"
          echo "synchronous_commit = off"
          echo "full_page_writes = off"
        elif [[ $fast == --nofsync ]]; then
          echo "fsync = off"
          echo "full_page_writes = off"
        fi
        if [[ -n ${SEALPOST_PG_EXTRA_CONF:-} ]]; then
          echo "$SEALPOST_PG_EXTRA_CONF"
        fi
      } | as_owner tee -a "$data/postgresql.conf" >/dev/null
    fi
    if ! is_running; then
      as_owner "$bindir/pg_ctl" -D "$data" -l "$home/postgres.log" -w -t 60 start >/dev/null \
        || { tail -n 20 "$home/postgres.log" >&2; die "postgres did not start"; }
    fi
    if ! as_owner "$bindir/psql" -h "$sockdir" -p "$port" -d postgres -Atqc \
        "SELECT 1 FROM pg_database WHERE datname = 'sealpost'" | grep -q 1; then
      as_owner "$bindir/createdb" -h "$sockdir" -p "$port" sealpost
    fi
    echo "SEALPOST_DATABASE_URL=$url" >"$dir/env"
    echo "$url"
    ;;
  stop)
    if [[ -f $data/PG_VERSION ]] && is_running; then
      as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
    ;;
  kill)
    if [[ -f $data/PG_VERSION ]] && is_running; then
      as_owner "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null
    fi
    ;;
  sigkill)
    if [[ -f $data/postmaster.pid ]] && is_running; then
      postmaster=$(head -n 1 "$data/postmaster.pid")
      # The postmaster and its children in one call: none is left to notice and shut down
      # cleanly. (A child it forks in between sees its parent gone and exits on its own.)
      mapfile -t victims < <(echo "$postmaster"; pgrep -P "$postmaster" || true)
      kill -KILL "${victims[@]}" 2>/dev/null || true
      # Wait until they are reaped, not merely dead: pg_ctl takes a zombie postmaster for a
      # running one, and would neither start nor stop the cluster.
      for pid in "${victims[@]}"; do
        for ((i = 0; i < 600; ++i)); do
          [[ -z $(ps -o pid= -p "$pid" 2>/dev/null) ]] && break
          sleep 0.05
        done
        [[ -z $(ps -o pid= -p "$pid" 2>/dev/null) ]] || die "process $pid was killed but not reaped in 30 s"
      done
    fi
    ;;
  url)
    is_running || die "no cluster running in $dir"
    echo "$url"
    ;;
  *) die "unknown command '$cmd'" ;;
esac
