package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * MPLS label stacks (RFC 3032, EtherTypes 0x8847 and 0x8848): 4-octet entries up to the one with
 * its bottom-of-stack bit, then a payload the labels do not name. The decoder takes the first that
 * holds together:
 *
 * <ol>
 *   <li>an IPv4 packet (first nibble 4) whose header checksum is right, or an IPv6 packet (nibble
 *       6) whose payload length fits the frame: an L3VPN or a plain labelled route;
 *   <li>an Ethernet pseudowire (RFC 4448) without a control word: a frame whose EtherType, past any
 *       VLAN tags, is IP, and whose IP header holds together as above;
 *   <li>the same behind a control word (RFC 4385: first nibble 0, four octets);
 * </ol>
 *
 * otherwise {@link DecodeIssue#NOT_IP} (OAM on the associated channel, other pseudowires). The
 * frame's VLAN ids belong to the provider's link, not to the packet inside: they are cleared, and
 * an Ethernet pseudowire's own tags name its VLAN. Recorded as {@link Layer#MPLS}.
 */
final class MplsDecoder {
  static final int ETHERTYPE_MPLS = 0x8847;
  static final int ETHERTYPE_MPLS_MULTICAST = 0x8848;

  static final int ENTRY_LENGTH = 4;

  /** RFC 3032 2.1: S, the bottom-of-stack bit of a label stack entry. */
  static final int BOTTOM_OF_STACK = 0x100;

  /** Label stacks deeper than this are taken for a malformed (or hostile) frame. */
  static final int MAX_LABELS = 8;

  /** RFC 4385 section 3: the generic PW control word, first nibble 0. */
  static final int CONTROL_WORD_LENGTH = 4;

  private static final int IPV4_HEADER = Ipv4Decoder.MIN_HEADER_LENGTH;
  private static final int IPV4_TOTAL_LENGTH = 2;
  private static final int IPV6_PAYLOAD_LENGTH = 4;
  private static final int ETHERTYPE_AT = 12;

  private MplsDecoder() {}

  /** Decodes the label stack starting at {@code offset}, just after its EtherType. */
  static DecodeIssue decode(ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    int pos = offset;
    for (int labels = 0; ; labels++) {
      if (labels == MAX_LABELS) {
        return DecodeIssue.MPLS_TOO_MANY_LABELS;
      }
      if (end - pos < ENTRY_LENGTH) {
        return DecodeIssue.MPLS_TOO_SHORT;
      }
      int entry = frame.getInt(pos);
      pos += ENTRY_LENGTH;
      if ((entry & BOTTOM_OF_STACK) != 0) {
        break;
      }
    }
    if (end == pos) {
      return DecodeIssue.MPLS_TOO_SHORT;
    }
    // Each pseudowire frame may carry MPLS again; the layer limit ends such a chain.
    if (out.layerCount >= DecodedPacket.MAX_LAYERS) {
      return DecodeIssue.TUNNEL_TOO_DEEP;
    }
    out.addLayer(Layer.MPLS);
    out.vlan = DecodedPacket.NO_VLAN;
    out.outerVlan = DecodedPacket.NO_VLAN;
    int nibble = Byte.toUnsignedInt(frame.get(pos)) >>> 4;
    if (nibble == Ipv4Decoder.VERSION && ipv4Holds(frame, pos, end, wireEnd)) {
      return Ipv4Decoder.decode(frame, pos, end, wireEnd, out);
    }
    if (nibble == Ipv6Decoder.VERSION && ipv6Holds(frame, pos, end, wireEnd)) {
      return Ipv6Decoder.decode(frame, pos, end, wireEnd, out);
    }
    if (ethernetHolds(frame, pos, end, wireEnd)) {
      return EthernetDecoder.decode(frame, pos, end, wireEnd, out);
    }
    if (nibble == 0 && ethernetHolds(frame, pos + CONTROL_WORD_LENGTH, end, wireEnd)) {
      return EthernetDecoder.decode(frame, pos + CONTROL_WORD_LENGTH, end, wireEnd, out);
    }
    return DecodeIssue.NOT_IP;
  }

  /**
   * An IPv4 header at {@code at} whose checksum is right and whose total length fits the frame on
   * the wire; a header the capture cut counts too (the IPv4 decoder then names the cut).
   */
  static boolean ipv4Holds(ByteBuffer frame, int at, int end, int wireEnd) {
    if (end - at < IPV4_HEADER) {
      return end > at && Byte.toUnsignedInt(frame.get(at)) >>> 4 == Ipv4Decoder.VERSION;
    }
    int headerLength = (frame.get(at) & 0x0F) * 4;
    int totalLength = Short.toUnsignedInt(frame.getShort(at + IPV4_TOTAL_LENGTH));
    if (Byte.toUnsignedInt(frame.get(at)) >>> 4 != Ipv4Decoder.VERSION
        || headerLength < IPV4_HEADER
        || totalLength > wireEnd - at
        || (totalLength != 0 && totalLength < headerLength)) {
      return false;
    }
    if (end - at < headerLength) {
      return true;
    }
    int sum = 0;
    for (int i = 0; i < headerLength; i += 2) {
      sum += Short.toUnsignedInt(frame.getShort(at + i));
    }
    while (sum >>> 16 != 0) {
      sum = (sum & 0xFFFF) + (sum >>> 16);
    }
    return sum == 0xFFFF;
  }

  /** An IPv6 header at {@code at} whose payload length fits the frame on the wire. */
  static boolean ipv6Holds(ByteBuffer frame, int at, int end, int wireEnd) {
    if (end - at < Ipv6Decoder.HEADER_LENGTH) {
      return end > at && Byte.toUnsignedInt(frame.get(at)) >>> 4 == Ipv6Decoder.VERSION;
    }
    int payloadLength = Short.toUnsignedInt(frame.getShort(at + IPV6_PAYLOAD_LENGTH));
    return Byte.toUnsignedInt(frame.get(at)) >>> 4 == Ipv6Decoder.VERSION
        && Ipv6Decoder.HEADER_LENGTH + payloadLength <= wireEnd - at;
  }

  /** An Ethernet frame at {@code at} that carries, past up to four VLAN tags, an IP packet. */
  private static boolean ethernetHolds(ByteBuffer frame, int at, int end, int wireEnd) {
    int typeAt = at + ETHERTYPE_AT;
    for (int tags = 0; tags <= VlanDecoder.MAX_TAGS; tags++) {
      if (end - typeAt < 2) {
        return false;
      }
      int etherType = Short.toUnsignedInt(frame.getShort(typeAt));
      int ip = typeAt + 2;
      if (etherType == EthernetDecoder.ETHERTYPE_IPV4) {
        return ipv4Holds(frame, ip, end, wireEnd);
      }
      if (etherType == EthernetDecoder.ETHERTYPE_IPV6) {
        return ipv6Holds(frame, ip, end, wireEnd);
      }
      if (!EthernetDecoder.isVlanTag(etherType)) {
        return false;
      }
      typeAt += VlanDecoder.TAG_LENGTH;
    }
    return false;
  }
}
