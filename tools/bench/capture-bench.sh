#!/usr/bin/env bash
# Capture-path benchmark (issue 8): every capture backend on the benchmark capture file, then live on a
# veth pair with tcpreplay --topspeed replaying the same capture, with the kernel's drops.
# Needs root, iproute2, tcpreplay, tcpdump and libpcap. Run from the repository root:
#   tools/bench/capture-bench.sh [CAPTURE] [BACKEND...]
# Traffic stays inside the veth pair (one end in a network namespace this script makes and removes).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"
given="${1:-}"
capture="${given:-target/bench/migration-2M-snap128.pcap}"
shift || true
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(libpcap tcpdump pcap4j)
ns="ma-cb-$$"
cleanup() {
  ip link del "$ns-a" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT

for tool in ip tcpreplay tcpdump; do
  command -v "$tool" >/dev/null || { echo "capture-bench: $tool is missing" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "capture-bench: needs root (network namespace, live capture)" >&2; exit 1; }

./migaudit --version >/dev/null # builds once if the sources changed; the runs below use that build
run() { "${JAVA:-java}" ${MIGAUDIT_JAVA_OPTS:-} -cp "cli/target/migaudit-cli.jar:cli/target/lib/*" io.migaudit.cli.MigauditCommand "$@"; }

echo "== capture path on a file (each backend reading $capture)"
run bench-capture --runs 3 ${given:+"$given"}
[ -f "$capture" ] || { echo "capture-bench: $capture is missing" >&2; exit 1; }

ip netns add "$ns"
ip link add "$ns-a" mtu 9000 type veth peer name "$ns-b" mtu 9000
ip link set "$ns-b" netns "$ns"
ip link set "$ns-a" up
ip netns exec "$ns" ip link set "$ns-b" up

echo
echo "== live on a veth pair: tcpreplay --topspeed $capture into $ns-b, captured on $ns-a"
for backend in "${backends[@]}"; do
  out="$(mktemp)"
  rx_dropped_before=$(cat "/sys/class/net/$ns-a/statistics/rx_dropped")
  run bench-capture --live "$ns-a" --capture-backend "$backend" --idle-seconds 3 >"$out" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    grep -q "^capturing on" "$out" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  sleep 0.5
  echo "-- $backend"
  ip netns exec "$ns" tcpreplay --preload-pcap --topspeed -i "$ns-b" "$capture" 2>&1 | grep -E "Actual|Rated|Failed" | sed 's/^/   tcpreplay: /'
  wait "$pid" || true
  grep -v "^capturing on" "$out" | sed 's/^/   /'
  echo "   veth $ns-a rx_dropped (before the packet socket): $(( $(cat "/sys/class/net/$ns-a/statistics/rx_dropped") - rx_dropped_before ))"
  rm -f "$out"
done
