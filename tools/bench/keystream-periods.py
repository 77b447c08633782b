#!/usr/bin/env python3
"""The agent's verdict on one real QEMU stream under keystreams of several periods.

  tools/bench/keystream-periods.py [--keep DIR]

Takes samples/qemu-keystream-reuse/capture.pcap (a real QEMU 7.2 migration through
tools/samples/xor_tunnel.py, a 64 KiB keystream of SHAKE-256 of the tunnel's default key), takes
the tunnel's keystream off the migration's direction (.11 -> .12:5555) segment by segment, and
writes it again under other keystreams: none (the plain stream), one that never repeats (a cipher
used right: SHAKE-256 over the whole stream), and pads of several periods, some a multiple of 64
bytes, some not, some longer than the agent looks. Same packets, same lengths, only the payload
bytes change. Each variant is replayed by `./migaudit replay --policy samples/policy.yaml --flows
FILE`, and its migration flow's final verdict and the start of its reason are printed, next to the
share of bytes equal to the byte a period on in the first 256 KiB of the stream. Python 3 standard
library; run from the repository root.
"""

import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile

SAMPLE = "samples/qemu-keystream-reuse/capture.pcap"
TUNNEL_KEY = b"migaudit sample key"
TUNNEL_BLOCK = 65536
PORT = 5555
PERIODS = (4096, 16384, 65536, 98304, 131072, 196608, 65537, 262144)


def packets(path):
    with open(path, "rb") as f:
        header = f.read(24)
        magic = struct.unpack("<I", header[:4])[0]
        if magic != 0xA1B2C3D4:
            sys.exit(f"{path}: not a little-endian microsecond pcap")
        out = []
        while True:
            record = f.read(16)
            if len(record) < 16:
                break
            ts_sec, ts_usec, caplen, wirelen = struct.unpack("<IIII", record)
            out.append([record, bytearray(f.read(caplen))])
        return header, out


def tcp_payload(frame):
    """(payload offset, payload length, seq) of a VLAN-tagged IPv4 TCP segment to PORT, or None."""
    at = 12
    while frame[at:at + 2] in (b"\x81\x00", b"\x88\xa8"):
        at += 4
    if frame[at:at + 2] != b"\x08\x00":
        return None
    ip = at + 2
    if frame[ip + 9] != 6:
        return None
    ihl = (frame[ip] & 0x0F) * 4
    total = struct.unpack(">H", frame[ip + 2:ip + 4])[0]
    tcp = ip + ihl
    dport = struct.unpack(">H", frame[tcp + 2:tcp + 4])[0]
    if dport != PORT:
        return None
    seq = struct.unpack(">I", frame[tcp + 4:tcp + 8])[0]
    data = tcp + (frame[tcp + 12] >> 4) * 4
    length = min(ip + total, len(frame)) - data
    return data, length, seq, frame[tcp + 13] & 0x02


def keystream(name, length):
    if name == "plain":
        return bytes(length)
    if name == "never repeats":
        return hashlib.shake_256(b"a cipher used right").digest(length)
    period = int(name)
    pad = hashlib.shake_256(b"period %d" % period).digest(period)
    return (pad * (length // period + 1))[:length]


def variant(header, pkts, name, stream_length, path):
    tunnel = keystream_of_tunnel(stream_length)
    new = keystream(name, stream_length)
    isn = None
    with open(path, "wb") as f:
        f.write(header)
        for record, frame in pkts:
            frame = bytearray(frame)
            seg = tcp_payload(frame)
            if seg is not None:
                data, length, seq, syn = seg
                if syn:
                    isn = seq + 1
                elif isn is not None and length > 0:
                    off = (seq - isn) % (1 << 32)
                    for i in range(length):
                        if off + i < stream_length:
                            frame[data + i] ^= tunnel[off + i] ^ new[off + i]
            f.write(record)
            f.write(frame)


def keystream_of_tunnel(length):
    pad = hashlib.shake_256(TUNNEL_KEY).digest(TUNNEL_BLOCK)
    return (pad * (length // TUNNEL_BLOCK + 1))[:length]


def plain_stream(pkts, length):
    tunnel = keystream_of_tunnel(length)
    out = bytearray(length)
    isn = None
    for _, frame in pkts:
        seg = tcp_payload(frame)
        if seg is None:
            continue
        data, seg_length, seq, syn = seg
        if syn:
            isn = seq + 1
        elif isn is not None:
            off = (seq - isn) % (1 << 32)
            for i in range(seg_length):
                if off + i < length:
                    out[off + i] = frame[data + i] ^ tunnel[off + i]
    return bytes(out)


def equal_share(wire, period):
    span = min(len(wire), 256 * 1024) - period
    if span <= 0:
        return None
    return sum(1 for i in range(span) if wire[i] == wire[i + period]) / span


def verdict(path):
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as flows:
        subprocess.run(["./migaudit", "replay", "--policy", "samples/policy.yaml", "--flows",
                        flows.name, path], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        last = None
        for line in open(flows.name):
            record = json.loads(line)
            if record.get("dstPort") == PORT:
                last = record
        return last["payload"]["verdict"], last["payload"]["reason"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", help="write the variants here (default: a temporary directory)")
    args = parser.parse_args(argv)
    header, pkts = packets(SAMPLE)
    stream_length = 320 * 1024 + 4096
    plain = plain_stream(pkts, stream_length)
    if plain[:4] != b"QEVM":
        sys.exit("the sample's stream does not decode to QEVM: not the tunnel's keystream")
    out = args.keep or tempfile.mkdtemp(prefix="keystream-periods.")
    os.makedirs(out, exist_ok=True)
    print(f"{'keystream':<16} {'equal a period on':>18}  verdict     reason")
    for name in ("plain", "never repeats") + tuple(str(p) for p in PERIODS):
        path = os.path.join(out, f"{name.replace(' ', '-')}.pcap")
        variant(header, pkts, name, stream_length, path)
        wire = bytes(a ^ b for a, b in zip(plain[:256 * 1024], keystream(name, 256 * 1024)))
        share = None if not name.isdigit() else equal_share(wire, int(name))
        v, reason = verdict(path)
        shown = "" if share is None else f"{100 * share:.1f} %"
        label = name if not name.isdigit() else f"{name} bytes"
        print(f"{label:<16} {shown:>18}  {v:<11} {reason[:70]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
