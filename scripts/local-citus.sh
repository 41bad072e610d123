#!/usr/bin/env bash
# A private Citus cluster (distributed PostgreSQL) in a folder of ours: one coordinator and
# N workers, each a local cluster made by scripts/local-postgres.sh, for running the server
# and the tests on Citus exactly as on plain Postgres (docs/scaling.md).
#   local-citus.sh start DIR [--workers N] [--fast|--nofsync]
#                         build and install Citus once, create the nodes once (N = 2 by
#                         default), start them, register the workers with the coordinator
#                         in database "sealpost"; print the coordinator's URL; write DIR/env
#   local-citus.sh install             only build and install Citus (once; cached)
#   local-citus.sh stop DIR            stop every node (data is kept)
#   local-citus.sh kill-worker DIR K   SIGKILL worker K (its postmaster and every backend)
#   local-citus.sh start-worker DIR K  start worker K again
#   local-citus.sh url DIR             print the coordinator's URL
# DIR/env holds SEALPOST_DATABASE_URL (the coordinator) and SEALPOST_CITUS_WORKERS, the
# workers' URLs separated by spaces (the test harness creates each test database on them).
# Nodes reach each other over their Unix sockets: no TCP port is opened.
# --fast turns fsync off but, unlike on plain Postgres, never synchronous commit: every node
# runs synchronous_commit = on (set at each start, so a cluster made before holds it too).
# A shard move's final catch-up waits only for the WAL the source has written
# (pg_current_wal_lsn()); an asynchronous commit whose record is not written yet is left
# behind on the old placement, and a send answered 200 is lost (docs/scaling.md, "Moving
# shards while the service runs").
# Citus comes from ../shared/vendor (CITUS_VENDOR_DIR overrides): unmodified source plus a
# one-line build fix for bookworm's PostgreSQL 15 headers (see its README). It is built once
# into DIR-independent cache CITUS_BUILD_DIR (default /var/cache/sealpost/citus) and
# installed into PostgreSQL's own library folders, which needs root (or sudo).
set -euo pipefail

die() { echo "local-citus: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}; dir=${2:-}
[[ $cmd == install ]] && dir=none
[[ -n $cmd && -n $dir ]] || die "usage: $0 install; start|stop|url DIR [--workers N] [--fast|--nofsync]; kill-worker|start-worker DIR K"
shift $(($# < 2 ? $# : 2))
workers=2 durability=()
while (($#)); do
  case $1 in
    --workers) workers=${2:?}; shift 2 ;;
    --fast | --nofsync) durability=("$1"); shift ;;
    [0-9]*) worker_arg=$1; shift ;;
    *) die "unknown option $1" ;;
  esac
done
[[ $workers =~ ^[1-9][0-9]?$ ]] || die "--workers is a number from 1 to 99"

citus_version=13.2.2
vendor=${CITUS_VENDOR_DIR:-$root/../shared/vendor}
cache=${CITUS_BUILD_DIR:-/var/cache/sealpost/citus}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pg_config=$bindir/pg_config
[[ -x $pg_config ]] || pg_config=$(command -v pg_config || true)

sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)

# The installed extension answers for its version in its control file.
citus_installed() {
  local control
  control=$("$pg_config" --sharedir 2>/dev/null)/extension/citus.control
  [[ -f $control ]] && grep -q "default_version = '13.2" "$control" \
    && [[ -f $("$pg_config" --pkglibdir)/citus.so ]]
}

install_citus() {
  citus_installed && return 0
  "$root/scripts/install-deps.sh" --citus
  pg_config=$bindir/pg_config
  local tarball=$vendor/citus-$citus_version.tar.gz patch=$vendor/citus-$citus_version-pg15.20.patch
  [[ -f $tarball && -f $patch ]] || die "Citus source not found in $vendor (set CITUS_VENDOR_DIR)"
  "${sudo_cmd[@]}" mkdir -p "$cache"
  "${sudo_cmd[@]}" chown "$(id -u)" "$cache"
  local src=$cache/citus-$citus_version
  if [[ ! -f $src/.built ]]; then
    echo "local-citus: building Citus $citus_version (about 2 minutes on 2 cores)" >&2
    rm -rf "$src"
    tar -xzf "$tarball" -C "$cache"
    (cd "$src" && patch -p1 -s <"$patch" \
      && ./configure --without-libcurl PG_CONFIG="$pg_config" >"$cache/configure.log" 2>&1 \
      && make -j2 >"$cache/make.log" 2>&1) \
      || die "Citus build failed; see $cache/configure.log and $cache/make.log"
    touch "$src/.built"
  fi
  (cd "$src" && "${sudo_cmd[@]}" make install >"$cache/install.log" 2>&1) \
    || die "Citus install failed; see $cache/install.log"
  citus_installed || die "Citus installed but PostgreSQL does not see it"
}

node_dirs() {
  echo "$dir/coordinator"
  local k
  for ((k = 1; k <= workers; ++k)); do echo "$dir/worker-$k"; done
}

# Every node is made by local-postgres.sh; Citus must be preloaded before the first start.
# Logical WAL lets Citus move shards between workers while they take writes (rebalancing).
start_node() {
  local node=$1
  SEALPOST_PG_EXTRA_CONF="shared_preload_libraries = 'citus'
max_prepared_transactions = 200
wal_level = logical" \
    "$root/scripts/local-postgres.sh" start "$node" "${durability[@]}"
}

# libpq URL -> its socket folder (the `host` query parameter), which is the name Citus
# gives the node: libpq takes a host starting with / as a Unix socket folder.
socket_of() { sed -E 's/.*[?&]host=([^&]*).*/\1/' <<<"$1"; }

sql() { "$bindir/psql" "$1" -X -q -At -v ON_ERROR_STOP=1 -c "$2"; }

# Each node's name for itself: Citus connects to the local node (to copy a shard it moves,
# say) at citus.local_hostname, "localhost" by default, and our nodes have no TCP port.
name_nodes() {
  local url
  for url in "$@"; do
    sql "$url" "ALTER SYSTEM SET citus.local_hostname = '$(socket_of "$url")'" >/dev/null
    sql "$url" "SELECT pg_reload_conf()" >/dev/null
  done
}

# Every node commits synchronously, whatever --fast wrote into its postgresql.conf (see the
# header): ALTER SYSTEM outranks postgresql.conf.
keep_synchronous_commit() {
  local url
  for url in "$@"; do
    sql "$url" "ALTER SYSTEM SET synchronous_commit = 'on'" >/dev/null
    sql "$url" "SELECT pg_reload_conf()" >/dev/null
  done
}

# Registers the workers with the coordinator in database "sealpost" (idempotent).
register_nodes() {
  local coordinator=$1; shift
  sql "$coordinator" "CREATE EXTENSION IF NOT EXISTS citus" >/dev/null
  sql "$coordinator" "SELECT citus_set_coordinator_host('$(socket_of "$coordinator")', 5432)" >/dev/null
  local w
  for w in "$@"; do
    sql "$w" "CREATE EXTENSION IF NOT EXISTS citus" >/dev/null
    sql "$coordinator" "SELECT citus_add_node('$(socket_of "$w")', 5432)
      WHERE NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE nodename = '$(socket_of "$w")')" >/dev/null
  done
}

read_workers() {
  [[ -f $dir/nodes ]] || die "no Citus cluster in $dir (run start first)"
  workers=$(($(wc -l <"$dir/nodes") - 1))
}

case $cmd in
  install) install_citus ;;
  start)
    install_citus
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [[ -f $dir/nodes ]]; then
      read_workers
    fi
    node_dirs >"$dir/nodes"
    urls=()
    while read -r node; do
      urls+=("$(start_node "$node")")
    done <"$dir/nodes"
    name_nodes "${urls[@]}"
    keep_synchronous_commit "${urls[@]}"
    register_nodes "${urls[@]}"
    {
      echo "SEALPOST_DATABASE_URL=${urls[0]}"
      echo "SEALPOST_CITUS_WORKERS=${urls[*]:1}"
    } >"$dir/env"
    echo "${urls[0]}"
    ;;
  stop)
    dir=$(cd "$dir" && pwd)
    read_workers
    while read -r node; do
      "$root/scripts/local-postgres.sh" stop "$node"
    done < <(tac "$dir/nodes")
    ;;
  kill-worker | start-worker)
    dir=$(cd "$dir" && pwd)
    read_workers
    [[ ${worker_arg:-} =~ ^[0-9]+$ ]] && ((worker_arg >= 1 && worker_arg <= workers)) \
      || die "name a worker from 1 to $workers"
    if [[ $cmd == kill-worker ]]; then
      "$root/scripts/local-postgres.sh" sigkill "$dir/worker-$worker_arg"
    else
      start_node "$dir/worker-$worker_arg" >/dev/null
    fi
    ;;
  url)
    dir=$(cd "$dir" && pwd)
    "$root/scripts/local-postgres.sh" url "$dir/coordinator"
    ;;
  *) die "unknown command '$cmd'" ;;
esac
