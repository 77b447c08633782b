#!/usr/bin/env bash
# Replays every sample as one capture file, merged in time order and concatenated out of order
# (mergecap -a: each file's packets after the previous file's, so time steps back at each join, as a
# sensor clock stepped by NTP or rotated files read in the wrong order give it), and prints what each
# replay read and wrote: flows and flow records, then the findings that differ from the merged one.
#
#   tools/bench/concat-replay.sh        (run from the repository root)
#
# Needs mergecap (wireshark-common), ./migaudit (builds on first run). truncated-capture is left
# out: mergecap stops at a file cut short.
set -euo pipefail
command -v mergecap >/dev/null || { echo "concat-replay: needs mergecap (apt-get install wireshark-common)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mapfile -t files < <(ls samples/*/capture.* | grep -v truncated-capture)
for how in merged concatenated; do
  mkdir -p "$work/$how"
  cp samples/policy.yaml "$work/$how/"
  if [ "$how" = merged ]; then
    mergecap -w "$work/$how/all.pcapng" "${files[@]}"
  else
    mergecap -a -w "$work/$how/all.pcapng" "${files[@]}"
  fi
  ./migaudit replay "$work/$how" > "$work/$how.out" 2> "$work/$how.err"
  echo "$how: $(grep -E '^Read' "$work/$how.out"); $(grep -E '^Flows' "$work/$how.out")"
done
findings() { grep -E '^\s+(critical|warning|info) ' "$1" | sed -E 's/[0-9.]+ (KB|MB)//; s/\[.*\]//' | sort; }
echo "findings of the concatenated file not in the merged one, and the other way round:"
diff <(findings "$work/merged.out") <(findings "$work/concatenated.out") || true
echo "alerts by rule, merged then concatenated:"
for how in merged concatenated; do sed -n "/^Alerts by rule:/,/^$/p" "$work/$how.out" | tail -n +2 | tr -s " " | paste -sd";" -; done
