package io.migaudit.analyzer.rules;

/** What a flow is, as far as the rules care. */
public enum FlowKind {
  /** Live migration: a catalog port, or ESP/SSH/TLS between two trusted hosts. */
  MIGRATION,
  /** ICMP, ICMPv6, IGMP: never migration, never "other traffic on the migration segment". */
  LINK_CONTROL,
  /** Everything else. */
  OTHER
}
