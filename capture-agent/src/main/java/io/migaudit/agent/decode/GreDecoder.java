package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * GRE headers (RFC 2784 section 2, with the key and sequence number fields of RFC 2890 section 2):
 * flags and version(2) + protocol type(2), then an optional checksum + reserved word (C bit), key
 * (K bit) and sequence number (S bit). The protocol type says what the tunnel carries: IPv4 or IPv6
 * packets, Ethernet frames (transparent Ethernet bridging, RFC 1701 protocol 0x6558), ERSPAN mirror
 * frames (type I and II as 0x88BE, type III as 0x22EB; draft-foschiano-erspan) or MPLS label stacks
 * (0x8847, 0x8848; RFC 4023: an L3VPN or a pseudowire across an IP core).
 *
 * <p>Those are decoded as the flow and the GRE packet becomes layers around it; GRE carrying IP or
 * MPLS routes the packets inside, so its endpoints are the flow's path ({@link
 * DecodedPacket#routedTunnel}), while the frames of ERSPAN and bridging are mirrored or overlaid.
 * Anything else (GRE version 1 of PPTP, RFC 1701 routing and recursion bits, keepalives, CDP, other
 * protocol types) stays a plain protocol 47 packet between the tunnel endpoints, with its payload
 * starting at the GRE header.
 */
final class GreDecoder {
  /** Flags and version(2) + protocol type(2). */
  static final int BASE_HEADER_LENGTH = 4;

  /** Each of checksum + reserved1, key and sequence number is one 32-bit word when present. */
  static final int OPTIONAL_FIELD_LENGTH = 4;

  private static final int OFFSET_PROTOCOL_TYPE = 2;

  // Bits of the first 16-bit word: C, R (RFC 1701 routing), K, S ... version in the low 3 bits.
  static final int FLAG_CHECKSUM = 0x8000;
  static final int FLAG_ROUTING = 0x4000;

  /**
   * Bits 1-5 less K and S: routing present, strict source route and the high recursion bit. RFC
   * 2784 section 2.3 has receivers that do not implement RFC 1701 discard such packets; here they
   * are not decapsulated.
   */
  static final int RFC1701_FLAGS = FLAG_ROUTING | 0x0800 | 0x0400;

  static final int FLAG_KEY = 0x2000;
  static final int FLAG_SEQUENCE = 0x1000;
  private static final int VERSION_MASK = 0x0007;

  /** RFC 2784 GRE; version 1 is PPTP's enhanced GRE (RFC 2637), not a tunnel of frames. */
  static final int VERSION_GRE = 0;

  // Protocol types (EtherTypes), IEEE Registration Authority / RFC 7042.
  static final int PROTOCOL_IPV4 = EthernetDecoder.ETHERTYPE_IPV4;
  static final int PROTOCOL_IPV6 = EthernetDecoder.ETHERTYPE_IPV6;

  /** Transparent Ethernet bridging (RFC 1701 section 3, used by NVGRE RFC 7637 and gretap). */
  static final int PROTOCOL_TRANSPARENT_ETHERNET = 0x6558;

  /** ERSPAN type II, and type I when the S bit is clear (draft-foschiano-erspan-03 section 4). */
  static final int PROTOCOL_ERSPAN_I_II = 0x88BE;

  /** ERSPAN type III (draft-foschiano-erspan-03 section 4.3). */
  static final int PROTOCOL_ERSPAN_III = 0x22EB;

  private GreDecoder() {}

  /**
   * Decodes the GRE header at {@code offset}; {@code end} and {@code wireEnd} end its IP packet.
   */
  static DecodeIssue decode(ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    if (end - offset < BASE_HEADER_LENGTH) {
      return DecodeIssue.GRE_TOO_SHORT;
    }
    int flags = Short.toUnsignedInt(frame.getShort(offset));
    int protocol = Short.toUnsignedInt(frame.getShort(offset + OFFSET_PROTOCOL_TYPE));
    if ((flags & VERSION_MASK) != VERSION_GRE
        || (flags & RFC1701_FLAGS) != 0
        || !carriesFrames(protocol)) {
      TransportDecoder.payload(offset, end, wireEnd, out);
      return DecodeIssue.NONE;
    }
    int headerLength =
        BASE_HEADER_LENGTH
            + optional(flags, FLAG_CHECKSUM)
            + optional(flags, FLAG_KEY)
            + optional(flags, FLAG_SEQUENCE);
    if (end - offset < headerLength) {
      return DecodeIssue.GRE_TOO_SHORT;
    }
    boolean routed =
        protocol == PROTOCOL_IPV4
            || protocol == PROTOCOL_IPV6
            || protocol == MplsDecoder.ETHERTYPE_MPLS
            || protocol == MplsDecoder.ETHERTYPE_MPLS_MULTICAST;
    if (!(routed ? out.enterRoutedTunnel(Layer.GRE) : out.enterTunnel(Layer.GRE))) {
      return DecodeIssue.TUNNEL_TOO_DEEP;
    }
    if ((flags & FLAG_KEY) != 0) { // RFC 2890 2.1: the key follows the checksum word when present
      out.tunnelId(
          Integer.toUnsignedLong(
              frame.getInt(offset + BASE_HEADER_LENGTH + optional(flags, FLAG_CHECKSUM))));
    }
    int inner = offset + headerLength;
    return switch (protocol) {
      case PROTOCOL_IPV4 -> Ipv4Decoder.decode(frame, inner, end, wireEnd, out);
      case PROTOCOL_IPV6 -> Ipv6Decoder.decode(frame, inner, end, wireEnd, out);
      case PROTOCOL_TRANSPARENT_ETHERNET -> EthernetDecoder.decode(frame, inner, end, wireEnd, out);
      case MplsDecoder.ETHERTYPE_MPLS, MplsDecoder.ETHERTYPE_MPLS_MULTICAST ->
          MplsDecoder.decode(frame, inner, end, wireEnd, out);
      case PROTOCOL_ERSPAN_I_II ->
          (flags & FLAG_SEQUENCE) == 0
              ? ErspanDecoder.decodeTypeI(frame, inner, end, wireEnd, out)
              : ErspanDecoder.decodeTypeII(frame, inner, end, wireEnd, out);
      default -> ErspanDecoder.decodeTypeIII(frame, inner, end, wireEnd, out);
    };
  }

  private static boolean carriesFrames(int protocol) {
    return protocol == PROTOCOL_IPV4
        || protocol == PROTOCOL_IPV6
        || protocol == PROTOCOL_TRANSPARENT_ETHERNET
        || protocol == PROTOCOL_ERSPAN_I_II
        || protocol == PROTOCOL_ERSPAN_III
        || protocol == MplsDecoder.ETHERTYPE_MPLS
        || protocol == MplsDecoder.ETHERTYPE_MPLS_MULTICAST;
  }

  private static int optional(int flags, int flag) {
    return (flags & flag) != 0 ? OPTIONAL_FIELD_LENGTH : 0;
  }
}
