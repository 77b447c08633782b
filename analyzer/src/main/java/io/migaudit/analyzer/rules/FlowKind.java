package io.migaudit.analyzer.rules;

/** What a flow is, as far as the rules care. */
public enum FlowKind {
  /** Live migration: a catalog port, or ESP/SSH/TLS between two trusted hosts. */
  MIGRATION,
  /**
   * vSphere NFC (Network File Copy, TCP 902): disk copies of cold migration, cloning and
   * provisioning. Judged for encryption like a migration, but not a live migration.
   */
  NFC,
  /** ICMP, ICMPv6, IGMP: never migration, never "other traffic on the migration segment". */
  LINK_CONTROL,
  /** Everything else. */
  OTHER
}
