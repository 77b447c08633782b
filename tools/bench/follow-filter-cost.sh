#!/usr/bin/env bash
# What following connections outside the capture filter costs the live agent (SignatureFollower):
# for 0 to 64 connections followed, the filter's size, its BPF instructions after libpcap's
# optimizer (tcpdump -d; the Linux kernel takes at most 4096) and libpcap's compile time, which the
# capture thread spends at each widening. BENCHMARKS.md quotes it.
#
#   tools/bench/follow-filter-cost.sh        (from the repository root; needs tcpdump)
set -euo pipefail
[ -f cli/target/migaudit-cli.jar ] ||
  mvn -q -B -o package -pl cli -am -DskipTests -Dspotless.check.skip=true >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
java -cp "capture-agent/target/classes:flow-record/target/classes:cli/target/lib/*" \
  tools/bench/FollowFilterCost.java "$work" 2>/dev/null | grep -E '^[0-9]+ [0-9]+ [0-9.]+$' >"$work/times"
printf '%11s  %12s  %16s  %24s\n' connections "filter chars" "BPF instructions" \
  "compile ms (median of 9)"
while read -r n chars ms; do
  insns=$(tcpdump -d -y EN10MB "$(cat "$work/$n.filter")" | wc -l)
  printf '%11d  %12d  %16d  %24s\n' "$n" "$chars" "$insns" "$ms"
done <"$work/times"
