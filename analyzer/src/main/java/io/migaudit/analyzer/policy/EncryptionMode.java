package io.migaudit.analyzer.policy;

import java.util.Optional;

/** How migrations must be protected: vSphere's three modes (docs/DESIGN.md, "Policy"). */
public enum EncryptionMode {
  /** Every migration must be encrypted; a readable one is critical. */
  REQUIRED("required"),
  /** Encryption is expected where possible; a readable migration is a warning. */
  OPPORTUNISTIC("opportunistic"),
  /** Encryption is not expected; readable migrations raise nothing. */
  DISABLED("disabled");

  private final String wire;

  EncryptionMode(String wire) {
    this.wire = wire;
  }

  /** The lowercase name used in policy files and alerts. */
  public String wire() {
    return wire;
  }

  /** The mode spelled {@code text} exactly as in a policy file, if any. */
  public static Optional<EncryptionMode> fromWire(String text) {
    for (EncryptionMode m : values()) {
      if (m.wire.equals(text)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }
}
