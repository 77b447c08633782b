#!/usr/bin/env bash
# make-kerberos-samples.sh — samples of the Hyper-V authentication audit (issue 5): a live migration
# on TCP 6600 that a Kerberos TGS-REQ for "Microsoft Virtual System Migration Service/<destination>"
# precedes (hyperv-kerberos), and one that no such request precedes (hyperv-credssp), from real
# traffic between network namespaces:
#
#   sudo tools/samples/make-kerberos-samples.sh [scenario...]     # default: all of them
#   tools/samples/make-kerberos-samples.sh --list
#
# Three namespaces: hv-01 (host A: 10.66.0.21 on the live-migration VLAN 66, behind
# tagging_switch.py, and 10.10.0.21 on the untagged management network), hv-02 (host B:
# 10.66.0.22, VLAN 66) and dc (10.10.0.2, a real MIT krb5 KDC, realm CORP.EXAMPLE, made per run
# with kdb5_util/kadmin.local). Host A gets a ticket-granting ticket (kinit with a keytab, AS-REQ),
# asks the KDC for a service ticket with MIT's `kvno` (TGS-REQ over TCP, and over UDP for cifs), then
# sends a Hyper-V-style page stream (guest_memory.py --frame hyperv) sealed in AES-256-GCM records
# (page_stream.py seal: encrypted-looking, so the authentication is the point) to host B:6600
# with socat. tcpdump captures A's trunk (VLAN 66) and A's management port; mergecap merges them in
# time order (hyperv-credssp is then moved one day later with editcap, out of the other sample's
# ticket lifetime). check_capture.py checks the migration; kerberos_fixtures.py checks the Kerberos
# requests and writes the raw TGS-REQ messages the agent's unit tests read.
#
# Needs root and: iproute2 tcpdump socat python3 python3-cryptography wireshark-common (mergecap)
# krb5-kdc krb5-admin-server krb5-user (Debian bookworm). Nothing leaves the namespaces (no default
# route); namespaces and processes are removed on exit, error or Ctrl-C. KEEP_WORK=1 keeps the work
# directory; MIGAUDIT_SAMPLES_DIR writes somewhere other than samples/. The shared helpers are in
# lib.sh; the hosts (with a DC namespace) and listening (TCP or UDP) are this script's own.
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TOOLS/../.." && pwd)
readonly TOOLS REPO
readonly SAMPLES=${MIGAUDIT_SAMPLES_DIR:-$REPO/samples}
readonly FIXTURES=${MIGAUDIT_FIXTURES_DIR:-$REPO/capture-agent/src/test/resources/kerberos}
readonly RUN_ID=ma-ks-$$
readonly PYTHON=${PYTHON:-python3}
readonly AEAD_PYTHON=${AEAD_PYTHON:-/usr/bin/python3}   # Debian's, with python3-cryptography
readonly SCENARIOS=(hyperv-kerberos hyperv-credssp)
readonly GUEST_PAGES=24 GUEST_SEED=50
# The test key of make-stream-samples.sh and a 4-byte nonce salt ("HvLM").
readonly AES_KEY=4d494741554449542073616d706c65206b657920666f722074657374730a0a0a
readonly GCM_SALT=48764c4d
readonly CLIENT_PORT=41011 MAX_CAPTURE_BYTES=153600 DEADLINE_SECONDS=20
readonly REALM=CORP.EXAMPLE
readonly SRC_HOST=hv-01.corp.example DST_HOST=hv-02.corp.example
readonly MIGRATION_SPN="Microsoft Virtual System Migration Service/hv-02.corp.example"
readonly CIFS_SPN="cifs/hv-02.corp.example" OTHER_SPN="HTTP/intranet.corp.example"
readonly ADDR_A=10.66.0.21 ADDR_B=10.66.0.22 MGMT_A=10.10.0.21 KDC_ADDR=10.10.0.2

WORK="" NS_A="" NS_B="" NS_DC="" LAST_PID="" KRB_ENV=()
NAMESPACES=() PIDS=()

log() { printf 'make-kerberos-samples: %s\n' "$*" >&2; }
source "$TOOLS/lib.sh"

listening() { [[ -n $(ip netns exec "$1" ss -Hl"$3"n "sport = :$2") ]]; }
mac_of() {
  "$PYTHON" -c 'import ipaddress, sys; b = ipaddress.ip_address(sys.argv[1]).packed[-4:]
print("02:00:" + ":".join(f"{x:02x}" for x in b))' "$1"
}

# hosts_up NAME : namespaces A, B (VLAN 66 trunk, as make-samples.sh's) and DC (management link).
hosts_up() {
  NS_A=$RUN_ID-$1-a NS_B=$RUN_ID-$1-b NS_DC=$RUN_ID-$1-dc
  netns_up "$NS_A" "$NS_B" "$NS_DC"
  ip -n "$NS_A" link add uplink0 type veth peer name uplink0 netns "$NS_B"
  host_up "$NS_A" "$ADDR_A/24" 66
  host_up "$NS_B" "$ADDR_B/24" 66
  # The management network is an untagged access port: a plain veth pair, A's end captured.
  ip -n "$NS_A" link add mgmt0 type veth peer name mgmt0 netns "$NS_DC"
  ip -n "$NS_A" link set mgmt0 address "$(mac_of "$MGMT_A")"
  ip -n "$NS_DC" link set mgmt0 address "$(mac_of "$KDC_ADDR")"
  ip -n "$NS_A" addr add "$MGMT_A/24" dev mgmt0
  ip -n "$NS_DC" addr add "$KDC_ADDR/24" dev mgmt0
  ip -n "$NS_A" link set mgmt0 up
  ip -n "$NS_DC" link set mgmt0 up
}

host_up() {
  local ns=$1 cidr=$2 vlan=$3
  ip -n "$ns" tuntap add dev vmk0 mode tap
  ip -n "$ns" link set vmk0 address "$(mac_of "${cidr%/*}")"
  ip -n "$ns" addr add "$cidr" dev vmk0
  ip -n "$ns" link set uplink0 arp off up   # layer 2 only: no ARP answers on the trunk
  ip -n "$ns" link set vmk0 up
  start_bg "$WORK/switch-$ns.log" ip netns exec "$ns" \
    "$PYTHON" "$TOOLS/tagging_switch.py" --access vmk0 --uplink uplink0 --vlan "$vlan"
  wait_for "the switch in $ns" file_has "$WORK/switch-$ns.log" " ready"
}

hosts_down() {
  local pid ns
  for pid in "${PIDS[@]}"; do stop_bg "$pid" TERM || true; done
  for ns in "$NS_A" "$NS_B" "$NS_DC"; do ip netns delete "$ns"; done
  NAMESPACES=()
}

# kdc_up : a fresh MIT KDC database in $WORK/kdc with the principals of the scenarios, krb5kdc
# running in the DC namespace, and A's keytab for "administrator".
kdc_up() {
  local kdc=$WORK/kdc spn
  rm -rf "$kdc"
  mkdir -p "$kdc"
  cat >"$kdc/kdc.conf" <<EOF
[kdcdefaults]
  kdc_listen = 88
  kdc_tcp_listen = 88
[realms]
  $REALM = {
    database_name = $kdc/principal
    key_stash_file = $kdc/stash
    acl_file = $kdc/kadm5.acl
    max_life = 10h
  }
[logging]
  kdc = FILE:$kdc/kdc.log
EOF
  # Two client profiles: TCP always (udp_preference_limit 1), and MIT's default (UDP first).
  for transport in tcp udp; do
    {
      printf '[libdefaults]\n  default_realm = %s\n  dns_lookup_kdc = false\n' "$REALM"
      printf '  dns_lookup_realm = false\n  rdns = false\n  dns_canonicalize_hostname = false\n'
      [[ $transport == udp ]] || printf '  udp_preference_limit = 1\n'
      printf '[realms]\n  %s = {\n    kdc = %s\n  }\n' "$REALM" "$KDC_ADDR"
    } >"$kdc/krb5-$transport.conf"
  done
  : >"$kdc/kadm5.acl"
  KRB_ENV=(env KRB5_CONFIG="$kdc/krb5-tcp.conf" KRB5_KDC_PROFILE="$kdc/kdc.conf"
    KRB5CCNAME="FILE:$kdc/ccache")
  "${KRB_ENV[@]}" kdb5_util create -s -r "$REALM" -P "sample-master-$$" >/dev/null 2>&1 ||
    die "kdb5_util create failed"
  for spn in administrator "$MIGRATION_SPN" "$CIFS_SPN" "$OTHER_SPN"; do
    "${KRB_ENV[@]}" kadmin.local -r "$REALM" -q "addprinc -randkey \"$spn\"" >/dev/null 2>&1 ||
      die "kadmin.local could not add $spn"
  done
  "${KRB_ENV[@]}" kadmin.local -r "$REALM" -q "ktadd -k $kdc/admin.keytab administrator" \
    >/dev/null 2>&1 || die "kadmin.local could not write the keytab"
  "${KRB_ENV[@]}" kadmin.local -r "$REALM" -q listprincs 2>/dev/null | grep -qxF "$MIGRATION_SPN@$REALM" ||
    die "the KDC does not list \"$MIGRATION_SPN@$REALM\""
  start_bg "$WORK/krb5kdc.log" ip netns exec "$NS_DC" "${KRB_ENV[@]}" krb5kdc -n -r "$REALM"
  wait_for "the KDC on TCP 88" listening "$NS_DC" 88 t
  wait_for "the KDC on UDP 88" listening "$NS_DC" 88 u
}

# krb tcp|udp COMMAND... : a Kerberos client command in host A with the TCP-only or UDP-first profile.
krb() {
  local transport=$1
  shift
  ip netns exec "$NS_A" "${KRB_ENV[@]}" KRB5_CONFIG="$WORK/kdc/krb5-$transport.conf" "$@" \
    >>"$WORK/client.log" 2>&1 || die "$* failed: $(tail -3 "$WORK/client.log")"
}

# scenario_capture NAME SPN... : capture kinit, kvno SPN (TCP; a "udp:" prefix uses UDP), then the
# sealed migration stream A -> B:6600; $WORK/capture.pcap is the merged capture.
scenario_capture() {
  local name=$1 spn server trunk mgmt
  shift
  hosts_up "$name"
  kdc_up
  rm -f "$WORK"/trunk.pcap "$WORK"/mgmt.pcap "$WORK"/capture.pcap "$WORK"/received.bin
  start_bg "$WORK/tcpdump-trunk.log" ip netns exec "$NS_A" tcpdump -i uplink0 -nn --immediate-mode \
    -s 65535 -B 65536 -Z root -U -w "$WORK/trunk.pcap"
  trunk=$LAST_PID
  start_bg "$WORK/tcpdump-mgmt.log" ip netns exec "$NS_A" tcpdump -i mgmt0 -nn --immediate-mode \
    -s 65535 -B 65536 -Z root -U -w "$WORK/mgmt.pcap"
  mgmt=$LAST_PID
  wait_for "tcpdump to listen" file_has "$WORK/tcpdump-trunk.log" "listening on"
  wait_for "tcpdump to listen" file_has "$WORK/tcpdump-mgmt.log" "listening on"
  krb tcp kinit -k -t "$WORK/kdc/admin.keytab" administrator
  for spn in "$@"; do
    if [[ $spn == udp:* ]]; then krb udp kvno "${spn#udp:}"; else krb tcp kvno "$spn"; fi
  done
  start_bg "$WORK/server.log" ip netns exec "$NS_B" socat -u \
    "TCP4-LISTEN:6600,bind=$ADDR_B" "CREATE:$WORK/received.bin"
  server=$LAST_PID
  wait_for "the server on 6600" listening "$NS_B" 6600 t
  timeout "$DEADLINE_SECONDS" ip netns exec "$NS_A" socat -u "OPEN:$WORK/stream.bin" \
    "TCP4:$ADDR_B:6600,sourceport=$CLIENT_PORT"
  wait_for "the server to end" not_running "$server"
  stop_bg "$server" || die "socat server failed: $(cat "$WORK/server.log")"
  cmp -s "$WORK/stream.bin" "$WORK/received.bin" || die "the server received other bytes than were sent"
  wait_for "the TCP connections to close" tcp_quiet "$NS_A" "$NS_B" "$NS_DC"
  sleep 0.3   # let tcpdump write the final ACK
  stop_bg "$trunk" INT || true
  stop_bg "$mgmt" INT || true
  for f in trunk mgmt; do
    file_has "$WORK/tcpdump-$f.log" "^0 packets dropped by kernel" ||
      die "tcpdump lost packets: $(tr '\n' ' ' <"$WORK/tcpdump-$f.log")"
  done
  hosts_down
  "$PYTHON" "$TOOLS/check_capture.py" "$WORK/trunk.pcap" --vlan 66 --tcp "$ADDR_A" "$ADDR_B" 6600 \
    --payload uniform --same-as "$WORK/stream.bin" --require arp >&2 ||
    die "the migration capture does not match its scenario"
  mergecap -F pcap -w "$WORK/capture.pcap" "$WORK/trunk.pcap" "$WORK/mgmt.pcap"
}

# publish NAME DESCRIPTION ALERTS : samples/NAME/capture.pcap and expect.yaml (one encrypted
# hyperv migration flow, one hyperv migration event; ALERTS one mapping or empty for none).
publish() {
  local dir=$SAMPLES/$1 size
  size=$(stat -c %s "$WORK/capture.pcap")
  ((size <= MAX_CAPTURE_BYTES)) || die "$1: capture is $size bytes, over $MAX_CAPTURE_BYTES"
  [[ $2 != *': '* && $2 != *' #'* && $2 =~ ^[A-Za-z] ]] || die "$1: not a plain YAML scalar: $2"
  mkdir -p "$dir"
  rm -f "$dir"/capture.pcap "$dir"/capture.pcapng "$dir"/capture.pcap.gz "$dir"/expect.yaml
  cp "$WORK/capture.pcap" "$dir/capture.pcap"
  {
    printf 'description: %s\n' "$2"
    printf 'migrationFlows:         # migration flows (by their final record) per protocol and verdict\n'
    printf '  - {protocol: hyperv, verdict: encrypted, count: 1}\n'
    if [[ -n $3 ]]; then
      printf 'alerts:                 # exactly these alerts, nothing else\n  - %s\n' "$3"
    else
      printf 'alerts: []              # exactly these alerts, nothing else\n'
    fi
  } >"$dir/expect.yaml"
  log "$1: wrote capture.pcap ($size bytes)"
}

sealed_stream() {
  "$PYTHON" "$TOOLS/guest_memory.py" --frame hyperv --pages "$GUEST_PAGES" --seed "$GUEST_SEED" \
    -o "$WORK/plain.bin"
  "$AEAD_PYTHON" "$TOOLS/page_stream.py" seal --key "$AES_KEY" --salt "$GCM_SALT" \
    "$WORK/plain.bin" "$WORK/stream.bin"
}

scenario_hyperv_kerberos() {
  sealed_stream
  scenario_capture hyperv-kerberos "$MIGRATION_SPN" "udp:$CIFS_SPN"
  "$PYTHON" "$TOOLS/kerberos_fixtures.py" "$WORK/mgmt.pcap" --client "$MGMT_A" --kdc "$KDC_ADDR" \
    --expect "tcp:$MIGRATION_SPN@$REALM" --expect "udp:$CIFS_SPN@$REALM" --write-to "$FIXTURES" >&2 ||
    die "the Kerberos capture does not hold the requests made"
  publish hyperv-kerberos \
    "Host A asks a real MIT KDC for a ticket to Microsoft Virtual System Migration Service/hv-02 (TGS-REQ over TCP, and cifs over UDP) from its management address, then migrates to B on TCP 6600 in AES-GCM records on VLAN 66; Kerberos-authenticated, nothing to report." \
    ""
}

scenario_hyperv_credssp() {
  sealed_stream
  scenario_capture hyperv-credssp "$OTHER_SPN"
  "$PYTHON" "$TOOLS/kerberos_fixtures.py" "$WORK/mgmt.pcap" --client "$MGMT_A" --kdc "$KDC_ADDR" \
    --expect "tcp:$OTHER_SPN@$REALM" >&2 || die "the Kerberos capture does not hold the requests made"
  # One day later: the tickets of hyperv-kerberos (same hosts, made a minute before) have expired
  # by then, whatever order the samples are replayed in.
  editcap -F pcap -t 86400 "$WORK/capture.pcap" "$WORK/later.pcap"
  mv "$WORK/later.pcap" "$WORK/capture.pcap"
  publish hyperv-credssp \
    "Host A gets a TGT and a ticket for an unrelated service (HTTP/intranet) from a real MIT KDC, but none for the migration service of hv-02, then migrates to B on TCP 6600 in AES-GCM records on VLAN 66; CredSSP-style, a warning." \
    '{rule: CREDSSP_MIGRATION, severity: warning, count: 1}'
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
  for name in ip tcpdump socat timeout mergecap editcap krb5kdc kdb5_util kadmin.local kinit kvno \
    "$PYTHON" "$AEAD_PYTHON"; do
    command -v "$name" >/dev/null || missing+=("$name")
  done
  ((${#missing[@]} == 0)) || die "missing: ${missing[*]} (see the header of $0)"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/make-kerberos-samples.XXXXXX")
  for name in "${selected[@]}"; do
    log "$name"
    "scenario_${name//-/_}"
  done
}

main "$@"
