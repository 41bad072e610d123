#!/usr/bin/env bash
# Renders the benchmark charts (SVG, gnuplot) from the per-second CSVs that
# `CHARTS=1 loadtest/run-benchmarks.sh` leaves, so they can be drawn again without running
# the benchmark again (docs/benchmarks.md, "Charts"):
#   loadtest/render-charts.sh [DIR]                (default: docs/benchmarks)
# Reads, in DIR, for each relay sender count N and for the claim storm:
#   relay-N.csv, claim.csv                  sealpost-loadtest relay|claim --progress-csv
#   relay-N-pgbench.csv, claim-pgbench.csv  the least-row-work pgbench run with as many
#                                           clients (loadtest/pgbench-seconds.py); optional
# and writes beside them relay-N-throughput.svg, relay-N-p99.svg, claim-throughput.svg and
# claim-p99.svg, each with our run and its pgbench run on the same axes (loadtest/charts.gp).
# Needs gnuplot: Debian's gnuplot-nox (scripts/install-deps.sh installs it).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/docs/benchmarks}
if ! command -v gnuplot >/dev/null; then
  echo "gnuplot not found: install it with 'apt-get install gnuplot-nox' (or scripts/install-deps.sh)," >&2
  echo "then render the charts with: loadtest/render-charts.sh $dir" >&2
  exit 1
fi

# render NAME KIND TITLE: NAME-throughput.svg and NAME-p99.svg from NAME.csv and, when there
# is one, NAME-pgbench.csv.
render() {
  local name=$1 kind=$2 title=$3 pg=$dir/$1-pgbench.csv chart what
  [[ -f $pg ]] || pg=
  for chart in throughput p99; do
    what=throughput
    [[ $chart == throughput ]] || what="p99 latency"
    gnuplot -e "ours='$dir/$name.csv'; pg='$pg'; kind='$kind'; chart='$chart'" \
      -e "title='$title: $what per second'; out='$dir/$name-$chart.svg'" "$root/loadtest/charts.gp"
    echo "chart: $dir/$name-$chart.svg"
  done
}

rendered=0
for csv in "$dir"/relay-*.csv; do
  [[ -f $csv && $csv != *-pgbench.csv ]] || continue
  senders=$(basename "$csv" .csv)
  senders=${senders#relay-}
  render "relay-$senders" relay "relay, $senders senders as fast as possible; pgbench with $senders clients"
  rendered=1
done
if [[ -f $dir/claim.csv ]]; then
  render claim claim "claim storm; pgbench with as many clients"
  rendered=1
fi
[[ $rendered == 1 ]] || { echo "no relay-N.csv or claim.csv in $dir" >&2; exit 1; }
