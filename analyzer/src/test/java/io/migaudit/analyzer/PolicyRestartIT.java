package io.migaudit.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.record.FlowId;
import io.migaudit.record.RecordJson;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Topics;
import io.migaudit.testsupport.CommittedTopic;
import io.migaudit.testsupport.TopicWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A policy edit followed by a restart (issue 13): a plaintext vMotion runs under a policy that does
 * not require encryption (no alert); the analyzer is stopped, the policy now requires encryption,
 * the analyzer restarts in its group and the migration goes on. The next record raises
 * UNENCRYPTED_MIGRATION, committed once: the restart brings back what was raised (nothing, for this
 * flow), it does not mark the new policy's alerts as raised.
 */
class PolicyRestartIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEADLINE = Duration.ofMinutes(2);

  @TempDir Path dir;

  @Test
  void anAlertTheEditedPolicyRaisesForARunningFlowIsCommittedOnce() throws Exception {
    String required = Files.readString(Path.of("..", "samples", "policy.yaml"));
    assertThat(required).contains("encryption: required");
    Policy before =
        PolicyLoader.load(
            Files.writeString(
                dir.resolve("before.yaml"),
                required.replace("encryption: required", "encryption: disabled")));
    Policy after = PolicyLoader.load(Files.writeString(dir.resolve("after.yaml"), required));
    Instant start = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS, Topics.MIGRATIONS), 3);
      var alertsFrom = CommittedTopic.end(broker.bootstrapServers(), Topics.ALERTS);
      send(broker, start, 0, 5);
      run(broker, before);
      assertThat(rules(broker, alertsFrom))
          .as("no encryption required: nothing to report")
          .isEmpty();
      send(broker, start, 5, 10);
      run(broker, after);
      assertThat(rules(broker, alertsFrom))
          .as("after the edit and the restart")
          .containsExactly("UNENCRYPTED_MIGRATION");
    }
  }

  private void run(EmbeddedBroker broker, Policy policy) throws Exception {
    try (AnalyzerInstance a =
        new AnalyzerInstance(
            "policy",
            broker.bootstrapServers(),
            "policy-restart",
            policy,
            Files.createDirectories(dir.resolve("state")),
            FlowObserver.NONE)) {
      a.analyzer().awaitCaughtUp(DEADLINE);
    }
  }

  private static List<String> rules(EmbeddedBroker broker, Map<TopicPartition, Long> from)
      throws Exception {
    List<String> out = new ArrayList<>();
    for (var r : CommittedTopic.read(broker.bootstrapServers(), Topics.ALERTS, from)) {
      out.add(RecordJson.alert(r.value()).rule().name());
    }
    return out;
  }

  /** Records {@code from} to {@code to} (exclusive) of a plaintext vMotion with 10 records. */
  private static void send(EmbeddedBroker broker, Instant start, int from, int to)
      throws Exception {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int seq = from; seq < to; seq++) {
      records.add(
          new ProducerRecord<>(
              Topics.FLOWS,
              0,
              null,
              record(start, seq, seq == 9).toString().getBytes(StandardCharsets.UTF_8)));
    }
    TopicWriter.send(broker.bootstrapServers(), records);
  }

  private static ObjectNode record(Instant start, int seq, boolean last) {
    ObjectNode o = JSON.createObjectNode();
    o.put("schemaVersion", SchemaVersion.CURRENT)
        .put("agent", "it")
        .put("interface", "vmk1")
        .put("flowId", FlowId.of("tcp", "192.168.50.11", 41011, "192.168.50.12", 8000, 50, start))
        .put("seq", seq)
        .put("last", last)
        .put("endReason", last ? "fin" : null)
        .put("firstSeen", start.toString())
        .put("lastSeen", start.plusSeconds(seq + 1).toString())
        .put("vlan", 50)
        .putNull("outerVlan")
        .put("ipVersion", 4)
        .put("transport", "tcp")
        .put("src", "192.168.50.11")
        .put("srcPort", 41011)
        .put("dst", "192.168.50.12")
        .put("dstPort", 8000)
        .put("initiator", "syn")
        .put("protocol", "vmotion");
    o.putArray("encapsulation").add("ethernet").add("vlan");
    o.putArray("tcpFlags").add("SYN").add("ACK");
    o.putObject("srcToDst")
        .put("packets", 100L * (seq + 1))
        .put("bytes", 100_000L * (seq + 1))
        .put("payloadBytes", 98_000L * (seq + 1));
    o.putObject("dstToSrc").put("packets", 50).put("bytes", 3000).put("payloadBytes", 0);
    o.putObject("payload")
        .put("sampledBytes", 65536)
        .put("entropy", 3.2)
        .put("chiSquare", 900000.0)
        .put("zeroFraction", 0.3)
        .put("printableFraction", 0.6)
        .put("signature", "none")
        .put("verdict", "plaintext")
        .put("reason", "readable bytes");
    return o;
  }
}
