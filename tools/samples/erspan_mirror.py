#!/usr/bin/env python3
"""A remote port mirror: every frame on a trunk port, sent on to a collector inside GRE + ERSPAN.

Does what a vSphere Distributed Switch port-mirroring session of type "Encapsulated Remote Mirroring
(L3) Source" with ERSPAN type II does (draft-foschiano-erspan-03 section 4.2): each frame seen on
the mirrored port, in either direction and with its 802.1Q tag, is wrapped in an 8-byte ERSPAN type II
header (version 1, the frame's VLAN, En = 3 "tag preserved", the session id, index 0) and a GRE
header with a sequence number (protocol 0x88BE), and sent as IP protocol 47 from this host's mirror
address to the collector. The kernel builds the outer IP header (a raw IPPROTO_GRE socket).

Why it exists: the kernel the samples were made on has no erspan/gretap links and no tc mirred
(`ip link add ... type erspan` fails with "Unknown device type"), so this process plays the
switch's mirror session. The mirrored frames are the kernel's real traffic, unchanged.

Run it inside the mirrored host's network namespace, as root, until SIGTERM or SIGINT:
  erspan_mirror.py --port uplink0 --collector 10.99.0.2 --session 7

Python 3 standard library only (Linux: AF_PACKET, raw IP sockets).
"""

import argparse
import selectors
import signal
import socket
import struct
import sys

SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
AUXDATA = struct.Struct("=IIIHHHH")
ETH_P_ALL = 0x0003
ETH_P_8021Q = 0x8100
ETH_ADDRS_LEN = 12
VLAN_VID_MASK = 0x0FFF
MAX_FRAME = 65536
IPPROTO_GRE = 47
GRE_FLAG_SEQUENCE = 0x1000          # RFC 2890: the S bit, a 32-bit sequence number follows
GRE_PROTOCOL_ERSPAN_II = 0x88BE
ERSPAN_VERSION_II = 1
ERSPAN_EN_TAG_PRESERVED = 3


def inline_tagged(frame, ancillary):
    """The frame with its 802.1Q tag inline: the kernel may have moved a received tag to metadata."""
    for level, kind, data in ancillary:
        if level == SOL_PACKET and kind == PACKET_AUXDATA and len(data) >= AUXDATA.size:
            status, _, _, _, _, tci, _ = AUXDATA.unpack_from(data)
            if status & TP_STATUS_VLAN_VALID:
                return frame[:ETH_ADDRS_LEN] + struct.pack("!HH", ETH_P_8021Q, tci) + frame[ETH_ADDRS_LEN:]
    return frame


def vlan_of(frame):
    if len(frame) >= ETH_ADDRS_LEN + 4 and struct.unpack_from("!H", frame, ETH_ADDRS_LEN)[0] == ETH_P_8021Q:
        return struct.unpack_from("!H", frame, ETH_ADDRS_LEN + 2)[0] & VLAN_VID_MASK
    return 0


def erspan(frame, sequence, session):
    gre = struct.pack("!HHI", GRE_FLAG_SEQUENCE, GRE_PROTOCOL_ERSPAN_II, sequence)
    header = struct.pack("!HHI", (ERSPAN_VERSION_II << 12) | vlan_of(frame),
                         (ERSPAN_EN_TAG_PRESERVED << 11) | (session & 0x3FF), 0)
    return gre + header + frame


def run(port, collector, session):
    mirrored = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    mirrored.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    mirrored.bind((port, ETH_P_ALL))
    out = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_GRE)
    stopping = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.append(True))
    selector = selectors.DefaultSelector()
    selector.register(mirrored, selectors.EVENT_READ)
    sequence = 0
    print(f"erspan_mirror: {port} -> {collector} session {session} ready", file=sys.stderr, flush=True)
    while not stopping:
        try:
            events = selector.select(timeout=0.5)
        except InterruptedError:
            continue
        for _ in events:
            frame, ancillary, _, _ = mirrored.recvmsg(MAX_FRAME, socket.CMSG_SPACE(64))
            out.sendto(erspan(inline_tagged(frame, ancillary), sequence, session), (collector, 0))
            sequence += 1
    print(f"erspan_mirror: stopped after {sequence} frames", file=sys.stderr, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", required=True, help="the mirrored interface (a trunk veth end)")
    parser.add_argument("--collector", required=True, help="IPv4 address of the collector")
    parser.add_argument("--session", type=int, default=7, help="ERSPAN session id (0-1023)")
    args = parser.parse_args(argv)
    run(args.port, args.collector, args.session)
    return 0


if __name__ == "__main__":
    sys.exit(main())
