#!/usr/bin/env bash
# make-stream-samples.sh — the compressed and encrypted page-stream samples (issue 3), made from
# real traffic between network namespaces, the same way as make-samples.sh:
#
#   sudo tools/samples/make-stream-samples.sh [scenario...]     # default: all of them
#   tools/samples/make-stream-samples.sh --list
#
# Two namespaces ("hosts") joined by a veth trunk; each host's address is on a tap behind
# tagging_switch.py (this kernel has no 802.1Q module); tcpdump on host A's trunk; socat sends
# the stream from A to B over plain TCP; check_capture.py checks the capture (tags, one TCP
# connection, captured bytes == bytes sent); then samples/<scenario>/capture.pcap + expect.yaml.
# The streams come from guest_memory.py (same 24 pages, seed 50, as make-samples.sh) and
# page_stream.py (zlib, Hyper-V-style per-block raw deflate, AES-256-GCM records).
#
# IPsec ESP (ip xfrm) is not here: the kernel these samples were made on has no ESP
# (CONFIG_INET_ESP, CONFIG_INET_AH and CONFIG_CRYPTO_GCM unset, no modules), so
# `ip xfrm state add ... proto esp` fails with "Requested type not found".
#
# Needs root and: iproute2 tcpdump socat python3 python3-cryptography (Debian bookworm).
# Nothing leaves the namespaces (no default route); namespaces and processes are removed on
# exit, error or Ctrl-C. KEEP_WORK=1 keeps the work directory; MIGAUDIT_SAMPLES_DIR writes
# somewhere other than samples/. The shared helpers (processes, waiting, the hosts) are in lib.sh.
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TOOLS/../.." && pwd)
readonly TOOLS REPO
readonly SAMPLES=${MIGAUDIT_SAMPLES_DIR:-$REPO/samples}
readonly RUN_ID=ma-ss-$$
readonly PYTHON=${PYTHON:-python3}
readonly AEAD_PYTHON=${AEAD_PYTHON:-/usr/bin/python3}   # Debian's, with python3-cryptography
readonly SCENARIOS=(vmotion-zlib hyperv-compressed vmotion-aes-gcm vmotion-aes-gcm-4k
  hyperv-encrypted-prologue)
readonly GUEST_PAGES=24 GUEST_SEED=50
# Test key (the one make-samples.sh uses for AES-CTR) and a 4-byte nonce salt ("VMot").
readonly AES_KEY=4d494741554449542073616d706c65206b657920666f722074657374730a0a0a
readonly GCM_SALT=564d6f74
readonly CLIENT_PORT=41011 MAX_CAPTURE_BYTES=153600 DEADLINE_SECONDS=20

WORK="" NS_A="" NS_B="" ADDR_A="" ADDR_B="" LAST_PID="" TCPDUMP_PID=""
NAMESPACES=() PIDS=()

log() { printf 'make-stream-samples: %s\n' "$*" >&2; }
source "$TOOLS/lib.sh"

# migrate NAME VLAN SRC/PREFIX DST/PREFIX PORT FILE : capture FILE sent by socat from SRC to
# DST:PORT on VLAN, into $WORK/capture.pcap.
migrate() {
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
    "TCP4:$ADDR_B:$port,sourceport=$CLIENT_PORT"
  wait_for "the server to end" not_running "$server"
  stop_bg "$server" || die "socat server failed: $(cat "$WORK/server.log")"
  cmp -s "$file" "$WORK/received.bin" || die "the server received other bytes than were sent"
  wait_for "the TCP connections to close" tcp_quiet "$NS_A" "$NS_B"
  sleep 0.3   # let tcpdump write the final ACK
  stop_bg "$TCPDUMP_PID" INT || true
  file_has "$WORK/tcpdump.log" "^0 packets dropped by kernel" ||
    die "tcpdump lost packets: $(tr '\n' ' ' <"$WORK/tcpdump.log")"
  hosts_down
}

readonly UNENCRYPTED='{rule: UNENCRYPTED_MIGRATION, severity: critical, count: 1}'

scenario_vmotion_zlib() {
  "$PYTHON" "$TOOLS/guest_memory.py" --frame vmotion --pages "$GUEST_PAGES" --seed "$GUEST_SEED" \
    -o "$WORK/plain.bin"
  "$PYTHON" "$TOOLS/page_stream.py" zlib "$WORK/plain.bin" "$WORK/stream.bin"
  migrate vmotion-zlib 50 192.168.50.11/24 192.168.50.12/24 8000 "$WORK/stream.bin"
  check --vlan 50 --tcp "$ADDR_A" "$ADDR_B" 8000 --same-as "$WORK/stream.bin" --require arp
  publish vmotion-zlib \
    "The vMotion-style page stream compressed with zlib (78 9c header) on TCP 8000 between the trusted hosts on VLAN 50; compressed is not encrypted." \
    '{protocol: vmotion, verdict: compressed, count: 1}' "$UNENCRYPTED"
}

scenario_hyperv_compressed() {
  "$PYTHON" "$TOOLS/page_stream.py" hyperv-compressed --codec deflate --pages "$GUEST_PAGES" \
    --seed "$GUEST_SEED" "$WORK/stream.bin"
  migrate hyperv-compressed 66 10.66.0.21/24 10.66.0.22/24 6600 "$WORK/stream.bin"
  check --vlan 66 --tcp "$ADDR_A" "$ADDR_B" 6600 --same-as "$WORK/stream.bin" --require arp
  publish hyperv-compressed \
    "Hyper-V Compression-style live migration (length-prefixed header, blocks of raw deflate without any signature) on TCP 6600 between the trusted hosts on VLAN 66; compressed is not encrypted." \
    '{protocol: hyperv, verdict: compressed, count: 1}' "$UNENCRYPTED"
}

scenario_vmotion_aes_gcm() {
  "$PYTHON" "$TOOLS/guest_memory.py" --frame vmotion --pages "$GUEST_PAGES" --seed "$GUEST_SEED" \
    -o "$WORK/plain.bin"
  "$AEAD_PYTHON" "$TOOLS/page_stream.py" seal --key "$AES_KEY" --salt "$GCM_SALT" \
    "$WORK/plain.bin" "$WORK/stream.bin"
  migrate vmotion-aes-gcm 50 192.168.50.11/24 192.168.50.12/24 8000 "$WORK/stream.bin"
  check --vlan 50 --tcp "$ADDR_A" "$ADDR_B" 8000 --payload uniform --same-as "$WORK/stream.bin" \
    --require arp
  publish vmotion-aes-gcm \
    "The vMotion-style page stream in AES-256-GCM records (length, nonce, ciphertext, tag; no handshake) on TCP 8000 between the trusted hosts on VLAN 50; nothing to report." \
    '{protocol: vmotion, verdict: encrypted, count: 1}' ""
}

# 4 KiB records: a clear 16-byte header (length, salt, counter) every 4 KiB, and enough pages (96,
# 384 KiB) for the agent's whole 256 KiB sample: its histogram as a whole is not uniform.
scenario_vmotion_aes_gcm_4k() {
  "$PYTHON" "$TOOLS/guest_memory.py" --frame vmotion --pages 96 --seed "$GUEST_SEED" \
    -o "$WORK/plain.bin"
  "$AEAD_PYTHON" "$TOOLS/page_stream.py" seal --key "$AES_KEY" --salt "$GCM_SALT" \
    --record-bytes 4096 "$WORK/plain.bin" "$WORK/stream.bin"
  migrate vmotion-aes-gcm-4k 50 192.168.50.11/24 192.168.50.12/24 8000 "$WORK/stream.bin"
  check --vlan 50 --tcp "$ADDR_A" "$ADDR_B" 8000 --same-as "$WORK/stream.bin" --require arp
  PUBLISH_MAX_BYTES=460800 publish vmotion-aes-gcm-4k \
    "The vMotion-style page stream in AES-256-GCM records of 4 KiB, each behind a clear 16-byte header (length, nonce salt and counter), on TCP 8000 between the trusted hosts on VLAN 50; the headers make the byte histogram as a whole fail the uniform test, the rest of it is ciphertext; nothing to report." \
    '{protocol: vmotion, verdict: encrypted, count: 1}' ""
}

# A clear prologue: 8 KiB of XML negotiation in clear, then the memory in AES-256-GCM records of 64
# KiB (headers too rare to matter), Hyper-V style on 6600: the sample as a whole is not uniform.
scenario_hyperv_encrypted_prologue() {
  "$PYTHON" "$TOOLS/guest_memory.py" --frame raw --pages 96 --seed "$GUEST_SEED" -o "$WORK/plain.bin"
  "$AEAD_PYTHON" "$TOOLS/page_stream.py" seal --key "$AES_KEY" --salt "$GCM_SALT" \
    --record-bytes 65536 "$WORK/plain.bin" "$WORK/sealed.bin"
  "$PYTHON" "$TOOLS/page_stream.py" negotiation --bytes 8192 "$WORK/negotiation.bin"
  cat "$WORK/negotiation.bin" "$WORK/sealed.bin" >"$WORK/stream.bin"
  migrate hyperv-encrypted-prologue 66 10.66.0.21/24 10.66.0.22/24 6600 "$WORK/stream.bin"
  check --vlan 66 --tcp "$ADDR_A" "$ADDR_B" 6600 --same-as "$WORK/stream.bin" --require arp
  PUBLISH_MAX_BYTES=512000 publish hyperv-encrypted-prologue \
    "Hyper-V-style live migration on TCP 6600 between the trusted hosts on VLAN 66 that sends 8 KiB of XML negotiation in clear, then the memory in AES-256-GCM records of 64 KiB; the clear prologue makes the sample as a whole fail the uniform test, what follows it is ciphertext; nothing to report." \
    '{protocol: hyperv, verdict: encrypted, count: 1}' ""
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
  for name in ip tcpdump socat timeout "$PYTHON" "$AEAD_PYTHON"; do
    command -v "$name" >/dev/null || missing+=("$name")
  done
  ((${#missing[@]} == 0)) || die "missing tools: ${missing[*]}"
  "$AEAD_PYTHON" -c 'import cryptography' 2>/dev/null ||
    die "$AEAD_PYTHON cannot import cryptography: apt-get install python3-cryptography"
  [[ -f $SAMPLES/policy.yaml ]] || die "no $SAMPLES/policy.yaml: is this the migaudit tree?"
  WORK=$(mktemp -d "/tmp/$RUN_ID.XXXXXX")
  for name in "${selected[@]}"; do
    log "$name"
    "scenario_${name//-/_}"
  done
}

main "$@"
