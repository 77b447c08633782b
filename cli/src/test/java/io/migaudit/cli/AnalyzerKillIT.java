package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.FileAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.ProducerSettings;
import io.migaudit.analyzer.AnalyzerConfig;
import io.migaudit.analyzer.AnalyzerInstance;
import io.migaudit.analyzer.alert.AlertFormat;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.cli.classify.SampleExpectation;
import io.migaudit.cli.common.CaptureFiles;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import io.migaudit.testsupport.Captures;
import io.migaudit.testsupport.CommittedTopic;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migaudit analyzer} (its own JVM, Kafka Streams with exactly_once_v2) stopped again and
 * again while an agent keeps publishing: {@value #KILLS} {@code kill -9} at random moments (while
 * restoring, judging, mid-transaction and mid-commit: exactly_once_v2 commits every 100 ms) and
 * {@value #TERMS} SIGTERM, each followed by a restart in the same group, all on one broker. Then an
 * instance runs to the end, and an uninterrupted one runs over the same records in another group.
 * Read downstream with {@code read_committed}, the interrupted application's alerts are exactly the
 * ids of the uninterrupted run, each once, and every migration event ends in the same state; its
 * JSON lines (written from committed alerts) hold the same ids. The broker lets the group's session
 * time out after 2 s, so a restart after a kill waits for the group about as long as a JVM takes to
 * start.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class AnalyzerKillIT {
  private static final int KILLS = 20;
  private static final int TERMS = 1;
  private static final int PARTITIONS = 3;
  private static final Duration DEADLINE = Duration.ofSeconds(180);
  private static final Path POLICY = SampleExpectation.SAMPLES.resolve("policy.yaml");

  /**
   * The analyzer's grace for Kerberos evidence: a restart must not judge a migration before the
   * partitions holding its source's KDC flows caught up (they have no copies in its partition).
   */
  private static final Duration JUDGE_GRACE = Duration.ofSeconds(10);

  /** Client settings of every instance: a dead member leaves the group 2 s after its last beat. */
  static final Map<String, String> CLIENT_SETTINGS =
      Map.of(
          "session.timeout.ms", "2000",
          "heartbeat.interval.ms", "300",
          "consumer.max.poll.records", "200");

  /** Broker settings: allows the short session timeout above. */
  static final Map<String, String> BROKER_SETTINGS = Map.of("group.min.session.timeout.ms", "1000");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void killedTwentyTimesAndRestartedMidStreamItCommitsExactlyWhatAnUninterruptedRunDoes()
      throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    long t0 = System.nanoTime();
    try (EmbeddedBroker broker = EmbeddedBroker.start(BROKER_SETTINGS)) {
      broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS, Topics.MIGRATIONS), PARTITIONS);
      Policy policy = PolicyLoader.load(POLICY);
      Path kafkaConfig = kafkaConfig(dir);
      List<FlowRecord> round = records(dir, policy, 30_000, 3_000);
      CommittedRun interrupted = new CommittedRun(broker.bootstrapServers());
      Path file = dir.resolve("interrupted.jsonl");
      List<String> moments = new ArrayList<>();
      try (FlowPublisher agent = publisher(broker.bootstrapServers())) {
        for (int i = 0; i < KILLS + TERMS; i++) {
          try (AnalyzerProcess p =
              AnalyzerProcess.start(
                  dir.resolve("interrupted-" + i + ".log"),
                  options(broker, "interrupted", file, kafkaConfig))) {
            publishRound(agent, round, i); // the agent goes on while the analyzer starts
            moments.add(stopAtRandomMoment(p, random, i < KILLS, round.size()));
          }
        }
      }
      moments.add("drain from " + CommittedTopic.end(broker.bootstrapServers(), Topics.ALERTS));
      drain(broker, policy, "interrupted", file);
      interrupted.finish();
      long interruptedSeconds = (System.nanoTime() - t0) / 1_000_000_000;

      CommittedRun baseline = new CommittedRun(broker.bootstrapServers());
      Path baselineFile = dir.resolve("baseline.jsonl");
      drain(broker, policy, "uninterrupted", baselineFile);
      baseline.finish();

      interrupted.assertSameAs(baseline, "seed " + seed + ", stops " + moments);
      Set<String> expected = baseline.alertIdCounts().keySet();
      assertThat(ids(file)).as("JSON lines from committed alerts").isEqualTo(expected);
      assertThat(ids(baselineFile)).isEqualTo(expected);
      System.out.printf(
          "AnalyzerKillIT: seed %d, %d records a round, %d rounds, %d alerts, %d events;"
              + " %d kills and %d SIGTERM in %d s (then the uninterrupted run, %d s in all); %s%n",
          seed,
          round.size(),
          KILLS + TERMS,
          expected.size(),
          baseline.events().size(),
          KILLS,
          TERMS,
          interruptedSeconds,
          (System.nanoTime() - t0) / 1_000_000_000,
          moments);
    }
  }

  /**
   * Stops {@code p} (SIGKILL, or SIGTERM) at a random moment: one time in four while it starts,
   * rebalances or restores its stores (a random delay once /metrics answers), otherwise a random
   * delay after it judged a random number of records, up to half a round (judging, forwarding,
   * committing; the backlog stays small). Returns what was done when, for the failure message.
   */
  private static String stopAtRandomMoment(
      AnalyzerProcess p, Random random, boolean kill, int roundSize) throws Exception {
    boolean early = random.nextInt(4) == 0;
    p.awaitJudgedMoreThan(early ? -1 : random.nextInt(roundSize / 2), DEADLINE);
    int delayMillis = random.nextInt(early ? 1500 : 300);
    Thread.sleep(delayMillis); // a random moment to stop it at, not a wait for anything
    long judged = p.recordsJudged();
    if (kill) {
      p.kill();
    } else {
      p.terminate();
    }
    return (kill ? "kill" : "term")
        + (early ? "@start+" : "@judging+")
        + delayMillis
        + "ms/"
        + judged;
  }

  /** An uninterrupted instance (in this JVM) of {@code group} up to the end of the flows. */
  private void drain(EmbeddedBroker broker, Policy policy, String group, Path alerts)
      throws Exception {
    AnalyzerConfig config =
        AnalyzerConfig.defaults(
                new KafkaSettings(broker.bootstrapServers(), CLIENT_SETTINGS),
                group,
                dir.resolve("state-" + group))
            .withJudgeGrace(JUDGE_GRACE);
    try (AnalyzerInstance a =
        new AnalyzerInstance(
            group,
            config,
            policy,
            FlowObserver.NONE,
            List.of(AlertFormat.MIGAUDIT.append(alerts)),
            List.of())) {
      a.analyzer().awaitCaughtUp(DEADLINE);
    }
  }

  static Path kafkaConfig(Path dir) throws Exception {
    StringBuilder b = new StringBuilder();
    CLIENT_SETTINGS.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    return Files.writeString(dir.resolve("kafka.properties"), b.toString());
  }

  private List<String> options(EmbeddedBroker broker, String group, Path alerts, Path kafkaConfig) {
    return List.of(
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
        Long.toString(JUDGE_GRACE.toSeconds()),
        "--alerts",
        alerts.toString());
  }

  /**
   * The flow records of every sample and a generated capture: many records, alerts early and late.
   */
  static List<FlowRecord> records(Path dir, Policy policy, int packets, int flows)
      throws Exception {
    List<Path> files = new ArrayList<>(CaptureFiles.expand(List.of(SampleExpectation.SAMPLES)));
    files.add(files.size() / 2, Captures.generated(dir, packets, flows));
    List<FlowRecord> out = new ArrayList<>();
    new FileAgent(
            AgentConfig.defaults("ak").withCatalog(policy.catalog()),
            out::add,
            new PipelineCounters())
        .read(files);
    return out;
  }

  static FlowPublisher publisher(String bootstrap) {
    return new FlowPublisher(
        new KafkaProducer<byte[], FlowRecord>(
            ProducerSettings.of(bootstrap, "analyzer-kill-it", Map.of())));
  }

  /** One copy of the records, {@code day} days earlier (new flow ids, none dated ahead). */
  static void publishRound(FlowPublisher publisher, List<FlowRecord> round, int day)
      throws Exception {
    Duration shift = Duration.ofDays(-day);
    for (FlowRecord f : round) {
      publisher.accept(shifted(f, shift));
    }
    publisher.flush();
  }

  static FlowRecord shifted(FlowRecord r, Duration by) {
    var first = r.firstSeen().plus(by);
    String flowId =
        FlowId.of(r.transport(), r.src(), r.srcPort(), r.dst(), r.dstPort(), r.vlan(), first);
    return r.withIdentity(flowId, first, r.lastSeen().plus(by));
  }

  static Set<String> ids(Path file) throws Exception {
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
