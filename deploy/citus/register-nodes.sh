#!/usr/bin/env bash
# Registers the Citus nodes of deploy/docker-compose.citus.yml with each other. The one-shot
# service `citus-init` runs it after every node is healthy and before `sealpost` starts, and
# again on every `docker compose up`, where it changes nothing. It:
#  1. waits until every node accepts connections over the network and is out of recovery
#     (after a restore it replays WAL first; CITUS_WAIT_SECONDS);
#  2. creates the citus extension in the database on every node, if missing (the image
#     creates it when a node's volume is first initialised; a worker must have it before
#     citus_add_node);
#  3. names the coordinator by its service name (citus_set_coordinator_host), so that the
#     workers reach it, and adds every worker (citus_add_node returns the id of a node that
#     is already registered, and does nothing else);
#  4. checks that every node reaches every other one (citus_check_cluster_node_health):
#     a node that cannot authenticate to another, for example because PGPASSWORD is missing
#     from its environment, fails here rather than in the middle of sealpost's start-up.
# Any failure exits non-zero, and Compose then does not start sealpost.
# Why before sealpost: at start-up the server distributes its tables over the workers
# registered at that moment (server/storage/distribution.cpp). With none, Citus either puts
# every shard on the coordinator (nothing registered yet) or refuses to create the shards
# (coordinator named, no workers), and sealpost exits.
# Environment: CITUS_COORDINATOR (host name), CITUS_WORKERS (host names, space-separated),
# CITUS_PORT (5432), CITUS_WAIT_SECONDS (120), and libpq's PGUSER, PGDATABASE, PGPASSWORD.
set -euo pipefail

say() { echo "register-nodes: $*"; }
die() { echo "register-nodes: $*" >&2; exit 1; }

coordinator=${CITUS_COORDINATOR:-}
read -r -a workers <<<"${CITUS_WORKERS:-}"
port=${CITUS_PORT:-5432}
wait_seconds=${CITUS_WAIT_SECONDS:-120}
[[ -n $coordinator ]] || die "set CITUS_COORDINATOR to the coordinator's host name"
((${#workers[@]} > 0)) || die "set CITUS_WORKERS to the workers' host names"
[[ $port =~ ^[0-9]+$ && $wait_seconds =~ ^[0-9]+$ ]] || die "CITUS_PORT and CITUS_WAIT_SECONDS are numbers"

# psql on one node: no psqlrc, unaligned tuples only, stop at the first error, no NOTICEs
# ("extension citus already exists, skipping").
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
on() {
  local host=$1
  shift
  psql --host="$host" --port="$port" --no-psqlrc --quiet --tuples-only --no-align \
    --set=ON_ERROR_STOP=1 "$@"
}

wait_for() {
  local host=$1 deadline=$((SECONDS + wait_seconds)) out
  until out=$(on "$host" --command='SELECT NOT pg_is_in_recovery()' 2>&1) && [[ $out == t ]]; do
    if ((SECONDS >= deadline)); then
      [[ $out != f ]] || out="still in recovery"
      die "$host:$port is not ready after ${wait_seconds}s: $out"
    fi
    sleep 1
  done
}

for node in "$coordinator" "${workers[@]}"; do
  wait_for "$node"
  on "$node" --command='CREATE EXTENSION IF NOT EXISTS citus' >/dev/null
done

# Statements come on stdin, where psql substitutes :'variables' (it does not in --command).
on "$coordinator" --set=host="$coordinator" --set=port="$port" >/dev/null <<'SQL'
SELECT citus_set_coordinator_host(:'host', :port)
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_node
                  WHERE groupid = 0 AND nodename = :'host' AND nodeport = :port);
SQL
for worker in "${workers[@]}"; do
  id=$(on "$coordinator" --set=host="$worker" --set=port="$port" <<'SQL'
SELECT citus_add_node(:'host', :port);
SQL
  )
  say "worker $worker:$port is node $id"
done

unreachable=$(on "$coordinator" <<'SQL'
SELECT from_nodename || ':' || from_nodeport || ' cannot reach ' || to_nodename || ':' || to_nodeport
FROM citus_check_cluster_node_health()
WHERE result IS DISTINCT FROM true;
SQL
)
[[ -z $unreachable ]] || die "nodes cannot reach each other (check PGPASSWORD in every node's environment):
$unreachable"

inactive=$(on "$coordinator" --set=workers="${workers[*]}" --set=port="$port" <<'SQL'
SELECT w FROM unnest(string_to_array(:'workers', ' ')) AS w
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_node
                  WHERE nodename = w AND nodeport = :port AND isactive AND noderole = 'primary');
SQL
)
[[ -z $inactive ]] || die "registered but not active: $inactive"

say "coordinator $coordinator:$port with active workers:"
on "$coordinator" <<'SQL'
SELECT '  ' || nodename || ':' || nodeport FROM pg_dist_node
WHERE groupid <> 0 AND isactive AND noderole = 'primary' ORDER BY nodename, nodeport;
SQL
