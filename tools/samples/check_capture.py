#!/usr/bin/env python3
"""Summarise a sample capture and check it holds what its scenario promises.

Reads pcap (microsecond or nanosecond), pcapng and gzip-compressed files of either, decodes
Ethernet / 802.1Q / ARP / IPv4 / IPv6 / TCP / UDP / ICMP, and prints one summary: packets, bytes,
VLAN IDs, TCP connections with their handshake and close, other traffic, and byte statistics of
each connection's initiator-to-responder payload (entropy, chi-square against uniform, zero and
printable fractions, first bytes). With expectations it exits 1 and says why when one fails:

  check_capture.py capture.pcap --vlan 50 --tcp 192.168.50.11 192.168.50.12 8000 --payload plaintext

Independent of the Java reader on purpose: the samples are checked by a second implementation.
Python 3 standard library only.
"""

import argparse
import gzip
import ipaddress
import math
import struct
import sys
from collections import Counter

PCAP_MAGIC_USEC = 0xA1B2C3D4
PCAP_MAGIC_NSEC = 0xA1B23C4D
PCAPNG_SHB = 0x0A0D0D0A
PCAPNG_IDB = 0x00000001
PCAPNG_EPB = 0x00000006
PCAPNG_SPB = 0x00000003
PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D
PCAPNG_OPT_IF_TSRESOL = 9
LINKTYPE_ETHERNET = 1
ETH_P_IPV4, ETH_P_IPV6, ETH_P_ARP = 0x0800, 0x86DD, 0x0806
VLAN_TPIDS = (0x8100, 0x88A8)
IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6 = 1, 6, 17, 58
TCP_FIN, TCP_SYN, TCP_RST, TCP_ACK = 0x01, 0x02, 0x04, 0x10
IPV6_EXTENSION_HEADERS = (0, 43, 60)  # hop-by-hop, routing, destination options
UNIFORM_CHI_SQUARE_LIMIT = 255 + 4 * 22.6  # mean + 4 sd of chi-square with 255 degrees of freedom


def open_capture(path):
    with open(path, "rb") as raw:
        data = raw.read()
    compressed = data[:2] == b"\x1f\x8b"
    if compressed:
        data = gzip.decompress(data)
    return data, compressed


def read_pcap(data):
    magic_le = struct.unpack_from("<I", data)[0]
    endian = "<" if magic_le in (PCAP_MAGIC_USEC, PCAP_MAGIC_NSEC) else ">"
    magic = struct.unpack_from(endian + "I", data)[0]
    if magic not in (PCAP_MAGIC_USEC, PCAP_MAGIC_NSEC):
        raise ValueError("not a pcap file")
    _, _, _, _, snaplen, linktype = struct.unpack_from(endian + "HHiIII", data, 4)
    info = {"format": "pcap", "tsresol": "ns" if magic == PCAP_MAGIC_NSEC else "us",
            "endian": "little" if endian == "<" else "big", "snaplen": snaplen}
    packets = []
    offset = 24
    while offset + 16 <= len(data):
        _, _, caplen, _ = struct.unpack_from(endian + "IIII", data, offset)
        offset += 16
        packets.append((linktype & 0xFFFF, data[offset:offset + caplen]))
        offset += caplen
    return info, packets


def read_pcapng(data):
    info = {"format": "pcapng", "tsresol": "us", "interfaces": 0}
    packets, linktypes = [], []
    endian, offset = "<", 0
    while offset + 12 <= len(data):
        block_type = struct.unpack_from("<I", data, offset)[0]
        if block_type == PCAPNG_SHB:
            order = struct.unpack_from("<I", data, offset + 8)[0]
            endian = "<" if order == PCAPNG_BYTE_ORDER_MAGIC else ">"
            linktypes = []
        block_type, length = struct.unpack_from(endian + "II", data, offset)
        body = data[offset + 8:offset + length - 4]
        if block_type == PCAPNG_IDB:
            linktypes.append(struct.unpack_from(endian + "H", body)[0])
            info["interfaces"] += 1
            info["tsresol"] = pcapng_tsresol(body[8:], endian) or info["tsresol"]
        elif block_type == PCAPNG_EPB:
            interface, _, _, caplen, _ = struct.unpack_from(endian + "IIIII", body)
            packets.append((linktypes[interface], body[20:20 + caplen]))
        elif block_type == PCAPNG_SPB:
            packets.append((linktypes[0], body[4:]))
        offset += length
    return info, packets


def pcapng_tsresol(options, endian):
    offset = 0
    while offset + 4 <= len(options):
        code, length = struct.unpack_from(endian + "HH", options, offset)
        if code == 0:
            return None
        if code == PCAPNG_OPT_IF_TSRESOL:
            value = options[offset + 4]
            return {6: "us", 9: "ns"}.get(value, f"tsresol={value}")
        offset += 4 + length + (-length % 4)
    return None


def decode(frame):
    """Returns a dict: vlans, ethertype, and the layer 3/4 fields this checker uses."""
    out = {"vlans": []}
    ethertype = struct.unpack_from("!H", frame, 12)[0]
    offset = 14
    while ethertype in VLAN_TPIDS:
        tci, ethertype = struct.unpack_from("!HH", frame, offset)
        out["vlans"].append(tci & 0x0FFF)
        offset += 4
    out["ethertype"] = ethertype
    if ethertype == ETH_P_ARP:
        out["kind"] = "arp"
    elif ethertype == ETH_P_IPV4:
        ihl = (frame[offset] & 0x0F) * 4
        total = struct.unpack_from("!H", frame, offset + 2)[0]
        out["proto"] = frame[offset + 9]
        out["src"] = str(ipaddress.IPv4Address(frame[offset + 12:offset + 16]))
        out["dst"] = str(ipaddress.IPv4Address(frame[offset + 16:offset + 20]))
        decode_l4(frame[offset + ihl:offset + total], out)
    elif ethertype == ETH_P_IPV6:
        payload_len = struct.unpack_from("!H", frame, offset + 4)[0]
        proto = frame[offset + 6]
        out["src"] = str(ipaddress.IPv6Address(frame[offset + 8:offset + 24]))
        out["dst"] = str(ipaddress.IPv6Address(frame[offset + 24:offset + 40]))
        l4 = frame[offset + 40:offset + 40 + payload_len]
        while proto in IPV6_EXTENSION_HEADERS:
            proto, ext_len = l4[0], (l4[1] + 1) * 8
            l4 = l4[ext_len:]
        out["proto"] = proto
        decode_l4(l4, out)
    else:
        out["kind"] = f"ethertype-0x{ethertype:04x}"
    return out


def decode_l4(segment, out):
    proto = out["proto"]
    if proto == IPPROTO_TCP:
        sport, dport, seq, _, off_flags = struct.unpack_from("!HHIIH", segment)
        header = (off_flags >> 12) * 4
        out.update(kind="tcp", sport=sport, dport=dport, seq=seq, flags=off_flags & 0x3F,
                   payload=segment[header:])
    elif proto == IPPROTO_UDP:
        sport, dport = struct.unpack_from("!HH", segment)
        out.update(kind="udp", sport=sport, dport=dport)
    elif proto == IPPROTO_ICMP:
        out["kind"] = f"icmp-type-{segment[0]}"
    elif proto == IPPROTO_ICMPV6:
        out["kind"] = f"icmpv6-type-{segment[0]}"
    else:
        out["kind"] = f"ip-proto-{proto}"


class Connection:
    def __init__(self, src, sport, dst, dport, vlans):
        self.src, self.sport, self.dst, self.dport, self.vlans = src, sport, dst, dport, vlans
        self.flags_out, self.flags_in = set(), set()
        self.packets = 0
        self.segments = {}  # seq -> payload, initiator to responder
        self.isn = 0
        self.gaps = 0

    def name(self):
        return f"{fmt(self.src, self.sport)} -> {fmt(self.dst, self.dport)}"

    def handshake(self):
        return "SYN" in self.flags_out and "SYN-ACK" in self.flags_in and "ACK" in self.flags_out

    def stream(self):
        """The initiator's bytes in sequence order (veth loses nothing; gaps are only counted)."""
        out = bytearray()
        self.gaps = 0
        for start, payload in sorted(((seq - self.isn - 1) & 0xFFFFFFFF, payload)
                                     for seq, payload in self.segments.items()):
            if start > len(out):
                self.gaps += 1
                start = len(out)
            out += payload[len(out) - start:]
        return bytes(out)


def fmt(address, port):
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def flag_names(flags):
    names = set()
    if flags & TCP_SYN:
        names.add("SYN-ACK" if flags & TCP_ACK else "SYN")
    elif flags & TCP_ACK:
        names.add("ACK")
    if flags & TCP_FIN:
        names.add("FIN")
    if flags & TCP_RST:
        names.add("RST")
    return names


def statistics(data):
    n = len(data)
    if n == 0:
        return {"bytes": 0}
    counts = Counter(data)
    expected = n / 256
    return {
        "bytes": n,
        "entropy": -sum(c / n * math.log2(c / n) for c in counts.values()),
        "chi_square": sum((counts.get(b, 0) - expected) ** 2 / expected for b in range(256)),
        "zero": counts.get(0, 0) / n,
        "printable": sum(counts.get(b, 0) for b in range(0x20, 0x7F)) / n,
        "head": data[:8].hex(" "),
    }


def analyse(path):
    data, compressed = open_capture(path)
    magic = struct.unpack_from("<I", data)[0]
    info, packets = read_pcapng(data) if magic == PCAPNG_SHB else read_pcap(data)
    info["gzip"] = compressed
    vlans, other, connections, stations = Counter(), Counter(), {}, set()
    for linktype, frame in packets:
        if linktype != LINKTYPE_ETHERNET:
            other[f"linktype-{linktype}"] += 1
            continue
        try:
            p = decode(frame)
        except (struct.error, IndexError, ValueError):
            other["undecodable"] += 1
            continue
        stations.add(frame[6:12].hex(":"))
        vlans[tuple(p["vlans"])] += 1
        if p.get("kind") != "tcp":
            other[p["kind"]] += 1
            continue
        forward = (p["src"], p["sport"], p["dst"], p["dport"])
        backward = (p["dst"], p["dport"], p["src"], p["sport"])
        if forward not in connections and backward not in connections:
            if p["flags"] & (TCP_SYN | TCP_ACK) != TCP_SYN:
                other["tcp-without-syn"] += 1
                continue
            connections[forward] = Connection(*forward, tuple(p["vlans"]))
            connections[forward].isn = p["seq"]
        conn = connections.get(forward) or connections[backward]
        conn.packets += 1
        names = flag_names(p["flags"])
        if forward in connections:
            conn.flags_out |= names
            if p["payload"]:
                conn.segments.setdefault(p["seq"], p["payload"])
        else:
            conn.flags_in |= names
    info.update(packets=len(packets), vlans=vlans, other=other, stations=sorted(stations),
                connections=list(connections.values()))
    return info


def describe(path, info):
    lines = [f"{path}: {info['format']}{' (gzip)' if info['gzip'] else ''}, "
             f"timestamps {info['tsresol']}, {info['packets']} packets"]
    tags = ", ".join(f"{'vlan ' + '/'.join(map(str, v)) if v else 'untagged'}: {n}"
                     for v, n in sorted(info["vlans"].items()))
    lines.append(f"  frames: {tags}; source MACs: {', '.join(info['stations'])}")
    for conn in info["connections"]:
        s = statistics(conn.stream())
        lines.append(f"  tcp {conn.name()} vlan {'/'.join(map(str, conn.vlans)) or '-'}: "
                     f"{conn.packets} packets, handshake {'yes' if conn.handshake() else 'NO'}, "
                     f"flags out {sorted(conn.flags_out)} in {sorted(conn.flags_in)}")
        if s["bytes"]:
            lines.append(f"    initiator payload {s['bytes']} bytes, head {s['head']}, entropy "
                         f"{s['entropy']:.2f}, chi-square {s['chi_square']:.0f}, zero "
                         f"{s['zero']:.2f}, printable {s['printable']:.2f}")
    if info["other"]:
        lines.append("  other: " + ", ".join(f"{k} {v}" for k, v in sorted(info["other"].items())))
    return "\n".join(lines)


def check(info, args):
    problems = []
    expected_tags = () if args.untagged else (args.vlan,) if args.vlan is not None else None
    if expected_tags is not None and set(info["vlans"]) != {expected_tags}:
        problems.append(f"frames carry tags {sorted(info['vlans'])}, expected only {expected_tags}")
    if len(info["stations"]) > args.stations:
        problems.append(f"frames from {len(info['stations'])} MAC addresses, expected at most "
                        f"{args.stations}: {info['stations']}")
    conns = info["connections"]
    if args.tcp:
        src, dst, ports = args.tcp[0], args.tcp[1], [int(p) for p in args.tcp[2].split(",")]
        if len(conns) != args.connections:
            problems.append(f"{len(conns)} TCP connections, expected exactly {args.connections}")
        for conn in conns:
            if (conn.src, conn.dst) != (src, dst) or conn.dport not in ports:
                problems.append(f"connection {conn.name()}, expected {src} -> "
                                f"{' or '.join(fmt(dst, p) for p in ports)}")
            if not conn.handshake():
                problems.append(f"{conn.name()}: no complete three-way handshake")
            if "FIN" not in conn.flags_out or "FIN" not in conn.flags_in or \
                    "RST" in conn.flags_out | conn.flags_in:
                problems.append(f"{conn.name()}: not closed by a FIN from each side")
    allowed = {"arp"} | {k for k in info["other"] if k.startswith(("icmp-", "icmpv6-"))}
    stray = {k: v for k, v in info["other"].items() if k not in allowed}
    if stray:
        problems.append(f"traffic besides the TCP connection and link control: {stray}")
    if args.require:
        for kind in args.require:
            if not any(k.startswith(kind) for k in info["other"]):
                problems.append(f"no {kind} packets")
    for conn in conns if args.starts_with else ():
        head = conn.stream()[:8].hex()
        if not any(head == "" if prefix == "-" else head.startswith(prefix.lower())
                   for prefix in args.starts_with):
            problems.append(f"{conn.name()}: payload starts {head}, not one of {args.starts_with}")
    if args.payload and conns:
        problems += check_payload(conns[0], args.payload)
    if args.same_as and conns:
        with open(args.same_as, "rb") as sent:
            if conns[0].stream() != sent.read():
                problems.append(f"captured payload differs from {args.same_as}")
    for conn in conns if not args.cut else ():
        conn.stream()
        if conn.gaps:
            problems.append(f"{conn.name()}: {conn.gaps} gaps in the initiator's byte stream")
    if args.format and info["format"] != args.format:
        problems.append(f"format {info['format']}, expected {args.format}")
    if args.tsresol and info["tsresol"] != args.tsresol:
        problems.append(f"timestamps {info['tsresol']}, expected {args.tsresol}")
    return problems


def check_payload(conn, expected):
    data = conn.stream()
    s = statistics(data)
    if s["bytes"] < 4096:
        return [f"only {s['bytes']} payload bytes from the initiator"]
    if expected == "tls":
        ok = data[0] == 0x16 and data[1] == 0x03
        return [] if ok else [f"payload starts {s['head']}, not a TLS handshake record"]
    if expected == "uniform":
        problems = []
        if s["chi_square"] > UNIFORM_CHI_SQUARE_LIMIT:
            problems.append(f"chi-square {s['chi_square']:.0f} > {UNIFORM_CHI_SQUARE_LIMIT:.0f}")
        if data[0] == 0x16 or data[:4] == b"\0\0\0\0":
            problems.append(f"uniform stream starts like a known protocol: {s['head']}")
        return problems
    # plaintext: far from uniform, and not high-entropy like compressed data
    if s["chi_square"] < 100 * UNIFORM_CHI_SQUARE_LIMIT or s["entropy"] > 6.0:
        return [f"payload not plaintext-like (entropy {s['entropy']:.2f}, "
                f"chi-square {s['chi_square']:.0f})"]
    return []


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("capture", nargs="+", help="pcap, pcapng or .gz of either")
    tags = parser.add_mutually_exclusive_group()
    tags.add_argument("--vlan", type=int, help="every frame carries exactly this one 802.1Q tag")
    tags.add_argument("--untagged", action="store_true", help="no frame carries a tag")
    parser.add_argument("--tcp", nargs=3, metavar=("SRC", "DST", "PORT"),
                        help="exactly one TCP connection (or --connections N), SRC to DST:PORT"
                             " (PORT: one port, or several separated by commas), opened and closed")
    parser.add_argument("--connections", type=int, default=1, metavar="N",
                        help="with --tcp: exactly N such connections (default 1)")
    parser.add_argument("--starts-with", action="append", metavar="HEX",
                        help="every connection's initiator payload starts with one of these"
                        " ('-': carries none)")
    parser.add_argument("--payload", choices=("plaintext", "tls", "uniform"),
                        help="what the initiator's payload must look like")
    parser.add_argument("--same-as", metavar="FILE",
                        help="the initiator's reassembled payload equals this file's bytes")
    parser.add_argument("--require", action="append", metavar="KIND",
                        help="other traffic that must be present (arp, icmp-type-8, ...)")
    parser.add_argument("--stations", type=int, default=2,
                        help="at most this many source MAC addresses (default 2: the two hosts)")
    parser.add_argument("--cut", action="store_true",
                        help="cut by trim_capture.py: a gap before the closing segments is expected")
    parser.add_argument("--format", choices=("pcap", "pcapng"))
    parser.add_argument("--tsresol", choices=("us", "ns"))
    args = parser.parse_args(argv)
    failed = False
    for capture in args.capture:
        try:
            info = analyse(capture)
        except (OSError, EOFError, struct.error, IndexError, KeyError, ValueError) as e:
            print(f"{capture}: cannot read: {e}", file=sys.stderr, flush=True)
            failed = True
            continue
        print(describe(capture, info), flush=True)
        problems = check(info, args)
        for problem in problems:
            print(f"  FAIL: {problem}", file=sys.stderr, flush=True)
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
