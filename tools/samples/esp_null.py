#!/usr/bin/env python3
"""Wrap a capture's IPv4 TCP packets in ESP-NULL (RFC 4303 transport mode, RFC 2410 NULL cipher).

  esp_null.py IN.pcap OUT.pcap

Used by make-crypto-samples.sh where the kernel cannot do ESP itself (no esp4 / xfrm ESP type):
every IPv4 TCP packet of IN (a real capture between namespaces) becomes IP protocol 50 with
SPI + sequence number (one SA per direction, sequence from 1), the TCP segment in clear, the
default padding 1, 2, ... to a 4-byte boundary, Pad Length, Next Header 6, and a 16-byte ICV
(HMAC-SHA-256-128, RFC 4868, over the ESP header, payload and trailer, with a fixed test key).
Everything else (ARP) is copied as it is. Ethernet + IPv4 only; Python 3 standard library.
"""

import hashlib
import hmac
import struct
import sys

KEY = b"migaudit esp-null sample key 256"  # 32 bytes, a test value
SPI_BY_SOURCE = {}
NEXT_SPI = [0x4D410001]
ETH_LEN, ETHERTYPE_IPV4 = 14, 0x0800
PROTO_TCP, PROTO_ESP = 6, 50
ICV_LEN = 16


def checksum(header):
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def wrap(frame):
    if len(frame) < ETH_LEN + 20 or struct.unpack("!H", frame[12:14])[0] != ETHERTYPE_IPV4:
        return frame
    ip = frame[ETH_LEN:]
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    if ip[9] != PROTO_TCP or len(ip) < total:
        return frame
    source = ip[12:16]
    if source not in SPI_BY_SOURCE:
        SPI_BY_SOURCE[source] = [NEXT_SPI[0], 0]
        NEXT_SPI[0] += 1
    sa = SPI_BY_SOURCE[source]
    sa[1] += 1
    segment = ip[ihl:total]
    pad = (4 - (len(segment) + 2) % 4) % 4
    body = struct.pack("!II", sa[0], sa[1]) + segment + bytes(range(1, pad + 1)) + bytes([pad, PROTO_TCP])
    esp = body + hmac.new(KEY, body, hashlib.sha256).digest()[:ICV_LEN]
    header = bytearray(ip[:ihl])
    header[2:4] = struct.pack("!H", ihl + len(esp))
    header[9] = PROTO_ESP
    header[10:12] = b"\0\0"
    header[10:12] = struct.pack("!H", checksum(bytes(header)))
    return frame[:ETH_LEN] + bytes(header) + esp


def main(src, dst):
    with open(src, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    out = [data[:24]]
    at = 24
    while at + 16 <= len(data):
        ts_sec, ts_frac, incl, orig = struct.unpack(endian + "IIII", data[at:at + 16])
        frame = data[at + 16:at + 16 + incl]
        at += 16 + incl
        if incl != orig:
            sys.exit("esp_null.py: a frame is cut by the snap length")
        wrapped = wrap(frame)
        out.append(struct.pack(endian + "IIII", ts_sec, ts_frac, len(wrapped), len(wrapped)) + wrapped)
    with open(dst, "wb") as f:
        f.write(b"".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
