#!/usr/bin/env bash
# make-event-samples.sh — samples of issue 5 (migration events, NFC, trust zones): one migration made
# of several parallel streams, a plaintext vSphere NFC disk copy, and a migration between two trusted
# hosts of trust zones without an allowed path, from real traffic between network namespaces, the
# same way as make-samples.sh:
#
#   sudo tools/samples/make-event-samples.sh [scenario...]     # default: all of them
#   tools/samples/make-event-samples.sh --list
#
# Two namespaces ("hosts") joined by a veth trunk; each host's address is on a tap behind
# tagging_switch.py (this kernel has no 802.1Q module); tcpdump on host A's trunk. The guest
# memory of guest_memory.py (same 24 pages, seed 50, as make-samples.sh) is cut into one part per
# stream; openssl s_client processes in A send the parts at the same time, each inside its own
# TLS 1.3 session (a throwaway self-signed certificate), to one socat TLS server in B that forks
# per connection. check_capture.py checks the capture (tags, N connections, TLS payload); the bytes
# each connection delivered are compared with the part it sent. Then samples/<scenario>/
# capture.pcap + expect.yaml (with the migration events it must give).
#
# Needs root and: iproute2 tcpdump socat openssl python3 (Debian bookworm). Nothing leaves the
# namespaces (no default route); namespaces and processes are removed on exit, error or Ctrl-C.
# KEEP_WORK=1 keeps the work directory; MIGAUDIT_SAMPLES_DIR writes somewhere other than samples/.
# The shared helpers (processes, waiting, the hosts) are in lib.sh.
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TOOLS/../.." && pwd)
readonly TOOLS REPO
readonly SAMPLES=${MIGAUDIT_SAMPLES_DIR:-$REPO/samples}
readonly RUN_ID=ma-es-$$
readonly PYTHON=${PYTHON:-python3}
readonly SCENARIOS=(vmotion-multistream nfc-plaintext cross-zone-migration)
readonly GUEST_PAGES=24 GUEST_SEED=50
readonly FIRST_CLIENT_PORT=41011 MAX_CAPTURE_BYTES=153600 DEADLINE_SECONDS=20

WORK="" NS_A="" NS_B="" ADDR_A="" ADDR_B="" LAST_PID="" TCPDUMP_PID=""
NAMESPACES=() PIDS=()

log() { printf 'make-event-samples: %s\n' "$*" >&2; }
source "$TOOLS/lib.sh"

make_certificate() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj "/CN=migration-host.sample.invalid" -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
    2>/dev/null
}

# parallel_tls NAME VLAN SRC/PREFIX DST/PREFIX PORT PART... : capture the PART files sent at the
# same time from SRC to DST:PORT, one TLS connection each (source ports 41011, 41012, ...), into
# $WORK/capture.pcap; every connection must deliver exactly its part.
parallel_tls() {
  local name=$1 vlan=$2 src=$3 dst=$4 port=$5 server i part clients=() received
  shift 5
  hosts_up "$name" "$vlan" "$src" "$dst"
  rm -rf "$WORK/capture.pcap" "$WORK/received"
  mkdir -p "$WORK/received"
  start_bg "$WORK/tcpdump.log" ip netns exec "$NS_A" tcpdump -i uplink0 -nn --immediate-mode \
    -s 65535 -B 65536 -Z root -U -w "$WORK/capture.pcap"
  TCPDUMP_PID=$LAST_PID
  wait_for "tcpdump to listen" file_has "$WORK/tcpdump.log" "listening on"
  # One child per connection, each writing what it received to a file named by its client port.
  start_bg "$WORK/server.log" ip netns exec "$NS_B" socat -u \
    "OPENSSL-LISTEN:$port,bind=$ADDR_B,reuseaddr,fork,cert=$WORK/cert.pem,key=$WORK/key.pem,verify=0" \
    "SYSTEM:cat > $WORK/received/\$SOCAT_PEERPORT"
  server=$LAST_PID
  wait_for "the TLS server on $port" listening "$NS_B" "$port"
  i=0
  for part in "$@"; do
    # s_client (as make-samples.sh's send_tls) reads the server's session tickets, so the
    # connection ends with FINs; -nocommands: payload lines starting with Q, R or K are data.
    timeout "$DEADLINE_SECONDS" ip netns exec "$NS_A" openssl s_client -quiet -nocommands \
      -no_ign_eof -noservername -tls1_3 -connect "$ADDR_B:$port" \
      -bind "$ADDR_A:$((FIRST_CLIENT_PORT + i))" <"$part" >"$WORK/client-$i.log" 2>&1 &
    clients+=("$!")
    i=$((i + 1))
  done
  for i in "${!clients[@]}"; do
    wait "${clients[$i]}" || die "TLS client $i failed: $(cat "$WORK/client-$i.log")"
  done
  wait_for "the TCP connections to close" tcp_quiet "$NS_A" "$NS_B"
  stop_bg "$server" TERM || true
  i=0
  for part in "$@"; do
    received=$WORK/received/$((FIRST_CLIENT_PORT + i))
    cmp -s "$part" "$received" || die "connection $i delivered other bytes than its part"
    i=$((i + 1))
  done
  sleep 0.3   # let tcpdump write the final ACK
  stop_bg "$TCPDUMP_PID" INT || true
  file_has "$WORK/tcpdump.log" "^0 packets dropped by kernel" ||
    die "tcpdump lost packets: $(tr '\n' ' ' <"$WORK/tcpdump.log")"
  hosts_down
}

# plain_tcp NAME VLAN SRC/PREFIX DST/PREFIX PORT FILE : capture FILE sent by socat over plain TCP
# from SRC (source port 41011) to DST:PORT, into $WORK/capture.pcap (VLAN 0: untagged).
plain_tcp() {
  local name=$1 vlan=$2 port=$5 file=$6 server
  hosts_up "$name" "$vlan" "$3" "$4"
  rm -f "$WORK/capture.pcap" "$WORK/received.bin"
  start_bg "$WORK/tcpdump.log" ip netns exec "$NS_A" tcpdump -i uplink0 -nn --immediate-mode \
    -s 65535 -B 65536 -Z root -U -w "$WORK/capture.pcap"
  TCPDUMP_PID=$LAST_PID
  wait_for "tcpdump to listen" file_has "$WORK/tcpdump.log" "listening on"
  start_bg "$WORK/server.log" ip netns exec "$NS_B" socat -u \
    "TCP4-LISTEN:$port,bind=$ADDR_B" "CREATE:$WORK/received.bin"
  server=$LAST_PID
  wait_for "the server on $port" listening "$NS_B" "$port"
  timeout "$DEADLINE_SECONDS" ip netns exec "$NS_A" socat -u "OPEN:$file" \
    "TCP4:$ADDR_B:$port,sourceport=$FIRST_CLIENT_PORT"
  stop_bg "$server" || die "socat server failed: $(cat "$WORK/server.log")"
  cmp -s "$file" "$WORK/received.bin" || die "the server received other bytes than were sent"
  wait_for "the TCP connections to close" tcp_quiet "$NS_A" "$NS_B"
  sleep 0.3   # let tcpdump write the final ACK
  stop_bg "$TCPDUMP_PID" INT || true
  file_has "$WORK/tcpdump.log" "^0 packets dropped by kernel" ||
    die "tcpdump lost packets: $(tr '\n' ' ' <"$WORK/tcpdump.log")"
  hosts_down
}

scenario_vmotion_multistream() {
  local streams=3
  "$PYTHON" "$TOOLS/guest_memory.py" --frame vmotion --pages "$GUEST_PAGES" --seed "$GUEST_SEED" \
    -o "$WORK/stream.bin"
  (cd "$WORK" && split -n "$streams" -d -a 1 stream.bin part-)
  parallel_tls vmotion-multistream 50 192.168.50.11/24 192.168.50.12/24 8000 \
    "$WORK"/part-0 "$WORK"/part-1 "$WORK"/part-2
  check --vlan 50 --tcp "$ADDR_A" "$ADDR_B" 8000 --connections "$streams" --payload tls --require arp
  publish vmotion-multistream \
    "One vMotion-style migration as 3 parallel TLS 1.3 streams on TCP 8000 between the trusted hosts on VLAN 50, each carrying a third of the guest memory; one migration event of 3 streams." \
    "{protocol: vmotion, verdict: encrypted, count: $streams}" "" \
    "{protocol: vmotion, verdict: encrypted, streams: $streams, count: 1}"
}

scenario_nfc_plaintext() {
  "$PYTHON" "$TOOLS/guest_memory.py" --frame raw --pages "$GUEST_PAGES" --seed "$GUEST_SEED" \
    -o "$WORK/disk.bin"
  plain_tcp nfc-plaintext 0 10.10.0.11/24 10.10.0.12/24 902 "$WORK/disk.bin"
  check --untagged --tcp "$ADDR_A" "$ADDR_B" 902 --payload plaintext --same-as "$WORK/disk.bin" \
    --require arp
  publish nfc-plaintext \
    "A vSphere NFC-style disk copy in clear (raw guest pages standing in for disk blocks) on TCP 902 between the trusted hosts' management addresses, untagged; not a live migration, so no migration flow and no event." \
    "" "{rule: UNENCRYPTED_NFC, severity: critical, count: 1}" ""
}

# A dev host migrates to a prod host: both are trusted and on the vMotion segment, the stream is
# TLS, so the only thing wrong is the direction between zones (samples/policy.yaml allows prod ->
# dev, not dev -> prod). One connection made by parallel_tls with a single part.
scenario_cross_zone_migration() {
  "$PYTHON" "$TOOLS/guest_memory.py" --frame vmotion --pages "$GUEST_PAGES" --seed "$GUEST_SEED" \
    -o "$WORK/stream.bin"
  parallel_tls cross-zone-migration 50 192.168.50.41/24 192.168.50.12/24 8000 "$WORK/stream.bin"
  check --vlan 50 --tcp "$ADDR_A" "$ADDR_B" 8000 --connections 1 --payload tls --require arp
  publish cross-zone-migration \
    "A vMotion-style migration in TLS 1.3 on TCP 8000, VLAN 50, from the trusted dev-zone host 192.168.50.41 to the trusted prod-zone host 192.168.50.12; the policy allows migrations from prod to dev only, so it crosses zones without an allowed path." \
    "{protocol: vmotion, verdict: encrypted, count: 1}" "{rule: CROSS_ZONE_MIGRATION, severity: critical, count: 1}" \
    "{protocol: vmotion, verdict: encrypted, streams: 1, count: 1}"
}

main() {
  local name selected=() missing=()
  case ${1:-} in
    -h | --help) printf 'usage: sudo %s [--list] [scenario...]\n' "$0"; return 0 ;;
    --list) printf '%s\n' "${SCENARIOS[@]}"; return 0 ;;
  esac
  for name in "$@"; do
    [[ " ${SCENARIOS[*]} " == *" $name "* ]] || die "unknown scenario: $name (--list)"
  done
  if (($#)); then selected=("$@"); else selected=("${SCENARIOS[@]}"); fi
  ((EUID == 0)) || die "needs root for network namespaces and capture: sudo $0"
  for name in ip tcpdump socat openssl split timeout "$PYTHON"; do
    command -v "$name" >/dev/null || missing+=("$name")
  done
  ((${#missing[@]} == 0)) || die "missing tools: ${missing[*]}"
  [[ -f $SAMPLES/policy.yaml ]] || die "no $SAMPLES/policy.yaml: is this the migaudit tree?"
  WORK=$(mktemp -d "/tmp/$RUN_ID.XXXXXX")
  make_certificate
  for name in "${selected[@]}"; do
    log "$name"
    "scenario_${name//-/_}"
  done
}

main "$@"
