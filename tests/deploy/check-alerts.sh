#!/usr/bin/env bash
# Checks deploy/prometheus/alerts.yml with promtool (Debian's prometheus package, which
# scripts/install-deps.sh installs):
#  - `promtool check rules` accepts it (syntax, PromQL, annotation templates);
#  - every alert has a severity label and summary and description annotations;
#  - every metric it names is one server/metrics/metrics.cpp exports (no typos, no renames);
#  - `promtool test rules tests/deploy/alerts_test.yml` passes. promtool compares
#    annotations exactly, so the tests run on a copy of the rules without annotations;
#  - the test file has, for every alert, a case where it fires and one where it does not,
#    and names no alert that does not exist;
#  - each firing case is real: with any one alert's expression replaced by one that never
#    fires, the tests fail.
# Exit 0 when all pass; 1 with a message per failed check. A missing promtool is a failure.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
rules=$root/deploy/prometheus/alerts.yml
tests=$root/tests/deploy/alerts_test.yml
metrics_src=$root/server/metrics/metrics.cpp
# shellcheck source=check-lib.sh
source "$root/tests/deploy/check-lib.sh"

# 1. Syntax, PromQL and templates.
if out=$(promtool check rules "$rules" 2>&1); then
  pass "promtool check rules accepts deploy/prometheus/alerts.yml"
else
  fail "promtool check rules rejects deploy/prometheus/alerts.yml: $out"
fi

# 2-4. Structure, metric names, test coverage; writes the stripped copies for step 5.
# Layout in $tmp mirrors the repository so the test file's relative rule_files path holds.
mkdir -p "$tmp/deploy/prometheus" "$tmp/tests/deploy"
cp "$tests" "$tmp/tests/deploy/alerts_test.yml"
if python3 - "$rules" "$tests" "$metrics_src" "$tmp" >"$tmp/py.out" 2>&1 <<'PY'
import re, sys, yaml

rules_path, tests_path, metrics_path, tmp = sys.argv[1:5]
rules = yaml.safe_load(open(rules_path))
tests = yaml.safe_load(open(tests_path))
exported = set(re.findall(r'"(sealpost_[a-z_]+)"', open(metrics_path).read()))
problems = []

alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
names = [a["alert"] for a in alerts]
if not alerts:
    problems.append("alerts.yml defines no alert")
if len(set(names)) != len(names):
    problems.append(f"duplicate alert names: {names}")
for a in alerts:
    ann = a.get("annotations", {})
    for key in ("summary", "description"):
        if not str(ann.get(key, "")).strip():
            problems.append(f"{a['alert']}: no {key} annotation")
    if a.get("labels", {}).get("severity") not in ("warning", "critical"):
        problems.append(f"{a['alert']}: severity label must be warning or critical")
    for m in re.findall(r"\b(sealpost_[a-z_]+)", a["expr"]):
        base = re.sub(r"_(bucket|count|sum)$", "", m)
        if m not in exported and base not in exported:
            problems.append(f"{a['alert']}: metric {m} is not exported by server/metrics/metrics.cpp")

fires, silent = set(), set()
for case in tests.get("tests", []):
    for t in case.get("alert_rule_test", []):
        n = t["alertname"]
        if n not in names:
            problems.append(f"alerts_test.yml tests unknown alert {n} (case '{case.get('name')}')")
        (fires if t.get("exp_alerts") else silent).add(n)
for n in names:
    if n not in fires:
        problems.append(f"{n}: no test case where it fires")
    if n not in silent:
        problems.append(f"{n}: no test case where it stays silent")
if tests.get("rule_files") != ["../../deploy/prometheus/alerts.yml"]:
    problems.append("alerts_test.yml must load ../../deploy/prometheus/alerts.yml")

for g in rules["groups"]:
    for r in g["rules"]:
        r.pop("annotations", None)
yaml.safe_dump(rules, open(f"{tmp}/deploy/prometheus/alerts.yml", "w"), sort_keys=False)
with open(f"{tmp}/names", "w") as f:
    f.write("\n".join(names) + "\n")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
PY
then
  pass "every alert has severity, summary and description, uses exported metrics, and has firing and silent tests"
else
  while IFS= read -r line; do fail "alerts: $line"; done <"$tmp/py.out"
fi

# 5. The unit tests.
if [[ -s $tmp/deploy/prometheus/alerts.yml ]]; then
  if out=$(promtool test rules "$tmp/tests/deploy/alerts_test.yml" 2>&1); then
    pass "promtool test rules tests/deploy/alerts_test.yml"
  else
    fail "promtool test rules tests/deploy/alerts_test.yml: $out"
  fi

  # 6. Mutation check: an alert that can never fire must fail its tests.
  cp "$tmp/deploy/prometheus/alerts.yml" "$tmp/alerts.orig.yml"
  while IFS= read -r name; do
    [[ -n $name ]] || continue
    python3 - "$tmp/alerts.orig.yml" "$tmp/deploy/prometheus/alerts.yml" "$name" <<'PY'
import sys, yaml
src, dst, name = sys.argv[1:4]
rules = yaml.safe_load(open(src))
for g in rules["groups"]:
    for r in g["rules"]:
        if r.get("alert") == name:
            r["expr"] = "vector(1) < 0"
yaml.safe_dump(rules, open(dst, "w"), sort_keys=False)
PY
    if promtool test rules "$tmp/tests/deploy/alerts_test.yml" >/dev/null 2>&1; then
      fail "tests still pass when $name can never fire: its firing case asserts nothing"
    else
      pass "tests fail when $name can never fire"
    fi
  done <"$tmp/names"
  cp "$tmp/alerts.orig.yml" "$tmp/deploy/prometheus/alerts.yml"
fi

echo "check-alerts: $passes passed, $failures failed"
((failures == 0))
