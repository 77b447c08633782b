package io.migaudit.record;

/** How urgent an alert is. */
public enum Severity {
  CRITICAL("critical"),
  WARNING("warning"),
  INFO("info");

  private final String wire;

  Severity(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Severity fromWire(String s) {
    for (Severity v : values()) {
      if (v.wire.equals(s)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown severity: " + s);
  }
}
