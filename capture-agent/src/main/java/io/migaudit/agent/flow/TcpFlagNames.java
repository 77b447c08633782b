package io.migaudit.agent.flow;

import java.util.ArrayList;
import java.util.List;

/** TCP flag bits (RFC 9293 3.1) and their names in flow records. */
final class TcpFlagNames {
  static final int FIN = 0x01;
  static final int SYN = 0x02;
  static final int RST = 0x04;
  static final int PSH = 0x08;
  static final int ACK = 0x10;
  static final int URG = 0x20;
  private static final String[] NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};

  /** The name list of each of the 256 flag combinations, made once: records share them. */
  private static final List<List<String>> LISTS = new ArrayList<>(1 << NAMES.length);

  static {
    for (int flags = 0; flags < 1 << NAMES.length; flags++) {
      List<String> names = new ArrayList<>(4);
      for (int bit = 0; bit < NAMES.length; bit++) {
        if ((flags & (1 << bit)) != 0) {
          names.add(NAMES[bit]);
        }
      }
      LISTS.add(List.copyOf(names));
    }
  }

  private TcpFlagNames() {}

  /** Names of the set bits, lowest first (an immutable list). */
  static List<String> of(int flags) {
    return LISTS.get(flags & 0xFF);
  }
}
