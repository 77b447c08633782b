package io.migaudit.analyzer.policy;

import io.migaudit.record.AddressText;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 address parsed from its literal text, in pure Java: never a DNS lookup, so a host
 * name simply does not parse. Leading zeros in IPv4 octets are refused (some tools read them as
 * octal), and so are IPv6 zone ids.
 */
final class IpAddress {
  static final int IPV4_BYTES = 4;
  static final int IPV6_BYTES = 16;
  private static final int IPV6_GROUPS = 8;
  private static final int MAX_HEX_DIGITS = 4;
  private static final int MAX_DECIMAL_DIGITS = 3;

  private final byte[] bytes;

  private IpAddress(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * The last two addresses this thread parsed: a record's src and dst, tested against every CIDR.
   */
  private static final class Recent {
    String text1;
    IpAddress address1;
    String text2;
    IpAddress address2;
  }

  private static final ThreadLocal<Recent> RECENT = ThreadLocal.withInitial(Recent::new);

  /** The address written in {@code text}, or null when it is not an address literal. */
  static IpAddress parse(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    Recent r = RECENT.get();
    if (text.equals(r.text1)) {
      return r.address1;
    }
    if (text.equals(r.text2)) {
      return r.address2;
    }
    byte[] b = text.indexOf(':') >= 0 ? parseIpv6(text) : parseIpv4(text);
    IpAddress address = b == null ? null : new IpAddress(b);
    r.text2 = r.text1;
    r.address2 = r.address1;
    r.text1 = text;
    r.address1 = address;
    return address;
  }

  int bitLength() {
    return bytes.length * Byte.SIZE;
  }

  /** True when the first {@code prefixBits} bits of both addresses agree (same family only). */
  boolean samePrefix(IpAddress other, int prefixBits) {
    if (other.bytes.length != bytes.length) {
      return false;
    }
    int full = prefixBits / Byte.SIZE;
    for (int i = 0; i < full; i++) {
      if (bytes[i] != other.bytes[i]) {
        return false;
      }
    }
    int rest = prefixBits % Byte.SIZE;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (Byte.SIZE - rest)) & 0xff;
    return (bytes[full] & mask) == (other.bytes[full] & mask);
  }

  /** True when every bit after the first {@code prefixBits} is zero. */
  boolean hostBitsZero(int prefixBits) {
    return samePrefix(masked(prefixBits), bitLength());
  }

  /** This address with every bit after the first {@code prefixBits} cleared. */
  IpAddress masked(int prefixBits) {
    byte[] out = new byte[bytes.length];
    for (int bit = 0; bit < prefixBits; bit++) {
      int mask = 0x80 >>> (bit % Byte.SIZE);
      out[bit / Byte.SIZE] |= (byte) (bytes[bit / Byte.SIZE] & mask);
    }
    return new IpAddress(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpAddress a && Arrays.equals(bytes, a.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** The address as records and alerts write it ({@link AddressText}). */
  @Override
  public String toString() {
    return AddressText.format(bytes);
  }

  private static byte[] parseIpv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != IPV4_BYTES) {
      return null;
    }
    byte[] out = new byte[IPV4_BYTES];
    for (int i = 0; i < IPV4_BYTES; i++) {
      int v = decimalOctet(parts[i]);
      if (v < 0) {
        return null;
      }
      out[i] = (byte) v;
    }
    return out;
  }

  private static int decimalOctet(String s) {
    if (s.isEmpty() || s.length() > MAX_DECIMAL_DIGITS || (s.length() > 1 && s.charAt(0) == '0')) {
      return -1;
    }
    int v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v <= 0xff ? v : -1;
  }

  private static byte[] parseIpv6(String text) {
    int gap = text.indexOf("::");
    if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    int[] head = gap < 0 ? groups(text, true) : groups(text.substring(0, gap), false);
    int[] tail = gap < 0 ? new int[0] : groups(text.substring(gap + 2), true);
    if (head == null || tail == null) {
      return null;
    }
    int given = head.length + tail.length;
    if ((gap < 0 && given != IPV6_GROUPS) || (gap >= 0 && given > IPV6_GROUPS - 1)) {
      return null;
    }
    int[] all = new int[IPV6_GROUPS];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, IPV6_GROUPS - tail.length, tail.length);
    byte[] out = new byte[IPV6_BYTES];
    for (int g = 0; g < IPV6_GROUPS; g++) {
      out[2 * g] = (byte) (all[g] >>> 8);
      out[2 * g + 1] = (byte) all[g];
    }
    return out;
  }

  /** The 16-bit groups of a colon-separated run; a trailing dotted quad counts as two groups. */
  private static int[] groups(String run, boolean last) {
    if (run.isEmpty()) {
      return new int[0];
    }
    String[] parts = run.split(":", -1);
    boolean dotted = parts[parts.length - 1].indexOf('.') >= 0;
    if (dotted && !last) {
      return null;
    }
    int[] out = new int[parts.length + (dotted ? 1 : 0)];
    for (int i = 0; i < parts.length - (dotted ? 1 : 0); i++) {
      out[i] = hexGroup(parts[i]);
      if (out[i] < 0) {
        return null;
      }
    }
    if (dotted) {
      byte[] v4 = parseIpv4(parts[parts.length - 1]);
      if (v4 == null) {
        return null;
      }
      out[parts.length - 1] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
      out[parts.length] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
    }
    return out;
  }

  private static int hexGroup(String s) {
    if (s.isEmpty() || s.length() > MAX_HEX_DIGITS) {
      return -1;
    }
    int v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int d = c < 0x80 ? Character.digit(c, 16) : -1;
      if (d < 0) {
        return -1;
      }
      v = (v << 4) | d;
    }
    return v;
  }
}
