package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.FileAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.analyzer.AnalyzerConfig;
import io.migaudit.analyzer.AnalyzerInstance;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.analyzer.rules.Evaluation;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.cli.classify.SampleExpectation;
import io.migaudit.record.Alert;
import io.migaudit.record.Counters;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RecordJson;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Topics;
import io.migaudit.testsupport.CommittedTopic;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIGTERM restart of {@code migaudit analyzer} (its own JVM) mid-way through a migration whose
 * first alert lies more than a million records back on its partition (issue 13): its first record
 * raises UNENCRYPTED_MIGRATION, then {@value #FILLER} records of other flows follow on the same
 * (only) partition, the analyzer judges them all and is stopped, and the migration's later records
 * come after the restart. The alert is not raised again (the old design re-read 20,000 records
 * before the committed offset and would have raised it twice), and the committed alerts and the
 * final state of its event equal those of one uninterrupted run over the same records.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class FirstAlertMillionBackIT {
  private static final int FILLER = 1_050_000;
  private static final int LATER_RECORDS = 3;
  private static final Duration DEADLINE = Duration.ofMinutes(4);
  private static final Path POLICY = SampleExpectation.SAMPLES.resolve("policy.yaml");

  @TempDir Path dir;

  /** Analyzers started by the test, killed if a failure left them running. */
  private final List<AnalyzerProcess> started = new ArrayList<>();

  @AfterEach
  void killLeftovers() throws InterruptedException {
    for (AnalyzerProcess p : started) {
      p.close();
    }
  }

  @Test
  void aSigtermRestartDoesNotRepeatAnAlertRaisedAMillionRecordsBack() throws Exception {
    long t0 = System.nanoTime();
    Policy policy = PolicyLoader.load(POLICY);
    RuleEngine engine = new RuleEngine(policy);
    List<FlowRecord> migration = migration(engine);
    try (EmbeddedBroker broker = EmbeddedBroker.start(AnalyzerKillIT.BROKER_SETTINGS)) {
      broker.createTopics(List.of(Topics.FLOWS), 1);
      broker.createTopics(List.of(Topics.ALERTS, Topics.MIGRATIONS), 3);
      Path kafkaConfig = AnalyzerKillIT.kafkaConfig(dir);
      CommittedRun interrupted = new CommittedRun(broker.bootstrapServers());

      AnalyzerProcess first = start(broker, kafkaConfig, 0);
      try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
        send(producer, migration.get(0));
        sendFiller(producer, engine);
        producer.flush();
      }
      long produced = (System.nanoTime() - t0) / 1_000_000_000;
      first.awaitJudgedMoreThan(FILLER, DEADLINE);
      CommittedTopic.awaitCommitted(
          broker.bootstrapServers(),
          "restarted",
          CommittedTopic.end(broker.bootstrapServers(), Topics.FLOWS));
      List<Alert> before = new ArrayList<>();
      for (var r : CommittedTopic.read(broker.bootstrapServers(), Topics.ALERTS, Map.of())) {
        before.add(RecordJson.alert(r.value()));
      }
      assertThat(before)
          .as("the migration's alerts, a million records back")
          .isNotEmpty()
          .allMatch(a -> a.flowId().equals(migration.get(0).flowId()));
      first.terminate();
      long firstRunSeconds = (System.nanoTime() - t0) / 1_000_000_000 - produced;

      try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
        for (FlowRecord r : migration.subList(1, migration.size())) {
          send(producer, r);
        }
      }
      AnalyzerProcess second = start(broker, kafkaConfig, 1);
      second.awaitJudgedMoreThan(LATER_RECORDS - 1, DEADLINE);
      CommittedTopic.awaitCommitted(
          broker.bootstrapServers(),
          "restarted",
          CommittedTopic.end(broker.bootstrapServers(), Topics.FLOWS));
      second.terminate();
      interrupted.finish();

      long t1 = System.nanoTime();
      CommittedRun baseline = new CommittedRun(broker.bootstrapServers());
      AnalyzerConfig config =
          AnalyzerConfig.defaults(
                  new KafkaSettings(broker.bootstrapServers(), AnalyzerKillIT.CLIENT_SETTINGS),
                  "uninterrupted",
                  dir.resolve("state-uninterrupted"))
              .withJudgeGrace(Duration.ofSeconds(1));
      try (AnalyzerInstance a =
          new AnalyzerInstance(
              "uninterrupted", config, policy, FlowObserver.NONE, List.of(), List.of())) {
        a.analyzer().awaitCaughtUp(DEADLINE);
        assertThat(
                a.registry
                    .find(AnalyzerMetrics.RECORDS)
                    .tag(AnalyzerMetrics.TAG_OUTCOME, AnalyzerMetrics.OUTCOME_OK)
                    .counter()
                    .count())
            .as("records judged by the uninterrupted run: none skipped as malformed")
            .isEqualTo(FILLER + migration.size());
      }
      baseline.finish();
      interrupted.assertSameAs(baseline, "SIGTERM a million records after the first alert");
      Map<String, MigrationEvent> events = interrupted.events();
      assertThat(events).as("one migration event").hasSize(1);
      assertThat(events.values().iterator().next().ended())
          .as("its final record, judged after the restart, ended it")
          .isTrue();
      System.out.printf(
          "FirstAlertMillionBackIT: %d filler records produced in %d s, first run %d s,"
              + " uninterrupted run %d s, %d s in all%n",
          FILLER,
          produced,
          firstRunSeconds,
          (System.nanoTime() - t1) / 1_000_000_000,
          (System.nanoTime() - t0) / 1_000_000_000);
    }
  }

  private AnalyzerProcess start(EmbeddedBroker broker, Path kafkaConfig, int run) throws Exception {
    AnalyzerProcess p =
        AnalyzerProcess.start(
            dir.resolve("restarted-" + run + ".log"),
            List.of(
                "--policy",
                POLICY.toString(),
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--group-id",
                "restarted",
                "--kafka-config",
                kafkaConfig.toString(),
                "--state-dir",
                dir.resolve("state-restarted").toString(),
                "--judge-grace",
                "1"));
    started.add(p);
    return p;
  }

  /**
   * The plaintext vMotion sample's migration as a long flow: an interim record (which raises the
   * alert), then {@link #LATER_RECORDS} more, the last one final, a day later than the sample.
   */
  private static List<FlowRecord> migration(RuleEngine engine) throws Exception {
    Path capture = SampleExpectation.SAMPLES.resolve("vmotion-plaintext").resolve("capture.pcap");
    List<FlowRecord> records = new ArrayList<>();
    new FileAgent(
            AgentConfig.defaults("far-back").withCatalog(engine.policy().catalog()),
            records::add,
            new PipelineCounters())
        .read(List.of(capture));
    FlowRecord t =
        records.stream()
            .filter(r -> !engine.evaluate(r).alerts().isEmpty())
            .findFirst()
            .orElseThrow();
    Instant first = t.firstSeen().plus(Duration.ofDays(1));
    String flowId =
        FlowId.of(t.transport(), t.src(), t.srcPort(), t.dst(), t.dstPort(), t.vlan(), first);
    List<FlowRecord> out = new ArrayList<>();
    for (int seq = 0; seq <= LATER_RECORDS; seq++) {
      boolean last = seq == LATER_RECORDS;
      Counters up =
          new Counters(
              t.srcToDst().packets() * (seq + 1),
              t.srcToDst().bytes() * (seq + 1),
              t.srcToDst().payloadBytes() * (seq + 1));
      out.add(
          new FlowRecord(
              t.schemaVersion(),
              t.agent(),
              t.iface(),
              flowId,
              seq,
              last,
              last ? "fin" : null,
              first,
              first.plusSeconds(30L * (seq + 1)),
              t.vlan(),
              t.outerVlan(),
              t.encapsulation(),
              t.ipVersion(),
              t.transport(),
              t.src(),
              t.srcPort(),
              t.dst(),
              t.dstPort(),
              t.initiator(),
              up,
              t.dstToSrc(),
              t.tcpFlags(),
              t.protocol(),
              t.payload()));
    }
    Evaluation e = engine.evaluate(out.get(0));
    assertThat(e.migration() && !e.alerts().isEmpty()).as("the first record alerts").isTrue();
    return out;
  }

  /**
   * {@link #FILLER} small records of short HTTPS flows between hosts the policy does not know:
   * neither migrations nor alerting.
   */
  private static void sendFiller(KafkaProducer<byte[], byte[]> producer, RuleEngine engine) {
    Instant base = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < FILLER; i++) {
      String src = "198.18." + ((i >> 8) & 0xff) + "." + (i & 0xff);
      int srcPort = 1024 + (i >>> 16);
      Instant at = base.plusMillis(i);
      FlowRecord r =
          new FlowRecord(
              SchemaVersion.CURRENT,
              "filler",
              "eth0",
              FlowId.of("tcp", src, srcPort, "198.19.0.1", 443, null, at),
              0,
              true,
              "fin",
              at,
              at.plusMillis(20),
              null,
              null,
              List.of("ethernet"),
              4,
              "tcp",
              src,
              srcPort,
              "198.19.0.1",
              443,
              "syn",
              new Counters(6, 900, 500),
              new Counters(5, 1400, 1100),
              List.of("SYN", "ACK", "FIN"),
              null,
              null);
      if (i == 0) {
        Evaluation e = engine.evaluate(r);
        assertThat(e.migration() || !e.alerts().isEmpty()).as("a filler record is quiet").isFalse();
      }
      send(producer, r);
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, FlowRecord r) {
    producer.send(new ProducerRecord<>(Topics.FLOWS, 0, null, RecordJson.toBytes(r)));
  }

  /** Big batches, compressed: a million small records in seconds. */
  private static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ByteArraySerializer.class.getName(),
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ByteArraySerializer.class.getName(),
            ProducerConfig.BATCH_SIZE_CONFIG,
            1 << 20,
            ProducerConfig.LINGER_MS_CONFIG,
            50,
            ProducerConfig.COMPRESSION_TYPE_CONFIG,
            "lz4",
            ProducerConfig.BUFFER_MEMORY_CONFIG,
            64L << 20,
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            4 << 20));
  }
}
