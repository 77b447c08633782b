package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * Geneve headers (RFC 8926 section 3.4) on UDP destination port 6081: version(2) option length(6) |
 * O(1) C(1) reserved(6) | protocol type(2) | VNI(3) reserved(1), then option length x 4 bytes of
 * options. The protocol type names the payload: Ethernet (0x6558) or, without a link header, IPv4
 * or IPv6. Other versions and protocol types stay plain UDP packets.
 */
final class GeneveDecoder {
  /** IANA-assigned Geneve port (RFC 8926 section 3.3). */
  static final int UDP_PORT = 6081;

  static final int BASE_HEADER_LENGTH = 8;
  private static final int OFFSET_VERSION_OPTIONS = 0;
  private static final int OFFSET_PROTOCOL_TYPE = 2;

  /** RFC 8926 3.4: the VNI is the high 24 bits of the second word. */
  private static final int OFFSET_VNI = 4;

  private static final int VERSION_SHIFT = 6;
  static final int VERSION = 0;
  private static final int OPTIONS_LENGTH_MASK = 0x3F;

  /** Option length counts 4-byte multiples. */
  private static final int OPTIONS_LENGTH_UNIT = 4;

  /** Transparent Ethernet bridging (RFC 8926 section 3.4, "Protocol Type"). */
  static final int PROTOCOL_ETHERNET = 0x6558;

  private GeneveDecoder() {}

  /** Decodes the UDP payload at {@code offset} as Geneve; ports are already in {@code out}. */
  static DecodeIssue decode(ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    if (end - offset < BASE_HEADER_LENGTH) {
      return DecodeIssue.GENEVE_TOO_SHORT;
    }
    int versionOptions = Byte.toUnsignedInt(frame.get(offset + OFFSET_VERSION_OPTIONS));
    int protocol = Short.toUnsignedInt(frame.getShort(offset + OFFSET_PROTOCOL_TYPE));
    boolean known =
        protocol == PROTOCOL_ETHERNET
            || protocol == EthernetDecoder.ETHERTYPE_IPV4
            || protocol == EthernetDecoder.ETHERTYPE_IPV6;
    if (versionOptions >>> VERSION_SHIFT != VERSION || !known) {
      TransportDecoder.payload(offset, end, wireEnd, out);
      return DecodeIssue.NONE;
    }
    int headerLength =
        BASE_HEADER_LENGTH + (versionOptions & OPTIONS_LENGTH_MASK) * OPTIONS_LENGTH_UNIT;
    if (end - offset < headerLength) {
      return DecodeIssue.GENEVE_TOO_SHORT;
    }
    if (!out.enterTunnel(Layer.GENEVE)) {
      return DecodeIssue.TUNNEL_TOO_DEEP;
    }
    out.vni = frame.getInt(offset + OFFSET_VNI) >>> 8; // RFC 8926 3.4: 24-bit VNI
    out.tunnelId(out.vni);
    int inner = offset + headerLength;
    return protocol == PROTOCOL_ETHERNET
        ? EthernetDecoder.decode(frame, inner, end, wireEnd, out)
        : EthernetDecoder.decodeEtherType(protocol, frame, inner, end, wireEnd, out);
  }
}
