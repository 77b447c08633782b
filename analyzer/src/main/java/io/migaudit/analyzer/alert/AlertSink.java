package io.migaudit.analyzer.alert;

import io.migaudit.record.Alert;
import java.util.List;

/**
 * Somewhere alerts go. The consumer writes a batch, then flushes, and commits its Kafka offsets
 * only after {@link #flush()} returned: a sink must not return from {@code flush} before the alerts
 * are durable, and reports failures by throwing (an unchecked exception such as {@link
 * java.io.UncheckedIOException} or {@link org.apache.kafka.common.KafkaException}).
 */
public interface AlertSink extends AutoCloseable {

  /** Hands alerts to the sink; they may be buffered until {@link #flush()}. */
  void write(List<Alert> alerts);

  /** Returns once every alert written so far is durable; throws if any could not be. */
  void flush();

  /** Flushes what it can and releases the sink's resources. */
  @Override
  void close();
}
