package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * IPv4 headers (RFC 791 section 3.1). The packet's extent is its total length, clipped to what was
 * captured. A total length of 0 is what TSO and Linux BIG TCP write for packets longer than the
 * field holds; like tcpdump, the decoder then presumes the packet runs to the end of the frame on
 * the wire. Non-first fragments carry no transport header (RFC 791, "Fragmentation and
 * Reassembly"): they decode with ports 0 and {@link DecodedPacket#fragment} set.
 */
final class Ipv4Decoder {
  static final int VERSION = 4;
  static final int MIN_HEADER_LENGTH = 20;
  private static final int OFFSET_VERSION_IHL = 0;
  private static final int OFFSET_TOTAL_LENGTH = 2;
  private static final int OFFSET_FLAGS_FRAGMENT = 6;

  /** RFC 791 §3.1: Time to Live. */
  private static final int OFFSET_TTL = 8;

  private static final int OFFSET_PROTOCOL = 9;
  private static final int OFFSET_SOURCE = 12;
  private static final int OFFSET_DESTINATION = 16;
  private static final int IHL_MASK = 0x0F;

  /** IHL counts 32-bit words. */
  private static final int IHL_UNIT = 4;

  private static final int MIN_IHL = MIN_HEADER_LENGTH / IHL_UNIT;

  /** RFC 791 3.1: the More Fragments flag. */
  static final int FLAG_MORE_FRAGMENTS = 0x2000;

  /** Fragment offset: the low 13 bits of the flags/fragment field, in 8-byte units. */
  private static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

  /** Total length written by TSO / BIG TCP senders for oversized packets. */
  private static final int PRESUMED_LENGTH = 0;

  private Ipv4Decoder() {}

  /**
   * The IPv4 header at {@code at} is captured whole (before {@code end}) and its checksum adds up
   * (RFC 791 3.1, RFC 1071): how the decoders that must tell a packet from other bytes (under MPLS
   * labels, inside a UDP tunnel) know one.
   */
  static boolean checksumHolds(ByteBuffer frame, int at, int end) {
    int headerLength = (frame.get(at) & IHL_MASK) * IHL_UNIT;
    if (headerLength < MIN_HEADER_LENGTH || end - at < headerLength) {
      return false;
    }
    return InternetChecksum.sum(frame, at, headerLength) == 0xFFFF;
  }

  static DecodeIssue decode(ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    int captured = end - offset;
    if (captured < MIN_HEADER_LENGTH) {
      return DecodeIssue.IPV4_TOO_SHORT;
    }
    int versionIhl = Byte.toUnsignedInt(frame.get(offset + OFFSET_VERSION_IHL));
    if (versionIhl >>> 4 != VERSION) {
      return DecodeIssue.IPV4_BAD_VERSION;
    }
    int ihl = versionIhl & IHL_MASK;
    if (ihl < MIN_IHL) {
      return DecodeIssue.IPV4_BAD_IHL;
    }
    int headerLength = ihl * IHL_UNIT;
    int totalLength = Short.toUnsignedInt(frame.getShort(offset + OFFSET_TOTAL_LENGTH));
    if (totalLength != PRESUMED_LENGTH && totalLength < headerLength) {
      return DecodeIssue.IPV4_BAD_TOTAL_LENGTH;
    }
    if (headerLength > wireEnd - offset) {
      return DecodeIssue.IPV4_BAD_IHL; // the header claims more than the whole frame on the wire
    }
    if (headerLength > captured) {
      return DecodeIssue.IPV4_TOO_SHORT; // options cut by the snap length
    }
    int length = totalLength == PRESUMED_LENGTH ? wireEnd - offset : totalLength;
    out.ipVersion = VERSION;
    out.ipOffset = offset;
    out.ipLength = length;
    out.ttl = Byte.toUnsignedInt(frame.get(offset + OFFSET_TTL));
    out.ipProtocol = Byte.toUnsignedInt(frame.get(offset + OFFSET_PROTOCOL));
    out.srcHi = 0;
    out.srcLo = Integer.toUnsignedLong(frame.getInt(offset + OFFSET_SOURCE));
    out.dstHi = 0;
    out.dstLo = Integer.toUnsignedLong(frame.getInt(offset + OFFSET_DESTINATION));
    int packetWireEnd = offset + length;
    int packetEnd = Math.min(end, packetWireEnd);
    int payload = offset + headerLength;
    int flagsFragment = Short.toUnsignedInt(frame.getShort(offset + OFFSET_FLAGS_FRAGMENT));
    int fragmentOffset = flagsFragment & FRAGMENT_OFFSET_MASK;
    out.ipv4Fragment = fragmentOffset != 0 || (flagsFragment & FLAG_MORE_FRAGMENTS) != 0;
    if (out.ipv4Fragment) {
      out.fragmented(offset, 0, 0);
    }
    if (fragmentOffset != 0) {
      out.fragment = true;
      TransportDecoder.payload(payload, packetEnd, packetWireEnd, out);
      return DecodeIssue.NONE;
    }
    return TransportDecoder.decode(out.ipProtocol, frame, payload, packetEnd, packetWireEnd, out);
  }
}
