#!/usr/bin/env python3
"""Check the Kerberos requests of a capture and write the raw TGS-REQ messages as test fixtures.

  kerberos_fixtures.py mgmt.pcap --client 10.10.0.21 --kdc 10.10.0.2 \
      --expect "tcp:Microsoft Virtual System Migration Service/hv-02.corp.example@CORP.EXAMPLE" \
      [--write-to DIR]

Reads a microsecond pcap of untagged Ethernet/IPv4 (tcpdump's), collects what CLIENT sent to KDC
port 88 (TCP: the connection's bytes in capture order, split at each 4-byte length prefix; UDP:
each datagram), and reads every message with a minimal DER walker of its own (RFC 4120 KDC-REQ:
msg-type, req-body realm and sname), independent of the Java one on purpose. Exits 1 unless the
TGS-REQs found are exactly the --expect ones ("tcp:" or "udp:" + service@realm). With --write-to,
writes the first TCP TGS-REQ (length prefix included) as tgs-req-tcp.bin and the first UDP one as
tgs-req-udp.bin. Python 3 standard library only.
"""

import argparse
import ipaddress
import struct
import sys
from pathlib import Path

KERBEROS_PORT = 88
ETH_P_IPV4 = 0x0800
IPPROTO_TCP, IPPROTO_UDP = 6, 17
TGS_REQ_TAG, MSG_TYPE_TGS_REQ = 0x6C, 12


def packets(path):
    data = Path(path).read_bytes()
    if struct.unpack_from("<I", data)[0] != 0xA1B2C3D4:
        raise SystemExit(f"{path}: not a little-endian microsecond pcap")
    offset = 24
    while offset + 16 <= len(data):
        _, _, incl, _ = struct.unpack_from("<IIII", data, offset)
        yield data[offset + 16:offset + 16 + incl]
        offset += 16 + incl


def client_payloads(path, client, kdc):
    """(transport, flow key, payload) of each client -> kdc:88 packet with payload."""
    for frame in packets(path):
        if len(frame) < 34 or struct.unpack_from("!H", frame, 12)[0] != ETH_P_IPV4:
            continue
        ip = frame[14:]
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack_from("!H", ip, 2)[0]
        proto, src, dst = ip[9], ipaddress.ip_address(ip[12:16]), ipaddress.ip_address(ip[16:20])
        if src != client or dst != kdc:
            continue
        l4 = ip[ihl:total]
        sport, dport = struct.unpack_from("!HH", l4)
        if dport != KERBEROS_PORT:
            continue
        if proto == IPPROTO_TCP:
            payload = l4[(l4[12] >> 4) * 4:]
            if payload:
                yield "tcp", sport, payload
        elif proto == IPPROTO_UDP:
            yield "udp", sport, l4[8:]


def tlv(buf, at):
    """(tag, value start, value end) of the DER element at `at`."""
    tag, first = buf[at], buf[at + 1]
    at += 2
    if first < 0x80:
        length = first
    else:
        n = first - 0x80
        if not 1 <= n <= 4:
            raise ValueError("bad DER length")
        length = int.from_bytes(buf[at:at + n], "big")
        at += n
    if at + length > len(buf):
        raise ValueError("element longer than the message")
    return tag, at, at + length


def children(buf, start, end):
    while start < end:
        tag, vs, ve = tlv(buf, start)
        yield tag, vs, ve
        start = ve


def tgs_request(msg):
    """service@realm of a TGS-REQ, or None for any other message."""
    tag, vs, ve = tlv(msg, 0)
    if tag != TGS_REQ_TAG:
        return None
    _, ss, se = tlv(msg, vs)
    fields = {t: (s, e) for t, s, e in children(msg, ss, se)}
    _, its, ite = tlv(msg, fields[0xA2][0])
    if int.from_bytes(msg[its:ite], "big") != MSG_TYPE_TGS_REQ:
        raise ValueError("APPLICATION 12 with another msg-type")
    _, bs, be = tlv(msg, fields[0xA4][0])
    body = {t: (s, e) for t, s, e in children(msg, bs, be)}
    _, rs, re_ = tlv(msg, body[0xA2][0])
    realm = msg[rs:re_].decode("ascii")
    _, ps, pe = tlv(msg, body[0xA3][0])
    names = {t: (s, e) for t, s, e in children(msg, ps, pe)}
    _, ns, ne = tlv(msg, names[0xA1][0])
    parts = [msg[s:e].decode("ascii") for _, s, e in children(msg, ns, ne)]
    return "/".join(parts) + "@" + realm


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture")
    parser.add_argument("--client", required=True, type=ipaddress.ip_address)
    parser.add_argument("--kdc", required=True, type=ipaddress.ip_address)
    parser.add_argument("--expect", action="append", default=[], metavar="TRANSPORT:SERVICE@REALM")
    parser.add_argument("--write-to", metavar="DIR")
    args = parser.parse_args()
    streams, datagrams = {}, []
    for transport, port, payload in client_payloads(args.capture, args.client, args.kdc):
        if transport == "tcp":
            streams[port] = streams.get(port, b"") + payload
        else:
            datagrams.append(payload)
    messages = []
    for stream in streams.values():
        at = 0
        while at + 4 <= len(stream):
            length = struct.unpack_from("!I", stream, at)[0]
            messages.append(("tcp", stream[at:at + 4 + length], stream[at + 4:at + 4 + length]))
            at += 4 + length
    messages += [("udp", d, d) for d in datagrams]
    found, first = [], {}
    for transport, raw, msg in messages:
        name = tgs_request(msg)
        kind = "TGS-REQ " + name if name else f"message tag 0x{msg[0]:02x}"
        print(f"{transport} {len(msg)} bytes: {kind}")
        if name:
            found.append(f"{transport}:{name}")
            first.setdefault(transport, raw)
    if sorted(found) != sorted(args.expect):
        print(f"TGS-REQs {sorted(found)} are not the expected {sorted(args.expect)}", file=sys.stderr)
        return 1
    if args.write_to:
        out = Path(args.write_to)
        out.mkdir(parents=True, exist_ok=True)
        for transport, raw in first.items():
            (out / f"tgs-req-{transport}.bin").write_bytes(raw)
            print(f"wrote {out / f'tgs-req-{transport}.bin'} ({len(raw)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
