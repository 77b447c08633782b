package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.ProducerSettings;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of {@code migaudit analyzer} (its own JVM) in the middle of a topic of flow
 * records, then a restart with the same consumer group and alerts file: every alert of an
 * uninterrupted run over the same records is in the file, and any repeat carries the same alertId.
 */
class AnalyzerKillIT {
  private static final Duration DEADLINE = Duration.ofSeconds(180);
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  private static final Path POLICY = SampleExpectation.SAMPLES.resolve("policy.yaml");

  @TempDir
  Path dir;

  @Test
  void aKilledAnalyzerRestartedInItsGroupLosesNoAlert() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS), 3);
      int records = publish(broker.bootstrapServers());

      Path baselineFile = dir.resolve("baseline.jsonl");
      Process baseline = analyzer(broker, "uninterrupted", baselineFile, dir.resolve("baseline.log"),
          ChildBroker.freePort());
      awaitGroupAtEnd(broker, "uninterrupted", baseline);
      stop(baseline);
      List<Alert> expected = alerts(baselineFile);
      assertThat(expected).as("alerts of the uninterrupted run").isNotEmpty();

      Path file = dir.resolve("killed.jsonl");
      Path firstLog = dir.resolve("killed-1.log");
      int port = ChildBroker.freePort();
      Process first = analyzer(broker, "killed", file, firstLog, port);
      long readBeforeKill = awaitRecordsRead(port, records / 3, first, firstLog);
      first.destroyForcibly(); // SIGKILL: no shutdown hook, no commit, no flush beyond what was done
      first.waitFor(60, TimeUnit.SECONDS);
      assertThat(readBeforeKill).as("killed mid-stream").isLessThan(records);
      int alertsBeforeKill = alerts(file).size();

      Process second = analyzer(broker, "killed", file, dir.resolve("killed-2.log"), ChildBroker.freePort());
      awaitGroupAtEnd(broker, "killed", second);
      stop(second);
      List<Alert> got = alerts(file);

      Set<String> expectedIds = expected.stream().map(Alert::alertId).collect(Collectors.toCollection(TreeSet::new));
      Set<String> gotIds = got.stream().map(Alert::alertId).collect(Collectors.toCollection(TreeSet::new));
      assertThat(gotIds).as("alert ids after kill -9 and restart").isEqualTo(expectedIds);
      Map<String, Alert> byId = new HashMap<>();
      expected.forEach(a -> byId.put(a.alertId(), a));
      int laterEvidence = 0;
      for (Alert a : got) {
        Alert want = byId.get(a.alertId());
        var gotTree = identity(a);
        var wantTree = identity(want);
        List<String> differ = new ArrayList<>();
        wantTree.fieldNames().forEachRemaining(f -> {
          if (!wantTree.get(f).equals(gotTree.get(f))) {
            differ.add(f + ": " + wantTree.get(f) + " -> " + gotTree.get(f));
          }
        });
        assertThat(differ).as("alert " + a.alertId() + " is about what the uninterrupted run's is about").isEmpty();
        laterEvidence += RecordJson.toLine(a).equals(RecordJson.toLine(want)) ? 0 : 1;
      }
      System.out.printf("AnalyzerKillIT: %d flow records, killed after reading %d; %d alerts expected, %d written "
          + "before the kill, %d after restart (%d repeats, same ids; %d with evidence of a later record)%n", records,
          readBeforeKill, expected.size(), alertsBeforeKill, got.size(), got.size() - gotIds.size(), laterEvidence);
    }
  }

  /**
   * What an alert is about: everything but when and on which record of its flow it was raised. The
   * analyzer raises each (rule, flow) once per process; a restarted one does not know the flows it
   * judged before the kill and raises their alert again (same alertId) on the flow's next record,
   * with that record's evidence. Its migration event grouping is in memory too (eventId).
   */
  private static com.fasterxml.jackson.databind.JsonNode identity(Alert a) throws IOException {
    var tree = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(RecordJson.toBytes(a));
    tree.remove(List.of("detectedAt", "evidence", "message", "eventId"));
    return tree;
  }

  /** Publishes a generated capture and every sample: many records, with alerts early and late. */
  private int publish(String bootstrap) throws Exception {
    List<Path> files = new ArrayList<>(CaptureFiles.expand(List.of(SampleExpectation.SAMPLES)));
    files.add(files.size() / 2, Captures.generated(dir, 120_000, 12_000));
    PipelineCounters counters = new PipelineCounters();
    int[] count = {0};
    try (FlowPublisher publisher = new FlowPublisher(new KafkaProducer<byte[], FlowRecord>(
        ProducerSettings.of(bootstrap, "analyzer-kill-it", Map.of())))) {
      CaptureAgent agent = new CaptureAgent(AgentConfig.defaults("ak").withCatalog(PolicyLoader.load(POLICY).catalog()),
          r -> {
            count[0]++;
            publisher.accept(r);
          }, counters);
      for (Path f : files) {
        try (PcapFileSource source = PcapFileSource.open(f)) {
          agent.run(source, f.toString(), EndReason.END_OF_CAPTURE);
        }
      }
      publisher.flush();
    }
    return count[0];
  }

  private static Process analyzer(EmbeddedBroker broker, String group, Path alerts, Path log, int port)
      throws IOException {
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), MigauditCommand.class.getName(), "analyzer",
        "--policy", POLICY.toString(), "--bootstrap-servers", broker.bootstrapServers(), "--group-id", group,
        "--alerts", alerts.toString(), "--metrics-address", "127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy(); // SIGTERM: a clean stop
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("analyzer stopped").isTrue();
  }

  private static List<Alert> alerts(Path file) throws Exception {
    List<Alert> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(RecordJson.alert(line.getBytes(StandardCharsets.UTF_8)));
      }
    }
    return out;
  }

  /** Waits until the group's committed offsets reach the end of every partition of the flows topic. */
  private static void awaitGroupAtEnd(EmbeddedBroker broker, String group, Process analyzer) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      var partitions = admin.describeTopics(List.of(Topics.FLOWS)).allTopicNames().get().get(Topics.FLOWS)
          .partitions().stream().map(p -> new TopicPartition(Topics.FLOWS, p.partition())).toList();
      Map<TopicPartition, OffsetSpec> latest = partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
      var end = admin.listOffsets(latest).all().get();
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (true) {
        assertThat(analyzer.isAlive()).as("analyzer running").isTrue();
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        if (partitions.stream().allMatch(p -> committed.get(p) != null
            && committed.get(p).offset() >= end.get(p).offset())) {
          return;
        }
        assertThat(System.nanoTime()).as("group " + group + " at the end in time").isLessThan(deadline);
        Thread.sleep(200); // polling with a deadline
      }
    }
  }

  /** Polls the analyzer's record counter until it reaches {@code atLeast}; returns the value seen. */
  private static long awaitRecordsRead(int port, long atLeast, Process analyzer, Path log) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Pattern series = Pattern.compile("(?m)^migaudit_analyzer_records_total\\{[^}]*} ([0-9.eE+]+)");
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(analyzer.isAlive()).as("analyzer running; log:\n" + Files.readString(log)).isTrue();
      try {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        long read = 0;
        for (Matcher m = series.matcher(body); m.find(); ) {
          read += (long) Double.parseDouble(m.group(1));
        }
        if (read >= atLeast) {
          return read;
        }
      } catch (IOException notListeningYet) {
        // still starting
      }
      Thread.sleep(20); // polling with a deadline
    }
    throw new AssertionError("analyzer did not read " + atLeast + " records; log:\n" + Files.readString(log));
  }
}
