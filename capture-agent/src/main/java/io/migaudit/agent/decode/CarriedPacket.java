package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * Tells a packet or frame that a layer carries without naming it (an MPLS label stack, a UDP tunnel
 * on no known port) from other bytes: an IPv4 header whose checksum adds up, an IPv6 header whose
 * payload length fits, an Ethernet frame whose IP packet, past up to four VLAN tags, does either.
 * Each must end where the carrying packet ends on the wire, up to {@code maxTrailer} bytes before
 * it (an Ethernet frame's padding and FCS).
 */
final class CarriedPacket {
  /**
   * Bytes a frame may hold after the packet it carries: padding of a short frame to the 64-byte
   * minimum and an FCS (a provider link's or a tunnel's).
   */
  static final int MAX_FRAME_TRAILER = 50;

  private static final int IPV4_TOTAL_LENGTH = 2;
  private static final int IPV6_PAYLOAD_LENGTH = 4;
  private static final int IPV6_NEXT_HEADER = 6;
  private static final int IPV6_ADDRESSES = 8;
  private static final int UDP_HEADER_LENGTH = 8;
  private static final int UDP_CHECKSUM_AT = 6;
  private static final int TCP_MIN_HEADER_LENGTH = 20;
  private static final int TCP_CHECKSUM_AT = 16;
  private static final int ETHERTYPE_AT = 12;
  private static final int ETHERTYPE_LENGTH = 2;

  private CarriedPacket() {}

  /** An IPv4 packet at {@code at}, its header captured whole. */
  static boolean ipv4(ByteBuffer frame, int at, int end, int wireEnd, int maxTrailer) {
    if (end - at < Ipv4Decoder.MIN_HEADER_LENGTH
        || Byte.toUnsignedInt(frame.get(at)) >>> 4 != Ipv4Decoder.VERSION) {
      return false;
    }
    int trailer = wireEnd - at - Short.toUnsignedInt(frame.getShort(at + IPV4_TOTAL_LENGTH));
    return trailer >= 0 && trailer <= maxTrailer && Ipv4Decoder.checksumHolds(frame, at, end);
  }

  /** An IPv6 packet at {@code at}, its fixed header captured whole. */
  static boolean ipv6(ByteBuffer frame, int at, int end, int wireEnd, int maxTrailer) {
    if (end - at < Ipv6Decoder.HEADER_LENGTH
        || Byte.toUnsignedInt(frame.get(at)) >>> 4 != Ipv6Decoder.VERSION) {
      return false;
    }
    int trailer =
        wireEnd
            - at
            - Ipv6Decoder.HEADER_LENGTH
            - Short.toUnsignedInt(frame.getShort(at + IPV6_PAYLOAD_LENGTH));
    return trailer >= 0 && trailer <= maxTrailer;
  }

  /**
   * An IPv6 packet at {@code at} that a datagram carries without a frame: its fixed header, then
   * TCP or UDP at once, running exactly to {@code wireEnd}, captured whole, and a transport
   * checksum that holds over the IPv6 pseudo-header (RFC 8200 8.1), or that holds only the
   * pseudo-header's sum, as a sender that leaves the checksum to its NIC writes it. IPv6 has no
   * header checksum, so the transport's stands in for it: random bytes pass about once in 10^13
   * offsets.
   */
  static boolean ipv6Transport(ByteBuffer frame, int at, int end, int wireEnd) {
    int length = wireEnd - at - Ipv6Decoder.HEADER_LENGTH;
    if (end != wireEnd
        || length < UDP_HEADER_LENGTH
        || Byte.toUnsignedInt(frame.get(at)) >>> 4 != Ipv6Decoder.VERSION
        || Short.toUnsignedInt(frame.getShort(at + IPV6_PAYLOAD_LENGTH)) != length) {
      return false;
    }
    int next = Byte.toUnsignedInt(frame.get(at + IPV6_NEXT_HEADER));
    int checksumAt;
    if (next == TransportDecoder.PROTOCOL_TCP && length >= TCP_MIN_HEADER_LENGTH) {
      checksumAt = TCP_CHECKSUM_AT;
    } else if (next == TransportDecoder.PROTOCOL_UDP) {
      checksumAt = UDP_CHECKSUM_AT;
    } else {
      return false;
    }
    int transport = at + Ipv6Decoder.HEADER_LENGTH;
    int pseudo =
        InternetChecksum.fold(
            InternetChecksum.sum(frame, at + IPV6_ADDRESSES, 2 * 16)
                + (length >>> 16)
                + (length & 0xFFFF)
                + next);
    if (Short.toUnsignedInt(frame.getShort(transport + checksumAt)) == pseudo) {
      return true; // the NIC was to finish it
    }
    return InternetChecksum.fold(pseudo + InternetChecksum.sum(frame, transport, length)) == 0xFFFF;
  }

  /** An Ethernet frame at {@code at} whose IP packet, past any VLAN tags, is one of the above. */
  static boolean ethernet(ByteBuffer frame, int at, int end, int wireEnd, int maxTrailer) {
    int typeAt = at + ETHERTYPE_AT;
    for (int tags = 0; tags <= VlanDecoder.MAX_TAGS; tags++) {
      if (end - typeAt < ETHERTYPE_LENGTH) {
        return false;
      }
      int etherType = Short.toUnsignedInt(frame.getShort(typeAt));
      int ip = typeAt + ETHERTYPE_LENGTH;
      if (etherType == EthernetDecoder.ETHERTYPE_IPV4) {
        return ipv4(frame, ip, end, wireEnd, maxTrailer);
      }
      if (etherType == EthernetDecoder.ETHERTYPE_IPV6) {
        return ipv6(frame, ip, end, wireEnd, maxTrailer);
      }
      if (!EthernetDecoder.isVlanTag(etherType)) {
        return false;
      }
      typeAt += VlanDecoder.TAG_LENGTH;
    }
    return false;
  }
}
