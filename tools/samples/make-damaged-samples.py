#!/usr/bin/env python3
"""Makes the damaged-input samples from real captures already in samples/ (stdlib only).

  truncated-capture/capture.pcap   vmotion-plaintext's capture cut in the middle of a packet record
                                   (as a capture killed mid-write leaves it)
  ipv4-bad-header/capture.pcap     vmotion-tls's capture with the IPv4 IHL of three TCP data packets
                                   set to 3 (less than the minimum 5, RFC 791)

Both copies are moved one day later (every record's timestamp + 86,400 s): a flow id depends on the
5-tuple and the first packet's time, so an unshifted copy would be the very same flow as its source
and its alerts, being the same alerts, would be raised once for both.

Usage: tools/samples/make-damaged-samples.py  (from the repository root; deterministic)
"""
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parents[2] / "samples"
PCAP_HEADER = 24
RECORD_HEADER = 16
ETHERNET = 14
VLAN_TAG = 4
DAMAGED_PACKETS = 3
ONE_DAY = 86_400


def records(data):
    """Yields (offset of record header, captured length) of a little-endian microsecond pcap."""
    assert struct.unpack_from("<I", data, 0)[0] == 0xA1B2C3D4, "expects a little-endian pcap"
    off = PCAP_HEADER
    while off + RECORD_HEADER <= len(data):
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        yield off, caplen
        off += RECORD_HEADER + caplen


def shifted(data):
    """The capture with every record one day later."""
    out = bytearray(data)
    for off, _ in records(data):
        seconds = struct.unpack_from("<I", out, off)[0]
        struct.pack_into("<I", out, off, seconds + ONE_DAY)
    return out


def truncated():
    data = shifted((ROOT / "vmotion-plaintext" / "capture.pcap").read_bytes())
    recs = list(records(data))
    off, caplen = recs[len(recs) // 2]
    cut = off + RECORD_HEADER + caplen // 2  # inside the middle packet's data
    write("truncated-capture", bytes(data[:cut]))
    return len(recs) // 2


def bad_ihl():
    data = shifted((ROOT / "vmotion-tls" / "capture.pcap").read_bytes())
    damaged = 0
    for off, caplen in records(data):
        frame = off + RECORD_HEADER
        ether_type = struct.unpack_from(">H", data, frame + 12)[0]
        ip = frame + ETHERNET + (VLAN_TAG if ether_type == 0x8100 else 0)
        if data[ip] >> 4 != 4 or data[ip + 9] != 6 or caplen < 200 or damaged == DAMAGED_PACKETS:
            continue
        data[ip] = 0x43  # version 4, IHL 3
        damaged += 1
    assert damaged == DAMAGED_PACKETS
    write("ipv4-bad-header", bytes(data))


def write(name, data):
    d = ROOT / name
    d.mkdir(exist_ok=True)
    (d / "capture.pcap").write_bytes(data)


if __name__ == "__main__":
    kept = truncated()
    bad_ihl()
    print(f"truncated-capture: {kept} whole packets before the cut; ipv4-bad-header: {DAMAGED_PACKETS} packets damaged")
