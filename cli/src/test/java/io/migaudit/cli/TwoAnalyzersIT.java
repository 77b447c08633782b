package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.ProducerSettings;
import io.migaudit.analyzer.AnalyzerInstance;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.cli.classify.SampleExpectation;
import io.migaudit.record.Counters;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import io.migaudit.testsupport.CommittedTopic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Two and three analyzer instances (Kafka Streams, exactly once) in one application on a real
 * broker give exactly what one instance alone gives over the same records, read downstream with
 * {@code read_committed}: each alert id once, and the same final state of every migration event,
 * whether they start together or join mid-flow while others leave (the partition of a long
 * migration moves between its records, with its state).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TwoAnalyzersIT {
  private static final int PARTITIONS = 6;
  private static final int LONG_MIGRATION_RECORDS = 40;
  private static final Duration DEADLINE = Duration.ofMinutes(2);
  private static final Duration JUDGE_GRACE = Duration.ofSeconds(8);

  private EmbeddedBroker broker;
  private Policy policy;
  private Path dir;

  /** What one instance alone committed: alert ids, and the latest state of each event. */
  private Set<String> singleAlertIds;

  private Map<String, MigrationEvent> singleEvents;

  /** The long migration's flow, judged partly before and partly after its partition moves. */
  private String longFlow;

  @BeforeAll
  void publishSamplesAndJudgeThemWithOneInstance() throws Exception {
    dir = Files.createTempDirectory("two-analyzers");
    broker = EmbeddedBroker.start();
    broker.createTopics(List.of(Topics.FLOWS), PARTITIONS);
    broker.createTopics(List.of(Topics.ALERTS, Topics.MIGRATIONS), 3);
    policy = PolicyLoader.load(SampleExpectation.SAMPLES.resolve("policy.yaml"));
    SamplePublisher.publishAll(broker.bootstrapServers(), policy);
    longFlow = publishLongMigration();

    Run single = new Run("single");
    try (AnalyzerInstance one = instance("one", single.group, FlowObserver.NONE)) {
      single.awaitDone(one);
    }
    Map<String, Integer> counts = CommittedTopic.alertIdCounts(single.alerts());
    assertThat(counts.values()).as("one instance commits each alert once").containsOnly(1);
    singleAlertIds = counts.keySet();
    singleEvents = CommittedTopic.latestEvents(single.events());
    assertThat(singleAlertIds).isNotEmpty();
    assertThat(singleEvents).isNotEmpty();
  }

  @AfterAll
  void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void twoInstancesStartedTogetherCommitEveryAlertAndEventExactlyOnce() throws Exception {
    Run run = new Run("pair");
    // whichever joins first would judge the few sample records alone before the other is in the
    // group: it waits at its first record until the other asked to join
    AtomicReference<AnalyzerInstance> other = new AtomicReference<>();
    Gate gate = new Gate(null, () -> other.get() == null || other.get().recordsJudged.get() == 0);
    AnalyzerInstance a = instance("a", run.group, gate);
    AnalyzerInstance b;
    try (a) {
      gate.awaitPaused();
      b = instance("b", run.group, FlowObserver.NONE);
      other.set(b);
      try (b) {
        awaitRebalanceStarted(run.group);
        gate.release();
        run.awaitDone(a, b);
      } finally {
        gate.release();
      }
    }
    assertThat(a.recordsJudged.get()).as("records judged by a").isPositive();
    assertThat(b.recordsJudged.get()).as("records judged by b").isPositive();
    run.assertSameAsOneInstance();
  }

  @Test
  void aSecondInstanceJoiningMidFlowThenTheFirstLeavingRepeatsNothing() throws Exception {
    Run run = new Run("join-leave");
    Gate gate = new Gate(longFlow, () -> true);
    AnalyzerInstance first = instance("first", run.group, gate);
    AnalyzerInstance second = null;
    try {
      gate.awaitPaused();
      second = instance("second", run.group, FlowObserver.NONE);
      awaitRebalanceStarted(run.group);
      Thread leaving = leaveInBackground(first);
      gate.release();
      leaving.join();
      run.awaitDone(second);
    } finally {
      gate.release();
      first.close();
      if (second != null) {
        second.close();
      }
    }
    assertThat(first.flowsJudged).contains(longFlow);
    assertThat(second.flowsJudged)
        .as("the long migration, after its partition moved")
        .contains(longFlow);
    run.assertSameAsOneInstance();
  }

  @Test
  void threeInstancesStartedTogetherCommitEveryAlertAndEventExactlyOnce() throws Exception {
    Run run = new Run("trio");
    // the first to join waits at its first record until the other two asked to join, then goes
    // slowly until both judged something (or the run ends)
    List<AnalyzerInstance> others = new CopyOnWriteArrayList<>();
    // 100 ms a record: on a loaded machine moving partitions to two new members with exactly-once
    // took longer than the whole run at 20 ms a record (CI of 4cdad68: one instance judged all)
    Gate gate =
        new Gate(
            null,
            () -> others.size() < 2 || others.stream().anyMatch(o -> o.recordsJudged.get() == 0),
            100);
    AnalyzerInstance a = instance("a", run.group, gate);
    try (a) {
      gate.awaitPaused();
      AnalyzerInstance b = instance("b", run.group, FlowObserver.NONE);
      try (b) {
        AnalyzerInstance c = instance("c", run.group, FlowObserver.NONE);
        try (c) {
          others.add(b);
          others.add(c);
          awaitRebalanceStarted(run.group);
          gate.release();
          run.awaitDone(a, b, c);
          // all three hold partitions (six: two each); whether a partition moved to the third
          // before the first had judged its few sample records is up to timing, so two at least
          // must have judged records
          assertThat(List.of(a, b, c))
              .as("partitions held by each of the three")
              .allMatch(i -> !i.analyzer().judging().isEmpty());
          assertThat(List.of(a, b, c).stream().filter(i -> i.recordsJudged.get() > 0).count())
              .as("instances that judged records")
              .isGreaterThanOrEqualTo(2);
        } finally {
          gate.release();
        }
      }
    }
    run.assertSameAsOneInstance();
  }

  /**
   * The first instance holds the long migration's partition at its first record; a second and a
   * third join (two rebalances), the first leaves mid-flow, then the second leaves too: the third
   * ends the migration, with its state, and nothing is raised twice.
   */
  @Test
  void threeInstancesJoiningAndLeavingMidFlowRepeatNothing() throws Exception {
    Run run = new Run("join-leave-3");
    Gate gate = new Gate(longFlow, () -> true);
    AnalyzerInstance first = instance("first", run.group, gate);
    AnalyzerInstance second = null;
    AnalyzerInstance third = null;
    try {
      gate.awaitPaused();
      second = instance("second", run.group, FlowObserver.NONE);
      awaitRebalanceStarted(run.group);
      third = instance("third", run.group, FlowObserver.NONE);
      Thread leaving = leaveInBackground(first);
      gate.release();
      leaving.join();
      second.close(); // leaves while the third may still be restoring or judging
      run.awaitDone(third);
    } finally {
      gate.release();
      first.close();
      if (second != null) {
        second.close();
      }
      if (third != null) {
        third.close();
      }
    }
    assertThat(first.flowsJudged).contains(longFlow);
    Set<String> afterFirst = new HashSet<>(second.flowsJudged);
    afterFirst.addAll(third.flowsJudged);
    assertThat(afterFirst).as("the long migration, after its partition moved").contains(longFlow);
    run.assertSameAsOneInstance();
  }

  /** Closes {@code instance} on a thread of its own, so that the gate can be released meanwhile. */
  private static Thread leaveInBackground(AnalyzerInstance instance) {
    Thread leaving =
        new Thread(
            () -> {
              try {
                instance.close();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    leaving.start();
    return leaving;
  }

  private AnalyzerInstance instance(String name, String group, FlowObserver also) throws Exception {
    // Kerberos evidence judged by one instance reaches the other through migaudit.kerberos; a
    // slowed
    // instance may take seconds to get to it
    return new AnalyzerInstance(
        name,
        broker.bootstrapServers(),
        group,
        policy,
        Files.createDirectories(dir.resolve(group).resolve(name)),
        also,
        JUDGE_GRACE);
  }

  /** One application's run: where the output topics stood before it, and its group. */
  private final class Run {
    final String group;
    final Map<TopicPartition, Long> alertsFrom;
    final Map<TopicPartition, Long> eventsFrom;
    final Map<TopicPartition, Long> flowsEnd;

    Run(String group) throws Exception {
      this.group = group;
      alertsFrom = CommittedTopic.end(broker.bootstrapServers(), Topics.ALERTS);
      eventsFrom = CommittedTopic.end(broker.bootstrapServers(), Topics.MIGRATIONS);
      flowsEnd = CommittedTopic.end(broker.bootstrapServers(), Topics.FLOWS);
    }

    /**
     * Until the group committed every record, {@code instances} (the ones left) judge every
     * partition, and none still waits to judge a Hyper-V migration.
     */
    void awaitDone(AnalyzerInstance... instances) throws Exception {
      CommittedTopic.awaitCommitted(broker.bootstrapServers(), group, flowsEnd);
      AnalyzerInstance.awaitAllCaughtUp(DEADLINE, PARTITIONS, instances);
    }

    List<ConsumerRecord<byte[], byte[]>> alerts() {
      return CommittedTopic.read(broker.bootstrapServers(), Topics.ALERTS, alertsFrom);
    }

    List<ConsumerRecord<byte[], byte[]>> events() {
      return CommittedTopic.read(broker.bootstrapServers(), Topics.MIGRATIONS, eventsFrom);
    }

    void assertSameAsOneInstance() throws Exception {
      Map<String, Integer> counts = CommittedTopic.alertIdCounts(alerts());
      assertThat(counts.keySet()).as("alerts committed by " + group).isEqualTo(singleAlertIds);
      assertThat(counts.values()).as("each alert committed once").containsOnly(1);
      assertThat(CommittedTopic.latestEvents(events()))
          .as("final state of every migration event")
          .isEqualTo(singleEvents);
    }
  }

  /**
   * The samples' captures last seconds, so their flows have one record each (two at most). This
   * adds a long one, as the agent reports a long migration: a copy of the first alerting sample
   * migration a day later, with an interim record each second and a final one. Returns its flow id.
   */
  private String publishLongMigration() throws Exception {
    FlowRecord template = null;
    RuleEngine engine = new RuleEngine(policy);
    for (ConsumerRecord<byte[], byte[]> r :
        CommittedTopic.read(broker.bootstrapServers(), Topics.FLOWS, Map.of())) {
      FlowRecord f = RecordJson.flowRecord(r.value());
      var e = engine.evaluate(f);
      if (template == null && e.migration() && !e.alerts().isEmpty()) {
        template = f;
      }
    }
    assertThat(template).as("an alerting migration flow among the samples").isNotNull();
    Instant first = template.firstSeen().plus(Duration.ofDays(1));
    String flowId =
        FlowId.of(
            template.transport(),
            template.src(),
            template.srcPort(),
            template.dst(),
            template.dstPort(),
            template.vlan(),
            first);
    Map<String, Object> props =
        ProducerSettings.of(broker.bootstrapServers(), "it-long-migration", Map.of());
    try (FlowPublisher publisher = new FlowPublisher(new KafkaProducer<>(props))) {
      for (int seq = 0; seq < LONG_MIGRATION_RECORDS; seq++) {
        boolean last = seq == LONG_MIGRATION_RECORDS - 1;
        Counters up =
            new Counters(
                template.srcToDst().packets() * (seq + 1),
                template.srcToDst().bytes() * (seq + 1),
                template.srcToDst().payloadBytes() * (seq + 1));
        publisher.accept(
            new FlowRecord(
                template.schemaVersion(),
                template.agent(),
                template.iface(),
                flowId,
                seq,
                last,
                last ? template.endReason() : null,
                first,
                first.plusSeconds(seq + 1),
                template.vlan(),
                template.outerVlan(),
                template.encapsulation(),
                template.ipVersion(),
                template.transport(),
                template.src(),
                template.srcPort(),
                template.dst(),
                template.dstPort(),
                template.initiator(),
                up,
                template.dstToSrc(),
                template.tcpFlags(),
                template.protocol(),
                template.payload()));
      }
      publisher.flush();
    }
    return flowId;
  }

  /** Waits until the group coordinator is rebalancing (a member asked to join). */
  private void awaitRebalanceStarted(String group) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    try (Admin admin = broker.admin()) {
      while (admin.describeConsumerGroups(List.of(group)).all().get().get(group).groupState()
          != GroupState.PREPARING_REBALANCE) {
        assertThat(System.nanoTime()).as("group " + group + " rebalancing").isLessThan(deadline);
        Thread.sleep(20); // polling the group state with a deadline
      }
    }
  }

  /**
   * Holds an instance's stream thread at the first record of {@code flowId} (of any flow when null)
   * until {@link #release()}, then slows it to one record per {@link #SLOW} while {@code slow}
   * holds: an instance polls again only after the records it fetched, and it must not judge them
   * all before the rebalance it takes part in moves some partitions away.
   */
  private static final class Gate implements FlowObserver {
    private static final long SLOW = 20;
    final CountDownLatch paused = new CountDownLatch(1);
    private final CountDownLatch resume = new CountDownLatch(1);
    private final AtomicInteger seen = new AtomicInteger();
    private final String flowId;
    private final BooleanSupplier slow;
    private final long paceMillis;

    Gate(String flowId, BooleanSupplier slow) {
      this(flowId, slow, SLOW);
    }

    Gate(String flowId, BooleanSupplier slow, long paceMillis) {
      this.flowId = flowId;
      this.slow = slow;
      this.paceMillis = paceMillis;
    }

    @Override
    public void onRecord(FlowRecord record, boolean migration, String protocol) {
      try {
        if (paused.getCount() == 0) {
          if (slow.getAsBoolean()) {
            // a pace, not a wait: this instance judges a record per pace until the other one has
            // judged a record, so that both take part in the run instead of this one finishing it
            Thread.sleep(paceMillis);
          }
        } else if ((flowId == null || flowId.equals(record.flowId()))
            && seen.incrementAndGet() == 1) {
          paused.countDown();
          resume.await();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void awaitPaused() throws InterruptedException {
      assertThat(paused.await(DEADLINE.toSeconds(), TimeUnit.SECONDS))
          .as("instance reached the gate")
          .isTrue();
    }

    void release() {
      resume.countDown();
    }
  }
}
