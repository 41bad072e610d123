#!/usr/bin/env bash
# Checks deploy/docker-compose.citus.yml (Sealpost on Citus) without a Docker engine:
#  - `docker-compose config` (Debian's docker-compose) accepts it with POSTGRES_PASSWORD set,
#    and refuses it without one, naming the variable; deploy/.env.example with the password
#    filled in and its COMPOSE_FILE line uncommented selects and configures it;
#  - the resolved file keeps its promises: every database node runs the same pinned
#    citusdata/citus 13.2.x image for PostgreSQL 15, publishes no port, preloads citus, runs
#    with wal_level=logical (shard moves) and without synchronous_commit=off (a shard move
#    would lose answered sends), archives its WAL into its own volume next to (not
#    inside) the data directory and restores from there, sends no usage reports, has the
#    password in PGPASSWORD (Citus's connections between nodes), a TCP health check and a
#    stop grace period; each node has a volume of its own; citus-init waits for every node,
#    registers exactly the worker services, runs deploy/citus/register-nodes.sh mounted
#    read-only and runs once; sealpost waits for the coordinator to be healthy and for
#    citus-init to complete, and its database URL names the coordinator without a password;
#  - sealpost, prometheus and grafana are the services of deploy/docker-compose.yml but for
#    sealpost's database URL and start order, so that the two files cannot drift apart;
#  - the password enters the file only as ${POSTGRES_PASSWORD:?...};
#  - deploy/citus/register-nodes.sh parses (bash -n), passes shellcheck when installed, and,
#    run against a stand-in psql, creates the extension on every node before it registers
#    the workers, registers each listed worker, and fails (so sealpost does not start) when
#    a node never answers or stays in recovery, when nodes cannot reach each other, or when
#    a worker is inactive.
# Exit 0 when all pass; 1 with a message per failed check. A missing docker-compose is a
# failure, not a skip: scripts/install-deps.sh installs it.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
deploy=$root/deploy
citus_file=$deploy/docker-compose.citus.yml
register=$deploy/citus/register-nodes.sh
check_tools=docker-compose
# shellcheck source=check-lib.sh
source "$root/tests/deploy/check-lib.sh"

for f in docker-compose.citus.yml citus/register-nodes.sh docker-compose.yml .env.example; do
  if [[ -f $deploy/$f ]]; then pass "deploy/$f exists"; else fail "deploy/$f is missing"; fi
done

# docker-compose reads COMPOSE_* variables, CITUS_IMAGE and deploy/.env: keep them all out.
compose() {
  env -u COMPOSE_FILE -u COMPOSE_PROFILES -u COMPOSE_PROJECT_NAME -u POSTGRES_PASSWORD \
    -u CITUS_IMAGE -u SEALPOST_IMAGE "$@"
}
: >"$tmp/empty.env"
secret=check-compose-citus-secret

# 1. Valid with a password (and the main file with the same one, for the drift check).
if compose POSTGRES_PASSWORD=$secret docker-compose --env-file "$tmp/empty.env" \
     -f "$citus_file" config >"$tmp/citus.yml" 2>"$tmp/err"; then
  pass "docker-compose config accepts deploy/docker-compose.citus.yml with POSTGRES_PASSWORD set"
else
  fail "docker-compose config rejects deploy/docker-compose.citus.yml: $(cat "$tmp/err")"
fi
if ! compose POSTGRES_PASSWORD=$secret docker-compose --env-file "$tmp/empty.env" \
       -f "$deploy/docker-compose.yml" config >"$tmp/main.yml" 2>"$tmp/err"; then
  fail "docker-compose config rejects deploy/docker-compose.yml: $(cat "$tmp/err")"
fi

# 2. Invalid without one: the password is required, not defaulted or hard-coded.
if compose docker-compose --env-file "$tmp/empty.env" -f "$citus_file" config -q \
     >/dev/null 2>"$tmp/err"; then
  fail "docker-compose config accepts the Citus file without POSTGRES_PASSWORD (hard-coded or defaulted?)"
elif grep -q POSTGRES_PASSWORD "$tmp/err"; then
  pass "without POSTGRES_PASSWORD, docker-compose config fails on the Citus file and names it"
else
  fail "without POSTGRES_PASSWORD, the Citus file fails for another reason: $(cat "$tmp/err")"
fi

# 3. .env.example, as README.md says to use it for Citus: password set, COMPOSE_FILE
# uncommented, no -f. docker-compose must then pick the Citus file from the env file.
sed -e 's/^POSTGRES_PASSWORD=.*/POSTGRES_PASSWORD=from-env-file/' \
    -e 's/^#[[:space:]]*COMPOSE_FILE=/COMPOSE_FILE=/' "$deploy/.env.example" >"$tmp/example.env"
if grep -qx 'COMPOSE_FILE=docker-compose.citus.yml' "$tmp/example.env" &&
   (cd "$deploy" && compose docker-compose --env-file "$tmp/example.env" config) \
     >"$tmp/example.yml" 2>"$tmp/err" &&
   grep -q 'from-env-file' "$tmp/example.yml" && grep -q '^  coordinator:' "$tmp/example.yml"; then
  pass "deploy/.env.example with its COMPOSE_FILE line and a password selects and configures the Citus stack"
else
  fail "deploy/.env.example (COMPOSE_FILE=docker-compose.citus.yml, password set) does not configure the Citus stack: $(cat "$tmp/err")"
fi

# 4. What the resolved file promises.
if [[ -s $tmp/citus.yml && -s $tmp/main.yml ]]; then
  if python3 - "$tmp/citus.yml" "$tmp/main.yml" "$citus_file" "$register" "$secret" \
       >"$tmp/py.out" 2>&1 <<'PY'
import copy, os, posixpath, re, sys, urllib.parse, yaml

citus = yaml.safe_load(open(sys.argv[1]))
main = yaml.safe_load(open(sys.argv[2]))
source_path, register_path, secret = sys.argv[3], sys.argv[4], sys.argv[5]
source = open(source_path).read()
services = citus.get("services", {})
problems = []

def need(cond, what):
    if not cond:
        problems.append(what)

def volumes_of(svc):
    """(source, target, read_only) of each volume of a resolved service."""
    out = []
    for v in svc.get("volumes", []):
        if isinstance(v, dict):
            out.append((v.get("source", ""), v.get("target", ""), bool(v.get("read_only"))))
        else:
            parts = str(v).split(":")
            ro = len(parts) > 2 and "ro" in parts[2].split(",")
            out.append((parts[0], parts[1] if len(parts) > 1 else "", ro))
    return out

def inside(path, folder):
    path, folder = posixpath.normpath(path), posixpath.normpath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")

need("postgres" not in services, "no plain `postgres` service in the Citus stack")
for name in ("coordinator", "citus-init", "sealpost", "prometheus", "grafana"):
    need(name in services, f"service {name} is defined")

# The database nodes: every service on Citus's image but the one-shot registration.
init = services.get("citus-init", {})
citus_image = str(init.get("image", ""))
nodes = sorted(n for n, s in services.items() if str(s.get("image", "")).startswith("citusdata/citus")
               and n != "citus-init")
workers = [n for n in nodes if n != "coordinator"]
need("coordinator" in nodes, "the coordinator runs citusdata/citus")
need(len(workers) >= 2, f"at least 2 workers run citusdata/citus (found {workers})")
need(all(re.fullmatch(r"worker-\d+", w) for w in workers),
     f"every other node is a worker named worker-N (found {workers})")

need(re.fullmatch(r"citusdata/citus:13\.2\.\d+-pg15", citus_image),
     f"citus-init's image is pinned to citusdata/citus:13.2.<patch>-pg15 (has {citus_image!r})")
top_volumes = citus.get("volumes", {}) or {}
seen_volumes = {}
for n in nodes:
    s = services[n]
    need(s.get("image") == citus_image, f"{n} runs the same image as citus-init ({s.get('image')!r})")
    need("ports" not in s, f"{n} publishes no port")
    need(s.get("network_mode") is None, f"{n} stays on the project's network (no network_mode)")
    need(s.get("restart") == "unless-stopped", f"{n} restarts unless stopped")
    need(s.get("stop_grace_period") is not None, f"{n} has a stop_grace_period")
    test = " ".join(str(t) for t in (s.get("healthcheck", {}) or {}).get("test", []))
    need("pg_isready" in test and re.search(r"(--host=|-h ?)127\.0\.0\.1( |$)", test),
         f"{n}'s health check is pg_isready over TCP to 127.0.0.1 (has {test!r})")
    env = s.get("environment", {}) or {}
    need(env.get("POSTGRES_USER") == "sealpost" and env.get("POSTGRES_DB") == "sealpost",
         f"{n} creates role and database sealpost")
    need(env.get("POSTGRES_PASSWORD") == secret, f"{n} takes POSTGRES_PASSWORD from the environment")
    need(env.get("PGPASSWORD") == secret,
         f"{n} has the password in PGPASSWORD, for Citus's connections to the other nodes")
    pgdata = env.get("PGDATA", "/var/lib/postgresql/data")
    cmd = [str(c) for c in s.get("command", []) or []]
    need(cmd[:1] == ["postgres"], f"{n}'s command starts the server (postgres ...)")
    settings = {}
    for i, word in enumerate(cmd):
        if word == "-c" and i + 1 < len(cmd) and "=" in cmd[i + 1]:
            key, value = cmd[i + 1].split("=", 1)
            settings[key] = value
    need("citus" in [x.strip() for x in settings.get("shared_preload_libraries", "").split(",")],
         f"{n} preloads citus (shared_preload_libraries)")
    need(settings.get("wal_level") == "logical", f"{n} runs with wal_level=logical (shard moves)")
    need(settings.get("synchronous_commit", "on") != "off",
         f"{n} commits synchronously (no synchronous_commit=off: a shard move would lose "
         f"answered sends, docs/scaling.md)")
    need(settings.get("archive_mode") == "on", f"{n} archives its WAL (archive_mode=on)")
    need(settings.get("citus.enable_statistics_collection") == "off",
         f"{n} sends no usage reports (citus.enable_statistics_collection=off)")
    archive = re.search(r"cp %p (\S+)/%f", settings.get("archive_command", ""))
    restore = re.search(r"cp (\S+)/%f %p", settings.get("restore_command", ""))
    need(archive, f"{n}'s archive_command copies %p into a folder")
    need(restore and archive and restore.group(1) == archive.group(1),
         f"{n}'s restore_command reads the folder that archive_command writes")
    need(settings.get("recovery_target_action") == "promote",
         f"{n} promotes once a restore reaches its target (recovery_target_action=promote)")
    mounts = [(src, dst) for src, dst, _ in volumes_of(s) if inside(pgdata, dst)]
    need(len(mounts) == 1 and not os.path.isabs(mounts[0][0]) and mounts[0][0] in top_volumes,
         f"{n} keeps its data directory ({pgdata}) in a named volume declared under volumes:")
    if mounts:
        vol, dst = mounts[0]
        need(vol not in seen_volumes, f"{n} has a volume of its own ({vol} is also {seen_volumes.get(vol)}'s)")
        seen_volumes[vol] = n
        if archive:
            need(inside(archive.group(1), dst) and not inside(archive.group(1), pgdata),
                 f"{n}'s WAL archive is in its volume ({dst}) and outside the data directory ({pgdata})")

# citus-init: waits for every node, registers exactly the workers, runs once.
deps = init.get("depends_on", {}) or {}
need(isinstance(deps, dict) and sorted(deps) == nodes
     and all(d.get("condition") == "service_healthy" for d in deps.values()),
     f"citus-init waits for every node to be healthy (depends on {sorted(deps)}, nodes {nodes})")
ienv = init.get("environment", {}) or {}
listed = str(ienv.get("CITUS_WORKERS", "")).split()
need(sorted(listed) == workers and len(set(listed)) == len(listed),
     f"citus-init's CITUS_WORKERS lists exactly the worker services (has {listed}, services {workers})")
need(ienv.get("CITUS_COORDINATOR") == "coordinator", "citus-init's CITUS_COORDINATOR is the coordinator")
need(ienv.get("PGPASSWORD") == secret and ienv.get("PGUSER") == "sealpost" and ienv.get("PGDATABASE") == "sealpost",
     "citus-init connects as sealpost to database sealpost with the password from the environment")
need(init.get("restart") == "no", "citus-init runs once (restart: \"no\")")
need("ports" not in init, "citus-init publishes no port")
script_mounts = [(dst, ro) for src, dst, ro in volumes_of(init)
                 if os.path.isabs(src) and os.path.realpath(src) == os.path.realpath(register_path)]
need(script_mounts and all(ro for _, ro in script_mounts),
     "deploy/citus/register-nodes.sh is mounted read-only into citus-init")
entry = [str(e) for e in init.get("entrypoint", []) or []]
need(script_mounts and script_mounts[0][0] in entry, f"citus-init runs the mounted script (entrypoint {entry})")

# sealpost: after the registration, on the coordinator, password outside the URL.
sp = services.get("sealpost", {})
sdeps = sp.get("depends_on", {}) or {}
need(isinstance(sdeps, dict) and sdeps.get("coordinator", {}).get("condition") == "service_healthy",
     "sealpost waits for the coordinator to be healthy")
need(isinstance(sdeps, dict) and sdeps.get("citus-init", {}).get("condition") == "service_completed_successfully",
     "sealpost starts only after citus-init has registered the workers (service_completed_successfully)")
senv = sp.get("environment", {}) or {}
url = urllib.parse.urlsplit(str(senv.get("SEALPOST_DATABASE_URL", "")))
need(url.scheme in ("postgresql", "postgres") and url.hostname == "coordinator" and url.password is None
     and url.username == "sealpost" and url.path == "/sealpost" and (url.port or 5432) == 5432,
     f"SEALPOST_DATABASE_URL is postgresql://sealpost@coordinator:5432/sealpost, no password ({url.geturl()!r})")
need(senv.get("PGPASSWORD") == secret, "sealpost gets the password as PGPASSWORD")

# Drift: sealpost, prometheus and grafana as in docker-compose.yml, but for what Citus changes.
mservices = main.get("services", {})
for name in ("sealpost", "prometheus", "grafana"):
    ours, theirs = copy.deepcopy(services.get(name, {})), copy.deepcopy(mservices.get(name, {}))
    if name == "sealpost":
        for svc in (ours, theirs):
            svc.pop("depends_on", None)
            svc.get("environment", {}).pop("SEALPOST_DATABASE_URL", None)
    differing = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
    need(not differing, f"{name} is the same as in docker-compose.yml (differs in {differing})")
for vol in ("prometheus-data", "grafana-data"):
    need(vol in top_volumes, f"volume {vol} is declared")

# Secrets: the only way the password enters the file is the required-variable reference.
for line in source.splitlines():
    code = line.split("#")[0]
    if "PASSWORD" in code and ":" in code:
        value = code.split(":", 1)[1].strip()
        need(value.startswith("${POSTGRES_PASSWORD:?"), f"password line uses ${{POSTGRES_PASSWORD:?...}}: {line.strip()}")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
PY
  then
    pass "resolved Citus stack: pinned image on every node, no published node, citus preloaded, logical WAL, archive in each node's own volume, password for node-to-node connections, registration before sealpost, sealpost on the coordinator, same sealpost/monitoring as docker-compose.yml"
  else
    while IFS= read -r line; do fail "citus compose: expected: $line"; done <"$tmp/py.out"
  fi
fi

# 5. deploy/citus/register-nodes.sh: syntax, shellcheck, and behaviour against a stand-in psql.
if out=$(bash -n "$register" 2>&1); then
  pass "deploy/citus/register-nodes.sh parses (bash -n)"
else
  fail "deploy/citus/register-nodes.sh does not parse: $out"
fi
if command -v shellcheck >/dev/null 2>&1; then
  if out=$(shellcheck "$register" 2>&1); then
    pass "deploy/citus/register-nodes.sh passes shellcheck"
  else
    fail "shellcheck deploy/citus/register-nodes.sh: $out"
  fi
else
  echo "note: shellcheck not installed; deploy/citus/register-nodes.sh not linted"
fi

# The stand-in psql logs "host|what" per call and answers like the coordinator would;
# FAKE_DOWN (a host that never answers), FAKE_RECOVERING=f, FAKE_UNHEALTHY and FAKE_INACTIVE
# make it fail.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/psql" <<'FAKE'
#!/usr/bin/env bash
host= cmd= vars=()
for a in "$@"; do
  case $a in
    --host=*) host=${a#--host=} ;;
    --command=*) cmd=${a#--command=} ;;
    --set=host=*) vars+=("${a#--set=}") ;;
  esac
done
[[ -n $cmd ]] || cmd=$(cat)
if [[ " ${FAKE_DOWN:-} " == *" $host "* ]]; then
  echo "psql: error: connection to server at \"$host\" failed: Connection refused" >&2
  exit 2
fi
case $cmd in
  "SELECT NOT pg_is_in_recovery()") what=ping; echo "${FAKE_RECOVERING:-t}" ;;
  *"CREATE EXTENSION IF NOT EXISTS citus"*) what=extension ;;
  *citus_set_coordinator_host*) what="coordinator ${vars[*]}" ;;
  *citus_add_node*) what="add ${vars[*]}"; echo $((RANDOM % 100 + 2)) ;;
  *citus_check_cluster_node_health*) what=health; echo "${FAKE_UNHEALTHY:-}" ;;
  *string_to_array*) what=active; echo "${FAKE_INACTIVE:-}" ;;
  *) what=other ;;
esac
echo "$host|$what" >>"$FAKE_LOG"
FAKE
chmod +x "$tmp/bin/psql"

run_register() { # log-file [VAR=value...]: runs the script with the stand-in psql
  local log=$1
  shift
  : >"$log"
  env PATH="$tmp/bin:$PATH" FAKE_LOG="$log" CITUS_COORDINATOR=coordinator \
    CITUS_WORKERS="worker-1 worker-2" CITUS_WAIT_SECONDS=2 "$@" bash "$register"
}

if out=$(run_register "$tmp/ok.log" 2>&1); then
  if python3 - "$tmp/ok.log" >"$tmp/order.out" <<'PY'
import sys
calls = [l.rstrip("\n").split("|", 1) for l in open(sys.argv[1])]
problems = []
ext = {h for h, w in calls if w == "extension"}
if ext != {"coordinator", "worker-1", "worker-2"}:
    problems.append(f"extension created on {sorted(ext)}, not on every node")
adds = [i for i, (h, w) in enumerate(calls) if w.startswith("add ")]
last_ext = max((i for i, (h, w) in enumerate(calls) if w == "extension"), default=len(calls))
if not adds or min(adds) < last_ext:
    problems.append("a worker was added before the extension existed on every node")
if sorted(calls[i][1] for i in adds) != ["add host=worker-1", "add host=worker-2"]:
    problems.append(f"workers added: {[calls[i][1] for i in adds]}")
if any(h != "coordinator" for h, w in calls if w.startswith(("add", "coordinator", "health"))):
    problems.append("registration statements went to a node other than the coordinator")
if ("coordinator", "coordinator host=coordinator") not in [tuple(c) for c in calls]:
    problems.append("the coordinator was not named by its service name")
if ("coordinator", "health") not in [tuple(c) for c in calls]:
    problems.append("the connections between nodes were not checked")
print("; ".join(problems))
sys.exit(1 if problems else 0)
PY
  then
    pass "register-nodes.sh creates the extension on every node, then names the coordinator, adds each worker and checks the connections"
  else
    fail "register-nodes.sh, happy path: $(cat "$tmp/order.out")"
  fi
else
  fail "register-nodes.sh fails against healthy nodes: $out"
fi

if out=$(run_register "$tmp/down.log" FAKE_DOWN=worker-2 2>&1); then
  fail "register-nodes.sh succeeds although worker-2 never answers"
elif grep -q 'worker-2' <<<"$out" && ! grep -q '|add ' "$tmp/down.log"; then
  pass "register-nodes.sh gives up on a node that never answers, names it, and registers nothing"
else
  fail "register-nodes.sh with worker-2 down: unexpected output or registrations: $out"
fi

if out=$(run_register "$tmp/recovering.log" FAKE_RECOVERING=f 2>&1); then
  fail "register-nodes.sh succeeds although the nodes are still in recovery"
elif grep -q 'still in recovery' <<<"$out" && ! grep -q '|extension' "$tmp/recovering.log"; then
  pass "register-nodes.sh waits for a restored node to leave recovery, and gives up after CITUS_WAIT_SECONDS"
else
  fail "register-nodes.sh with nodes in recovery: unexpected output or statements: $out"
fi

if out=$(run_register "$tmp/unhealthy.log" FAKE_UNHEALTHY="worker-2:5432 cannot reach worker-1:5432" 2>&1); then
  fail "register-nodes.sh succeeds although worker-2 cannot reach worker-1"
elif grep -q 'worker-2:5432 cannot reach worker-1:5432' <<<"$out"; then
  pass "register-nodes.sh fails, and says which, when nodes cannot reach each other"
else
  fail "register-nodes.sh with unreachable nodes: unexpected output: $out"
fi

if out=$(run_register "$tmp/inactive.log" FAKE_INACTIVE=worker-2 2>&1); then
  fail "register-nodes.sh succeeds although worker-2 is not an active node"
else
  pass "register-nodes.sh fails when a listed worker is not active"
fi

if run_register "$tmp/none.log" CITUS_WORKERS= >/dev/null 2>&1; then
  fail "register-nodes.sh succeeds with no workers listed"
else
  pass "register-nodes.sh refuses to run with no workers listed"
fi

echo "check-compose-citus: $passes passed, $failures failed"
((failures == 0))
