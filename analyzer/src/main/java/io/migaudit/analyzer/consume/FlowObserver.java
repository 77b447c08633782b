package io.migaudit.analyzer.consume;

import io.migaudit.record.AgentHeartbeat;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;

/**
 * Watches what the consumer judged, e.g. for a run summary. Called on the consumer's thread after
 * the batch's outputs were written and its offsets committed; must not block.
 */
public interface FlowObserver {
  /** Observes nothing. */
  FlowObserver NONE = new FlowObserver() {};

  /**
   * A flow record was read and judged.
   *
   * @param record the record, labelled with its migration protocol when it is a migration
   * @param migration whether it is a live-migration flow
   * @param protocol its migration protocol, null when it is not a migration
   */
  default void onRecord(FlowRecord record, boolean migration, String protocol) {}

  /** An alert was raised and written. */
  default void onAlert(Alert alert) {}

  /**
   * A record seen before by {@link #onRecord} as no migration was judged, after the grace period, a
   * channel of a migration whose records came after it.
   */
  default void onLateMigration(FlowRecord record, String protocol) {}

  /** A migration event was updated by a record (its latest state; called once per record). */
  default void onMigrationEvent(MigrationEvent event) {}

  /** An agent's heartbeat was read (counted, never judged). */
  default void onHeartbeat(AgentHeartbeat heartbeat) {}

  /** A Kafka record was skipped; {@code kind} is the metric outcome ("json", "fields", ...). */
  default void onMalformed(String kind) {}
}
