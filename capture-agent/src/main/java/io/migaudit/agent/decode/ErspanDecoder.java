package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * ERSPAN mirror headers after GRE (draft-foschiano-erspan-03). Type I has no header: the mirrored
 * Ethernet frame follows GRE directly. Type II (section 4.1): version(4) VLAN(12) | COS(3) En(2)
 * T(1) session id(10) | reserved(12) index(20). Type III (section 4.3): version(4) VLAN(12) |
 * COS(3) BSO(2) T(1) session id(10) | timestamp(32) | SGT(16) P(1) FT(5) HW id(6) D(1) Gra(2) O(1),
 * then an 8-byte platform-specific sub-header when O is set.
 *
 * <p>The header's VLAN is the mirrored frame's original VLAN; it stands for the frame's VLAN when
 * the frame itself carries no tag (the switch stripped it), and an inner tag wins over it.
 */
final class ErspanDecoder {
  static final int TYPE_II_HEADER_LENGTH = 8;
  static final int TYPE_III_HEADER_LENGTH = 12;

  /** Platform-specific sub-header of type III, present when the O bit is set. */
  static final int PLATFORM_SUBHEADER_LENGTH = 8;

  /** Version field: 1 for type II, 2 for type III. */
  static final int VERSION_TYPE_II = 1;

  static final int VERSION_TYPE_III = 2;
  private static final int VERSION_SHIFT = 12;
  private static final int VLAN_MASK = 0x0FFF;
  private static final int NULL_VLAN_ID = 0;

  /** Type II En field (bits 12-11 of the second word): 0 = the original frame had no VLAN tag. */
  private static final int OFFSET_TYPE_II_EN = 2;

  /** Session id: the low 10 bits of the second 16-bit word, in types II and III. */
  private static final int OFFSET_SESSION = 2;

  private static final int SESSION_MASK = 0x3FF;

  /** Marks the id as an ERSPAN session, apart from a GRE key of the same value. */
  private static final long SESSION_TAG = 1L << 40;

  private static final int EN_SHIFT = 11;
  private static final int EN_MASK = 0x3;
  static final int EN_UNTAGGED = 0;

  /** Type III word holding P, FT, HW id, D, Gra and O. */
  private static final int OFFSET_TYPE_III_FLAGS = 10;

  private static final int FRAME_TYPE_SHIFT = 10;
  private static final int FRAME_TYPE_MASK = 0x1F;
  private static final int FLAG_OPTIONAL_SUBHEADER = 0x0001;
  static final int FRAME_TYPE_ETHERNET = 0;
  static final int FRAME_TYPE_IP = 2;

  private ErspanDecoder() {}

  /** Type I: the mirrored Ethernet frame starts at {@code offset}. */
  static DecodeIssue decodeTypeI(
      ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    out.addLayer(Layer.ERSPAN);
    return EthernetDecoder.decode(frame, offset, end, wireEnd, out);
  }

  static DecodeIssue decodeTypeII(
      ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    out.addLayer(Layer.ERSPAN);
    if (end - offset < TYPE_II_HEADER_LENGTH) {
      return DecodeIssue.ERSPAN_TOO_SHORT;
    }
    int versionVlan = Short.toUnsignedInt(frame.getShort(offset));
    if (versionVlan >>> VERSION_SHIFT != VERSION_TYPE_II) {
      return DecodeIssue.ERSPAN_BAD_VERSION;
    }
    int en =
        (Short.toUnsignedInt(frame.getShort(offset + OFFSET_TYPE_II_EN)) >>> EN_SHIFT) & EN_MASK;
    out.tunnelId(sessionId(frame, offset));
    if (en != EN_UNTAGGED) {
      out.vlan = vlanId(versionVlan);
    }
    return EthernetDecoder.decode(frame, offset + TYPE_II_HEADER_LENGTH, end, wireEnd, out);
  }

  static DecodeIssue decodeTypeIII(
      ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    out.addLayer(Layer.ERSPAN);
    if (end - offset < TYPE_III_HEADER_LENGTH) {
      return DecodeIssue.ERSPAN_TOO_SHORT;
    }
    int versionVlan = Short.toUnsignedInt(frame.getShort(offset));
    if (versionVlan >>> VERSION_SHIFT != VERSION_TYPE_III) {
      return DecodeIssue.ERSPAN_BAD_VERSION;
    }
    int flags = Short.toUnsignedInt(frame.getShort(offset + OFFSET_TYPE_III_FLAGS));
    out.tunnelId(sessionId(frame, offset));
    int inner = offset + TYPE_III_HEADER_LENGTH;
    if ((flags & FLAG_OPTIONAL_SUBHEADER) != 0) {
      inner += PLATFORM_SUBHEADER_LENGTH;
      if (inner > end) {
        return DecodeIssue.ERSPAN_TOO_SHORT;
      }
    }
    out.vlan = vlanId(versionVlan);
    return switch ((flags >>> FRAME_TYPE_SHIFT) & FRAME_TYPE_MASK) {
      case FRAME_TYPE_ETHERNET -> EthernetDecoder.decode(frame, inner, end, wireEnd, out);
      case FRAME_TYPE_IP -> ip(frame, inner, end, wireEnd, out);
      default -> DecodeIssue.ERSPAN_UNSUPPORTED_FRAME_TYPE;
    };
  }

  /** A mirrored IP packet without its link header: the version nibble says which IP. */
  private static DecodeIssue ip(
      ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    if (end - offset < 1) {
      return DecodeIssue.IPV4_TOO_SHORT;
    }
    int version = Byte.toUnsignedInt(frame.get(offset)) >>> 4;
    return version == Ipv6Decoder.VERSION
        ? Ipv6Decoder.decode(frame, offset, end, wireEnd, out)
        : Ipv4Decoder.decode(frame, offset, end, wireEnd, out);
  }

  /**
   * The 10-bit session id of a type II or III header (same place in both), plus one above 10 bits.
   */
  private static long sessionId(ByteBuffer frame, int offset) {
    return SESSION_TAG
        | (Short.toUnsignedInt(frame.getShort(offset + OFFSET_SESSION)) & SESSION_MASK);
  }

  private static int vlanId(int versionVlan) {
    int id = versionVlan & VLAN_MASK;
    return id == NULL_VLAN_ID ? DecodedPacket.NO_VLAN : id;
  }
}
