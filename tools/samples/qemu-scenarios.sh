# qemu-scenarios.sh — the QEMU live-migration scenarios of make-samples.sh (sourced by it; uses its
# hosts, capture, publish and expect functions).
#
# Each scenario runs a real live migration between two qemu-system-x86_64 processes: the source
# in host A (192.168.50.11), the destination in host B (192.168.50.12) started with
# `-incoming defer`, both driven over QMP by qmp.py; VLAN 50 on the trunk, as the vMotion-style
# samples. The guest runs no OS: a paused (-S) 64 MiB pc machine under TCG (no KVM needed) whose
# RAM holds real files put there by `-device loader` (text, ELF code, a shared library), so the
# stream carries realistic non-zero pages among zero pages. The capture is cut with
# trim_capture.py to the first QEMU_KEEP_BYTES of each connection (plus its FINs), as a sensor
# that keeps the start of a long transfer would; QEMU's own byte counts go to the log.
#
# Needs, on top of make-samples.sh's packages: qemu-system-x86 (and, for qemu-ssh-tunnel,
# openssh-server and openssh-client).

readonly QEMU_PORT=49152
readonly QEMU_SRC=192.168.50.11/24
readonly QEMU_DST=192.168.50.12/24
readonly QEMU_MACHINE=pc-i440fx-7.2
readonly QEMU_RAM_MIB=64
# Payload bytes kept per connection direction: the verdict must come within the first 256 KiB.
readonly QEMU_KEEP_BYTES=81920
readonly QEMU_MAX_CAPTURE_BYTES=327680
# Migration bandwidth cap (bytes/s): the userspace tagging switch keeps up without drops.
readonly QEMU_MAX_BANDWIDTH=8388608
# QEMU's source ports come from the ephemeral range, which covers 49152-49215: keep them below.
readonly QEMU_SOURCE_PORTS="41011 41019"
readonly QEMU_HEADS_PLAIN=(--starts-with 5145564d --starts-with 11223344)   # QEVM, multifd magic

# The guest's RAM content: real files at fixed guest-physical addresses (page-aligned, apart).
qemu_guest_files() {
  cat /usr/share/common-licenses/GPL-3 >"$WORK/guest-gpl.txt"
  cat /usr/share/common-licenses/{GPL-2,LGPL-2.1,Apache-2.0,MPL-2.0,GFDL-1.3} >"$WORK/guest-licenses.txt"
  QEMU_LOADERS=(
    "$WORK/guest-gpl.txt"@0x100000
    "$(command -v bash)"@0x110000
    /usr/lib/x86_64-linux-gnu/libc.so.6@0x300000
    "$WORK/guest-licenses.txt"@0x600000
  )
}

# make_dirtying_disk FILE : a raw disk whose boot sector keeps writing to 128 guest pages, so a
# guest resumed with `cont` boots it (SeaBIOS) and dirties memory for as long as it runs. Postcopy
# then discards those pages on the destination, whose guest asks for each as it touches it. The
# code, 16-bit, loaded at 0x7c00 (GNU as; the bytes below are its `objcopy -O binary`):
#   cli; xor %ax,%ax; mov %ax,%ss; mov $0x7c00,%sp
#   outer: mov $0x1000,%bx
#   pages: mov %bx,%es; incw %es:0; add $0x100,%bx; cmp $0x9000,%bx; jb pages; jmp outer
# (a counter at the start of each 4 KiB page from 0x10000 to 0x8ffff).
make_dirtying_disk() {
  local file=$1
  "$PYTHON" - "$file" <<'EOF_DISK'
import sys
code = bytes.fromhex("fa31c08ed0bc007cbb00108ec326ff06000081c3000181fb009072efebea")
sector = code + bytes(510 - len(code)) + b"\x55\xaa"
with open(sys.argv[1], "wb") as f:
    f.write(sector + bytes(1024 * 1024 - len(sector)))
EOF_DISK
}

# qemu_start NS NAME EXTRA_ARGS... : a paused guest in NS, QMP on $WORK/NAME.qmp.
qemu_start() {
  local ns=$1 name=$2 loader args=()
  shift 2
  for loader in "${QEMU_LOADERS[@]}"; do
    args+=(-device "loader,file=${loader%@*},addr=${loader#*@},force-raw=on")
  done
  start_bg /dev/null /dev/null "$WORK/qemu-$name.log" ip netns exec "$ns" qemu-system-x86_64 \
    -machine "$QEMU_MACHINE" -accel tcg -nodefaults -display none -S -m "$QEMU_RAM_MIB" \
    "${args[@]}" -qmp "unix:$WORK/$name.qmp,server=on,wait=off" "$@"
  wait_for "QEMU ($name) to open its QMP socket" test -S "$WORK/$name.qmp"
}

qmp() { "$PYTHON" "$TOOLS/qmp.py" "$@" || die "QMP $2 failed: $(cat "$WORK"/qemu-*.log)"; }

# make_qemu_pki [IP] : a CA, a server certificate for IP (default 192.168.50.12, host B) and a client
# certificate, laid out as QEMU's tls-creds-x509 wants them (ca-cert.pem, server-cert.pem/-key.pem,
# client-...), under $WORK/pki.
make_qemu_pki() {
  local pki=$WORK/pki role usage ip=${1:-${QEMU_DST%/*}}
  mkdir -p "$pki/server" "$pki/client"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj "/CN=migaudit sample migration CA" -keyout "$pki/ca-key.pem" -out "$pki/ca-cert.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
  for role in server client; do
    usage=$([[ $role == server ]] && echo serverAuth || echo clientAuth)
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -subj "/CN=$role.sample.invalid" -keyout "$pki/$role/$role-key.pem" -out "$pki/$role.csr" \
      2>/dev/null
    printf '%s\n' "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=$usage" \
      "subjectAltName=IP:$ip" >"$pki/$role.ext"
    openssl x509 -req -in "$pki/$role.csr" -CA "$pki/ca-cert.pem" -CAkey "$pki/ca-key.pem" \
      -CAcreateserial -days 30 -extfile "$pki/$role.ext" -out "$pki/$role/$role-cert.pem" 2>/dev/null
    cp "$pki/ca-cert.pem" "$pki/$role/"
  done
}

# qemu_migration [--port N] [--tls] [--capability NAME]... [--parameter NAME=VALUE]... : one
# migration from host A to host B on TCP 49152 (or N), captured on the trunk, QMP options applied
# to both sides. With QEMU_VXLAN_MTU set, the hosts' addresses on the trunk are VXLAN tunnel
# endpoints (QEMU_VTEP_A, QEMU_VTEP_B) and the migration addresses sit on a kernel VXLAN device of
# that MTU (qemu_vxlan_up): the trunk carries the migration inside VXLAN.
qemu_migration() {
  local tls=0 options=() port=$QEMU_PORT uri src_extra=() dst_extra=()
  if [[ ${1:-} == --port ]]; then
    port=$2
    shift 2
  fi
  uri=tcp:${QEMU_DST%/*}:$port
  if [[ ${1:-} == --tls ]]; then
    tls=1
    shift
  fi
  options=("$@" --parameter "max-bandwidth=$QEMU_MAX_BANDWIDTH")
  qemu_guest_files
  if [[ -n ${QEMU_VXLAN_MTU:-} ]]; then
    hosts_up 50 "$QEMU_VTEP_A" "$QEMU_VTEP_B"
    qemu_vxlan_up "$NS_A" "$QEMU_VTEP_A" "$QEMU_VTEP_B" "$QEMU_SRC"
    qemu_vxlan_up "$NS_B" "$QEMU_VTEP_B" "$QEMU_VTEP_A" "$QEMU_DST"
  else
    hosts_up 50 "$QEMU_SRC" "$QEMU_DST"
  fi
  ip netns exec "$NS_A" sysctl -qw net.ipv4.ip_local_port_range="$QEMU_SOURCE_PORTS"
  if ((tls)); then
    make_qemu_pki
    dst_extra=(-object "tls-creds-x509,id=tls0,dir=$WORK/pki/server,endpoint=server,verify-peer=on")
    src_extra=(-object "tls-creds-x509,id=tls0,dir=$WORK/pki/client,endpoint=client")
    options+=(--parameter tls-creds=tls0)
  fi
  qemu_start "$NS_B" destination -incoming defer "${dst_extra[@]}"
  qemu_start "$NS_A" source "${src_extra[@]}"
  capture_start
  qmp "$WORK/destination.qmp" incoming "$uri" "${options[@]}"
  wait_for "the destination to listen on $port" listening "$NS_B" "$port"
  qmp "$WORK/source.qmp" migrate "$uri" "${options[@]}"
  qmp "$WORK/destination.qmp" wait-incoming
  qemu_quit
  capture_stop
  hosts_down
}

# qemu-vxlan*: the VXLAN overlay of qemu_migration with QEMU_VXLAN_MTU, VNI QEMU_VXLAN_VNI on UDP
# port QEMU_VXLAN_PORT between tunnel endpoints on the trunk (still tagged VLAN 50 by the tagging
# switch). QEMU_VXLAN_VNI is 5000, the segment the samples' vmotion network names; a scenario that
# puts the migration on another segment sets it (`local`) around both qemu_migration and
# qemu_vxlan_publish. QEMU_VXLAN_PORT is 4789 (IANA's) and set the same way; empty, the devices are
# made without `dstport` and use the kernel's default, which must be VXLAN_LINUX_PORT (8472, the
# vxlan module's udp_port; iproute2 warns it is non-standard), and the checks expect that port.
# Set here, not taken from the environment: the committed samples keep their VNI and port.
readonly QEMU_VTEP_A=10.20.0.1/24
readonly QEMU_VTEP_B=10.20.0.2/24
QEMU_VXLAN_VNI=5000
QEMU_VXLAN_PORT=4789
readonly VXLAN_LINUX_PORT=8472
readonly VXLAN_HEADROOM=50   # outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14

# qemu_vxlan_port : the UDP port the VXLAN devices send to, QEMU_VXLAN_PORT or the kernel's default.
qemu_vxlan_port() { echo "${QEMU_VXLAN_PORT:-$VXLAN_LINUX_PORT}"; }

# qemu_vxlan_up NS LOCAL/PREFIX REMOTE/PREFIX ADDR/PREFIX : a kernel VXLAN device vx0 in NS from
# the tunnel endpoint LOCAL (on vmk0) to REMOTE, VNI QEMU_VXLAN_VNI, MTU QEMU_VXLAN_MTU, UDP port
# QEMU_VXLAN_PORT (none given when empty: the kernel's default), holding ADDR (its MAC derived from
# ADDR as host_up's are).
qemu_vxlan_up() {
  local ns=$1 local=${2%/*} remote=${3%/*} cidr=$4 lower=(dev vmk0) underlay port=()
  [[ -z $QEMU_VXLAN_PORT ]] || port=(dstport "$QEMU_VXLAN_PORT")
  underlay=$(ip netns exec "$ns" cat /sys/class/net/vmk0/mtu)
  # The kernel caps a VXLAN device bound to a lower device at that device's MTU less the outer
  # headers, silently at creation (and `ip link set mtu` above it fails): a larger MTU, the
  # misconfiguration of qemu-vxlan-fragmented, needs a device that finds its underlay by the route.
  ((QEMU_VXLAN_MTU <= underlay - VXLAN_HEADROOM)) || lower=()
  ip -n "$ns" link add vx0 mtu "$QEMU_VXLAN_MTU" type vxlan id "$QEMU_VXLAN_VNI" \
    "${port[@]}" local "$local" remote "$remote" "${lower[@]}"
  ip -n "$ns" link set vx0 address "$(mac_for "${cidr%/*}")"
  ip -n "$ns" addr add "$cidr" dev vx0
  ip -n "$ns" link set vx0 up
  [[ $(ip -n "$ns" -o link show vx0) == *" mtu $QEMU_VXLAN_MTU "* ]] ||
    die "vx0 in $ns did not take MTU $QEMU_VXLAN_MTU: $(ip -n "$ns" -o link show vx0)"
  [[ $(ip -n "$ns" -d -o link show vx0) == *" vxlan id $QEMU_VXLAN_VNI "* ]] ||
    die "vx0 in $ns is not VNI $QEMU_VXLAN_VNI: $(ip -n "$ns" -d -o link show vx0)"
  [[ $(ip -n "$ns" -d -o link show vx0) == *" dstport $(qemu_vxlan_port) "* ]] ||
    die "vx0 in $ns is not on UDP $(qemu_vxlan_port): $(ip -n "$ns" -d -o link show vx0)"
}

qemu_quit() {
  local pid
  qmp "$WORK/source.qmp" quit
  qmp "$WORK/destination.qmp" quit
  for pid in "${PIDS[@]}"; do
    if [[ $(ps -o comm= -p "$pid" 2>/dev/null) == qemu-system-* ]]; then
      wait_exit "$pid" || die "QEMU exited with an error: $(cat "$WORK"/qemu-*.log)"
    fi
  done
}

# qemu_publish [--untagged] NAME CHECK_ARGS... : trim the capture, check it (VLAN 50, or no tag),
# write it as NAME. QEMU_KEEP and QEMU_MAX_CAPTURE, when set, replace QEMU_KEEP_BYTES and
# QEMU_MAX_CAPTURE_BYTES.
qemu_publish() {
  local tags=(--vlan 50)
  if [[ $1 == --untagged ]]; then
    tags=(--untagged)
    shift
  fi
  local name=$1
  shift
  check_capture "$CAPTURE" "${tags[@]}" "$@"
  "$PYTHON" "$TOOLS/trim_capture.py" "$CAPTURE" "$WORK/trimmed.pcap" \
    --keep-bytes "${QEMU_KEEP:-$QEMU_KEEP_BYTES}"
  mv "$WORK/trimmed.pcap" "$CAPTURE"
  check_capture "$CAPTURE" "${tags[@]}" --cut "$@"
  publish "$name" pcap "${QEMU_MAX_CAPTURE:-$QEMU_MAX_CAPTURE_BYTES}" --cut
}

scenario_qemu_plaintext() {
  qemu_migration
  qemu_publish qemu-plaintext --tcp "$ADDR_A" "$ADDR_B" "$QEMU_PORT" "${QEMU_HEADS_PLAIN[@]}" \
    --require arp
  expect qemu-plaintext \
    "Real QEMU live migration over plain TCP 49152 (main channel starts QEVM) between the trusted hosts on VLAN 50." \
    '{protocol: qemu, verdict: plaintext, count: 1}' "$UNENCRYPTED"
}

# qemu-unlisted-port: the plain migration to TCP 5000, a port no catalog lists (QEMU migrates to
# any tcp:host:port): the QEVM signature, not the port, makes it a migration.
readonly QEMU_UNLISTED_PORT=5000
scenario_qemu_unlisted_port() {
  qemu_migration --port "$QEMU_UNLISTED_PORT"
  qemu_publish qemu-unlisted-port --tcp "$ADDR_A" "$ADDR_B" "$QEMU_UNLISTED_PORT" \
    "${QEMU_HEADS_PLAIN[@]}" --require arp
  expect qemu-unlisted-port \
    "Real QEMU live migration over plain TCP 5000, a port no catalog lists, between the trusted hosts on VLAN 50; the QEVM signature makes it a migration." \
    '{protocol: qemu, verdict: plaintext, count: 1}' "$UNENCRYPTED"
}

scenario_qemu_tls() {
  qemu_migration --tls
  qemu_publish qemu-tls --tcp "$ADDR_A" "$ADDR_B" "$QEMU_PORT" --payload tls --require arp
  expect qemu-tls \
    "Real QEMU live migration with QEMU's native TLS (tls-creds-x509) on TCP 49152 between the trusted hosts on VLAN 50; nothing to report." \
    '{protocol: qemu, verdict: encrypted, count: 1}' ""
}

# qemu_multifd COMPRESSION : main channel + 2 multifd channels, all to 49152.
qemu_multifd() {
  local method=$1 name=qemu-multifd-$1
  qemu_migration --capability multifd --parameter multifd-channels=2 \
    --parameter "multifd-compression=$method"
  qemu_publish "$name" --tcp "$ADDR_A" "$ADDR_B" "$QEMU_PORT" --connections 3 \
    "${QEMU_HEADS_PLAIN[@]}" --require arp
  expect "$name" \
    "Real QEMU multifd live migration with $method compression and no TLS on TCP 49152 (main channel and two multifd channels) between the trusted hosts on VLAN 50." \
    '{protocol: qemu, verdict: plaintext, count: 1}|{protocol: qemu, verdict: compressed, count: 2}' \
    '{rule: UNENCRYPTED_MIGRATION, severity: critical, count: 3}'
}

scenario_qemu_multifd_zlib() { qemu_multifd zlib; }
scenario_qemu_multifd_zstd() { qemu_multifd zstd; }

# qemu-ssh-tunnel: the migration stream rides an SSH port forward (ssh -L) from host A to host B's
# sshd; both QEMUs use only their own loopback, so the trunk carries one SSH connection on 22.
scenario_qemu_ssh_tunnel() {
  local ssh=$WORK/ssh uri=tcp:127.0.0.1:$QEMU_PORT options=(--parameter "max-bandwidth=$QEMU_MAX_BANDWIDTH")
  mkdir -p "$ssh" /run/sshd   # /run/sshd: sshd's privilege separation directory
  ssh-keygen -q -t ed25519 -N '' -C migration-host-b -f "$ssh/host_key"
  ssh-keygen -q -t ed25519 -N '' -C migration-host-a -f "$ssh/client_key"
  cp "$ssh/client_key.pub" "$ssh/authorized_keys"
  printf '%s %s\n' "${QEMU_DST%/*}" "$(cut -d' ' -f1,2 "$ssh/host_key.pub")" >"$ssh/known_hosts"
  qemu_guest_files
  hosts_up 50 "$QEMU_SRC" "$QEMU_DST"
  ip netns exec "$NS_A" sysctl -qw net.ipv4.ip_local_port_range="$QEMU_SOURCE_PORTS"
  start_bg /dev/null /dev/null "$WORK/sshd.log" ip netns exec "$NS_B" "$(command -v sshd)" -D -e \
    -f /dev/null -h "$ssh/host_key" -o ListenAddress="$ADDR_B" -o AuthorizedKeysFile="$ssh/authorized_keys" \
    -o PermitRootLogin=prohibit-password -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no \
    -o UsePAM=no -o StrictModes=no -o PidFile=none -o AllowTcpForwarding=local
  wait_for "sshd in host B" listening "$NS_B" 22
  qemu_start "$NS_B" destination -incoming defer
  qemu_start "$NS_A" source
  capture_start
  qmp "$WORK/destination.qmp" incoming "$uri" "${options[@]}"
  start_bg /dev/null /dev/null "$WORK/ssh.log" ip netns exec "$NS_A" ssh -F /dev/null -N -T \
    -i "$ssh/client_key" -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile="$ssh/known_hosts" \
    -o StrictHostKeyChecking=yes -o ExitOnForwardFailure=yes -b "$ADDR_A" \
    -L "127.0.0.1:$QEMU_PORT:127.0.0.1:$QEMU_PORT" "root@$ADDR_B"
  local tunnel=$LAST_PID
  wait_for "the SSH tunnel in host A" listening "$NS_A" "$QEMU_PORT"
  qmp "$WORK/source.qmp" migrate "$uri" "${options[@]}"
  qmp "$WORK/destination.qmp" wait-incoming
  qemu_quit
  stop_pid "$tunnel"
  capture_stop
  hosts_down
  qemu_publish qemu-ssh-tunnel --tcp "$ADDR_A" "$ADDR_B" 22 --starts-with 5353482d --require arp
  expect qemu-ssh-tunnel \
    "Real QEMU live migration through an SSH tunnel (ssh -L to sshd on 22) between the trusted hosts on VLAN 50; nothing to report." \
    '{protocol: tunnel-ssh, verdict: encrypted, count: 1}' ""
}

# qemu-loopback: a real QEMU migration inside one host, over its loopback to tcp:127.0.0.1:4444 (the
# port of QEMU's documentation), captured on that host's lo. Neither end is a host of the samples'
# policy and no catalog lists the port: the QEVM signature alone makes it a migration, which the
# untrusted-host rules and NON_DEDICATED_SEGMENT judge (before 4fba6ee it raised nothing).
readonly QEMU_LOOPBACK_PORT=4444
scenario_qemu_loopback() {
  local uri=tcp:127.0.0.1:$QEMU_LOOPBACK_PORT options=(--parameter "max-bandwidth=$QEMU_MAX_BANDWIDTH")
  qemu_guest_files
  hosts_up 50 "$QEMU_SRC" "$QEMU_DST"
  ip netns exec "$NS_A" sysctl -qw net.ipv4.ip_local_port_range="$QEMU_SOURCE_PORTS"
  qemu_start "$NS_A" destination -incoming defer
  qemu_start "$NS_A" source
  CAPTURE_INTERFACE=lo capture_start
  qmp "$WORK/destination.qmp" incoming "$uri" "${options[@]}"
  wait_for "the destination to listen on $QEMU_LOOPBACK_PORT" listening "$NS_A" "$QEMU_LOOPBACK_PORT"
  qmp "$WORK/source.qmp" migrate "$uri" "${options[@]}"
  qmp "$WORK/destination.qmp" wait-incoming
  qemu_quit
  capture_stop
  hosts_down
  qemu_publish --untagged qemu-loopback --tcp 127.0.0.1 127.0.0.1 "$QEMU_LOOPBACK_PORT" \
    --starts-with 5145564d --stations 1
  expect qemu-loopback \
    "Real QEMU live migration inside one host over its loopback to TCP 4444, a port no catalog lists; neither end is a host of the policy, so the QEVM signature alone makes it a migration, in clear, from and to untrusted hosts, off every migration network." \
    '{protocol: qemu, verdict: plaintext, count: 1}' \
    "$UNENCRYPTED|{rule: UNTRUSTED_SOURCE, severity: critical, count: 1}|{rule: UNTRUSTED_DESTINATION, severity: critical, count: 1}|{rule: NON_DEDICATED_SEGMENT, severity: warning, count: 1}"
}

# qemu-postcopy-preempt: the plain migration to TCP 5000 (no catalog lists it) with the postcopy-ram
# and postcopy-preempt capabilities, switched to postcopy after 2 s, the guest running: it boots
# make_dirtying_disk's sector and keeps writing to memory, so precopy (1 MiB/s) does not converge,
# and after the switch (postcopy at 256 KiB/s) the destination asks for the pages its guest
# touches. The source opens a second connection to 5000, the preempt channel, with no magic, and
# sends those pages on it as RAM page records, then the end-of-section word. By the port and the
# hosts that channel was other traffic on the migration network (a false SHARED_MIGRATION_SEGMENT
# before the qemu-postcopy signature); now it is a qemu stream of the same migration, in clear.
scenario_qemu_postcopy_preempt() {
  qemu_postcopy --parameter max-postcopy-bandwidth=262144 --postcopy-after 2 --run-guest
  # the preempt channel's first record: a page offset below 2^32, so its first four bytes are zero
  qemu_publish qemu-postcopy-preempt --tcp "$ADDR_A" "$ADDR_B" "$QEMU_UNLISTED_PORT" \
    --connections 2 --starts-with 5145564d --starts-with 00000000 --require arp
  expect qemu-postcopy-preempt \
    "Real QEMU postcopy live migration with the preempt channel over plain TCP 5000, a port no catalog lists, between the trusted hosts on VLAN 50; the main channel starts QEVM and the preempt channel carries the pages the destination asked for as RAM page records without a magic, both in clear." \
    '{protocol: qemu, verdict: plaintext, count: 2}' \
    "{rule: UNENCRYPTED_MIGRATION, severity: critical, count: 2}"
}

# qemu_postcopy [--to ADDR/PREFIX] [--recover-on PORT] MIGRATE_ARGS... : a migration to TCP 5000
# of host B (QEMU_DST, or ADDR) with postcopy-ram and postcopy-preempt, both QEMUs with
# make_dirtying_disk's disk, precopy at 1 MiB/s. With --recover-on (and a --pause-after among the
# MIGRATE_ARGS) postcopy-ram alone, and the broken migration is recovered on PORT.
qemu_postcopy() {
  local port=$QEMU_UNLISTED_PORT destination=$QEMU_DST recover="" uri options
  options=(--capability postcopy-ram --capability postcopy-preempt)
  if [[ ${1:-} == --to ]]; then
    destination=$2
    shift 2
  fi
  if [[ ${1:-} == --recover-on ]]; then
    recover=tcp:${destination%/*}:$2
    options=(--capability postcopy-ram)
    shift 2
  fi
  uri=tcp:${destination%/*}:$port
  qemu_guest_files
  make_dirtying_disk "$WORK/disk-source.img"
  cp "$WORK/disk-source.img" "$WORK/disk-destination.img"
  hosts_up 50 "$QEMU_SRC" "$destination"
  ip netns exec "$NS_A" sysctl -qw net.ipv4.ip_local_port_range="$QEMU_SOURCE_PORTS"
  qemu_start "$NS_B" destination -incoming defer \
    -drive "file=$WORK/disk-destination.img,format=raw,if=ide"
  qemu_start "$NS_A" source -drive "file=$WORK/disk-source.img,format=raw,if=ide"
  capture_start
  qmp "$WORK/destination.qmp" incoming "$uri" "${options[@]}"
  wait_for "the destination to listen on $port" listening "$NS_B" "$port"
  qmp "$WORK/source.qmp" migrate "$uri" "${options[@]}" --parameter max-bandwidth=1048576 "$@"
  if [[ -n $recover ]]; then
    qmp "$WORK/destination.qmp" recover "$recover"
    wait_for "the destination to listen on ${recover##*:}" listening "$NS_B" "${recover##*:}"
    qmp "$WORK/source.qmp" resume "$recover"
  fi
  qmp "$WORK/destination.qmp" wait-incoming
  qemu_quit
  capture_stop
  hosts_down
}

# qemu-postcopy-unswitched: the same capabilities, the guest paused, and no switch to postcopy: the
# migration ends in precopy, as most migrations that may use postcopy do, and the preempt channel,
# opened at the start, carries nothing at all. Only its listener, that of the main channel, says it
# belongs to the migration (before the analyzer looked for that: a false SHARED_MIGRATION_SEGMENT).
scenario_qemu_postcopy_unswitched() {
  qemu_postcopy
  qemu_publish qemu-postcopy-unswitched --tcp "$ADDR_A" "$ADDR_B" "$QEMU_UNLISTED_PORT" \
    --connections 2 --starts-with 5145564d --starts-with - --require arp
  expect qemu-postcopy-unswitched \
    "Real QEMU live migration with the postcopy-ram and postcopy-preempt capabilities over plain TCP 5000, a port no catalog lists, that ends in precopy; the preempt channel to the same listener carries nothing, and is a channel of the migration all the same." \
    '{protocol: qemu, verdict: plaintext, count: 1}|{protocol: qemu, verdict: unknown, count: 1}' \
    "$UNENCRYPTED"
}

# qemu-postcopy-recovery: a postcopy migration (postcopy-ram, the guest running, switched after
# 2 s) from trusted .11 to 192.168.50.98, a host the policy does not trust, on TCP 5000, broken 1 s
# after the switch (migrate-pause: QEMU shuts its connection down, as a failed link would) and
# recovered: the destination listens again on 5001 (migrate-recover) and the source reconnects
# (migrate with resume) and sends the rest of the RAM on that new main channel, which starts with
# one MIG_CMD_RECV_BITMAP command per RAM block, not QEVM. Before the qemu-postcopy signature named
# it, that channel was other traffic on the migration network: the memory the untrusted host got
# after the failure raised only a SHARED_MIGRATION_SEGMENT warning.
scenario_qemu_postcopy_recovery() {
  qemu_postcopy --to 192.168.50.98/24 --recover-on 5001 --parameter max-postcopy-bandwidth=262144 \
    --postcopy-after 2 --pause-after 1 --run-guest
  qemu_publish qemu-postcopy-recovery --tcp "$ADDR_A" "$ADDR_B" "$QEMU_UNLISTED_PORT,5001" \
    --connections 2 --starts-with 5145564d --starts-with 08000a00 --require arp
  expect qemu-postcopy-recovery \
    "Real QEMU postcopy live migration over plain TCP 5000 from a trusted host to 192.168.50.98, which is not trusted, broken after the switch to postcopy and recovered on TCP 5001; the resumed main channel starts with a request for the received-page bitmap instead of QEVM and carries the rest of the RAM, both channels in clear." \
    '{protocol: qemu, verdict: plaintext, count: 2}' \
    "{rule: UNENCRYPTED_MIGRATION, severity: critical, count: 2}|{rule: UNTRUSTED_DESTINATION, severity: critical, count: 2}"
}

# qemu-http-relay: the plain migration of qemu-plaintext pushed through an HTTP CONNECT relay, as
# `migrate "exec:socat STDIO PROXY:relay:target:port"` does: the source's socat asks
# connect_relay.py on 192.168.50.98:3128 (host B, a host the policy does not trust; no catalog
# lists the port) for 127.0.0.1:4444, where B's QEMU listens, and sends the stream after the
# relay's answer. The trunk carries one connection, .11 -> .98:3128: the request, then QEVM and the
# VM's memory in clear. Before the relay's request was read, that was other traffic on the
# migration network (one SHARED_MIGRATION_SEGMENT warning) and the migration went unseen.
scenario_qemu_http_relay() {
  local relay=3128 options=(--parameter "max-bandwidth=$QEMU_MAX_BANDWIDTH")
  qemu_guest_files
  hosts_up 50 "$QEMU_SRC" 192.168.50.98/24
  ip netns exec "$NS_A" sysctl -qw net.ipv4.ip_local_port_range="$QEMU_SOURCE_PORTS"
  qemu_start "$NS_B" destination -incoming defer
  qemu_start "$NS_A" source
  start_bg /dev/null /dev/null "$WORK/relay.log" ip netns exec "$NS_B" \
    "$PYTHON" "$TOOLS/connect_relay.py" "$ADDR_B:$relay"
  wait_for "the relay to listen on $relay" listening "$NS_B" "$relay"
  capture_start
  qmp "$WORK/destination.qmp" incoming tcp:127.0.0.1:4444 "${options[@]}"
  wait_for "the destination to listen on 4444" listening "$NS_B" 4444
  qmp "$WORK/source.qmp" migrate \
    "exec:socat STDIO PROXY:$ADDR_B:127.0.0.1:4444,proxyport=$relay" "${options[@]}"
  qmp "$WORK/destination.qmp" wait-incoming
  qemu_quit
  capture_stop
  file_has "$WORK/relay.log" "relayed a connection to 127.0.0.1:4444" ||
    die "the relay relayed nothing: $(cat "$WORK/relay.log")"
  hosts_down
  qemu_publish qemu-http-relay --tcp "$ADDR_A" "$ADDR_B" "$relay" --starts-with 434f4e4e \
    --require arp
  expect qemu-http-relay \
    "Real QEMU live migration pushed through an HTTP CONNECT relay on TCP 3128 of 192.168.50.98, a host the policy does not trust; the stream after the request to the relay starts QEVM and carries the VM's memory in clear." \
    '{protocol: qemu, verdict: plaintext, count: 1}' \
    "$UNENCRYPTED|{rule: UNTRUSTED_DESTINATION, severity: critical, count: 1}"
}

# A migration through a tunnel that "encrypts" by XOR with a keystream it starts again every 64 KiB
# (xor_tunnel.py at both ends, TCP 5555 between the trusted hosts): every byte on the wire looks
# random to a histogram, but equal memory 64 KiB apart is equal there too. Kept: 320 KiB of each
# direction, more than the 256 KiB sample.
scenario_qemu_keystream_reuse() {
  local tunnel=5555 options=(--parameter "max-bandwidth=$QEMU_MAX_BANDWIDTH")
  qemu_guest_files
  hosts_up 50 "$QEMU_SRC" "$QEMU_DST"
  ip netns exec "$NS_A" sysctl -qw net.ipv4.ip_local_port_range="$QEMU_SOURCE_PORTS"
  qemu_start "$NS_B" destination -incoming defer
  qemu_start "$NS_A" source
  start_bg /dev/null /dev/null "$WORK/tunnel-exit.log" ip netns exec "$NS_B" \
    "$PYTHON" "$TOOLS/xor_tunnel.py" "$ADDR_B:$tunnel" 127.0.0.1:4444
  start_bg /dev/null /dev/null "$WORK/tunnel-entry.log" ip netns exec "$NS_A" \
    "$PYTHON" "$TOOLS/xor_tunnel.py" 127.0.0.1:4444 "$ADDR_B:$tunnel"
  wait_for "the tunnel's exit to listen on $tunnel" listening "$NS_B" "$tunnel"
  wait_for "the tunnel's entry to listen on 4444" listening "$NS_A" 4444
  capture_start
  qmp "$WORK/destination.qmp" incoming tcp:127.0.0.1:4444 "${options[@]}"
  wait_for "the destination to listen on 4444" listening "$NS_B" 4444
  qmp "$WORK/source.qmp" migrate tcp:127.0.0.1:4444 "${options[@]}"
  qmp "$WORK/destination.qmp" wait-incoming
  qemu_quit
  capture_stop
  file_has "$WORK/tunnel-exit.log" "passed a connection to 127.0.0.1:4444" ||
    die "the tunnel passed nothing: $(cat "$WORK/tunnel-exit.log")"
  hosts_down
  QEMU_KEEP=327680 QEMU_MAX_CAPTURE=425984 qemu_publish qemu-keystream-reuse \
    --tcp "$ADDR_A" "$ADDR_B" "$tunnel" --require arp
  expect qemu-keystream-reuse \
    "Real QEMU live migration between the trusted hosts through a tunnel on TCP 5555 that XORs the stream with a keystream started again every 64 KiB; every byte looks random to a histogram, but equal memory 64 KiB apart is equal on the wire too, so the VM's memory is not encrypted." \
    '{protocol: tcp-bulk, verdict: plaintext, count: 1}' \
    "$UNENCRYPTED"
}

# qemu_wrapped NAME TOOL MODE : the plain QEMU migration of qemu-plaintext (VLAN 50), each frame
# of it then rewritten by tools/samples/TOOL MODE, for links this kernel cannot make (MACsec, an
# MPLS core, RoCE). Sets WRAPPED_FRAMES to the frames tshark reads in the result and WRAPPED_TCP
# to the migration's TCP segments it finds inside them.
WRAPPED_FRAMES=0 WRAPPED_TCP=0
qemu_wrapped() {
  local name=$1 tool=$2 mode=$3 out=$WORK/out/$1
  qemu_migration
  qemu_publish "$name" --tcp "$ADDR_A" "$ADDR_B" "$QEMU_PORT" "${QEMU_HEADS_PLAIN[@]}" --require arp
  "$PYTHON" "$TOOLS/$tool" "$mode" "$out/capture.pcap" "$WORK/wrapped.pcap"
  mv "$WORK/wrapped.pcap" "$out/capture.pcap"
  WRAPPED_FRAMES=$(tshark -r "$out/capture.pcap" 2>/dev/null | wc -l)
  WRAPPED_TCP=$(tshark -r "$out/capture.pcap" -Y "tcp.port == $QEMU_PORT" 2>/dev/null | wc -l)
}

# wrapped_frames NAME FILTER : dies unless tshark's FILTER matches every frame of NAME's capture.
wrapped_frames() {
  (($(tshark -r "$WORK/out/$1/capture.pcap" -Y "$2" 2>/dev/null | wc -l) == WRAPPED_FRAMES)) ||
    die "$1: tshark does not find $2 in every frame"
}

# qemu_macsec NAME MODE : qemu_wrapped by macsec_wrap.py MODE (this kernel has no MACsec links:
# "Unknown device type"), as a MACsec port sends the frames, the VLAN 50 tag inside the secure
# data. tshark must take every frame for MACsec, and read the migration's TCP inside only when the
# frames are not encrypted.
qemu_macsec() {
  local name=$1 mode=$2
  qemu_wrapped "$name" macsec_wrap.py "$mode"
  wrapped_frames "$name" macsec
  if [[ $mode == --encrypt ]]; then
    ((WRAPPED_TCP == 0)) || die "$name: tshark reads $WRAPPED_TCP TCP segments inside encrypted frames"
  else
    ((WRAPPED_TCP > 0)) || die "$name: tshark reads no TCP inside the integrity-only frames"
  fi
}

scenario_qemu_macsec_integrity_only() {
  qemu_macsec qemu-macsec-integrity-only --integrity
  expect qemu-macsec-integrity-only \
    "Real QEMU live migration over plain TCP 49152 between the trusted hosts on VLAN 50, every frame protected by MACsec (IEEE 802.1AE, GCM-AES-128) for integrity only by macsec_wrap.py; the ICV hides nothing and the migration inside is read in clear." \
    '{protocol: qemu, verdict: plaintext, count: 1}' "$UNENCRYPTED"
}

scenario_qemu_macsec_encrypted() {
  qemu_macsec qemu-macsec-encrypted --encrypt
  expect qemu-macsec-encrypted \
    "The same real QEMU migration with every frame encrypted by MACsec (GCM-AES-128) by macsec_wrap.py; nothing inside can be read, so no flow is judged and every frame is counted as MACsec-encrypted." \
    '' ''
  printf 'macsecEncryptedFrames: %d    # frames MACsec encrypted, counted, not judged\n' \
    "$WRAPPED_FRAMES" >>"$WORK/out/qemu-macsec-encrypted/expect.yaml"
}

# qemu_mpls NAME MODE : qemu_wrapped by mpls_wrap.py MODE (this kernel has no MPLS forwarding), as
# a mirror on the provider's link between two MPLS routers sees it; tshark must find a label stack
# in every frame and the migration's TCP inside.
qemu_mpls() {
  qemu_wrapped "$1" mpls_wrap.py "$2"
  wrapped_frames "$1" mpls
  ((WRAPPED_TCP > 0)) || die "$1: tshark reads no TCP inside the label stacks"
}

scenario_qemu_mpls_l3vpn() {
  qemu_mpls qemu-mpls-l3vpn --l3vpn
  expect qemu-mpls-l3vpn \
    "The real QEMU migration of qemu-plaintext carried across an MPLS L3VPN by mpls_wrap.py, as a mirror on the provider link sees it (two labels, no VLAN, TTL one lower); read under its labels, plaintext and routed." \
    '{protocol: qemu, verdict: plaintext, count: 1}' \
    "$UNENCRYPTED|{rule: ROUTED_MIGRATION, severity: warning, count: 1}"
}

scenario_qemu_mpls_pseudowire() {
  qemu_mpls qemu-mpls-pseudowire --pseudowire
  expect qemu-mpls-pseudowire \
    "The real QEMU migration of qemu-plaintext carried whole, VLAN 50 tag included, in an Ethernet pseudowire with a control word by mpls_wrap.py --pseudowire; read under its labels on VLAN 50, plaintext." \
    '{protocol: qemu, verdict: plaintext, count: 1}' "$UNENCRYPTED"
}

scenario_qemu_mpls_gre() {
  qemu_mpls qemu-mpls-gre --gre
  expect qemu-mpls-gre \
    "The L3VPN of qemu-mpls-l3vpn carried across an IP core in GRE (RFC 4023, protocol 0x8847) between provider edges 10.255.0.1 and .2 by mpls_wrap.py --gre; read under GRE and the label, plaintext, routed, and the GRE tunnel runs outside the migration networks." \
    '{protocol: qemu, verdict: plaintext, count: 1}' \
    "$UNENCRYPTED|{rule: ROUTED_MIGRATION, severity: warning, count: 1}|{rule: NON_DEDICATED_SEGMENT, severity: warning, count: 1}"
}

scenario_qemu_mpls_udp() {
  qemu_mpls qemu-mpls-udp --udp
  expect qemu-mpls-udp \
    "The same L3VPN carried in UDP to port 6635 (MPLS in UDP, RFC 7510) between provider edges 10.255.0.1 and .2 by mpls_wrap.py --udp; read under UDP and the label, plaintext, routed, and the tunnel runs outside the migration networks." \
    '{protocol: qemu, verdict: plaintext, count: 1}' \
    "$UNENCRYPTED|{rule: ROUTED_MIGRATION, severity: warning, count: 1}|{rule: NON_DEDICATED_SEGMENT, severity: warning, count: 1}"
}

readonly ROCE_PORT=4791
readonly ROCE_WRITES='infiniband.bth.opcode in {6,7,8,10}'   # RC RDMA WRITE First, Middle, Last, Only

# qemu_roce NAME MODE : qemu_wrapped by roce_wrap.py MODE (this kernel has no RDMA: no rdma_rxe, so
# `rdma link add ... type rxe` fails), the migration's stream written by RoCEv2 RDMA WRITEs between
# the same hosts on VLAN 50, as a switch mirror sees them. tshark must read InfiniBand in UDP 4791
# in every frame but ARP, and no TCP at all; of the WRITE First packets with the first PSN (the
# real one and, --forged, its four copies) exactly one starts QEVM, none when encrypted. Sets
# ROCE_FORGED to the forged WRITE packets: those beyond one per PSN (roce_wrap.py --forged sends
# four copies of each real one), none in the other modes.
ROCE_FORGED=0
qemu_roce() {
  local name=$1 mode=$2 pcap=$WORK/out/$1/capture.pcap frames roce writes psns heads
  qemu_wrapped "$name" roce_wrap.py "$mode"
  frames=$(tshark -r "$pcap" -Y 'not arp' 2>/dev/null | wc -l)
  roce=$(tshark -r "$pcap" -Y "infiniband && udp.dstport == $ROCE_PORT" 2>/dev/null | wc -l)
  ((frames > 0 && roce == frames)) ||
    die "$name: tshark reads RoCEv2 in $roce of the $frames frames besides ARP"
  (($(tshark -r "$pcap" -Y tcp 2>/dev/null | wc -l) == 0)) || die "$name: TCP left in the RoCE frames"
  writes=$(tshark -r "$pcap" -Y "$ROCE_WRITES" -T fields -e infiniband.bth.psn 2>/dev/null | wc -l)
  psns=$(tshark -r "$pcap" -Y "$ROCE_WRITES" -T fields -e infiniband.bth.psn 2>/dev/null |
    sort -u | wc -l)
  ROCE_FORGED=$((writes - psns))
  if [[ $mode == --forged ]]; then
    ((psns > 0 && ROCE_FORGED == 4 * psns)) ||
      die "$name: $writes WRITE packets for $psns PSNs, not four forged ones per real one"
  else
    ((psns > 0 && ROCE_FORGED == 0)) || die "$name: $writes WRITE packets for $psns PSNs"
  fi
  heads=$(tshark -r "$pcap" -Y 'infiniband.bth.opcode == 6' -T fields -e infiniband.bth.psn \
    -e data.data 2>/dev/null |
    awk -F'\t' 'NR == 1 {psn = $1} $1 == psn && substr($2, 1, 8) == "5145564d" {n++} END {print n + 0}')
  if [[ $mode == --encrypted ]]; then
    ((heads == 0)) || die "$name: the encrypted WRITEs start QEVM"
  else
    ((heads == 1)) || die "$name: $heads WRITE First packets of the first PSN start QEVM, not one"
  fi
}

scenario_qemu_rdma_write_plaintext() {
  qemu_roce qemu-rdma-write-plaintext --plaintext
  expect qemu-rdma-write-plaintext \
    "The memory of the real QEMU migration of qemu-plaintext written by RDMA (RoCEv2 RC WRITEs of 1,024-byte packets, ICRC as Linux rxe computes it) by roce_wrap.py between the trusted hosts on VLAN 50, as a switch mirror sees it; RDMA does not encrypt, the pages are read in clear." \
    '{protocol: rdma, verdict: plaintext, count: 1}' "$UNENCRYPTED"
}

scenario_qemu_rdma_write_encrypted() {
  qemu_roce qemu-rdma-write-encrypted --encrypted
  expect qemu-rdma-write-encrypted \
    "The real QEMU migration of qemu-plaintext written by RoCEv2 RDMA WRITEs as in qemu-rdma-write-plaintext, but by roce_wrap.py --encrypted, the buffers encrypted before RDMA places them (a SHA-256 counter-mode keystream standing in for SMB encryption over SMB Direct); uniform bytes under valid ICRCs, nothing to report." \
    '{protocol: rdma, verdict: encrypted, count: 1}' ''
}

scenario_qemu_rdma_forged_icrc() {
  qemu_roce qemu-rdma-forged-icrc --forged
  expect qemu-rdma-forged-icrc \
    "The RoCEv2 RDMA WRITEs of qemu-rdma-write-plaintext with four forged packets before each real one (the same headers and PSN, random payload, a wrong ICRC) by roce_wrap.py --forged; a NIC drops them, so they are counted as malformed and skipped, and the pages are still read in clear." \
    '{protocol: rdma, verdict: plaintext, count: 1}' "$UNENCRYPTED"
  printf 'malformedPackets: %d    # the forged packets, bad ICRC (roce-bad-icrc), counted and skipped\n' \
    "$ROCE_FORGED" >>"$WORK/out/qemu-rdma-forged-icrc/expect.yaml"
}

# vxlan_decode : tshark's option to read UDP qemu_vxlan_port as VXLAN (it reads only 4789 as VXLAN
# by itself; 8472 it shows as plain UDP). Harmless for 4789.
vxlan_decode() { echo "udp.port==$(qemu_vxlan_port),vxlan"; }

# vxlan_frames PCAP FILTER [TSHARK OPTIONS...] : how many frames of PCAP tshark's FILTER matches,
# UDP qemu_vxlan_port read as VXLAN.
vxlan_frames() {
  local pcap=$1 filter=$2
  shift 2
  tshark -r "$pcap" -d "$(vxlan_decode)" "$@" -Y "$filter" 2>/dev/null | wc -l
}

# vxlan_datagrams PCAP FILTER : outer source, destination and IP ID of the frames FILTER matches
# (fragments left alone), one line each, sorted.
vxlan_datagrams() {
  tshark -r "$1" -d "$(vxlan_decode)" -o ip.defragment:FALSE -Y "$2" -E occurrence=f -T fields \
    -e ip.src -e ip.dst -e ip.id 2>/dev/null | sort
}

# qemu_vxlan_publish NAME : the capture of qemu_migration with QEMU_VXLAN_MTU, checked with tshark
# (check_capture.py reads no VXLAN), cut by trim_capture.py --vxlan and written as NAME. Every frame
# carries the one VLAN 50 tag and is ARP or IPv4, every IPv4 frame VXLAN (UDP to qemu_vxlan_port,
# VNI QEMU_VXLAN_VNI, none of another segment) or a later fragment of a VXLAN datagram whose first
# fragment is there, DF clear (Linux VXLAN's default), no frame over 1518 bytes, every IPv4, UDP and
# TCP checksum the kernel's (none bad); inside, ARP and one TCP connection .11 -> .12:49152, opened,
# closed by both sides, its first payload QEVM.
# Sets VXLAN_FIRST_FRAGMENTS to the first fragments of fragmented VXLAN datagrams in the result.
VXLAN_FIRST_FRAGMENTS=0
qemu_vxlan_publish() {
  local name=$1 out=$WORK/out/$1 pcap size total n later firsts head port
  port=$(qemu_vxlan_port)
  local raw=$CAPTURE migration="ip.src#2 == ${QEMU_SRC%/*} && ip.dst#2 == ${QEMU_DST%/*}"
  local checksums=(-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE)
  local first="ip.flags.mf#1 == 1 && ip.frag_offset#1 == 0 && udp.dstport#1 == $port"
  # the whole migration, before the cut: frame sizes and checksums as the kernel wrote them
  (($(vxlan_frames "$raw" 'frame.len > 1518') == 0)) || die "$name: frames over 1518 bytes"
  (($(vxlan_frames "$raw" 'ip.checksum.status == 0 || udp.checksum.status == 0 ||
    tcp.checksum.status == 0' "${checksums[@]}") == 0)) || die "$name: bad checksums in the capture"
  log "$name: $(vxlan_frames "$raw" '') frames before the cut, $(vxlan_frames "$raw" "$first" \
    -o ip.defragment:FALSE) of them first fragments of VXLAN datagrams, largest $(tshark -r "$raw" \
    -T fields -e frame.len 2>/dev/null | sort -n | tail -1) bytes"
  "$PYTHON" "$TOOLS/trim_capture.py" "$raw" "$WORK/trimmed.pcap" --keep-bytes "$QEMU_KEEP_BYTES" --vxlan \
    --vxlan-port "$port"
  mkdir -p "$out"
  pcap=$out/capture.pcap
  mv "$WORK/trimmed.pcap" "$pcap"
  size=$(stat -c %s "$pcap")
  ((size <= QEMU_MAX_CAPTURE_BYTES)) || die "$name: capture is $size bytes, over $QEMU_MAX_CAPTURE_BYTES"
  total=$(vxlan_frames "$pcap" '')
  (($(vxlan_frames "$pcap" 'count(vlan) == 1 && vlan.id == 50 &&
    (vlan.etype == 0x0806 || vlan.etype == 0x0800)') == total)) ||
    die "$name: frames without the one VLAN 50 tag, or neither ARP nor IPv4"
  n=$(vxlan_frames "$pcap" "vlan.etype == 0x0800 && ip.frag_offset#1 == 0 && udp.dstport#1 == \
    $port && vxlan.vni == $QEMU_VXLAN_VNI && ip.flags.df#1 == 0" -o ip.defragment:FALSE)
  later=$(vxlan_frames "$pcap" 'ip.frag_offset#1 > 0 && ip.proto#1 == 17 && ip.flags.df#1 == 0' \
    -o ip.defragment:FALSE)
  ((n > 0 && n + later == $(vxlan_frames "$pcap" 'vlan.etype == 0x0800'))) ||
    die "$name: $n VXLAN frames and $later later fragments of the IPv4 frames"
  firsts=$(vxlan_datagrams "$pcap" "$first")
  [[ $firsts == "$(vxlan_datagrams "$pcap" 'ip.frag_offset#1 > 0')" ]] ||
    die "$name: later fragments that do not match the first fragments one to one"
  VXLAN_FIRST_FRAGMENTS=$(grep -c . <<<"$firsts" || true)
  (($(vxlan_frames "$pcap" 'vlan.etype == 0x0806') > 0 && $(vxlan_frames "$pcap" 'vxlan && arp') > 0)) ||
    die "$name: no ARP on the trunk or inside the tunnel"
  (($(vxlan_frames "$pcap" 'frame.len > 1518') == 0)) || die "$name: frames over 1518 bytes"
  (($(vxlan_frames "$pcap" 'ip.checksum.status == 0 || udp.checksum.status == 0 ||
    tcp.checksum.status == 0' "${checksums[@]}") == 0 &&
    $(vxlan_frames "$pcap" 'udp.checksum.status == 1' "${checksums[@]}") > 0)) ||
    die "$name: bad or no checked checksums"
  # inside: one TCP connection, handshake, a FIN from each side, QEVM first
  (($(tshark -r "$pcap" -d "$(vxlan_decode)" -Y tcp -T fields -e tcp.stream 2>/dev/null |
    sort -u | wc -l) == 1 &&
    $(vxlan_frames "$pcap" "vxlan && tcp && !($migration && tcp.dstport == $QEMU_PORT) &&
      !(ip.src#2 == ${QEMU_DST%/*} && tcp.srcport == $QEMU_PORT)") == 0)) ||
    die "$name: TCP besides one connection ${QEMU_SRC%/*} -> ${QEMU_DST%/*}:$QEMU_PORT"
  (($(vxlan_frames "$pcap" "$migration && tcp.flags.syn == 1 && tcp.flags.ack == 0") == 1 &&
    $(vxlan_frames "$pcap" "$migration && tcp.flags.fin == 1") >= 1 &&
    $(vxlan_frames "$pcap" "ip.src#2 == ${QEMU_DST%/*} && tcp.flags.fin == 1") >= 1)) ||
    die "$name: the connection is not opened and closed by both sides inside the tunnel"
  head=$(tshark -r "$pcap" -d "$(vxlan_decode)" -Y "$migration && tcp.len > 0" -T fields \
    -e tcp.payload 2>/dev/null |
    awk 'NR == 1')   # awk reads to the end: tshark is not cut off (pipefail)
  [[ $head == 5145564d* ]] || die "$name: the migration's first payload starts ${head:0:16}, not QEVM"
  log "$name: $total frames, $size bytes, $n VXLAN datagrams or first fragments (VNI" \
    "$QEMU_VXLAN_VNI, UDP $port), $later later fragments, $VXLAN_FIRST_FRAGMENTS first fragments of" \
    "fragmented datagrams"
}

# qemu-vxlan: the plain migration of qemu-plaintext carried by kernel VXLAN devices between the
# hosts, the overlay's MTU the kernel's default (1450: the underlay's 1500 less 50): nothing
# fragments. Inside the tunnel, VLAN 50's migration addresses; outside, the tunnel endpoints.
scenario_qemu_vxlan() {
  QEMU_VXLAN_MTU=1450 qemu_migration
  qemu_vxlan_publish qemu-vxlan
  ((VXLAN_FIRST_FRAGMENTS == 0)) || die "qemu-vxlan: $VXLAN_FIRST_FRAGMENTS fragmented datagrams"
  expect qemu-vxlan \
    "Real QEMU live migration over plain TCP 49152 between the trusted hosts, carried by kernel VXLAN devices (VNI 5000, UDP 4789, MTU 1450) between tunnel endpoints 10.20.0.1 and .2 on VLAN 50; read inside the tunnel, plaintext." \
    '{protocol: qemu, verdict: plaintext, count: 1}' "$UNENCRYPTED"
}

# qemu-vxlan-fragmented: the same with the overlay's MTU set to the underlay's 1500, a common
# misconfiguration. Linux VXLAN leaves DF clear, so the outer UDP datagram of a full-size inner frame
# goes out as two IPv4 fragments, the first holding the inner headers and the start of the segment.
# Only the first full-size segments do: the VXLAN driver lowers the inner route's path MTU to 1450 on
# the first datagram too large for the underlay (skb_tunnel_check_pmtu), and the sender's TCP,
# local here, resends those segments at MSS 1398 and sends the rest unfragmented. Counts the first
# fragments into expect.yaml (tunnelFragments), and as many packets put back together
# (reassembledPackets).
scenario_qemu_vxlan_fragmented() {
  QEMU_VXLAN_MTU=1500 qemu_migration
  qemu_vxlan_publish qemu-vxlan-fragmented
  ((VXLAN_FIRST_FRAGMENTS > 0)) || die "qemu-vxlan-fragmented: no fragmented datagrams"
  expect qemu-vxlan-fragmented \
    "The real QEMU migration of qemu-vxlan with the VXLAN devices' MTU set to the underlay's 1500, so the outer UDP datagrams of the first full-size segments go out as two IPv4 fragments each (DF clear), the first holding the inner headers; the kernel then lowers the path MTU and the sender's TCP resends them and the rest at MSS 1398, unfragmented; read inside the tunnel, plaintext." \
    '{protocol: qemu, verdict: plaintext, count: 1}' "$UNENCRYPTED"
  printf 'tunnelFragments: %d    # first IP fragments of tunnel packets, counted\n' \
    "$VXLAN_FIRST_FRAGMENTS" >>"$WORK/out/qemu-vxlan-fragmented/expect.yaml"
  # each first fragment's later fragment is there (qemu_vxlan_publish): every datagram is whole
  printf 'reassembledPackets: %d    # fragmented packets put back together\n' \
    "$VXLAN_FIRST_FRAGMENTS" >>"$WORK/out/qemu-vxlan-fragmented/expect.yaml"
}

# qemu-vxlan-wrong-vni: qemu-vxlan (MTU 1450) with the VXLAN devices on VNI 6000, a tenant's
# overlay segment, while the policy's vmotion network names VNI 5000 as its segment: the migration
# leaks onto another segment. The same checks, every datagram VNI 6000.
scenario_qemu_vxlan_wrong_vni() {
  local QEMU_VXLAN_VNI=6000
  QEMU_VXLAN_MTU=1450 qemu_migration
  qemu_vxlan_publish qemu-vxlan-wrong-vni
  ((VXLAN_FIRST_FRAGMENTS == 0)) ||
    die "qemu-vxlan-wrong-vni: $VXLAN_FIRST_FRAGMENTS fragmented datagrams"
  expect qemu-vxlan-wrong-vni \
    "The real QEMU migration of qemu-vxlan (plain TCP 49152 between the trusted hosts, kernel VXLAN devices, UDP 4789, MTU 1450, tunnel endpoints 10.20.0.1 and .2 on VLAN 50) carried on VNI 6000, a tenant's overlay segment, while the policy's vmotion network names VNI 5000 as its segment; read inside the tunnel, plaintext, and not on a dedicated migration segment." \
    '{protocol: qemu, verdict: plaintext, count: 1}' \
    "$UNENCRYPTED|{rule: NON_DEDICATED_SEGMENT, severity: warning, count: 1}"
}

# qemu-vxlan-8472: qemu-vxlan (MTU 1450, VNI 5000) with the VXLAN devices made without `dstport`, so
# on the Linux kernel's default UDP port 8472 (iproute2 warns it is not IANA's 4789): the port of
# Flannel's and Cilium's VXLAN, and of NSX for vSphere's before 6.2.3. The same checks, every
# datagram to UDP 8472 (tshark told to read that port as VXLAN).
scenario_qemu_vxlan_8472() {
  local QEMU_VXLAN_PORT=""
  QEMU_VXLAN_MTU=1450 qemu_migration
  qemu_vxlan_publish qemu-vxlan-8472
  ((VXLAN_FIRST_FRAGMENTS == 0)) || die "qemu-vxlan-8472: $VXLAN_FIRST_FRAGMENTS fragmented datagrams"
  expect qemu-vxlan-8472 \
    "The real QEMU migration of qemu-vxlan (plain TCP 49152 between the trusted hosts, kernel VXLAN devices, VNI 5000, MTU 1450, tunnel endpoints 10.20.0.1 and .2 on VLAN 50) with the devices made without dstport, so on UDP 8472, the Linux kernel's default port (also Flannel's, Cilium's and that of NSX for vSphere before 6.2.3) rather than IANA's 4789; read inside the tunnel, plaintext." \
    '{protocol: qemu, verdict: plaintext, count: 1}' "$UNENCRYPTED"
}

# qemu-routed-fragmented: the plain migration of qemu-plaintext across a router whose link toward
# the destination has a smaller MTU. Three namespaces: host A (192.168.50.11/32), router R and host
# B (192.168.50.12/32), each link a veth trunk with a tagging switch at each end (VLAN 50), A's and
# B's addresses routed through R's link networks QEMU_ROUTED_LINK_A and _B (as migration-routed's
# routed_up in make-crypto-samples.sh). R's port toward B has MTU QEMU_ROUTED_MTU (the second link's
# MTU, 1280), while both hosts keep 1500, so B advertises MSS 1460; A runs with
# net.ipv4.ip_no_pmtu_disc=1, so its segments leave with DF clear, and R (ip_forward=1) cuts each
# full-size one into two IPv4 fragments without telling A (no ICMP with DF clear): every full-size
# segment of the whole migration arrives in two pieces. Captured on R's trunk toward B, after the
# fragmentation: A's packets with TTL 63, B's with 64.
readonly QEMU_ROUTED_MTU=1280
readonly QEMU_ROUTED_LINK_A=10.99.1.1/30   # R's address on the link to A
readonly QEMU_ROUTED_LINK_B=10.99.2.1/30   # R's address on the link to B
readonly QEMU_ROUTED_TRUNK=to-b            # R's trunk toward B, where tcpdump listens
NS_R=""

# router_port NS TAP TRUNK ADDR/PREFIX VLAN : a routed port of the router in NS, a tap TAP holding
# ADDR behind its own tagging_switch.py to the trunk TRUNK (host_up's port, other names).
router_port() {
  local ns=$1 tap=$2 trunk=$3 cidr=$4 vlan=$5 switch_log=$WORK/switch-$1-$2.log
  ip -n "$ns" tuntap add dev "$tap" mode tap
  ip -n "$ns" link set "$tap" address "$(mac_for "${cidr%/*}")"
  ip -n "$ns" addr add "$cidr" dev "$tap"
  ip -n "$ns" link set "$trunk" arp off up
  ip -n "$ns" link set "$tap" up
  start_bg /dev/null /dev/null "$switch_log" ip netns exec "$ns" \
    "$PYTHON" "$TOOLS/tagging_switch.py" --access "$tap" --uplink "$trunk" --vlan "$vlan"
  wait_for "the switch of $tap in $ns" file_has "$switch_log" " ready"
}

# qemu_routed_up : hosts A and B of QEMU_SRC and QEMU_DST's addresses as /32s (host_up's tap and
# switch, VLAN 50) and router R between them, forwarding, its port toward B of MTU QEMU_ROUTED_MTU.
qemu_routed_up() {
  local r_a=${QEMU_ROUTED_LINK_A%/*} r_b=${QEMU_ROUTED_LINK_B%/*}
  SCENARIO_COUNT=$((SCENARIO_COUNT + 1))
  NS_A=$RUN_ID-$SCENARIO_COUNT-a NS_B=$RUN_ID-$SCENARIO_COUNT-b NS_R=$RUN_ID-$SCENARIO_COUNT-r
  ADDR_A=${QEMU_SRC%/*} ADDR_B=${QEMU_DST%/*}
  netns_up "$NS_A" "$NS_B" "$NS_R"
  ip -n "$NS_A" link add uplink0 type veth peer name to-a netns "$NS_R"
  ip -n "$NS_B" link add uplink0 type veth peer name "$QEMU_ROUTED_TRUNK" netns "$NS_R"
  host_up "$NS_A" "$ADDR_A/32" 50
  host_up "$NS_B" "$ADDR_B/32" 50
  router_port "$NS_R" r-a to-a "$QEMU_ROUTED_LINK_A" 50
  router_port "$NS_R" r-b "$QEMU_ROUTED_TRUNK" "$QEMU_ROUTED_LINK_B" 50
  ip -n "$NS_R" link set r-b mtu "$QEMU_ROUTED_MTU"
  ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1
  ip -n "$NS_R" route add "$ADDR_A/32" dev r-a
  ip -n "$NS_R" route add "$ADDR_B/32" dev r-b
  ip -n "$NS_A" route add "$r_a/32" dev vmk0
  ip -n "$NS_A" route add "$ADDR_B/32" via "$r_a" src "$ADDR_A"
  ip -n "$NS_B" route add "$r_b/32" dev vmk0
  ip -n "$NS_B" route add "$ADDR_A/32" via "$r_b" src "$ADDR_B"
  # the sender sets no DF: its TCP sockets are IP_PMTUDISC_DONT, and R may fragment
  ip netns exec "$NS_A" sysctl -qw net.ipv4.ip_no_pmtu_disc=1
  [[ $(ip -n "$NS_R" -o link show r-b) == *" mtu $QEMU_ROUTED_MTU "* ]] ||
    die "r-b in $NS_R did not take MTU $QEMU_ROUTED_MTU: $(ip -n "$NS_R" -o link show r-b)"
}

# qemu_routed_down : hosts_down, and the router.
qemu_routed_down() {
  local kept=() n
  hosts_down
  ip netns delete "$NS_R"
  for n in "${NAMESPACES[@]}"; do
    [[ $n == "$NS_R" ]] || kept+=("$n")
  done
  NAMESPACES=("${kept[@]}")
  NS_R=""
}

# qemu_routed_migration : qemu_migration's plain migration from A to B:49152 across qemu_routed_up's
# router, captured on R's trunk toward B (tcpdump as capture_start runs it, in R).
qemu_routed_migration() {
  local uri=tcp:${QEMU_DST%/*}:$QEMU_PORT options=(--parameter "max-bandwidth=$QEMU_MAX_BANDWIDTH")
  qemu_guest_files
  qemu_routed_up
  ip netns exec "$NS_A" sysctl -qw net.ipv4.ip_local_port_range="$QEMU_SOURCE_PORTS"
  qemu_start "$NS_B" destination -incoming defer
  qemu_start "$NS_A" source
  CAPTURE=$WORK/capture.pcap
  rm -f "$CAPTURE"
  start_bg /dev/null /dev/null "$WORK/tcpdump.log" ip netns exec "$NS_R" tcpdump \
    -i "$QEMU_ROUTED_TRUNK" -nn --immediate-mode -s 65535 -B 65536 -Z root -U -w "$CAPTURE"
  CAPTURE_PID=$LAST_PID
  wait_for "tcpdump to listen" file_has "$WORK/tcpdump.log" "listening on"
  qmp "$WORK/destination.qmp" incoming "$uri" "${options[@]}"
  wait_for "the destination to listen on $QEMU_PORT" listening "$NS_B" "$QEMU_PORT"
  qmp "$WORK/source.qmp" migrate "$uri" "${options[@]}"
  qmp "$WORK/destination.qmp" wait-incoming
  qemu_quit
  capture_stop
  log "router: $(ip netns exec "$NS_R" nstat -asz IpFragCreates IpFragOKs IpFragFails \
    IpForwDatagrams 2>/dev/null | awk 'NR > 1 && $1 ~ /^Ip/ {printf "%s %s ", $1, $2}')"
  qemu_routed_down
}

# routed_frames PCAP FILTER [TSHARK OPTIONS...] : how many frames of PCAP tshark's FILTER matches.
routed_frames() {
  local pcap=$1 filter=$2
  shift 2
  tshark -r "$pcap" "$@" -Y "$filter" 2>/dev/null | wc -l
}

# routed_datagrams PCAP FILTER : source, destination, protocol and IP ID of the frames FILTER
# matches with reassembly off, one line each, sorted and without repeats.
routed_datagrams() {
  tshark -r "$1" -o ip.defragment:FALSE -Y "$2" -T fields -e ip.src -e ip.dst -e ip.proto -e ip.id \
    2>/dev/null | sort -u
}

# qemu_routed_publish NAME : the capture of qemu_routed_migration checked with tshark
# (check_capture.py reads no fragments: it would take a later fragment's bytes for a TCP header),
# cut by trim_capture.py --fragments and written as NAME. Before the cut: no frame over the link's
# MTU (plus Ethernet and the tag), A's packets with TTL 63 and its data segments DF clear, B's TTL
# 64, every IPv4 and TCP checksum right, IPv4 fragments of A's TCP. After it: every frame ARP or
# IPv4 with the one VLAN 50 tag; every fragment one of A's TCP to B, and every fragmented datagram
# whole (each has its first fragment, offset 0, and its last, MF clear, and tshark puts as many back
# together as there are datagrams with fragments); put back together, one TCP connection .11 ->
# .12:49152, opened, closed by both sides, its first payload QEVM, no checksum wrong. Sets
# ROUTED_REASSEMBLED to the datagrams tshark puts back together in the result.
ROUTED_REASSEMBLED=0
qemu_routed_publish() {
  local name=$1 out=$WORK/out/$1 pcap size total frags firsts lasts datagrams head raw=$CAPTURE
  local src=${QEMU_SRC%/*} dst=${QEMU_DST%/*} nodefrag=(-o ip.defragment:FALSE)
  local max_frame=$((QEMU_ROUTED_MTU + 18))   # Ethernet 14 + 802.1Q 4
  local checksums=(-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE)
  local fragment='ip.flags.mf == 1 || ip.frag_offset > 0'
  local first='ip.flags.mf == 1 && ip.frag_offset == 0'
  local bad='ip.checksum.status == 0 || tcp.checksum.status == 0'
  local connection="(ip.src == $src && ip.dst == $dst && tcp.dstport == $QEMU_PORT) ||
    (ip.src == $dst && ip.dst == $src && tcp.srcport == $QEMU_PORT)"
  # the whole migration, before the cut
  (($(routed_frames "$raw" "frame.len > $max_frame") == 0)) ||
    die "$name: frames over $max_frame bytes on the ${QEMU_ROUTED_MTU}-byte link"
  (($(routed_frames "$raw" "ip.src == $src && ip.ttl != 63" "${nodefrag[@]}") == 0 &&
    $(routed_frames "$raw" "ip.src == $dst && ip.ttl != 64" "${nodefrag[@]}") == 0)) ||
    die "$name: A's packets not all TTL 63, or B's not all TTL 64"
  # DF clear on every segment of A's that carries data (A's kernel answers a FIN in TIME-WAIT from
  # its own control socket, which sets DF: that last ACK is empty)
  (($(routed_frames "$raw" "ip.src == $src && ip.flags.df == 1 && tcp.len > 0") == 0)) ||
    die "$name: A's data segments not all DF clear"
  (($(routed_frames "$raw" "$bad" "${checksums[@]}") == 0)) ||
    die "$name: bad checksums in the capture"
  frags=$(routed_frames "$raw" "ip.src == $src && ip.proto == 6 && $first" "${nodefrag[@]}")
  ((frags > 0)) || die "$name: the router fragmented nothing"
  log "$name: $(routed_frames "$raw" '') frames before the cut, $(routed_frames "$raw" \
    "ip.src == $src && tcp.len > 0") data segments of A's, $frags of them in fragments, largest" \
    "frame $(tshark -r "$raw" -T fields -e frame.len 2>/dev/null | sort -n | tail -1) bytes"
  "$PYTHON" "$TOOLS/trim_capture.py" "$raw" "$WORK/trimmed.pcap" --keep-bytes "$QEMU_KEEP_BYTES" \
    --fragments
  mkdir -p "$out"
  pcap=$out/capture.pcap
  mv "$WORK/trimmed.pcap" "$pcap"
  size=$(stat -c %s "$pcap")
  ((size <= QEMU_MAX_CAPTURE_BYTES)) ||
    die "$name: capture is $size bytes, over $QEMU_MAX_CAPTURE_BYTES"
  total=$(routed_frames "$pcap" '')
  (($(routed_frames "$pcap" 'count(vlan) == 1 && vlan.id == 50 &&
    (vlan.etype == 0x0806 || vlan.etype == 0x0800)') == total)) ||
    die "$name: frames without the one VLAN 50 tag, or neither ARP nor IPv4"
  (($(routed_frames "$pcap" 'arp') > 0)) || die "$name: no ARP on the link"
  frags=$(routed_frames "$pcap" "$fragment" "${nodefrag[@]}")
  (($(routed_frames "$pcap" "($fragment) && !(ip.src == $src && ip.dst == $dst && ip.proto == 6)" \
    "${nodefrag[@]}") == 0)) || die "$name: fragments of other traffic than A's TCP to B"
  firsts=$(routed_datagrams "$pcap" "$first")
  lasts=$(routed_datagrams "$pcap" 'ip.flags.mf == 0 && ip.frag_offset > 0')
  datagrams=$(routed_datagrams "$pcap" "$fragment")
  [[ -n $firsts && $firsts == "$lasts" && $firsts == "$datagrams" ]] ||
    die "$name: fragmented datagrams without their first or last fragment"
  datagrams=$(grep -c . <<<"$datagrams")
  ROUTED_REASSEMBLED=$(routed_frames "$pcap" 'ip.fragments' -o ip.defragment:TRUE)
  ((ROUTED_REASSEMBLED == datagrams)) ||
    die "$name: tshark puts $ROUTED_REASSEMBLED of the $datagrams fragmented datagrams together"
  (($(routed_frames "$pcap" "$bad" "${checksums[@]}") == 0 &&
    $(routed_frames "$pcap" 'tcp.checksum.status == 1' "${checksums[@]}") > 0)) ||
    die "$name: bad or no checked checksums"
  (($(routed_frames "$pcap" "frame.len > $max_frame") == 0)) ||
    die "$name: frames over $max_frame bytes"
  # put back together: one TCP connection, handshake, a FIN from each side, QEVM first
  (($(tshark -r "$pcap" -Y tcp -T fields -e tcp.stream 2>/dev/null | sort -u | wc -l) == 1 &&
    $(routed_frames "$pcap" "tcp && !($connection)") == 0)) ||
    die "$name: TCP besides one connection $src -> $dst:$QEMU_PORT"
  (($(routed_frames "$pcap" "ip.src == $src && tcp.flags.syn == 1 && tcp.flags.ack == 0") == 1 &&
    $(routed_frames "$pcap" "ip.src == $src && tcp.flags.fin == 1") >= 1 &&
    $(routed_frames "$pcap" "ip.src == $dst && tcp.flags.fin == 1") >= 1)) ||
    die "$name: the connection is not opened and closed by both sides"
  head=$(tshark -r "$pcap" -Y "ip.src == $src && tcp.len > 0" -T fields -e tcp.payload 2>/dev/null |
    awk 'NR == 1')   # awk reads to the end: tshark is not cut off (pipefail)
  [[ $head == 5145564d* ]] || die "$name: the migration's first payload starts ${head:0:16}, not QEVM"
  log "$name: $total frames, $size bytes, $frags fragments of $datagrams datagrams, all put back" \
    "together by tshark ($ROUTED_REASSEMBLED); $(routed_frames "$pcap" \
    "ip.src == $src && tcp.len > 0") data segments of A's, $(tshark -r "$pcap" \
    -Y "ip.src == $src && tcp.len > 0" -T fields -e tcp.len 2>/dev/null |
    awk '{n += $1} END {print n + 0}') payload bytes"
}

scenario_qemu_routed_fragmented() {
  qemu_routed_migration
  qemu_routed_publish qemu-routed-fragmented
  expect qemu-routed-fragmented \
    "Real QEMU live migration over plain TCP 49152 between the trusted hosts across a router whose link toward the destination has MTU 1280; the sender sets no DF, so the router cuts each full-size segment into two IPv4 fragments, captured on that link (VLAN 50, TTL 63); put back together, plaintext and routed." \
    '{protocol: qemu, verdict: plaintext, count: 1}' \
    "$UNENCRYPTED|{rule: ROUTED_MIGRATION, severity: warning, count: 1}"
  # every fragmented datagram is whole (qemu_routed_publish): tshark's count of them
  printf 'reassembledPackets: %d    # fragmented packets put back together\n' \
    "$ROUTED_REASSEMBLED" >>"$WORK/out/qemu-routed-fragmented/expect.yaml"
}
