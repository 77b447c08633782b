package io.migaudit.record;

/** Kafka topic names of the contract (DESIGN.md). */
public final class Topics {
  public static final String FLOWS = "migaudit.flows";
  public static final String ALERTS = "migaudit.alerts";
  /** Migration events ({@link MigrationEvent}), key = eventId, a new version on every update. */
  public static final String MIGRATIONS = "migaudit.migrations";

  private Topics() {}
}
