package io.migaudit.agent.flow;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Renders addresses held as two longs (see DecodedPacket) as text: dotted quad or RFC 5952 IPv6. */
final class AddressText {
  private AddressText() {}

  static String format(int ipVersion, long hi, long lo) {
    if (ipVersion == 4) {
      return ((lo >>> 24) & 0xff) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
    }
    byte[] b = new byte[16];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (hi >>> (56 - 8 * i));
      b[8 + i] = (byte) (lo >>> (56 - 8 * i));
    }
    try {
      // Literal bytes: no name lookup happens.
      return compress(((Inet6Address) InetAddress.getByAddress(b)).getHostAddress());
    } catch (UnknownHostException e) {
      throw new IllegalStateException("16 bytes are always an IPv6 address", e);
    }
  }

  /** Java prints every group ("fd00:50:0:0:0:0:0:11"); RFC 5952 wants the longest zero run as "::". */
  static String compress(String full) {
    String[] groups = full.split(":");
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < groups.length; ) {
      if (!groups[i].equals("0")) {
        i++;
        continue;
      }
      int j = i;
      while (j < groups.length && groups[j].equals("0")) {
        j++;
      }
      if (j - i > bestLen && j - i > 1) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (bestStart < 0) {
      return full;
    }
    String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
    String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
    return head + "::" + tail;
  }
}
