package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.migaudit.analyzer.AnalyzerConfig;
import io.migaudit.analyzer.AnalyzerInstance;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.consume.RecordKeys;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.analyzer.rules.Flows;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.cli.classify.SampleExpectation;
import io.migaudit.record.Alert;
import io.migaudit.record.RecordJson;
import io.migaudit.record.RecordKey;
import io.migaudit.record.RuleId;
import io.migaudit.record.Topics;
import io.migaudit.record.Verdict;
import io.migaudit.testsupport.ChildProcess;
import io.migaudit.testsupport.CommittedTopic;
import io.migaudit.testsupport.TopicWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records forged onto {@code migaudit.flows}, on a real broker: {@code migaudit agent} (its own
 * JVM, as the service runs it) reads the plaintext vMotion sample with {@code --record-key}; two
 * more plaintext migration records naming the same agent are written straight to the topic, one
 * unsigned and one signed with a key that is not the agent's. The analyzer, given the agent's key,
 * raises the sample's alert and nothing for the forged records, and counts them.
 */
class SignedRecordsIT {
  private static final Duration DEADLINE = Duration.ofMinutes(2);
  private static final String AGENT = "esx-signed";
  @TempDir Path dir;

  @Test
  void onlyTheAgentsSignedRecordsAreJudged() throws Exception {
    Path keys = Files.createDirectory(dir.resolve("keys"));
    byte[] secret = new byte[32];
    secret[3] = 42;
    Path keyFile = keyFile(keys.resolve(AGENT + ".key"), secret);
    byte[] analyzerSecret = new byte[32];
    analyzerSecret[9] = 7;
    Path analyzerKeyFile = keyFile(dir.resolve("analyzer.key"), analyzerSecret);
    Policy policy = PolicyLoader.load(SampleExpectation.SAMPLES.resolve("policy.yaml"));
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      broker.createTopics(List.of(Topics.ALERTS, Topics.FLOWS), 1);
      Path log = dir.resolve("agent.log");
      try (ChildProcess agent =
          ChildProcess.java(
              log,
              List.of("-Xmx256m"),
              MigauditCommand.class.getName(),
              "agent",
              "--read",
              SampleExpectation.SAMPLES.resolve("vmotion-plaintext/capture.pcap").toString(),
              "--bootstrap-servers",
              broker.bootstrapServers(),
              "--agent-id",
              AGENT,
              "--record-key",
              keyFile.toString(),
              "--spool-dir",
              dir.resolve("spool").toString(),
              "--metrics-address",
              "127.0.0.1:0",
              "--workers",
              "1")) {
        agent.awaitSuccess(DEADLINE);
      }
      byte[] forged = forgedPlaintextMigration(40777);
      byte[] forgedWithOtherKey = forgedPlaintextMigration(40778);
      RecordHeaders otherKey = new RecordHeaders();
      otherKey.add(RecordKey.HEADER, new RecordKey(new byte[32]).sign(forgedWithOtherKey));
      TopicWriter.send(
          broker.bootstrapServers(),
          List.of(
              new ProducerRecord<>(Topics.FLOWS, null, null, forged),
              new ProducerRecord<>(Topics.FLOWS, null, null, null, forgedWithOtherKey, otherKey)));

      AnalyzerConfig config =
          AnalyzerConfig.defaults(
                  new KafkaSettings(
                      broker.bootstrapServers(), AnalyzerInstance.TEST_CLIENT_SETTINGS),
                  "signed",
                  dir.resolve("state"))
              .withJudgeGrace(Duration.ofSeconds(1))
              .withRecordKeys(RecordKeys.load(keys))
              .withRecordKey(RecordKey.read(analyzerKeyFile));
      Map<String, Double> outcomes;
      try (AnalyzerInstance analyzer =
          new AnalyzerInstance("signed", config, policy, FlowObserver.NONE, List.of(), List.of())) {
        analyzer.analyzer().awaitCaughtUp(DEADLINE);
        outcomes =
            Map.of(
                AnalyzerMetrics.OUTCOME_OK, count(analyzer, AnalyzerMetrics.OUTCOME_OK),
                AnalyzerMetrics.OUTCOME_UNSIGNED, count(analyzer, AnalyzerMetrics.OUTCOME_UNSIGNED),
                AnalyzerMetrics.OUTCOME_BAD_SIGNATURE,
                    count(analyzer, AnalyzerMetrics.OUTCOME_BAD_SIGNATURE));
      }
      List<Alert> alerts = new ArrayList<>();
      for (var r : CommittedTopic.read(broker.bootstrapServers(), Topics.ALERTS, Map.of())) {
        alerts.add(RecordJson.alert(r.value()));
      }
      assertThat(alerts).as("the sample's one alert, none for a forged record").hasSize(1);
      assertThat(alerts.get(0).rule()).isEqualTo(RuleId.UNENCRYPTED_MIGRATION);
      assertThat(alerts.get(0).agent()).isEqualTo(AGENT);
      assertThat(alerts.get(0).srcPort()).isNotIn(40777, 40778);
      assertThat(outcomes.get(AnalyzerMetrics.OUTCOME_UNSIGNED)).isEqualTo(1);
      assertThat(outcomes.get(AnalyzerMetrics.OUTCOME_BAD_SIGNATURE)).isEqualTo(1);
      assertThat(outcomes.get(AnalyzerMetrics.OUTCOME_OK))
          .as("the agent's records, all judged (agent log: %s)", log)
          .isPositive();

      // the report, given the analyzers' key, takes the analyzer's alert and not one forged
      // straight onto migaudit.alerts (a copy of it for another host pair, unsigned)
      Alert real = alerts.get(0);
      ObjectNode forgedAlert = (ObjectNode) new ObjectMapper().readTree(RecordJson.toBytes(real));
      forgedAlert.put("alertId", "forged-alert").put("src", "192.168.50.77");
      TopicWriter.send(
          broker.bootstrapServers(),
          List.of(
              new ProducerRecord<>(
                  Topics.ALERTS, null, forgedAlert.toString().getBytes(StandardCharsets.UTF_8))));
      SampleReportIT.Run report =
          SampleReportIT.run(
              "report",
              "--bootstrap-servers",
              broker.bootstrapServers(),
              "--analyzer-key",
              analyzerKeyFile.toString());
      assertThat(report.code()).as(report.err()).isZero();
      assertThat(report.out()).contains("1 alert(s)").doesNotContain("192.168.50.77");
      assertThat(report.err()).contains("an alert without the analyzers' signature");
    }
  }

  private static Path keyFile(Path file, byte[] secret) throws Exception {
    Files.writeString(file, Base64.getEncoder().encodeToString(secret) + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  /** A plaintext vMotion record between the sample's trusted hosts, naming the agent. */
  private static byte[] forgedPlaintextMigration(int srcPort) {
    ObjectNode o =
        Flows.flow("192.168.50.11", "192.168.50.12", 8000)
            .protocol("vmotion")
            .verdict(Verdict.PLAINTEXT, "vmotion framing in clear")
            .json();
    o.put("agent", AGENT).put("srcPort", srcPort).put("flowId", "forged" + srcPort);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static double count(AnalyzerInstance analyzer, String outcome) {
    Counter c =
        analyzer
            .registry
            .find(AnalyzerMetrics.RECORDS)
            .tag(AnalyzerMetrics.TAG_OUTCOME, outcome)
            .counter();
    return c == null ? 0 : c.count();
  }
}
