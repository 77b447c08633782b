#!/usr/bin/env bash
# qemu-loopback-variants.sh — real QEMU live migrations over one host's loopback, one per QEMU
# migration feature, each captured as a user checking migaudit on one machine would capture it
# (tcpdump on lo, default snap length) and replayed against a policy that trusts the loopback:
#
#   sudo tools/samples/qemu-loopback-variants.sh [variant...]     # default: all of them
#   tools/samples/qemu-loopback-variants.sh --list
#
# Prints one line per variant: the migration flows (protocol, verdict) and the alerts. Variant
# unlisted-host-live migrates to 127.0.0.9, a host its live capture's policy does not name, on 4444,
# which no catalog lists, and also runs the live agent's capture path on lo (FollowProbe.java: its
# filter and follower, no Kafka): its line adds the payload bytes the live capture's record holds
# against tcpdump's. Nothing is
# written into the repository; KEEP_WORK=1 keeps the captures. Each migration runs in a network
# namespace of its own (its loopback only), between two qemu-system-x86_64 processes as in
# qemu-scenarios.sh: a paused 64 MiB pc-i440fx-7.2 guest under TCG whose RAM holds GPL-3, bash and
# glibc, driven over QMP by qmp.py, to tcp:127.0.0.1:4444 (or [::1]:4444). Needs root,
# qemu-system-x86, tcpdump, iproute2, openssl, python3, and ./migaudit (built on first use).
set -euo pipefail

TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TOOLS/../.." && pwd)
readonly TOOLS REPO
readonly RUN_ID=ma-qv-$$
readonly PYTHON=${PYTHON:-python3}
readonly DEADLINE_SECONDS=30
readonly PORT=4444
readonly RECOVER_PORT=4445   # where the destination listens again in a postcopy recovery
readonly VARIANTS=(plain ipv6 any-interface snaplen-65535 multifd-none multifd-zstd compress
  xbzrle tls tls-multifd postcopy-preempt unlisted-host-live postcopy-preempt-running
  postcopy-unswitched postcopy-recover postcopy-preempt-recover)

WORK="" NS_A="" NS_B="" ADDR_A="" ADDR_B="" LAST_PID=""
NAMESPACES=() PIDS=()

log() { printf 'qemu-loopback-variants: %s\n' "$*" >&2; }
source "$TOOLS/lib.sh"
# make_qemu_pki, the certificates of the qemu-* samples (only functions and settings are defined)
source "$TOOLS/qemu-scenarios.sh"

# The loopback is trusted and a migration network: what is left to judge is the content.
write_policy() {
  cat >"$WORK/policy.yaml" <<'EOF'
encryption: required
migrationNetworks:
  - name: loopback
    cidrs: [127.0.0.0/8, "::1/128"]
trustedHosts: [127.0.0.0/8, "::1"]
EOF
}

qemu_in_ns() {
  local name=$1
  shift
  start_bg "$WORK/qemu-$name.log" ip netns exec "$NS_A" qemu-system-x86_64 \
    -machine pc-i440fx-7.2 -accel tcg -nodefaults -display none -S -m 64 \
    -device "loader,file=/usr/share/common-licenses/GPL-3,addr=0x100000,force-raw=on" \
    -device "loader,file=$(command -v bash),addr=0x110000,force-raw=on" \
    -device "loader,file=/usr/lib/x86_64-linux-gnu/libc.so.6,addr=0x300000,force-raw=on" \
    -qmp "unix:$WORK/$name.qmp,server=on,wait=off" "$@"
  wait_for "QEMU ($name) to open its QMP socket" test -S "$WORK/$name.qmp"
}

# variant NAME : one migration, captured into $WORK/NAME.pcap.
variant() {
  local name=$1 host=127.0.0.1 iface=lo snap=0 options=() migrate=() src=() dst=() tcpdump
  local live="" probe="" recover=""
  case $name in
    plain) ;;
    ipv6) host='[::1]' ;;
    any-interface) iface=any ;;
    snaplen-65535) snap=65535 ;;   # the agent's default before b041f6a
    multifd-none) options=(--capability multifd --parameter multifd-channels=3) ;;
    multifd-zstd)
      options=(--capability multifd --parameter multifd-channels=4 --parameter multifd-compression=zstd) ;;
    compress) options=(--capability compress) ;;
    xbzrle) options=(--capability xbzrle) ;;
    tls | tls-multifd)
      src=(-object "tls-creds-x509,id=tls0,dir=$WORK/pki/client,endpoint=client")
      dst=(-object "tls-creds-x509,id=tls0,dir=$WORK/pki/server,endpoint=server,verify-peer=on")
      options=(--parameter tls-creds=tls0)
      [[ $name == tls ]] || options+=(--capability multifd --parameter multifd-channels=2) ;;
    postcopy-preempt)
      options=(--capability postcopy-ram --capability postcopy-preempt)
      migrate=(--parameter max-bandwidth=1048576 --postcopy-after 0.8) ;;
    unlisted-host-live) host=127.0.0.9 live=1 ;;
    postcopy-unswitched)
      # the capabilities but no switch: the migration ends in precopy and the preempt channel,
      # opened at the start, carries nothing
      options=(--capability postcopy-ram --capability postcopy-preempt) ;;
    postcopy-preempt-running)
      # the guest runs, so the destination asks for the pages it touches after the switch and the
      # source sends them on the preempt channel
      options=(--capability postcopy-ram --capability postcopy-preempt)
      migrate=(--parameter max-bandwidth=1048576 --parameter max-postcopy-bandwidth=262144
        --postcopy-after 2 --run-guest)
      make_dirtying_disk "$WORK/disk-source.img"
      cp "$WORK/disk-source.img" "$WORK/disk-destination.img"
      src=(-drive "file=$WORK/disk-source.img,format=raw,if=ide")
      dst=(-drive "file=$WORK/disk-destination.img,format=raw,if=ide") ;;
    postcopy-recover | postcopy-preempt-recover)
      # postcopy-preempt-running, broken 1 s after the switch (migrate-pause, as a network failure
      # would) and resumed on a new listener: the new main channel starts with a command, not QEVM
      options=(--capability postcopy-ram)
      [[ $name == postcopy-recover ]] || options+=(--capability postcopy-preempt)
      migrate=(--parameter max-bandwidth=1048576 --parameter max-postcopy-bandwidth=262144
        --postcopy-after 2 --pause-after 1 --run-guest)
      recover=tcp:$host:$RECOVER_PORT
      make_dirtying_disk "$WORK/disk-source.img"
      cp "$WORK/disk-source.img" "$WORK/disk-destination.img"
      src=(-drive "file=$WORK/disk-source.img,format=raw,if=ide")
      dst=(-drive "file=$WORK/disk-destination.img,format=raw,if=ide") ;;
    *) die "unknown variant: $name" ;;
  esac
  NS_A=$RUN_ID-$name
  ip netns add "$NS_A"
  NAMESPACES+=("$NS_A")
  ip -n "$NS_A" link set lo up
  rm -f "$WORK"/*.qmp
  qemu_in_ns destination -incoming defer "${dst[@]}"
  qemu_in_ns source "${src[@]}"
  start_bg "$WORK/tcpdump-$name.log" ip netns exec "$NS_A" tcpdump -i "$iface" -nn \
    --immediate-mode -s "$snap" -B 65536 -Z root -U -w "$WORK/$name.pcap" "tcp port $PORT or tcp port $RECOVER_PORT"
  tcpdump=$LAST_PID
  wait_for "tcpdump to listen" file_has "$WORK/tcpdump-$name.log" "listening on"
  if [[ -n $live ]]; then
    start_bg "$WORK/probe-$name.log" ip netns exec "$NS_A" java \
      -cp "$REPO/capture-agent/target/classes:$REPO/flow-record/target/classes:$REPO/cli/target/lib/*" \
      "$TOOLS/FollowProbe.java" lo "$WORK/$name.live" 127.0.0.1 127.0.0.2
    probe=$LAST_PID
    wait_for "the live capture to start" file_has "$WORK/probe-$name.log" "^ready"
  fi
  "$PYTHON" "$TOOLS/qmp.py" "$WORK/destination.qmp" incoming "tcp:$host:$PORT" "${options[@]}" ||
    die "$name: migrate-incoming failed"
  wait_for "the destination to listen on $PORT" listening "$NS_A" "$PORT"
  "$PYTHON" "$TOOLS/qmp.py" "$WORK/source.qmp" migrate "tcp:$host:$PORT" "${options[@]}" \
    "${migrate[@]}" 2>"$WORK/migrate-$name.log" || die "$name: $(cat "$WORK/migrate-$name.log")"
  if [[ -n $recover ]]; then
    "$PYTHON" "$TOOLS/qmp.py" "$WORK/destination.qmp" recover "$recover" ||
      die "$name: migrate-recover failed"
    wait_for "the destination to listen on $RECOVER_PORT" listening "$NS_A" "$RECOVER_PORT"
    "$PYTHON" "$TOOLS/qmp.py" "$WORK/source.qmp" resume "$recover" \
      2>>"$WORK/migrate-$name.log" || die "$name: $(cat "$WORK/migrate-$name.log")"
  fi
  "$PYTHON" "$TOOLS/qmp.py" "$WORK/destination.qmp" wait-incoming || die "$name: not received"
  "$PYTHON" "$TOOLS/qmp.py" "$WORK/source.qmp" quit
  "$PYTHON" "$TOOLS/qmp.py" "$WORK/destination.qmp" quit
  wait_for "the connections to close" tcp_quiet "$NS_A"
  sleep 0.3
  stop_bg "$tcpdump" INT || true
  [[ -z $probe ]] || stop_bg "$probe" TERM || true
  file_has "$WORK/tcpdump-$name.log" "^0 packets dropped by kernel" ||
    die "$name: tcpdump lost packets: $(tr '\n' ' ' <"$WORK/tcpdump-$name.log")"
  for pid in "${PIDS[@]}"; do stop_bg "$pid" || true; done
  ip netns delete "$NS_A"
  NAMESPACES=()
}

# report NAME : replay the capture and print its flows and alerts on one line.
report() {
  local name=$1
  "$REPO/migaudit" replay --policy "$WORK/policy.yaml" --flows "$WORK/$name.flows" \
    --alerts "$WORK/$name.alerts" "$WORK/$name.pcap" >"$WORK/replay-$name.log" 2>&1 ||
    die "$name: replay failed: $(tail -3 "$WORK/replay-$name.log")"
  "$PYTHON" - "$name" "$WORK/$name.flows" "$WORK/$name.alerts" "$WORK/replay-$name.log" <<'EOF'
import collections, json, sys
from datetime import datetime
name, flows, alerts, log = sys.argv[1:]
last = [r for r in map(json.loads, open(flows)) if r.get("last")]
def kind(r):
    label = f"{r.get('protocol') or 'not a migration'} {(r.get('payload') or {}).get('verdict')}"
    if r.get("protocol"):
        return label
    carried = sum(r[d]["payloadBytes"] for d in ("srcToDst", "dstToSrc") if r.get(d))
    return f"{label} ({carried} payload bytes)"
kinds = collections.Counter(map(kind, last))
rules = collections.Counter(json.loads(a)["rule"] for a in open(alerts))
cut = [l.strip() for l in open(log) if "cut" in l and "warning" in l]
live = ""
try:
    def migration(path):
        final = [r for r in map(json.loads, open(path)) if r.get("last") and r.get("dstPort") == 4444]
        return final[0] if final else None
    seen, wire = migration(flows.replace(".flows", ".live")), migration(flows)
    if wire:
        got = seen["srcToDst"]["payloadBytes"] if seen else 0
        sig = (seen or {}).get("payload", {}).get("signature")
        verdict = (seen or {}).get("payload", {}).get("verdict")
        gap = ((seen or {}).get("stream") or {}).get("gapBytes")
        lasted = (datetime.fromisoformat(wire["lastSeen"].replace("Z", "+00:00"))
                  - datetime.fromisoformat(wire["firstSeen"].replace("Z", "+00:00")))
        live = (f" | live capture: {got} of {wire['srcToDst']['payloadBytes']} payload bytes"
                f" (a gap of {gap} after the opening), {sig} {verdict};"
                f" the migration lasted {lasted.total_seconds() * 1000:.0f} ms")
except FileNotFoundError:
    pass
print(f"{name:18} {len(last)} flow(s): " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
      + " | alerts: " + (", ".join(f"{n} {k}" for k, n in sorted(rules.items())) or "none")
      + (" | snap length cut segments" if cut else "") + live)
EOF
}

main() {
  local name selected=() missing=()
  case ${1:-} in
    --list) printf '%s\n' "${VARIANTS[@]}"; return 0 ;;
    -h | --help) sed -n '2,14p' "$0"; return 0 ;;
  esac
  if (($#)); then selected=("$@"); else selected=("${VARIANTS[@]}"); fi
  ((EUID == 0)) || die "needs root for network namespaces and capture"
  for name in ip tcpdump openssl qemu-system-x86_64 "$PYTHON"; do
    command -v "$name" >/dev/null || missing+=("$name")
  done
  ((${#missing[@]} == 0)) || die "missing tools: ${missing[*]}"
  WORK=$(mktemp -d "/tmp/$RUN_ID.XXXXXX")
  [[ -z ${KEEP_WORK:-} ]] || log "work directory: $WORK"
  write_policy
  make_qemu_pki 127.0.0.1
  "$REPO/migaudit" --version >/dev/null # builds what the replays and FollowProbe.java run
  log "QEMU: $(qemu-system-x86_64 --version | head -1)"
  for name in "${selected[@]}"; do
    variant "$name"
    report "$name"
  done
}

main "$@"
