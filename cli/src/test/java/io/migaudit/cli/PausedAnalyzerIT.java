package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.analyzer.AnalyzerConfig;
import io.migaudit.analyzer.AnalyzerInstance;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.cli.classify.SampleExpectation;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Topics;
import io.migaudit.testsupport.CommittedTopic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A zombie analyzer (issue 13): {@code migaudit analyzer} in its own JVM is frozen with SIGSTOP
 * while a transaction of its is open, past its session timeout (2 s) and its transaction timeout (4
 * s); the group gives its partitions to another instance, which restores the state and judges on,
 * and the broker aborts the frozen transaction. Then SIGCONT: the woken instance finds itself
 * fenced (its producer epoch and group generation are stale), drops its tasks and rejoins. Read
 * with {@code read_committed}, the application committed exactly the alert ids of one uninterrupted
 * run, each once, and the same final event states: nothing the zombie wrote is visible.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class PausedAnalyzerIT {
  private static final int PARTITIONS = 3;
  private static final Duration DEADLINE = Duration.ofMinutes(3);
  private static final Duration JUDGE_GRACE = Duration.ofSeconds(5);
  private static final Path POLICY = SampleExpectation.SAMPLES.resolve("policy.yaml");
  private static final String GROUP = "paused";

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
  void anInstanceFrozenPastItsTimeoutsIsFencedAndItsWritesNeverCommit() throws Exception {
    long t0 = System.nanoTime();
    Policy policy = PolicyLoader.load(POLICY);
    List<FlowRecord> round = AnalyzerKillIT.records(dir, policy, 20_000, 2_000);
    try (EmbeddedBroker broker = EmbeddedBroker.start(AnalyzerKillIT.BROKER_SETTINGS);
        Admin admin = broker.admin()) {
      broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS, Topics.MIGRATIONS), PARTITIONS);
      CommittedRun paused = new CommittedRun(broker.bootstrapServers());
      AnalyzerProcess zombie;
      Set<String> frozenTransactions;
      try (FlowPublisher agent = AnalyzerKillIT.publisher(broker.bootstrapServers())) {
        for (int day = 0; day < 3; day++) {
          AnalyzerKillIT.publishRound(agent, round, day);
        }
        zombie = AnalyzerProcess.start(dir.resolve("zombie.log"), options(broker));
        started.add(zombie);
        zombie.awaitJudgedMoreThan(500, DEADLINE);
        frozenTransactions = freezeMidTransaction(zombie, admin);

        AnalyzerInstance other = instance(broker, policy, GROUP);
        try (other) {
          other.analyzer().awaitCaughtUp(DEADLINE);
          assertThat(ongoing(admin, frozenTransactions))
              .as("the frozen instance's transaction, aborted by the broker")
              .isEmpty();
          assertThat(zombie.alive()).isTrue();
          zombie.resume();
          AnalyzerKillIT.publishRound(agent, round, 3); // work for both once it rejoined
          awaitMembers(admin, 2);
          CommittedTopic.awaitCommitted(
              broker.bootstrapServers(),
              GROUP,
              CommittedTopic.end(broker.bootstrapServers(), Topics.FLOWS));
          other.analyzer().awaitCaughtUp(DEADLINE);
          assertThat(zombie.alive()).as("the woken instance goes on").isTrue();
          zombie.terminate();
          // judgements the zombie left are taken over, once its partitions moved here
          AnalyzerInstance.awaitAllCaughtUp(DEADLINE, PARTITIONS, other);
        }
        paused.finish();
      }
      assertThat(zombie.output())
          .as("the woken instance was told it had been fenced")
          .containsAnyOf("fenced", "Fenced", "TaskMigrated");

      CommittedRun baseline = new CommittedRun(broker.bootstrapServers());
      try (AnalyzerInstance one = instance(broker, policy, "uninterrupted")) {
        one.analyzer().awaitCaughtUp(DEADLINE);
      }
      baseline.finish();
      paused.assertSameAs(baseline, "an instance frozen and woken");
      System.out.printf(
          "PausedAnalyzerIT: froze transactions %s; %d s%n",
          frozenTransactions, (System.nanoTime() - t0) / 1_000_000_000);
    }
  }

  /**
   * Freezes {@code p} (SIGSTOP) at a moment when one of its transactions is open; returns the
   * transactional ids open then. Between commits (every 100 ms) it may have none: then it is woken
   * and frozen again.
   */
  private static Set<String> freezeMidTransaction(AnalyzerProcess p, Admin admin) throws Exception {
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      p.pause();
      Set<String> open = ongoing(admin, null);
      if (!open.isEmpty()) {
        return open;
      }
      assertThat(System.nanoTime()).as("freezing with a transaction open").isLessThan(end);
      p.resume();
      // resumed for a moment so that it opens its next transaction; 37 ms is off the 100 ms commit
      // period, so each try freezes it at another point of it (bounded by the deadline above)
      Thread.sleep(37);
    }
  }

  /** Ongoing transactions of the group (among {@code among} when not null). */
  private static Set<String> ongoing(Admin admin, Set<String> among) throws Exception {
    return admin.listTransactions().all().get().stream()
        .filter(t -> t.state() == TransactionState.ONGOING)
        .map(TransactionListing::transactionalId)
        .filter(id -> id.startsWith(GROUP + "-"))
        .filter(id -> among == null || among.contains(id))
        .collect(Collectors.toSet());
  }

  private static void awaitMembers(Admin admin, int members) throws Exception {
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP).members().size()
        != members) {
      assertThat(System.nanoTime()).as(members + " members in " + GROUP).isLessThan(end);
      Thread.sleep(50); // polling the group with a deadline
    }
  }

  private AnalyzerInstance instance(EmbeddedBroker broker, Policy policy, String group)
      throws Exception {
    AnalyzerConfig config =
        AnalyzerConfig.defaults(
                new KafkaSettings(broker.bootstrapServers(), AnalyzerKillIT.CLIENT_SETTINGS),
                group,
                Files.createDirectories(dir.resolve("state-" + group + "-in-process")))
            .withJudgeGrace(JUDGE_GRACE);
    return new AnalyzerInstance(group, config, policy, FlowObserver.NONE, List.of(), List.of());
  }

  private List<String> options(EmbeddedBroker broker) throws Exception {
    Path kafkaConfig =
        Files.writeString(
            dir.resolve("zombie.properties"),
            "session.timeout.ms=2000\nheartbeat.interval.ms=300\n"
                + "consumer.max.poll.records=200\ntransaction.timeout.ms=4000\n");
    return List.of(
        "--policy",
        POLICY.toString(),
        "--bootstrap-servers",
        broker.bootstrapServers(),
        "--group-id",
        GROUP,
        "--kafka-config",
        kafkaConfig.toString(),
        "--state-dir",
        dir.resolve("state-zombie").toString(),
        "--judge-grace",
        Long.toString(JUDGE_GRACE.toSeconds()),
        // one consumer per process: the group's member count then says which processes are in it
        "--stream-threads",
        "1");
  }
}
