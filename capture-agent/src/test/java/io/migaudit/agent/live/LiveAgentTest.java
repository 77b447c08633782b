package io.migaudit.agent.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.metrics.AgentMetrics;
import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.FlowRecordSerializer;
import io.migaudit.agent.source.LiveCaptureOptions;
import io.migaudit.record.FlowRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The live agent service without an interface to capture on: a failed start leaves nothing. */
class LiveAgentTest {
  @Test
  void startOnAMissingInterfaceFailsAndCloseReturnsAtOnce() {
    MockProducer<byte[], FlowRecord> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new FlowRecordSerializer());
    AtomicBoolean beating = new AtomicBoolean();
    String missing = "ma-none-" + ProcessHandle.current().pid();
    try (FlowPublisher publisher = new FlowPublisher(producer, "flows")) {
      LiveAgent agent =
          new LiveAgent(
              new LiveAgentConfig(
                  AgentConfig.defaults("t"),
                  List.of(missing),
                  LiveCaptureOptions.defaults(null),
                  null,
                  1),
              publisher,
              new AgentMetrics(new SimpleMeterRegistry()),
              (interfaces, packets, records) -> {
                beating.set(true);
                return null;
              });
      assertThatThrownBy(agent::start).isInstanceOf(IOException.class);
      long before = System.nanoTime();
      agent.close();
      assertThat(Duration.ofNanos(System.nanoTime() - before))
          .as("close does not wait out the 30 s grace after a failed start")
          .isLessThan(Duration.ofSeconds(10));
      assertThat(beating).as("no heartbeats without a capture").isFalse();
      assertThat(agent.health().getAsBoolean()).as("a refused start is no dead thread").isTrue();
      assertThat(agent.packets()).isZero();
    }
  }

  @Test
  void configNeedsAnInterfaceAndAWorker() {
    LiveCaptureOptions capture = LiveCaptureOptions.defaults(null);
    AgentConfig agent = AgentConfig.defaults("t");
    assertThatThrownBy(() -> new LiveAgentConfig(agent, List.of(), capture, null, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LiveAgentConfig(agent, List.of("lo"), capture, null, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
