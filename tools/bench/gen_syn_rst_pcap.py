#!/usr/bin/env python3
"""A SYN-RST flood capture (python3 standard library only): N connection attempts, each a SYN and a
RST+ACK back, between 200 scanning and many scanned IPv4 addresses, 10 us apart. Every flow closes
without payload, the case a port scan or a host that refuses connections gives the flow table.

  tools/bench/gen_syn_rst_pcap.py OUT.pcap [FLOWS]        (default 500000 flows, 1 M packets)

Used by BENCHMARKS.md ("Forged closes and SYNs") with tools/bench/ab-passes.sh (AB_CAPTURE=OUT.pcap).
Deterministic: the same arguments write the same file.
"""
import struct
import sys


def checksum(header):
    s = sum(struct.unpack("!10H", header))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main(path, flows):
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t0 = 1_700_000_000_000_000
        for i in range(flows):
            src = (198 << 24) | (18 << 16) | (1 << 8) | (1 + i % 200)
            dst = (198 << 24) | (19 << 16) | ((i // 200) % 250 << 8) | (1 + (i // 50000) % 250)
            sport, dport = 1024 + (i * 7919) % 60000, 1 + i % 1000
            for k, (s, d, sp, dp, flags) in enumerate([(src, dst, sport, dport, 0x02), (dst, src, dport, sport, 0x14)]):
                tcp = struct.pack("!HHIIBBHHH", sp, dp, 1000 + i, 0 if flags == 0x02 else 1001 + i, 5 << 4, flags,
                                  64240, 0, 0)
                ip = bytearray(struct.pack("!BBHHHBBHII", 0x45, 0, 40, i & 0xFFFF, 0, 64, 6, 0, s, d))
                struct.pack_into("!H", ip, 10, checksum(bytes(ip)))
                frame = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00" + bytes(ip) + tcp
                ts = t0 + i * 10 + k * 2
                out.write(struct.pack("<IIII", ts // 1_000_000, ts % 1_000_000, len(frame), len(frame)) + frame)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 500_000)
