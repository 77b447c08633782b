#!/usr/bin/env bash
# make-protocol-samples.sh — samples of issue 12 that need real servers: management HTTPS between two
# trusted hypervisors (request/response API calls, not a migration) and a Hyper-V-style migration
# over SMB 3.1.1 to a real Samba server, once with signing only and once with `smb encrypt =
# required`:
#
#   sudo tools/samples/make-protocol-samples.sh [scenario...]     # default: all of them
#   tools/samples/make-protocol-samples.sh --list
#
# As make-event-samples.sh: two namespaces ("hosts") joined by a veth trunk; each host's address on
# a tap behind tagging_switch.py; tcpdump on host A's trunk; check_capture.py checks the capture.
# The HTTPS server and client are Python's ssl + http.server / http.client (TLS 1.3, a throwaway
# P-256 certificate); the SMB server is smbd (Samba 4.17, Debian bookworm) with its own smb.conf,
# passdb and state directories in the work directory, the client smbclient, which copies the guest
# memory of guest_memory.py (24 pages, seed 50, raw) into the share as a file, the way Hyper-V's SMB
# live-migration option writes memory to the destination host.
#
# Needs root and: iproute2 tcpdump openssl python3 samba smbclient (Debian bookworm). Nothing leaves
# the namespaces (no default route); namespaces and processes are removed on exit, error or Ctrl-C.
# KEEP_WORK=1 keeps the work directory; MIGAUDIT_SAMPLES_DIR writes somewhere other than samples/.
# The shared helpers (processes, waiting, the hosts) are in lib.sh.
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TOOLS/../.." && pwd)
readonly TOOLS REPO
readonly SAMPLES=${MIGAUDIT_SAMPLES_DIR:-$REPO/samples}
readonly RUN_ID=ma-ps-$$
readonly PYTHON=${PYTHON:-python3}
readonly SCENARIOS=(management-https hyperv-smb3-signed hyperv-smb3-encrypted vmotion-plaintext-erspan)
readonly GUEST_PAGES=24 GUEST_SEED=50
readonly CLIENT_PORT=41011 MAX_CAPTURE_BYTES=153600 DEADLINE_SECONDS=20
readonly SMB_PASSWORD=migaudit-sample

WORK="" NS_A="" NS_B="" ADDR_A="" ADDR_B="" LAST_PID="" TCPDUMP_PID=""
NAMESPACES=() PIDS=()

log() { printf 'make-protocol-samples: %s\n' "$*" >&2; }
source "$TOOLS/lib.sh"

make_certificate() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj "/CN=esx-b.sample.invalid" -addext "subjectAltName=IP:10.10.0.12" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
}

# ---------------------------------------------------------------- management HTTPS

# An API server in B: HTTP/1.1 keep-alive over TLS on 443, JSON answers of a few hundred bytes.
readonly HTTPS_SERVER='
import http.server, json, ssl, sys
class Api(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps({"path": self.path, "host": "esx-b", "state": "connected",
                           "vms": [{"id": "vm-%d" % i, "power": "on"} for i in range(8)]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = answer
    def log_message(self, *args):
        pass
server = http.server.HTTPServer((sys.argv[1], 443), Api)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[2], sys.argv[3])
server.socket = context.wrap_socket(server.socket, server_side=True)
print("ready", file=sys.stderr, flush=True)
server.handle_request()
'
# The client in A: six calls (GET and small POSTs) on one connection, as a management agent polls.
readonly HTTPS_CLIENT='
import http.client, json, ssl, sys
context = ssl.create_default_context(cafile=sys.argv[3])
conn = http.client.HTTPSConnection(sys.argv[2], 443, timeout=10, context=context,
                                   source_address=(sys.argv[1], int(sys.argv[4])))
for i, path in enumerate(["/api/session", "/api/vcenter/host", "/api/vcenter/vm",
                          "/api/vcenter/datastore", "/api/vcenter/network", "/api/session"]):
    body = json.dumps({"call": i, "filter": {"power": "on"}}).encode() if i % 2 else None
    conn.request("POST" if body else "GET", path, body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == 200, response.status
    json.loads(response.read())
# Close as a careful client does: TLS close_notify, then wait for the server to close its side, so
# that no unread byte makes the kernel answer with a RST.
sock = conn.sock
try:
    sock.unwrap()
except (ssl.SSLError, OSError):
    pass
try:
    while sock.recv(4096):
        pass
except OSError:
    pass
conn.close()
'

scenario_management_https() {
  make_certificate
  hosts_up mgmt 0 10.10.0.11/24 10.10.0.12/24
  capture_start
  start_bg "$WORK/https-server.log" ip netns exec "$NS_B" "$PYTHON" -c "$HTTPS_SERVER" "$ADDR_B" \
    "$WORK/cert.pem" "$WORK/key.pem"
  local server=$LAST_PID
  wait_for "the HTTPS server" listening "$NS_B" 443
  timeout "$DEADLINE_SECONDS" ip netns exec "$NS_A" "$PYTHON" -c "$HTTPS_CLIENT" "$ADDR_A" "$ADDR_B" \
    "$WORK/cert.pem" "$CLIENT_PORT" || die "the HTTPS client failed"
  stop_bg "$server" || die "the HTTPS server failed: $(cat "$WORK/https-server.log")"
  capture_stop
  hosts_down
  check --untagged --tcp "$ADDR_A" "$ADDR_B" 443 --starts-with 1603 --require arp
  publish management-https \
    "Management HTTPS (TLS 1.3, six request/response API calls on one keep-alive connection) between the trusted hosts' management addresses, untagged; not a migration, nothing to report." \
    "" ""
}

# ---------------------------------------------------------------- SMB 3.1.1 to Samba

# smb_conf ENCRYPT : smb.conf for smbd in B, every path in $WORK/smb; ENCRYPT is "required" or "off"
# (signing stays mandatory either way).
smb_conf() {
  local dir=$WORK/smb
  mkdir -p "$dir"/{private,lock,state,cache,pid,ncalrpc,share}
  cat >"$dir/smb.conf" <<CONF
[global]
  netbios name = HV-02
  workgroup = CORP
  server role = standalone server
  security = user
  passdb backend = tdbsam:$dir/private/passdb.tdb
  private dir = $dir/private
  lock directory = $dir/lock
  state directory = $dir/state
  cache directory = $dir/cache
  pid directory = $dir/pid
  ncalrpc dir = $dir/ncalrpc
  log file = $dir/log.smbd
  interfaces = $ADDR_B
  bind interfaces only = yes
  smb ports = 445
  disable netbios = yes
  server min protocol = SMB3_11
  server signing = mandatory
  server smb encrypt = $1
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes
[vms]
  path = $dir/share
  read only = no
CONF
}

# smb_copy ENCRYPT PROTECTION : smbd in B, smbclient in A puts the guest memory into the share.
smb_copy() {
  local dir=$WORK/smb
  "$PYTHON" "$TOOLS/guest_memory.py" --frame raw --pages "$GUEST_PAGES" --seed "$GUEST_SEED" \
    -o "$WORK/memory.bin"
  hosts_up smb 66 10.66.0.21/24 10.66.0.22/24
  smb_conf "$1"
  printf '%s\n%s\n' "$SMB_PASSWORD" "$SMB_PASSWORD" | smbpasswd -c "$dir/smb.conf" -s -a root >/dev/null
  # setsid: smbd signals its whole process group when it stops, which must not be this script.
  start_bg "$WORK/smbd.log" ip netns exec "$NS_B" setsid smbd --foreground --no-process-group \
    --debug-stdout --configfile="$dir/smb.conf"
  local server=$LAST_PID
  wait_for "smbd in host B" listening "$NS_B" 445
  capture_start
  timeout "$DEADLINE_SECONDS" ip netns exec "$NS_A" smbclient "//$ADDR_B/vms" -p 445 \
    -U "root%$SMB_PASSWORD" -m SMB3_11 --option='client min protocol=SMB3_11' \
    --client-protection="$2" -c "put $WORK/memory.bin guest-memory.bin" >"$WORK/smbclient.log" 2>&1 ||
    die "smbclient failed: $(tail -5 "$WORK/smbclient.log")"
  capture_stop
  cmp -s "$WORK/memory.bin" "$dir/share/guest-memory.bin" || die "the share holds other bytes than were sent"
  stop_bg "$server" TERM || true
  hosts_down
  check --vlan 66 --tcp "$ADDR_A" "$ADDR_B" 445 --starts-with 000000 --require arp
}

scenario_hyperv_smb3_signed() {
  smb_copy off sign
  publish hyperv-smb3-signed \
    "Hyper-V-style live migration over SMB 3.1.1 (445) to a real Samba server with signing only, between the trusted Hyper-V hosts on VLAN 66; signed but readable, so unencrypted." \
    "{protocol: hyperv-smb, verdict: plaintext, count: 1}" \
    "{rule: UNENCRYPTED_MIGRATION, severity: critical, count: 1}"
}

scenario_hyperv_smb3_encrypted() {
  smb_copy required encrypt
  publish hyperv-smb3-encrypted \
    "Hyper-V-style live migration over SMB 3.1.1 (445) to a real Samba server with smb encrypt = required, between the trusted Hyper-V hosts on VLAN 66; every message after session setup is encrypted, nothing to report." \
    "{protocol: hyperv-smb, verdict: encrypted, count: 1}" ""
}

# ---------------------------------------------------------------- ERSPAN remote mirror

readonly MIRROR_SOURCE=10.99.0.1/24 COLLECTOR=10.99.0.2/24 ERSPAN_SESSION=7

# vmotion-plaintext-erspan: the plaintext vMotion-style stream between the trusted hosts on VLAN
# 50, seen only as a remote mirror: erspan_mirror.py in host A sends every frame of A's trunk port
# inside GRE + ERSPAN type II (session 7) from 10.99.0.1 to a collector namespace (10.99.0.2, jumbo
# MTU as ERSPAN collectors have), where tcpdump captures. The capture holds no frame of the
# migration itself, only its mirror.
scenario_vmotion_plaintext_erspan() {
  local collector=$RUN_ID-erspan-c server mirror frames
  "$PYTHON" "$TOOLS/guest_memory.py" --frame vmotion --pages "$GUEST_PAGES" --seed "$GUEST_SEED" \
    -o "$WORK/stream.bin"
  hosts_up erspan 50 192.168.50.11/24 192.168.50.12/24
  ip netns add "$collector"
  NAMESPACES+=("$collector")
  ip netns exec "$collector" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$NS_A" link add mirror0 mtu 9000 type veth peer name mirror0 mtu 9000 netns "$collector"
  ip -n "$NS_A" addr add "$MIRROR_SOURCE" dev mirror0
  ip -n "$collector" addr add "$COLLECTOR" dev mirror0
  ip -n "$NS_A" link set mirror0 up
  ip -n "$collector" link set mirror0 up
  # The collector's receiver: a raw GRE socket that takes the mirror (the kernel would otherwise
  # answer every GRE packet with ICMP protocol unreachable).
  start_bg "$WORK/collector.log" ip netns exec "$collector" "$PYTHON" -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
print("ready", file=sys.stderr, flush=True)
while s.recv(65536):
    pass'
  wait_for "the collector" file_has "$WORK/collector.log" "ready"
  capture_start "$collector" mirror0
  start_bg "$WORK/mirror.log" ip netns exec "$NS_A" "$PYTHON" "$TOOLS/erspan_mirror.py" --port uplink0 \
    --collector "${COLLECTOR%/*}" --session "$ERSPAN_SESSION"
  mirror=$LAST_PID
  wait_for "the ERSPAN mirror" file_has "$WORK/mirror.log" " ready"
  start_bg "$WORK/server.log" ip netns exec "$NS_B" socat -u "TCP4-LISTEN:8000,bind=$ADDR_B" \
    "CREATE:$WORK/received.bin"
  server=$LAST_PID
  wait_for "the server on 8000" listening "$NS_B" 8000
  timeout "$DEADLINE_SECONDS" ip netns exec "$NS_A" socat -u "OPEN:$WORK/stream.bin" \
    "TCP4:$ADDR_B:8000,sourceport=$CLIENT_PORT"
  stop_bg "$server" || die "socat server failed: $(cat "$WORK/server.log")"
  cmp -s "$WORK/stream.bin" "$WORK/received.bin" || die "the server received other bytes than were sent"
  wait_for "the TCP connections to close" tcp_quiet "$NS_A" "$NS_B"
  sleep 0.3   # let the mirror send the final ACK
  stop_bg "$mirror" TERM || true
  capture_stop
  ip netns delete "$collector"
  hosts_down
  frames=$(tcpdump -r "$WORK/capture.pcap" -nn 2>/dev/null | grep -c 'GREv0, seq .*0x88be') ||
    die "no ERSPAN packet in the capture"
  [[ $(tcpdump -r "$WORK/capture.pcap" -nn 2>/dev/null | grep -vc 'GREv0, seq .*0x88be\|ARP') == 0 ]] ||
    die "the capture holds more than the mirror: $(tcpdump -r "$WORK/capture.pcap" -nn 2>/dev/null | grep -v GRE | head -3)"
  log "vmotion-plaintext-erspan: $frames ERSPAN packets ($(cat "$WORK/mirror.log" | tail -1))"
  publish vmotion-plaintext-erspan \
    "The plaintext vMotion-style page stream on TCP 8000 between the trusted hosts on VLAN 50, seen only through an ERSPAN type II remote mirror (GRE from 10.99.0.1 to a collector at 10.99.0.2, session 7)." \
    "{protocol: vmotion, verdict: plaintext, count: 1}" \
    "{rule: UNENCRYPTED_MIGRATION, severity: critical, count: 1}"
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
  for name in ip tcpdump openssl smbd smbclient smbpasswd socat timeout "$PYTHON"; do
    command -v "$name" >/dev/null || missing+=("$name")
  done
  ((${#missing[@]} == 0)) || die "missing tools: ${missing[*]}"
  [[ -f $SAMPLES/policy.yaml ]] || die "no $SAMPLES/policy.yaml: is this the migaudit tree?"
  WORK=$(mktemp -d "/tmp/$RUN_ID.XXXXXX")
  for name in "${selected[@]}"; do
    log "$name"
    "scenario_${name//-/_}"
  done
}

main "$@"
