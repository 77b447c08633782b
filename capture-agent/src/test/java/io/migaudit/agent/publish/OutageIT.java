package io.migaudit.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.ForwardingSource;
import io.migaudit.agent.source.PacketSource;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Topics;
import io.migaudit.testsupport.Captures;
import io.migaudit.testsupport.ChildBroker;
import io.migaudit.testsupport.Eventually;
import io.migaudit.testsupport.TopicCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka outage longer than the producer's delivery timeout, with a real broker that is killed
 * (SIGKILL) mid-capture and restarted on the same address with its data. The capture agent keeps
 * capturing; the records the producer gives up on, and every record after them, wait in the disk
 * spool and are sent when the broker is back. Every record the agent produced must reach the topic:
 * the same set of {@code (flowId, seq)}, each copy byte-identical to what the agent produced, and
 * per flow in the agent's order.
 */
class OutageIT {
  /** The producer gives up on a record after this long (120 s in production). */
  private static final int DELIVERY_TIMEOUT_MS = 5_000;

  private static final Duration OUTAGE = Duration.ofSeconds(12);
  private static final Duration DEADLINE = Duration.ofSeconds(180);

  @TempDir Path dir;

  @Test
  void everyRecordCapturedDuringAnOutageIsDeliveredAfterIt() throws Exception {
    Path capture = Captures.generated(dir, 60_000, 6_000);
    try (ChildBroker broker = ChildBroker.start(Files.createDirectories(dir.resolve("broker")))) {
      broker.createTopics(List.of(Topics.FLOWS), 3);
      Map<String, Object> producerSettings =
          ProducerSettings.of(
              broker.bootstrapServers(),
              "outage-it",
              Map.of(
                  ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS,
                  ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                  ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000));
      List<FlowRecord> produced = Collections.synchronizedList(new ArrayList<>());
      Spool spool = Spool.open(dir.resolve("spool"), 256L * 1024 * 1024);
      long[] stops = {15_000, 30_000, 45_000};
      GatedSource source = new GatedSource(PcapFileSource.open(capture), stops);
      AtomicLong spoolPeak = new AtomicLong();
      long outageNanos;
      try (SpoolingPublisher publisher =
          new SpoolingPublisher(() -> new KafkaProducer<>(producerSettings), Topics.FLOWS, spool)) {
        // CaptureAgent itself, not FileAgent: the gated source pauses the capture at each stop,
        // which only a PacketSource handed to the one pipeline can do
        CaptureAgent agent =
            new CaptureAgent(
                AgentConfig.defaults("outage-it"),
                r -> {
                  produced.add(r);
                  publisher.accept(r);
                  spoolPeak.accumulateAndGet(publisher.spoolBytes(), Math::max);
                },
                new PipelineCounters());
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread capturing =
            new Thread(
                () -> {
                  try {
                    agent.run(source, "outage-it", EndReason.END_OF_CAPTURE);
                  } catch (IOException | RuntimeException e) {
                    failure.set(e);
                  }
                },
                "outage-it-capture");
        capturing.setDaemon(
            true); // a failed assertion leaves it parked in the gated source: the JVM must still
        // exit
        capturing.start();

        source.awaitStop(); // phase 1 delivered directly
        int beforeOutage = produced.size();
        broker.kill();
        long down = System.nanoTime();
        source.resume(); // phase 2a: the producer holds these until its delivery timeout, then they
        // are spooled
        source.awaitStop();
        await(() -> publisher.spooled() > 0, "the first undelivered records to be spooled");
        long spooledAtCutover = publisher.spooled();
        source.resume(); // phase 2b: straight to the spool, after the records before them
        source.awaitStop();
        assertThat(publisher.spooled())
            .as("records captured after the cut-over go to the spool")
            .isGreaterThan(spooledAtCutover);
        // the outage under test, not a wait for a condition: the broker stays down for OUTAGE
        // (longer than the producer's delivery timeout, so the publisher must cut over to the
        // spool)
        Thread.sleep(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - down) / 1_000_000));
        broker.start();
        outageNanos = System.nanoTime() - down;
        source.resume(); // phase 3: spooled while the spool drains, then directly
        capturing.join(DEADLINE.toMillis());
        assertThat(failure.get()).isNull();
        publisher.flush();
        await(() -> publisher.spoolPending() == 0, "the spool to drain");
        assertThat(publisher.spoolDropped()).isZero();
        assertThat(publisher.failed()).isZero();
        assertThat(beforeOutage).as("records delivered before the outage").isPositive();
        assertThat(produced.size())
            .as("records captured during and after the outage")
            .isGreaterThan(beforeOutage);
        report(produced.size(), publisher, outageNanos, spoolPeak.get());
      }
      TopicCheck.assertDeliveredExactly(broker.bootstrapServers(), produced, DEADLINE);
    }
  }

  private static void report(
      int produced, SpoolingPublisher publisher, long outageNanos, long spoolPeak) {
    System.out.printf(
        "OutageIT: %d records produced, %d spooled, %d drained, outage %.1f s, spool peak %d bytes%n",
        produced, publisher.spooled(), publisher.drained(), outageNanos / 1e9, spoolPeak);
  }

  static void await(BooleanSupplier condition, String what) {
    Eventually.until(what, DEADLINE, condition::getAsBoolean);
  }

  /** A capture read in phases: it stops before each given packet until the test resumes it. */
  static final class GatedSource extends ForwardingSource {
    private final long[] stops;
    private final Semaphore stopped = new Semaphore(0);
    private final Semaphore go = new Semaphore(0);
    private long read;
    private int next;

    GatedSource(PacketSource inner, long[] stops) {
      super(inner);
      this.stops = stops;
    }

    @Override
    public boolean next(CapturedPacket into) throws IOException {
      if (next < stops.length && read == stops[next]) {
        next++;
        stopped.release();
        go.acquireUninterruptibly();
      }
      read++;
      return inner.next(into);
    }

    void awaitStop() throws InterruptedException {
      assertThat(stopped.tryAcquire(DEADLINE.toSeconds(), TimeUnit.SECONDS))
          .as("capture reached its next stop")
          .isTrue();
    }

    void resume() {
      go.release();
    }
  }
}
