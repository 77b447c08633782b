#!/usr/bin/env bash
# Replays every sample twice, whole and with each frame cut at a snap length, and prints what changed:
# each migration flow's verdict, and each alert that one replay raised and the other did not.
#
#   tools/bench/snaplen-sweep.sh [SNAPLEN]        (default 200; run from the repository root)
#
# Cutting uses editcap (wireshark-common) -s SNAPLEN, as tcpdump -s or a mirror session's packet
# length cut frames; pcap.gz samples are unpacked first. The samples already cut (snaplen-*) and the
# policy are copied as they are. Needs ./migaudit (builds on first run) and python3.
set -euo pipefail
snap=${1:-200}
command -v editcap >/dev/null || { echo "snaplen-sweep: needs editcap (apt-get install wireshark-common)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/whole" "$work/cut"
cp samples/policy.yaml "$work/whole/" && cp samples/policy.yaml "$work/cut/"
for dir in samples/*/; do
  name=$(basename "$dir")
  [[ $name == snaplen-* ]] && continue
  src=$(ls "$dir"capture.* | head -1)
  mkdir -p "$work/whole/$name" "$work/cut/$name"
  if [[ $src == *.gz ]]; then
    gunzip -c "$src" > "$work/whole/$name/capture.pcap"
  else
    cp "$src" "$work/whole/$name/capture.${src##*.}"
  fi
  in=$(ls "$work/whole/$name"/capture.*)
  # editcap stops at a capture file's break (truncated-capture) and says so: what it read is kept
  editcap -s "$snap" "$in" "$work/cut/$name/capture.${in##*.}" 2>/dev/null || true
done
for side in whole cut; do
  ./migaudit replay --flows "$work/$side.flows" --alerts "$work/$side.alerts" "$work/$side" \
    > "$work/$side.out" 2> "$work/$side.err"
done
grep -h "warning: the capture cut" "$work/cut.out" || true
python3 - "$work" "$snap" <<'PY'
import json, os, re, sys
work, snap = sys.argv[1], sys.argv[2]
def sample(iface):
    return re.sub(r"^.*/(whole|cut)/", "", iface).split("/")[0]
def flows(side):
    out = {}
    for line in open(os.path.join(work, side + ".flows")):
        r = json.loads(line)
        if r.get("last") and r.get("protocol"):
            key = (sample(r["interface"]), f'{r["src"]}:{r["srcPort"]} -> {r["dst"]}:{r["dstPort"]}')
            out[key] = (r["protocol"], (r.get("payload") or {}).get("verdict", "unknown"))
    return out
def alerts(side):
    out = set()
    for line in open(os.path.join(work, side + ".alerts")):
        a = json.loads(line)
        out.add((sample(a["interface"]), a["rule"], f'{a["src"]} -> {a["dst"]}:{a["dstPort"]}'))
    return out
whole, cut = flows("whole"), flows("cut")
print(f"| sample | flow | protocol | whole | cut at {snap} bytes |")
print("| --- | --- | --- | --- | --- |")
changed = 0
for key in sorted(whole):
    w = whole[key]
    c = cut.get(key, ("-", "no record"))
    if w[1] != c[1]:
        changed += 1
        print(f"| {key[0]} | {key[1]} | {w[0]} | {w[1]} | {c[1]} |")
same = sum(1 for k in whole if k in cut and whole[k][1] == cut[k][1])
print(f"\n{len(whole)} migration flows: {same} with the same verdict cut at {snap} bytes, {changed} changed")
aw, ac = alerts("whole"), alerts("cut")
for tag, items in (("raised only when cut (false alarms)", ac - aw), ("lost when cut", aw - ac)):
    print(f"alerts {tag}: {len(items)}")
    for s, rule, path in sorted(items):
        print(f"  {s}: {rule} {path}")
PY
