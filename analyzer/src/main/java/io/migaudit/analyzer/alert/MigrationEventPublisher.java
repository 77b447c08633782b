package io.migaudit.analyzer.alert;

import io.migaudit.record.MigrationEvent;
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
 * Publishes migration event updates to {@link Topics#MIGRATIONS}, key = eventId (a compacted topic
 * keeps each event's latest state). {@link #flush()} waits for every acknowledgement. Does not own
 * the producer: it may share the alert publisher's. Not thread-safe.
 */
public final class MigrationEventPublisher implements MigrationEventSink {
  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final List<Future<RecordMetadata>> pending = new ArrayList<>();
  private final List<String> pendingIds = new ArrayList<>();

  public MigrationEventPublisher(Producer<byte[], byte[]> producer) {
    this(producer, Topics.MIGRATIONS);
  }

  public MigrationEventPublisher(Producer<byte[], byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  @Override
  public void write(List<MigrationEvent> events) {
    for (MigrationEvent e : events) {
      byte[] key = e.eventId().getBytes(StandardCharsets.UTF_8);
      pending.add(producer.send(new ProducerRecord<>(topic, key, RecordJson.toBytes(e))));
      pendingIds.add(e.eventId());
    }
  }

  @Override
  public void flush() {
    producer.flush();
    try {
      for (int i = 0; i < pending.size(); i++) {
        try {
          pending.get(i).get();
        } catch (ExecutionException e) {
          throw new KafkaException(
              "migration event "
                  + pendingIds.get(i)
                  + " was not published to "
                  + topic
                  + ": "
                  + e.getCause().getMessage(),
              e.getCause());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while waiting for event acknowledgements", e);
    } finally {
      pending.clear();
      pendingIds.clear();
    }
  }

  /** Flushes; the producer stays open (its owner closes it). */
  @Override
  public void close() {
    flush();
  }
}
