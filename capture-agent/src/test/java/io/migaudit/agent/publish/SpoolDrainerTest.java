package io.migaudit.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.testsupport.Eventually;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An entry that cannot be published, for whatever reason of its own, is counted and skipped: the
 * records after it still go out in order and the drainer lives on. A drainer that dies anyway says
 * so.
 */
class SpoolDrainerTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir Path dir;

  /**
   * Refuses record seq 1 as Kafka refuses an unserializable record, and trips over seq 3 with a
   * bug.
   */
  static final class PickyProducer extends FlowPublisherTest.Producer {
    PickyProducer(AtomicBoolean down) {
      super(down);
    }

    @Override
    public synchronized Future<RecordMetadata> send(
        ProducerRecord<byte[], FlowRecord> r, Callback callback) {
      if (r.value().seq() == 1) {
        throw new SerializationException("cannot serialize record 1");
      }
      if (r.value().seq() == 3) {
        throw new IllegalStateException("a bug met on record 3");
      }
      return super.send(r, callback);
    }
  }

  /** Its metadata request throws an Error, which no drainer should survive silently. */
  static final class BrokenProducer extends FlowPublisherTest.Producer {
    BrokenProducer() {
      super(new AtomicBoolean(false));
    }

    @Override
    public synchronized List<PartitionInfo> partitionsFor(String topic) {
      throw new AssertionError("the drainer thread dies here");
    }
  }

  private static void await(BooleanSupplier condition, String what) {
    Eventually.until(what, DEADLINE, condition::getAsBoolean);
  }

  @Test
  void entriesThatCannotBePublishedAreCountedAndSkipped() throws Exception {
    try (Spool spool = Spool.open(dir, 1 << 20)) {
      for (int seq = 0; seq < 5; seq++) {
        spool.append(RecordJson.toBytes(FlowPublisherTest.record(seq)));
        if (seq == 2) {
          spool.append("{\"not\": \"a flow record\"}".getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    AtomicBoolean down = new AtomicBoolean(false);
    List<PickyProducer> made = new CopyOnWriteArrayList<>();
    try (Spool spool = Spool.open(dir, 1 << 20);
        FlowPublisher publisher =
            new FlowPublisher(
                () -> {
                  PickyProducer p = new PickyProducer(down);
                  made.add(p);
                  return p;
                },
                "flows",
                spool)) {
      publisher.accept(FlowPublisherTest.record(5)); // goes after the six spooled entries
      await(
          () -> publisher.state() == FlowPublisher.State.DIRECT,
          "the spool to drain past the bad entries");
      List<Long> sent =
          made.get(made.size() - 1).history().stream().map(r -> r.value().seq()).toList();
      assertThat(sent).containsExactly(0L, 2L, 4L, 5L);
      assertThat(publisher.spoolSkipped()).isEqualTo(3);
      assertThat(publisher.drained())
          .as("spooled records Kafka acknowledged: 0, 2, 4, 5")
          .isEqualTo(4);
      assertThat(publisher.drainerAlive()).isTrue();
      assertThat(spool.pending()).isZero();
    }
  }

  @Test
  void aDeadDrainerIsReported() throws Exception {
    try (Spool spool = Spool.open(dir, 1 << 20)) {
      spool.append(RecordJson.toBytes(FlowPublisherTest.record(0)));
    }
    try (Spool spool = Spool.open(dir, 1 << 20);
        FlowPublisher publisher = new FlowPublisher(BrokenProducer::new, "flows", spool)) {
      publisher.accept(FlowPublisherTest.record(1)); // spooled: the drainer starts sending and dies
      await(() -> !publisher.drainerAlive(), "the dead drainer to be reported");
    }
  }
}
