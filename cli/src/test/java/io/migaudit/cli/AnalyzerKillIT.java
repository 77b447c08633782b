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
import io.migaudit.cli.classify.SampleExpectation;
import io.migaudit.cli.common.CaptureFiles;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import io.migaudit.testsupport.Captures;
import io.migaudit.testsupport.CommittedTopic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migaudit analyzer} (its own JVM, Kafka Streams with exactly_once_v2) stopped again and
 * again while an agent keeps publishing: {@value #KILLS} {@code kill -9} at random moments
 * (mid-transaction, mid-commit, mid-restore) and {@value #TERMS} SIGTERM, each followed by a
 * restart in the same group. Read downstream with {@code read_committed}, its alerts are exactly
 * the ids of one uninterrupted run over the same records, each once, and every migration event ends
 * in the same state; its JSON lines (written from committed alerts) hold the same ids. Four kills,
 * not twenty: each restart waits out a session timeout on a 2-core machine.
 */
class AnalyzerKillIT {
  private static final int KILLS = 3;
  private static final int TERMS = 1;
  private static final int ROUNDS = 12;
  private static final Duration DEADLINE = Duration.ofSeconds(240);
  private static final Path POLICY = SampleExpectation.SAMPLES.resolve("policy.yaml");

  /**
   * The analyzer's grace for Kerberos evidence: a restart must not judge a migration before the
   * partitions holding its source's KDC flows caught up (they have no copies in its partition).
   */
  private static final int JUDGE_GRACE_SECONDS = 10;

  /** Twice the grace: a restart adds one before judging, then the judgement and its commit. */
  private static final Duration JUDGE_WAIT = Duration.ofSeconds(2L * JUDGE_GRACE_SECONDS + 2);

  @TempDir Path dir;

  @Test
  void killedAndRestartedMidStreamItCommitsExactlyWhatAnUninterruptedRunDoes() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS, Topics.MIGRATIONS), 3);
      Path kafkaConfig =
          Files.writeString(
              dir.resolve("kafka.properties"),
              "session.timeout.ms=6000\nheartbeat.interval.ms=500\nconsumer.max.poll.records=200\n");
      List<FlowRecord> round = records();
      Map<TopicPartition, Long> alertsFrom =
          CommittedTopic.end(broker.bootstrapServers(), Topics.ALERTS);
      Map<TopicPartition, Long> eventsFrom =
          CommittedTopic.end(broker.bootstrapServers(), Topics.MIGRATIONS);

      AtomicReference<Throwable> publishFailure = new AtomicReference<>();
      Thread agent =
          new Thread(
              () -> {
                try {
                  publishRounds(broker.bootstrapServers(), round);
                } catch (Throwable t) {
                  publishFailure.set(t);
                }
              },
              "agent");
      agent.start();
      Path file = dir.resolve("interrupted.jsonl");
      for (int i = 0; i < KILLS + TERMS; i++) {
        Process p = analyzer(broker, "interrupted", file, kafkaConfig, i);
        Thread.sleep(3000 + random.nextInt(5000)); // starting, restoring, judging or committing
        if (i < KILLS) {
          p.destroyForcibly(); // SIGKILL: no hook, no commit, an open transaction left behind
        } else {
          p.destroy();
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("analyzer stopped").isTrue();
      }
      agent.join();
      assertThat(publishFailure.get()).as("agent").isNull();
      Process last = analyzer(broker, "interrupted", file, kafkaConfig, KILLS + TERMS);
      CommittedTopic.awaitCommitted(
          broker.bootstrapServers(),
          "interrupted",
          CommittedTopic.end(broker.bootstrapServers(), Topics.FLOWS));
      Thread.sleep(JUDGE_WAIT.toMillis()); // Hyper-V judgements wait out their grace (wall clock)
      stop(last);
      var interruptedAlerts =
          CommittedTopic.read(broker.bootstrapServers(), Topics.ALERTS, alertsFrom);
      var interruptedEvents =
          CommittedTopic.read(broker.bootstrapServers(), Topics.MIGRATIONS, eventsFrom);

      Map<TopicPartition, Long> baselineAlertsFrom =
          CommittedTopic.end(broker.bootstrapServers(), Topics.ALERTS);
      Map<TopicPartition, Long> baselineEventsFrom =
          CommittedTopic.end(broker.bootstrapServers(), Topics.MIGRATIONS);
      Path baselineFile = dir.resolve("baseline.jsonl");
      Process baseline = analyzer(broker, "uninterrupted", baselineFile, kafkaConfig, 99);
      CommittedTopic.awaitCommitted(
          broker.bootstrapServers(),
          "uninterrupted",
          CommittedTopic.end(broker.bootstrapServers(), Topics.FLOWS));
      Thread.sleep(JUDGE_WAIT.toMillis()); // Hyper-V judgements wait out their grace (wall clock)
      stop(baseline);
      var baselineAlerts =
          CommittedTopic.read(broker.bootstrapServers(), Topics.ALERTS, baselineAlertsFrom);
      Map<String, Integer> expected = CommittedTopic.alertIdCounts(baselineAlerts);
      Map<String, MigrationEvent> expectedEvents =
          CommittedTopic.latestEvents(
              CommittedTopic.read(
                  broker.bootstrapServers(), Topics.MIGRATIONS, baselineEventsFrom));
      assertThat(expected).as("alerts of the uninterrupted run").isNotEmpty();
      assertThat(expected.values()).as("uninterrupted: each alert once").containsOnly(1);

      Map<String, Integer> got = CommittedTopic.alertIdCounts(interruptedAlerts);
      Map<String, String> described = new java.util.HashMap<>();
      for (var r : baselineAlerts) {
        var a = RecordJson.alert(r.value());
        described.put(a.alertId(), a.rule() + " " + a.src() + "->" + a.dst() + ":" + a.dstPort());
      }
      for (var r : interruptedAlerts) {
        var a = RecordJson.alert(r.value());
        described.putIfAbsent(
            a.alertId(), a.rule() + " " + a.src() + "->" + a.dst() + ":" + a.dstPort());
      }
      Set<String> missing = new TreeSet<>(expected.keySet());
      missing.removeAll(got.keySet());
      Set<String> extra = new TreeSet<>(got.keySet());
      extra.removeAll(expected.keySet());
      assertThat(missing.stream().map(described::get).toList())
          .as("alerts missing after kills (seed " + seed + ")")
          .isEmpty();
      assertThat(extra.stream().map(described::get).toList())
          .as("alerts extra after kills (seed " + seed + ")")
          .isEmpty();
      assertThat(got.values()).as("each alert committed once (seed " + seed + ")").containsOnly(1);
      assertThat(CommittedTopic.latestEvents(interruptedEvents))
          .as("final state of every migration event")
          .isEqualTo(expectedEvents);
      assertThat(ids(file)).as("JSON lines from committed alerts").isEqualTo(expected.keySet());
      assertThat(ids(baselineFile)).isEqualTo(expected.keySet());
      System.out.printf(
          "AnalyzerKillIT: seed %d, %d records a round, %d rounds, %d alerts, %d events%n",
          seed, round.size(), ROUNDS, expected.size(), expectedEvents.size());
    }
  }

  /**
   * The flow records of every sample and a generated capture: many records, alerts early and late.
   */
  private List<FlowRecord> records() throws Exception {
    List<Path> files = new ArrayList<>(CaptureFiles.expand(List.of(SampleExpectation.SAMPLES)));
    files.add(files.size() / 2, Captures.generated(dir, 60_000, 6_000));
    List<FlowRecord> out = new ArrayList<>();
    CaptureAgent agent =
        new CaptureAgent(
            AgentConfig.defaults("ak").withCatalog(PolicyLoader.load(POLICY).catalog()),
            out::add,
            new PipelineCounters());
    for (Path f : files) {
      try (PcapFileSource source = PcapFileSource.open(f)) {
        agent.run(source, f.toString(), EndReason.END_OF_CAPTURE);
      }
    }
    return out;
  }

  /**
   * Publishes {@link #ROUNDS} copies of the records, each a day later (new flow ids), over some
   * seconds.
   */
  private static void publishRounds(String bootstrap, List<FlowRecord> round) throws Exception {
    try (FlowPublisher publisher =
        new FlowPublisher(
            new KafkaProducer<byte[], FlowRecord>(
                ProducerSettings.of(bootstrap, "analyzer-kill-it", Map.of())))) {
      for (int r = 0; r < ROUNDS; r++) {
        Duration shift = Duration.ofDays(r);
        for (FlowRecord f : round) {
          publisher.accept(shifted(f, shift));
        }
        publisher.flush();
        Thread.sleep(
            1500); // an agent publishes as traffic comes: the analyzer runs while records arrive
      }
    }
  }

  private static FlowRecord shifted(FlowRecord r, Duration by) {
    var first = r.firstSeen().plus(by);
    String flowId =
        FlowId.of(r.transport(), r.src(), r.srcPort(), r.dst(), r.dstPort(), r.vlan(), first);
    return r.withIdentity(flowId, first, r.lastSeen().plus(by));
  }

  private Process analyzer(
      EmbeddedBroker broker, String group, Path alerts, Path kafkaConfig, int run)
      throws IOException {
    Path log = dir.resolve(group + "-" + run + ".log");
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            MigauditCommand.class.getName(),
            "analyzer",
            "--policy",
            POLICY.toString(),
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--group-id",
            group,
            "--kafka-config",
            kafkaConfig.toString(),
            "--state-dir",
            dir.resolve("state-" + group).toString(),
            "--judge-grace",
            Integer.toString(JUDGE_GRACE_SECONDS),
            "--alerts",
            alerts.toString(),
            "--metrics-address",
            "127.0.0.1:0")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy(); // SIGTERM: a clean stop
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("analyzer stopped").isTrue();
  }

  private static Set<String> ids(Path file) throws Exception {
    Set<String> out = new TreeSet<>();
    if (!Files.exists(file)) {
      return out;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(RecordJson.alert(line.getBytes(StandardCharsets.UTF_8)).alertId());
      }
    }
    return out;
  }
}
