package io.migaudit.analyzer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.analyzer.alert.RecordSink;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One analyzer instance for tests, as {@code migaudit analyzer} runs it but in this JVM: an {@link
 * Analyzer} (Kafka Streams, exactly once) in an application (group), with its own state directory.
 * Records what it judged (flow ids).
 */
public final class AnalyzerInstance implements AutoCloseable {
  /**
   * Short session timeout (a test waits that long when an instance leaves without saying so); small
   * polls, so instances that share partitions interleave.
   */
  public static final Map<String, String> TEST_CLIENT_SETTINGS =
      Map.of(
          "session.timeout.ms",
          "10000",
          "heartbeat.interval.ms",
          "1000",
          "consumer.max.poll.records",
          "20");

  public final String name;

  /** Flow ids of the records this instance judged. */
  public final Set<String> flowsJudged = ConcurrentHashMap.newKeySet();

  public final AtomicInteger recordsJudged = new AtomicInteger();
  public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Analyzer analyzer;

  /**
   * Starts an instance.
   *
   * @param also sees every record judged, after this instance's own bookkeeping, on its stream
   *     thread
   */
  public AnalyzerInstance(
      String name,
      String bootstrapServers,
      String group,
      Policy policy,
      Path stateDir,
      FlowObserver also)
      throws Exception {
    this(name, bootstrapServers, group, policy, stateDir, also, Duration.ofSeconds(1));
  }

  /** As above, Hyper-V judgements waiting {@code grace} for Kerberos evidence. */
  public AnalyzerInstance(
      String name,
      String bootstrapServers,
      String group,
      Policy policy,
      Path stateDir,
      FlowObserver also,
      Duration grace)
      throws Exception {
    this(
        name,
        AnalyzerConfig.defaults(
                new KafkaSettings(bootstrapServers, TEST_CLIENT_SETTINGS), group, stateDir)
            .withJudgeGrace(grace),
        policy,
        also,
        List.of(),
        List.of());
  }

  public AnalyzerInstance(
      String name,
      AnalyzerConfig config,
      Policy policy,
      FlowObserver also,
      List<RecordSink<Alert>> alertSinks,
      List<RecordSink<MigrationEvent>> eventSinks)
      throws Exception {
    this.name = name;
    FlowObserver observer =
        new FlowObserver() {
          @Override
          public void onRecord(FlowRecord record, boolean migration, String protocol) {
            recordsJudged.incrementAndGet();
            flowsJudged.add(record.flowId());
            also.onRecord(record, migration, protocol);
          }

          @Override
          public void onAlert(Alert alert) {
            also.onAlert(alert);
          }

          @Override
          public void onMigrationEvent(MigrationEvent event) {
            also.onMigrationEvent(event);
          }

          @Override
          public void onMalformed(String kind) {
            also.onMalformed(kind);
          }
        };
    RuleEngine engine = new RuleEngine(policy);
    analyzer =
        new Analyzer(
            config,
            () -> engine,
            new AnalyzerMetrics(registry, engine.protocols()),
            observer,
            alertSinks,
            eventSinks,
            null);
    analyzer.start();
  }

  public Analyzer analyzer() {
    return analyzer;
  }

  public KafkaStreams.State state() {
    return analyzer.state();
  }

  /**
   * Waits until {@code instances} together judge all {@code flowPartitions} partitions of {@code
   * migaudit.flows}, each RUNNING, and each is caught up ({@link Analyzer#awaitCaughtUp}), with no
   * partition moving meanwhile. An instance that left hands its partitions, and the judgements
   * waiting in their state, to the others only after a rebalance; until then each of the others may
   * look caught up.
   */
  public static void awaitAllCaughtUp(
      Duration timeout, int flowPartitions, AnalyzerInstance... instances) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Set<TopicPartition> judged = judging(instances);
      if (judged.size() == flowPartitions) {
        for (AnalyzerInstance i : instances) {
          i.analyzer.awaitCaughtUp(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        if (judging(instances).equals(judged)) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "instances judge "
                + judged.size()
                + " of "
                + flowPartitions
                + " flow partitions after "
                + timeout);
      }
      Thread.sleep(100); // waiting for a rebalance to hand every partition out, with a deadline
    }
  }

  private static Set<TopicPartition> judging(AnalyzerInstance... instances) {
    Set<TopicPartition> judged = new HashSet<>();
    for (AnalyzerInstance i : instances) {
      judged.addAll(i.analyzer.judging());
    }
    return judged;
  }

  @Override
  public void close() throws Exception {
    analyzer.close();
  }

  /** A sink keeping the alerts written to it in {@code kept}, in order. */
  public static RecordSink<Alert> alertsInto(List<Alert> kept) {
    return into(kept);
  }

  /** A sink keeping the event updates written to it in {@code kept}, in order. */
  public static RecordSink<MigrationEvent> eventsInto(List<MigrationEvent> kept) {
    return into(kept);
  }

  private static <T> RecordSink<T> into(List<T> kept) {
    return new RecordSink<T>() {
      @Override
      public void write(List<T> written) {
        kept.addAll(written);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }
}
