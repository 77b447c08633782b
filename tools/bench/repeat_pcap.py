#!/usr/bin/env python3
"""Writes ROUNDS copies of a classic pcap's packet records into one file, each round an hour
after the one before (so a flow table ends the round's flows idle before the next starts), to
make a long capture of few heavy streams from a short sample (BENCHMARKS.md, issue 18).

Usage: repeat_pcap.py IN.pcap ROUNDS OUT.pcap
"""
import struct
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    src = open(sys.argv[1], 'rb').read()
    rounds = int(sys.argv[2])
    magic = struct.unpack('<I', src[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        order = '<'
    elif struct.unpack('>I', src[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D):
        order = '>'
    else:
        sys.exit('%s: not a classic pcap file' % sys.argv[1])
    records = []
    at = 24
    while at + 16 <= len(src):
        seconds, fraction, captured, original = struct.unpack(order + 'IIII', src[at:at + 16])
        records.append((seconds, fraction, original, src[at + 16:at + 16 + captured]))
        at += 16 + captured
    with open(sys.argv[3], 'wb') as out:
        out.write(src[:24])
        for r in range(rounds):
            for seconds, fraction, original, data in records:
                out.write(struct.pack(order + 'IIII', seconds + r * 3600, fraction, len(data),
                                      original))
                out.write(data)
    print('wrote %d packets in %d rounds of %d' % (rounds * len(records), rounds, len(records)))


if __name__ == '__main__':
    main()
