"""Rewrites each frame of a classic pcap of whole Ethernet frames: what the link wrappers share.

  rewrite(IN, OUT, change) -> (frames written, frames left out)

`change(frame)` returns the frame to write in its place (any length) or None to leave it out;
timestamps are kept. Little-endian microsecond pcap with link type Ethernet only, every frame
captured whole (a wrapper that authenticates or re-frames the bytes needs all of them); anything
else ends the program with a one-line error naming the file. Python 3 standard library.
"""

import struct
import sys

LINKTYPE_ETHERNET = 1
PCAP_MAGIC_USEC = 0xA1B2C3D4


def rewrite(source, target, change):
    with open(source, "rb") as f:
        header, rest = f.read(24), f.read()
    if len(header) < 24:
        sys.exit(f"{source}: not a pcap file")
    magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", header)
    if magic != PCAP_MAGIC_USEC or linktype != LINKTYPE_ETHERNET:
        sys.exit(f"{source}: not a little-endian microsecond pcap of Ethernet frames")
    out, pos, written, left = [header], 0, 0, 0
    while pos < len(rest):
        seconds, micros, caplen, wirelen = struct.unpack_from("<IIII", rest, pos)
        frame = rest[pos + 16 : pos + 16 + caplen]
        pos += 16 + caplen
        if caplen != wirelen or len(frame) != caplen:
            sys.exit(f"{source}: frame {written + left + 1} was not captured whole")
        changed = change(frame)
        if changed is None:
            left += 1
            continue
        out.append(struct.pack("<IIII", seconds, micros, len(changed), len(changed)) + changed)
        written += 1
    with open(target, "wb") as f:
        f.write(b"".join(out))
    return written, left
