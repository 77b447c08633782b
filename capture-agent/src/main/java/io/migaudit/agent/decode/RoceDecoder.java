package io.migaudit.agent.decode;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * RoCEv2 (RDMA over Converged Ethernet version 2, InfiniBand Architecture annex A17): the
 * InfiniBand transport in UDP datagrams to port 4791. A migration that goes by RDMA (Hyper-V over
 * SMB Direct, QEMU's {@code rdma:} transport) bypasses the host's network stack, so only a switch
 * mirror sees it, and RDMA itself does not encrypt: the memory travels in clear unless the buffers
 * were encrypted before they were placed (docs/PROTOCOLS.md, "Hyper-V").
 *
 * <p>A datagram to 4791 is read as RoCEv2 when its Base Transport Header holds together: transport
 * version 0, an opcode of the RC, UC, UD or XRC transport or a congestion notification, and the
 * opcode's extension headers, a payload padded to four bytes and the 4-byte invariant CRC (ICRC)
 * filling the datagram exactly. The packet's payload is then the RDMA payload alone (no transport
 * headers, pad or ICRC), and the packet decodes as the pseudo-protocol {@link
 * DecodedPacket#PROTOCOL_ROCEV2}, with both ports 4791: the UDP source port is only a queue pair's
 * entropy for ECMP, and each side sends from its own, so keeping it would split one connection's
 * directions, and every queue pair, into flows of their own. All RDMA between two hosts is one
 * flow.
 *
 * <p>When the capture holds the whole datagram, the ICRC is checked as the receiving NIC checks it
 * (CRC-32 over the IP and UDP headers and the BTH with their variant fields masked, then the rest
 * of the packet; Linux rxe_icrc.c computes the same): a packet whose ICRC does not match is dropped
 * by the NIC and never reaches the destination, so it is {@link DecodeIssue#ROCE_BAD_ICRC}, counted
 * and skipped, and cannot pass its bytes off as the transfer's. A datagram to 4791 that is not
 * RoCEv2 (or RoCEv2 under IPv4 options, IPv6 extension headers or fragmentation, which no RDMA NIC
 * sends) stays plain UDP.
 */
final class RoceDecoder {
  static final int UDP_PORT = 4791;

  /** Base Transport Header. */
  static final int BTH_LENGTH = 12;

  /** Invariant CRC at the end of every packet. */
  static final int ICRC_LENGTH = 4;

  private static final int IPV4_HEADER_LENGTH = 20;
  private static final int IPV6_HEADER_LENGTH = 40;
  private static final int UDP_HEADER_LENGTH = 8;

  /** Payload and pad together are whole 4-byte words (IBA 9.2: PadCnt pads to a word). */
  private static final int WORD = 4;

  private static final int OFFSET_FLAGS = 1;
  private static final int TRANSPORT_VERSION_MASK = 0x0F;
  private static final int PAD_SHIFT = 4;
  private static final int PAD_MASK = 0x3;

  /** An opcode RoCE does not carry. */
  private static final int UNKNOWN = -1;

  /** Marks an opcode whose packets carry no payload (ACK, READ request, atomics, CNP). */
  private static final int NO_PAYLOAD = 0x80;

  /**
   * Per opcode: extension header bytes after the BTH, {@link #NO_PAYLOAD} set when the packet has
   * no payload; {@link #UNKNOWN} for opcodes RoCE does not carry (the RD transport, reserved
   * codes).
   */
  private static final int[] OPCODES = opcodes();

  /** The ICRC's start: CRC-32 over 64 bits of ones, standing in for InfiniBand's masked LRH. */
  private static final byte[] MASKED_LRH = {-1, -1, -1, -1, -1, -1, -1, -1};

  private RoceDecoder() {}

  private static int[] opcodes() {
    int[] t = new int[256];
    Arrays.fill(t, UNKNOWN);
    // Reliable Connection (IBA table 38): SEND, RDMA WRITE (RETH 16), RDMA READ (request RETH 16,
    // responses AETH 4), ACK (AETH), atomics (AtomicETH 28, acknowledge AETH + AtomicAckETH 8),
    // SEND with invalidate (IETH 4), FLUSH (FETH 4 + RETH 16), ATOMIC WRITE (RETH 16, 8 bytes).
    int[] rc = {
      0,
      0,
      0,
      4,
      0,
      4, // SEND first, middle, last, last+imm, only, only+imm
      16,
      0,
      0,
      4,
      16,
      20, // WRITE first, middle, last, last+imm, only, only+imm
      16 | NO_PAYLOAD,
      4,
      0,
      4,
      4, // READ request, response first, middle, last, only
      4 | NO_PAYLOAD,
      12 | NO_PAYLOAD,
      28 | NO_PAYLOAD,
      28 | NO_PAYLOAD, // ACK, atomic ACK, CAS, FAA
      UNKNOWN,
      4,
      4, // reserved, SEND last+invalidate, only+invalidate
      UNKNOWN,
      UNKNOWN,
      UNKNOWN,
      UNKNOWN,
      20 | NO_PAYLOAD,
      16 // reserved x4, FLUSH, ATOMIC WRITE
    };
    for (int op = 0; op < rc.length; op++) {
      t[op] = rc[op]; // RC
      if (rc[op] != UNKNOWN) {
        t[0xA0 | op] = rc[op] + 4; // XRC: XRCETH (4) before the RC headers
      }
    }
    for (int op = 0; op <= 0x0B; op++) {
      t[0x20 | op] = rc[op]; // UC: the SEND and RDMA WRITE opcodes of RC
    }
    t[0x64] = 8; // UD SEND only: DETH
    t[0x65] = 12; // UD SEND only with immediate: DETH + ImmDt
    t[0x81] = 16 | NO_PAYLOAD; // congestion notification: 16 reserved bytes
    return t;
  }

  /**
   * Decodes the UDP payload at {@code payload} of a datagram to port 4791 (captured to {@code end},
   * on the wire to {@code wireEnd}); returns {@code null} when it is not RoCEv2, leaving {@code
   * out} as it was, so that the datagram is decoded as UDP.
   */
  static DecodeIssue decode(
      ByteBuffer frame, int payload, int end, int wireEnd, DecodedPacket out) {
    int udp = payload - UDP_HEADER_LENGTH;
    int ipHeader = out.ipVersion == 4 ? IPV4_HEADER_LENGTH : IPV6_HEADER_LENGTH;
    if (out.ipv4Fragment || out.fragment || udp - out.ipOffset != ipHeader) {
      return null;
    }
    if (end - payload < BTH_LENGTH) {
      return null;
    }
    int opcode = Byte.toUnsignedInt(frame.get(payload));
    int flags = Byte.toUnsignedInt(frame.get(payload + OFFSET_FLAGS));
    int layout = OPCODES[opcode];
    if (layout == UNKNOWN || (flags & TRANSPORT_VERSION_MASK) != 0) {
      return null;
    }
    int pad = (flags >>> PAD_SHIFT) & PAD_MASK;
    int data = payload + BTH_LENGTH + (layout & ~NO_PAYLOAD);
    int dataWireEnd = wireEnd - ICRC_LENGTH;
    int carried = dataWireEnd - data; // payload and pad
    boolean fits =
        (layout & NO_PAYLOAD) != 0
            ? carried == 0 && pad == 0
            : carried >= pad && carried % WORD == 0;
    if (!fits || data > end) {
      return null;
    }
    if (end == wireEnd && !icrcMatches(frame, out.ipOffset, udp, payload, dataWireEnd, out)) {
      return DecodeIssue.ROCE_BAD_ICRC;
    }
    out.ipProtocol = DecodedPacket.PROTOCOL_ROCEV2;
    out.srcPort = UDP_PORT;
    out.dstPort = UDP_PORT;
    int payloadWireEnd = dataWireEnd - pad;
    TransportDecoder.payload(data, Math.min(end, payloadWireEnd), payloadWireEnd, out);
    return DecodeIssue.NONE;
  }

  /**
   * True when the ICRC at {@code icrcAt} is the CRC-32 of the packet with its variant fields masked
   * to ones (IBA annex A17.3.3): IPv4 type of service, TTL and header checksum, or IPv6 traffic
   * class, flow label and hop limit; the UDP checksum; the BTH's reserved byte before the
   * destination queue pair. Written least significant byte first, as Ethernet's FCS is.
   */
  private static boolean icrcMatches(
      ByteBuffer frame, int ip, int udp, int bth, int icrcAt, DecodedPacket out) {
    byte[] masked = out.roceHeaders();
    int n = 0;
    for (int i = ip; i < bth + BTH_LENGTH; i++) {
      masked[n++] = frame.get(i);
    }
    if (out.ipVersion == 4) {
      masked[1] = -1; // type of service
      masked[8] = -1; // TTL
      masked[10] = masked[11] = -1; // header checksum
    } else {
      masked[0] |= 0x0F; // traffic class, high half
      masked[1] = masked[2] = masked[3] = -1; // traffic class, low half, and flow label
      masked[7] = -1; // hop limit
    }
    int u = udp - ip;
    masked[u + 6] = masked[u + 7] = -1; // UDP checksum
    masked[bth - ip + 4] = -1; // BTH reserved byte
    CRC32 crc = out.roceCrc();
    crc.reset();
    crc.update(MASKED_LRH);
    crc.update(masked, 0, n);
    int rest = bth + BTH_LENGTH;
    if (frame.hasArray()) {
      crc.update(frame.array(), frame.arrayOffset() + rest, icrcAt - rest);
    } else {
      crc.update(frame.slice(rest, icrcAt - rest)); // a view: other readers share the frame
    }
    int icrc =
        Byte.toUnsignedInt(frame.get(icrcAt))
            | Byte.toUnsignedInt(frame.get(icrcAt + 1)) << 8
            | Byte.toUnsignedInt(frame.get(icrcAt + 2)) << 16
            | Byte.toUnsignedInt(frame.get(icrcAt + 3)) << 24;
    return icrc == (int) crc.getValue();
  }
}
