#!/usr/bin/env python3
"""Derive the stream-tracking samples from real sample captures, by the edits an attacker or a
messy capture makes to what a sensor sees:

  tools/samples/derive-stream-samples.py [--list] [scenario...]      (run from the repository root)

- injected-*: one forged TCP segment with the migration's own 5-tuple, sent just before its first
  data, carrying a fake TLS record header (17 03 03 00 40 + 64 random bytes) or a fake SSH banner;
  its TCP checksum is wrong (the receiving host drops it) and, unless the scenario says in-window,
  its sequence number lies 2^31 away from the stream's (far outside the receiver's window). This is
  exactly the attack of issue 12: the receiver and the migration never notice; a sensor that reads
  first bytes does.
- midstream-*: the capture starts late (an agent started during the migration): the handshake and
  the first data segments are cut away.
- mirror-one-direction: only the sender-to-receiver half of the conversation (a mirror session of
  one direction, or asymmetric routing).
- capture-loss-*: every fifth data segment of the sender is missing from the capture.
- gro-superframes: a capture on the receiving/sending host with GRO/TSO: runs of consecutive data
  segments coalesced into frames of up to 60,000 payload bytes (far above the MSS), with the IP
  length and checksum of the merged frame and the TCP checksum left as offload leaves it (unfinished).
- fragmented-plaintext: the sender's data segments sent as IPv4 fragments of 32 bytes (as a path with a
  small MTU and DF cleared makes them, or a sender that wants the sensor to see no payload beside
  the ports): the first fragment holds the whole TCP header and no payload, the others carry the
  segment's bytes with no ports. Written gzipped (capture.pcap.gz): it has 3,000 fragments.
- fragment-overlap-plaintext: the sender's data segments as IPv4 fragments of 256 bytes, each piece after
  the first preceded by a forged piece at the same offset carrying random bytes: which copy a receiver
  keeps depends on its system (Linux drops the packet), so a sensor must not pick one.
- insertion-*: forged segments with the migration's own 5-tuple, in the receiver's window, TCP checksum
  wrong (the receiver drops them): a copy of random bytes just before each real data segment
  (shadowed), or one random segment 1 MiB ahead of the stream (leap): a sensor that keeps the first
  bytes it sees at a sequence number keeps the random ones, and the real segments come behind; or a
  forged random stream 2^31 away with forged acknowledgments of it (decoy), which a sensor that
  follows a run of segments outside the window takes for the stream it lost; or a forged RST in
  window before the first data (reset); or, every 16 data segments, a forged RST and a forged SYN
  that opens a new connection on the same ports, filled with random segments (churn), or on the
  stream's own sequence numbers with a random copy before each real segment (churn-shadowed); or
  forged FINs from both ends before the first data (fin).
- snaplen-*: a capture whose snap length cut every frame at 200 bytes (tcpdump -s 200, a mirror
  session's "mirrored packet length"): each record keeps the frame's wire length and its first 200
  bytes, and the file header says snaplen 200.

Python 3 standard library only; the source captures are the real ones under samples/. Each
scenario writes samples/<name>/capture.pcap and expect.yaml, moved FIRST_DAY + its index days earlier
than its source (so it is a flow of its own when samples are replayed together); the random bytes
are seeded, so a rerun writes the same files.
"""

import argparse
import collections
import gzip
import os
import random
import socket
import struct
import sys

PCAP_HEADER = 24
RECORD_HEADER = 16
VLAN_TPIDS = (0x8100, 0x88A8)
ETH_P_IPV4 = 0x0800
IPPROTO_TCP = 6
TCP_SYN, TCP_RST, TCP_FIN, TCP_PSH, TCP_ACK = 0x02, 0x04, 0x01, 0x08, 0x10
FAKE_TLS = bytes([0x17, 0x03, 0x03, 0x00, 0x40])
FAKE_SSH = b"SSH-2.0-OpenSSH_9.6p1 Debian-4\r\n"
FAR_AWAY = 1 << 31
SNAP_LENGTH = 200
SUPER_FRAME_PAYLOAD = 60000
FRAGMENT_BYTES = 32                    # a multiple of 8, and the TCP header with timestamps
IP_FLAG_DF, IP_FLAG_MF = 0x4000, 0x2000
# Days each derived sample is moved back (the first scenario by FIRST_DAY, the next by one more): clear of
# the one-day moves of make-damaged-samples.py and make-kerberos-samples.sh, and never dated after its
# source, so no derived capture lies in the future (the analyzer clamps such records to the present,
# which would make their alert ids change from run to run).
FIRST_DAY = 10


class Packet:
    """One pcap record, with the offsets of its IPv4 and TCP headers when it has them."""

    def __init__(self, ts_sec, ts_usec, frame):
        self.ts_sec, self.ts_usec, self.frame = ts_sec, ts_usec, bytearray(frame)
        self.wire_length = len(frame)  # more than len(frame) once snap_length() cut it
        self.tcp = False
        ethertype = struct.unpack_from("!H", frame, 12)[0]
        offset = 14
        while ethertype in VLAN_TPIDS:
            ethertype = struct.unpack_from("!H", frame, offset + 2)[0]
            offset += 4
        if ethertype != ETH_P_IPV4 or frame[offset + 9] != IPPROTO_TCP:
            return
        self.ip = offset
        self.l4 = offset + (frame[offset] & 0x0F) * 4
        self.tcp = True

    @property
    def sport(self):
        return struct.unpack_from("!H", self.frame, self.l4)[0]

    @property
    def dport(self):
        return struct.unpack_from("!H", self.frame, self.l4 + 2)[0]

    @property
    def seq(self):
        return struct.unpack_from("!I", self.frame, self.l4 + 4)[0]

    @property
    def flags(self):
        return self.frame[self.l4 + 13] & 0x3F

    @property
    def payload_offset(self):
        return self.l4 + (self.frame[self.l4 + 12] >> 4) * 4

    @property
    def payload(self):
        total = struct.unpack_from("!H", self.frame, self.ip + 2)[0]
        return bytes(self.frame[self.payload_offset:self.ip + total])

    def with_payload(self, payload, seq=None):
        """A copy carrying another payload (and sequence number): IP length and checksum redone,
        the TCP checksum left as it was, so it is wrong for the new segment."""
        out = Packet(self.ts_sec, self.ts_usec, bytes(self.frame[:self.payload_offset]) + payload)
        struct.pack_into("!H", out.frame, out.ip + 2, out.payload_offset - out.ip + len(payload))
        if seq is not None:
            struct.pack_into("!I", out.frame, out.l4 + 4, seq & 0xFFFFFFFF)
        struct.pack_into("!H", out.frame, out.ip + 10, 0)
        struct.pack_into("!H", out.frame, out.ip + 10, ip_checksum(out.frame[out.ip:out.l4]))
        return out

    def control(self, flags, micros, seq=None):
        """A copy without payload carrying only `flags` (RST, SYN, FIN...), `micros` earlier, at `seq`
        (default its own); the TCP checksum left wrong, as with_payload leaves it."""
        out = self.with_payload(b"", seq).earlier(micros)
        out.frame[out.l4 + 13] = flags
        return out

    def earlier(self, micros):
        t = self.ts_sec * 1_000_000 + self.ts_usec - micros
        self.ts_sec, self.ts_usec = divmod(t, 1_000_000)
        return self


def ip_checksum(header):
    total = sum(struct.unpack("!%dH" % (len(header) // 2), bytes(header)))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def tcp_checksum(p):
    """The TCP checksum of the IPv4 segment in `p` (RFC 793: over a pseudo-header and the segment)."""
    total = struct.unpack_from("!H", p.frame, p.ip + 2)[0]
    segment = bytearray(p.frame[p.l4:p.ip + total])
    struct.pack_into("!H", segment, 16, 0)
    pseudo = bytes(p.frame[p.ip + 12:p.ip + 20]) + struct.pack("!HH", IPPROTO_TCP, len(segment))
    data = pseudo + bytes(segment) + (b"\0" if len(segment) % 2 else b"")
    return ip_checksum(data)


def read(path):
    data = open(path, "rb").read()
    if struct.unpack_from("<I", data)[0] != 0xA1B2C3D4:
        raise SystemExit(f"{path}: not a little-endian microsecond pcap")
    packets, offset = [], PCAP_HEADER
    while offset + RECORD_HEADER <= len(data):
        ts_sec, ts_usec, caplen, wirelen = struct.unpack_from("<IIII", data, offset)
        if caplen != wirelen:
            raise SystemExit(f"{path}: truncated records are not expected here")
        frame = data[offset + RECORD_HEADER:offset + RECORD_HEADER + caplen]
        packets.append(Packet(ts_sec, ts_usec, frame))
        offset += RECORD_HEADER + caplen
    return data[:PCAP_HEADER], packets


def write(path, header, packets):
    """Writes the capture; a path ending in .gz is gzipped (mtime 0: a rerun writes the same bytes)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if any(p.wire_length > len(p.frame) for p in packets):
        header = header[:16] + struct.pack("<I", SNAP_LENGTH) + header[20:]
    data = bytearray(header)
    for p in packets:
        data += struct.pack("<IIII", p.ts_sec, p.ts_usec, len(p.frame), p.wire_length)
        data += p.frame
    if path.endswith(".gz"):
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
            out.write(data)
    else:
        with open(path, "wb") as out:
            out.write(data)


def is_data_to(p, port):
    return p.tcp and p.dport == port and len(p.payload) > 0


def inject(packets, port, payload, in_window):
    """The forged segment goes just before the sender's first data segment."""
    first = next(i for i, p in enumerate(packets) if is_data_to(p, port))
    real = packets[first]
    seq = real.seq if in_window else real.seq + FAR_AWAY
    forged = real.with_payload(payload, seq).earlier(1)
    return packets[:first] + [forged] + packets[first:]


def midstream(packets, port, skip_bytes):
    """Drops everything of the connection before the sender's payload passes skip_bytes."""
    sent, start = 0, None
    for i, p in enumerate(packets):
        if is_data_to(p, port):
            if sent >= skip_bytes:
                start = i
                break
            sent += len(p.payload)
    return [p for i, p in enumerate(packets) if i >= start or not p.tcp]


def one_direction(packets, port):
    return [p for p in packets if not p.tcp or p.dport == port]


def drop_every(packets, port, n):
    out, k = [], 0
    for p in packets:
        if is_data_to(p, port):
            k += 1
            if k % n == 0:
                continue
        out.append(p)
    return out


def coalesce(packets, port):
    """Merges runs of contiguous data segments of the sender into super-frames, as GRO/TSO shows them:
    the receiver's ACKs sent during a run come after the super-frame, as the host saw them."""
    out, run, held = [], [], []

    def flush():
        if run:
            out.append(run[0].with_payload(b"".join(p.payload for p in run)))
            run.clear()
        out.extend(held)
        held.clear()

    for p in packets:
        mergeable = is_data_to(p, port) and p.flags & ~(TCP_ACK | TCP_PSH) == 0
        if mergeable and run and p.seq == (run[-1].seq + len(run[-1].payload)) & 0xFFFFFFFF \
                and sum(len(q.payload) for q in run) + len(p.payload) <= SUPER_FRAME_PAYLOAD:
            run.append(p)
            continue
        if run and p.tcp and p.sport == port and p.flags & (TCP_SYN | TCP_FIN | TCP_RST) == 0:
            held.append(p)  # the other direction's ACKs during the run
            continue
        flush()
        if mergeable:
            run.append(p)
        else:
            out.append(p)
    flush()
    return out


def fragment(packets, port, size):
    """Each data segment of the sender as IPv4 fragments of size bytes of IP payload (the last one
    shorter): DF cleared, an IP id of its own when the sender left it 0, the header checksum redone."""
    out, next_id = [], 0x4D41
    for p in packets:
        if not is_data_to(p, port):
            out.append(p)
            continue
        total = struct.unpack_from("!H", p.frame, p.ip + 2)[0]
        header, body = bytes(p.frame[:p.l4]), bytes(p.frame[p.l4:p.ip + total])
        ip_id = struct.unpack_from("!H", p.frame, p.ip + 4)[0]
        if ip_id == 0:
            ip_id, next_id = next_id, next_id + 1
        for at in range(0, len(body), size):
            chunk = body[at:at + size]
            more = IP_FLAG_MF if at + size < len(body) else 0
            f = Packet(p.ts_sec, p.ts_usec, header + chunk)
            struct.pack_into("!HHH", f.frame, f.ip + 2, f.l4 - f.ip + len(chunk), ip_id, more | (at // 8))
            struct.pack_into("!H", f.frame, f.ip + 10, 0)
            struct.pack_into("!H", f.frame, f.ip + 10, ip_checksum(f.frame[f.ip:f.l4]))
            out.append(f)
    return out


def overlap(packets, port, size, seed):
    """Each data segment of the sender as IPv4 fragments of size bytes (fragment()), each piece after
    the first and before the last preceded by a forged piece at the same offset and of the same length carrying random bytes
    (the overlapping-fragment evasion, Ptacek and Newsham 1998): a receiver that keeps the first copy
    of a byte takes the random ones, one that keeps the last takes the pages, and Linux since 4.19 (and
    RFC 5722 for IPv6) drops the whole packet. A sensor cannot know which the host did."""
    rng, out = random.Random(seed), []
    for f in fragment(packets, port, size):
        flags = struct.unpack_from("!H", f.frame, f.ip + 6)[0] if f.tcp else 0
        if flags & 0x1FFF and flags & IP_FLAG_MF:  # a middle piece: the packet is not whole before it
            forged = Packet(f.ts_sec, f.ts_usec, bytes(f.frame))
            total = struct.unpack_from("!H", forged.frame, forged.ip + 2)[0]
            start = forged.ip + (forged.frame[forged.ip] & 0x0F) * 4
            forged.frame[start:forged.ip + total] = rng.randbytes(forged.ip + total - start)
            out.append(forged)
        out.append(f)
    return out


def shadow(packets, port, seed):
    """Before each data segment of the sender, a forged copy at the same sequence numbers and of the
    same length carrying random bytes, its TCP checksum left wrong: the receiver drops each copy and
    takes the real segment that follows, a sensor that keeps the first bytes it sees at a sequence
    number keeps the random ones (an insertion attack, Ptacek and Newsham 1998)."""
    rng, out = random.Random(seed), []
    for p in packets:
        if is_data_to(p, port):
            out.append(p.with_payload(rng.randbytes(len(p.payload))).earlier(1))
        out.append(p)
    return out


def leap(packets, port, seed, ahead):
    """Whenever the sender's stream reaches the end of the last forged segment, one forged segment of
    random bytes (wrong TCP checksum) placed `ahead` bytes further on, inside the receiver's window: the
    receiver drops it; a sensor that takes it finds the real segments up to it behind its next expected
    byte, as if they were retransmissions."""
    rng, out, first, forged_end = random.Random(seed), [], None, 0
    for p in packets:
        if is_data_to(p, port):
            first = p.seq if first is None else first
            at = (p.seq - first) & 0xFFFFFFFF
            if at >= forged_end:
                out.append(p.with_payload(rng.randbytes(len(p.payload)), p.seq + ahead).earlier(1))
                forged_end = at + ahead + len(p.payload)
        out.append(p)
    return out


def forged_ack(last_ack, before, acked):
    """A copy of the receiver's last ACK acknowledging `acked`, 1 us before the packet `before`."""
    ack = Packet(before.ts_sec, before.ts_usec, bytes(last_ack.frame)).earlier(1)
    struct.pack_into("!I", ack.frame, ack.l4 + 8, acked & 0xFFFFFFFF)
    return ack


def decoy(packets, port, seed, every):
    """A forged stream of random segments (wrong TCP checksum) 2^31 away from the real one, far outside
    the receiver's window: four in a row before the first data segment, then one after every `every`
    real data segments; and before each real data segment a forged acknowledgment from the receiver
    (a copy of its last ACK, acknowledging the forged stream). A sensor that follows a run of segments
    outside the window as the stream it lost (capture loss longer than the window), and takes the
    receiver's last acknowledgment for where the stream is, follows the forged stream and finds every
    real segment outside its window, never four of them in a row."""
    rng, out, forged_seq, real, last_ack = random.Random(seed), [], None, 0, None
    for p in packets:
        if p.tcp and p.sport == port and not p.payload:
            last_ack = p
        if is_data_to(p, port):
            if forged_seq is None:
                forged_seq = p.seq + FAR_AWAY
                for _ in range(4):
                    out.append(p.with_payload(rng.randbytes(len(p.payload)), forged_seq).earlier(2))
                    forged_seq += len(p.payload)
            elif real % every == 0:
                out.append(p.with_payload(rng.randbytes(len(p.payload)), forged_seq).earlier(2))
                forged_seq += len(p.payload)
            if last_ack is not None:
                out.append(forged_ack(last_ack, p, forged_seq))
            real += 1
        out.append(p)
    return out


def reset(packets, port):
    """A forged RST from the sender, at its stream's next sequence number (in window) and with its
    TCP checksum wrong (the receiver drops it), just before its first data segment: a sensor that
    believes it ends the flow, and takes the data that follows for its trailing retransmissions."""
    first = next(i for i, p in enumerate(packets) if is_data_to(p, port))
    forged = packets[first].control(TCP_RST | TCP_ACK, 1)
    return packets[:first] + [forged] + packets[first:]


def fins(packets, port):
    """Forged FIN+ACKs from both ends (in window, TCP checksums wrong: neither host takes them) just
    before the sender's first data segment: the receiver's at its own next sequence number,
    acknowledging the sender's FIN. A sensor that believes them sees the connection closed from both
    sides, and takes the data that follows for trailing retransmissions."""
    first = next(i for i, p in enumerate(packets) if is_data_to(p, port))
    data = packets[first]
    ack = next(p for p in reversed(packets[:first]) if p.tcp and p.sport == port)
    sender = data.control(TCP_FIN | TCP_ACK, 2)
    receiver = forged_ack(ack, data, data.seq + 1)
    receiver.frame[receiver.l4 + 13] = TCP_FIN | TCP_ACK
    return packets[:first] + [sender, receiver] + packets[first:]


def churn(packets, port, seed, every, pairs=1):
    """Every `every` data segments of the sender (from its first), a forged RST in window at the
    stream's next sequence number and a forged SYN from the sender on the same ports with an initial
    sequence number 2^31 and a random amount further on; then, before each real data segment, a forged
    segment of random bytes in that new connection's window and a forged acknowledgment of it from the
    receiver (a copy of its last ACK). All have their TCP checksum wrong (the receiver drops them; the
    sender drops the ACKs): a sensor that believes them sees a string of short new connections, each
    opened by its SYN and filled with random bytes, while the real stream goes on outside their window.
    With `pairs` above 1, that many RST and SYN pairs in a row, each RST in the window of the connection
    the SYN before it opened, and each such connection given one random segment and its forged ACK."""
    rng, out, real, forged_seq, last_ack = random.Random(seed), [], 0, None, None
    for p in packets:
        if p.tcp and p.sport == port and not p.payload:
            last_ack = p
        if is_data_to(p, port):
            if real % every == 0:
                for pair in range(pairs):
                    before = 4 * (pairs - pair)  # microseconds before p, so that time goes forward
                    if pair:
                        out.append(p.with_payload(rng.randbytes(len(p.payload)), forged_seq).earlier(before + 2))
                        forged_seq += len(p.payload)
                        if last_ack is not None:
                            out.append(forged_ack(last_ack, p, forged_seq).earlier(before))
                    rst = p.control(TCP_RST | TCP_ACK, before, forged_seq if pair else None)
                    forged_seq = p.seq + FAR_AWAY + rng.randrange(1 << 20)
                    syn = p.control(TCP_SYN, before - 1, forged_seq)
                    out += [rst, syn]
                    forged_seq += 1
            out.append(p.with_payload(rng.randbytes(len(p.payload)), forged_seq).earlier(2))
            forged_seq += len(p.payload)
            if last_ack is not None:
                out.append(forged_ack(last_ack, p, forged_seq))
            real += 1
        out.append(p)
    return out


def churn_shadowed(packets, port, seed, every):
    """Every `every` data segments of the sender (from its first), a forged RST in window at the
    stream's next sequence number and a forged SYN from the sender on the same ports whose sequence
    numbers are the real stream's own (its initial one just before the next byte); then, before each
    real data segment, a forged copy at the same sequence numbers carrying random bytes. All have
    their TCP checksum wrong: a sensor that believes them sees a string of short new connections,
    each taking the random copies first and every real segment as a retransmission."""
    rng, out, real = random.Random(seed), [], 0
    for p in packets:
        if is_data_to(p, port):
            if real % every == 0:
                rst = p.control(TCP_RST | TCP_ACK, 3)
                syn = p.control(TCP_SYN, 2, p.seq - 1)
                out += [rst, syn]
            out.append(p.with_payload(rng.randbytes(len(p.payload))).earlier(1))
            real += 1
        out.append(p)
    return out


def relay(packets, port, every):
    """Every `every` data segments of the sender (from its first), a forged RST in window at the
    stream's next sequence number and a forged SYN from the sender whose initial sequence number is the
    one just before it, with no forged data at all (TCP checksums wrong: the receiver drops both). A
    sensor that believes them sees a string of short new connections, each carrying the next `every`
    real segments as its own, each judged on a few KiB, each raising its own alert."""
    out, real = [], 0
    for p in packets:
        if is_data_to(p, port):
            if real % every == 0:
                out += [p.control(TCP_RST | TCP_ACK, 3), p.control(TCP_SYN, 2, p.seq - 1)]
            real += 1
        out.append(p)
    return out


def reversed_syn(packets, port, seed, pause=0):
    """A forged RST from the sender in window and, after it, a forged SYN from the receiver's listening
    port to the sender's port (a seeded random initial sequence number; TCP checksums wrong: neither
    host takes them), just before the sender's first data segment. A sensor that believes them takes
    the receiver for the client of a new connection: the migration becomes a "download" to its
    destination, from a port no catalog lists for a client. With `pause` (microseconds), the SYN and
    everything after it come that much later, as when the sender holds the migration back until a
    sensor has let the closed flow go."""
    first = next(i for i, p in enumerate(packets) if is_data_to(p, port))
    data = packets[first]
    ack = next(p for p in reversed(packets[:first]) if p.tcp and p.sport == port)
    syn = forged_ack(ack, data, 0).earlier(1)
    struct.pack_into("!I", syn.frame, syn.l4 + 4, random.Random(seed).getrandbits(32))
    syn.frame[syn.l4 + 13] = TCP_SYN
    rst = data.control(TCP_RST | TCP_ACK, 3)
    after = [syn] + [Packet(p.ts_sec, p.ts_usec, bytes(p.frame)) for p in packets[first:]]
    for p in after:
        p.earlier(-pause)
    return packets[:first] + [rst] + after


def pulled(packets, port, host, moved_to):
    """The connection of `packets` opened the other way round: the receiver's SYN+ACK made its SYN and
    the sender's SYN its SYN+ACK, so the host that sends the memory accepted the connection its
    destination opened (as `-incoming exec:nc SOURCE PORT` does); and the address `host` (of either end)
    moved to `moved_to`. Frames other than TCP (ARP) are left out; checksums are made right."""
    out = []
    old, new = socket.inet_aton(host), socket.inet_aton(moved_to)
    for p in packets:
        if not p.tcp:
            continue
        q = Packet(p.ts_sec, p.ts_usec, bytes(p.frame))
        for at in (q.ip + 12, q.ip + 16):
            if q.frame[at:at + 4] == old:
                q.frame[at:at + 4] = new
        out.append(q)
    syn = next(i for i, p in enumerate(out) if p.flags == TCP_SYN)
    synack = next(i for i, p in enumerate(out) if p.flags == TCP_SYN | TCP_ACK)
    dialled, answer = out[synack], out[syn]  # the receiver's SYN+ACK becomes its SYN, and back
    answer_ack = (dialled.seq + 1) & 0xFFFFFFFF
    dialled.frame[dialled.l4 + 13] = TCP_SYN
    struct.pack_into("!I", dialled.frame, dialled.l4 + 8, 0)
    answer.frame[answer.l4 + 13] = TCP_SYN | TCP_ACK
    struct.pack_into("!I", answer.frame, answer.l4 + 8, answer_ack)
    (dialled.ts_sec, dialled.ts_usec), (answer.ts_sec, answer.ts_usec) = (answer.ts_sec, answer.ts_usec), (
        dialled.ts_sec, dialled.ts_usec)
    out[syn], out[synack] = dialled, answer
    for q in out:
        struct.pack_into("!H", q.frame, q.ip + 10, 0)
        struct.pack_into("!H", q.frame, q.ip + 10, ip_checksum(q.frame[q.ip:q.l4]))
        struct.pack_into("!H", q.frame, q.l4 + 16, tcp_checksum(q))
    return out


def snap_length(packets, n):
    """Every frame cut to its first n bytes, as a capture with snap length n records it."""
    for p in packets:
        p.frame = p.frame[:n]
    return packets


def fake_tls():
    return FAKE_TLS + random.Random(12).randbytes(64)


def pulled_qemu(host, moved_to, rule, description):
    """The scenario of qemu-unlisted-port turned round by pulled(), `host` moved to `moved_to`: one
    plaintext qemu flow, UNENCRYPTED_MIGRATION and the critical alert `rule`."""
    return ("qemu-unlisted-port", 5000, lambda ps: pulled(ps, 5000, host, moved_to), "qemu", "plaintext",
            UNENCRYPTED + [(rule, "critical")], description)


# name: (source sample, port, transformation, protocol, verdict, alerts, description)
UNENCRYPTED = [("UNENCRYPTED_MIGRATION", "critical")]
SCENARIOS = {
    "injected-tls-header-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: inject(ps, 8000, fake_tls(), False), "vmotion", "plaintext",
        UNENCRYPTED, "Plaintext vMotion stream with a forged out-of-window, bad-checksum segment carrying a fake "
        "TLS record header just before its first data."),
    "injected-ssh-banner-plaintext": (
        "qemu-plaintext", 49152, lambda ps: inject(ps, 49152, FAKE_SSH, False), "qemu", "plaintext", UNENCRYPTED,
        "Plaintext QEMU migration with a forged out-of-window, bad-checksum segment carrying a fake SSH banner "
        "just before its first data."),
    "injected-tls-header-compressed": (
        "hyperv-compressed", 6600, lambda ps: inject(ps, 6600, fake_tls(), False), "hyperv", "compressed",
        UNENCRYPTED, "Compressed Hyper-V migration with a forged out-of-window, bad-checksum segment carrying a "
        "fake TLS record header just before its first data."),
    "injected-ssh-banner-compressed": (
        "vmotion-zlib", 8000, lambda ps: inject(ps, 8000, FAKE_SSH, False), "vmotion", "compressed", UNENCRYPTED,
        "zlib vMotion stream with a forged out-of-window, bad-checksum segment carrying a fake SSH banner just "
        "before its first data."),
    "injected-tls-header-in-window": (
        "qemu-plaintext", 49152, lambda ps: inject(ps, 49152, fake_tls(), True), "qemu", "plaintext", UNENCRYPTED,
        "Plaintext QEMU migration with a forged segment at the stream's own next sequence number (in window, bad "
        "checksum, so the receiver drops it and takes the real one) carrying a fake TLS record header."),
    "midstream-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: midstream(ps, 8000, 20000), "vmotion", "plaintext", UNENCRYPTED,
        "Plaintext vMotion stream picked up mid-way (no handshake, the first 20 KB of the stream not captured)."),
    "midstream-compressed": (
        "hyperv-compressed", 6600, lambda ps: midstream(ps, 6600, 8000), "hyperv", "compressed", UNENCRYPTED,
        "Compressed Hyper-V migration picked up mid-way (no handshake, the first 8 KB of the stream not captured)."),
    "midstream-tls": (
        "qemu-tls", 49152, lambda ps: midstream(ps, 49152, 20000), "qemu", "encrypted", [],
        "QEMU TLS migration picked up mid-way (inside a record, no handshake, the first 20 KB not captured)."),
    "mirror-one-direction": (
        "vmotion-plaintext", 8000, lambda ps: one_direction(ps, 8000), "vmotion", "plaintext", UNENCRYPTED,
        "Plaintext vMotion stream of which only the sender-to-receiver direction was mirrored (no ACKs)."),
    "capture-loss-plaintext": (
        "qemu-plaintext", 49152, lambda ps: drop_every(ps, 49152, 5), "qemu", "plaintext", UNENCRYPTED,
        "Plaintext QEMU migration with every fifth data segment of the sender missing from the capture."),
    "capture-loss-tls": (
        "qemu-tls", 49152, lambda ps: drop_every(ps, 49152, 5), "qemu", "encrypted", [],
        "QEMU TLS migration with every fifth data segment of the sender missing from the capture."),
    "gro-superframes": (
        "vmotion-plaintext", 8000, lambda ps: coalesce(ps, 8000), "vmotion", "plaintext", UNENCRYPTED,
        "Plaintext vMotion stream as a host capture with GRO/TSO shows it, segments coalesced into frames of up "
        "to 60,000 payload bytes."),
    "snaplen-vmotion-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: snap_length(ps, SNAP_LENGTH), "vmotion", "plaintext", UNENCRYPTED,
        "Plaintext vMotion stream in a capture whose snap length cut every frame at 200 bytes; the readable "
        "pages in what was captured still show it."),
    "snaplen-smb3-encrypted": (
        "hyperv-smb3-encrypted", 445, lambda ps: snap_length(ps, SNAP_LENGTH), "hyperv-smb", "unknown", [],
        "SMB3-encrypted Hyper-V migration in a capture cut at 200 bytes a frame; the SMB framing is lost at the "
        "first cut and the clear session setup cannot be told from the ciphertext in so few segment starts, so "
        "the verdict is unknown, not a false alarm."),
    "snaplen-ssh-tunnel": (
        "ssh-tunnel-aes-gcm", 22, lambda ps: snap_length(ps, SNAP_LENGTH), "tunnel-ssh", "unknown", [],
        "The SSH-tunnelled page stream in a capture cut at 200 bytes a frame; the key exchange cannot be "
        "followed and too few bytes are left to judge, so the verdict is unknown, not a false alarm."),
    "snaplen-hyperv-kerberos": (
        "hyperv-kerberos", 6600, lambda ps: snap_length(ps, SNAP_LENGTH), "hyperv", "unknown", [],
        "The Kerberos-authenticated Hyper-V migration in a capture cut at 200 bytes a frame; the KDC requests "
        "are cut, so they show nothing about the authentication (no CredSSP warning), and the sealed stream is "
        "too short in what was captured to judge."),
    "fragmented-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: fragment(ps, 8000, FRAGMENT_BYTES),
        "vmotion", "plaintext", UNENCRYPTED,
        "Plaintext vMotion stream whose data segments travel as IPv4 fragments of 32 bytes; the first "
        "fragment of each holds only the TCP header. The agent puts each segment back together, as the "
        "receiver does, so the connection is judged by the pages it carried."),
    "insertion-shadowed-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: shadow(ps, 8000, 21), "vmotion", "plaintext", UNENCRYPTED,
        "Plaintext vMotion stream whose every data segment follows a forged copy at the same sequence "
        "numbers carrying random bytes (bad checksum, so the receiver drops the copy and takes the real "
        "segment); the pages the receiver took are judged, not the first copy."),
    "insertion-leap-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: leap(ps, 8000, 22, 1 << 20), "vmotion", "plaintext", UNENCRYPTED,
        "Plaintext vMotion stream with a forged random segment 1 MiB ahead of the stream each time the "
        "stream reaches the last one (bad checksum, in window), so the real segments up to it arrive behind "
        "the sensor's next expected byte; they are judged, not skipped as retransmissions."),
    "insertion-decoy-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: decoy(ps, 8000, 23, 3), "vmotion", "plaintext", UNENCRYPTED,
        "Plaintext vMotion stream beside a forged stream of random segments far outside the window (bad "
        "checksum), four in a row first and then one before every third real segment, each real segment after a "
        "forged acknowledgment of the forged stream; the real segments the sensor finds outside its window "
        "are judged, not only ignored."),
    "insertion-reset-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: reset(ps, 8000), ["vmotion unknown", "vmotion plaintext"], None,
        UNENCRYPTED,
        "Plaintext vMotion stream after a forged in-window RST (bad checksum, so the receiver drops it and "
        "the migration goes on); the flow the RST ended has no payload, and the data after it, which a real "
        "RST would have stopped, goes on in a flow of its own and is judged."),
    "insertion-churn-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: churn(ps, 8000, 24, 12), ["vmotion unknown"] + ["vmotion plaintext"] * 6,
        None, UNENCRYPTED,
        "Plaintext vMotion stream behind forged connections (bad checksum, so the receiver drops them), every "
        "12 data segments a RST in window and a SYN on the same ports far from the stream, and before each real "
        "segment a random one in the new connection's window with a forged acknowledgment of it; the real "
        "segments, outside that window, go on the connection the forged RST did not end, are judged with all it "
        "carried, and its alert is raised once."),
    "insertion-fin-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: fins(ps, 8000), ["vmotion unknown", "vmotion plaintext"], None,
        UNENCRYPTED,
        "Plaintext vMotion stream after forged in-window FINs from both ends (bad checksums, so neither host "
        "takes them and the migration goes on); the flow the FINs ended has no payload, and the data after "
        "it goes on the same connection in a flow of its own, is judged, and raises one alert."),
    "insertion-churn-shadowed-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: churn_shadowed(ps, 8000, 25, 12),
        ["vmotion unknown"] + ["vmotion encrypted"] * 4 + ["vmotion plaintext"] * 2, None, UNENCRYPTED,
        "Plaintext vMotion stream behind forged connections on its own sequence numbers (bad checksums), "
        "every 12 data segments a RST in window and a SYN just before the stream's next byte, and before each "
        "real segment a forged copy of random bytes. Each SYN that puts the stream's next byte where the "
        "connection stopped goes on that connection, whose stream takes the random copies first, so its first "
        "records read encrypted; past its first 64 KiB the real segments it did not take are judged, read as "
        "plaintext, and the alert is raised once."),
    "insertion-burst-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: churn(ps, 8000, 26, 12, pairs=6),
        ["vmotion unknown"] + ["vmotion encrypted"] * 30 + ["vmotion plaintext"] * 6, None, UNENCRYPTED,
        "Plaintext vMotion stream behind bursts of forged connections (bad checksums), every 12 data segments "
        "six RST and SYN pairs in a row far from the stream, each connection given one random segment, more "
        "closes in a row than the closed flows a new one keeps; the lightest are let go, never the first, so "
        "the real segments go on the connection, are judged with all it carried, and its alert is raised once. "
        "The forged connections read encrypted."),
    "insertion-relay-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: relay(ps, 8000, 3), ["vmotion unknown"] + ["vmotion plaintext"] * 23,
        None, UNENCRYPTED,
        "Plaintext vMotion stream cut into forged connections (bad checksums), every 3 data segments a RST in "
        "window and a SYN whose next byte is the stream's, with no forged data; each SYN goes on the connection "
        "where it stopped, the stream is judged whole, and one alert is raised, not one per forged connection."),
    "insertion-reversed-syn-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: reversed_syn(ps, 8000, 27), ["vmotion unknown", "vmotion plaintext"],
        None, UNENCRYPTED,
        "Plaintext vMotion stream after a forged in-window RST and a forged SYN from the receiver's listening "
        "port (bad checksums), which would make the receiver the client and the migration a download on no "
        "catalog port; a SYN from the side that answered the handshake, at once, is not taken, and the data "
        "goes on the connection, is judged, and raises one alert."),
    "insertion-reversed-syn-late-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: reversed_syn(ps, 8000, 28, pause=3_000_000),
        ["vmotion unknown", "vmotion plaintext"], None, UNENCRYPTED,
        "Plaintext vMotion stream after a forged in-window RST and, 3 s later (past the linger of the flow it "
        "closed), a forged SYN from the receiver's listening port 8000 (bad checksums); a SYN from a migration "
        "port of the catalog to a client's port is told by its ports, so the data after it is still the "
        "migration to port 8000, judged, with one alert."),
    "cross-zone-pulled-plaintext": pulled_qemu(
        "192.168.50.11", "192.168.50.41", "CROSS_ZONE_MIGRATION",
        "Real plaintext QEMU migration on TCP 5000 (no catalog port, the QEVM signature makes it a migration) "
        "from the dev-zone host 192.168.50.41 to the prod-zone host 192.168.50.12, pulled through a connection "
        "the destination opened (its handshake turned round), as -incoming exec nc does; dev may not migrate "
        "into prod, and the host that sends the memory, not the one that dialled, is the sender."),
    "untrusted-pulled-plaintext": pulled_qemu(
        "192.168.50.12", "192.168.50.98", "UNTRUSTED_DESTINATION",
        "Real plaintext QEMU migration on TCP 5000 from the trusted host 192.168.50.11, pulled by the untrusted "
        "host 192.168.50.98 through a connection it opened (the handshake turned round); the host that dialled "
        "receives the memory, so it is an untrusted destination, not an untrusted source."),
    "fragment-overlap-plaintext": (
        "vmotion-plaintext", 8000, lambda ps: overlap(ps, 8000, 256, 29),
        ["vmotion plaintext", "tcp-bulk plaintext"], None, UNENCRYPTED * 2,
        "Plaintext vMotion stream whose data segments travel as IPv4 fragments of 256 bytes, each middle "
        "piece preceded by a forged piece at the same offset carrying random bytes; receivers differ on "
        "which copy they keep, so the agent puts none of those packets together, counts them, and judges "
        "their pieces as they came, the connection by its first pieces (vmotion), the later pieces in a "
        "flow of their own with no ports between the two trusted hosts (tcp-bulk). The one short segment "
        "in two pieces, with no middle piece, is put back together."),
}

# Scenarios whose fragmented packets the agent must count (expect.yaml): put back together, or not
# because two pieces of a packet start at the same offset with other bytes.
FRAGMENTED_SCENARIOS = ("fragmented-plaintext", "fragment-overlap-plaintext")


def fragment_outcomes(packets):
    """(packets whose pieces fit together, packets with two pieces at one offset) among the IPv4
    packets in fragments, each found by its IP id."""
    offsets = collections.defaultdict(list)
    for p in packets:
        if p.tcp:
            ip_id, flags = struct.unpack_from("!HH", p.frame, p.ip + 4)
            if flags & 0x3FFF:
                offsets[ip_id].append(flags & 0x1FFF)
    overlapping = sum(1 for o in offsets.values() if len(set(o)) < len(o))
    return len(offsets) - overlapping, overlapping


def expect_yaml(protocol, verdict, alerts, description):
    """protocol and verdict of the one migration flow, or a list of "protocol verdict" flows and None."""
    flows = collections.Counter(protocol if verdict is None else [f"{protocol} {verdict}"])
    lines = [f"description: {description}",
             "migrationFlows:         # migration flows (by their final record) per protocol and verdict"]
    lines += [f"  - {{protocol: {f.split()[0]}, verdict: {f.split()[1]}, count: {n}}}" for f, n in flows.items()]
    if alerts:
        lines.append("alerts:                 # exactly these alerts, nothing else")
        lines += [f"  - {{rule: {rule}, severity: {severity}, count: {n}}}"
                  for (rule, severity), n in collections.Counter(alerts).items()]
    else:
        lines.append("alerts: []              # exactly these alerts, nothing else")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true")
    parser.add_argument("scenario", nargs="*")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(SCENARIOS))
        return 0
    for name in args.scenario or SCENARIOS:
        source, _port, transform, protocol, verdict, alerts, description = SCENARIOS[name]
        header, packets = read(os.path.join("samples", source, "capture.pcap"))
        out = transform(packets)
        days = FIRST_DAY + list(SCENARIOS).index(name)
        for p in out:  # another day for each: its own flow, never one of its source's (replays mix samples)
            p.ts_sec -= days * 86400
        capture = "capture.pcap.gz" if name == "fragmented-plaintext" else "capture.pcap"
        write(os.path.join("samples", name, capture), header, out)
        with open(os.path.join("samples", name, "expect.yaml"), "w") as f:
            f.write(expect_yaml(protocol, verdict, alerts, description))
            if name in FRAGMENTED_SCENARIOS:
                whole, overlapping = fragment_outcomes(out)
                f.write(f"reassembledPackets: {whole}    # fragmented packets put back together\n")
                f.write(f"reassemblyConflicts: {overlapping}    # fragmented packets whose pieces disagree\n")
        print(f"{name}: {len(out)} packets from samples/{source} ({len(packets)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
