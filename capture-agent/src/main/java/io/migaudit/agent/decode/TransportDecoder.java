package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * Hands the IP payload to the decoder of its protocol (IANA "Assigned Internet Protocol Numbers").
 * TCP and UDP have ports; ESP, ICMP, ICMPv6 and every other protocol decode with ports 0 and the
 * payload right after the IP header (for ESP: SPI, sequence number and ciphertext, RFC 4303 section
 * 2). Tunnels (GRE 47 here, VXLAN and Geneve from {@link UdpDecoder}) recurse into the link and IP
 * decoders, so the flow is the packet they carry.
 */
final class TransportDecoder {
  static final int PROTOCOL_ICMP = 1;
  static final int PROTOCOL_TCP = 6;
  static final int PROTOCOL_UDP = 17;
  static final int PROTOCOL_GRE = 47;
  static final int PROTOCOL_ESP = 50;
  static final int PROTOCOL_AH = 51;
  static final int PROTOCOL_ICMPV6 = 58;

  private TransportDecoder() {}

  /**
   * Decodes the transport header at {@code offset}; {@code end} and {@code wireEnd} are the ends of
   * the IP packet as captured and as on the wire.
   */
  static DecodeIssue decode(
      int protocol, ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    out.ipProtocol = protocol;
    return switch (protocol) {
      case PROTOCOL_TCP -> TcpDecoder.decode(frame, offset, end, wireEnd, out);
      case PROTOCOL_UDP -> UdpDecoder.decode(frame, offset, end, wireEnd, out);
      case PROTOCOL_GRE -> GreDecoder.decode(frame, offset, end, wireEnd, out);
      default -> {
        payload(offset, end, wireEnd, out);
        yield DecodeIssue.NONE;
      }
    };
  }

  /** Records the payload from {@code offset} to the captured end and the wire end of the packet. */
  static void payload(int offset, int end, int wireEnd, DecodedPacket out) {
    out.payloadOffset = offset;
    out.payloadCapturedLength = Math.max(0, end - offset);
    out.payloadWireLength = Math.max(0, wireEnd - offset);
  }
}
