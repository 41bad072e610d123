#!/usr/bin/env bash
# Checks the Grafana files in deploy/grafana/ without a Grafana:
#  - the dashboard JSON loads and has a uid and title; panel ids are unique; every panel
#    has a grid position, a Prometheus datasource (the provisioned one, by uid), a unit,
#    and targets with an expression and unique refIds;
#  - every metric the panels name is one server/metrics/metrics.cpp exports, and every
#    exported metric is on some panel;
#  - every panel expression parses as PromQL: the expressions (with Grafana's
#    $__rate_interval and $__interval replaced by durations) become recording rules in a
#    temporary file that `promtool check rules` must accept;
#  - the provisioning files are valid: a Prometheus datasource with the uid the panels
#    use, and a file provider.
# Exit 0 when all pass; 1 with a message per failed check. A missing promtool is a failure.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
grafana=$root/deploy/grafana
# shellcheck source=check-lib.sh
source "$root/tests/deploy/check-lib.sh"

if python3 - "$grafana" "$root/server/metrics/metrics.cpp" "$tmp/exprs.yml" >"$tmp/py.out" 2>&1 <<'PY'
import glob, json, re, sys, yaml

grafana, metrics_path, rules_out = sys.argv[1:4]
problems = []
need = lambda cond, what: cond or problems.append(what)

sources = yaml.safe_load(open(f"{grafana}/provisioning/datasources/prometheus.yml"))
ds = [d for d in sources.get("datasources", []) if d.get("type") == "prometheus"]
need(len(ds) == 1 and ds[0].get("uid"), "datasources/prometheus.yml provisions one Prometheus datasource with a uid")
ds_uid = ds[0].get("uid") if ds else None
providers = yaml.safe_load(open(f"{grafana}/provisioning/dashboards/sealpost.yml"))
need(any(p.get("type") == "file" and p.get("options", {}).get("path")
         for p in providers.get("providers", [])), "dashboards/sealpost.yml has a file provider with a path")

exported = set(re.findall(r'"(sealpost_[a-z_]+)"', open(metrics_path).read()))
seen_metrics, rules = set(), []
dashboards = sorted(glob.glob(f"{grafana}/dashboards/*.json"))
need(dashboards, "deploy/grafana/dashboards holds a dashboard")
uids = set()
for path in dashboards:
    name = path.rsplit("/", 1)[-1]
    try:
        dash = json.load(open(path))
    except ValueError as e:
        problems.append(f"{name}: not JSON: {e}")
        continue
    need(dash.get("uid") and dash["uid"] not in uids, f"{name}: has a uid of its own")
    uids.add(dash.get("uid"))
    need(dash.get("title"), f"{name}: has a title")
    panels = dash.get("panels", [])
    need(panels, f"{name}: has panels")
    ids = [p.get("id") for p in panels]
    need(len(ids) == len(set(ids)) and None not in ids, f"{name}: panel ids are unique ({ids})")
    for p in panels:
        t = f"{name}: panel {p.get('id')} '{p.get('title')}'"
        need(p.get("title"), f"{t}: has a title")
        g = p.get("gridPos", {})
        need(all(isinstance(g.get(k), int) for k in ("h", "w", "x", "y")), f"{t}: has a gridPos")
        d = p.get("datasource") or {}
        need(d.get("type") == "prometheus" and d.get("uid") == ds_uid,
             f"{t}: datasource is the provisioned Prometheus (uid {ds_uid})")
        need(p.get("fieldConfig", {}).get("defaults", {}).get("unit"), f"{t}: sets a unit")
        targets = p.get("targets", [])
        need(targets, f"{t}: has targets")
        refs = [x.get("refId") for x in targets]
        need(len(refs) == len(set(refs)) and None not in refs, f"{t}: target refIds are unique")
        for x in targets:
            expr = x.get("expr", "")
            need(expr.strip(), f"{t}: target {x.get('refId')} has an expression")
            xd = x.get("datasource")
            need(xd is None or xd.get("uid") == ds_uid, f"{t}: target {x.get('refId')} uses the provisioned datasource")
            for m in re.findall(r"\b(sealpost_[a-z_]+)", expr):
                base = re.sub(r"_(bucket|count|sum)$", "", m)
                if base in exported or m in exported:
                    seen_metrics.add(base if base in exported else m)
                else:
                    problems.append(f"{t}: metric {m} is not exported by server/metrics/metrics.cpp")
            promql = expr.replace("$__rate_interval", "1m").replace("$__interval", "15s")
            need("$" not in promql, f"{t}: expression uses a dashboard variable the check cannot fill: {expr}")
            rules.append({"record": f"panel_{p.get('id')}_{x.get('refId')}", "expr": promql,
                          "labels": {"panel": t}})
for m in sorted(exported - seen_metrics):
    problems.append(f"metric {m} is exported but on no panel")

yaml.safe_dump({"groups": [{"name": "dashboard_expressions", "rules": rules}]}, open(rules_out, "w"))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
PY
then
  pass "dashboards: unique panel ids, provisioned datasource, units, targets; every exported metric on a panel; provisioning files valid"
else
  while IFS= read -r line; do fail "grafana: $line"; done <"$tmp/py.out"
fi

if [[ -s $tmp/exprs.yml ]]; then
  if out=$(promtool check rules "$tmp/exprs.yml" 2>&1); then
    pass "every panel expression parses as PromQL ($(grep -c 'record:' "$tmp/exprs.yml") expressions)"
  else
    fail "a panel expression does not parse: $out"
  fi
fi

echo "check-grafana: $passes passed, $failures failed"
((failures == 0))
