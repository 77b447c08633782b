package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.record.Alert;
import io.migaudit.record.RecordJson;
import io.migaudit.record.RuleId;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Severity;
import io.migaudit.record.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code migaudit report --bootstrap-servers}: reads migaudit.alerts to its end and stops. */
class ReportKafkaIT {
  @Test
  void readsEveryPartitionToItsEnd() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      broker.createTopics(List.of(Topics.ALERTS), 3);
      try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(
          Map.of("bootstrap.servers", broker.bootstrapServers()),
          new ByteArraySerializer(), new ByteArraySerializer())) {
        for (int i = 0; i < 5; i++) {
          Alert a = new Alert(SchemaVersion.CURRENT, "a" + i, RuleId.UNENCRYPTED_MIGRATION,
              Severity.CRITICAL, "vmotion", "192.168.50." + (10 + i), 40000, "192.168.50.99", 8000,
              null, "agent", "eth0", "f" + i, Instant.parse("2025-03-01T10:00:00Z"),
              Instant.parse("2025-03-01T10:00:0" + i + "Z"), "required", Map.of(), "plaintext",
              List.of("NIST SC-8"), null);
          p.send(new ProducerRecord<>(Topics.ALERTS, ("k" + i).getBytes(StandardCharsets.UTF_8),
              RecordJson.toBytes(a)));
        }
        p.send(new ProducerRecord<>(Topics.ALERTS, "garbage".getBytes(StandardCharsets.UTF_8)));
        p.flush();
      }
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cl = MigauditCommand.commandLine();
      cl.setOut(new PrintWriter(out));
      cl.setErr(new PrintWriter(err));
      int code = cl.execute("report", "--bootstrap-servers", broker.bootstrapServers());
      assertThat(code).as(err.toString()).isZero();
      assertThat(out.toString()).contains("NIST SC-8: 5 alert(s), 5 host pair(s)");
      assertThat(err.toString()).contains("skipped 1 malformed line(s) of 6");
    }
  }
}
