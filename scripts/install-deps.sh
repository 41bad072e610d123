#!/usr/bin/env bash
# Installs every build, test and runtime dependency of Sealpost from Debian bookworm's
# packages. Idempotent: quiet and quick when everything is already there.
#   install-deps.sh           what the build, the run script and the tests need
#   install-deps.sh --citus   that, and what building Citus from ../shared/vendor needs
#                             (scripts/local-citus.sh calls it; see docs/scaling.md)
set -euo pipefail

packages=(
  # toolchain
  g++ cmake make pkg-config git ca-certificates
  # libraries (see README.md, "Dependencies", for why each was chosen)
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  libpqxx-dev libpq-dev
  libprotobuf-dev protobuf-compiler
  libssl-dev
  libtomlplusplus-dev
  libspdlog-dev
  prometheus-cpp-dev
  catch2
  # database server for the embedded default and the tests
  postgresql-15 postgresql-client-15
  # used by the run script to drop root privileges for Postgres
  util-linux curl
  # pgrep and ps: scripts/local-postgres.sh sigkill finds a cluster's processes
  procps
  # validates deploy/docker-compose.yml in the test suite (there is no Docker engine here)
  docker-compose
  # a real Prometheus (and promtool) scrapes the server in the metrics test
  prometheus
  # the deploy checks (tests/deploy) read compose, Prometheus and Grafana files as YAML
  python3 python3-yaml
  # the TLS test makes its own self-signed certificate
  openssl
  # draws the benchmark charts (loadtest/render-charts.sh, CHARTS=1 loadtest/run-benchmarks.sh)
  gnuplot-nox
  # loadtest/run-benchmarks.sh reads the load generator's JSON result lines
  jq
  # libFuzzer targets (scripts/fuzz.sh): clang and its runtimes (libclang_rt.fuzzer, ASan)
  clang libclang-rt-14-dev
)
if [[ ${1:-} == --citus ]]; then
  # Citus's build (./configure --without-libcurl): PostgreSQL's server headers and the
  # libraries they and Citus link (compression, Kerberos, SELinux, XSLT, PAM, readline).
  packages+=(postgresql-server-dev-15 liblz4-dev libzstd-dev libkrb5-dev libselinux1-dev
    libxslt1-dev libpam0g-dev libreadline-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
