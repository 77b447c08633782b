#!/usr/bin/env bash
# make-crypto-samples.sh — samples of issue 14 (WEAK_MIGRATION_CRYPTO, ROUTED_MIGRATION) from real
# traffic between network namespaces:
#
#   sudo tools/samples/make-crypto-samples.sh [scenario...]     # default: all of them
#   tools/samples/make-crypto-samples.sh --list
#
# Hosts are namespaces joined by a veth pair, untagged (judged by address), with the trusted
# vMotion addresses 192.168.50.11 (A, the sender) and .12 (B); tcpdump captures on A's side. The
# payload is the guest memory of guest_memory.py (24 pages, seed 50, vMotion framing: as
# make-samples.sh), sent on TCP 8000 by:
#   tls-1.0-migration, tls-1.1-migration  openssl s_client/s_server forced to TLS 1.0 / 1.1
#                                         (@SECLEVEL=0: OpenSSL 3 refuses them otherwise)
#   tls-null-cipher                       TLS 1.2 with NULL-SHA256 (@SECLEVEL=0): plaintext framed
#   ssh-tunnel-aes-gcm, ssh-tunnel-cbc    ssh -L through sshd in B (aes256-gcm@openssh.com /
#                                         aes128-cbc with hmac-sha1), socat at both ends
#   esp-null                              plain TCP, then esp_null.py wraps each packet in ESP-NULL:
#                                         this kernel has no ESP transform (ip xfrm state add ...
#                                         proto esp: "Requested type not found"), so the ESP layer is
#                                         scripted around real traffic
#   esp-null-nat-t                        the same, the ESP packets inside UDP 4500 (RFC 3948, IPsec
#                                         through NAT): esp_null.py --udp-encap
#   ah-integrity-only                     plain TCP, each packet behind an IPv4 Authentication Header
#                                         (integrity only, the segment in clear): esp_null.py --ah
#   ipip-tunnel-plaintext                 plain TCP between the vMotion addresses through an IP-in-IP
#                                         tunnel between the hosts' management addresses (10.10.0.11
#                                         and .12): ipip_tunnel.py in each host, a userspace ipip
#                                         link (TUN device + raw protocol-4 socket; this kernel has
#                                         no ipip links), real kernel TCP inside; captured on A's
#                                         management link, where only the tunnel is seen
#   openvpn-cleartext-plaintext           plain TCP between the vMotion addresses through a real
#                                         OpenVPN 2.6 point-to-point tunnel without a key (cipher and
#                                         auth none: each IP packet in clear in UDP 1194) between the
#                                         management addresses; captured on A's management link
#   openvpn-cleartext-ipv6-plaintext      the same tunnel carrying IPv6: plain TCP between the
#                                         vMotion addresses fd00:50::11 and ::12 (IPv6 enabled on
#                                         the tun devices only), each IPv6 packet in clear in UDP 1194
#   openvpn-cleartext-ipv6-fragmented     the plain TCP of openvpn-cleartext-plaintext through the
#                                         tunnel run over UDP/IPv6 (--proto udp6) between the IPv6
#                                         management addresses fd00:10::11 and ::12, tun MTU 1500
#                                         (--mssfix 0, --mtu-disc no): the sending kernel cuts each
#                                         full-size datagram into two IPv6 fragments; tshark checks
#   migration-routed                      TLS 1.3 from A to B through a third namespace R that
#                                         routes (A and B on their own /32s, TTL 63 on arrival);
#                                         captured on B's link
#   migration-on-segment                  the same TLS 1.3 migration with A and B on one segment
#                                         (TTL 64): nothing to report
# Each capture is checked (the bytes delivered equal the bytes sent; the expected cipher/version
# in the client's log), then written to samples/<scenario>/capture.pcap with expect.yaml.
#
# Needs root and: iproute2 tcpdump socat openssl openssh-server openssh-client python3, and openvpn
# for the openvpn-cleartext-* scenarios, tshark for openvpn-cleartext-ipv6-fragmented (Debian
# bookworm). Nothing leaves the namespaces (no default route); namespaces and processes are
# removed on exit, error or Ctrl-C. KEEP_WORK=1 keeps the work directory.
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TOOLS/../.." && pwd)
readonly TOOLS REPO
readonly SAMPLES=${MIGAUDIT_SAMPLES_DIR:-$REPO/samples}
readonly RUN_ID=ma-cs-$$
readonly PYTHON=${PYTHON:-python3}
readonly SCENARIOS=(tls-1.0-migration tls-1.1-migration tls-null-cipher ssh-tunnel-aes-gcm ssh-tunnel-cbc
  esp-null esp-null-nat-t ah-integrity-only ipip-tunnel-plaintext migration-routed migration-on-segment
  openvpn-cleartext-plaintext openvpn-cleartext-ipv6-plaintext openvpn-cleartext-ipv6-fragmented)
readonly GUEST_PAGES=24 GUEST_SEED=50 PORT=8000 TUNNEL_PORT=18000
readonly CLIENT_PORT=41011 MAX_CAPTURE_BYTES=153600 DEADLINE_SECONDS=20
readonly ADDR_A=192.168.50.11 ADDR_B=192.168.50.12
readonly ADDR6_A=fd00:50::11 ADDR6_B=fd00:50::12
readonly MGMT_A=10.10.0.11 MGMT_B=10.10.0.12 TUNNEL_MTU=1480
readonly MGMT6_A=fd00:10::11 MGMT6_B=fd00:10::12   # IPv6 management addresses, outside the policy's networks
readonly OPENVPN_PORT=1194 OPENVPN_MTU=1400 LINK_MTU=1500

WORK="" NS_A="" NS_B="" NS_R="" NEW_NS="" CAPTURE_NS="" CAPTURE_IF="" LAST_PID="" TCPDUMP_PID=""
NAMESPACES=() PIDS=()

log() { printf 'make-crypto-samples: %s\n' "$*" >&2; }
source "$TOOLS/lib.sh"

# new_ns NAME : a namespace $RUN_ID-NAME (in NEW_NS), IPv4 only, remembered for cleanup.
new_ns() {
  NEW_NS=$RUN_ID-$1
  ip netns add "$NEW_NS"
  NAMESPACES+=("$NEW_NS")
  ip netns exec "$NEW_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$NEW_NS" link set lo up
}

# link_up NAME IF A_ADDR B_ADDR : hosts A and B (new namespaces) joined by a veth pair IF, with
# these /24 addresses; capture on A's end.
link_up() {
  new_ns "$1-a"; NS_A=$NEW_NS
  new_ns "$1-b"; NS_B=$NEW_NS
  NS_R=""
  ip -n "$NS_A" link add "$2" type veth peer name "$2" netns "$NS_B"
  ip -n "$NS_A" addr add "$3/24" dev "$2"
  ip -n "$NS_B" addr add "$4/24" dev "$2"
  ip -n "$NS_A" link set "$2" up
  ip -n "$NS_B" link set "$2" up
  CAPTURE_NS=$NS_A CAPTURE_IF=$2
}

# segment_up NAME : A and B on one veth segment, 192.168.50.0/24; capture on A's end.
segment_up() { link_up "$1" vmk0 "$ADDR_A" "$ADDR_B"; }

# routed_up NAME : A - R - B; A and B keep their vMotion addresses as /32s, R forwards between its
# two links (10.99.1.0/30 to A, 10.99.2.0/30 to B); capture on B's end, where A's packets arrive.
routed_up() {
  new_ns "$1-a"; NS_A=$NEW_NS
  new_ns "$1-b"; NS_B=$NEW_NS
  new_ns "$1-r"; NS_R=$NEW_NS
  ip -n "$NS_A" link add vmk0 type veth peer name to-a netns "$NS_R"
  ip -n "$NS_B" link add vmk0 type veth peer name to-b netns "$NS_R"
  ip -n "$NS_R" addr add 10.99.1.1/30 dev to-a
  ip -n "$NS_R" addr add 10.99.2.1/30 dev to-b
  ip -n "$NS_A" addr add "$ADDR_A/32" dev vmk0
  ip -n "$NS_B" addr add "$ADDR_B/32" dev vmk0
  local ns
  for ns in "$NS_A" "$NS_B"; do ip -n "$ns" link set vmk0 up; done
  ip -n "$NS_R" link set to-a up
  ip -n "$NS_R" link set to-b up
  ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1
  ip -n "$NS_R" route add "$ADDR_A/32" dev to-a
  ip -n "$NS_R" route add "$ADDR_B/32" dev to-b
  ip -n "$NS_A" route add 10.99.1.1/32 dev vmk0
  ip -n "$NS_A" route add "$ADDR_B/32" via 10.99.1.1 src "$ADDR_A"
  ip -n "$NS_B" route add 10.99.2.1/32 dev vmk0
  ip -n "$NS_B" route add "$ADDR_A/32" via 10.99.2.1 src "$ADDR_B"
  CAPTURE_NS=$NS_B CAPTURE_IF=vmk0
}

hosts_down() {
  local pid ns
  for pid in "${PIDS[@]}"; do stop_bg "$pid" TERM || true; done
  for ns in "${NAMESPACES[@]}"; do ip netns delete "$ns"; done
  NAMESPACES=()
}

# send_tls CHECK OPTIONS... : the guest stream from A to B:8000 with openssl s_client/s_server and
# these protocol options on both sides; CHECK must appear in the client's log.
send_tls() {
  local check=$1 server stdin
  shift
  rm -f "$WORK/received.bin" "$WORK/server-stdin"
  mkfifo "$WORK/server-stdin"
  exec {stdin}<>"$WORK/server-stdin"   # s_server ends when its input ends: hold it open
  ip netns exec "$NS_B" openssl s_server -quiet -accept "$ADDR_B:$PORT" -naccept 1 -cert "$WORK/cert.pem" \
    -key "$WORK/key.pem" "$@" <"$WORK/server-stdin" >"$WORK/received.bin" 2>"$WORK/server.log" &
  server=$!
  PIDS+=("$server")
  wait_for "the TLS server" listening "$NS_B" "$PORT"
  timeout "$DEADLINE_SECONDS" ip netns exec "$NS_A" openssl s_client -nocommands -no_ign_eof -noservername \
    -connect "$ADDR_B:$PORT" -bind "$ADDR_A:$CLIENT_PORT" "$@" <"$WORK/stream.bin" >"$WORK/client.log" 2>&1 ||
    die "openssl s_client failed: $(tail -5 "$WORK/client.log")"
  stop_bg "$server" || die "openssl s_server failed: $(cat "$WORK/server.log")"
  exec {stdin}<&-
  cmp -s "$WORK/stream.bin" "$WORK/received.bin" || die "the TLS server received other bytes than were sent"
  grep -q -- "$check" "$WORK/client.log" || die "no '$check' in the client's log: $(grep -m3 -i 'cipher\|protocol' "$WORK/client.log")"
}

# send_tcp [6] : the guest stream from A to B:8000 over plain TCP (socat); with 6, over IPv6 from
# fd00:50::11 to [fd00:50::12]:8000.
send_tcp() {
  local server listen="TCP4-LISTEN:$PORT,bind=$ADDR_B" connect="TCP4:$ADDR_B:$PORT"
  if [[ ${1:-} == 6 ]]; then
    listen="TCP6-LISTEN:$PORT,bind=[$ADDR6_B]" connect="TCP6:[$ADDR6_B]:$PORT,bind=[$ADDR6_A]"
  fi
  start_bg "$WORK/server.log" ip netns exec "$NS_B" socat -u "$listen" "CREATE:$WORK/received.bin"
  server=$LAST_PID
  wait_for "the server" listening "$NS_B" "$PORT"
  timeout "$DEADLINE_SECONDS" ip netns exec "$NS_A" socat -u "OPEN:$WORK/stream.bin" \
    "$connect,sourceport=$CLIENT_PORT"
  stop_bg "$server" || die "socat server failed: $(cat "$WORK/server.log")"
  cmp -s "$WORK/stream.bin" "$WORK/received.bin" || die "the server received other bytes than were sent"
}

# send_ssh CIPHER MAC : the guest stream through ssh -L (A:18000 -> B's sshd -> B:127.0.0.1:8000).
send_ssh() {
  local cipher=$1 mac=$2 ssh=$WORK/ssh server tunnel
  rm -rf "$ssh"
  mkdir -p "$ssh" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -C host-b -f "$ssh/host_key"
  ssh-keygen -q -t ed25519 -N '' -C host-a -f "$ssh/client_key"
  cp "$ssh/client_key.pub" "$ssh/authorized_keys"
  printf '%s %s\n' "$ADDR_B" "$(cut -d' ' -f1,2 "$ssh/host_key.pub")" >"$ssh/known_hosts"
  start_bg "$WORK/sshd.log" ip netns exec "$NS_B" "$(command -v sshd)" -D -e -f /dev/null -h "$ssh/host_key" \
    -o ListenAddress="$ADDR_B" -o AuthorizedKeysFile="$ssh/authorized_keys" -o PermitRootLogin=prohibit-password \
    -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o UsePAM=no -o StrictModes=no \
    -o PidFile=none -o AllowTcpForwarding=local -o "Ciphers=aes256-gcm@openssh.com,aes128-cbc" \
    -o "MACs=hmac-sha2-256,hmac-sha1"
  wait_for "sshd" listening "$NS_B" 22
  start_bg "$WORK/server.log" ip netns exec "$NS_B" socat -u "TCP4-LISTEN:$PORT,bind=127.0.0.1" \
    "CREATE:$WORK/received.bin"
  server=$LAST_PID
  wait_for "the server behind sshd" listening "$NS_B" "$PORT"
  start_bg "$WORK/ssh.log" ip netns exec "$NS_A" ssh -F /dev/null -N -T -c "$cipher" -m "$mac" \
    -i "$ssh/client_key" -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile="$ssh/known_hosts" \
    -o StrictHostKeyChecking=yes -o ExitOnForwardFailure=yes -b "$ADDR_A" \
    -L "127.0.0.1:$TUNNEL_PORT:127.0.0.1:$PORT" "root@$ADDR_B"
  tunnel=$LAST_PID
  wait_for "the SSH tunnel" listening "$NS_A" "$TUNNEL_PORT"
  timeout "$DEADLINE_SECONDS" ip netns exec "$NS_A" socat -u "OPEN:$WORK/stream.bin" "TCP4:127.0.0.1:$TUNNEL_PORT"
  stop_bg "$server" || die "socat server failed: $(cat "$WORK/server.log")"
  stop_bg "$tunnel" TERM || true
  cmp -s "$WORK/stream.bin" "$WORK/received.bin" || die "the tunnel delivered other bytes than were sent"
}

publish() {
  local name=$1 out=$WORK/out/$1 size
  mkdir -p "$out"
  cp "$WORK/capture.pcap" "$out/capture.pcap"
  size=$(stat -c %s "$out/capture.pcap")
  ((size <= MAX_CAPTURE_BYTES)) || die "$name: capture is $size bytes, over $MAX_CAPTURE_BYTES"
}

# expect NAME DESCRIPTION FLOW ALERT... : one migration flow mapping, then the alert mappings.
expect() {
  local file=$WORK/out/$1/expect.yaml description=$2 flow=$3 alert
  shift 3
  {
    printf 'description: %s\n' "$description"
    printf 'migrationFlows:         # migration flows (by their final record) per protocol and verdict\n'
    printf '  - %s\n' "$flow"
    if (($#)); then
      printf 'alerts:                 # exactly these alerts, nothing else\n'
      for alert in "$@"; do printf '  - %s\n' "$alert"; done
    else
      printf 'alerts: []              # exactly these alerts, nothing else\n'
    fi
  } >"$file"
}

install_sample() {
  local dir=$SAMPLES/$1
  mkdir -p "$dir"
  rm -f "$dir"/capture.* "$dir"/expect.yaml
  cp "$WORK/out/$1"/* "$dir"/
  log "$1: wrote $(find "$dir" -name 'capture.*' -printf '%f %s bytes')"
}

readonly WEAK_WARNING='{rule: WEAK_MIGRATION_CRYPTO, severity: warning, count: 1}'
readonly WEAK_CRITICAL='{rule: WEAK_MIGRATION_CRYPTO, severity: critical, count: 1}'
readonly VMOTION_ENCRYPTED='{protocol: vmotion, verdict: encrypted, count: 1}'

tls_legacy() {
  local name=$1 flag=$2 version=$3
  segment_up "$name"
  capture_start "$CAPTURE_NS" "$CAPTURE_IF"
  send_tls "Protocol  : $version" "$flag" -cipher 'DEFAULT:@SECLEVEL=0'
  capture_stop
  hosts_down
  publish "$name"
  expect "$name" \
    "The vMotion-style page stream inside $version (openssl, SECLEVEL 0) on TCP 8000 between the trusted hosts; an old TLS version and a CBC-SHA1 suite." \
    "$VMOTION_ENCRYPTED" "$WEAK_WARNING"
}

scenario_tls_1_0_migration() { tls_legacy tls-1.0-migration -tls1 TLSv1; }
scenario_tls_1_1_migration() { tls_legacy tls-1.1-migration -tls1_1 TLSv1.1; }

scenario_tls_null_cipher() {
  segment_up tls-null-cipher
  capture_start "$CAPTURE_NS" "$CAPTURE_IF"
  send_tls "Cipher is NULL-SHA256" -tls1_2 -cipher 'NULL-SHA256:@SECLEVEL=0'
  capture_stop
  hosts_down
  publish tls-null-cipher
  expect tls-null-cipher \
    "The vMotion-style page stream inside TLS 1.2 with the NULL-SHA256 suite on TCP 8000 between the trusted hosts; TLS records frame plaintext pages." \
    '{protocol: vmotion, verdict: plaintext, count: 1}' \
    '{rule: UNENCRYPTED_MIGRATION, severity: critical, count: 1}' "$WEAK_CRITICAL"
}

ssh_tunnel() {
  local name=$1 cipher=$2 mac=$3 description=$4
  shift 4
  segment_up "$name"
  capture_start "$CAPTURE_NS" "$CAPTURE_IF"
  send_ssh "$cipher" "$mac"
  capture_stop
  hosts_down
  publish "$name"
  expect "$name" "$description" '{protocol: tunnel-ssh, verdict: encrypted, count: 1}' "$@"
}

scenario_ssh_tunnel_aes_gcm() {
  ssh_tunnel ssh-tunnel-aes-gcm aes256-gcm@openssh.com hmac-sha2-256 \
    "The page stream through an SSH tunnel (ssh -L, aes256-gcm@openssh.com) on TCP 22 between the trusted hosts; nothing to report."
}

scenario_ssh_tunnel_cbc() {
  ssh_tunnel ssh-tunnel-cbc aes128-cbc hmac-sha1 \
    "The page stream through an SSH tunnel (ssh -L) negotiated with aes128-cbc and hmac-sha1 on TCP 22 between the trusted hosts." \
    "$WEAK_WARNING"
}

scenario_esp_null() {
  ipsec_wrapped esp-null --esp \
    "The plaintext page stream between the trusted hosts with each packet wrapped in ESP-NULL (HMAC-SHA-256-128, no encryption) by esp_null.py." \
    '{protocol: tunnel-esp, verdict: plaintext, count: 1}' \
    '{rule: UNENCRYPTED_MIGRATION, severity: critical, count: 1}' "$WEAK_CRITICAL"
}

# ipsec_wrapped NAME MODE DESCRIPTION FLOW ALERT... : plain TCP on one segment, then esp_null.py MODE
# wraps each packet.
ipsec_wrapped() {
  local name=$1 mode=$2 description=$3
  shift 3
  segment_up "$name"
  capture_start "$CAPTURE_NS" "$CAPTURE_IF"
  send_tcp
  capture_stop
  hosts_down
  "$PYTHON" "$TOOLS/esp_null.py" "$mode" "$WORK/capture.pcap" "$WORK/wrapped.pcap"
  mv "$WORK/wrapped.pcap" "$WORK/capture.pcap"
  publish "$name"
  expect "$name" "$description" "$@"
}

scenario_esp_null_nat_t() {
  ipsec_wrapped esp-null-nat-t --udp-encap \
    "The plaintext page stream between the trusted hosts with each packet wrapped in ESP-NULL inside UDP 4500 (IPsec through NAT, RFC 3948) by esp_null.py --udp-encap." \
    '{protocol: tunnel-esp, verdict: plaintext, count: 1}' \
    '{rule: UNENCRYPTED_MIGRATION, severity: critical, count: 1}' "$WEAK_CRITICAL"
}

scenario_ah_integrity_only() {
  ipsec_wrapped ah-integrity-only --ah \
    "The plaintext vMotion-style stream on TCP 8000 between the trusted hosts behind an IPv4 Authentication Header (integrity only, by esp_null.py --ah); the migration inside is read in clear." \
    '{protocol: vmotion, verdict: plaintext, count: 1}' \
    '{rule: UNENCRYPTED_MIGRATION, severity: critical, count: 1}'
}

# ipip_up NAME : A and B joined by a veth link of their management addresses, each with an
# ipip_tunnel.py endpoint whose TUN device carries its vMotion address; capture on A's link.
ipip_up() {
  local end
  link_up "$1" mgmt0 "$MGMT_A" "$MGMT_B"
  for end in "$NS_A $MGMT_A $MGMT_B $ADDR_A $ADDR_B a" "$NS_B $MGMT_B $MGMT_A $ADDR_B $ADDR_A b"; do
    set -- $end
    start_bg "$WORK/ipip-$6.log" ip netns exec "$1" "$PYTHON" "$TOOLS/ipip_tunnel.py" --tun ipip0 \
      --local "$2" --remote "$3"
    wait_for "the ipip tunnel in $6" file_has "$WORK/ipip-$6.log" " ready"
    ip -n "$1" addr add "$4/32" peer "$5/32" dev ipip0
    ip -n "$1" link set ipip0 mtu "$TUNNEL_MTU" up
  done
}

scenario_ipip_tunnel_plaintext() {
  ipip_up ipip-tunnel-plaintext
  capture_start "$CAPTURE_NS" "$CAPTURE_IF"
  send_tcp
  capture_stop
  hosts_down
  publish ipip-tunnel-plaintext
  expect ipip-tunnel-plaintext \
    "The plaintext vMotion-style stream (192.168.50.11 to .12, TCP 8000) inside an IP-in-IP tunnel between the hosts' management addresses (ipip_tunnel.py); the tunnel does not encrypt, and the migration inside is judged; the tunnel runs outside the migration networks." \
    '{protocol: vmotion, verdict: plaintext, count: 1}' \
    '{rule: UNENCRYPTED_MIGRATION, severity: critical, count: 1}' \
    '{rule: NON_DEDICATED_SEGMENT, severity: warning, count: 1}'
}

scenario_migration_routed() {
  routed_up migration-routed
  capture_start "$CAPTURE_NS" "$CAPTURE_IF"
  send_tls "New, TLSv1.3" -tls1_3
  capture_stop
  hosts_down
  publish migration-routed
  expect migration-routed \
    "TLS 1.3 migration on TCP 8000 between the trusted hosts through a router namespace; captured at the destination, the sender's packets arrive with TTL 63." \
    "$VMOTION_ENCRYPTED" '{rule: ROUTED_MIGRATION, severity: warning, count: 1}'
}

scenario_migration_on_segment() {
  segment_up migration-on-segment
  capture_start "$CAPTURE_NS" "$CAPTURE_IF"
  send_tls "New, TLSv1.3" -tls1_3
  capture_stop
  hosts_down
  publish migration-on-segment
  expect migration-on-segment \
    "The same TLS 1.3 migration with both hosts on one segment (TTL 64); nothing to report." "$VMOTION_ENCRYPTED"
}


# openvpn_up NAME [OPTION...] : A and B joined by a veth link of their management addresses, each
# running OpenVPN 2.6 point to point without a key (no --secret, no TLS: it warns that all data
# goes in clear), its tun device carrying the vMotion address, MTU 1400 so that no datagram
# fragments; capture on A's link. Options:
#   ipv6      the tun devices also carry fd00:50::11 and ::12 (IPv6 enabled on them, without
#             duplicate address detection; mgmt0 stays without unless udp6)
#   udp6      the tunnel runs over IPv6 (--proto udp6) between fd00:10::11 and ::12 on the
#             management link (IPv6 enabled on mgmt0 alone, no duplicate address detection, no
#             router solicitations); its IPv4 addresses stay, unused
#   oversize  tun MTU 1500, the link's own, --mssfix 0 so that the inner TCP fills it (OpenVPN 2.6
#             otherwise lowers the MSS until the outer datagram fits), --mtu-disc no so that the
#             kernel fragments a datagram too large for the link at the source (with yes, it
#             refuses to send it: EMSGSIZE)
# Without options the OpenVPN command lines are those the openvpn-cleartext-plaintext sample was
# made with.
openvpn_up() {
  local name=$1 end opt ipv6="" udp6="" local_a=$MGMT_A local_b=$MGMT_B six=() proto=()
  local mtu=(--tun-mtu "$OPENVPN_MTU")
  shift
  for opt; do
    case $opt in
      ipv6) ipv6=1 ;;
      udp6) udp6=1 local_a=$MGMT6_A local_b=$MGMT6_B proto=(--proto udp6) ;;
      oversize) mtu=(--tun-mtu "$LINK_MTU" --mssfix 0 --mtu-disc no) ;;
      *) die "openvpn_up: unknown option $opt" ;;
    esac
  done
  command -v openvpn >/dev/null || die "missing openvpn (Debian: apt-get install openvpn)"
  link_up "$name" mgmt0 "$MGMT_A" "$MGMT_B"
  if [[ -n $udp6 ]]; then
    for end in "$NS_A $MGMT6_A" "$NS_B $MGMT6_B"; do
      set -- $end
      ip netns exec "$1" sysctl -qw net.ipv6.conf.mgmt0.accept_dad=0 \
        net.ipv6.conf.mgmt0.router_solicitations=0 net.ipv6.conf.mgmt0.disable_ipv6=0
      ip -n "$1" addr add "$2/64" dev mgmt0 nodad
    done
  fi
  if [[ -n $ipv6 ]]; then
    for end in "$NS_A" "$NS_B"; do   # devices made from now on (tun0) get IPv6; mgmt0 stays without
      ip netns exec "$end" sysctl -qw net.ipv6.conf.default.disable_ipv6=0 \
        net.ipv6.conf.default.accept_dad=0
    done
  fi
  for end in "$NS_A $local_a $local_b $ADDR_A $ADDR_B a $ADDR6_A $ADDR6_B" \
    "$NS_B $local_b $local_a $ADDR_B $ADDR_A b $ADDR6_B $ADDR6_A"; do
    set -- $end
    if [[ -n $ipv6 ]]; then six=(--ifconfig-ipv6 "$7/64" "$8"); fi
    rm -f "$WORK/openvpn-$6.log"
    start_bg "$WORK/openvpn-$6.err" ip netns exec "$1" openvpn --dev tun0 "${proto[@]}" --local "$2" \
      --remote "$3" --lport "$OPENVPN_PORT" --rport "$OPENVPN_PORT" --ifconfig "$4" "$5" \
      "${six[@]}" "${mtu[@]}" --verb 3 --log "$WORK/openvpn-$6.log"
  done
  for end in a b; do
    wait_for "OpenVPN in $end" file_has "$WORK/openvpn-$end.log" "Initialization Sequence Completed"
    file_has "$WORK/openvpn-$end.log" "will be tunnelled as clear text" ||
      die "OpenVPN in $end did not run without a key: $(tail -3 "$WORK/openvpn-$end.log")"
  done
}

scenario_openvpn_cleartext_plaintext() {
  openvpn_up openvpn-cleartext-plaintext
  capture_start "$CAPTURE_NS" "$CAPTURE_IF"
  send_tcp
  capture_stop
  hosts_down
  publish openvpn-cleartext-plaintext
  expect openvpn-cleartext-plaintext \
    "The plaintext vMotion-style stream (192.168.50.11 to .12, TCP 8000) through a real OpenVPN point-to-point tunnel without a key between the hosts' management addresses, each IP packet in clear in UDP 1194; the migration inside is judged, and the tunnel runs outside the migration networks." \
    '{protocol: vmotion, verdict: plaintext, count: 1}' \
    '{rule: UNENCRYPTED_MIGRATION, severity: critical, count: 1}' \
    '{rule: NON_DEDICATED_SEGMENT, severity: warning, count: 1}'
}

scenario_openvpn_cleartext_ipv6_plaintext() {
  openvpn_up openvpn-cleartext-ipv6-plaintext ipv6
  capture_start "$CAPTURE_NS" "$CAPTURE_IF"
  send_tcp 6
  capture_stop
  hosts_down
  publish openvpn-cleartext-ipv6-plaintext
  expect openvpn-cleartext-ipv6-plaintext \
    "The plaintext vMotion-style stream over IPv6 (fd00:50::11 to ::12, TCP 8000) through a real OpenVPN point-to-point tunnel without a key between the hosts' IPv4 management addresses, each IPv6 packet in clear in UDP 1194 with no frame or header checksum around it; found by its TCP checksum, judged, and the tunnel runs outside the migration networks." \
    '{protocol: vmotion, verdict: plaintext, count: 1}' \
    '{rule: UNENCRYPTED_MIGRATION, severity: critical, count: 1}' \
    '{rule: NON_DEDICATED_SEGMENT, severity: warning, count: 1}'
}

# ovpn6_frames FILTER [TSHARK OPTIONS...] : how many frames of the capture tshark's FILTER matches.
ovpn6_frames() {
  local filter=$1
  shift
  tshark -r "$WORK/capture.pcap" "$@" -Y "$filter" 2>/dev/null | wc -l
}

# ovpn6_datagrams FILTER : the IPv6 fragment identifications of the frames FILTER matches with
# reassembly off, one a line, sorted and without repeats.
ovpn6_datagrams() {
  tshark -r "$WORK/capture.pcap" -o ipv6.defragment:FALSE -Y "$1" -T fields -e ipv6.src -e ipv6.dst \
    -e ipv6.fraghdr.ident 2>/dev/null | sort -u
}

# ovpn6_fragmented_check : the capture of scenario_openvpn_cleartext_ipv6_fragmented checked with
# tshark (check_capture.py reads no fragments). Every frame IPv6 on the management link: OpenVPN's
# UDP 1194 between fd00:10::11 and ::12, its fragments, or ICMPv6 (neighbour discovery); no frame
# over the link's MTU; IPv6 fragments, all of A's UDP to B, and every fragmented datagram whole
# (its first fragment, offset 0 and M set, and its last, M clear; tshark puts as many together as
# there are datagrams, none overlapping), each holding a full-size inner packet. UDP 1194 decoded
# as IP: one TCP connection 192.168.50.11:41011 -> .12:8000, opened, closed by both sides, the bytes
# sent all in it, no checksum wrong. Sets OVPN6_FIRSTS and OVPN6_REASSEMBLED.
OVPN6_FIRSTS=0 OVPN6_REASSEMBLED=0
ovpn6_fragmented_check() {
  local name=$1 total frags firsts lasts datagrams sent nodefrag=(-o ipv6.defragment:FALSE)
  local inner=(-d "udp.port == $OPENVPN_PORT,ip" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE)
  local tunnel="(ipv6.src == $MGMT6_A && ipv6.dst == $MGMT6_B) || (ipv6.src == $MGMT6_B && ipv6.dst == $MGMT6_A)"
  local fragment='ipv6.fraghdr' first='ipv6.fraghdr.offset == 0 && ipv6.fraghdr.more == 1'
  local connection="(ip.src == $ADDR_A && tcp.srcport == $CLIENT_PORT && ip.dst == $ADDR_B && tcp.dstport == $PORT) ||
    (ip.src == $ADDR_B && tcp.srcport == $PORT && ip.dst == $ADDR_A && tcp.dstport == $CLIENT_PORT)"
  total=$(ovpn6_frames '')
  (($(ovpn6_frames "!(eth.type == 0x86dd && (icmpv6 || (($tunnel) && (udp.port == $OPENVPN_PORT || $fragment))))" \
    "${nodefrag[@]}") == 0)) || die "$name: frames besides OpenVPN over IPv6 and ICMPv6 on the link"
  (($(ovpn6_frames "frame.len > $((LINK_MTU + 14))") == 0)) ||
    die "$name: frames over the ${LINK_MTU}-byte link's MTU"
  frags=$(ovpn6_frames "$fragment" "${nodefrag[@]}")
  ((frags > 0)) || die "$name: the kernel fragmented nothing"
  (($(ovpn6_frames "$fragment && !(ipv6.src == $MGMT6_A && ipv6.dst == $MGMT6_B && ipv6.fraghdr.nxt == 17)" \
    "${nodefrag[@]}") == 0)) || die "$name: fragments of other traffic than A's UDP to B"
  firsts=$(ovpn6_datagrams "$first")
  lasts=$(ovpn6_datagrams 'ipv6.fraghdr.offset > 0 && ipv6.fraghdr.more == 0')
  datagrams=$(ovpn6_datagrams "$fragment")
  [[ -n $firsts && $firsts == "$lasts" && $firsts == "$datagrams" ]] ||
    die "$name: fragmented datagrams without their first or last fragment"
  OVPN6_FIRSTS=$(grep -c . <<<"$firsts")
  OVPN6_REASSEMBLED=$(ovpn6_frames 'ipv6.fragments' -o ipv6.defragment:TRUE)
  ((OVPN6_REASSEMBLED == OVPN6_FIRSTS)) ||
    die "$name: tshark puts $OVPN6_REASSEMBLED of the $OVPN6_FIRSTS fragmented datagrams together"
  (($(ovpn6_frames 'ipv6.fragment.overlap || ipv6.fragment.error || ipv6.fragment.multipletails ||
    ipv6.fragment.toolongfragment') == 0)) || die "$name: fragments that overlap or do not fit"
  # put back together, each fragmented datagram is UDP 1194 holding a full-size IPv4 packet of A's
  (($(ovpn6_frames "ipv6.fragments && udp.dstport == $OPENVPN_PORT && ip.src == $ADDR_A &&
    ip.len == $LINK_MTU" "${inner[@]}") == OVPN6_REASSEMBLED)) ||
    die "$name: fragmented datagrams that do not hold a full-size packet of A's in UDP $OPENVPN_PORT"
  # inside: one TCP connection, handshake, a FIN from each side, every byte sent, checksums right
  (($(tshark -r "$WORK/capture.pcap" "${inner[@]}" -Y tcp -T fields -e tcp.stream 2>/dev/null |
    sort -u | wc -l) == 1 && $(ovpn6_frames "tcp && !($connection)" "${inner[@]}") == 0)) ||
    die "$name: TCP inside the tunnel besides one connection $ADDR_A:$CLIENT_PORT -> $ADDR_B:$PORT"
  (($(ovpn6_frames "ip.src == $ADDR_A && tcp.flags.syn == 1 && tcp.flags.ack == 0" "${inner[@]}") == 1 &&
    $(ovpn6_frames "ip.src == $ADDR_B && tcp.flags.syn == 1 && tcp.flags.ack == 1" "${inner[@]}") == 1 &&
    $(ovpn6_frames "ip.src == $ADDR_A && tcp.flags.fin == 1" "${inner[@]}") >= 1 &&
    $(ovpn6_frames "ip.src == $ADDR_B && tcp.flags.fin == 1" "${inner[@]}") >= 1)) ||
    die "$name: the connection inside is not opened and closed by both sides"
  (($(ovpn6_frames 'ip.checksum.status == 0 || tcp.checksum.status == 0' "${inner[@]}") == 0 &&
    $(ovpn6_frames 'tcp.checksum.status == 1' "${inner[@]}") > 0)) ||
    die "$name: bad or no checked checksums inside the tunnel"
  sent=$(tshark -r "$WORK/capture.pcap" "${inner[@]}" -Y "ip.src == $ADDR_A && tcp.len > 0 && !tcp.analysis.retransmission" \
    -T fields -e tcp.len 2>/dev/null | awk '{n += $1} END {print n + 0}')
  ((sent == $(stat -c %s "$WORK/stream.bin"))) ||
    die "$name: $sent payload bytes inside the tunnel, not the $(stat -c %s "$WORK/stream.bin") sent"
  log "$name: $total frames, $frags IPv6 fragments of $OVPN6_FIRSTS datagrams ($OVPN6_FIRSTS first" \
    "fragments), all put back together by tshark ($OVPN6_REASSEMBLED); $(ovpn6_frames icmpv6) ICMPv6;" \
    "inside, $sent payload bytes of A's in $(ovpn6_frames "ip.src == $ADDR_A && tcp.len > 0" "${inner[@]}")" \
    "segments; largest frame $(tshark -r "$WORK/capture.pcap" -T fields -e frame.len 2>/dev/null | sort -n | tail -1) bytes"
}

# openvpn-cleartext-ipv6-fragmented: the tunnel of openvpn-cleartext-plaintext over UDP/IPv6
# between the IPv6 management addresses, its tun MTU the link's 1500: the outer datagram of a
# full-size inner packet (1,500 + 8 bytes of UDP) does not fit the link, and the sending kernel cuts
# it into two IPv6 fragments (Fragment header; the first 1,448 bytes of the datagram, then the last
# 60). Counts the datagrams tshark puts back together into expect.yaml (reassembledPackets).
scenario_openvpn_cleartext_ipv6_fragmented() {
  local name=openvpn-cleartext-ipv6-fragmented
  command -v tshark >/dev/null || die "missing tshark (Debian: apt-get install tshark)"
  openvpn_up "$name" udp6 oversize
  capture_start "$CAPTURE_NS" "$CAPTURE_IF"
  send_tcp
  capture_stop
  hosts_down
  ovpn6_fragmented_check "$name"
  publish "$name"
  expect "$name" \
    "The plaintext vMotion-style stream (192.168.50.11 to .12, TCP 8000) through a real OpenVPN point-to-point tunnel without a key over UDP/IPv6 between the hosts' IPv6 management addresses (fd00:10::11 and ::12), its tun MTU the link's 1500, so the sending kernel cuts the datagram of each full-size packet into two IPv6 fragments; put back together, each datagram holds an IP packet in clear; the migration inside is judged, and the tunnel runs outside the migration networks." \
    '{protocol: vmotion, verdict: plaintext, count: 1}' \
    '{rule: UNENCRYPTED_MIGRATION, severity: critical, count: 1}' \
    '{rule: NON_DEDICATED_SEGMENT, severity: warning, count: 1}'
  # every fragmented datagram is whole (ovpn6_fragmented_check): tshark's count of them
  printf 'reassembledPackets: %d    # fragmented packets put back together\n' \
    "$OVPN6_REASSEMBLED" >>"$WORK/out/$name/expect.yaml"
}

main() {
  local selected=() name
  case ${1:-} in
    --list) printf '%s\n' "${SCENARIOS[@]}"; return 0 ;;
    -h | --help) printf 'usage: sudo %s [--list] [scenario...]\n' "$0"; return 0 ;;
  esac
  for name in "$@"; do
    [[ " ${SCENARIOS[*]} " == *" $name "* ]] || die "unknown scenario: $name"
  done
  if (($#)); then selected=("$@"); else selected=("${SCENARIOS[@]}"); fi
  ((EUID == 0)) || die "needs root for network namespaces and capture: sudo $0"
  for name in ip tcpdump openssl socat ssh sshd ssh-keygen timeout "$PYTHON"; do
    command -v "$name" >/dev/null || die "missing $name (see the packages at the top of $0)"
  done
  WORK=$(mktemp -d "/tmp/$RUN_ID.XXXXXX")
  # RSA: the NULL-SHA256 suite (TLS_RSA_WITH_NULL_SHA256) needs an RSA key.
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 \
    -subj "/CN=migration-host.sample.invalid" -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
  "$PYTHON" "$TOOLS/guest_memory.py" --frame vmotion --pages "$GUEST_PAGES" --seed "$GUEST_SEED" \
    -o "$WORK/stream.bin"
  for name in "${selected[@]}"; do
    log "$name"
    "scenario_${name//[-.]/_}"
    install_sample "$name"
  done
}

main "$@"
