#!/usr/bin/env python3
"""Cuts a fuzzing seed from each sample capture: the pcap header and the first PACKETS frames, each
kept to at most SNAP bytes (its incl_len set to match), so that the capture fuzzer starts from real
handshakes and migration streams (TLS, SSH, SMB, QEMU, vMotion, IKE, Kerberos, Xen) and not only
from encapsulation captures. Usage: capture_seeds.py SAMPLES_DIR OUT_DIR"""
import pathlib
import struct
import sys

PACKETS = 24
SNAP = 700
MAGICS = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
          b"\xa1\xb2\x3c\x4d": ">"}


def cut(data):
    order = MAGICS.get(data[:4])
    if order is None:
        return None  # pcapng or damaged: the capture fuzzer has its own pcapng seeds
    out = bytearray(data[:24])
    at = 24
    for _ in range(PACKETS):
        if at + 16 > len(data):
            break
        sec, frac, incl, orig = struct.unpack(order + "IIII", data[at:at + 16])
        frame = data[at + 16:at + 16 + min(incl, len(data) - at - 16)]
        kept = frame[:SNAP]
        out += struct.pack(order + "IIII", sec, frac, len(kept), orig) + kept
        at += 16 + incl
    return bytes(out)


def main():
    samples, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for capture in sorted(samples.glob("*/capture.pcap")):
        seed = cut(capture.read_bytes())
        if seed is not None:
            (out / ("sample-" + capture.parent.name + ".pcap")).write_bytes(seed)


if __name__ == "__main__":
    main()
