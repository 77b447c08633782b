package io.migaudit.agent.publish;

import io.migaudit.agent.flow.FlowRecordSink;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Topics;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends flow records to {@link Topics#FLOWS}, key = flowId, value = the record's JSON, on the
 * partition of the flow's source host ({@link SourceHostPartitioner}).
 */
public final class FlowPublisher implements FlowRecordSink, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FlowPublisher.class);

  private final Producer<byte[], FlowRecord> producer;
  private final String topic;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

  public FlowPublisher(Producer<byte[], FlowRecord> producer) {
    this(producer, Topics.FLOWS);
  }

  public FlowPublisher(Producer<byte[], FlowRecord> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  @Override
  public void accept(FlowRecord record) {
    byte[] key = record.flowId().getBytes(StandardCharsets.UTF_8);
    producer.send(new ProducerRecord<>(topic, key, record), (meta, error) -> {
      if (error == null) {
        sent.incrementAndGet();
      } else {
        failed.incrementAndGet();
        if (firstFailure.compareAndSet(null, error)) {
          LOG.error("flow record not delivered to {}: {}", topic, error.toString());
        }
      }
    });
  }

  /**
   * Waits until every record handed over so far is acknowledged.
   *
   * @throws DeliveryException if any record could not be delivered
   */
  public void flush() throws DeliveryException {
    producer.flush();
    Exception e = firstFailure.get();
    if (e != null) {
      throw new DeliveryException(failed.get() + " flow records not delivered to " + topic + ": " + e.getMessage(), e);
    }
  }

  /** Records acknowledged by the broker. */
  public long sent() {
    return sent.get();
  }

  /** Records the producer gave up on. */
  public long failed() {
    return failed.get();
  }

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
