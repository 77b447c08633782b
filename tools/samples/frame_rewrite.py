"""Rewrites each frame of a classic pcap of whole Ethernet frames: what the link wrappers share.

  rewrite(IN, OUT, change) -> (frames written, frames left out)
  read(IN) -> (pcap header, [(seconds, micros, frame)]); write(OUT, header, frames)
  ipv4_checksum(header) -> the value for an IPv4 header's checksum field (RFC 1071)

`change(frame)` returns the frame to write in its place (any length) or None to leave it out;
timestamps are kept. Little-endian microsecond pcap with link type Ethernet only, every frame
captured whole (a wrapper that authenticates or re-frames the bytes needs all of them); anything
else ends the program with a one-line error naming the file. Python 3 standard library.
"""

import struct
import sys

LINKTYPE_ETHERNET = 1
PCAP_MAGIC_USEC = 0xA1B2C3D4


def ipv4_checksum(header):
    """The checksum of an IPv4 header whose checksum field is zero; 0 for one that is right."""
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def read(source):
    """(pcap header, [(seconds, micros, frame)]) of SOURCE, every frame captured whole."""
    with open(source, "rb") as f:
        header, rest = f.read(24), f.read()
    if len(header) < 24:
        sys.exit(f"{source}: not a pcap file")
    magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", header)
    if magic != PCAP_MAGIC_USEC or linktype != LINKTYPE_ETHERNET:
        sys.exit(f"{source}: not a little-endian microsecond pcap of Ethernet frames")
    frames, pos = [], 0
    while pos < len(rest):
        seconds, micros, caplen, wirelen = struct.unpack_from("<IIII", rest, pos)
        frame = rest[pos + 16 : pos + 16 + caplen]
        pos += 16 + caplen
        if caplen != wirelen or len(frame) != caplen:
            sys.exit(f"{source}: frame {len(frames) + 1} was not captured whole")
        frames.append((seconds, micros, frame))
    return header, frames


def write(target, header, frames):
    """Writes [(seconds, micros, frame)] to TARGET behind HEADER, each frame whole."""
    with open(target, "wb") as f:
        f.write(header)
        for seconds, micros, frame in frames:
            f.write(struct.pack("<IIII", seconds, micros, len(frame), len(frame)) + frame)


def rewrite(source, target, change):
    header, frames = read(source)
    out = []
    for seconds, micros, frame in frames:
        changed = change(frame)
        if changed is not None:
            out.append((seconds, micros, changed))
    write(target, header, out)
    return len(out), len(frames) - len(out)
