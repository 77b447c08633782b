#!/usr/bin/env bash
# make-samples.sh — regenerate migaudit's samples/ from real traffic between network namespaces.
#
#   sudo tools/samples/make-samples.sh            # every scenario
#   sudo tools/samples/make-samples.sh vmotion-tls hyperv-plaintext
#   tools/samples/make-samples.sh --list
#
# Each scenario makes two network namespaces ("hosts") joined by a veth pair (the trunk), gives
# each host a tap interface holding its address behind tagging_switch.py (a vSwitch port group:
# it adds/removes the 802.1Q tag, because this kernel has no 802.1Q module), captures on host A's
# trunk with tcpdump, runs a real server in B and a real client in A (socat, openssl s_server /
# s_client, python3 http.server, ping), checks the capture with check_capture.py, then writes
# samples/<scenario>/capture.* and expect.yaml. samples/policy.yaml is never touched.
#
# Needs root and these Debian packages (bookworm):
#   apt-get install --no-install-recommends iproute2 tcpdump openssl socat iputils-ping \
#       python3 gzip wireshark-common
# (wireshark-common gives editcap, for the pcapng sample.) The qemu-* scenarios (real QEMU live
# migrations, qemu-scenarios.sh) also need qemu-system-x86, and qemu-ssh-tunnel openssh-server
# and openssh-client. Addresses exist only inside the
# namespaces made here: no default route, nothing leaves them; namespaces and processes are
# removed on exit, also on error or Ctrl-C. KEEP_WORK=1 keeps the work directory (logs, raw
# capture) for debugging; MIGAUDIT_SAMPLES_DIR writes somewhere other than samples/.
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TOOLS/../.." && pwd)
readonly TOOLS REPO
readonly SAMPLES=${MIGAUDIT_SAMPLES_DIR:-$REPO/samples}
readonly RUN_ID=ma-s-$$
readonly PYTHON=${PYTHON:-python3}
readonly SCENARIOS=(
  vmotion-plaintext vmotion-tls vmotion-encrypted-clean hyperv-plaintext untrusted-source
  untrusted-destination migration-on-management-network migration-on-wrong-vlan
  shared-migration-vlan qemu-plaintext qemu-tls qemu-multifd-zlib qemu-multifd-zstd qemu-ssh-tunnel
  qemu-unlisted-port xen-unlisted-port vmotion-encrypted-lossy qemu-loopback qemu-postcopy-preempt
  qemu-postcopy-unswitched qemu-postcopy-recovery qemu-http-relay qemu-keystream-reuse
  qemu-macsec-integrity-only qemu-macsec-encrypted qemu-mpls-l3vpn qemu-mpls-pseudowire
  qemu-rdma-write-plaintext qemu-rdma-write-encrypted qemu-rdma-forged-icrc qemu-mpls-gre
  qemu-mpls-udp qemu-vxlan qemu-vxlan-fragmented qemu-vxlan-wrong-vni qemu-routed-fragmented
  qemu-vxlan-8472
)
# The guest: 24 pages of 4 KiB (96 KiB), same bytes every run.
readonly GUEST_PAGES=24
readonly GUEST_SEED=50
# Stand-in for the vmkernel's one-time AES-256 key and nonce of an encrypted vMotion (test values).
readonly AES_KEY=4d494741554449542073616d706c65206b657920666f722074657374730a0a0a
readonly AES_IV=000000000000000000000000000000a1
readonly CLIENT_PORT=41011      # fixed source port: outside every catalog range, same every run
readonly MAX_CAPTURE_BYTES=153600
readonly DEADLINE_SECONDS=20

WORK=""
NAMESPACES=()
PIDS=()
SCENARIO_COUNT=0
NS_A="" NS_B="" ADDR_A="" ADDR_B="" CAPTURE="" CAPTURE_PID="" LAST_PID=""
LOSE_EVERY_B=0   # host B's switch drops every Nth full-size frame to B (0: none), tagging_switch.py

log() { printf 'make-samples: %s\n' "$*" >&2; }
source "$TOOLS/lib.sh"

# ---------------------------------------------------------------- processes and waiting

# start_bg STDIN STDOUT STDERR COMMAND... : run in the background, remembered for cleanup.
start_bg() {
  local in=$1 out=$2 err=$3
  shift 3
  "$@" <"$in" >"$out" 2>"$err" &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

# stop_pid PID [SIGNAL] : signal a process started by start_bg and reap it.
stop_pid() {
  local pid=$1 signal=${2:-TERM} kept=() p
  kill -s "$signal" "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${PIDS[@]}"; do
    [[ $p == "$pid" ]] || kept+=("$p")
  done
  PIDS=("${kept[@]}")
}

# wait_exit PID : wait (with the deadline) for a background process to end; returns its status.
wait_exit() {
  local pid=$1 status=0
  wait_for "process $pid to end" not_running "$pid"
  wait "$pid" || status=$?
  stop_pid "$pid"
  return "$status"
}

no_tentative_ipv6() { [[ -z $(ip -n "$1" -6 addr show dev vmk0 tentative) ]]; }

# ---------------------------------------------------------------- hosts and the trunk

is_ipv6() { [[ $1 == *:* ]]; }

# A locally administered MAC derived from the address, so a host keeps its MAC across samples.
mac_for() {
  "$PYTHON" -c 'import ipaddress, sys; b = ipaddress.ip_address(sys.argv[1]).packed[-4:]
print("02:00:" + ":".join(f"{x:02x}" for x in b))' "$1"
}

# hosts_up VLAN ADDR_A/PREFIX ADDR_B/PREFIX : two namespaces, a veth trunk, a switch in each.
# VLAN 0 means untagged (access port).
hosts_up() {
  local vlan=$1 cidr_a=$2 cidr_b=$3
  SCENARIO_COUNT=$((SCENARIO_COUNT + 1))
  NS_A=$RUN_ID-$SCENARIO_COUNT-a
  NS_B=$RUN_ID-$SCENARIO_COUNT-b
  ADDR_A=${cidr_a%/*}
  ADDR_B=${cidr_b%/*}
  netns_up "$NS_A" "$NS_B"
  ip -n "$NS_A" link add uplink0 type veth peer name uplink0 netns "$NS_B"
  host_up "$NS_A" "$cidr_a" "$vlan"
  host_up "$NS_B" "$cidr_b" "$vlan"
  if is_ipv6 "$ADDR_A"; then
    wait_for "IPv6 duplicate address detection" no_tentative_ipv6 "$NS_A"
    wait_for "IPv6 duplicate address detection" no_tentative_ipv6 "$NS_B"
  fi
}

host_up() {
  local ns=$1 cidr=$2 vlan=$3 switch_log
  ip -n "$ns" tuntap add dev vmk0 mode tap
  ip -n "$ns" link set vmk0 address "$(mac_for "${cidr%/*}")"
  if is_ipv6 "$cidr"; then
    # A vmknic with static IPv6: link-local kept, no router solicitations, no RA.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.vmk0.disable_ipv6=0 \
      net.ipv6.conf.vmk0.router_solicitations=0 net.ipv6.conf.vmk0.accept_ra=0
    ip -n "$ns" addr add "$cidr" dev vmk0 nodad
  else
    ip -n "$ns" addr add "$cidr" dev vmk0
  fi
  # The trunk port is layer 2 only: NOARP, or the host would answer ARP for vmk0's address on it.
  ip -n "$ns" link set uplink0 arp off up
  ip -n "$ns" link set vmk0 up
  switch_log=$WORK/switch-$ns.log
  local lose=0
  [[ $ns == "$NS_B" ]] && lose=$LOSE_EVERY_B
  start_bg /dev/null /dev/null "$switch_log" ip netns exec "$ns" \
    "$PYTHON" "$TOOLS/tagging_switch.py" --access vmk0 --uplink uplink0 --vlan "$vlan" \
    --lose-every "$lose"
  wait_for "the switch in $ns" file_has "$switch_log" " ready"
}

hosts_down() {
  local ns kept=() n pid
  for pid in "${PIDS[@]}"; do
    stop_pid "$pid"
  done
  for ns in "$NS_A" "$NS_B"; do
    ip netns delete "$ns"
  done
  for n in "${NAMESPACES[@]}"; do
    [[ $n == "$NS_A" || $n == "$NS_B" ]] || kept+=("$n")
  done
  NAMESPACES=("${kept[@]}")
}

# ---------------------------------------------------------------- capture

# capture_start [TCPDUMP OPTIONS...] : tcpdump on host A's trunk port (or CAPTURE_INTERFACE), into
# $CAPTURE. Snap length 0 (tcpdump's 262144) on an interface other than the trunk: loopback's
# segments (MTU 65536) outgrow 65535.
capture_start() {
  CAPTURE=$WORK/capture.pcap
  rm -f "$CAPTURE"
  # Immediate mode, and a ring large enough for a burst of full-size frames: no kernel drops.
  start_bg /dev/null /dev/null "$WORK/tcpdump.log" ip netns exec "$NS_A" tcpdump \
    -i "${CAPTURE_INTERFACE:-uplink0}" -nn \
    --immediate-mode -s "$([[ -n ${CAPTURE_INTERFACE:-} ]] && echo 0 || echo 65535)" -B 65536 -Z root \
    -U -w "$CAPTURE" "$@"
  CAPTURE_PID=$LAST_PID
  wait_for "tcpdump to listen" file_has "$WORK/tcpdump.log" "listening on"
}

capture_stop() {
  wait_for "the TCP connections to close" tcp_quiet "$NS_A" "$NS_B"
  sleep 0.3   # let tcpdump write the final ACK
  stop_pid "$CAPTURE_PID" INT
  file_has "$WORK/tcpdump.log" "^0 packets dropped by kernel" ||
    die "tcpdump lost packets: $(tr '\n' ' ' <"$WORK/tcpdump.log")"
}

# ---------------------------------------------------------------- payloads and transfers

# guest_stream FRAME FILE [PAGES] : the deterministic guest memory, framed (raw | vmotion | hyperv).
guest_stream() {
  "$PYTHON" "$TOOLS/guest_memory.py" --frame "$1" --pages "${3:-$GUEST_PAGES}" --seed "$GUEST_SEED" \
    -o "$2"
}

# encrypt_stream IN OUT : AES-256-CTR with a fixed key and IV; uniform bytes, no framing.
encrypt_stream() {
  openssl enc -aes-256-ctr -K "$AES_KEY" -iv "$AES_IV" -in "$1" -out "$2"
}

# send_tcp PORT FILE : socat server in B receives, socat client in A sends FILE, plain TCP.
send_tcp() {
  local port=$1 file=$2 received=$WORK/received.bin listen connect server
  if is_ipv6 "$ADDR_B"; then
    listen="TCP6-LISTEN:$port,bind=[$ADDR_B]"
    connect="TCP6:[$ADDR_B]:$port,sourceport=$CLIENT_PORT"
  else
    listen="TCP4-LISTEN:$port,bind=$ADDR_B"
    connect="TCP4:$ADDR_B:$port,sourceport=$CLIENT_PORT"
  fi
  start_bg /dev/null /dev/null "$WORK/server.log" ip netns exec "$NS_B" socat -u "$listen" "CREATE:$received"
  server=$LAST_PID
  wait_for "the server on $port" listening "$NS_B" "$port"
  timeout "$DEADLINE_SECONDS" ip netns exec "$NS_A" socat -u "OPEN:$file" "$connect"
  wait_exit "$server" || die "socat server failed: $(cat "$WORK/server.log")"
  cmp -s "$file" "$received" || die "the server received other bytes than were sent"
}

# send_tls PORT FILE : openssl s_server in B, s_client in A sending FILE inside TLS.
send_tls() {
  local port=$1 file=$2 received=$WORK/received.bin server stdin
  # s_server ends the session when its standard input ends: give it a FIFO that we hold open.
  mkfifo "$WORK/server-stdin"
  exec {stdin}<>"$WORK/server-stdin"
  start_bg "$WORK/server-stdin" "$received" "$WORK/server.log" ip netns exec "$NS_B" \
    openssl s_server -quiet -accept "$ADDR_B:$port" -naccept 1 -cert "$WORK/cert.pem" \
    -key "$WORK/key.pem"
  server=$LAST_PID
  wait_for "the TLS server on $port" listening "$NS_B" "$port"
  # -nocommands: lines of the payload starting with Q, R or K are data, not s_client commands.
  timeout "$DEADLINE_SECONDS" ip netns exec "$NS_A" openssl s_client -nocommands -no_ign_eof \
    -noservername -connect "$ADDR_B:$port" -bind "$ADDR_A:$CLIENT_PORT" \
    <"$file" >"$WORK/client.log" 2>&1 || die "openssl s_client failed: $(tail -5 "$WORK/client.log")"
  wait_exit "$server" || die "openssl s_server failed: $(cat "$WORK/server.log")"
  exec {stdin}<&-
  rm -f "$WORK/server-stdin"
  cmp -s "$file" "$received" || die "the TLS server received other bytes than were sent"
  grep -q '^New, TLSv1.3' "$WORK/client.log" || die "no TLS 1.3 session: $(head -3 "$WORK/client.log")"
}

make_certificate() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj "/CN=migration-host.sample.invalid" -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
    2>/dev/null
}

# ---------------------------------------------------------------- results

# check_capture ARGS... : check_capture.py on the raw capture; its summary goes to the log.
check_capture() {
  "$PYTHON" "$TOOLS/check_capture.py" "$@" >&2 || die "the capture does not match its scenario"
}

# publish NAME FORMAT [MAX_BYTES [CHECK_ARGS...]] : convert the capture (pcap | pcapng | pcap.gz)
# into $WORK/out/NAME; the result may hold at most MAX_BYTES (default MAX_CAPTURE_BYTES) and is
# read back with check_capture.py CHECK_ARGS.
publish() {
  local name=$1 format=$2 out=$WORK/out/$1 max=${3:-$MAX_CAPTURE_BYTES} size
  shift $(($# < 3 ? $# : 3))
  mkdir -p "$out"
  case $format in
    pcap) cp "$CAPTURE" "$out/capture.pcap" ;;
    pcapng) editcap -F pcapng "$CAPTURE" "$out/capture.pcapng" ;;
    pcap.gz) gzip -n -9 -c "$CAPTURE" >"$out/capture.pcap.gz" ;;
    *) die "unknown format $format" ;;
  esac
  size=$(stat -c %s "$out/capture.$format")
  ((size <= max)) || die "$name: capture is $size bytes, over $max"
  "$PYTHON" "$TOOLS/check_capture.py" "$out/capture.$format" "$@" >/dev/null ||
    die "$name: the converted capture does not read back"
}

# expect NAME DESCRIPTION FLOWS ALERTS : FLOWS and ALERTS are '|'-separated YAML flow mappings.
expect() {
  local file=$WORK/out/$1/expect.yaml description=$2 flows=$3 alerts=$4
  # The description is a plain YAML scalar: no ": ", " #" or leading indicator characters.
  [[ $description != *': '* && $description != *' #'* && $description =~ ^[A-Za-z] ]] ||
    die "$1: description would not be a plain YAML scalar: $description"
  {
    printf 'description: %s\n' "$description"
    yaml_list migrationFlows "$flows" "# migration flows (by their final record) per protocol and verdict"
    yaml_list alerts "$alerts" "# exactly these alerts, nothing else"
  } >"$file"
}

yaml_list() {
  local key=$1 items=$2 comment=$3 item entries
  if [[ -z $items ]]; then
    printf '%s: []%*s%s\n' "$key" $((24 - ${#key} - 4)) "" "$comment"
    return
  fi
  printf '%s:%*s%s\n' "$key" $((24 - ${#key} - 1)) "" "$comment"
  IFS='|' read -r -a entries <<<"$items"
  for item in "${entries[@]}"; do
    printf '  - %s\n' "$item"
  done
}

# install NAME : replace samples/NAME's capture and expect.yaml with the new ones.
install_sample() {
  local name=$1 dir=$SAMPLES/$1
  mkdir -p "$dir"
  rm -f "$dir"/capture.pcap "$dir"/capture.pcapng "$dir"/capture.pcap.gz "$dir"/expect.yaml
  cp "$WORK/out/$name"/* "$dir"/
  log "$name: wrote $(find "$dir" -name 'capture.*' -printf '%f %s bytes')"
}

# ---------------------------------------------------------------- scenarios

readonly UNENCRYPTED='{rule: UNENCRYPTED_MIGRATION, severity: critical, count: 1}'

# tls_migration VLAN SRC/PREFIX DST/PREFIX [nano] : the vMotion page stream inside TLS on TCP
# 8000 from SRC to DST; "nano" captures with nanosecond timestamps.
tls_migration() {
  local vlan=$1 src=$2 dst=$3 precision=${4:-micro} tags
  guest_stream vmotion "$WORK/stream.bin"
  hosts_up "$vlan" "$src" "$dst"
  capture_start --time-stamp-precision="$precision"
  send_tls 8000 "$WORK/stream.bin"
  capture_stop
  hosts_down
  if ((vlan)); then tags=(--vlan "$vlan"); else tags=(--untagged); fi
  if [[ $precision == nano ]]; then tags+=(--tsresol ns); else tags+=(--tsresol us); fi
  check_capture "$CAPTURE" "${tags[@]}" --tcp "$ADDR_A" "$ADDR_B" 8000 --payload tls --require arp
}

scenario_vmotion_plaintext() {
  guest_stream vmotion "$WORK/stream.bin"
  hosts_up 50 192.168.50.11/24 192.168.50.12/24
  capture_start
  send_tcp 8000 "$WORK/stream.bin"
  capture_stop
  hosts_down
  check_capture "$CAPTURE" --vlan 50 --tcp "$ADDR_A" "$ADDR_B" 8000 --payload plaintext \
    --same-as "$WORK/stream.bin" --require arp
  publish vmotion-plaintext pcap
  expect vmotion-plaintext \
    "Plaintext vMotion-style page stream on TCP 8000 between the trusted hosts on VLAN 50." \
    '{protocol: vmotion, verdict: plaintext, count: 1}' "$UNENCRYPTED"
}

scenario_vmotion_tls() {
  tls_migration 50 192.168.50.11/24 192.168.50.12/24
  publish vmotion-tls pcap
  expect vmotion-tls \
    "The same page stream inside TLS 1.3 (openssl) on TCP 8000 between the trusted hosts on VLAN 50." \
    '{protocol: vmotion, verdict: encrypted, count: 1}' ""
}

scenario_vmotion_encrypted_clean() {
  guest_stream vmotion "$WORK/plain.bin"
  encrypt_stream "$WORK/plain.bin" "$WORK/stream.bin"
  hosts_up 50 fd00:50::11/64 fd00:50::12/64
  capture_start
  send_tcp 8000 "$WORK/stream.bin"
  capture_stop
  hosts_down
  check_capture "$CAPTURE" --vlan 50 --tcp "$ADDR_A" "$ADDR_B" 8000 --payload uniform \
    --same-as "$WORK/stream.bin"
  publish vmotion-encrypted-clean pcapng
  check_capture "$WORK/out/vmotion-encrypted-clean/capture.pcapng" --format pcapng --vlan 50 \
    --same-as "$WORK/stream.bin"
  expect vmotion-encrypted-clean \
    "Encrypted vMotion-style stream (AES-256-CTR, no handshake) over IPv6 on TCP 8000 between the trusted hosts on VLAN 50; nothing to report." \
    '{protocol: vmotion, verdict: encrypted, count: 1}' ""
}

# Real loss between the sensor and the receiver: B's switch drops every fourth full-size frame, the
# kernel in A retransmits, and the capture on A's trunk holds both copies of each lost segment.
# 64 pages, so that well over 16 KiB of copies lie past the stream's first 64 KiB, where the agent
# judges the bytes the stream did not take (a forged copy first would make them differ).
scenario_vmotion_encrypted_lossy() {
  guest_stream vmotion "$WORK/plain.bin" 64
  encrypt_stream "$WORK/plain.bin" "$WORK/stream.bin"
  LOSE_EVERY_B=4
  hosts_up 50 192.168.50.11/24 192.168.50.12/24
  LOSE_EVERY_B=0
  capture_start
  send_tcp 8000 "$WORK/stream.bin"
  capture_stop
  hosts_down
  check_capture "$CAPTURE" --vlan 50 --tcp "$ADDR_A" "$ADDR_B" 8000 --payload uniform \
    --same-as "$WORK/stream.bin"
  publish vmotion-encrypted-lossy pcap 460800
  expect vmotion-encrypted-lossy \
    "Encrypted vMotion-style stream (AES-256-CTR, 256 KiB) on TCP 8000 between the trusted hosts on VLAN 50, across a switch port that drops every fourth full-size frame to the receiver; the sender retransmits, the capture holds both copies, and the copies are ciphertext like the stream; nothing to report." \
    '{protocol: vmotion, verdict: encrypted, count: 1}' ""
}

scenario_hyperv_plaintext() {
  guest_stream hyperv "$WORK/stream.bin"
  hosts_up 66 10.66.0.21/24 10.66.0.22/24
  capture_start
  send_tcp 6600 "$WORK/stream.bin"
  capture_stop
  hosts_down
  check_capture "$CAPTURE" --vlan 66 --tcp "$ADDR_A" "$ADDR_B" 6600 --payload plaintext \
    --same-as "$WORK/stream.bin" --require arp
  publish hyperv-plaintext pcap.gz
  expect hyperv-plaintext \
    "Unencrypted Hyper-V-style live migration (length-prefixed header, raw pages) on TCP 6600 between the trusted hosts on VLAN 66." \
    '{protocol: hyperv, verdict: plaintext, count: 1}' "$UNENCRYPTED"
}

scenario_untrusted_source() {
  tls_migration 50 192.168.50.99/24 192.168.50.12/24
  publish untrusted-source pcap
  expect untrusted-source \
    "TLS migration on TCP 8000, VLAN 50, opened by 192.168.50.99, a host on the vMotion segment that is not trusted." \
    '{protocol: vmotion, verdict: encrypted, count: 1}' \
    '{rule: UNTRUSTED_SOURCE, severity: critical, count: 1}'
}

scenario_untrusted_destination() {
  tls_migration 50 192.168.50.11/24 192.168.50.98/24 nano
  publish untrusted-destination pcap
  expect untrusted-destination \
    "TLS migration on TCP 8000, VLAN 50, from a trusted host to 192.168.50.98, which is not trusted (nanosecond pcap)." \
    '{protocol: vmotion, verdict: encrypted, count: 1}' \
    '{rule: UNTRUSTED_DESTINATION, severity: critical, count: 1}'
}

scenario_migration_on_management_network() {
  tls_migration 0 10.10.0.11/24 10.10.0.12/24
  publish migration-on-management-network pcap
  expect migration-on-management-network \
    "TLS migration on TCP 8000 between the trusted hosts' management addresses, untagged, so not on a migration network." \
    '{protocol: vmotion, verdict: encrypted, count: 1}' \
    '{rule: NON_DEDICATED_SEGMENT, severity: warning, count: 1}'
}

scenario_migration_on_wrong_vlan() {
  tls_migration 10 192.168.50.11/24 192.168.50.12/24
  publish migration-on-wrong-vlan pcap
  expect migration-on-wrong-vlan \
    "TLS migration on TCP 8000 between the trusted vMotion addresses, but tagged VLAN 10 instead of 50." \
    '{protocol: vmotion, verdict: encrypted, count: 1}' \
    '{rule: NON_DEDICATED_SEGMENT, severity: warning, count: 1}'
}

scenario_shared_migration_vlan() {
  local www=$WORK/www server
  mkdir -p "$www"
  printf '%s\n' '<!doctype html>' '<title>build-cache</title>' \
    '<p>Build cache on 192.168.50.31: 42 artifacts, 1.3 GiB, last sync 03:00 UTC.</p>' \
    >"$www/index.html"
  hosts_up 50 192.168.50.30/24 192.168.50.31/24
  start_bg /dev/null /dev/null "$WORK/server.log" ip netns exec "$NS_B" \
    "$PYTHON" -m http.server 80 --bind "$ADDR_B" --directory "$www"
  server=$LAST_PID
  wait_for "the HTTP server" listening "$NS_B" 80
  capture_start
  timeout "$DEADLINE_SECONDS" ip netns exec "$NS_A" ping -n -q -c 3 -i 0.2 "$ADDR_B" >&2
  # One HTTP/1.0-style request, Connection: close: exactly one TCP connection.
  timeout "$DEADLINE_SECONDS" ip netns exec "$NS_A" "$PYTHON" - "$ADDR_A" "$CLIENT_PORT" \
    "$ADDR_B" "$www/index.html" <<'PY'
import http.client, sys
src, port, dst, expected = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
conn = http.client.HTTPConnection(dst, 80, timeout=10, source_address=(src, port))
conn.request("GET", "/index.html", headers={"Connection": "close"})
response = conn.getresponse()
body = response.read()
conn.close()
if response.status != 200 or body != open(expected, "rb").read():
    sys.exit(f"unexpected HTTP response {response.status}")
PY
  capture_stop
  stop_pid "$server"
  hosts_down
  check_capture "$CAPTURE" --vlan 50 --tcp "$ADDR_A" "$ADDR_B" 80 --require arp \
    --require icmp-type-8 --require icmp-type-0
  publish shared-migration-vlan pcap
  expect shared-migration-vlan \
    "An HTTP GET between two non-migration hosts tagged with the vMotion VLAN 50, plus pings and ARP, which do not count." \
    '' '{rule: SHARED_MIGRATION_SEGMENT, severity: warning, count: 1}'
}

# An `xl migrate` whose ssh was swapped for a plain TCP relay, to TCP 5002 (no catalog lists it)
# of 192.168.50.98, a host on the vMotion segment that is not trusted: both ends of xl's
# conversation by xl_exchange.py, the save file by guest_memory.py --frame xen. Only the Xen
# signature makes this flow a migration.
scenario_xen_unlisted_port() {
  local port=5002 received=$WORK/received.bin server
  guest_stream xen "$WORK/stream.bin"
  hosts_up 50 192.168.50.11/24 192.168.50.98/24
  capture_start
  start_bg /dev/null /dev/null "$WORK/server.log" ip netns exec "$NS_B" \
    "$PYTHON" "$TOOLS/xl_exchange.py" receive --listen "$ADDR_B" "$port" --received "$received"
  server=$LAST_PID
  wait_for "the xl receiver on $port" listening "$NS_B" "$port"
  timeout "$DEADLINE_SECONDS" ip netns exec "$NS_A" "$PYTHON" "$TOOLS/xl_exchange.py" send \
    --connect "$ADDR_B" "$port" --bind "$ADDR_A" "$CLIENT_PORT" --stream "$WORK/stream.bin" \
    --sent "$WORK/sent.bin" || die "the xl sender failed"
  wait_exit "$server" || die "the xl receiver failed: $(cat "$WORK/server.log")"
  capture_stop
  hosts_down
  cmp -s "$WORK/sent.bin" "$received" || die "the xl receiver got other bytes than were sent"
  # The initiator's payload starts "Xen save" (xl's save-file header).
  check_capture "$CAPTURE" --vlan 50 --tcp "$ADDR_A" "$ADDR_B" "$port" --payload plaintext \
    --same-as "$WORK/sent.bin" --starts-with 58656e2073617665 --require arp
  publish xen-unlisted-port pcap
  expect xen-unlisted-port \
    "Xen xl migrate over a plain TCP relay on 5002, a port no catalog lists, from a trusted host to the untrusted 192.168.50.98 on VLAN 50; the Xen signature makes it a migration." \
    '{protocol: xen, verdict: plaintext, count: 1}' \
    "$UNENCRYPTED|{rule: UNTRUSTED_DESTINATION, severity: critical, count: 1}"
}

# The real QEMU live migrations (qemu-*): see that file.
# shellcheck source=qemu-scenarios.sh
source "$TOOLS/qemu-scenarios.sh"

# ---------------------------------------------------------------- main

usage() {
  printf 'usage: sudo %s [--list] [scenario...]\nscenarios: %s\n' "$0" "${SCENARIOS[*]}"
}

main() {
  local selected=() name missing=()
  case ${1:-} in
    -h | --help) usage; return 0 ;;
    --list) printf '%s\n' "${SCENARIOS[@]}"; return 0 ;;
  esac
  for name in "$@"; do
    [[ " ${SCENARIOS[*]} " == *" $name "* ]] || { usage >&2; die "unknown scenario: $name"; }
  done
  if (($#)); then selected=("$@"); else selected=("${SCENARIOS[@]}"); fi
  ((EUID == 0)) || die "needs root for network namespaces and capture: sudo $0"
  for name in ip tcpdump openssl socat ping editcap gzip timeout "$PYTHON"; do
    command -v "$name" >/dev/null || missing+=("$name")
  done
  if [[ " ${selected[*]} " == *" qemu-"* ]]; then
    command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86_64)
  fi
  if [[ " ${selected[*]} " == *" qemu-ssh-tunnel "* ]]; then
    for name in ssh sshd ssh-keygen; do
      command -v "$name" >/dev/null || missing+=("$name")
    done
  fi
  ((${#missing[@]} == 0)) || die "missing tools: ${missing[*]} (see the packages at the top of $0)"
  [[ -f $SAMPLES/policy.yaml ]] || die "no $SAMPLES/policy.yaml: is this the migaudit tree?"
  WORK=$(mktemp -d "/tmp/$RUN_ID.XXXXXX")
  make_certificate
  for name in "${selected[@]}"; do
    log "$name"
    "scenario_${name//-/_}"
    install_sample "$name"
    rm -f "$WORK"/*.bin "$WORK"/*.log "$CAPTURE"
  done
}

main "$@"
