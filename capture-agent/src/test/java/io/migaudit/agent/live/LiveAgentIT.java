package io.migaudit.agent.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.metrics.AgentMetrics;
import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.FlowRecordSerializer;
import io.migaudit.agent.source.CaptureBackend;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.LiveCaptureOptions;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.agent.testbed.VethBed;
import io.migaudit.record.FlowRecord;
import io.migaudit.testsupport.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The live agent service on a real interface: a veth pair with one end in a network namespace of
 * its own, the vMotion sample replayed into it with tcpreplay, {@link LiveAgent} capturing on the
 * other end with libpcap until it is closed. Needs root, {@code ip}, {@code tcpreplay} and libpcap
 * (skips without them, fails under {@code CI=true}).
 */
class LiveAgentIT {
  private static final Path VMOTION = Path.of("../samples/vmotion-plaintext/capture.pcap");
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  /**
   * A SIGTERM can come while the agent starts, before its sources are open: the stop must still end
   * the capture that start() then begins, or await() (and the shutdown hook waiting on it) would
   * never return.
   */
  @Test
  void aStopBeforeStartStillEndsTheCaptureStartBegins() throws Exception {
    VethBed.requirePrerequisites();
    MockProducer<byte[], FlowRecord> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new FlowRecordSerializer());
    try (VethBed bed = VethBed.create("ma-ls-" + ProcessHandle.current().pid());
        FlowPublisher publisher = new FlowPublisher(producer, "flows")) {
      LiveAgent agent = agent(bed, publisher, (interfaces, packets, records) -> null);
      agent.stop(); // what the shutdown hook's close() does first
      agent.start();
      CompletableFuture<Void> running = awaitInBackground(agent);
      running.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertThat(agent.health().getAsBoolean()).as("a stop is not a failure").isTrue();
    }
  }

  @Test
  void capturesUntilClosedThenFlushesEveryFlowAndStaysHealthy() throws Exception {
    VethBed.requirePrerequisites();
    MockProducer<byte[], FlowRecord> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new FlowRecordSerializer());
    AtomicReference<List<String>> beatInterfaces = new AtomicReference<>();
    try (VethBed bed = VethBed.create("ma-la-" + ProcessHandle.current().pid());
        FlowPublisher publisher = new FlowPublisher(producer, "flows")) {
      LiveAgent agent =
          agent(
              bed,
              publisher,
              (interfaces, packets, records) -> {
                beatInterfaces.set(interfaces);
                return null;
              });
      agent.start();
      CompletableFuture<Void> running = awaitInBackground(agent);
      long frames = frames(VMOTION);
      bed.replay(List.of(), List.of(VMOTION));
      Eventually.until(
          "the replayed frames read from the wire", DEADLINE, () -> agent.packets() >= frames);
      assertThat(agent.health().getAsBoolean()).as("healthy while capturing").isTrue();
      agent.close();
      running.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertThat(agent.packets()).as("frames read from the wire").isPositive();
      assertThat(agent.health().getAsBoolean()).as("a stop is not a failure").isTrue();
      assertThat(beatInterfaces.get()).containsExactly(bed.captureEnd());
      List<FlowRecord> records = producer.history().stream().map(ProducerRecord::value).toList();
      assertThat(records)
          .as("the vMotion flow, flushed by close")
          .anyMatch(r -> r.dstPort() == 8000 || r.srcPort() == 8000);
      assertThat(publisher.sent()).isEqualTo(records.size());
    }
  }

  /** A live agent on the bed's capture end, one libpcap worker. */
  private static LiveAgent agent(
      VethBed bed, FlowPublisher publisher, LiveAgent.Heartbeats heartbeats) {
    return new LiveAgent(
        new LiveAgentConfig(
            AgentConfig.defaults("live-agent-it"),
            List.of(bed.captureEnd()),
            LiveCaptureOptions.defaults(null),
            CaptureBackend.LIBPCAP,
            1),
        publisher,
        new AgentMetrics(new SimpleMeterRegistry()),
        heartbeats);
  }

  /** {@code agent.await()} on another thread. */
  private static CompletableFuture<Void> awaitInBackground(LiveAgent agent) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            agent.await();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static long frames(Path capture) throws Exception {
    try (PcapFileSource source = PcapFileSource.open(capture)) {
      CapturedPacket p = new CapturedPacket();
      long n = 0;
      while (source.next(p)) {
        n++;
      }
      return n;
    }
  }
}
