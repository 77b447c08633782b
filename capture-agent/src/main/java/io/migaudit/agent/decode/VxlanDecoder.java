package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * VXLAN headers (RFC 7348 section 5) on UDP destination port 4789, or on another port when an
 * Ethernet frame follows ({@link #carriesFrame}): flags(1) reserved(3) VNI(3) reserved(1), then the
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

  /** RFC 7348 5: the flags; bits other than I are reserved. */
  private static final int FLAGS_I = 0x08;

  /**
   * The Group Policy extension (draft-smith-vxlan-group-policy, Linux's {@code gbp}): G and I set,
   * the group policy in the bytes after the flags.
   */
  private static final int FLAGS_GBP = 0x88;

  /** RFC 7348 5: the three bytes after the flags are reserved (the low 24 bits of word 0). */
  private static final int RESERVED_AFTER_FLAGS = 0x00FF_FFFF;

  /** RFC 7348 5: the last byte of the header is reserved. */
  private static final int OFFSET_LAST_RESERVED = 7;

  /** ARP (RFC 826): what an overlay carries besides IP. */
  private static final int ETHERTYPE_ARP = 0x0806;

  /** Where the inner frame's EtherType lies past the header: after two MAC addresses. */
  private static final int INNER_ETHERTYPE = HEADER_LENGTH + 12;

  private VxlanDecoder() {}

  /**
   * True when the UDP payload at {@code offset} is a VXLAN header followed by an Ethernet frame,
   * for a datagram on a port other than 4789 (Linux's default 8472, NSX for vSphere before 6.2.3,
   * Flannel, Cilium): the flags I alone with the reserved bytes after them zero, or Group Policy's
   * G and I; the last byte zero; and the frame's EtherType IPv4, IPv6, ARP or a VLAN tag. Random
   * bytes pass about once in 10^9 datagrams.
   */
  static boolean carriesFrame(ByteBuffer frame, int offset, int end) {
    if (end - offset < INNER_ETHERTYPE + 2 || frame.get(offset + OFFSET_LAST_RESERVED) != 0) {
      return false;
    }
    int flags = Byte.toUnsignedInt(frame.get(offset + OFFSET_FLAGS));
    boolean plain = flags == FLAGS_I && (frame.getInt(offset) & RESERVED_AFTER_FLAGS) == 0;
    if (!plain && flags != FLAGS_GBP) {
      return false;
    }
    int etherType = Short.toUnsignedInt(frame.getShort(offset + INNER_ETHERTYPE));
    return etherType == EthernetDecoder.ETHERTYPE_IPV4
        || etherType == EthernetDecoder.ETHERTYPE_IPV6
        || etherType == ETHERTYPE_ARP
        || etherType == EthernetDecoder.ETHERTYPE_VLAN
        || etherType == EthernetDecoder.ETHERTYPE_QINQ;
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
