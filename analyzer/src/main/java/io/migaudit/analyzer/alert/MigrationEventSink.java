package io.migaudit.analyzer.alert;

import io.migaudit.record.MigrationEvent;
import java.util.List;

/**
 * Somewhere migration events go, with the contract of {@link AlertSink}: the consumer writes, then
 * flushes, and commits only after {@link #flush()} returned; failures are thrown.
 */
public interface MigrationEventSink extends AutoCloseable {

  /** Hands event updates to the sink; they may be buffered until {@link #flush()}. */
  void write(List<MigrationEvent> events);

  /** Returns once every event written so far is durable; throws if any could not be. */
  void flush();

  @Override
  void close();
}
