#!/usr/bin/env python3
"""Carry a capture's frames across an MPLS core, as a mirror on the provider's link sees them.

  mpls_wrap.py [--l3vpn | --pseudowire | --gre | --udp] IN.pcap OUT.pcap

Used by make-samples.sh because this kernel has no MPLS forwarding (no mpls_router /
mpls_iptunnel, `ip -f mpls route`: "address family not supported"). Each direction (by source
MAC) gets its own label switched path, as LSPs are one-way: a transport label from 16001 and a
service label from 24001 (RFC 3032 entries: TC 0, S on the service label, TTL 254), between the
provider routers' MACs 02:00:00:00:fe:01 and :02:
- --l3vpn (the default): each IPv4 frame's IP packet (its VLAN tag and Ethernet header stay at the
  customer edge) behind the two labels, its TTL one lower and its header checksum remade, as the
  ingress provider edge routes it (RFC 4364); other frames (ARP) stay at the edge and are left out;
- --pseudowire: each whole frame, VLAN tag included, behind the two labels and a control word
  (RFC 4385: first nibble 0, a sequence number from 1 per direction), an Ethernet pseudowire in
  tagged mode (RFC 4448): nothing in it changes;
- --gre and --udp: the L3VPN's labelled packets carried across an IP core between the provider
  edges 10.255.0.1 and .2 instead of a label switched path, in GRE (RFC 4023: protocol 0x8847, a
  key of 1) or in UDP (RFC 7510: destination port 6635, the source port a hash of the path as
  the RFC suggests for ECMP, checksum 0), only the service label kept; the outer IPv4 header has
  TTL 64, DF and its checksum, an id counting per direction.
Classic pcap, Ethernet, frames captured whole (frame_rewrite.py); Python 3 standard library.
"""

import struct
import sys

from frame_rewrite import ipv4_checksum as checksum
from frame_rewrite import rewrite

PROVIDER_MACS = (bytes.fromhex("02000000fe01"), bytes.fromhex("02000000fe02"))
ETHERTYPE_MPLS, ETHERTYPE_IPV4, ETHERTYPE_VLAN = 0x8847, 0x0800, 0x8100
TRANSPORT_LABEL, SERVICE_LABEL, LABEL_TTL, BOTTOM = 16001, 24001, 254, 0x100


def entry(label, bottom):
    return struct.pack("!I", label << 12 | (BOTTOM if bottom else 0) | LABEL_TTL)


def routed(ip):
    """The IPv4 packet as the ingress provider edge forwards it: TTL one lower, checksum remade."""
    ihl = (ip[0] & 0x0F) * 4
    header = bytearray(ip[:ihl])
    header[8] -= 1
    header[10:12] = b"\0\0"
    header[10:12] = struct.pack("!H", checksum(bytes(header)))
    return bytes(header) + ip[ihl:]


def carry(frame, mode, paths):
    """The provider link's frame for one customer frame, or None when it stays at the edge."""
    source = frame[6:12]
    if source not in paths:
        paths[source] = [len(paths), 0]
    path = paths[source]
    path[1] += 1
    direction = path[0] % 2
    stack = entry(TRANSPORT_LABEL + path[0], False) + entry(SERVICE_LABEL + path[0], True)
    macs = PROVIDER_MACS[1 - direction] + PROVIDER_MACS[direction]
    if mode == "pseudowire":
        control_word = struct.pack("!I", path[1] & 0xFFFF)
        return macs + struct.pack("!H", ETHERTYPE_MPLS) + stack + control_word + frame
    at, ethertype = 12, struct.unpack("!H", frame[12:14])[0]
    if ethertype == ETHERTYPE_VLAN:
        at, ethertype = 16, struct.unpack("!H", frame[16:18])[0]
    if ethertype != ETHERTYPE_IPV4:
        return None
    ip = frame[at + 2 :]
    total = struct.unpack("!H", ip[2:4])[0]
    return macs + struct.pack("!H", ETHERTYPE_MPLS) + stack + routed(ip[:total])


PROVIDER_EDGES = (bytes([10, 255, 0, 1]), bytes([10, 255, 0, 2]))
IP_GRE, IP_UDP, MPLS_UDP_PORT, GRE_KEY_PRESENT = 47, 17, 6635, 0x2000


def across_ip_core(frame, mode, paths):
    """The L3VPN's labelled packet (service label only) in GRE or UDP between the provider edges."""
    labelled = carry(frame, "l3vpn", paths)
    if labelled is None:
        return None
    direction = paths[frame[6:12]][0] % 2
    stack_and_packet = labelled[14 + 4 :]  # the provider MACs and the transport label go
    if mode == "gre":
        inner = struct.pack("!HHI", GRE_KEY_PRESENT, ETHERTYPE_MPLS, 1) + stack_and_packet
        protocol = IP_GRE
    else:
        entropy = 49152 | (hash_path(direction) & 0x3FFF)
        inner = struct.pack("!HHHH", entropy, MPLS_UDP_PORT, 8 + len(stack_and_packet), 0)
        inner += stack_and_packet
        protocol = IP_UDP
    source, destination = PROVIDER_EDGES[direction], PROVIDER_EDGES[1 - direction]
    ids = paths.setdefault(("ip-id", direction), [0])
    ids[0] += 1
    header = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(inner), ids[0], 0x4000, 64,
                                   protocol, 0, source, destination))
    header[10:12] = struct.pack("!H", checksum(bytes(header)))
    macs = PROVIDER_MACS[1 - direction] + PROVIDER_MACS[direction]
    return macs + struct.pack("!H", ETHERTYPE_IPV4) + bytes(header) + inner


def hash_path(direction):
    """A fixed stand-in for the flow hash an ingress edge puts in the UDP source port."""
    return 0x2A5C + 0x1111 * direction


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    flags = [a for a in argv if a.startswith("--")]
    modes = {"--l3vpn", "--pseudowire", "--gre", "--udp"}
    if len(args) != 2 or not set(flags) <= modes or len(flags) > 1:
        sys.exit(__doc__)
    mode = flags[0][2:] if flags else "l3vpn"
    if mode in ("gre", "udp"):
        paths = {}
        kept, left = rewrite(args[0], args[1], lambda frame: across_ip_core(frame, mode, paths))
        print(f"mpls_wrap: {kept} frames carried ({mode} across an IP core), {left} left at the "
              f"edge", file=sys.stderr)
        return
    paths = {}
    kept, left = rewrite(args[0], args[1], lambda frame: carry(frame, mode, paths))
    print(f"mpls_wrap: {kept} frames carried ({mode}), {left} left at the edge, "
          f"{len(paths)} label switched paths", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
