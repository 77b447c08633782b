package io.migaudit.agent.decode;

import java.nio.ByteBuffer;
import java.util.Arrays;

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
 * <p>When the capture holds the whole datagram, its {@link InvariantCrc} is checked as the
 * receiving NIC checks it: a packet whose ICRC does not match is dropped by the NIC and never
 * reaches the destination, so it is {@link DecodeIssue#ROCE_BAD_ICRC}, counted and skipped, and
 * cannot pass its bytes off as the transfer's. A datagram to 4791 that is not RoCEv2 (or RoCEv2
 * under IPv4 options, IPv6 extension headers or fragmentation, which no RDMA NIC sends) stays plain
 * UDP.
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

  // Extension headers (IBA 9.3): RDMA, ACK, immediate data, invalidate, datagram, atomic, atomic
  // acknowledge, flush, XRC.
  private static final int RETH = 16;
  private static final int AETH = 4;
  private static final int IMMDT = 4;
  private static final int IETH = 4;
  private static final int DETH = 8;
  private static final int ATOMIC_ETH = 28;
  private static final int ATOMIC_ACK_ETH = 8;
  private static final int FETH = 4;
  private static final int XRCETH = 4;

  /** Reliable Connection opcodes 0x00-0x1D; UC and XRC take theirs from these. */
  private static final int RC_OPCODES = 0x1E;

  /** UC carries RC's SEND and RDMA WRITE opcodes, 0x00-0x0B. */
  private static final int UC_OPCODES = 0x0C;

  private static final int UC = 0x20;
  private static final int UD = 0x60;
  private static final int XRC = 0xA0;
  private static final int CNP = 0x81;

  /**
   * Per opcode: extension header bytes after the BTH, {@link #NO_PAYLOAD} set when the packet has
   * no payload; {@link #UNKNOWN} for opcodes RoCE does not carry (the RD transport, reserved
   * codes).
   */
  private static final int[] OPCODES = opcodes();

  private RoceDecoder() {}

  private static int[] opcodes() {
    int[] t = new int[256];
    Arrays.fill(t, UNKNOWN);
    t[0x00] = t[0x01] = t[0x02] = t[0x04] = 0; // SEND first, middle, last, only
    t[0x03] = t[0x05] = IMMDT; // SEND last, only, with immediate
    t[0x06] = t[0x0A] = RETH; // RDMA WRITE first, only
    t[0x07] = t[0x08] = 0; // RDMA WRITE middle, last
    t[0x09] = IMMDT; // RDMA WRITE last with immediate
    t[0x0B] = RETH + IMMDT; // RDMA WRITE only with immediate
    t[0x0C] = RETH | NO_PAYLOAD; // RDMA READ request
    t[0x0D] = t[0x0F] = t[0x10] = AETH; // RDMA READ response first, last, only
    t[0x0E] = 0; // RDMA READ response middle
    t[0x11] = AETH | NO_PAYLOAD; // acknowledge
    t[0x12] = (AETH + ATOMIC_ACK_ETH) | NO_PAYLOAD; // atomic acknowledge
    t[0x13] = t[0x14] = ATOMIC_ETH | NO_PAYLOAD; // compare and swap, fetch and add
    t[0x16] = t[0x17] = IETH; // SEND last, only, with invalidate
    t[0x1C] = (FETH + RETH) | NO_PAYLOAD; // FLUSH
    t[0x1D] = RETH; // ATOMIC WRITE: 8 bytes of payload
    for (int op = 0; op < RC_OPCODES; op++) {
      if (t[op] != UNKNOWN) {
        t[XRC | op] = t[op] + XRCETH; // the XRC header before RC's
        if (op < UC_OPCODES) {
          t[UC | op] = t[op];
        }
      }
    }
    t[UD | 0x04] = DETH; // UD SEND only
    t[UD | 0x05] = DETH + IMMDT; // UD SEND only with immediate
    t[CNP] = 16 | NO_PAYLOAD; // congestion notification: 16 reserved bytes
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
    if (end == wireEnd && !icrcMatches(frame, out.ipOffset, dataWireEnd, out)) {
      return DecodeIssue.ROCE_BAD_ICRC;
    }
    out.ipProtocol = DecodedPacket.PROTOCOL_ROCEV2;
    out.srcPort = UDP_PORT;
    out.dstPort = UDP_PORT;
    int payloadWireEnd = dataWireEnd - pad;
    TransportDecoder.payload(data, Math.min(end, payloadWireEnd), payloadWireEnd, out);
    return DecodeIssue.NONE;
  }

  /** True when the ICRC the packet carries at {@code icrcAt} is its {@link InvariantCrc}. */
  private static boolean icrcMatches(ByteBuffer frame, int ip, int icrcAt, DecodedPacket out) {
    int carried =
        Byte.toUnsignedInt(frame.get(icrcAt)) << 24
            | Byte.toUnsignedInt(frame.get(icrcAt + 1)) << 16
            | Byte.toUnsignedInt(frame.get(icrcAt + 2)) << 8
            | Byte.toUnsignedInt(frame.get(icrcAt + 3));
    return carried == InvariantCrc.of(frame, ip, icrcAt, out.roceHeaders(), out.roceCrc());
  }
}
