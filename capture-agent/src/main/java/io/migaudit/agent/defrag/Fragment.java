package io.migaudit.agent.defrag;

import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.record.AddressText;
import java.nio.ByteBuffer;

/**
 * One piece of a fragmented IPv4 or IPv6 packet, read from the frame's bytes at the fragmented
 * layer the decoder marked ({@link DecodedPacket#fragmentedIp}): which packet it belongs to, where
 * its data lies in the packet and in the frame. {@link #read} returns null for a piece that cannot
 * be put anywhere: cut by the snap length, a presumed length (a capture of segmentation offload),
 * no data, a non-last piece whose data is not a whole number of 8-byte units (RFC 791, RFC 8200
 * 4.5), or an IPv6 atomic fragment (offset 0, no more to come: already whole, RFC 6946).
 */
record Fragment(Key key, int start, boolean more, int dataAt, int dataLength) {

  private static final int IPV4_MORE_FRAGMENTS = 0x2000;
  private static final int IPV4_OFFSET_MASK = 0x1FFF;
  private static final int IPV6_HEADER = 40;
  private static final int IPV6_OFFSET_MASK = 0xFFF8;
  private static final int IPV6_MORE_FRAGMENTS = 1;
  private static final int FRAGMENT_UNIT = 8;

  /** The key of the packet it is a piece of: RFC 791's four fields, RFC 8200's three. */
  record Key(
      int version,
      long srcHi,
      long srcLo,
      long dstHi,
      long dstLo,
      long id,
      int protocol,
      long context) {

    /** The packet for a person: "192.168.50.11 -> 192.168.50.12, IPv4 id 19777". */
    String describe() {
      return AddressText.format(version, srcHi, srcLo)
          + " -> "
          + AddressText.format(version, dstHi, dstLo)
          + ", IPv"
          + version
          + " id "
          + id;
    }
  }

  /** Where the piece's data ends in the packet's data. */
  int end() {
    return start + dataLength;
  }

  /** The piece the decoder marked in {@code d}, or null when it cannot be put anywhere. */
  static Fragment read(DecodedPacket d) {
    ByteBuffer f = d.frame;
    int ip = d.fragmentedIp;
    int limit = f.limit();
    if (ip < 0 || limit - ip < IPV6_HEADER / 2) {
      return null;
    }
    int version = Byte.toUnsignedInt(f.get(ip)) >>> 4;
    return version == 4 ? ipv4(d, f, ip, limit) : ipv6(d, f, ip, limit);
  }

  private static Fragment ipv4(DecodedPacket d, ByteBuffer f, int ip, int limit) {
    int headerLength = (f.get(ip) & 0x0F) * 4;
    int total = Short.toUnsignedInt(f.getShort(ip + 2));
    if (total <= headerLength || ip + total > limit) {
      return null;
    }
    int flags = Short.toUnsignedInt(f.getShort(ip + 6));
    boolean more = (flags & IPV4_MORE_FRAGMENTS) != 0;
    int data = total - headerLength;
    if (more && data % FRAGMENT_UNIT != 0) {
      return null;
    }
    Key key =
        new Key(
            4,
            0,
            Integer.toUnsignedLong(f.getInt(ip + 12)),
            0,
            Integer.toUnsignedLong(f.getInt(ip + 16)),
            Short.toUnsignedInt(f.getShort(ip + 4)),
            Byte.toUnsignedInt(f.get(ip + 9)),
            d.fragmentContext);
    return new Fragment(
        key, (flags & IPV4_OFFSET_MASK) * FRAGMENT_UNIT, more, ip + headerLength, data);
  }

  private static Fragment ipv6(DecodedPacket d, ByteBuffer f, int ip, int limit) {
    if (limit - ip < IPV6_HEADER) {
      return null;
    }
    int payload = Short.toUnsignedInt(f.getShort(ip + 4));
    int end = ip + IPV6_HEADER + payload;
    int header = d.fragmentHeader;
    int dataAt = header + FRAGMENT_UNIT;
    if (payload == 0 || end > limit || dataAt >= end) {
      return null;
    }
    int offsetFlags = Short.toUnsignedInt(f.getShort(header + 2));
    boolean more = (offsetFlags & IPV6_MORE_FRAGMENTS) != 0;
    int data = end - dataAt;
    if (!more && (offsetFlags & IPV6_OFFSET_MASK) == 0) {
      return null; // an atomic fragment: a whole packet, never joined to others (RFC 6946)
    }
    if (more && data % FRAGMENT_UNIT != 0) {
      return null;
    }
    Key key =
        new Key(
            6,
            f.getLong(ip + 8),
            f.getLong(ip + 16),
            f.getLong(ip + 24),
            f.getLong(ip + 32),
            Integer.toUnsignedLong(f.getInt(header + 4)),
            -1,
            d.fragmentContext);
    return new Fragment(key, offsetFlags & IPV6_OFFSET_MASK, more, dataAt, data);
  }
}
