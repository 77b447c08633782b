package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * VXLAN headers (RFC 7348 section 5) on UDP destination port 4789, or on another port when an
 * Ethernet frame follows ({@link #isHeader}): flags(1) reserved(3) VNI(3) reserved(1), then the
 * tunnelled Ethernet frame. A datagram whose I flag is clear carries no valid VNI (section 5,
 * "VXLAN Header") and stays a plain UDP packet.
 */
final class VxlanDecoder {
  /** IANA-assigned VXLAN port (RFC 7348 section 5, "Destination Port"). */
  static final int UDP_PORT = 4789;

  static final int HEADER_LENGTH = 8;

  /** The I flag: the VNI is valid. */
  static final int FLAG_VNI = 0x08;

  private static final int OFFSET_FLAGS = 0;

  /** RFC 7348 5: the VNI is the high 24 bits of the second word. */
  private static final int OFFSET_VNI = 4;

  /**
   * RFC 7348 5: flag bits other than I are reserved; the Group Policy extension (draft-smith-vxlan-
   * group-policy, Linux's {@code gbp}) sets G, 0x80, and uses the reserved bytes after the flags.
   */
  private static final int FLAGS_NOT_I_OR_G = 0x77;

  /** RFC 7348 5: the last byte of the header is reserved. */
  private static final int OFFSET_LAST_RESERVED = 7;

  private VxlanDecoder() {}

  /**
   * True when the 8 bytes at {@code offset} (in the frame) are a VXLAN header: I set, no reserved
   * flag but G, the last byte zero. For a datagram on a port other than 4789 whose payload holds an
   * Ethernet frame right after them.
   */
  static boolean isHeader(ByteBuffer frame, int offset) {
    int flags = Byte.toUnsignedInt(frame.get(offset + OFFSET_FLAGS));
    return (flags & FLAG_VNI) != 0
        && (flags & FLAGS_NOT_I_OR_G) == 0
        && frame.get(offset + OFFSET_LAST_RESERVED) == 0;
  }

  /** Decodes the UDP payload at {@code offset} as VXLAN; ports are already in {@code out}. */
  static DecodeIssue decode(ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    if (end - offset < HEADER_LENGTH) {
      return DecodeIssue.VXLAN_TOO_SHORT;
    }
    if ((Byte.toUnsignedInt(frame.get(offset + OFFSET_FLAGS)) & FLAG_VNI) == 0) {
      TransportDecoder.payload(offset, end, wireEnd, out);
      return DecodeIssue.NONE;
    }
    if (!out.enterTunnel(Layer.VXLAN)) {
      return DecodeIssue.TUNNEL_TOO_DEEP;
    }
    out.vni = frame.getInt(offset + OFFSET_VNI) >>> 8; // RFC 7348 5: 24-bit VNI
    out.tunnelId(out.vni);
    return EthernetDecoder.decode(frame, offset + HEADER_LENGTH, end, wireEnd, out);
  }
}
