package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * Ethernet II frames (IEEE 802.3 clause 3.2: destination, source, EtherType) and the EtherType
 * dispatch shared by every link layer that names its payload by EtherType (VLAN tags, Linux cooked
 * captures, and the frames GRE, ERSPAN, VXLAN and Geneve tunnels carry).
 */
final class EthernetDecoder {
  /**
   * Destination MAC(6) + source MAC(6) + EtherType(2); the FCS, if captured, trails the payload.
   */
  static final int HEADER_LENGTH = 14;

  private static final int OFFSET_ETHERTYPE = 12;

  // EtherTypes, IEEE Registration Authority / RFC 7042 appendix B.
  static final int ETHERTYPE_IPV4 = 0x0800;
  static final int ETHERTYPE_IPV6 = 0x86DD;

  /** IEEE 802.1Q customer VLAN tag. */
  static final int ETHERTYPE_VLAN = 0x8100;

  /** IEEE 802.1ad service VLAN tag (QinQ outer tag). */
  static final int ETHERTYPE_QINQ = 0x88A8;

  /** Pre-standard QinQ outer tag used by some switches. */
  static final int ETHERTYPE_QINQ_LEGACY = 0x9100;

  private EthernetDecoder() {}

  static DecodeIssue decode(ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    out.addLayer(Layer.ETHERNET);
    if (end - offset < HEADER_LENGTH) {
      return DecodeIssue.ETHERNET_TOO_SHORT;
    }
    int etherType = Short.toUnsignedInt(frame.getShort(offset + OFFSET_ETHERTYPE));
    return decodeEtherType(etherType, frame, offset + HEADER_LENGTH, end, wireEnd, out);
  }

  /**
   * Decodes the payload named by {@code etherType}, starting at {@code offset}. Values up to 1500
   * are 802.3 lengths (LLC frames such as STP) and, like every other non-IP type, give {@link
   * DecodeIssue#NOT_IP}. A MACsec SecTAG is read through when it protects integrity only ({@link
   * MacsecDecoder}), an MPLS label stack when what it carries holds together as IP or as an
   * Ethernet pseudowire ({@link MplsDecoder}).
   */
  static DecodeIssue decodeEtherType(
      int etherType, ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    return switch (etherType) {
      case ETHERTYPE_IPV4 -> Ipv4Decoder.decode(frame, offset, end, wireEnd, out);
      case ETHERTYPE_IPV6 -> Ipv6Decoder.decode(frame, offset, end, wireEnd, out);
      case ETHERTYPE_VLAN, ETHERTYPE_QINQ, ETHERTYPE_QINQ_LEGACY ->
          VlanDecoder.decode(frame, offset, end, wireEnd, out);
      case MacsecDecoder.ETHERTYPE_MACSEC -> MacsecDecoder.decode(frame, offset, end, wireEnd, out);
      case MplsDecoder.ETHERTYPE_MPLS, MplsDecoder.ETHERTYPE_MPLS_MULTICAST ->
          MplsDecoder.decode(frame, offset, end, wireEnd, out);
      default -> DecodeIssue.NOT_IP;
    };
  }

  static boolean isVlanTag(int etherType) {
    return etherType == ETHERTYPE_VLAN
        || etherType == ETHERTYPE_QINQ
        || etherType == ETHERTYPE_QINQ_LEGACY;
  }
}
