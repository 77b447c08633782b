package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * IPv6 headers (RFC 8200 section 3) and the extension header chain (section 4): Hop-by-Hop Options,
 * Routing, Fragment, Destination Options and the Authentication Header (RFC 4302), up to {@link
 * #MAX_EXTENSION_HEADERS}. A payload length of 0 means a Jumbo Payload option (RFC 2675) or,
 * without one, a Linux BIG TCP packet that runs to the end of the frame on the wire.
 */
final class Ipv6Decoder {
  static final int VERSION = 6;
  static final int HEADER_LENGTH = 40;
  private static final int OFFSET_PAYLOAD_LENGTH = 4;
  private static final int OFFSET_NEXT_HEADER = 6;

  /** RFC 8200 §3: Hop Limit. */
  private static final int OFFSET_HOP_LIMIT = 7;

  private static final int OFFSET_SOURCE = 8;
  private static final int OFFSET_DESTINATION = 24;

  // Next Header values of extension headers, RFC 8200 section 4 and RFC 4302.
  static final int HOP_BY_HOP = 0;
  static final int ROUTING = 43;
  static final int FRAGMENT = 44;
  static final int AUTHENTICATION = 51;
  static final int NO_NEXT_HEADER = 59;
  static final int DESTINATION_OPTIONS = 60;

  /** Longer chains are taken for malformed (or hostile) packets. */
  static final int MAX_EXTENSION_HEADERS = 8;

  /** Next Header(1) + Hdr Ext Len(1) open every extension header decoded here. */
  private static final int EXTENSION_PREFIX_LENGTH = 2;

  private static final int OFFSET_EXTENSION_LENGTH = 1;

  /** Hdr Ext Len: 8-octet units, not counting the first 8 octets (RFC 8200 section 4.3). */
  private static final int EXTENSION_UNIT = 8;

  /** AH Payload Len: 4-octet units, minus 2 (RFC 4302 section 2.2). */
  private static final int AH_UNIT = 4;

  private static final int AH_LENGTH_BIAS = 2;

  /**
   * Fragment header (RFC 8200 section 4.5): next(1) reserved(1) offset+flags(2) identification(4).
   */
  private static final int FRAGMENT_HEADER_LENGTH = 8;

  private static final int OFFSET_FRAGMENT_OFFSET = 2;
  private static final int FRAGMENT_OFFSET_MASK = 0xFFF8;

  // Hop-by-Hop options (RFC 8200 section 4.2) and the Jumbo Payload option (RFC 2675 section 2).
  private static final int OPTION_PAD1 = 0;
  private static final int OPTION_JUMBO_PAYLOAD = 0xC2;
  private static final int JUMBO_PAYLOAD_LENGTH = 4;
  private static final int OPTION_PREFIX_LENGTH = 2;
  private static final long NO_JUMBO = -1;

  private Ipv6Decoder() {}

  static DecodeIssue decode(ByteBuffer frame, int offset, int end, int wireEnd, DecodedPacket out) {
    if (end - offset < HEADER_LENGTH) {
      return DecodeIssue.IPV6_TOO_SHORT;
    }
    if (Byte.toUnsignedInt(frame.get(offset)) >>> 4 != VERSION) {
      return DecodeIssue.IPV6_BAD_VERSION;
    }
    int payloadLength = Short.toUnsignedInt(frame.getShort(offset + OFFSET_PAYLOAD_LENGTH));
    boolean presumed = payloadLength == 0;
    int packetWireEnd = presumed ? wireEnd : offset + HEADER_LENGTH + payloadLength;
    int packetEnd = Math.min(end, packetWireEnd);
    out.ipVersion = VERSION;
    out.ipOffset = offset;
    out.ttl = Byte.toUnsignedInt(frame.get(offset + OFFSET_HOP_LIMIT));
    out.srcHi = frame.getLong(offset + OFFSET_SOURCE);
    out.srcLo = frame.getLong(offset + OFFSET_SOURCE + Long.BYTES);
    out.dstHi = frame.getLong(offset + OFFSET_DESTINATION);
    out.dstLo = frame.getLong(offset + OFFSET_DESTINATION + Long.BYTES);
    int first = Byte.toUnsignedInt(frame.get(offset + OFFSET_NEXT_HEADER));
    DecodeIssue chain =
        walkExtensions(frame, first, offset + HEADER_LENGTH, packetEnd, packetWireEnd, out);
    if (chain != DecodeIssue.NONE) {
      return chain;
    }
    if (presumed) {
      packetWireEnd = presumedWireEnd(frame, offset, wireEnd, first, out);
      if (packetWireEnd < 0) {
        out.fragment = false;
        return DecodeIssue.IPV6_BAD_EXTENSION_HEADER;
      }
      packetEnd = Math.min(end, packetWireEnd);
    }
    out.ipLength = packetWireEnd - offset;
    if (out.fragment) {
      TransportDecoder.payload(out.payloadOffset, packetEnd, packetWireEnd, out);
      return DecodeIssue.NONE;
    }
    return TransportDecoder.decode(
        out.ipProtocol, frame, out.payloadOffset, packetEnd, packetWireEnd, out);
  }

  /**
   * Walks the extension headers from {@code pos}, each checked against the packet's captured and
   * wire ends. Leaves the upper-layer protocol in {@link DecodedPacket#ipProtocol}, where it starts
   * in {@link DecodedPacket#payloadOffset}, and sets {@link DecodedPacket#fragment} after the
   * Fragment header of a non-first fragment (whatever follows it is no header).
   */
  private static DecodeIssue walkExtensions(
      ByteBuffer frame, int first, int start, int packetEnd, int packetWireEnd, DecodedPacket out) {
    int next = first;
    int pos = start;
    int namedAt = start - HEADER_LENGTH + OFFSET_NEXT_HEADER;
    int headers = 0;
    while (isExtension(next) && !out.fragment) {
      if (++headers > MAX_EXTENSION_HEADERS) {
        return DecodeIssue.IPV6_TOO_MANY_EXTENSION_HEADERS;
      }
      int prefix = next == FRAGMENT ? FRAGMENT_HEADER_LENGTH : EXTENSION_PREFIX_LENGTH;
      DecodeIssue cut = fits(pos + prefix, packetEnd, packetWireEnd);
      if (cut != DecodeIssue.NONE) {
        return cut;
      }
      int length = extensionLength(next, frame, pos);
      cut = fits(pos + length, packetEnd, packetWireEnd);
      if (cut != DecodeIssue.NONE) {
        return cut;
      }
      if (next == FRAGMENT) {
        out.ipv6Fragment = true;
        out.fragmented(start - HEADER_LENGTH, pos, namedAt);
      }
      out.fragment =
          next == FRAGMENT
              && (Short.toUnsignedInt(frame.getShort(pos + OFFSET_FRAGMENT_OFFSET))
                      & FRAGMENT_OFFSET_MASK)
                  != 0;
      namedAt = pos; // every extension header names the next in its first byte
      next = Byte.toUnsignedInt(frame.get(pos));
      pos += length;
    }
    out.ipProtocol = next;
    out.payloadOffset = pos;
    return DecodeIssue.NONE;
  }

  /**
   * The wire end of a packet whose payload length is 0: the Jumbo Payload option's length when the
   * Hop-by-Hop header carries one; else the IPv6 header alone for No Next Header, or the end of the
   * frame on the wire (Linux BIG TCP strips the Hop-by-Hop header). Returns -1 when extension
   * headers sit in a packet that, without a jumbo option, says it has no payload.
   */
  private static int presumedWireEnd(
      ByteBuffer frame, int offset, int wireEnd, int first, DecodedPacket out) {
    int headersStart = offset + HEADER_LENGTH;
    if (first == HOP_BY_HOP) { // the walk checked that it lies within the capture
      int end = headersStart + extensionLength(HOP_BY_HOP, frame, headersStart);
      long jumbo = jumboPayloadLength(frame, headersStart + EXTENSION_PREFIX_LENGTH, end);
      if (jumbo != NO_JUMBO) {
        int jumboEnd = (int) Math.min(Integer.MAX_VALUE, headersStart + jumbo);
        return out.payloadOffset > jumboEnd ? -1 : jumboEnd;
      }
    }
    if (out.payloadOffset > headersStart) {
      return -1;
    }
    return out.ipProtocol == NO_NEXT_HEADER ? headersStart : wireEnd;
  }

  static boolean isExtension(int next) {
    return next == HOP_BY_HOP
        || next == ROUTING
        || next == FRAGMENT
        || next == DESTINATION_OPTIONS
        || next == AUTHENTICATION;
  }

  /** NONE when {@code limit} lies within the captured packet; else which way it does not fit. */
  private static DecodeIssue fits(int limit, int packetEnd, int packetWireEnd) {
    if (limit > packetWireEnd) {
      return DecodeIssue.IPV6_BAD_EXTENSION_HEADER;
    }
    if (limit > packetEnd) {
      return DecodeIssue.IPV6_EXTENSION_HEADER_TOO_SHORT;
    }
    return DecodeIssue.NONE;
  }

  /**
   * Length of the extension header of type {@code next} at {@code pos}; its prefix is in bounds.
   */
  private static int extensionLength(int next, ByteBuffer frame, int pos) {
    if (next == FRAGMENT) {
      return FRAGMENT_HEADER_LENGTH;
    }
    int field = Byte.toUnsignedInt(frame.get(pos + OFFSET_EXTENSION_LENGTH));
    if (next == AUTHENTICATION) {
      return (field + AH_LENGTH_BIAS) * AH_UNIT;
    }
    return (field + 1) * EXTENSION_UNIT;
  }

  /** The Jumbo Payload option's length among the options in [from, to), or {@link #NO_JUMBO}. */
  private static long jumboPayloadLength(ByteBuffer frame, int from, int to) {
    int pos = from;
    while (pos < to) {
      int type = Byte.toUnsignedInt(frame.get(pos));
      if (type == OPTION_PAD1) {
        pos++;
        continue;
      }
      if (pos + OPTION_PREFIX_LENGTH > to) {
        return NO_JUMBO;
      }
      int length = Byte.toUnsignedInt(frame.get(pos + 1));
      int value = pos + OPTION_PREFIX_LENGTH;
      if (value + length > to) {
        return NO_JUMBO;
      }
      if (type == OPTION_JUMBO_PAYLOAD && length == JUMBO_PAYLOAD_LENGTH) {
        return Integer.toUnsignedLong(frame.getInt(value));
      }
      pos = value + length;
    }
    return NO_JUMBO;
  }
}
