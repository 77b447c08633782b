package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.record.FlowId;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Topics;
import io.migaudit.testsupport.ChildBroker;
import io.migaudit.testsupport.ChildProcess;
import io.migaudit.testsupport.Eventually;
import io.migaudit.testsupport.MetricWait;
import io.migaudit.testsupport.TopicWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migaudit analyzer --config} as users run it, in its own JVM, on a real broker: the policy
 * file is replaced (rename over it) to trust a host, and flow records sent after the reload are
 * judged by the new policy; a broken policy written afterwards, and SIGHUP with it still broken,
 * keep the previous one; fixing the file applies again.
 */
class PolicyReloadIT {
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final String RECEIVER = "192.168.50.12";

  /** The host the second policy trusts. */
  private static final String NEWLY_TRUSTED = "192.168.50.99";

  /** A host no policy trusts: its alert shows that the records before it have been judged. */
  private static final String NEVER_TRUSTED = "192.168.50.98";

  private static final String POLICY =
      """
      migrationNetworks: [{name: vmotion, cidrs: [192.168.50.0/24]}]
      trustedHosts: [192.168.50.11, 192.168.50.12%s]
      """;
  private static final String APPLIED =
      "migaudit_analyzer_policy_reloads_total{outcome=\"applied\"}";
  private static final String REJECTED =
      "migaudit_analyzer_policy_reloads_total{outcome=\"rejected\"}";

  @TempDir Path dir;

  private ChildProcess analyzer;
  private MetricWait metrics;
  private int nextSourcePort = 41000;

  @Test
  void reloadedPolicyJudgesLaterRecordsAndABrokenOneKeepsIt() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        KafkaProducer<byte[], byte[]> producer = TopicWriter.producer(broker.bootstrapServers())) {
      broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS), 1);
      Path policy = Files.writeString(dir.resolve("policy.yaml"), POLICY.formatted(""));
      int port = ChildBroker.freePort();
      Path config =
          Files.writeString(
              dir.resolve("analyzer.yaml"),
              """
          policy: policy.yaml
          bootstrapServers: %s
          groupId: policy-reload-it
          alerts: alerts.jsonl
          metricsAddress: 127.0.0.1:%d
          policyReload: on
          """
                  .formatted(broker.bootstrapServers(), port));
      // SIGHUP as systemd leaves it, whatever this JVM inherited (mvn run under nohup ignores it)
      analyzer = analyzer("--default-signal=HUP", config);
      metrics = new MetricWait(port, analyzer);
      try {
        awaitMetric(APPLIED, 0);
        // the first policy: the host is not trusted
        int first = send(producer, NEWLY_TRUSTED);
        awaitAlertFrom(first);

        // an editor writes the new policy aside and renames it over the old one
        Path aside =
            Files.writeString(
                dir.resolve(".policy.yaml.tmp"), POLICY.formatted(", " + NEWLY_TRUSTED));
        Files.move(
            aside, policy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        awaitMetric(APPLIED, 1);
        assertJudgedAsTrusted(producer, true);

        // a broken policy is rejected, with the file and line in one log line, and the old one
        // stays
        Files.writeString(policy, "trustedHosts:\n  - 192.168.50.11\n  - 192.168.500.12\n");
        awaitMetric(REJECTED, 1);
        assertThat(analyzer.log())
            .containsPattern(
                "rejected, keeping policy [0-9a-f]{12}: "
                    + Pattern.quote(policy.toString())
                    + ":3: trustedHosts\\[1]");
        assertJudgedAsTrusted(producer, true);

        // systemctl reload: SIGHUP re-reads the still broken file and rejects it again
        signal("HUP");
        awaitMetric(REJECTED, 2);
        assertJudgedAsTrusted(producer, true);

        // fixed in place: the first policy again, so the host is no longer trusted
        Files.writeString(policy, POLICY.formatted(""));
        awaitMetric(APPLIED, 2);
        assertJudgedAsTrusted(producer, false);
        analyzer.assertAlive();
      } finally {
        analyzer.process().destroy();
        analyzer.awaitExit(DEADLINE);
      }
    }
  }

  /**
   * Sends a migration from {@link #NEWLY_TRUSTED}, then one from {@link #NEVER_TRUSTED}; once the
   * second's alert is out, the first has been judged (one partition, in order).
   */
  private void assertJudgedAsTrusted(KafkaProducer<byte[], byte[]> producer, boolean trusted)
      throws Exception {
    int subject = send(producer, NEWLY_TRUSTED);
    int witness = send(producer, NEVER_TRUSTED);
    awaitAlertFrom(witness);
    assertThat(alertedSourcePorts())
        .as("alert for the migration from " + NEWLY_TRUSTED + " (source port " + subject + ")")
        .matches(ports -> ports.contains(subject) != trusted);
  }

  /**
   * A TLS migration from {@code src} to {@link #RECEIVER}:8000 as one final flow record; returns
   * its source port.
   */
  private int send(KafkaProducer<byte[], byte[]> producer, String src) throws Exception {
    int srcPort = nextSourcePort++;
    String flowId = FlowId.of("tcp", src, srcPort, RECEIVER, 8000, null, T0);
    ObjectNode o = JSON.createObjectNode();
    o.put("schemaVersion", SchemaVersion.CURRENT)
        .put("agent", "policy-reload-it")
        .put("interface", "vmk1")
        .put("flowId", flowId)
        .put("seq", 0)
        .put("last", true)
        .put("endReason", "fin")
        .put("firstSeen", T0.toString())
        .put("lastSeen", T0.plusSeconds(1).toString())
        .putNull("vlan")
        .putNull("outerVlan")
        .put("ipVersion", 4)
        .put("transport", "tcp")
        .put("src", src)
        .put("srcPort", srcPort)
        .put("dst", RECEIVER)
        .put("dstPort", 8000)
        .put("initiator", "syn")
        .put("protocol", "vmotion");
    o.putArray("encapsulation").add("ethernet");
    o.putArray("tcpFlags").add("SYN").add("ACK").add("FIN");
    o.putObject("srcToDst").put("packets", 10).put("bytes", 90_000).put("payloadBytes", 80_000);
    o.putObject("dstToSrc").put("packets", 5).put("bytes", 400).put("payloadBytes", 0);
    o.putObject("payload")
        .put("sampledBytes", 4096)
        .put("entropy", 7.95)
        .put("chiSquare", 260.0)
        .put("zeroFraction", 0.0)
        .put("printableFraction", 0.37)
        .put("signature", "tls")
        .put("verdict", "encrypted")
        .put("reason", "TLS record layer");
    producer
        .send(
            new ProducerRecord<>(
                Topics.FLOWS, flowId.getBytes(StandardCharsets.UTF_8), JSON.writeValueAsBytes(o)))
        .get();
    return srcPort;
  }

  private List<Integer> alertedSourcePorts() throws IOException {
    Path alerts = dir.resolve("alerts.jsonl");
    List<Integer> ports = new ArrayList<>();
    if (!Files.exists(alerts)) {
      return ports;
    }
    for (String line : Files.readAllLines(alerts)) {
      JsonNode a = JSON.readTree(line);
      assertThat(a.get("rule").asText())
          .as("the only rule these migrations can break")
          .isEqualTo("UNTRUSTED_SOURCE");
      ports.add(a.get("srcPort").asInt());
    }
    return ports;
  }

  private void awaitAlertFrom(int srcPort) {
    Eventually.until(
        "an alert for source port " + srcPort,
        DEADLINE,
        () -> {
          analyzer.assertAlive();
          return alertedSourcePorts().contains(srcPort);
        });
  }

  /**
   * Started under nohup, SIGHUP stays ignored (HotSpot installs no handler for a signal its parent
   * ignored): the analyzer says so at start instead of leaving reloads on SIGHUP silently dead.
   */
  @Test
  void underNohupTheAnalyzerSaysSighupIsIgnored() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS), 1);
      Files.writeString(dir.resolve("policy.yaml"), POLICY.formatted(""));
      Path config =
          Files.writeString(
              dir.resolve("analyzer.yaml"),
              """
          policy: policy.yaml
          bootstrapServers: %s
          groupId: policy-nohup-it
          metricsAddress: 127.0.0.1:0
          """
                  .formatted(broker.bootstrapServers()));
      analyzer = analyzer("--ignore-signal=HUP", config);
      try {
        Eventually.until(
            "the analyzer's start line",
            DEADLINE,
            () -> {
              analyzer.assertAlive();
              return analyzer.log().contains("analyzer judging");
            });
        assertThat(analyzer.log())
            .contains(
                "SIGHUP is ignored by this process (started under nohup?): the policy is reloaded"
                    + " on file changes only");
      } finally {
        analyzer.close();
      }
    }
  }

  /** {@code migaudit analyzer --config config} in its own JVM, SIGHUP set by {@code env}. */
  private ChildProcess analyzer(String sighup, Path config) {
    return ChildProcess.program(
        dir.resolve("analyzer.log"),
        List.of(
            "env",
            sighup,
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            MigauditCommand.class.getName(),
            "analyzer",
            "--config",
            config.toString()));
  }

  private void awaitMetric(String series, long value) {
    metrics.awaitEqual(series, value, DEADLINE);
  }

  private void signal(String name) throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(analyzer.pid())).inheritIO().start();
    assertThat(kill.waitFor()).as("kill -" + name).isZero();
  }
}
