package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * BSD loopback encapsulations (https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html): a 4-byte
 * address family, in the capturing host's byte order for LINKTYPE_NULL and in network order for
 * LINKTYPE_LOOP. IPv6's AF_INET6 differs between BSDs, hence three values.
 */
final class LoopbackDecoder {
  static final int HEADER_LENGTH = 4;
  static final int AF_INET = 2;

  /** AF_INET6 on NetBSD, OpenBSD and BSD/OS. */
  static final int AF_INET6_BSD = 24;

  /** AF_INET6 on FreeBSD and DragonFly BSD. */
  static final int AF_INET6_FREEBSD = 28;

  /** AF_INET6 on macOS and iOS. */
  static final int AF_INET6_DARWIN = 30;

  /**
   * Families fit in 16 bits; a value with only high bits set was written in the other byte order.
   */
  private static final int LOW_HALF = 0x0000FFFF;

  private LoopbackDecoder() {}

  /** LINKTYPE_NULL: the family is in the writer's byte order, which the value itself betrays. */
  static DecodeIssue decodeNull(
      ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    out.addLayer(Layer.LOOPBACK);
    if (end - offset < HEADER_LENGTH) {
      return DecodeIssue.LOOPBACK_TOO_SHORT;
    }
    int family = frame.getInt(offset);
    if ((family & LOW_HALF) == 0) {
      family = Integer.reverseBytes(family);
    }
    return decodeFamily(family, frame, offset + HEADER_LENGTH, end, wireEnd, out);
  }

  /** LINKTYPE_LOOP (OpenBSD): the family is in network byte order. */
  static DecodeIssue decodeLoop(
      ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    out.addLayer(Layer.LOOPBACK);
    if (end - offset < HEADER_LENGTH) {
      return DecodeIssue.LOOPBACK_TOO_SHORT;
    }
    return decodeFamily(frame.getInt(offset), frame, offset + HEADER_LENGTH, end, wireEnd, out);
  }

  private static DecodeIssue decodeFamily(
      int family, ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    return switch (family) {
      case AF_INET -> Ipv4Decoder.decode(frame, offset, end, wireEnd, out);
      case AF_INET6_BSD, AF_INET6_FREEBSD, AF_INET6_DARWIN ->
          Ipv6Decoder.decode(frame, offset, end, wireEnd, out);
      default -> DecodeIssue.NOT_IP;
    };
  }
}
