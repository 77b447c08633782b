#!/usr/bin/env bash
# Long flows behind clear record headers, end to end: the vMotion-style page stream (guest_memory.py,
# repeated to MIB MiB) sealed by page_stream.py in AES-256-GCM records of 1, 2, 4 and 16 KiB, each
# behind a clear 16-byte header (length, nonce salt, counter), and, as the attack on tolerating such
# headers, the same headers in front of the zlib-compressed stream, not encrypted, alone and after
# 1 MiB of the sealed records of 2 KiB (a first sample that shows the headers). Each is sent over
# the loopback of a network namespace of its own with MTU 1500 (a NIC's segments) to TCP 8000,
# captured there by tcpdump, and replayed by ./migaudit against a policy that trusts the loopback.
# Prints one line per stream: the verdict, the alerts, the start of the reason.
#
#   sudo tools/bench/headers-long-flows.sh [MIB]     (default 64; from the repository root)
#
# Needs root, iproute2, tcpdump, socat, python3 with python3-cryptography (Debian's /usr/bin/python3).
set -euo pipefail
mib=${1:-64}
aead_python=${AEAD_PYTHON:-/usr/bin/python3}
readonly KEY=4d494741554449542073616d706c65206b657920666f722074657374730a0a0a SALT=564d6f74
((EUID == 0)) || { echo "headers-long-flows: needs root (network namespaces, capture)" >&2; exit 2; }
for tool in ip tcpdump socat python3; do
  command -v "$tool" >/dev/null || { echo "headers-long-flows: needs $tool" >&2; exit 2; }
done
work=$(mktemp -d)
ns=ma-hlf-$$
trap 'ip netns delete "$ns" 2>/dev/null || true; rm -rf "$work"' EXIT
cat >"$work/policy.yaml" <<'EOF'
encryption: required
migrationNetworks:
  - {name: loopback, cidrs: [127.0.0.0/8]}
trustedHosts: [127.0.0.1]
EOF
python3 tools/samples/guest_memory.py --frame raw --pages 2048 --seed 50 -o "$work/pages.bin"
for ((i = 0; i < mib / 8; i++)); do cat "$work/pages.bin"; done >"$work/memory.bin"
python3 tools/samples/page_stream.py zlib "$work/memory.bin" "$work/zlib.bin"
python3 tools/samples/page_stream.py frame --salt "$SALT" --record-bytes 2048 "$work/zlib.bin" \
  "$work/stream-zlib-behind-2k-headers.bin"
for record in 1024 2048 4096 16384; do
  "$aead_python" tools/samples/page_stream.py seal --key "$KEY" --salt "$SALT" \
    --record-bytes "$record" "$work/memory.bin" "$work/stream-aes-gcm-$record.bin"
done
head -c $((1 << 20)) "$work/stream-aes-gcm-2048.bin" |
  cat - "$work/stream-zlib-behind-2k-headers.bin" >"$work/stream-aes-gcm-2048-then-zlib.bin"

ip netns add "$ns"
ip -n "$ns" link set lo mtu 1500 up
for stream in "$work"/stream-*.bin; do
  name=$(basename "$stream" .bin)
  ip netns exec "$ns" tcpdump -i lo -nn -s 0 -B 65536 -U -w "$work/$name.pcap" 'tcp port 8000' \
    2>"$work/tcpdump.log" &
  dump=$!
  until grep -q 'listening on' "$work/tcpdump.log" 2>/dev/null; do sleep 0.05; done
  ip netns exec "$ns" socat -u TCP4-LISTEN:8000,bind=127.0.0.1,reuseaddr OPEN:/dev/null &
  server=$!
  until [[ -n $(ip netns exec "$ns" ss -Hltn 'sport = :8000') ]]; do sleep 0.05; done
  ip netns exec "$ns" socat -u "OPEN:$stream" TCP4:127.0.0.1:8000
  wait "$server"
  sleep 0.3
  kill -INT "$dump"
  wait "$dump" || true
  grep -q '^0 packets dropped by kernel' "$work/tcpdump.log" ||
    { echo "headers-long-flows: tcpdump lost packets for $name" >&2; exit 1; }
  ./migaudit replay --policy "$work/policy.yaml" --flows "$work/$name.flows" \
    --alerts "$work/$name.alerts" "$work/$name.pcap" >"$work/replay.log" 2>&1 ||
    { cat "$work/replay.log" >&2; exit 1; }
  python3 - "$name" "$work/$name.flows" "$work/$name.alerts" <<'EOF'
import json, sys
name, flows, alerts = sys.argv[1:]
last = [r for r in map(json.loads, open(flows)) if r.get("last")]
mib = sum(r["srcToDst"]["payloadBytes"] for r in last) / 1048576
rules = sorted(json.loads(a)["rule"] for a in open(alerts))
for r in last:
    print(f"{name:32} {mib:5.1f} MiB  {r['payload']['verdict']:10}  alerts: {', '.join(rules) or 'none'}"
          f"  ({r['payload']['reason'][:90]}...)")
EOF
done
