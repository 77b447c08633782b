package io.migaudit.record;

/** Is the payload of a flow readable on the wire? */
public enum Verdict {
  ENCRYPTED("encrypted"),
  PLAINTEXT("plaintext"),
  COMPRESSED("compressed"),
  UNKNOWN("unknown");

  private final String wire;

  Verdict(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** Plaintext or compressed: somebody on the path can read the VM's memory. */
  public boolean readable() {
    return this == PLAINTEXT || this == COMPRESSED;
  }

  /**
   * The worse of two verdicts, for a migration made of several streams: plaintext is worst, then
   * compressed (both readable), then unknown (not shown safe), then encrypted.
   */
  public static Verdict worst(Verdict a, Verdict b) {
    return rank(a) >= rank(b) ? a : b;
  }

  private static int rank(Verdict v) {
    return switch (v) {
      case PLAINTEXT -> 3;
      case COMPRESSED -> 2;
      case UNKNOWN -> 1;
      case ENCRYPTED -> 0;
    };
  }

  public static Verdict fromWire(String s) {
    for (Verdict v : values()) {
      if (v.wire.equals(s)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown verdict: " + s);
  }
}
