package io.migaudit.analyzer.alert;

import io.migaudit.record.Alert;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Publishes alerts to Kafka, key = alertId (so a compacted topic or a consumer can de-duplicate),
 * value = the alert's JSON. {@link #flush()} waits until the broker acknowledged every alert sent
 * so far and throws a {@link KafkaException} naming the first one that failed. Owns the producer:
 * {@link #close()} closes it. Not thread-safe.
 */
public final class AlertPublisher implements AlertSink {
  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final List<Pending> pending = new ArrayList<>();

  private record Pending(String alertId, Future<RecordMetadata> ack) {}

  /** Publishes to {@link Topics#ALERTS}. */
  public AlertPublisher(Producer<byte[], byte[]> producer) {
    this(producer, Topics.ALERTS);
  }

  public AlertPublisher(Producer<byte[], byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  @Override
  public void write(List<Alert> alerts) {
    for (Alert a : alerts) {
      byte[] key = a.alertId().getBytes(StandardCharsets.UTF_8);
      ProducerRecord<byte[], byte[]> record =
          new ProducerRecord<>(topic, key, RecordJson.toBytes(a));
      pending.add(new Pending(a.alertId(), producer.send(record)));
    }
  }

  @Override
  public void flush() {
    producer.flush();
    List<Pending> sent = new ArrayList<>(pending);
    pending.clear();
    for (Pending p : sent) {
      try {
        p.ack().get();
      } catch (ExecutionException e) {
        throw new KafkaException(
            "alert "
                + p.alertId()
                + " was not published to "
                + topic
                + ": "
                + e.getCause().getMessage(),
            e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KafkaException("interrupted while waiting for alert acknowledgements", e);
      }
    }
  }

  @Override
  public void close() {
    try {
      flush();
    } finally {
      producer.close();
    }
  }
}
