package io.migaudit.analyzer.rules;

/** What a flow is, as far as the rules care. */
public enum FlowKind {
  /**
   * Live migration: a catalog port, a migration signature on any port, or a tunnel or bulk transfer
   * with a memory copy's evidence between two trusted hosts.
   */
  MIGRATION,
  /**
   * vSphere NFC (Network File Copy, TCP 902): disk copies of cold migration, cloning and
   * provisioning. Judged for encryption like a migration, but not a live migration.
   */
  NFC,
  /** ICMP, ICMPv6, IGMP: never migration, never "other traffic on the migration segment". */
  LINK_CONTROL,
  /**
   * A tunnel (ESP, SSH, TLS) or TCP flow between two trusted hosts that has not shown a memory copy
   * yet but may: no rule judges it until it does, ends, or ages out (then it is {@link #OTHER}).
   */
  UNDECIDED,
  /** Everything else. */
  OTHER
}
