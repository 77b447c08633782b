#!/usr/bin/env bash
# A/B of two built trees with tools/bench/WorkerPasses.java (BENCHMARKS.md, "Workers walking only
# their own frames"): prints passes 5-8 of 8 as "M packets/s / process ns a packet".
#
#   tools/bench/ab-passes.sh MODE TREE_A TREE_B WORKERS...
#
# MODE turns: the trees one after the other on both cores, three rounds;
#      core:  the same pinned to CPU 1 (taskset), three rounds;
#      once:  both at the same time, A on CPU 0 and B on CPU 1, then swapped, three rounds (both
#             see the same minutes of a VM whose speed drifts).
# Each TREE is a checkout built with `mvn -q -B -o package -pl cli -am -DskipTests`; the capture is
# target/bench/migration-2M-snap128.pcap of this repository (`./migaudit bench` makes it), or the
# file AB_CAPTURE names.
set -euo pipefail
mode=$1 a=$2 b=$3
shift 3
here=$(cd "$(dirname "$0")/../.." && pwd)
capture=${AB_CAPTURE:-$here/target/bench/migration-2M-snap128.pcap}

passes() { # TREE CPUS WORKERS
  taskset -c "$2" java -Xmn512m -Xms2g -XX:+AlwaysPreTouch \
    -cp "$1/cli/target/migaudit-cli.jar:$1/cli/target/lib/*" "$here/tools/bench/WorkerPasses.java" \
    "$capture" "$3" 8 2>&1 | grep '^workers' | tail -n 4 | awk '{printf "%s/%s ", $3, $6}'
}

for w in "$@"; do
  for round in 1 2 3; do
    case $mode in
      turns | core)
        cpus=$([ "$mode" = core ] && echo 1 || echo 0-1)
        echo "workers $w round $round A: $(passes "$a" "$cpus" "$w")"
        echo "workers $w round $round B: $(passes "$b" "$cpus" "$w")"
        ;;
      once)
        for swap in 0 1; do
          passes "$a" "$swap" "$w" > /tmp/ab-passes.a &
          passes "$b" $((1 - swap)) "$w" > /tmp/ab-passes.b
          wait
          echo "workers $w round $round A (cpu $swap): $(cat /tmp/ab-passes.a) | B: $(cat /tmp/ab-passes.b)"
        done
        ;;
      *) echo "MODE is turns, core or once" >&2; exit 2 ;;
    esac
  done
done
