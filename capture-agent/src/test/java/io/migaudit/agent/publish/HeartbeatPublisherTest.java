package io.migaudit.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.AgentHeartbeat;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class HeartbeatPublisherTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  @Test
  void eachBeatIsAHeartbeatOnTheFlowsTopicKeyedByAgent() throws Exception {
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    AtomicLong packets = new AtomicLong(5);
    HeartbeatPublisher beats =
        new HeartbeatPublisher(
            producer,
            "esx-01",
            List.of("vmk1"),
            Duration.ofSeconds(30),
            Clock.fixed(T0, ZoneOffset.UTC),
            packets::get,
            () -> 2);
    beats.beat();
    packets.set(9);
    beats.close();
    assertThat(producer.history()).hasSize(2);
    assertThat(producer.history())
        .allSatisfy(
            r -> {
              assertThat(r.topic()).isEqualTo(Topics.FLOWS);
              assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("heartbeat/esx-01");
            });
    AgentHeartbeat last = RecordJson.heartbeat(producer.history().get(1).value());
    assertThat(last).isEqualTo(AgentHeartbeat.of("esx-01", T0, 30, List.of("vmk1"), 9, 2));
    assertThat(producer.closed()).isTrue();
    assertThat(beats.failed()).isZero();
  }

  @Test
  void anUndeliveredBeatIsCountedNotThrown() {
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    HeartbeatPublisher beats =
        new HeartbeatPublisher(
            producer,
            "esx-01",
            List.of("vmk1"),
            Duration.ofSeconds(30),
            Clock.fixed(T0, ZoneOffset.UTC),
            () -> 0,
            () -> 0);
    beats.beat();
    producer.errorNext(new TimeoutException("broker away"));
    assertThat(beats.failed()).isEqualTo(1);
  }
}
