#!/usr/bin/env bash
# Checks the deployment files in deploy/ without a Docker engine:
#  - `docker-compose config` (Debian's docker-compose package) accepts deploy/docker-compose.yml
#    with POSTGRES_PASSWORD set, and refuses it without one (no password in the file);
#  - the resolved file keeps its promises: postgres health-gated start, admin port on
#    127.0.0.1 only, Prometheus only under the `monitoring` profile, config mounted read-only;
#  - deploy/prometheus/alerts.yml is mounted into Prometheus and listed under rule_files in
#    deploy/prometheus.yml (tests/deploy/check-alerts.sh tests the rules themselves);
#  - Grafana (profile `monitoring`, loopback port) gets deploy/grafana's provisioning and
#    dashboards read-only, where the provisioning files expect them;
#  - deploy/.env.example works as an env file once the password is filled in;
#  - deploy/Dockerfile's build stage still runs scripts/install-deps.sh and scripts/build.sh
#    (the README's scripts), and every file it COPYs from the context exists;
#  - with the path of a built sealpost-server as $1 (or SEALPOST_SERVER_BIN):
#    deploy/sealpost.toml and config/sealpost.toml pass --check-config, and
#    deploy/runtime-packages.sh finds the Debian package of every library it links.
# Exit 0 when all pass; 1 with a message per failed check. A missing docker-compose is a
# failure, not a skip: scripts/install-deps.sh installs it.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
deploy=$root/deploy
server_bin=${1:-${SEALPOST_SERVER_BIN:-}}
failures=0
passes=0

pass() { passes=$((passes + 1)); echo "ok: $*"; }
fail() { failures=$((failures + 1)); echo "FAIL: $*" >&2; }

if ! command -v docker-compose >/dev/null 2>&1; then
  echo "FAIL: docker-compose not found: install Debian's docker-compose package" \
       "(scripts/install-deps.sh does)" >&2
  exit 1
fi
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import yaml' 2>/dev/null; then
  echo "FAIL: python3 with the yaml module not found (docker-compose depends on both)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in Dockerfile Dockerfile.dockerignore docker-compose.yml sealpost.toml prometheus.yml \
         prometheus/alerts.yml grafana/provisioning/datasources/prometheus.yml \
         grafana/provisioning/dashboards/sealpost.yml grafana/dashboards/sealpost.json .env.example runtime-packages.sh README.md; do
  if [[ -f $deploy/$f ]]; then pass "deploy/$f exists"; else fail "deploy/$f is missing"; fi
done

# docker-compose reads COMPOSE_* variables and deploy/.env: keep both out of the checks.
compose() {
  env -u COMPOSE_FILE -u COMPOSE_PROFILES -u COMPOSE_PROJECT_NAME -u POSTGRES_PASSWORD \
    "$@"
}
: >"$tmp/empty.env"

# 1. Valid with a password.
if compose POSTGRES_PASSWORD=check-compose-secret docker-compose --env-file "$tmp/empty.env" \
     -f "$deploy/docker-compose.yml" config >"$tmp/resolved.yml" 2>"$tmp/err"; then
  pass "docker-compose config accepts deploy/docker-compose.yml with POSTGRES_PASSWORD set"
else
  fail "docker-compose config rejects deploy/docker-compose.yml: $(cat "$tmp/err")"
fi

# 2. Invalid without one: the password is required, not defaulted or hard-coded.
if compose docker-compose --env-file "$tmp/empty.env" -f "$deploy/docker-compose.yml" \
     config -q >/dev/null 2>"$tmp/err"; then
  fail "docker-compose config accepts the file without POSTGRES_PASSWORD (hard-coded or defaulted?)"
elif grep -q POSTGRES_PASSWORD "$tmp/err"; then
  pass "without POSTGRES_PASSWORD, docker-compose config fails and names it"
else
  fail "without POSTGRES_PASSWORD, docker-compose config fails for another reason: $(cat "$tmp/err")"
fi

# 3. .env.example, password filled in, is a working env file.
sed -e 's/^POSTGRES_PASSWORD=.*/POSTGRES_PASSWORD=from-env-file/' "$deploy/.env.example" >"$tmp/example.env"
if compose docker-compose --env-file "$tmp/example.env" -f "$deploy/docker-compose.yml" \
     config >"$tmp/example.yml" 2>"$tmp/err" && grep -q 'from-env-file' "$tmp/example.yml"; then
  pass "deploy/.env.example works as the env file once POSTGRES_PASSWORD is set"
else
  fail "deploy/.env.example with a password does not configure the stack: $(cat "$tmp/err")"
fi

# 4. What the resolved file promises.
if [[ -s $tmp/resolved.yml ]]; then
  if python3 - "$tmp/resolved.yml" "$deploy/docker-compose.yml" >"$tmp/py.out" 2>&1 <<'PY'
import sys, yaml

resolved = yaml.safe_load(open(sys.argv[1]))
source = open(sys.argv[2]).read()
services = resolved.get("services", {})
problems = []

def need(cond, what):
    if not cond:
        problems.append(what)

for name in ("postgres", "sealpost", "prometheus"):
    need(name in services, f"service {name} is defined")
pg = services.get("postgres", {})
sp = services.get("sealpost", {})
prom = services.get("prometheus", {})

need("pg_isready" in str(pg.get("healthcheck", {}).get("test")), "postgres has a pg_isready health check")
need(any(v.endswith(":/var/lib/postgresql/data:rw") or v.endswith(":/var/lib/postgresql/data")
         for v in map(str, pg.get("volumes", []))), "postgres keeps its data in a volume")
need(str(pg.get("image", "")).startswith("postgres:15"), "postgres runs PostgreSQL 15")

deps = sp.get("depends_on", {})
need(isinstance(deps, dict) and deps.get("postgres", {}).get("condition") == "service_healthy",
     "sealpost waits for postgres to be healthy")
need(sp.get("build", {}).get("dockerfile") == "deploy/Dockerfile", "sealpost builds deploy/Dockerfile")
env = sp.get("environment", {})
need(str(env.get("SEALPOST_DATABASE_URL", "")).startswith("postgresql://"), "SEALPOST_DATABASE_URL is set")
need("/readyz" in str(sp.get("healthcheck", {}).get("test")), "sealpost health check hits /readyz")
need(any(str(v).endswith(":/etc/sealpost/sealpost.toml:ro") for v in sp.get("volumes", [])),
     "deploy/sealpost.toml is mounted read-only at /etc/sealpost/sealpost.toml")
need(sp.get("stop_grace_period") is not None, "sealpost has a stop_grace_period")

def ports(svc):
    out = []
    for p in svc.get("ports", []):
        if isinstance(p, dict):
            out.append((p.get("host_ip", ""), str(p.get("published", "")), str(p.get("target", ""))))
        else:
            parts = str(p).split("/")[0].split(":")
            if len(parts) == 3:
                out.append((parts[0], parts[1], parts[2]))
            elif len(parts) == 2:
                out.append(("", parts[0], parts[1]))
            else:
                out.append(("", "", parts[0]))
    return out

sp_ports = ports(sp)
need(any(t == "8080" for _, _, t in sp_ports), "the public port 8080 is published")
admin = [(ip, t) for ip, _, t in sp_ports if t == "9090"]
need(admin and all(ip == "127.0.0.1" for ip, _ in admin), "the admin port 9090 is published on 127.0.0.1 only")
need(all(ip == "127.0.0.1" for ip, _, _ in ports(prom)), "Prometheus' port is on 127.0.0.1 only")
need(prom.get("profiles") == ["monitoring"], "prometheus runs only under the `monitoring` profile")
need(any(str(v).endswith(":/etc/prometheus/prometheus.yml:ro") for v in prom.get("volumes", [])),
     "deploy/prometheus.yml is mounted into Prometheus")
need("ports" not in pg, "postgres is not published on the host")

# Secrets: the only way the password enters the file is the required-variable reference.
for line in source.splitlines():
    if "PASSWORD" in line.split("#")[0] and ":" in line:
        value = line.split(":", 1)[1].strip()
        need(value.startswith("${POSTGRES_PASSWORD:?"), f"password line uses ${{POSTGRES_PASSWORD:?...}}: {line.strip()}")

prom_cfg = yaml.safe_load(open(sys.argv[2].replace("docker-compose.yml", "prometheus.yml")))
targets = [t for job in prom_cfg.get("scrape_configs", []) for sc in job.get("static_configs", [])
           for t in sc.get("targets", [])]
need("sealpost:9090" in targets, "deploy/prometheus.yml scrapes sealpost:9090")

# The alerting rules: mounted read-only from deploy/prometheus/alerts.yml, and the mount
# target is what prometheus.yml lists under rule_files (relative entries are relative to
# the config file's directory, /etc/prometheus).
import os, posixpath
deploy_dir = os.path.dirname(os.path.abspath(sys.argv[2]))
def mount_of(svc, rel):
    want = os.path.realpath(os.path.join(deploy_dir, rel))
    for v in svc.get("volumes", []):
        if isinstance(v, dict):
            src, dst, ro = v.get("source", ""), v.get("target", ""), bool(v.get("read_only"))
        else:
            parts = str(v).split(":")
            src, dst = parts[0], parts[1] if len(parts) > 1 else ""
            ro = len(parts) > 2 and "ro" in parts[2].split(",")
        if os.path.isabs(src) and os.path.realpath(src) == want:
            return dst, ro
    return None, False
alerts_dst, alerts_ro = mount_of(prom, os.path.join("prometheus", "alerts.yml"))
rule_mounts = [(alerts_dst, alerts_ro)] if alerts_dst else []
need(rule_mounts, "deploy/prometheus/alerts.yml is mounted into Prometheus")
need(all(ro for _, ro in rule_mounts), "deploy/prometheus/alerts.yml is mounted read-only")
rule_files = [posixpath.normpath(posixpath.join("/etc/prometheus", f))
              for f in prom_cfg.get("rule_files") or []]
need(any(dst in rule_files for dst, _ in rule_mounts),
     f"deploy/prometheus.yml lists the mounted alerts.yml under rule_files (has {rule_files})")

# Grafana: monitoring profile only, loopback port, provisioning and dashboards mounted
# read-only where the provisioning files say (tests/deploy/check-grafana.sh checks the JSON).
graf = services.get("grafana", {})
need("grafana" in services, "service grafana is defined")
need(graf.get("profiles") == ["monitoring"], "grafana runs only under the `monitoring` profile")
need(ports(graf) and all(ip == "127.0.0.1" for ip, _, _ in ports(graf)), "Grafana's port is on 127.0.0.1 only")
dst, ro = mount_of(graf, "grafana/provisioning")
need(dst == "/etc/grafana/provisioning" and ro, "deploy/grafana/provisioning is mounted read-only at /etc/grafana/provisioning")
dash_dst, ro = mount_of(graf, "grafana/dashboards")
need(dash_dst is not None and ro, "deploy/grafana/dashboards is mounted read-only")
providers = yaml.safe_load(open(os.path.join(deploy_dir, "grafana/provisioning/dashboards/sealpost.yml")))
need(any(p.get("options", {}).get("path") == dash_dst for p in providers.get("providers", [])),
     "the dashboard provider reads the mounted dashboards folder")
sources = yaml.safe_load(open(os.path.join(deploy_dir, "grafana/provisioning/datasources/prometheus.yml")))
prom_port = [t for _, _, t in ports(prom)]
need(any(d.get("url") == "http://prometheus:" + (prom_port[0] if prom_port else "9090")
         for d in sources.get("datasources", [])),
     "the Grafana datasource points at the compose Prometheus")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
PY
  then
    pass "resolved compose file: health-gated start, loopback-only admin port, monitoring profile, read-only config, required password, Prometheus target, alerting rules mounted and loaded, Grafana provisioned"
  else
    while IFS= read -r line; do fail "compose: expected: $line"; done <"$tmp/py.out"
  fi
fi

# 5. The Dockerfile's build stage uses the README's scripts. RUN instructions are joined
# across line continuations; only the first stage (first FROM to second FROM) counts.
dockerfile=$deploy/Dockerfile
awk '
  /^[[:space:]]*#/ { next }
  /^FROM[[:space:]]/ { stage++ }
  { line = line $0 }
  /\\[[:space:]]*$/ { sub(/\\[[:space:]]*$/, " ", line); next }
  { print stage "\t" line; line = "" }
' "$dockerfile" >"$tmp/instructions"
build_runs=$(awk -F'\t' '$1 == 1 && $2 ~ /^RUN[[:space:]]/ { print $2 }' "$tmp/instructions")
for script in scripts/install-deps.sh scripts/build.sh; do
  if grep -qE "(^|[[:space:]/])${script//./\\.}([[:space:];&|]|$)" <<<"$build_runs"; then
    pass "deploy/Dockerfile build stage runs $script"
  else
    fail "deploy/Dockerfile build stage no longer runs $script (it must build the way the README does)"
  fi
done
if [[ $(awk -F'\t' '$2 ~ /^FROM[[:space:]]/' "$tmp/instructions" | wc -l) -ge 2 ]] &&
   awk -F'\t' '$2 ~ /^FROM[[:space:]]/' "$tmp/instructions" | tail -n 1 | grep -q 'debian:bookworm-slim'; then
  pass "deploy/Dockerfile is multi-stage with a debian:bookworm-slim runtime stage"
else
  fail "deploy/Dockerfile: expected a multi-stage build ending in debian:bookworm-slim"
fi
# Every COPY from the build context names an existing path (COPY --from copies between stages).
while IFS= read -r copy; do
  read -r -a words <<<"$copy"
  srcs=("${words[@]:1:${#words[@]}-2}")
  for src in "${srcs[@]}"; do
    [[ $src == --* ]] && continue
    if [[ $src == . || -e $root/$src ]]; then
      pass "deploy/Dockerfile: COPY source $src exists"
    else
      fail "deploy/Dockerfile: COPY source $src does not exist in the repository"
    fi
  done
done < <(awk -F'\t' '$2 ~ /^COPY[[:space:]]/ && $2 !~ /--from=/ { print $2 }' "$tmp/instructions")
for pattern in 'build\*' '\.sealpost' '\.env'; do
  if grep -qE "^/?${pattern}/?$" "$deploy/Dockerfile.dockerignore"; then
    pass "deploy/Dockerfile.dockerignore excludes ${pattern//\\/}"
  else
    fail "deploy/Dockerfile.dockerignore does not exclude ${pattern//\\/}"
  fi
done

# 6. With a built server: the configs it will read are valid, and its libraries map to
# Debian packages (the Dockerfile's runtime stage installs those).
if [[ -n $server_bin ]]; then
  if [[ ! -x $server_bin ]]; then
    fail "server binary $server_bin is not executable"
  else
    for cfg in deploy/sealpost.toml config/sealpost.toml; do
      if out=$(env -u SEALPOST_DATABASE_URL "$server_bin" --config "$root/$cfg" --check-config 2>&1); then
        pass "$cfg passes sealpost-server --check-config"
      else
        fail "$cfg fails sealpost-server --check-config: $out"
      fi
    done
    if out=$("$deploy/runtime-packages.sh" "$server_bin" 2>&1); then
      pass "deploy/runtime-packages.sh maps every linked library to a package: $(tr '\n' ' ' <<<"$out")"
    else
      fail "deploy/runtime-packages.sh: $out"
    fi
  fi
else
  echo "note: no server binary given; --check-config and runtime-packages checks not run"
fi

echo "check-compose: $passes passed, $failures failed"
((failures == 0))
