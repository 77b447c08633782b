#!/usr/bin/env python3
"""Cut a pcap to the start of each TCP connection, the way a sensor's capture of a long transfer
would be cut: a migration of a few MB becomes a sample of a few hundred KB.

  trim_capture.py IN.pcap OUT.pcap --keep-bytes 81920

For each TCP connection it keeps the packets up to and including the one that brings either
direction's payload to KEEP bytes, plus every later SYN, FIN or RST (so the capture still shows how
the connection ended). Non-TCP frames (ARP, ...) are all kept. The pcap header and the kept
records are copied unchanged. Python 3 standard library only.

With --vxlan the TCP connections are those inside VXLAN (UDP to port 4789, RFC 7348, or to
--vxlan-port: Linux's default 8472, say), as a capture on an overlay's underlay holds them: a packet is judged by the Ethernet frame it carries, its
payload counted by the inner IPv4 header's lengths, so that a datagram the underlay fragmented
counts whole in its first fragment (which holds the inner headers); the later fragments of an outer
IPv4 datagram are kept when its first fragment was.

With --fragments the TCP connections are plain IPv4 ones whose packets a router on the path may have
cut into fragments (DF clear, a link of smaller MTU): a fragmented datagram is kept or dropped
whole by its first fragment (which holds the TCP header), and the payload bytes of its later
fragments count to the direction of that first fragment.
"""

import argparse
import struct
import sys

from check_capture import (ETH_P_IPV4, IPPROTO_TCP, IPPROTO_UDP, PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC,
                           TCP_FIN, TCP_RST, TCP_SYN, VLAN_TPIDS, decode)

PCAP_HEADER_BYTES = 24
RECORD_HEADER_BYTES = 16
VXLAN_PORT = 4789           # IANA (RFC 7348 section 5)
VXLAN_HEADER_BYTES = 8
UDP_HEADER_BYTES = 8
IP_MF = 0x2000
IP_OFFSET_MASK = 0x1FFF


def records(data):
    """Yields (header+frame bytes, frame) for each record of a pcap file."""
    magic_le = struct.unpack_from("<I", data)[0]
    endian = "<" if magic_le in (PCAP_MAGIC_USEC, PCAP_MAGIC_NSEC) else ">"
    if struct.unpack_from(endian + "I", data)[0] not in (PCAP_MAGIC_USEC, PCAP_MAGIC_NSEC):
        raise ValueError("not a pcap file (pcapng is not supported here)")
    offset = PCAP_HEADER_BYTES
    while offset + RECORD_HEADER_BYTES <= len(data):
        caplen = struct.unpack_from(endian + "I", data, offset + 8)[0]
        end = offset + RECORD_HEADER_BYTES + caplen
        yield data[offset:end], data[offset + RECORD_HEADER_BYTES:end]
        offset = end


def ipv4_at(frame):
    """Offset of the IPv4 header behind the Ethernet header and its tags, or None."""
    ethertype, offset = struct.unpack_from("!H", frame, 12)[0], 14
    while ethertype in VLAN_TPIDS:
        ethertype = struct.unpack_from("!H", frame, offset + 2)[0]
        offset += 4
    return offset if ethertype == ETH_P_IPV4 else None


def vxlan_packet(frame, port=VXLAN_PORT):
    """(packet, fragment) for an underlay frame (VXLAN on UDP port). packet: decode() of the frame a VXLAN datagram
    carries, "payload_bytes" set from the inner IPv4 and TCP headers, or None (not VXLAN, or a later
    fragment); fragment: (src, dst, id, first?) when the outer IPv4 datagram is fragmented."""
    ip = ipv4_at(frame)
    if ip is None:
        return None, None
    ihl = (frame[ip] & 0x0F) * 4
    ident, flags_offset = struct.unpack_from("!HH", frame, ip + 4)
    proto, first = frame[ip + 9], flags_offset & IP_OFFSET_MASK == 0
    fragment = None
    if flags_offset & (IP_MF | IP_OFFSET_MASK):
        fragment = (frame[ip + 12:ip + 16], frame[ip + 16:ip + 20], ident, first)
    if not first or proto != IPPROTO_UDP or \
            struct.unpack_from("!H", frame, ip + ihl + 2)[0] != port:
        return None, fragment
    inner = frame[ip + ihl + UDP_HEADER_BYTES + VXLAN_HEADER_BYTES:]
    packet = decode(inner)
    if packet.get("kind") == "tcp":
        inner_ip = ipv4_at(inner)
        inner_ihl = (inner[inner_ip] & 0x0F) * 4
        total = struct.unpack_from("!H", inner, inner_ip + 2)[0]
        tcp_header = (inner[inner_ip + inner_ihl + 12] >> 4) * 4
        packet["payload_bytes"] = total - inner_ihl - tcp_header
    return packet, fragment


def ipv4_fragment(frame):
    """(src, dst, id, protocol, first?, payload bytes) for an IPv4 fragment, else None."""
    ip = ipv4_at(frame)
    if ip is None:
        return None
    ident, flags_offset = struct.unpack_from("!HH", frame, ip + 4)
    if not flags_offset & (IP_MF | IP_OFFSET_MASK):
        return None
    total, ihl = struct.unpack_from("!H", frame, ip + 2)[0], (frame[ip] & 0x0F) * 4
    return (frame[ip + 12:ip + 16], frame[ip + 16:ip + 20], ident, frame[ip + 9],
            flags_offset & IP_OFFSET_MASK == 0, total - ihl)


class Budget:
    """Payload bytes seen per TCP connection direction; a connection is done once one of its
    directions has carried keep_bytes, and then only its opening and closing segments are kept."""

    def __init__(self, keep_bytes):
        self.keep_bytes = keep_bytes
        self.sent = {}  # (src, sport, dst, dport) -> payload bytes seen in that direction
        self.done = set()  # connections (as frozensets of both endpoints) past their budget

    def admits(self, p):
        """(direction, kept?) for the TCP packet p."""
        direction = (p["src"], p["sport"], p["dst"], p["dport"])
        connection = frozenset([direction[:2], direction[2:]])
        control = p["flags"] & (TCP_SYN | TCP_FIN | TCP_RST)
        return direction, control or connection not in self.done

    def spend(self, direction, n):
        self.sent[direction] = self.sent.get(direction, 0) + n
        if self.sent[direction] >= self.keep_bytes:
            self.done.add(frozenset([direction[:2], direction[2:]]))


def trim_fragments(data, keep_bytes):
    """trim() of plain TCP connections whose packets may come in IPv4 fragments: a fragmented
    datagram is kept or dropped with its first fragment, its later fragments' bytes counted."""
    out = [data[:PCAP_HEADER_BYTES]]
    budget = Budget(keep_bytes)
    datagrams = {}  # (src, dst, id, protocol) -> direction of its kept first fragment, () kept
    # without one (not TCP), None dropped
    kept = dropped = 0
    for record, frame in records(data):
        fragment = ipv4_fragment(frame)
        if fragment and not fragment[4]:
            # a later fragment goes where its datagram's first fragment went (kept if not seen)
            direction = datagrams.get(fragment[:4], ())
            if direction is None:
                dropped += 1
                continue
            out.append(record)
            kept += 1
            if direction:
                budget.spend(direction, fragment[5])
            continue
        p = decode(frame)
        if p.get("kind") != "tcp":
            out.append(record)
            kept += 1
            if fragment:
                datagrams[fragment[:4]] = ()
            continue
        direction, admitted = budget.admits(p)
        if not admitted:
            dropped += 1
            if fragment:
                datagrams[fragment[:4]] = None
            continue
        out.append(record)
        kept += 1
        if fragment:
            datagrams[fragment[:4]] = direction
        budget.spend(direction, len(p["payload"]))
    return b"".join(out), kept, dropped


def trim(data, keep_bytes, vxlan=False, vxlan_port=VXLAN_PORT):
    out = [data[:PCAP_HEADER_BYTES]]
    budget = Budget(keep_bytes)
    datagrams = {}  # --vxlan: (src, dst, id) of a fragmented outer datagram -> first fragment kept
    kept = dropped = 0
    for record, frame in records(data):
        if vxlan:
            p, fragment = vxlan_packet(frame, vxlan_port)
            if fragment and not fragment[3]:
                # a later fragment goes where its datagram's first fragment went
                if datagrams.get(fragment[:3], True):
                    out.append(record)
                    kept += 1
                else:
                    dropped += 1
                continue
            if p is None or p.get("kind") != "tcp":
                out.append(record)
                kept += 1
                if fragment:
                    datagrams[fragment[:3]] = True
                continue
        else:
            p, fragment = decode(frame), None
            if p.get("kind") != "tcp":
                out.append(record)
                kept += 1
                continue
        direction, admitted = budget.admits(p)
        if not admitted:
            dropped += 1
            if fragment:
                datagrams[fragment[:3]] = False
            continue
        out.append(record)
        kept += 1
        if fragment:
            datagrams[fragment[:3]] = True
        budget.spend(direction, p.get("payload_bytes", len(p["payload"])))
    return b"".join(out), kept, dropped


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--keep-bytes", type=int, required=True,
                        help="payload bytes kept per connection direction")
    layers = parser.add_mutually_exclusive_group()
    layers.add_argument("--vxlan", action="store_true",
                        help="cut the TCP connections inside VXLAN (UDP 4789), fragments and all")
    parser.add_argument("--vxlan-port", type=int, default=VXLAN_PORT,
                        help="with --vxlan: the VXLAN UDP destination port (default 4789)")
    layers.add_argument("--fragments", action="store_true",
                        help="keep or drop each fragmented IPv4 datagram whole, by its first"
                             " fragment")
    args = parser.parse_args(argv)
    if args.vxlan_port != VXLAN_PORT and not args.vxlan:
        parser.error("--vxlan-port needs --vxlan")
    with open(args.input, "rb") as f:
        data = f.read()
    if args.fragments:
        trimmed, kept, dropped = trim_fragments(data, args.keep_bytes)
    else:
        trimmed, kept, dropped = trim(data, args.keep_bytes, args.vxlan, args.vxlan_port)
    with open(args.output, "wb") as f:
        f.write(trimmed)
    print(f"trim_capture: kept {kept} packets, dropped {dropped}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
