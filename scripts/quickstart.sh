#!/usr/bin/env bash
# One command from a fresh Debian 12 clone: install what is missing, build,
# and run the built-in default Belgian scenario (summary on stdout, HDF5 file
# written to out/default.h5, replaced on each run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
mkdir -p out
./build/ipsim run -o out/default.h5 --force "$@"
