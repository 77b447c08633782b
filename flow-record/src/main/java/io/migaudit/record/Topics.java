package io.migaudit.record;

/** Kafka topic names of the contract (DESIGN.md). */
public final class Topics {
  public static final String FLOWS = "migaudit.flows";
  public static final String ALERTS = "migaudit.alerts";
  /** Migration events ({@link MigrationEvent}), key = eventId, a new version on every update. */
  public static final String MIGRATIONS = "migaudit.migrations";
  /**
   * Header of a flow record copied to a partition other than its own as evidence for correlating
   * rules (Kerberos ticket requests, value {@value #EVIDENCE_COPY_KERBEROS}): the analyzer that owns
   * that partition learns from it and never judges it; the original is judged where it belongs.
   */
  public static final String EVIDENCE_COPY_HEADER = "migaudit-evidence-copy";
  public static final String EVIDENCE_COPY_KERBEROS = "kerberos";

  private Topics() {}
}
