package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * MPLS label stacks (RFC 3032, EtherTypes 0x8847 and 0x8848): 4-octet entries up to the one with
 * its bottom-of-stack bit, then a payload the labels do not name. The decoder takes the first that
 * holds together:
 *
 * <ol>
 *   <li>an IPv4 packet (first nibble 4) whose header checksum is right, or an IPv6 packet (nibble
 *       6) whose payload length fits the frame ({@link CarriedPacket}), each ending at most {@value
 *       CarriedPacket#MAX_FRAME_TRAILER} bytes before the frame: an L3VPN or a plain labelled
 *       route;
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

  private MplsDecoder() {}

  /** What {@link #carried} found after the stack: nothing that holds together. */
  private static final int CARRIES_NOTHING = 0;

  private static final int CARRIES_IP = 1;
  private static final int CARRIES_FRAME = 2;
  private static final int CARRIES_FRAME_AFTER_CONTROL_WORD = 3;

  /**
   * Decodes the label stack starting at {@code offset}, just after its EtherType (or a GRE header
   * or UDP header that names MPLS).
   */
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
    // Tunnels and SecTAGs around the stack may already fill the layers.
    if (!out.enterLayer(Layer.MPLS)) {
      return DecodeIssue.TUNNEL_TOO_DEEP;
    }
    out.vlan = DecodedPacket.NO_VLAN;
    out.outerVlan = DecodedPacket.NO_VLAN;
    int nibble = Byte.toUnsignedInt(frame.get(pos)) >>> 4;
    if (nibble == Ipv4Decoder.VERSION && end - pos < Ipv4Decoder.MIN_HEADER_LENGTH) {
      return Ipv4Decoder.decode(frame, pos, end, wireEnd, out); // names a header the capture cut
    }
    if (nibble == Ipv6Decoder.VERSION && end - pos < Ipv6Decoder.HEADER_LENGTH) {
      return Ipv6Decoder.decode(frame, pos, end, wireEnd, out);
    }
    return switch (carried(frame, pos, end, wireEnd)) {
      case CARRIES_IP ->
          nibble == Ipv4Decoder.VERSION
              ? Ipv4Decoder.decode(frame, pos, end, wireEnd, out)
              : Ipv6Decoder.decode(frame, pos, end, wireEnd, out);
      case CARRIES_FRAME -> EthernetDecoder.decode(frame, pos, end, wireEnd, out);
      case CARRIES_FRAME_AFTER_CONTROL_WORD ->
          EthernetDecoder.decode(frame, pos + CONTROL_WORD_LENGTH, end, wireEnd, out);
      default -> DecodeIssue.NOT_IP;
    };
  }

  /**
   * True when a label stack of at most {@link #MAX_LABELS} entries starts at {@code offset} and
   * what it carries holds together (an IP packet or an Ethernet pseudowire, as {@link #decode}
   * reads them, its headers captured): for a UDP datagram on the MPLS-in-UDP port, which anyone may
   * send other bytes to.
   */
  static boolean carriesPacket(ByteBuffer frame, int offset, int end, int wireEnd) {
    int pos = offset;
    for (int labels = 0; labels < MAX_LABELS && end - pos >= ENTRY_LENGTH; labels++) {
      int entry = frame.getInt(pos);
      pos += ENTRY_LENGTH;
      if ((entry & BOTTOM_OF_STACK) != 0) {
        return end > pos && carried(frame, pos, end, wireEnd) != CARRIES_NOTHING;
      }
    }
    return false;
  }

  /** What the bytes at {@code pos}, after the bottom of a stack, hold together as. */
  private static int carried(ByteBuffer frame, int pos, int end, int wireEnd) {
    int nibble = Byte.toUnsignedInt(frame.get(pos)) >>> 4;
    if (nibble == Ipv4Decoder.VERSION
        && CarriedPacket.ipv4(frame, pos, end, wireEnd, CarriedPacket.MAX_FRAME_TRAILER)) {
      return CARRIES_IP;
    }
    if (nibble == Ipv6Decoder.VERSION
        && CarriedPacket.ipv6(frame, pos, end, wireEnd, CarriedPacket.MAX_FRAME_TRAILER)) {
      return CARRIES_IP;
    }
    if (CarriedPacket.ethernet(frame, pos, end, wireEnd, CarriedPacket.MAX_FRAME_TRAILER)) {
      return CARRIES_FRAME;
    }
    if (nibble == 0
        && CarriedPacket.ethernet(
            frame, pos + CONTROL_WORD_LENGTH, end, wireEnd, CarriedPacket.MAX_FRAME_TRAILER)) {
      return CARRIES_FRAME_AFTER_CONTROL_WORD;
    }
    return CARRIES_NOTHING;
  }
}
