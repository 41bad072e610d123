#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder of ours, for the embedded default and the tests.
#   local-postgres.sh start DIR [--fast]   create once (initdb), start, create database
#                                          "sealpost"; print its URL; write DIR/env
#   local-postgres.sh stop DIR             stop it (data is kept)
#   local-postgres.sh kill DIR             stop it at once, like a crash (immediate mode:
#                                          no checkpoint; the next start runs crash recovery)
#   local-postgres.sh url DIR              print the URL of a running cluster
# Postgres refuses to run as root: as root the cluster belongs to the unprivileged
# `postgres` user (created by Debian's package); otherwise to the calling user.
# It listens on a Unix socket only, so it never collides with another server's port.
# --fast turns off durability (fsync) for throwaway test clusters.
# --nofsync turns off fsync but keeps synchronous commit: a commit is written to the OS
# before it is confirmed, so it survives a crash of Postgres (`kill`), not of the machine.
# (Both take effect when the cluster is created.)
set -euo pipefail

die() { echo "local-postgres: $*" >&2; exit 1; }

cmd=${1:-}; dir=${2:-}
[[ -n $cmd && -n $dir ]] || die "usage: $0 start|stop|kill|url DIR [--fast|--nofsync]"
fast=${3:-}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x $bindir/initdb ]] || die "PostgreSQL server binaries not found; run scripts/install-deps.sh"

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data=$dir/data

if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  owner=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

# Unix socket paths are limited to 107 bytes: fall back to a short folder under /tmp.
sockdir=$dir/run
if (( ${#sockdir} > 80 )); then
  sockdir=/tmp/sealpost-pg-$(echo -n "$dir" | md5sum | cut -c1-12)
fi
port=5432
url="postgresql:///sealpost?host=${sockdir}&port=${port}&user=${owner}"

is_running() { as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; }

case $cmd in
  start)
    mkdir -p "$sockdir"
    chown "$owner" "$dir" "$sockdir"
    chmod 0755 "$sockdir"
    if [[ ! -f $data/PG_VERSION ]]; then
      rm -rf "$data"
      as_owner "$bindir/initdb" -D "$data" --auth=trust --username="$owner" \
        --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
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
      } | as_owner tee -a "$data/postgresql.conf" >/dev/null
    fi
    if ! is_running; then
      as_owner "$bindir/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 start >/dev/null \
        || { tail -n 20 "$dir/postgres.log" >&2; die "postgres did not start"; }
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
  url)
    is_running || die "no cluster running in $dir"
    echo "$url"
    ;;
  *) die "unknown command '$cmd'" ;;
esac
