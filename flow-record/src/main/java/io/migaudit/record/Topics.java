package io.migaudit.record;

/** Kafka topic names of the contract (docs/DESIGN.md). */
public final class Topics {
  public static final String FLOWS = "migaudit.flows";
  public static final String ALERTS = "migaudit.alerts";

  /** Migration events ({@link MigrationEvent}), key = eventId, a new version on every update. */
  public static final String MIGRATIONS = "migaudit.migrations";

  /**
   * Kerberos evidence: the flow records of flows to a KDC, key {@code "client|flowId"}, compacted
   * and deleted after {@code retention.ms} (longer than any ticket lifetime). The analyzer writes
   * them from the flow records it judges and every instance reads them all as a global table.
   */
  public static final String KERBEROS = "migaudit.kerberos";

  /**
   * Header of a flow record copied to a partition other than its own as evidence for correlating
   * rules (Kerberos ticket requests, value {@value #EVIDENCE_COPY_KERBEROS}): the analyzer that
   * owns that partition learns from it and never judges it; the original is judged where it
   * belongs.
   */
  public static final String EVIDENCE_COPY_HEADER = "migaudit-evidence-copy";

  public static final String EVIDENCE_COPY_KERBEROS = "kerberos";

  private Topics() {}
}
