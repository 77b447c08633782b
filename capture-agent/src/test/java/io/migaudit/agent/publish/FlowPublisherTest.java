package io.migaudit.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.Counters;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.SchemaVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The plain publisher counts what Kafka does not take as lost; {@link Producer} and {@link #record}
 * serve the spooling publisher's and the drainer's tests too ({@link SpoolingPublisherTest}, {@link
 * SpoolDrainerTest}).
 */
class FlowPublisherTest {
  private static final String TOPIC = "flows";

  /** A producer whose close fails what it holds, and whose metadata fails while {@code down}. */
  static class Producer extends MockProducer<byte[], FlowRecord> {
    private final AtomicBoolean down;

    Producer(AtomicBoolean down) {
      super(false, null, new ByteArraySerializer(), new FlowRecordSerializer());
      this.down = down;
    }

    @Override
    public synchronized List<PartitionInfo> partitionsFor(String topic) {
      if (down.get()) {
        throw new TimeoutException("no broker answers");
      }
      return List.of();
    }

    @Override
    public void close(Duration timeout) {
      while (errorNext(new KafkaException("producer closed"))) {
        // each pending record fails, oldest first, as KafkaProducer's forced close does
      }
      super.close(timeout);
    }
  }

  static FlowRecord record(int seq) {
    Instant first = Instant.parse("2026-11-23T10:02:00.123456Z");
    String flowId = FlowId.of("tcp", "192.168.50.11", 40022, "192.168.50.12", 8000, 50, first);
    return new FlowRecord(
        SchemaVersion.CURRENT,
        "esx-01",
        "eth1",
        flowId,
        seq,
        false,
        null,
        first,
        first.plusSeconds(seq),
        50,
        null,
        List.of("ethernet"),
        4,
        "tcp",
        "192.168.50.11",
        40022,
        "192.168.50.12",
        8000,
        "syn",
        new Counters(seq, seq * 1000L, seq * 900L),
        new Counters(0, 0, 0),
        List.of("SYN"),
        "vmotion",
        null);
  }

  @Test
  void withoutASpoolAFailureIsCountedAsLost() throws Exception {
    Producer p = new Producer(new AtomicBoolean(false));
    try (FlowPublisher publisher = new FlowPublisher(p, TOPIC)) {
      publisher.accept(record(0));
      p.errorNext(new TimeoutException("delivery timeout"));
      assertThat(publisher.failed()).isEqualTo(1);
      assertThat(publisher.spooled()).isZero();
    }
  }
}
