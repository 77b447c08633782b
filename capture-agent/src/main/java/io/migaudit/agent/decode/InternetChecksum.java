package io.migaudit.agent.decode;

import java.nio.ByteBuffer;

/**
 * The Internet checksum (RFC 1071): the one's-complement sum of 16-bit words. An IPv4 header whose
 * checksum is right sums to 0xFFFF; the value to write into one whose checksum field is zero is the
 * complement of its sum. Public for the tests and benchmarks that build such headers.
 */
public final class InternetChecksum {
  private static final int WORD = 0xFFFF;

  private InternetChecksum() {}

  /**
   * The one's-complement sum of the {@code length} bytes from {@code at} as 16-bit words, folded to
   * 16 bits; an odd last byte is the high half of a word whose low half is zero (RFC 1071 4.1).
   */
  public static int sum(ByteBuffer buffer, int at, int length) {
    int words = length & ~1;
    int sum = 0;
    for (int i = 0; i < words; i += 2) {
      sum += Short.toUnsignedInt(buffer.getShort(at + i));
    }
    if (words != length) {
      sum += Byte.toUnsignedInt(buffer.get(at + words)) << 8;
    }
    return fold(sum);
  }

  /** {@code sum}, a sum of 16-bit words (non-negative), with its carries folded into 16 bits. */
  public static int fold(int sum) {
    while (sum >>> 16 != 0) {
      sum = (sum & WORD) + (sum >>> 16);
    }
    return sum;
  }

  /** Writes the header checksum of the IPv4 packet {@code packet} starts with. */
  public static void writeIpv4(byte[] packet) {
    ByteBuffer b = ByteBuffer.wrap(packet);
    int headerLength = (packet[0] & 0x0F) * 4;
    b.putShort(10, (short) 0);
    b.putShort(10, (short) ~sum(b, 0, headerLength));
  }
}
