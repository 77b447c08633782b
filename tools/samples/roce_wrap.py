#!/usr/bin/env python3
"""Carry a capture's TCP migration over RoCEv2 RDMA WRITEs, as a switch mirror sees them.

  roce_wrap.py [--plaintext | --encrypted | --forged] IN.pcap OUT.pcap

Used by make-samples.sh because this kernel has no RDMA: no soft RoCE (rdma_rxe), so `rdma link
add rxe0 type rxe netdev ...` fails with "Failed to open NETLINK_RDMA socket". IN is a real QEMU
migration over one TCP connection (qemu_wrapped's capture); the byte stream its initiator (the
host that sent the SYN) sent is put back together in sequence order (retransmitted bytes once,
each byte with the time of the segment that first brought it), and sent again as RoCEv2 (the
InfiniBand transport in UDP to port 4791) from one Reliable Connection queue pair to another,
between the same MACs, 802.1Q tag(s) kept as they were, and IPv4 addresses:
- IPv4 with DSCP 26 and ECT(0) (TOS 0x6a), DF, TTL 64, an id counting each sender's packets;
  UDP to 4791 both ways from 0xC000 | QPN (the sender's queue pair), checksum 0 as RoCE NICs send;
- the stream in RDMA WRITE messages of up to 16 KiB to virtual address 0x7f0000000000 + its
  offset, in packets of 1,024 payload bytes (the path MTU): WRITE First with a RETH (address,
  R_Key, the message's length), Middle, Last, or WRITE Only with a RETH for a message of one
  packet; a message whose length is not a multiple of 4 has its last packet padded with zeros
  (PadCnt in the BTH), the last packet asks for an acknowledgement (AckReq), and PSNs count each
  packet from a fixed start; a message never spans a gap in the stream (a capture cut: the bytes
  after it go to their own offset, the PSNs on without a gap);
- after each message, 5 us after its last packet, the destination's RC Acknowledge (AETH: ACK,
  credits invalid, the message sequence number) with the last packet's PSN;
- every packet ends with its ICRC as Linux's rxe (drivers/infiniband/sw/rxe/rxe_icrc.c) computes
  it: CRC-32 (zlib's) over 8 bytes of 0xff (the masked LRH), the IPv4 header with TOS, TTL and
  checksum set to all ones, the UDP header with its checksum set to 0xffff, the BTH with its
  reserved byte 4 set to 0xff, then everything after the BTH up to the ICRC, written
  little-endian.
Modes: --plaintext (the default) writes the migration's bytes; --encrypted XORs them with a
keystream (SHA-256 of a fixed test key and a counter) first, as buffers encrypted before RDMA
places them would be (SMB encryption over SMB Direct): uniform bytes, valid ICRCs; --forged is
the plaintext output with, before each WRITE packet, four copies of it (every header the same,
PSN included) with seeded random payload and a wrong ICRC (the right one XOR 0xffffffff): a NIC
drops them, an auditor that does not check ICRCs samples mostly random bytes.
Timestamps: each packet has its first byte's, moved on where needed so that packets stay at
least 1 us apart (5 us with --forged, whose packets come 4, 3, 2 and 1 us before their real one),
each acknowledgement 5 us after its message. ARP is copied as it is; the TCP handshake, ACKs,
FINs and whatever the destination sent are left out (the RDMA connection replaces them). The
output is read back and every ICRC, checksum and length checked, and the bytes the valid WRITEs
place compared with the stream. Classic pcap (little-endian, microseconds), Ethernet, frames
captured whole; Python 3 standard library.
"""

import bisect
import hashlib
import random
import struct
import sys
import zlib

import frame_rewrite
from frame_rewrite import ipv4_checksum as checksum

ETHERTYPE_IPV4, ETHERTYPE_ARP = 0x0800, 0x0806
VLAN_TPIDS = (0x8100, 0x88A8, 0x9100)
PROTO_TCP, PROTO_UDP = 6, 17
TCP_SYN, TCP_ACK = 0x02, 0x10
ROCE_PORT = 4791
TOS = 26 << 2 | 0b10  # DSCP 26 (AF31), ECN ECT(0)
TTL = 64
DONT_FRAGMENT = 0x4000
SOURCE_QPN, DESTINATION_QPN = 0x00011A, 0x00011B
FIRST_PSN = 0x2A5C31
PKEY = 0xFFFF
R_KEY = 0x0000A17C
VA_BASE = 0x7F0000000000
PATH_MTU = 1024
MESSAGE_BYTES = 16384
FIRST_IP_ID = 1
OP_WRITE_FIRST, OP_WRITE_MIDDLE, OP_WRITE_LAST, OP_WRITE_ONLY, OP_ACK = 0x06, 0x07, 0x08, 0x0A, 0x11
WRITES = (OP_WRITE_FIRST, OP_WRITE_MIDDLE, OP_WRITE_LAST, OP_WRITE_ONLY)
WITH_RETH = (OP_WRITE_FIRST, OP_WRITE_ONLY)
BTH_BYTES, RETH_BYTES, ICRC_BYTES = 12, 16, 4
ACK_REQ = 0x80
AETH_ACK = 0x1F  # ACK, credits invalid
ACK_DELAY_US = 5
KEY = b"migaudit roce sample key"  # the --encrypted keystream's key, a test value
FORGED_SEED = 4791
FORGED_PER_PACKET = 4
MODES = {"--plaintext": "plaintext", "--encrypted": "encrypted", "--forged": "forged"}


def udp_source_port(qpn):
    return 0xC000 | (qpn & 0x3FFF)


def icrc(ip, udp, transport):
    """rxe's ICRC of a RoCEv2 packet: IP and UDP headers, then BTH onwards without the ICRC."""
    masked_ip = bytearray(ip)
    masked_ip[1] = 0xFF  # TOS
    masked_ip[8] = 0xFF  # TTL
    masked_ip[10:12] = b"\xff\xff"  # header checksum
    masked_udp = udp[:6] + b"\xff\xff"
    masked_bth = transport[:4] + b"\xff" + transport[5:BTH_BYTES]
    data = b"\xff" * 8 + bytes(masked_ip) + masked_udp + masked_bth + transport[BTH_BYTES:]
    return zlib.crc32(data).to_bytes(4, "little")


def read_pcap(path):
    header, frames = frame_rewrite.read(path)
    return header, [(seconds * 1_000_000 + micros, frame) for seconds, micros, frame in frames]


def ethernet(frame):
    """(destination MAC, source MAC, tags as they are, EtherType, the rest) of one frame."""
    at, tags = 12, b""
    ethertype = struct.unpack_from("!H", frame, at)[0]
    while ethertype in VLAN_TPIDS:
        tags += frame[at : at + 4]
        at += 4
        ethertype = struct.unpack_from("!H", frame, at)[0]
    return frame[:6], frame[6:12], tags, ethertype, frame[at + 2 :]


def tcp_segment(ip):
    """(source, destination, sport, dport, seq, flags, payload) of an IPv4 TCP packet."""
    ihl, total = (ip[0] & 0x0F) * 4, struct.unpack_from("!H", ip, 2)[0]
    sport, dport, seq, _, offset, flags = struct.unpack_from("!HHIIBB", ip, ihl)
    return ip[12:16], ip[16:20], sport, dport, seq, flags, ip[ihl + (offset >> 4) * 4 : total]


class Stream:
    """The initiator's bytes by offset after its SYN, each first copy with its segment's time."""

    def __init__(self):
        self.data, self.have, self.starts, self.times = bytearray(), bytearray(), [], []

    def add(self, offset, payload, ts):
        end = offset + len(payload)
        if end > 1 << 30:
            sys.exit(f"a TCP segment at stream offset {offset}: not one stream")
        if end > len(self.data):
            self.data.extend(bytes(end - len(self.data)))
            self.have.extend(bytes(end - len(self.have)))
        pos = offset
        while pos < end:
            pos = self.have.find(0, pos, end)
            if pos < 0:
                break
            stop = self.have.find(1, pos, end)
            stop = end if stop < 0 else stop
            self.data[pos:stop] = payload[pos - offset : stop - offset]
            self.have[pos:stop] = b"\x01" * (stop - pos)
            at = bisect.bisect(self.starts, pos)
            self.starts.insert(at, pos)
            self.times.insert(at, ts)
            pos = stop

    def time_at(self, offset):
        return self.times[bisect.bisect(self.starts, offset) - 1]

    def runs(self):
        """The stream's contiguous pieces, (start, end), in order."""
        pieces, pos = [], self.have.find(1)
        while pos >= 0:
            stop = self.have.find(0, pos)
            stop = len(self.have) if stop < 0 else stop
            pieces.append((pos, stop))
            pos = self.have.find(1, stop)
        return pieces


def keystream(length):
    blocks = (length + 31) // 32
    blocks = (hashlib.sha256(KEY + struct.pack("!Q", n)).digest() for n in range(blocks))
    return b"".join(blocks)[:length]


def xor(a, b):
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


class Sender:
    """One end of the RDMA connection: its Ethernet header, addresses, UDP port and IP ids."""

    def __init__(self, macs, tags, source, destination, qpn):
        self.link = macs + tags + struct.pack("!H", ETHERTYPE_IPV4)
        self.source, self.destination = source, destination
        self.port, self.ip_id = udp_source_port(qpn), FIRST_IP_ID

    def frame(self, transport, good=True, ip_id=None):
        """The frame carrying transport (BTH onwards, without ICRC); a bad ICRC unless good."""
        if ip_id is None:
            ip_id, self.ip_id = self.ip_id, (self.ip_id + 1) & 0xFFFF
        udp_length = 8 + len(transport) + ICRC_BYTES
        ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, TOS, 20 + udp_length, ip_id,
                                   DONT_FRAGMENT, TTL, PROTO_UDP, 0, self.source, self.destination))
        ip[10:12] = struct.pack("!H", checksum(bytes(ip)))
        udp = struct.pack("!HHHH", self.port, ROCE_PORT, udp_length, 0)
        crc = icrc(bytes(ip), udp, transport)
        if not good:
            crc = bytes(b ^ 0xFF for b in crc)
        return self.link + bytes(ip) + udp + transport + crc


def bth(opcode, pad, qpn, ack_req, psn):
    return struct.pack("!BBHII", opcode, pad << 4, PKEY, qpn & 0xFFFFFF,
                       (ACK_REQ << 24 if ack_req else 0) | (psn & 0xFFFFFF))


def messages(runs):
    """(stream offset, length) of each WRITE message: 16 KiB pieces of each run."""
    for start, end in runs:
        for offset in range(start, end, MESSAGE_BYTES):
            yield offset, min(MESSAGE_BYTES, end - offset)


def convert(records, mode):
    """The output records (time, frame, ICRC valid), the stream they carry, a few counts."""
    syn = None
    for ts, frame in records:
        _, _, _, ethertype, rest = ethernet(frame)
        if ethertype == ETHERTYPE_IPV4 and rest[9] == PROTO_TCP:
            segment = tcp_segment(rest)
            if segment[5] & TCP_SYN and not segment[5] & TCP_ACK:
                syn = segment, frame
                break
    if syn is None:
        sys.exit("no TCP SYN: cannot tell who sent the migration")
    (source, destination, sport, dport, isn, _, _), syn_frame = syn
    forward, backward = (source, destination, sport, dport), (destination, source, dport, sport)
    source_link = ethernet(syn_frame)
    backward_link = None
    stream, arp, dropped, back_data = Stream(), [], 0, 0
    for index, (ts, frame) in enumerate(records):
        dst_mac, src_mac, tags, ethertype, rest = ethernet(frame)
        if ethertype == ETHERTYPE_ARP:
            arp.append((ts, index, frame))
            continue
        if ethertype != ETHERTYPE_IPV4 or rest[9] != PROTO_TCP:
            sys.exit(f"frame {index + 1}: neither ARP nor IPv4 TCP")
        segment = tcp_segment(rest)
        if segment[:4] == forward:
            if segment[6]:
                stream.add((segment[4] - isn - 1) & 0xFFFFFFFF, segment[6], ts)
            else:
                dropped += 1
        elif segment[:4] == backward:
            backward_link = backward_link or (dst_mac, src_mac, tags)
            back_data += len(segment[6])
            dropped += 1
        else:
            sys.exit(f"frame {index + 1}: a second TCP connection")
    if not stream.runs():
        sys.exit("the initiator sent no data")
    dst_mac, src_mac, tags = source_link[:3]
    requester = Sender(dst_mac + src_mac, tags, source, destination, SOURCE_QPN)
    back = backward_link or (src_mac, dst_mac, tags)  # destination MAC, source MAC, tags
    responder = Sender(back[0] + back[1], back[2], destination, source, DESTINATION_QPN)
    plain = bytes(stream.data)
    sent = xor(plain, keystream(len(plain))) if mode == "encrypted" else plain
    forger = random.Random(FORGED_SEED)
    out, now, psn, msn = [], None, FIRST_PSN, 0
    spacing = FORGED_PER_PACKET + 1 if mode == "forged" else 1  # us, room for the forged ones
    for offset, length in messages(stream.runs()):
        count = (length + PATH_MTU - 1) // PATH_MTU
        for n in range(count):
            at = offset + n * PATH_MTU
            payload = sent[at : min(at + PATH_MTU, offset + length)]
            last = n == count - 1
            pad = (-length) % 4 if last else 0
            opcode = (OP_WRITE_ONLY if count == 1 else OP_WRITE_FIRST if n == 0
                      else OP_WRITE_LAST if last else OP_WRITE_MIDDLE)
            header = bth(opcode, pad, DESTINATION_QPN, last, psn)
            if opcode in WITH_RETH:
                header += struct.pack("!QII", VA_BASE + offset, R_KEY, length)
            ts = stream.time_at(at)
            ts = ts if now is None else max(ts, now + spacing)
            frame = requester.frame(header + payload + bytes(pad))
            if mode == "forged":
                ip_id = struct.unpack_from("!H", frame, len(requester.link) + 4)[0]
                for k in range(FORGED_PER_PACKET):
                    fake = header + forger.randbytes(len(payload)) + bytes(pad)
                    fake = requester.frame(fake, False, ip_id)
                    out.append((ts - FORGED_PER_PACKET + k, fake, False))
            out.append((ts, frame, True))
            now = ts
            psn = (psn + 1) & 0xFFFFFF
        msn = (msn + 1) & 0xFFFFFF
        now += ACK_DELAY_US
        ack = bth(OP_ACK, 0, SOURCE_QPN, False, (psn - 1) & 0xFFFFFF) + struct.pack(
            "!I", AETH_ACK << 24 | msn)
        out.append((now, responder.frame(ack), True))
    merged = sorted([(ts, 0, index, frame, True) for ts, index, frame in arp]
                    + [(ts, 1, n, frame, good) for n, (ts, frame, good) in enumerate(out)])
    result = [(ts, frame, good) for ts, _, _, frame, good in merged]
    links = {requester.port: requester.link, responder.port: responder.link}
    return result, stream, links, {"arp": len(arp), "dropped": dropped, "back": back_data,
                                   "messages": msn, "last_psn": (psn - 1) & 0xFFFFFF}


def write_pcap(path, header, records):
    frame_rewrite.write(
        path, header, [(ts // 1_000_000, ts % 1_000_000, frame) for ts, frame, _ in records])


def verify(path, expected, stream, links, mode):
    """Reads OUT back: every header, length and ICRC; dies unless exactly the forged ICRCs are
    wrong and the valid WRITEs place exactly the stream's bytes (PSNs in order). Returns counts."""
    _, records = read_pcap(path)
    if len(records) != len(expected):
        sys.exit(f"{path}: {len(records)} frames read back, {len(expected)} written")
    placed, have = bytearray(len(stream.data)), bytearray(len(stream.data))
    next_va, next_psn, previous = None, FIRST_PSN, -1
    counts = {"writes": 0, "acks": 0, "forged": 0}
    for n, ((ts, frame), (_, _, good)) in enumerate(zip(records, expected), 1):
        if ts < previous:
            sys.exit(f"{path}: frame {n} goes back in time")
        previous = ts
        _, _, _, ethertype, rest = ethernet(frame)
        if ethertype == ETHERTYPE_ARP:
            continue
        ip, udp = rest[:20], rest[20:28]
        if len(rest) < 20 + 8 + BTH_BYTES + ICRC_BYTES:
            sys.exit(f"{path}: frame {n}: too short for RoCEv2")
        total = struct.unpack_from("!H", ip, 2)[0]
        sport, dport, udp_length, udp_sum = struct.unpack("!HHHH", udp)
        if sport not in links or not frame.startswith(links[sport]):
            sys.exit(f"{path}: frame {n}: not the Ethernet header of the queue pair's sender")
        if (ip[0] != 0x45 or ip[1] != TOS or ip[8] != TTL or ip[9] != PROTO_UDP
                or checksum(ip) != 0 or total != len(rest) or udp_length != total - 20
                or dport != ROCE_PORT or udp_sum != 0):
            sys.exit(f"{path}: frame {n}: bad IPv4 or UDP header")
        transport, crc = rest[28:-ICRC_BYTES], rest[-ICRC_BYTES:]
        if (icrc(ip, udp, transport) == crc) != good:
            sys.exit(f"{path}: frame {n}: ICRC {'wrong' if good else 'right on a forged packet'}")
        opcode, flags, _, qpn, psn = struct.unpack_from("!BBHII", transport)
        pad, ack_req, psn = flags >> 4 & 3, psn >> 31, psn & 0xFFFFFF
        if not good:
            counts["forged"] += 1
            continue
        if opcode == OP_ACK:
            counts["acks"] += 1
            if (sport != udp_source_port(DESTINATION_QPN) or qpn != SOURCE_QPN
                    or psn != (next_psn - 1) & 0xFFFFFF):
                sys.exit(f"{path}: frame {n}: a wrong acknowledgement")
            continue
        if opcode not in WRITES or sport != udp_source_port(SOURCE_QPN) or qpn != DESTINATION_QPN:
            sys.exit(f"{path}: frame {n}: not a WRITE of the connection")
        if psn != next_psn or ack_req != (opcode in (OP_WRITE_LAST, OP_WRITE_ONLY)):
            sys.exit(f"{path}: frame {n}: PSN {psn:#x} or AckReq out of order")
        next_psn = (psn + 1) & 0xFFFFFF
        counts["writes"] += 1
        body = transport[BTH_BYTES:]
        if opcode in WITH_RETH:
            next_va = struct.unpack_from("!Q", body)[0]
            body = body[RETH_BYTES:]
        payload = body[: len(body) - pad]
        offset = next_va - VA_BASE
        placed[offset : offset + len(payload)] = payload
        have[offset : offset + len(payload)] = b"\x01" * len(payload)
        next_va += len(payload)
    if have != stream.have:
        sys.exit(f"{path}: the valid WRITEs place other offsets than the stream has")
    if mode == "encrypted":
        placed = xor(bytes(placed), keystream(len(placed)))
    for start, end in stream.runs():
        if placed[start:end] != stream.data[start:end]:
            sys.exit(f"{path}: the valid WRITEs place other bytes than the stream's")
    return counts


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    flags = [a for a in argv if a.startswith("--")]
    if len(args) != 2 or not set(flags) <= set(MODES) or len(flags) > 1:
        sys.exit(__doc__)
    mode = MODES[flags[0]] if flags else "plaintext"
    header, records = read_pcap(args[0])
    out, stream, links, info = convert(records, mode)
    write_pcap(args[1], header, out)
    counts = verify(args[1], out, stream, links, mode)
    runs = stream.runs()
    print(f"roce_wrap: {len(out)} frames ({mode}): {info['arp']} ARP, {counts['writes']} RDMA WRITE "
          f"packets in {info['messages']} messages ({sum(e - s for s, e in runs)} stream bytes in "
          f"{len(runs)} run(s)), {counts['acks']} acknowledgements, {counts['forged']} forged "
          f"(bad ICRC); QP {SOURCE_QPN:#08x} (UDP {udp_source_port(SOURCE_QPN)}) -> QP "
          f"{DESTINATION_QPN:#08x} (UDP {udp_source_port(DESTINATION_QPN)}), PSN {FIRST_PSN:#08x}-"
          f"{info['last_psn']:#08x}; left out: {info['dropped']} TCP segments "
          f"({info['back']} bytes from the destination)", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
