package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.record.AgentHeartbeat;
import io.migaudit.record.Alert;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RecordJson;
import io.migaudit.record.RecordKey;
import io.migaudit.record.RuleId;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Severity;
import io.migaudit.record.Topics;
import io.migaudit.record.Verdict;
import io.migaudit.testsupport.TopicWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code migaudit report --bootstrap-servers}: reads migaudit.alerts, migaudit.migrations and the
 * heartbeats of migaudit.flows to their ends and stops.
 */
class ReportKafkaIT {
  @Test
  void readsEveryPartitionToItsEnd() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      broker.createTopics(List.of(Topics.ALERTS, Topics.MIGRATIONS, Topics.FLOWS), 3);
      try (KafkaProducer<byte[], byte[]> p = TopicWriter.producer(broker.bootstrapServers())) {
        for (int i = 0; i < 5; i++) {
          Alert a =
              new Alert(
                  SchemaVersion.CURRENT,
                  "a" + i,
                  RuleId.UNENCRYPTED_MIGRATION,
                  Severity.CRITICAL,
                  "vmotion",
                  "192.168.50." + (10 + i),
                  40000,
                  "192.168.50.99",
                  8000,
                  null,
                  "agent",
                  "eth0",
                  "f" + i,
                  Instant.parse("2025-03-01T10:00:00Z"),
                  Instant.parse("2025-03-01T10:00:0" + i + "Z"),
                  "required",
                  Map.of(),
                  "plaintext",
                  List.of("NIST SC-8"),
                  null);
          p.send(
              new ProducerRecord<>(
                  Topics.ALERTS,
                  ("k" + i).getBytes(StandardCharsets.UTF_8),
                  RecordJson.toBytes(a)));
        }
        p.send(new ProducerRecord<>(Topics.ALERTS, "garbage".getBytes(StandardCharsets.UTF_8)));
        // a repeat of an alert (a restarted analyzer): counted once
        p.send(
            new ProducerRecord<>(
                Topics.ALERTS,
                "k0".getBytes(StandardCharsets.UTF_8),
                RecordJson.toBytes(
                    new Alert(
                        SchemaVersion.CURRENT,
                        "a0",
                        RuleId.UNENCRYPTED_MIGRATION,
                        Severity.CRITICAL,
                        "vmotion",
                        "192.168.50.10",
                        40000,
                        "192.168.50.99",
                        8000,
                        null,
                        "agent",
                        "eth0",
                        "f0",
                        Instant.parse("2025-03-01T10:00:00Z"),
                        Instant.parse("2025-03-01T10:00:00Z"),
                        "required",
                        Map.of(),
                        "plaintext",
                        List.of("NIST SC-8"),
                        null))));
        p.send(
            new ProducerRecord<>(
                Topics.MIGRATIONS,
                "e1".getBytes(StandardCharsets.UTF_8),
                RecordJson.toBytes(
                    new MigrationEvent(
                        SchemaVersion.CURRENT,
                        "e1",
                        "vmotion",
                        "192.168.50.10",
                        "192.168.50.99",
                        "agent",
                        Instant.parse("2025-03-01T09:59:58Z"),
                        Instant.parse("2025-03-01T10:00:00Z"),
                        1000,
                        1,
                        500,
                        Verdict.PLAINTEXT,
                        true,
                        List.of("f0")))));
        for (int i = 0; i < 3; i++) { // the agent's heartbeats, 30 s apart, then silent for 10 min
          p.send(
              new ProducerRecord<>(
                  Topics.FLOWS,
                  "heartbeat/agent".getBytes(StandardCharsets.UTF_8),
                  RecordJson.toBytes(
                      AgentHeartbeat.of(
                          "agent",
                          Instant.parse("2025-03-01T09:50:00Z").plusSeconds(i == 2 ? 630 : 30L * i),
                          30,
                          List.of("eth0"),
                          10,
                          1))));
        }
        p.flush();
      }
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cl = MigauditCommand.commandLine();
      cl.setOut(new PrintWriter(out));
      cl.setErr(new PrintWriter(err));
      int code = cl.execute("report", "--bootstrap-servers", broker.bootstrapServers());
      assertThat(code).as(err.toString()).isZero();
      assertThat(out.toString())
          .contains("NIST SC-8: 5 alert(s), 5 host pair(s)")
          .contains(
              "5 alert(s) (1 repeated alertId(s) counted once), 1 migration event(s), 1 agent(s)")
          .contains("  vmotion        plaintext       1     1           1000")
          .contains(
              "agent: 5 alert(s), 1 event(s); 3 heartbeat(s) 2025-03-01T09:50:00Z .. 2025-03-01T10:00:30Z,"
                  + " silent 2025-03-01T09:50:30Z .. 2025-03-01T10:00:30Z (10m)");
      assertThat(err.toString()).contains("skipped 1 malformed line(s) of 11");
    }
  }

  /**
   * Heartbeats forged onto migaudit.flows would hide an agent's ten silent minutes; with the
   * agents' record keys only the agent's signed heartbeats count, and the silence shows.
   */
  @Test
  void withRecordKeysForgedHeartbeatsDoNotHideAnAgentsSilence(@TempDir Path dir) throws Exception {
    byte[] secret = new byte[32];
    secret[1] = 5;
    RecordKey key = new RecordKey(secret);
    Path keys = Files.createDirectory(dir.resolve("keys"));
    Path keyFile = keys.resolve("esx.key");
    Files.writeString(keyFile, Base64.getEncoder().encodeToString(secret));
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      broker.createTopics(List.of(Topics.ALERTS, Topics.FLOWS), 1);
      Instant t0 = Instant.parse("2025-03-01T09:50:00Z");
      try (KafkaProducer<byte[], byte[]> p = TopicWriter.producer(broker.bootstrapServers())) {
        for (long at : new long[] {0, 30, 630}) { // the agent's own, signed: silent 10 min
          p.send(heartbeat(t0.plusSeconds(at), key));
        }
        p.send(heartbeat(t0.plusSeconds(300), null)); // forged: unsigned
        p.send(heartbeat(t0.plusSeconds(420), new RecordKey(new byte[32]))); // another key
        p.flush();
      }
      String silence = "silent 2025-03-01T09:50:30Z .. 2025-03-01T10:00:30Z (10m)";
      SampleReportIT.Run unkeyed =
          SampleReportIT.run("report", "--bootstrap-servers", broker.bootstrapServers());
      assertThat(unkeyed.code()).isZero();
      assertThat(unkeyed.out()).as("without keys the forged ones count").doesNotContain(silence);

      SampleReportIT.Run keyed =
          SampleReportIT.run(
              "report",
              "--bootstrap-servers",
              broker.bootstrapServers(),
              "--record-keys",
              keys.toString());
      assertThat(keyed.code()).as(keyed.err()).isZero();
      assertThat(keyed.out()).contains("esx: 0 alert(s), 0 event(s); 3 heartbeat(s)", silence);
      assertThat(keyed.err())
          .contains("skipped 2 malformed line(s) of 5")
          .contains("heartbeat skipped (unsigned)");
    }
  }

  private static ProducerRecord<byte[], byte[]> heartbeat(Instant at, RecordKey key) {
    byte[] value = RecordJson.toBytes(AgentHeartbeat.of("esx", at, 30, List.of("eth0"), 10, 1));
    RecordHeaders headers = new RecordHeaders();
    if (key != null) {
      headers.add(RecordKey.HEADER, key.sign(value));
    }
    return new ProducerRecord<>(
        Topics.FLOWS, null, "heartbeat/esx".getBytes(StandardCharsets.UTF_8), value, headers);
  }
}
