package io.migaudit.record;

/**
 * The one text form of an address in records and alerts: dotted quad for IPv4, RFC 5952 for IPv6
 * (lowercase hex, no leading zeros, the first longest run of two or more zero groups as "::"). The
 * agent writes its decoded addresses (two longs, see DecodedPacket) with it, and the analyzer's
 * policy its parsed addresses, so both sides spell an address alike. Written by hand: {@code
 * InetAddress.getByAddress} turns IPv4-mapped IPv6 bytes into an IPv4 address.
 */
public final class AddressText {
  private static final int GROUPS = 8;
  private static final int IPV4_BYTES = 4;
  private static final int IPV6_BYTES = 16;

  private AddressText() {}

  /**
   * The text of a 4-byte (IPv4) or 16-byte (IPv6) address in network order.
   *
   * @throws IllegalArgumentException for any other length
   */
  public static String format(byte[] address) {
    if (address.length != IPV4_BYTES && address.length != IPV6_BYTES) {
      throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + address.length);
    }
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < address.length; i++) {
      if (address.length == IPV6_BYTES && i < Long.BYTES) {
        hi = hi << Byte.SIZE | (address[i] & 0xff);
      } else {
        lo = lo << Byte.SIZE | (address[i] & 0xff);
      }
    }
    return format(address.length == IPV4_BYTES ? 4 : 6, hi, lo);
  }

  /**
   * The text of an address held as two longs: for IPv4 ({@code ipVersion} 4) the low 32 bits of
   * {@code lo}, for IPv6 the first 8 bytes in {@code hi} and the last 8 in {@code lo}.
   */
  public static String format(int ipVersion, long hi, long lo) {
    if (ipVersion == 4) {
      return ((lo >>> 24) & 0xff)
          + "."
          + ((lo >>> 16) & 0xff)
          + "."
          + ((lo >>> 8) & 0xff)
          + "."
          + (lo & 0xff);
    }
    int[] g = new int[GROUPS];
    for (int i = 0; i < 4; i++) {
      g[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
      g[4 + i] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < GROUPS; ) {
      int j = i;
      while (j < GROUPS && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = Math.max(j, i + 1);
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < GROUPS; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }
}
