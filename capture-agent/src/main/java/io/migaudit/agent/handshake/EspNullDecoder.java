package io.migaudit.agent.handshake;

import java.nio.ByteBuffer;

/**
 * Tells whether one ESP packet carries its payload in clear (ESP-NULL, RFC 2410) by RFC 5840's
 * heuristics: for each common ICV length, the trailer's Next Header names a transport or IP, the
 * padding is the default 1, 2, 3 ... sequence (RFC 4303 §2.4), and right after the 8-byte ESP
 * header (no IV with NULL encryption) sits a well-formed header of that protocol whose length fits
 * exactly. Encrypted packets pass these checks only by chance. Stateless.
 */
public final class EspNullDecoder {
  /** RFC 4303 §2: SPI(4) sequence number(4). */
  static final int ESP_HEADER_LENGTH = 8;

  /** RFC 4303 §2: Pad Length(1) Next Header(1). */
  static final int TRAILER_LENGTH = 2;

  /** ICV lengths of the integrity algorithms ESP-NULL is used with (RFC 4868, RFC 2404, GMAC). */
  static final int[] ICV_LENGTHS = {12, 16, 24, 32, 8};

  static final int IPV4 = 4;
  static final int TCP = 6;
  static final int UDP = 17;
  static final int IPV6 = 41;
  static final int TCP_MIN_HEADER = 20;
  static final int TCP_DATA_OFFSET = 12;
  static final int UDP_HEADER = 8;
  static final int UDP_LENGTH = 4;
  static final int IPV4_MIN_HEADER = 20;
  static final int IPV4_TOTAL_LENGTH = 2;
  static final int IPV6_HEADER = 40;
  static final int IPV6_PAYLOAD_LENGTH = 4;

  private EspNullDecoder() {}

  /**
   * The packet's reading.
   *
   * @param innerProtocol "tcp", "udp", "ipv4" or "ipv6" when a clear inner header was found, null
   *     when none was (the payload looks encrypted)
   * @param issue set when the packet is too short to judge (it then counts neither way)
   */
  public record Result(String innerProtocol, HandshakeIssue issue) {
    public boolean clear() {
      return innerProtocol != null;
    }
  }

  /** Reads one whole ESP packet (from the SPI to the ICV). */
  public static Result decode(ByteBuffer esp) {
    int length = esp.remaining();
    int base = esp.position();
    if (length < ESP_HEADER_LENGTH + TRAILER_LENGTH + UDP_HEADER) {
      return new Result(null, HandshakeIssue.ESP_TOO_SHORT);
    }
    for (int icv : ICV_LENGTHS) {
      int trailer = length - icv - TRAILER_LENGTH;
      if (trailer < ESP_HEADER_LENGTH) {
        continue;
      }
      int padLength = Byte.toUnsignedInt(esp.get(base + trailer));
      int next = Byte.toUnsignedInt(esp.get(base + trailer + 1));
      int innerLength = trailer - padLength - ESP_HEADER_LENGTH;
      if (innerLength <= 0 || !defaultPadding(esp, base + trailer - padLength, padLength)) {
        continue;
      }
      String inner = inner(esp.slice(base + ESP_HEADER_LENGTH, innerLength), next);
      if (inner != null) {
        return new Result(inner, null);
      }
    }
    return new Result(null, null);
  }

  private static boolean defaultPadding(ByteBuffer b, int from, int padLength) {
    for (int i = 0; i < padLength; i++) {
      if (Byte.toUnsignedInt(b.get(from + i)) != i + 1) {
        return false;
      }
    }
    return true;
  }

  /**
   * The protocol name when {@code inner} holds a well-formed header of {@code next} that fits it.
   */
  static String inner(ByteBuffer inner, int next) {
    int n = inner.limit();
    switch (next) {
      case TCP -> {
        if (n < TCP_MIN_HEADER) {
          return null;
        }
        int headerLength = (Byte.toUnsignedInt(inner.get(TCP_DATA_OFFSET)) >> 4) * 4;
        return headerLength >= TCP_MIN_HEADER && headerLength <= n ? "tcp" : null;
      }
      case UDP -> {
        return n >= UDP_HEADER && Short.toUnsignedInt(inner.getShort(UDP_LENGTH)) == n
            ? "udp"
            : null;
      }
      case IPV4 -> {
        return n >= IPV4_MIN_HEADER
                && Byte.toUnsignedInt(inner.get(0)) >> 4 == 4
                && Short.toUnsignedInt(inner.getShort(IPV4_TOTAL_LENGTH)) == n
            ? "ipv4"
            : null;
      }
      case IPV6 -> {
        return n >= IPV6_HEADER
                && Byte.toUnsignedInt(inner.get(0)) >> 4 == 6
                && Short.toUnsignedInt(inner.getShort(IPV6_PAYLOAD_LENGTH)) + IPV6_HEADER == n
            ? "ipv6"
            : null;
      }
      default -> {
        return null;
      }
    }
  }
}
