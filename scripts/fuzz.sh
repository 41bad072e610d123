#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang into build-fuzz/ (CMake option
# SEALPOST_FUZZ) and runs each one for the given number of seconds (default 20) on a copy
# of its seed corpus, two targets at a time. Prints one line per target (executions,
# coverage, features, corpus size before -> after) and exits non-zero if any target
# crashed, leaked, timed out or ran out of memory; the failing input and the log stay
# under build-fuzz/fuzz-runs/<target>/. See docs/fuzzing.md.
#
#   scripts/fuzz.sh [seconds-per-target] [target...]
#
# SEALPOST_FUZZ_PARALLEL sets how many targets run at once (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "usage: scripts/fuzz.sh [seconds-per-target] [target...]" >&2
  exit 2
fi
parallel="${SEALPOST_FUZZ_PARALLEL:-2}"
build=build-fuzz

# name, -max_len, dictionary (in tests/fuzz/, or "-")
all_targets=(
  "json_reader 4096 json.dict"
  "device_body 4096 json.dict"
  "send_body 2048 json.dict"
  "multi_recipient 4096 -"
  "path_params 64 -"
  "websocket_frames 512 -"
  "base64 512 -"
  "typed_key 2100 -"
  "signature 512 -"
  "ratchet_message 2048 -"
  "session_state 2048 -"
  "sealed_sender_v1 1024 -"
  "sender_certificate 1024 -"
  "content 1024 -"
  "local_state 4096 -"
)
targets=()
if (($# > 0)); then
  for wanted in "$@"; do
    found=0
    for t in "${all_targets[@]}"; do
      if [[ "${t%% *}" == "$wanted" ]]; then
        targets+=("$t")
        found=1
      fi
    done
    if ((found == 0)); then
      echo "fuzz: unknown target '$wanted'" >&2
      exit 2
    fi
  done
else
  targets=("${all_targets[@]}")
fi

scripts/install-deps.sh
started=$SECONDS
mkdir -p "$build"
if ! { CC=clang CXX=clang++ cmake -S . -B "$build" -DSEALPOST_FUZZ=ON -DSEALPOST_WERROR=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
  cmake --build "$build" -j "${SEALPOST_BUILD_JOBS:-2}"; } >"$build/fuzz-build.log" 2>&1; then
  tail -n 40 "$build/fuzz-build.log" >&2
  echo "fuzz: the build failed (whole log: $build/fuzz-build.log)" >&2
  exit 1
fi
echo "fuzz: built in $((SECONDS - started)) s; ${#targets[@]} targets, ${seconds} s each," \
  "${parallel} at a time"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# Runs one target; writes its summary line to <run>/summary and exits with the fuzzer's
# status.
run_target() {
  local name=$1 max_len=$2 dict=$3
  local run="$build/fuzz-runs/$name"
  rm -rf "$run"
  mkdir -p "$run/corpus" "$run/artifacts"
  cp tests/fuzz/corpus/"$name"/* "$run/corpus/"
  local seeds
  seeds=$(find "$run/corpus" -type f | wc -l)
  local args=(-max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048
    -print_final_stats=1 -artifact_prefix="$run/artifacts/")
  if [[ "$dict" != "-" ]]; then
    args+=(-dict="tests/fuzz/$dict")
  fi
  local status=0
  "$build/tests/fuzz/fuzz_$name" "${args[@]}" "$run/corpus" >"$run/log" 2>&1 || status=$?
  local execs cov ft corpus
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log" | tail -n 1)
  cov=$(grep -oE ' cov: [0-9]+' "$run/log" | tail -n 1 | tr -dc 0-9) || true
  ft=$(grep -oE ' ft: [0-9]+' "$run/log" | tail -n 1 | tr -dc 0-9) || true
  corpus=$(find "$run/corpus" -type f | wc -l)
  local verdict=ok
  if ((status != 0)) || [[ -n "$(ls -A "$run/artifacts")" ]]; then
    verdict="FAILED (exit $status; log $run/log; input $(ls "$run/artifacts" | head -n 1))"
    status=1
  fi
  printf '%-17s execs %9s  cov %5s  ft %6s  corpus %3s -> %4s  %s\n' "$name" "${execs:-?}" \
    "${cov:-?}" "${ft:-?}" "$seeds" "$corpus" "$verdict" >"$run/summary"
  return "$status"
}

failed=0
running=0
for t in "${targets[@]}"; do
  read -r name max_len dict <<<"$t"
  run_target "$name" "$max_len" "$dict" &
  running=$((running + 1))
  if ((running >= parallel)); then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while ((running > 0)); do
  wait -n || failed=1
  running=$((running - 1))
done

for t in "${targets[@]}"; do
  name=${t%% *}
  cat "$build/fuzz-runs/$name/summary"
  if grep -q FAILED "$build/fuzz-runs/$name/summary"; then
    failed=1
    tail -n 30 "$build/fuzz-runs/$name/log" | sed "s/^/  $name| /"
  fi
done
echo "fuzz: done in $((SECONDS - started)) s"
exit "$failed"
