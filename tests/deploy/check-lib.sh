# Shared opening of the tests/deploy checks that need promtool and python3-yaml: pass/fail
# counters, the tool checks, and a temporary folder removed on exit. Sourced, not run.
failures=0
passes=0

pass() { passes=$((passes + 1)); echo "ok: $*"; }
fail() { failures=$((failures + 1)); echo "FAIL: $*" >&2; }

if ! command -v promtool >/dev/null 2>&1; then
  echo "FAIL: promtool not found: install Debian's prometheus package (scripts/install-deps.sh does)" >&2
  exit 1
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "FAIL: python3 with the yaml module not found (scripts/install-deps.sh installs it)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
