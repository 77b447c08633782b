package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * Hands the IP payload to the decoder of its protocol (IANA "Assigned Internet Protocol Numbers").
 * TCP and UDP have ports; ESP, ICMP, ICMPv6 and every other protocol decode with ports 0 and the
 * payload right after the IP header (for ESP: SPI, sequence number and ciphertext, RFC 4303 section
 * 2). Tunnels (GRE 47, IP in IP 4 and 41 here, VXLAN and Geneve from {@link UdpDecoder}) recurse
 * into the link and IP decoders, so the flow is the packet they carry: a tunnel that does not
 * encrypt hides nothing. IPv4's Authentication Header (51, RFC 4302) protects integrity only; the
 * packet behind it is decoded as the flow, as IPv6 does with AH among its extension headers.
 */
final class TransportDecoder {
  static final int PROTOCOL_ICMP = 1;

  /** IPv4 inside IP (RFC 2003; Linux ipip, and AH/ESP tunnel mode's inner packet). */
  static final int PROTOCOL_IPV4_IN_IP = 4;

  static final int PROTOCOL_TCP = 6;
  static final int PROTOCOL_UDP = 17;

  /** IPv6 inside IP (RFC 4213 6in4, RFC 2473; Linux sit and ip6tnl). */
  static final int PROTOCOL_IPV6_IN_IP = 41;

  static final int PROTOCOL_GRE = 47;
  static final int PROTOCOL_ESP = 50;
  static final int PROTOCOL_AH = 51;
  static final int PROTOCOL_ICMPV6 = 58;

  /** AH: next header(1), payload length(1, 4-octet units minus 2), reserved(2), SPI(4), seq(4). */
  static final int AH_FIXED_LENGTH = 12;

  private static final int AH_UNIT = 4;
  private static final int AH_LENGTH_BIAS = 2;
  private static final int OFFSET_AH_LENGTH = 1;

  /** Authentication Headers in a row before the decoder stops following them. */
  static final int MAX_AH_HEADERS = 4;

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
      case PROTOCOL_IPV4_IN_IP, PROTOCOL_IPV6_IN_IP ->
          ipInIp(protocol, frame, offset, end, wireEnd, out);
      case PROTOCOL_AH -> authenticated(frame, offset, end, wireEnd, out);
      default -> {
        payload(offset, end, wireEnd, out);
        yield DecodeIssue.NONE;
      }
    };
  }

  /**
   * An IP packet carried directly in this one: the outer header and the tunnel become layers (Linux
   * ipip, sit and ip6tnl tunnels have no header of their own) and the inner packet is the flow.
   */
  private static DecodeIssue ipInIp(
      int protocol, ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    if (!out.enterRoutedTunnel(Layer.IP_IN_IP)) {
      return DecodeIssue.TUNNEL_TOO_DEEP;
    }
    return protocol == PROTOCOL_IPV4_IN_IP
        ? Ipv4Decoder.decode(frame, offset, end, wireEnd, out)
        : Ipv6Decoder.decode(frame, offset, end, wireEnd, out);
  }

  /**
   * IPv4's Authentication Header chain (RFC 4302 section 2): each header is skipped by its length,
   * checked against the packet, and what the last one protects is decoded in clear. In tunnel mode
   * that is an inner IP packet ({@link #ipInIp}).
   */
  private static DecodeIssue authenticated(
      ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    int pos = offset;
    int next = PROTOCOL_AH;
    for (int headers = 0; next == PROTOCOL_AH; headers++) {
      if (headers == MAX_AH_HEADERS) {
        return DecodeIssue.AH_BAD_LENGTH;
      }
      if (pos + AH_FIXED_LENGTH > wireEnd) {
        return DecodeIssue.AH_BAD_LENGTH;
      }
      if (pos + AH_FIXED_LENGTH > end) {
        return DecodeIssue.AH_TOO_SHORT;
      }
      int length =
          (Byte.toUnsignedInt(frame.get(pos + OFFSET_AH_LENGTH)) + AH_LENGTH_BIAS) * AH_UNIT;
      if (length < AH_FIXED_LENGTH || pos + length > wireEnd) {
        return DecodeIssue.AH_BAD_LENGTH;
      }
      if (pos + length > end) {
        return DecodeIssue.AH_TOO_SHORT;
      }
      next = Byte.toUnsignedInt(frame.get(pos));
      pos += length;
    }
    return decode(next, frame, pos, end, wireEnd, out);
  }

  /** Records the payload from {@code offset} to the captured end and the wire end of the packet. */
  static void payload(int offset, int end, int wireEnd, DecodedPacket out) {
    out.payloadOffset = offset;
    out.payloadCapturedLength = Math.max(0, end - offset);
    out.payloadWireLength = Math.max(0, wireEnd - offset);
  }
}
