package io.migaudit.agent.flow;

/**
 * Renders addresses held as two longs (see DecodedPacket) as text: dotted quad for IPv4, RFC 5952
 * for IPv6 (lowercase hex, no leading zeros, the longest run of two or more zero groups as "::").
 * Written by hand: {@code InetAddress.getByAddress} turns IPv4-mapped IPv6 bytes into an IPv4 address.
 */
final class AddressText {
  private static final int GROUPS = 8;

  private AddressText() {}

  static String format(int ipVersion, long hi, long lo) {
    if (ipVersion == 4) {
      return ((lo >>> 24) & 0xff) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
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
