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

  public static Verdict fromWire(String s) {
    for (Verdict v : values()) {
      if (v.wire.equals(s)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown verdict: " + s);
  }
}
