package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * VXLAN headers (RFC 7348 section 5) on UDP destination port 4789: flags(1) reserved(3) VNI(3)
 * reserved(1), then the tunnelled Ethernet frame. A datagram whose I flag is clear carries no valid
 * VNI (section 5, "VXLAN Header") and stays a plain UDP packet.
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

  private VxlanDecoder() {}

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
