#!/usr/bin/env bash
# Configures and builds ipsim in build/ (or $IPSIM_BUILD_DIR), warnings as
# errors. Extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${IPSIM_BUILD_DIR:-build}
mkdir -p "$dir"
if ! cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DIPSIM_WERROR=ON "$@" >"$dir/configure.log" 2>&1; then
  cat "$dir/configure.log" >&2
  exit 1
fi
cmake --build "$dir" -j "$(nproc)"
