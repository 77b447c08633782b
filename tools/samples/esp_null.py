#!/usr/bin/env python3
"""Wrap a capture's IPv4 TCP packets in IPsec that does not encrypt: ESP-NULL or AH.

  esp_null.py [--esp | --udp-encap | --ah] IN.pcap OUT.pcap

Used by make-crypto-samples.sh where the kernel cannot do IPsec itself (no esp4/ah4 / xfrm ESP
type): every IPv4 TCP packet of IN (a real capture between namespaces) is wrapped in transport
mode, one SA per direction (SPI from 0x4D410001, sequence from 1), with a 16-byte ICV
(HMAC-SHA-256-128, RFC 4868, with a fixed test key):
- --esp (the default): ESP-NULL (RFC 4303, RFC 2410 NULL cipher), IP protocol 50: SPI + sequence number, the
  TCP segment in clear, the default padding 1, 2, ... to a 4-byte boundary, Pad Length, Next
  Header 6, then the ICV over the ESP header, payload and trailer;
- --udp-encap: the same ESP packet inside UDP 4500 -> 4500 (RFC 3948, IPsec through NAT), UDP
  checksum 0 as RFC 3948 section 2.1 allows;
- --ah: an Authentication Header (RFC 4302, IP protocol 51: Next Header 6, Payload Len 5, SPI,
  sequence, ICV) in front of the TCP segment in clear; the ICV covers the IP header with its
  mutable fields zeroed (RFC 4302 section 3.3.3.1), the AH with a zero ICV, and the segment.
Everything else (ARP) is copied as it is. Ethernet + IPv4 only; Python 3 standard library.
"""

import hashlib
import hmac
import struct
import sys

from frame_rewrite import ipv4_checksum as checksum

KEY = b"migaudit esp-null sample key 256"  # 32 bytes, a test value
SPI_BY_SOURCE = {}
NEXT_SPI = [0x4D410001]
ETH_LEN, ETHERTYPE_IPV4 = 14, 0x0800
PROTO_TCP, PROTO_UDP, PROTO_ESP, PROTO_AH = 6, 17, 50, 51
ICV_LEN = 16
NAT_T_PORT = 4500
AH_LEN = 12 + ICV_LEN


def wrap(frame, mode):
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
    header = bytearray(ip[:ihl])
    if mode == "ah":
        payload = ah(header, sa, segment)
        protocol = PROTO_AH
    else:
        pad = (4 - (len(segment) + 2) % 4) % 4
        body = struct.pack("!II", sa[0], sa[1]) + segment + bytes(range(1, pad + 1)) + bytes([pad, PROTO_TCP])
        payload = body + hmac.new(KEY, body, hashlib.sha256).digest()[:ICV_LEN]
        protocol = PROTO_ESP
        if mode == "udp-encap":
            payload = struct.pack("!HHHH", NAT_T_PORT, NAT_T_PORT, 8 + len(payload), 0) + payload
            protocol = PROTO_UDP
    header[2:4] = struct.pack("!H", ihl + len(payload))
    header[9] = protocol
    header[10:12] = b"\0\0"
    header[10:12] = struct.pack("!H", checksum(bytes(header)))
    return frame[:ETH_LEN] + bytes(header) + payload


def ah(header, sa, segment):
    """The AH and the segment it protects, for an IP header whose length and protocol are to be set."""
    immutable = bytearray(header)
    immutable[1] = 0                                    # DSCP/ECN
    immutable[2:4] = struct.pack("!H", len(header) + AH_LEN + len(segment))
    immutable[6:8] = b"\0\0"                            # flags, fragment offset
    immutable[8] = 0                                    # TTL
    immutable[9] = PROTO_AH
    immutable[10:12] = b"\0\0"                          # header checksum
    fixed = struct.pack("!BBHII", PROTO_TCP, AH_LEN // 4 - 2, 0, sa[0], sa[1])
    icv = hmac.new(KEY, bytes(immutable) + fixed + bytes(ICV_LEN) + segment, hashlib.sha256).digest()[:ICV_LEN]
    return fixed + icv + segment


def main(mode, src, dst):
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
        wrapped = wrap(frame, mode)
        out.append(struct.pack(endian + "IIII", ts_sec, ts_frac, len(wrapped), len(wrapped)) + wrapped)
    with open(dst, "wb") as f:
        f.write(b"".join(out))


if __name__ == "__main__":
    args = sys.argv[1:]
    modes = {"--esp": "esp", "--udp-encap": "udp-encap", "--ah": "ah"}
    chosen = modes.get(args[0], None) if args else None
    if chosen:
        args = args[1:]
    if len(args) != 2 or args[0].startswith("-"):
        sys.exit(__doc__)
    main(chosen or "esp", args[0], args[1])
