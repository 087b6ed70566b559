#!/usr/bin/env bash
# Runs the benchmarks (never part of the test suite) and prints the machine
# they ran on. Figures go into docs/performance.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
./build/ipsim bench "$@"
for b in build/bench_*; do
  [ -x "$b" ] && "$b"
done
