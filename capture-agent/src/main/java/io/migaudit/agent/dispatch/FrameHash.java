package io.migaudit.agent.dispatch;

import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.flow.FlowKey;

/**
 * The flow hash ({@link FlowKey#symmetricHash}) of a plain TCP frame read straight from its bytes,
 * without decoding it: Ethernet, at most one 802.1Q tag, then IPv4 (no fragment, no presumed
 * length) or IPv6 (TCP right after the fixed header), and a whole TCP header. Any other frame gets
 * {@link #UNKNOWN} and must be decoded to find its flow. For every frame it hashes, a decode that
 * succeeds gives the same hash ({@code FrameHashTest} checks it on every sample frame and on
 * mutated ones), so a capture worker may skip the frames of other workers' flows without decoding
 * them.
 */
final class FrameHash {
  /** No hash: the frame is not a plain TCP frame this reads. */
  static final long UNKNOWN = -1;

  private static final int ETHERNET_HEADER = 14;
  private static final int ETHERTYPE_IPV4 = 0x0800;
  private static final int ETHERTYPE_IPV6 = 0x86DD;
  private static final int ETHERTYPE_VLAN = 0x8100;
  private static final int VLAN_TAG = 4;
  private static final int VLAN_ID_MASK = 0x0FFF;
  private static final int IPV4_MIN_HEADER = 20;
  private static final int IPV6_HEADER = 40;
  private static final int TCP_MIN_HEADER = 20;
  private static final int TCP = 6;

  /** MF flag and fragment offset of the IPv4 flags-fragment field. */
  private static final int FRAGMENT_BITS = 0x3FFF;

  private FrameHash() {}

  /** The flow hash as an unsigned value, or {@link #UNKNOWN}. */
  static long of(int linkType, byte[] a, int offset, int length) {
    if (linkType != PacketDecoder.LINKTYPE_ETHERNET || length < ETHERNET_HEADER) {
      return UNKNOWN;
    }
    int end = offset + length;
    int pos = offset + ETHERNET_HEADER;
    int etherType = u16(a, pos - 2);
    int vlan = DecodedPacket.NO_VLAN;
    if (etherType == ETHERTYPE_VLAN) {
      if (end - pos < VLAN_TAG) {
        return UNKNOWN;
      }
      int id = u16(a, pos) & VLAN_ID_MASK;
      vlan = id == 0 ? DecodedPacket.NO_VLAN : id;
      etherType = u16(a, pos + 2);
      pos += VLAN_TAG;
    }
    if (etherType == ETHERTYPE_IPV4) {
      return ipv4(a, pos, end, vlan);
    }
    if (etherType == ETHERTYPE_IPV6) {
      return ipv6(a, pos, end, vlan);
    }
    return UNKNOWN;
  }

  private static long ipv4(byte[] a, int pos, int end, int vlan) {
    if (end - pos < IPV4_MIN_HEADER || (a[pos] & 0xF0) != 0x40) {
      return UNKNOWN;
    }
    int headerLength = (a[pos] & 0x0F) * 4;
    int totalLength = u16(a, pos + 2);
    if (headerLength < IPV4_MIN_HEADER
        || totalLength < headerLength + TCP_MIN_HEADER
        || (u16(a, pos + 6) & FRAGMENT_BITS) != 0
        || (a[pos + 9] & 0xFF) != TCP) {
      return UNKNOWN;
    }
    int tcp = pos + headerLength;
    if (!wholeTcpHeader(a, tcp, end, totalLength - headerLength)) {
      return UNKNOWN;
    }
    return Integer.toUnsignedLong(
        FlowKey.symmetricHash(
            4,
            TCP,
            vlan,
            0,
            Integer.toUnsignedLong(i32(a, pos + 12)),
            u16(a, tcp),
            0,
            Integer.toUnsignedLong(i32(a, pos + 16)),
            u16(a, tcp + 2)));
  }

  private static long ipv6(byte[] a, int pos, int end, int vlan) {
    if (end - pos < IPV6_HEADER
        || (a[pos] & 0xF0) != 0x60
        || (a[pos + 6] & 0xFF) != TCP
        || u16(a, pos + 4) < TCP_MIN_HEADER) {
      return UNKNOWN;
    }
    int tcp = pos + IPV6_HEADER;
    if (!wholeTcpHeader(a, tcp, end, u16(a, pos + 4))) {
      return UNKNOWN;
    }
    return Integer.toUnsignedLong(
        FlowKey.symmetricHash(
            6,
            TCP,
            vlan,
            i64(a, pos + 8),
            i64(a, pos + 16),
            u16(a, tcp),
            i64(a, pos + 24),
            i64(a, pos + 32),
            u16(a, tcp + 2)));
  }

  /**
   * The TCP header, its options included, is captured whole and lies within the IP packet's {@code
   * ipPayload} bytes, as the decoder requires.
   */
  private static boolean wholeTcpHeader(byte[] a, int tcp, int end, int ipPayload) {
    if (end - tcp < TCP_MIN_HEADER) {
      return false;
    }
    int headerLength = ((a[tcp + 12] & 0xF0) >>> 4) * 4;
    return headerLength >= TCP_MIN_HEADER && headerLength <= end - tcp && headerLength <= ipPayload;
  }

  private static int u16(byte[] a, int at) {
    return ((a[at] & 0xFF) << 8) | (a[at + 1] & 0xFF);
  }

  private static int i32(byte[] a, int at) {
    return (u16(a, at) << 16) | u16(a, at + 2);
  }

  private static long i64(byte[] a, int at) {
    return ((long) i32(a, at) << 32) | Integer.toUnsignedLong(i32(a, at + 4));
  }
}
