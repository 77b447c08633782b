package io.migaudit.analyzer.alert;

import java.util.List;

/**
 * Somewhere alerts or migration events go (a JSON-lines file: {@link JsonLinesSink}). The analyzer
 * writes a batch, then flushes, and commits its Kafka offsets only after {@link #flush()} returned:
 * a sink must not return from {@code flush} before the records are durable, and reports failures by
 * throwing (an unchecked exception such as {@link java.io.UncheckedIOException} or {@link
 * org.apache.kafka.common.KafkaException}).
 *
 * @param <T> {@link io.migaudit.record.Alert} or {@link io.migaudit.record.MigrationEvent}
 */
public interface RecordSink<T> extends AutoCloseable {

  /** Hands records to the sink; they may be buffered until {@link #flush()}. */
  void write(List<T> records);

  /** Returns once every record written so far is durable; throws if any could not be. */
  void flush();

  /** Flushes what it can and releases the sink's resources. */
  @Override
  void close();
}
