# lib.sh — what the sample scripts share: processes in the background, polling with a deadline,
# cleanup of namespaces and processes on exit, error or Ctrl-C, and two hosts joined by an 802.1Q
# trunk. Sourced by the make-*-samples.sh scripts after their settings, e.g.
#
#   log() { printf 'make-event-samples: %s\n' "$*" >&2; }
#   source "$TOOLS/lib.sh"
#
# The script defines log and these variables first: WORK, NAMESPACES=(), PIDS=(), LAST_PID,
# DEADLINE_SECONDS, PYTHON, TOOLS, RUN_ID, NS_A, NS_B, ADDR_A, ADDR_B. Sourcing sets the EXIT, INT
# and TERM traps. A script may define a function of its own with the same name after sourcing
# (make-samples.sh's start_bg, make-kerberos-samples.sh's hosts).

die() { log "error: $*"; exit 1; }

cleanup() {
  local status=$? pid ns
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ns in "${NAMESPACES[@]}"; do ip netns delete "$ns" 2>/dev/null || true; done
  [[ -n $WORK && -z ${KEEP_WORK:-} ]] && rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_bg LOG COMMAND... : background process, remembered for cleanup.
start_bg() {
  local logfile=$1
  shift
  rm -f "$logfile"   # a previous scenario's "ready" / "listening on" must not count
  "$@" </dev/null >/dev/null 2>"$logfile" &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

# stop_bg PID [SIGNAL] : signal and reap; returns the process's exit status.
stop_bg() {
  local pid=$1 status=0 kept=() p
  [[ -z ${2:-} ]] || kill -s "$2" "$pid" 2>/dev/null || true
  wait "$pid" || status=$?
  for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
  PIDS=("${kept[@]}")
  return "$status"
}

# wait_for WHAT COMMAND... : poll COMMAND until it succeeds, at most DEADLINE_SECONDS.
wait_for() {
  local what=$1 tries=$((DEADLINE_SECONDS * 20))
  shift
  until "$@"; do
    tries=$((tries - 1))
    ((tries > 0)) || die "timed out waiting for $what"
    sleep 0.05
  done
}

file_has() { grep -q -- "$2" "$1" 2>/dev/null; }
not_running() { ! kill -0 "$1" 2>/dev/null; }
listening() { [[ -n $(ip netns exec "$1" ss -Hltn "sport = :$2") ]]; }
# No TCP connection is still open or closing (TIME-WAIT puts nothing more on the wire).
tcp_quiet() {
  local ns
  for ns in "$@"; do
    [[ -z $(ip netns exec "$ns" ss -Htan state connected exclude time-wait) ]] || return 1
  done
}

# netns_up NS... : new network namespaces (removed at the end with NAMESPACES), each with its
# loopback up and IPv6 off: a scenario turns it on where it wants it, which keeps router
# solicitations and MLD off the trunk.
netns_up() {
  local ns
  for ns in "$@"; do
    ip netns add "$ns"
    NAMESPACES+=("$ns")
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
      net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
  done
}

# hosts_up NAME VLAN ADDR_A/PREFIX ADDR_B/PREFIX : two namespaces ("hosts") joined by a veth trunk;
# each host's address is on a tap behind tagging_switch.py, which tags its frames with VLAN (IPv4
# only).
hosts_up() {
  NS_A=$RUN_ID-$1-a NS_B=$RUN_ID-$1-b ADDR_A=${3%/*} ADDR_B=${4%/*}
  netns_up "$NS_A" "$NS_B"
  ip -n "$NS_A" link add uplink0 type veth peer name uplink0 netns "$NS_B"
  host_up "$NS_A" "$3" "$2"
  host_up "$NS_B" "$4" "$2"
}

host_up() {
  local ns=$1 cidr=$2 vlan=$3 mac
  mac=$("$PYTHON" -c 'import ipaddress, sys; b = ipaddress.ip_address(sys.argv[1]).packed[-4:]
print("02:00:" + ":".join(f"{x:02x}" for x in b))' "${cidr%/*}")
  ip -n "$ns" tuntap add dev vmk0 mode tap
  ip -n "$ns" link set vmk0 address "$mac"
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
  for ns in "$NS_A" "$NS_B"; do ip netns delete "$ns"; done
  NAMESPACES=()
}

# check ARGS... : check_capture.py on the raw capture; its summary goes to stderr.
check() {
  "$PYTHON" "$TOOLS/check_capture.py" "$WORK/capture.pcap" "$@" >&2 ||
    die "the capture does not match its scenario"
}

# capture_start [NS IFACE] : tcpdump into $WORK/capture.pcap (host A's trunk port by default); its
# pid in TCPDUMP_PID.
capture_start() {
  rm -f "$WORK/capture.pcap"
  start_bg "$WORK/tcpdump.log" ip netns exec "${1:-$NS_A}" tcpdump -i "${2:-uplink0}" -nn --immediate-mode \
    -s 65535 -B 65536 -Z root -U -w "$WORK/capture.pcap"
  TCPDUMP_PID=$LAST_PID
  wait_for "tcpdump to listen" file_has "$WORK/tcpdump.log" "listening on"
}

# capture_stop : once the connections between the hosts closed, stops tcpdump; dies if it lost packets.
capture_stop() {
  wait_for "the TCP connections to close" tcp_quiet "$NS_A" "$NS_B"
  sleep 0.3   # let tcpdump write the final ACK
  stop_bg "$TCPDUMP_PID" INT || true
  file_has "$WORK/tcpdump.log" "^0 packets dropped by kernel" ||
    die "tcpdump lost packets: $(tr '\n' ' ' <"$WORK/tcpdump.log")"
}

# publish NAME DESCRIPTION FLOW ALERT [EVENT] : $WORK/capture.pcap as $SAMPLES/NAME/capture.pcap and
# its expect.yaml (format of samples/README.md). FLOW, ALERT and EVENT are one YAML mapping each, or
# empty for none; the events section is written only when EVENT is given (even empty).
# PUBLISH_MAX_BYTES raises the size limit (MAX_CAPTURE_BYTES) for one sample.
publish() {
  local dir=$SAMPLES/$1 size max=${PUBLISH_MAX_BYTES:-$MAX_CAPTURE_BYTES}
  size=$(stat -c %s "$WORK/capture.pcap")
  ((size <= max)) || die "$1: capture is $size bytes, over $max"
  [[ $2 != *': '* && $2 != *' #'* && $2 =~ ^[A-Za-z] ]] || die "$1: not a plain YAML scalar: $2"
  mkdir -p "$dir"
  rm -f "$dir"/capture.pcap "$dir"/capture.pcapng "$dir"/capture.pcap.gz "$dir"/expect.yaml
  cp "$WORK/capture.pcap" "$dir/capture.pcap"
  {
    printf 'description: %s\n' "$2"
    if [[ -n $3 ]]; then
      printf 'migrationFlows:         # migration flows (by their final record) per protocol and verdict\n'
      printf '  - %s\n' "$3"
    else
      printf 'migrationFlows: []      # migration flows (by their final record) per protocol and verdict\n'
    fi
    if [[ -n $4 ]]; then
      printf 'alerts:                 # exactly these alerts, nothing else\n  - %s\n' "$4"
    else
      printf 'alerts: []              # exactly these alerts, nothing else\n'
    fi
    if (($# >= 5)); then
      if [[ -n $5 ]]; then
        printf 'events:                 # exactly these migration events (protocol, worst verdict, streams)\n'
        printf '  - %s\n' "$5"
      else
        printf 'events: []              # exactly these migration events (protocol, worst verdict, streams)\n'
      fi
    fi
  } >"$dir/expect.yaml"
  log "$1: wrote capture.pcap ($size bytes)"
}
