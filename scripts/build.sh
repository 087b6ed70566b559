#!/usr/bin/env bash
# Configures and builds ipsim in build/ (or $IPSIM_BUILD_DIR). Extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${IPSIM_BUILD_DIR:-build}
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DIPSIM_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
