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
import io.migaudit.record.RuleId;
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
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kerberos evidence outlives the analyzer's local state (issue 13): a KDC flow judged by one run is
 * on {@code migaudit.kerberos}; every instance (two) restarted with a wiped state directory reads
 * it back as a global table. A ticket request (answered by the KDC) 9 hours before a Hyper-V
 * migration then means Kerberos: no CREDSSP_MIGRATION; one a month before is out of the 10 h ticket
 * lifetime: one CREDSSP_MIGRATION (the source's recent KDC traffic shows its Kerberos is watched).
 */
class KerberosRestartIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VSMS =
      "Microsoft Virtual System Migration Service/hv-02.corp.example";
  private static final Duration DEADLINE = Duration.ofMinutes(2);

  @TempDir Path dir;

  @Test
  void ticketRequestsSurviveARestartWithWipedStateAndAgeOutByTheTicketLifetime() throws Exception {
    Instant migration = Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS, Topics.MIGRATIONS), 3);
      Policy policy = PolicyLoader.load(Path.of("..", "samples", "policy.yaml"));
      // host hv-01 asks for hv-02's migration service 9 h before migrating (10.66.0.21 -> .22),
      // host
      // 10.66.0.23 a month before its migration, and something else an hour before
      send(
          broker,
          List.of(
              kdcFlow("10.10.0.21", migration.minus(Duration.ofHours(9)), VSMS),
              kdcFlow("10.66.0.23", migration.minus(Duration.ofDays(30)), VSMS),
              kdcFlow(
                  "10.66.0.23",
                  migration.minus(Duration.ofHours(1)),
                  "HTTP/intranet.corp.example")));
      run(broker, policy, "first");
      wipe(dir.resolve("state"));

      var alertsFrom = CommittedTopic.end(broker.bootstrapServers(), Topics.ALERTS);
      // hv-01's recent KDC traffic (another service) shows its Kerberos is watched: without the 9 h
      // old
      // request, read back from migaudit.kerberos, its migration would be CREDSSP_MIGRATION
      send(
          broker,
          List.of(
              kdcFlow(
                  "10.10.0.21", migration.minus(Duration.ofHours(1)), "HTTP/intranet.corp.example"),
              hypervMigration("10.66.0.21", "10.66.0.22", migration),
              hypervMigration("10.66.0.23", "10.66.0.22", migration)));
      run(broker, policy, "after the restart");
      List<String> credssp = new ArrayList<>();
      for (var r : CommittedTopic.read(broker.bootstrapServers(), Topics.ALERTS, alertsFrom)) {
        var a = RecordJson.alert(r.value());
        if (a.rule() == RuleId.CREDSSP_MIGRATION) {
          credssp.add(a.src());
        }
      }
      assertThat(credssp)
          .as(
              "CREDSSP_MIGRATION after a restart with wiped state: only the month-old request's host")
          .containsExactly("10.66.0.23");
    }
  }

  /**
   * One run of the application "kerberos", two instances each with its own state directory under
   * {@code state}, up to the end of the flows, then closed.
   */
  private void run(EmbeddedBroker broker, Policy policy, String name) throws Exception {
    try (AnalyzerInstance a = instance(broker, policy, name + " a");
        AnalyzerInstance b = instance(broker, policy, name + " b")) {
      AnalyzerInstance.awaitAllCaughtUp(DEADLINE, 3, a, b);
    }
  }

  private AnalyzerInstance instance(EmbeddedBroker broker, Policy policy, String name)
      throws Exception {
    return new AnalyzerInstance(
        name,
        broker.bootstrapServers(),
        "kerberos",
        policy,
        Files.createDirectories(dir.resolve("state").resolve(name.replace(' ', '-'))),
        FlowObserver.NONE);
  }

  private static void wipe(Path state) throws Exception {
    try (var paths = Files.walk(state)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * A flow from {@code client} to the KDC at {@code at}: a TGS request for {@code service},
   * answered.
   */
  private static ObjectNode kdcFlow(String client, Instant at, String service) {
    ObjectNode o = flow(client, "10.10.0.2", 88, "udp", at, null);
    o.putObject("kerberos")
        .put("replies", 1)
        .putArray("requests")
        .addObject()
        .put("type", "TGS-REQ")
        .put("service", service)
        .put("realm", "CORP.EXAMPLE");
    return o;
  }

  private static ObjectNode hypervMigration(String src, String dst, Instant at) {
    ObjectNode o = flow(src, dst, 6600, "tcp", at, "hyperv");
    o.putObject("payload")
        .put("sampledBytes", 4096)
        .put("entropy", 7.95)
        .put("chiSquare", 250.0)
        .put("zeroFraction", 0.004)
        .put("printableFraction", 0.37)
        .put("signature", "none")
        .put("verdict", "encrypted")
        .put("reason", "random bytes");
    return o;
  }

  private static ObjectNode flow(
      String src, String dst, int dstPort, String transport, Instant at, String protocol) {
    ObjectNode o = JSON.createObjectNode();
    o.put("schemaVersion", SchemaVersion.CURRENT)
        .put("agent", "it")
        .put("interface", "eth0")
        .put("flowId", FlowId.of(transport, src, 50000, dst, dstPort, null, at))
        .put("seq", 0)
        .put("last", true)
        .put("endReason", "fin")
        .put("firstSeen", at.toString())
        .put("lastSeen", at.plusSeconds(2).toString())
        .putNull("vlan")
        .putNull("outerVlan")
        .put("ipVersion", 4)
        .put("transport", transport)
        .put("src", src)
        .put("srcPort", 50000)
        .put("dst", dst)
        .put("dstPort", dstPort)
        .put("initiator", "syn")
        .put("protocol", protocol);
    o.putArray("encapsulation").add("ethernet");
    o.putArray("tcpFlags").add("SYN");
    o.putObject("srcToDst").put("packets", 100).put("bytes", 500_000).put("payloadBytes", 490_000);
    o.putObject("dstToSrc").put("packets", 50).put("bytes", 3000).put("payloadBytes", 0);
    return o;
  }

  private static void send(EmbeddedBroker broker, List<ObjectNode> records) throws Exception {
    List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>();
    for (ObjectNode o : records) {
      // the KDC flows and the migrations sit in different partitions, as from different addresses
      int partition = Math.floorMod(o.get("src").asText().hashCode(), 3);
      sent.add(
          new ProducerRecord<>(
              Topics.FLOWS, partition, null, o.toString().getBytes(StandardCharsets.UTF_8)));
    }
    TopicWriter.send(broker.bootstrapServers(), sent);
  }
}
