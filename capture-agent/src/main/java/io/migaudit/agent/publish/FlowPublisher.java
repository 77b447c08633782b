package io.migaudit.agent.publish;

import io.migaudit.agent.flow.FlowRecordSink;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends flow records to {@link Topics#FLOWS}, key = flowId, value = the record's JSON, on the
 * partition of the flow's source host ({@link SourceHostPartitioner}). Undelivered records are
 * counted in {@link #failed()} and logged; {@link SpoolingPublisher} keeps them in a disk spool
 * instead, and is what the live agent uses. The spool's counters are zero here.
 */
public sealed class FlowPublisher implements FlowRecordSink, AutoCloseable
    permits SpoolingPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(FlowPublisher.class);

  final String topic;
  private final Producer<byte[], FlowRecord> producer;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

  /** Publishes through {@code producer}. */
  public FlowPublisher(Producer<byte[], FlowRecord> producer) {
    this(producer, Topics.FLOWS);
  }

  /** Publishes through {@code producer} to {@code topic}. */
  public FlowPublisher(Producer<byte[], FlowRecord> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  /** For {@link SpoolingPublisher}, whose producers come and go: it overrides what sends. */
  FlowPublisher(String topic) {
    this(null, topic);
  }

  @Override
  public void accept(FlowRecord record) {
    try {
      producer.send(
          new ProducerRecord<>(topic, key(record), record),
          (meta, error) -> {
            if (error == null) {
              sent.incrementAndGet();
            } else {
              lost(error);
            }
          });
    } catch (KafkaException | IllegalStateException e) { // the producer was closed
      lost(e);
    }
  }

  /** The record's Kafka key: its flow id. */
  static byte[] key(FlowRecord record) {
    return record.flowId().getBytes(StandardCharsets.UTF_8);
  }

  /** Counts a record neither delivered nor spooled; logs the first. */
  void lost(Exception error) {
    failed.incrementAndGet();
    if (firstFailure.compareAndSet(null, error)) {
      LOG.error("flow record not delivered to {}: {}", topic, error.toString());
    }
  }

  /** Counts records the broker acknowledged. */
  void acknowledged(long records) {
    sent.addAndGet(records);
  }

  /**
   * Waits until every record handed over so far is acknowledged.
   *
   * @throws DeliveryException if any record was lost
   */
  public void flush() throws DeliveryException {
    producer.flush();
    throwIfLost();
  }

  /** Throws if any record was lost so far. */
  final void throwIfLost() throws DeliveryException {
    Exception e = firstFailure.get();
    if (e != null) {
      throw new DeliveryException(
          failed.get() + " flow records not delivered to " + topic + ": " + e.getMessage(), e);
    }
  }

  /**
   * Waits until the spool is empty, logging every {@code every} how much is left; returns false if
   * interrupted first. Without a spool returns at once.
   */
  public boolean awaitSpoolDrained(Duration every) {
    return true;
  }

  /** Records acknowledged by the broker, sent directly or from the spool. */
  public long sent() {
    return sent.get();
  }

  /** Records lost: not delivered and not spooled. */
  public long failed() {
    return failed.get();
  }

  /** Records appended to the spool. */
  public long spooled() {
    return 0;
  }

  /** Spooled records acknowledged by the broker. */
  public long drained() {
    return 0;
  }

  /** Spooled records deleted unsent because the spool reached its bound. */
  public long spoolDropped() {
    return 0;
  }

  /** Spooled records skipped because they could not be published for a reason of their own. */
  public long spoolSkipped() {
    return 0;
  }

  /** False once the spool's drainer thread has died: the spool would only grow. */
  public boolean drainerAlive() {
    return true;
  }

  /** Spooled records not yet acknowledged by Kafka. */
  public long spoolPending() {
    return 0;
  }

  /** Bytes of the spool's files. */
  public long spoolBytes() {
    return 0;
  }

  /** The spool's bound in bytes (0 without a spool). */
  public long spoolMaxBytes() {
    return 0;
  }

  /** Closes the producer, waiting for its acknowledgements. */
  @Override
  public void close() {
    producer.close();
  }

  /** Some records could not be delivered. */
  public static final class DeliveryException extends Exception {
    public DeliveryException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
