#!/usr/bin/env bash
# Installs rssflow's build and test dependencies from Debian (only what is missing, so it is
# idempotent and fast on a prepared machine), then configures and builds.
#
#   scripts/setup.sh              release build in build/ (everything: binary, tests, benchmarks)
#   scripts/setup.sh --sanitize   ASan+UBSan build in build-asan/
#   RSSFLOW_BUILD_TARGET=rssflow scripts/setup.sh   only the binary (the demo)
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [[ "${1:-}" == "--sanitize" ]]; then
  build_dir=build-asan
  cmake_args=(-DCMAKE_BUILD_TYPE=Debug -DRSSFLOW_SANITIZE=ON -DRSSFLOW_BENCH=OFF)
fi

packages=(
  cmake g++ make pkg-config git ca-certificates curl procps time bc util-linux
  libcurl4-openssl-dev libpugixml-dev libpqxx-dev libtbb-dev libre2-dev libxxhash-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev
  libcld2-dev
  postgresql postgresql-client
  prometheus prometheus-pushgateway
  python3 python3-feedparser python3-bs4 python3-yaml
  clang libclang-rt-14-dev
  help2man dpkg-dev file systemd man-db logrotate
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  # Package scripts must not start services (prometheus, postgresql) on a build machine.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

jobs=$(nproc)
cmake -S . -B "$build_dir" "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j"$jobs" ${RSSFLOW_BUILD_TARGET:+--target "$RSSFLOW_BUILD_TARGET"}
