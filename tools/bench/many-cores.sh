#!/usr/bin/env bash
# Issue 18's scaling curve: `migaudit bench` once per worker count on one machine. Each run times one
# worker beside N workers, and the installed peers (tcpdump, nfpcapd, softflowd, tshark), all on the same
# benchmark capture; the machine is described first, so that the figures name it.
# Usage: tools/bench/many-cores.sh [N...]      (default: 2 4 8 15)
# Environment: MIGAUDIT (the migaudit command, default ./migaudit), RUNS (passes per run, default 5),
#   BENCH_FILE (capture, default: bench's own benchmark capture, made on first use).
set -euo pipefail
migaudit="${MIGAUDIT:-./migaudit}"
runs="${RUNS:-5}"
[ $# -gt 0 ] || set -- 2 4 8 15

echo "== machine: $(nproc) CPUs online; $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "== threads per core: $(awk -F: '/^siblings/ {s=$2} /^cpu cores/ {c=$2} END {if (c > 0) print s / c; else print "unknown"}' /proc/cpuinfo)"
echo "== kernel: $(uname -sr); memory: $(awk '/^MemTotal:/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
for n in "$@"; do
  echo "== $migaudit bench --workers $n --runs $runs --memory-flows 0 --no-compression ${BENCH_FILE:-}"
  start=$(date +%s)
  # shellcheck disable=SC2086 # BENCH_FILE is empty or one path
  $migaudit bench --workers "$n" --runs "$runs" --memory-flows 0 --no-compression ${BENCH_FILE:-}
  echo "== $n workers: $(($(date +%s) - start)) s"
done
