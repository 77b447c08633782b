package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.cli.classify.SampleExpectation;
import io.migaudit.cli.common.CaptureFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The pipeline users run: {@code migaudit replay samples/} in this JVM, with a real embedded Kafka
 * broker, agent and analyzer. Every sample must give exactly the alerts its expect.yaml lists.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Path out;

  private String summary;
  private List<JsonNode> alerts;
  private List<JsonNode> flows;
  private List<JsonNode> events;
  private String metrics;

  @BeforeAll
  void replaySamples(@TempDir Path dir) throws IOException {
    out = dir;
    Run run = replay(out.resolve("first"));
    assertThat(run.exitCode).as("replay exit code; stderr: " + run.err).isZero();
    summary = run.out;
    alerts = readLines(out.resolve("first").resolve("alerts.jsonl"));
    flows = readLines(out.resolve("first").resolve("flows.jsonl"));
    events = readLines(out.resolve("first").resolve("events.jsonl"));
    metrics = Files.readString(out.resolve("first").resolve("metrics.prom"));
  }

  private record Run(int exitCode, String out, String err) {}

  private static Run replay(Path dir) throws IOException {
    Files.createDirectories(dir);
    StringWriter stdout = new StringWriter();
    StringWriter stderr = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setOut(new PrintWriter(stdout));
    cl.setErr(new PrintWriter(stderr));
    int code =
        cl.execute(
            "replay",
            "--alerts",
            dir.resolve("alerts.jsonl").toString(),
            "--flows",
            dir.resolve("flows.jsonl").toString(),
            "--metrics",
            dir.resolve("metrics.prom").toString(),
            "--events",
            dir.resolve("events.jsonl").toString(),
            SampleExpectation.SAMPLES.toString());
    return new Run(code, stdout.toString(), stderr.toString());
  }

  private static List<JsonNode> readLines(Path file) throws IOException {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      nodes.add(JSON.readTree(line));
    }
    return nodes;
  }

  @TestFactory
  Stream<DynamicTest> everySampleGivesExactlyItsExpectedAlerts() throws IOException {
    return SampleExpectation.directories()
        .map(
            dir ->
                DynamicTest.dynamicTest(
                    dir.getFileName().toString(),
                    () -> {
                      SampleExpectation expected = SampleExpectation.read(dir);
                      assertThat(SampleTally.alerts(alerts, expected.name()))
                          .as("alerts of " + expected.name())
                          .isEqualTo(expected.alerts());
                    }));
  }

  /**
   * The latest state of each migration event of a sample (events name no file: use their flows').
   */
  private Map<String, JsonNode> latestEventsOf(String sample) {
    Map<String, String> sampleOfFlow = new HashMap<>();
    flows.forEach(f -> sampleOfFlow.put(f.get("flowId").asText(), SampleTally.sampleOf(f)));
    Map<String, JsonNode> latest = new LinkedHashMap<>();
    events.stream()
        .filter(e -> sample.equals(sampleOfFlow.get(e.at("/flowIds/0").asText())))
        .forEach(e -> latest.put(e.get("eventId").asText(), e));
    return latest;
  }

  @TestFactory
  Stream<DynamicTest> samplesListingEventsGiveExactlyThem() throws IOException {
    List<SampleExpectation> listing = new ArrayList<>();
    for (Path dir : SampleExpectation.directories().toList()) {
      SampleExpectation e = SampleExpectation.read(dir);
      if (e.events() != null) {
        listing.add(e);
      }
    }
    assertThat(listing).as("samples whose expect.yaml lists events").isNotEmpty();
    return listing.stream()
        .map(
            expected ->
                DynamicTest.dynamicTest(
                    expected.name(),
                    () -> {
                      Map<String, Integer> actual = new TreeMap<>();
                      latestEventsOf(expected.name())
                          .values()
                          .forEach(
                              e ->
                                  actual.merge(
                                      e.get("protocol").asText()
                                          + " "
                                          + e.get("verdict").asText()
                                          + " "
                                          + e.get("streams").asInt(),
                                      1,
                                      Integer::sum));
                      assertThat(actual)
                          .as("migration events of " + expected.name())
                          .isEqualTo(expected.events());
                    }));
  }

  @Test
  void everyMigrationAlertNamesAnEventHoldingItsFlow() {
    Map<String, JsonNode> latest = new HashMap<>();
    events.forEach(e -> latest.put(e.get("eventId").asText(), e));
    Set<String> migrationFlows = new HashSet<>();
    flows.stream()
        .filter(f -> !f.get("protocol").isNull())
        .forEach(f -> migrationFlows.add(f.get("flowId").asText()));
    List<JsonNode> named = alerts.stream().filter(a -> !a.get("eventId").isNull()).toList();
    assertThat(named).isNotEmpty();
    for (JsonNode a : named) {
      JsonNode event = latest.get(a.get("eventId").asText());
      assertThat(event).as("event of alert " + a.get("alertId")).isNotNull();
      List<String> ids = new ArrayList<>();
      event.get("flowIds").forEach(id -> ids.add(id.asText()));
      assertThat(ids).contains(a.get("flowId").asText());
    }
    alerts.stream()
        .filter(
            a ->
                a.get("eventId").isNull()
                    && !a.get("rule").asText().equals("SHARED_MIGRATION_SEGMENT")
                    && !a.get("rule").asText().equals("UNENCRYPTED_NFC"))
        .forEach(
            a ->
                assertThat(migrationFlows)
                    .as("alert without event " + a)
                    .doesNotContain(a.get("flowId").asText()));
    alerts.forEach(
        a ->
            assertThat(a.get("controls").size())
                .as("controls of " + a.get("alertId"))
                .isPositive());
  }

  @TestFactory
  Stream<DynamicTest> everySampleGivesItsMigrationFlowsAndVerdicts() throws IOException {
    return SampleExpectation.directories()
        .map(
            dir ->
                DynamicTest.dynamicTest(
                    dir.getFileName().toString(),
                    () -> {
                      SampleExpectation expected = SampleExpectation.read(dir);
                      assertThat(SampleTally.migrationFlows(flows, expected.name()))
                          .as("migration flows of " + expected.name())
                          .isEqualTo(expected.migrationFlows());
                    }));
  }

  @Test
  void summaryListsFlowsVerdictsRulesAndFindingsByEvent() {
    assertThat(summary)
        .contains("Migration flows by protocol and verdict:")
        .contains("Alerts by rule:")
        .contains("Findings by migration event");
    Map<String, JsonNode> latestEvent = new HashMap<>();
    events.forEach(e -> latestEvent.put(e.get("eventId").asText(), e));
    for (JsonNode a : alerts) {
      // one findings line per event (or per rule and host pair outside events) names the alert's
      // rule; an event names its hosts in the direction of the memory, an alert those of the
      // connection
      JsonNode e = a.hasNonNull("eventId") ? latestEvent.get(a.get("eventId").asText()) : null;
      JsonNode named = e == null ? a : e;
      if (e != null) {
        // (a migration over loopback has one address at both ends: no Set.of)
        assertThat(new HashSet<>(List.of(e.get("src").asText(), e.get("dst").asText())))
            .isEqualTo(new HashSet<>(List.of(a.get("src").asText(), a.get("dst").asText())));
      }
      assertThat(summary)
          .containsPattern(
              Pattern.quote(named.get("src").asText() + " -> " + named.get("dst").asText())
                  + ".*"
                  + a.get("rule").asText()
                  + ".*"
                  + Pattern.quote(a.get("interface").asText()));
      assertThat(summary)
          .as("per-flow alert lines only with --verbose")
          .doesNotContain(a.get("message").asText());
    }
    assertThat(summary)
        .containsPattern("Flows: \\d+ \\(\\d+ flow records through migaudit.flows\\)");
  }

  @Test
  void aMigrationItsDestinationPullsIsNamedByWhereTheMemoryWent() {
    List<JsonNode> pulled =
        alerts.stream()
            .filter(
                a ->
                    a.get("interface").asText().endsWith("untrusted-pulled-plaintext/capture.pcap"))
            .toList();
    assertThat(pulled)
        .extracting(a -> a.get("rule").asText())
        .containsExactlyInAnyOrder("UNENCRYPTED_MIGRATION", "UNTRUSTED_DESTINATION");
    JsonNode untrusted =
        pulled.stream()
            .filter(a -> a.get("rule").asText().equals("UNTRUSTED_DESTINATION"))
            .findFirst()
            .orElseThrow();
    // the untrusted host dialled, and received the memory
    assertThat(untrusted.get("src").asText()).isEqualTo("192.168.50.98");
    assertThat(untrusted.get("evidence").get("untrustedAddress").asText())
        .isEqualTo("192.168.50.98");
    assertThat(untrusted.get("evidence").get("memorySentBy").asText()).isEqualTo("responder");
    String eventId = untrusted.get("eventId").asText();
    JsonNode event =
        events.stream()
            .filter(e -> e.get("eventId").asText().equals(eventId))
            .reduce((first, second) -> second)
            .orElseThrow();
    assertThat(event.get("src").asText()).isEqualTo("192.168.50.11");
    assertThat(event.get("dst").asText()).isEqualTo("192.168.50.98");
    assertThat(summary)
        .containsPattern("192\\.168\\.50\\.11 -> 192\\.168\\.50\\.98 .*UNTRUSTED_DESTINATION");
  }

  /**
   * Damaged input loses nothing: malformed packets are counted and skipped, cut files read to the
   * break.
   */
  @Test
  void malformedPacketsAndTruncatedFilesAreCountedAsExpected() throws IOException {
    int malformed = 0;
    long macsecEncrypted = 0;
    long badIcrc = 0;
    long tunnelFragments = 0;
    long reassembled = 0;
    long conflicts = 0;
    int cutMigrationFlows = 0;
    List<String> truncatedSamples = new ArrayList<>();
    for (Path dir : SampleExpectation.directories().toList()) {
      SampleExpectation e = SampleExpectation.read(dir);
      malformed += e.malformedPackets();
      macsecEncrypted += e.macsecEncryptedFrames();
      if (e.truncatedFiles() > 0) {
        truncatedSamples.add(e.name());
      }
      if (e.name().equals("qemu-rdma-forged-icrc")) { // its forged packets (samples/README.md)
        badIcrc = e.malformedPackets();
      }
      tunnelFragments += e.tunnelFragments();
      reassembled += e.reassembledPackets();
      conflicts += e.reassemblyConflicts();
      // every frame cut at 200 bytes (samples/README.md); tunnel packets in fragments are whole
      if (e.name().startsWith("snaplen-")) {
        cutMigrationFlows += e.migrationFlows().values().stream().mapToInt(Integer::intValue).sum();
      }
    }
    assertThat(summary)
        .containsPattern("\\(\\d+ not IP, " + malformed + " malformed and skipped\\)");
    assertThat(macsecEncrypted).as("qemu-macsec-encrypted's frames").isPositive();
    assertThat(summary)
        .contains(
            "note: "
                + macsecEncrypted
                + " MACsec frames were encrypted (IEEE 802.1AE): what they carried cannot be"
                + " judged");
    assertThat(metrics)
        .contains(
            "migaudit_agent_packets_dropped_total{interface=\"pcap\",reason=\"macsec-encrypted\"} "
                + macsecEncrypted);
    List<String> warnings =
        summary
            .lines()
            .filter(l -> l.contains("warning:") && !l.contains("snap length"))
            .filter(l -> !l.contains("IPv4 fragments of TCP"))
            .filter(l -> !l.contains("RoCEv2 packets had a wrong invariant CRC"))
            .filter(l -> !l.contains("tunnel packets came in IP fragments"))
            .filter(l -> !l.contains("fragmented packets had pieces that disagree"))
            .toList();
    assertThat(badIcrc).as("qemu-rdma-forged-icrc's forged packets").isPositive();
    assertThat(summary)
        .contains(
            "warning: "
                + badIcrc
                + " RoCEv2 packets had a wrong invariant CRC: a NIC drops such packets, so they"
                + " were skipped");
    assertThat(metrics)
        .contains(
            "migaudit_agent_packets_dropped_total{interface=\"pcap\",reason=\"roce-bad-icrc\"} "
                + badIcrc);
    assertThat(warnings).hasSameSizeAs(truncatedSamples);
    assertThat(summary)
        .as("fragmented-plaintext sends its migration as IPv4 fragments (samples/README.md)")
        .containsPattern(
            "warning: \\d+ IPv4 fragments of TCP \\(a migration path should not fragment\\)");
    assertThat(tunnelFragments).as("qemu-vxlan-fragmented's first fragments").isPositive();
    assertThat(summary)
        .contains(
            "warning: "
                + tunnelFragments
                + " tunnel packets came in IP fragments: the underlay's MTU is smaller than the"
                + " tunnel needs");
    assertThat(metrics)
        .contains("migaudit_agent_tunnel_fragments_total{interface=\"pcap\"} " + tunnelFragments);
    assertThat(reassembled).as("fragmented-plaintext's segments and more").isPositive();
    assertThat(summary)
        .contains(
            "note: " + reassembled + " packets that came in IP fragments were put back together");
    assertThat(metrics)
        .contains("migaudit_agent_packets_reassembled_total{interface=\"pcap\"} " + reassembled);
    assertThat(conflicts).as("fragment-overlap-plaintext's forged pieces").isPositive();
    assertThat(summary)
        .contains("warning: " + conflicts + " fragmented packets had pieces that disagree");
    assertThat(metrics)
        .contains("migaudit_agent_reassembly_conflicts_total{interface=\"pcap\"} " + conflicts)
        .contains("migaudit_agent_reassembly_incomplete_total{interface=\"pcap\"} 0");
    assertThat(summary).doesNotContain("never got all");
    assertThat(cutMigrationFlows).isPositive();
    assertThat(summary)
        .containsPattern(
            "warning: the capture cut \\d+ segments of "
                + cutMigrationFlows
                + " migration flows at its snap length: framing");
    for (String sample : truncatedSamples) {
      assertThat(warnings)
          .anySatisfy(w -> assertThat(w).contains(sample).contains("packets before it"));
    }
  }

  @Test
  void metricsUseTheContractNames() {
    assertThat(metrics)
        .contains("migaudit_agent_packets_total{interface=\"pcap\"}")
        .contains("migaudit_agent_records_sent_total")
        .contains("migaudit_agent_flows_active")
        .contains("migaudit_migration_flows_total{")
        .contains("migaudit_migration_bytes_total{")
        .contains("migaudit_alerts_total{rule=\"UNENCRYPTED_MIGRATION\",severity=\"critical\"}")
        .contains("migaudit_analyzer_records_total{outcome=\"ok\"}")
        .containsPattern(
            "migaudit_agent_packets_dropped_total\\{interface=\"pcap\",reason=\"ipv4-bad-ihl\"} [1-9]");
  }

  @Test
  void sameCapturesGiveTheSameAlertIdsEveryRun() throws IOException {
    Run again = replay(out.resolve("second"));
    assertThat(again.exitCode).isZero();
    Set<String> first = new HashSet<>();
    alerts.forEach(a -> first.add(a.get("alertId").asText()));
    Set<String> second = new HashSet<>();
    readLines(out.resolve("second").resolve("alerts.jsonl"))
        .forEach(a -> second.add(a.get("alertId").asText()));
    assertThat(second).isEqualTo(first).isNotEmpty();
  }

  /**
   * VM memory stays on the host: no run of 32 printable payload bytes from any capture appears in
   * any output (shorter runs would match ordinary English such as the metrics' own help texts). The
   * one exception is protocol metadata the records exist to show: an SSH algorithm name of a
   * KEXINIT name-list (e.g. {@code ssh-ed25519-cert-v01@openssh.com}), recorded as a name of its
   * own.
   */
  @Test
  void noPayloadBytesLeaveTheAgent() throws IOException {
    Set<String> payloadText = new HashSet<>();
    try (Stream<Path> files = Files.walk(SampleExpectation.SAMPLES)) {
      for (Path f : files.filter(CaptureFiles::looksLikeCapture).toList()) {
        payloadText.addAll(printableRuns(f, 32));
      }
    }
    assertThat(payloadText)
        .as("the samples carry readable payload to look for")
        .hasSizeGreaterThan(50);
    String outputs =
        Files.readString(out.resolve("first").resolve("alerts.jsonl"))
            + Files.readString(out.resolve("first").resolve("flows.jsonl"))
            + metrics
            + summary;
    Set<String> algorithmNames = new HashSet<>();
    for (JsonNode f : flows) {
      f.path("handshake")
          .path("ssh")
          .findValues("kex")
          .forEach(n -> n.forEach(v -> algorithmNames.add(v.asText())));
      for (String list :
          List.of(
              "hostKey",
              "ciphersClientToServer",
              "ciphersServerToClient",
              "macsClientToServer",
              "macsServerToClient")) {
        f.path("handshake")
            .path("ssh")
            .findValues(list)
            .forEach(n -> n.forEach(v -> algorithmNames.add(v.asText())));
      }
    }
    assertThat(algorithmNames).as("the SSH samples' algorithm names").contains("aes128-cbc");
    for (String text : payloadText) {
      if (!algorithmNames.contains(text)) {
        assertThat(outputs).doesNotContain(text);
      }
    }
  }

  private static Set<String> printableRuns(Path capture, int minLength) throws IOException {
    Set<String> runs = new HashSet<>();
    PacketDecoder decoder = new PacketDecoder();
    CapturedPacket in = new CapturedPacket();
    DecodedPacket p = new DecodedPacket();
    try (PcapFileSource source = PcapFileSource.open(capture)) {
      while (source.next(in)) {
        if (decoder.decode(in, p) != DecodeIssue.NONE || p.payloadCapturedLength == 0) {
          continue;
        }
        byte[] payload = new byte[p.payloadCapturedLength];
        p.frame.get(p.payloadOffset, payload);
        String s = new String(payload, StandardCharsets.ISO_8859_1);
        for (String run : s.split("[^\\x20-\\x7e]+")) {
          if (run.length() >= minLength && !run.isBlank()) {
            runs.add(run.substring(0, minLength));
          }
        }
      }
    }
    return runs;
  }
}
