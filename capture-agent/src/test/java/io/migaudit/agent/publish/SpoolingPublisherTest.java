package io.migaudit.agent.publish;

import static io.migaudit.agent.publish.FlowPublisherTest.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.publish.FlowPublisherTest.Producer;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.testsupport.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spooling publisher's cut-over to the spool and back, with in-memory producers that behave as
 * {@code KafkaProducer} does where it matters ({@link FlowPublisherTest.Producer}): closing one
 * fails every record it still holds, and asking for partitions fails while the broker is away. The
 * real broker is in {@link OutageIT}.
 */
class SpoolingPublisherTest {
  private static final String TOPIC = "flows";
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir Path dir;

  /**
   * Makes a {@link Producer} per call, as the agent makes a KafkaProducer, and keeps each in {@code
   * made}.
   */
  private static Supplier<Producer> producers(AtomicBoolean down, List<Producer> made) {
    return () -> {
      Producer p = new Producer(down);
      made.add(p);
      return p;
    };
  }

  private static List<Long> seqs(Producer p) {
    return p.history().stream().map(ProducerRecord::value).map(FlowRecord::seq).toList();
  }

  private static void await(BooleanSupplier condition, String what) {
    Eventually.until(what, DEADLINE, condition::getAsBoolean);
  }

  @Test
  void afterAFailureEveryRecordGoesThroughTheSpoolInOrderAndDirectAgainOnceDrained()
      throws Exception {
    AtomicBoolean down = new AtomicBoolean(false);
    List<Producer> made = new CopyOnWriteArrayList<>();
    try (Spool spool = Spool.open(dir, 1 << 20);
        SpoolingPublisher publisher = new SpoolingPublisher(producers(down, made), TOPIC, spool)) {
      for (int seq = 0; seq < 5; seq++) {
        publisher.accept(record(seq));
      }
      Producer first = made.get(0);
      first.completeNext(); // seq 0 acknowledged
      down.set(true);
      first.errorNext(new TimeoutException("delivery timeout")); // seq 1 expires: cut-over
      publisher.accept(record(5)); // waits for the cut-over, then goes after seqs 1-4
      assertThat(publisher.state()).isEqualTo(SpoolingPublisher.State.SPOOLING);
      assertThat(spool.pending()).isEqualTo(5);
      await(() -> made.size() >= 3, "the drainer to try (and drop) a producer while Kafka is away");
      assertThat(publisher.drained()).isZero();

      down.set(false);
      await(() -> publisher.state() == SpoolingPublisher.State.DIRECT, "the spool to drain");
      Producer working = made.get(made.size() - 1);
      assertThat(seqs(working))
          .as("spooled records, in the order accepted")
          .containsExactly(1L, 2L, 3L, 4L, 5L);
      publisher.accept(record(6));
      assertThat(seqs(working))
          .as("after the drain, records go to the producer that drained")
          .endsWith(6L);
      working.completeNext();
      publisher.flush();
      assertThat(publisher.sent()).isEqualTo(7);
      assertThat(publisher.spooled()).isEqualTo(5);
      assertThat(publisher.drained()).isEqualTo(5);
      assertThat(publisher.failed()).isZero();
      assertThat(seqs(first)).containsExactly(0L, 1L, 2L, 3L, 4L);
    }
  }

  @Test
  void recordsTheProducerNeitherAcknowledgesNorFailsAreSpooledAfterTheStallTime() throws Exception {
    AtomicBoolean down = new AtomicBoolean(false);
    List<Producer> made = new CopyOnWriteArrayList<>();
    try (Spool spool = Spool.open(dir, 1 << 20);
        SpoolingPublisher publisher =
            new SpoolingPublisher(producers(down, made), TOPIC, spool, Duration.ofMillis(300))) {
      for (int seq = 0; seq < 3; seq++) {
        publisher.accept(record(seq)); // the producer never calls back, as a stuck idempotent one
      }
      down.set(true);
      await(
          () -> publisher.state() != SpoolingPublisher.State.DIRECT,
          "the stall to start the cut-over");
      await(() -> spool.pending() == 3, "the stalled records to be spooled");
      publisher.accept(record(3));
      assertThat(spool.pending()).as("later records go after them").isEqualTo(4);
      down.set(false);
      await(() -> publisher.state() == SpoolingPublisher.State.DIRECT, "the spool to drain");
      assertThat(seqs(made.get(made.size() - 1))).containsExactly(0L, 1L, 2L, 3L);
      assertThat(publisher.failed()).isZero();
    }
  }

  @Test
  void recordsLeftInTheSpoolAreSentBeforeNewOnes() throws Exception {
    AtomicBoolean down = new AtomicBoolean(true);
    try (Spool spool = Spool.open(dir, 1 << 20)) {
      for (int seq = 0; seq < 3; seq++) {
        spool.append(RecordJson.toBytes(record(seq)));
      }
    }
    List<Producer> made = new CopyOnWriteArrayList<>();
    try (Spool spool = Spool.open(dir, 1 << 20);
        SpoolingPublisher publisher = new SpoolingPublisher(producers(down, made), TOPIC, spool)) {
      publisher.accept(
          record(3)); // Kafka away, an earlier run's records waiting: spooled after them
      assertThat(spool.pending()).isEqualTo(4);
      down.set(false);
      await(() -> publisher.state() == SpoolingPublisher.State.DIRECT, "the spool to drain");
      assertThat(seqs(made.get(made.size() - 1))).containsExactly(0L, 1L, 2L, 3L);
    }
  }

  @Test
  void flushSpoolsWhatKafkaHasNotAcknowledgedInsteadOfLosingIt() throws Exception {
    AtomicBoolean down = new AtomicBoolean(true);
    List<Producer> made = new CopyOnWriteArrayList<>();
    try (Spool spool = Spool.open(dir, 1 << 20);
        SpoolingPublisher publisher = new SpoolingPublisher(producers(down, made), TOPIC, spool)) {
      for (int seq = 0; seq < 3; seq++) {
        publisher.accept(record(seq));
      }
      made.get(0).completeNext();
      publisher
          .flush(); // as on SIGTERM: the producer is closed, seqs 1 and 2 were never acknowledged
      assertThat(publisher.failed()).isZero();
      assertThat(spool.pending()).isEqualTo(2);
      assertThat(publisher.state()).isEqualTo(SpoolingPublisher.State.SPOOLING);
      down.set(false);
      await(() -> publisher.state() == SpoolingPublisher.State.DIRECT, "the spool to drain");
      assertThat(seqs(made.get(made.size() - 1))).containsExactly(1L, 2L);
    }
  }
}
