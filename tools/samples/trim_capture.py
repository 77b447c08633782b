#!/usr/bin/env python3
"""Cut a pcap to the start of each TCP connection, the way a sensor's capture of a long transfer
would be cut: a migration of a few MB becomes a sample of a few hundred KB.

  trim_capture.py IN.pcap OUT.pcap --keep-bytes 81920

For each TCP connection it keeps the packets up to and including the one that brings either
direction's payload to KEEP bytes, plus every later SYN, FIN or RST (so the capture still shows how
the connection ended). Non-TCP frames (ARP, ...) are all kept. The pcap header and the kept
records are copied unchanged. Python 3 standard library only.
"""

import argparse
import struct
import sys

from check_capture import (PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC, TCP_FIN, TCP_RST, TCP_SYN, decode)

PCAP_HEADER_BYTES = 24
RECORD_HEADER_BYTES = 16


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


def trim(data, keep_bytes):
    out = [data[:PCAP_HEADER_BYTES]]
    sent = {}  # (src, sport, dst, dport) -> payload bytes seen in that direction
    done = set()  # connections (as frozensets of both endpoints) past their budget
    kept = dropped = 0
    for record, frame in records(data):
        p = decode(frame)
        if p.get("kind") != "tcp":
            out.append(record)
            kept += 1
            continue
        direction = (p["src"], p["sport"], p["dst"], p["dport"])
        connection = frozenset([(p["src"], p["sport"]), (p["dst"], p["dport"])])
        control = p["flags"] & (TCP_SYN | TCP_FIN | TCP_RST)
        if connection in done and not control:
            dropped += 1
            continue
        out.append(record)
        kept += 1
        sent[direction] = sent.get(direction, 0) + len(p["payload"])
        if sent[direction] >= keep_bytes:
            done.add(connection)
    return b"".join(out), kept, dropped


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--keep-bytes", type=int, required=True,
                        help="payload bytes kept per connection direction")
    args = parser.parse_args(argv)
    with open(args.input, "rb") as f:
        data = f.read()
    trimmed, kept, dropped = trim(data, args.keep_bytes)
    with open(args.output, "wb") as f:
        f.write(trimmed)
    print(f"trim_capture: kept {kept} packets, dropped {dropped}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
