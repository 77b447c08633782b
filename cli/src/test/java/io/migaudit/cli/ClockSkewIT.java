package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.FileAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.ProducerSettings;
import io.migaudit.analyzer.AnalyzerInstance;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.cli.classify.SampleExpectation;
import io.migaudit.cli.common.CaptureFiles;
import io.migaudit.record.Counters;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RecordJson;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clocks on a real broker (issue 13): every migration record of the samples also reported by an
 * agent at the other end whose clock is 10 s behind (its flow ids differ), and a record dated 2099
 * on every partition among them, leave the committed alerts and the final state of every migration
 * event exactly as the samples' records alone give them.
 */
class ClockSkewIT {
  private static final int PARTITIONS = 3;
  private static final Duration SKEW = Duration.ofSeconds(10);
  private static final Duration DEADLINE = Duration.ofMinutes(2);

  @TempDir Path dir;

  @Test
  void anotherAgentTenSecondsApartAndARecordDated2099LeaveEventsAndAlertsUnchanged()
      throws Exception {
    Policy policy = PolicyLoader.load(SampleExpectation.SAMPLES.resolve("policy.yaml"));
    RuleEngine engine = new RuleEngine(policy);
    List<FlowRecord> samples = sampleRecords(policy);
    List<FlowRecord> skewed = new ArrayList<>();
    int copies = 0;
    for (FlowRecord r : samples) {
      skewed.add(r);
      if (engine.migration(r)) {
        skewed.add(otherEnd(r));
        copies++;
      }
    }
    assertThat(copies).as("migration records reported twice").isGreaterThan(10);

    Outputs alone = judge(samples, -1, "alone");
    Outputs twice = judge(skewed, skewed.size() / 3, "two-agents");
    assertThat(alone.alerts.values()).as("each alert once").containsOnly(1);
    assertThat(twice.alerts.values()).as("each alert once").containsOnly(1);
    Set<String> extra = new TreeSet<>(twice.described.keySet());
    extra.removeAll(alone.described.keySet());
    Set<String> missing = new TreeSet<>(alone.described.keySet());
    missing.removeAll(twice.described.keySet());
    assertThat(extra.stream().map(twice.described::get).toList())
        .as("alerts raised only with the other end's records")
        .isEmpty();
    assertThat(missing.stream().map(alone.described::get).toList())
        .as("alerts missing with the other end's records")
        .isEmpty();
    assertThat(twice.events)
        .as("final state of every migration event with the other end's records and 2099")
        .isEqualTo(alone.events);
    assertThat(alone.events).isNotEmpty();
  }

  private record Outputs(
      Map<String, Integer> alerts,
      Map<String, String> described,
      Map<String, MigrationEvent> events) {}

  /**
   * Publishes {@code records} on a fresh broker (a record dated 2099 on every partition before the
   * one at {@code futureAt}, if not negative), judges them with one instance, returns what it
   * committed.
   */
  private Outputs judge(List<FlowRecord> records, int futureAt, String name) throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS, Topics.MIGRATIONS), PARTITIONS);
      try (KafkaProducer<byte[], FlowRecord> producer =
              new KafkaProducer<>(
                  ProducerSettings.of(broker.bootstrapServers(), "clock-skew-it", Map.of()));
          FlowPublisher publisher = new FlowPublisher(producer)) {
        for (int i = 0; i < records.size(); i++) {
          if (i == futureAt) {
            publisher.flush();
            for (int p = 0; p < PARTITIONS; p++) {
              producer.send(new ProducerRecord<>(Topics.FLOWS, p, null, dated2099(p))).get();
            }
          }
          publisher.accept(records.get(i));
        }
        publisher.flush();
      }
      CommittedRun run = new CommittedRun(broker.bootstrapServers());
      try (AnalyzerInstance a =
          new AnalyzerInstance(
              name,
              broker.bootstrapServers(),
              name,
              PolicyLoader.load(SampleExpectation.SAMPLES.resolve("policy.yaml")),
              Files.createDirectories(dir.resolve(name)),
              FlowObserver.NONE,
              Duration.ofSeconds(2))) {
        a.analyzer().awaitCaughtUp(DEADLINE);
      }
      run.finish();
      Map<String, String> described = new HashMap<>();
      for (var a : run.alerts()) {
        described.put(
            a.alertId(),
            a.rule() + " " + a.src() + "->" + a.dst() + ":" + a.dstPort() + " " + a.iface());
      }
      return new Outputs(run.alertIdCounts(), described, run.events());
    }
  }

  /** The same flow as the other end's agent reports it: its clock 10 s behind, so another id. */
  private static FlowRecord otherEnd(FlowRecord r) throws Exception {
    Instant first = r.firstSeen().minus(SKEW);
    String id =
        FlowId.of(r.transport(), r.src(), r.srcPort(), r.dst(), r.dstPort(), r.vlan(), first);
    FlowRecord moved = r.withIdentity(id, first, r.lastSeen().minus(SKEW));
    String json =
        RecordJson.toLine(moved)
            .replace("\"agent\":\"" + r.agent() + "\"", "\"agent\":\"far-end\"");
    assertThat(json).contains("far-end");
    return RecordJson.flowRecord(json.getBytes(StandardCharsets.UTF_8));
  }

  /** A short web flow dated 2099, as from an agent whose clock is wrong by decades. */
  private static FlowRecord dated2099(int n) {
    Instant at = Instant.parse("2099-01-01T00:00:00Z").plusSeconds(n);
    String src = "203.0.113." + (n + 1);
    return new FlowRecord(
        SchemaVersion.CURRENT,
        "wrong-clock",
        "eth0",
        FlowId.of("tcp", src, 40000, "203.0.113.200", 80, null, at),
        0,
        true,
        "fin",
        at,
        at.plusSeconds(1),
        null,
        null,
        List.of("ethernet"),
        4,
        "tcp",
        src,
        40000,
        "203.0.113.200",
        80,
        "syn",
        new Counters(3, 300, 0),
        new Counters(3, 300, 0),
        List.of("SYN"),
        null,
        null);
  }

  private List<FlowRecord> sampleRecords(Policy policy) throws Exception {
    List<FlowRecord> out = new ArrayList<>();
    FileAgent agent =
        new FileAgent(
            AgentConfig.defaults("esx-a").withCatalog(policy.catalog()),
            out::add,
            new PipelineCounters());
    List<FlowRecord> shifted = new ArrayList<>();
    int hours = 0;
    for (Path f : CaptureFiles.expand(List.of(SampleExpectation.SAMPLES))) {
      agent.read(List.of(f));
      // the sample scripts reuse addresses and ports, and made some captures seconds apart: an
      // hour between captures, as TCP's TIME_WAIT keeps a real host from reusing a 5-tuple within
      // the analyzer's clock-skew window (60 s)
      for (FlowRecord r : out) {
        shifted.add(AnalyzerKillIT.shifted(r, Duration.ofHours(-hours)));
      }
      out.clear();
      hours++;
    }
    return shifted;
  }
}
