#!/usr/bin/env bash
# The README's run command from a checkout inside a 0700 folder (like /root on Debian, or
# any home folder made since Debian 12): scripts/run.sh must start its embedded Postgres
# and a server that answers /readyz, and a signal must stop both. As root this is the case
# where the `postgres` user cannot reach the checkout; as another user it still checks the
# whole start and stop. Uses the built server ($1) so that it does not build again.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
server_bin=${1:?usage: run-from-private-folder.sh PATH-TO-sealpost-server}

private=$(mktemp -d)  # mode 0700
chmod 0700 "$private"
checkout=$private/sealpost
mkdir -p "$checkout"
cp -r "$root/scripts" "$checkout/"
pgdir=$checkout/.sealpost/postgres
out=$private/run.out
run_pid=

cleanup() {
  if [[ -n $run_pid ]] && kill -0 "$run_pid" 2>/dev/null; then
    kill -TERM "$run_pid" 2>/dev/null || true
    wait "$run_pid" 2>/dev/null || true
  fi
  "$checkout/scripts/local-postgres.sh" stop "$pgdir" >/dev/null 2>&1 || true
  if [[ -f $pgdir/cluster-location ]]; then
    rm -rf "$(cat "$pgdir/cluster-location")"
  fi
  rm -rf "$private"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; sed 's/^/  run.sh| /' "$out" >&2 || true; exit 1; }

SEALPOST_SERVER_BINARY=$server_bin SEALPOST_LISTEN=127.0.0.1:0 SEALPOST_ADMIN_LISTEN=127.0.0.1:0 \
  SEALPOST_DATABASE_URL= "$checkout/scripts/run.sh" >"$out" 2>&1 &
run_pid=$!

admin_port=
for _ in $(seq 1 300); do
  admin_port=$(sed -nE 's/.*listening on .*\(admin http:\/\/[^ ]+:([0-9]+)\).*/\1/p' "$out")
  [[ -n $admin_port ]] && break
  kill -0 "$run_pid" 2>/dev/null || fail "run.sh exited before the server listened"
  sleep 0.2
done
[[ -n $admin_port ]] || fail "the server did not announce its listeners within 60 s"
echo "ok: run.sh started the server from $checkout"

status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$admin_port/readyz")
[[ $status == 200 ]] || fail "/readyz answered $status, not 200"
echo "ok: /readyz is 200 (the embedded Postgres is reachable and migrated)"

if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$checkout"; then
  [[ -f $pgdir/cluster-location ]] || fail "no cluster-location although postgres cannot reach $pgdir"
  grep -q "the cluster lives in $(cat "$pgdir/cluster-location")" "$out" \
    || fail "run.sh did not say where the cluster lives"
  echo "ok: the cluster lives in $(cat "$pgdir/cluster-location"), and run.sh said so"
fi

kill -TERM "$run_pid"
code=0
wait "$run_pid" || code=$?
run_pid=
[[ $code == 0 ]] || fail "run.sh exited $code after SIGTERM, not 0"
if "$checkout/scripts/local-postgres.sh" url "$pgdir" >/dev/null 2>&1; then
  fail "the embedded Postgres still runs after run.sh exited"
fi
echo "ok: SIGTERM stopped the server (exit 0) and the embedded Postgres"
