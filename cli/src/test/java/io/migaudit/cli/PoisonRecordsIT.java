package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.analyzer.AnalyzerInstance;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.cli.classify.SampleExpectation;
import io.migaudit.record.Alert;
import io.migaudit.record.RecordJson;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Topics;
import io.migaudit.testsupport.CommittedTopic;
import io.migaudit.testsupport.TopicWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile records on a real broker (issue 13): a Kerberos request with {@code "service": null}
 * (which used to kill the analyzer, and again at every restart), requests without realm or
 * over-long, too many of them, out-of-range ports, VLANs and counters, a huge list, a record dated
 * 2099, and records that are not flow records (not JSON, empty, schema version 99); each one ahead
 * of every sample's records on the same (only) partition. Every sample alert still comes out, and
 * the analyzer is still running.
 */
class PoisonRecordsIT {
  @TempDir Path state;
  private static final Duration DEADLINE = Duration.ofMinutes(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void poisonRecordsOfEveryKindThenTheSamplesStillGiveEverySampleAlert() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      try (Admin admin = broker.admin()) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(Topics.ALERTS, 1, (short) 1),
                    new NewTopic(Topics.FLOWS, 1, (short) 1)))
            .all()
            .get();
      }
      Policy policy = PolicyLoader.load(SampleExpectation.SAMPLES.resolve("policy.yaml"));
      List<byte[]> poison = poison();
      send(broker, poison);
      // and records that are not flow records at all: not JSON, empty, another schema version
      send(
          broker,
          List.of(
              bytes("{\"schemaVersion\": 1, \"flowId\": "),
              new byte[0],
              bytes(flow("192.168.50.11", "192.168.50.12", 8000).put("schemaVersion", 99))));
      long good = SamplePublisher.publishAll(broker.bootstrapServers(), policy);

      SimpleMeterRegistry registry;
      try (AnalyzerInstance analyzer =
          new AnalyzerInstance(
              "poison", broker.bootstrapServers(), "poison", policy, state, FlowObserver.NONE)) {
        analyzer.analyzer().awaitCaughtUp(DEADLINE);
        assertThat(analyzer.analyzer().alive())
            .as("the analyzer after every poison record")
            .isTrue();
        assertThat(analyzer.state()).isEqualTo(KafkaStreams.State.RUNNING);
        registry = analyzer.registry;
      }
      List<Alert> alerts = new ArrayList<>();
      for (var r : CommittedTopic.read(broker.bootstrapServers(), Topics.ALERTS, Map.of())) {
        alerts.add(RecordJson.alert(r.value()));
      }

      assertThat(count(registry, AnalyzerMetrics.OUTCOME_FIELDS))
          .as("poison records skipped")
          .isEqualTo(poison.size() - 1);
      // the 2099 record, and the sample records dated after the machine's clock (some samples are)
      assertThat(registry.find(AnalyzerMetrics.CLAMPED).counter().count())
          .as("the 2099 record")
          .isGreaterThanOrEqualTo(1);
      double json = count(registry, "json");
      double version = count(registry, "schema-version");
      double empty = count(registry, AnalyzerMetrics.OUTCOME_EMPTY);
      assertThat(json + version + empty)
          .as(
              "not JSON, empty, schema version 99 (json %s, schema-version %s, empty %s)",
              json, version, empty)
          .isEqualTo(3);
      assertThat(count(registry, AnalyzerMetrics.OUTCOME_ERROR))
          .as("no record broke a rule")
          .isZero();
      assertThat(count(registry, AnalyzerMetrics.OUTCOME_OK)).isEqualTo(good + 1);
      assertThat(bySeverity(alerts))
          .as("every sample alert after the poison records")
          .isEqualTo(expected());
    }
  }

  /** The alerts every sample's expect.yaml lists, together. */
  private static Map<String, Integer> expected() throws Exception {
    Map<String, Integer> all = new TreeMap<>();
    for (Path dir : SampleExpectation.directories().toList()) {
      SampleExpectation.read(dir).alerts().forEach((k, n) -> all.merge(k, n, Integer::sum));
    }
    return all;
  }

  private static Map<String, Integer> bySeverity(List<Alert> alerts) {
    Map<String, Integer> actual = new TreeMap<>();
    alerts.forEach(a -> actual.merge(a.rule() + " " + a.severity().wire(), 1, Integer::sum));
    return actual;
  }

  /**
   * One record of each hostile kind; the last one (dated 2099, not a migration) is clamped and
   * judged.
   */
  static List<byte[]> poison() {
    List<byte[]> list = new ArrayList<>();
    list.add(bytes(kdcFlow(q -> q.putNull("service"))));
    list.add(bytes(kdcFlow(q -> q.remove("realm"))));
    list.add(bytes(kdcFlow(q -> q.put("service", "cifs/" + "h".repeat(100_000)))));
    ObjectNode many = kdcFlow(q -> {});
    for (int i = 0; i < 500; i++) {
      ((ArrayNode) many.get("kerberos").get("requests"))
          .addObject()
          .put("type", "TGS-REQ")
          .put("service", "cifs/h" + i)
          .put("realm", "CORP");
    }
    list.add(bytes(many));
    list.add(bytes(flow("192.168.50.11", "192.168.50.12", 8000).put("dstPort", 99_999)));
    list.add(bytes(flow("192.168.50.11", "192.168.50.12", 8000).put("vlan", -3)));
    ObjectNode negative = flow("192.168.50.11", "192.168.50.12", 8000);
    ((ObjectNode) negative.get("srcToDst")).put("bytes", Long.MIN_VALUE);
    list.add(bytes(negative));
    ObjectNode flags = flow("192.168.50.11", "192.168.50.12", 8000);
    ArrayNode tcpFlags = flags.putArray("tcpFlags");
    for (int i = 0; i < 100_000; i++) {
      tcpFlags.add("ACK");
    }
    list.add(bytes(flags));
    list.add(
        bytes(
            flow("203.0.113.7", "203.0.113.8", 80)
                .put("firstSeen", "2099-01-01T00:00:00Z")
                .put("lastSeen", "2099-01-01T00:00:01Z")));
    return list;
  }

  /**
   * A flow from a Hyper-V host of the samples' policy to its KDC, one request edited by {@code
   * edit}.
   */
  private static ObjectNode kdcFlow(Consumer<ObjectNode> edit) {
    ObjectNode o = flow("10.66.0.21", "10.66.0.5", 88);
    ObjectNode q =
        o.putObject("kerberos")
            .putArray("requests")
            .addObject()
            .put("type", "TGS-REQ")
            .put("service", "Microsoft Virtual System Migration Service/hv-02")
            .put("realm", "CORP");
    edit.accept(q);
    return o;
  }

  private static ObjectNode flow(String src, String dst, int dstPort) {
    ObjectNode o = JSON.createObjectNode();
    o.put("schemaVersion", SchemaVersion.CURRENT)
        .put("agent", "hostile")
        .put("interface", "eth0")
        .put("flowId", "poison-" + src + "-" + dstPort)
        .put("seq", 0)
        .put("last", true)
        .put("endReason", "fin")
        .put("firstSeen", "2025-03-01T10:00:00Z")
        .put("lastSeen", "2025-03-01T10:00:01Z")
        .putNull("vlan")
        .putNull("outerVlan")
        .put("ipVersion", 4)
        .put("transport", "tcp")
        .put("src", src)
        .put("srcPort", 50000)
        .put("dst", dst)
        .put("dstPort", dstPort)
        .put("initiator", "syn")
        .putNull("protocol");
    o.putArray("encapsulation").add("ethernet");
    o.putArray("tcpFlags").add("SYN");
    o.putObject("srcToDst").put("packets", 1).put("bytes", 100).put("payloadBytes", 0);
    o.putObject("dstToSrc").put("packets", 1).put("bytes", 100).put("payloadBytes", 0);
    return o;
  }

  private static double count(SimpleMeterRegistry registry, String outcome) {
    Counter c =
        registry.find(AnalyzerMetrics.RECORDS).tag(AnalyzerMetrics.TAG_OUTCOME, outcome).counter();
    return c == null ? 0 : c.count();
  }

  private static void send(EmbeddedBroker broker, List<byte[]> values) throws Exception {
    TopicWriter.send(
        broker.bootstrapServers(),
        values.stream()
            .map(v -> new ProducerRecord<>(Topics.FLOWS, 0, bytes("hostile"), v))
            .toList());
  }

  private static byte[] bytes(ObjectNode o) {
    return bytes(o.toString());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
