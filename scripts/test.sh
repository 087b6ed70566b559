#!/usr/bin/env bash
# One command from a fresh Debian 12 clone: install what is missing, build with
# warnings as errors, and run the whole Criterion suite through ctest. With
# IPSIM_SANITIZE=1 the same suite also runs under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
(cd build && ctest --output-on-failure -j 2)
if [ "${IPSIM_SANITIZE:-0}" = 1 ]; then
  IPSIM_BUILD_DIR=build-asan bash scripts/build.sh -DCMAKE_BUILD_TYPE=Debug -DIPSIM_SANITIZE=ON
  (cd build-asan && ctest --output-on-failure -j 2)
fi
