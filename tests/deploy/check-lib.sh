# shellcheck shell=bash
# Shared opening of the tests/deploy checks that need python3-yaml and a tool or two: pass/fail
# counters, the tool checks, and a temporary folder removed on exit. Sourced, not run.
# Set check_tools before sourcing to the commands the check needs (default: promtool).
failures=0
passes=0

pass() { passes=$((passes + 1)); echo "ok: $*"; }
fail() { failures=$((failures + 1)); echo "FAIL: $*" >&2; }

declare -A check_tool_packages=([promtool]=prometheus [docker-compose]=docker-compose)
for tool in ${check_tools:-promtool}; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "FAIL: $tool not found: install Debian's ${check_tool_packages[$tool]:-$tool} package" \
         "(scripts/install-deps.sh does)" >&2
    exit 1
  fi
done
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "FAIL: python3 with the yaml module not found (scripts/install-deps.sh installs it)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
