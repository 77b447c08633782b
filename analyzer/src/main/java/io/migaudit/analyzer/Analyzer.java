package io.migaudit.analyzer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.migaudit.analyzer.alert.RecordSink;
import io.migaudit.analyzer.consume.DrainTimeoutException;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.analyzer.stream.AnalyzerTopology;
import io.migaudit.analyzer.stream.CommittedOutputs;
import io.migaudit.analyzer.stream.Progress;
import io.migaudit.analyzer.stream.StreamsSettings;
import io.migaudit.record.Alert;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.Topics;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analyzer: a Kafka Streams application that judges {@code migaudit.flows} with the rules and
 * writes alerts to {@code migaudit.alerts} and migration events to {@code migaudit.migrations}
 * (when that topic exists), exactly once: input offsets, outputs and state commit together. Local
 * sinks (JSON lines) get the committed alerts ({@link CommittedOutputs}). {@link #start()} checks
 * the deployment first ({@link Deployment}); {@link #close()} leaves the group so a restart is
 * quick.
 */
public final class Analyzer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Analyzer.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration OUTPUTS_ASSIGN_WAIT = Duration.ofSeconds(30);
  private static final Duration CHECK_PERIOD = Duration.ofMillis(100);

  /** Ten commit intervals of exactly_once_v2 (100 ms). */
  private static final Duration SETTLE = Duration.ofSeconds(1);

  private final AnalyzerConfig config;
  private final Supplier<RuleEngine> engines;
  private final AnalyzerMetrics metrics;
  private final FlowObserver observer;
  private final List<RecordSink<Alert>> alertSinks;
  private final List<RecordSink<MigrationEvent>> eventSinks;
  private final MeterRegistry registry;
  private final Progress progress = new Progress();
  private final AtomicInteger threadFailures = new AtomicInteger();
  private KafkaStreams streams;
  private KafkaStreamsMetrics streamsMeters;
  private CommittedOutputs outputs;

  /**
   * @param engines the rule engine to judge each record with (a {@code RuleEngineHolder} for policy
   *     reloads); with one stream thread called on it only, with several one at a time, each thread
   *     judging with its own {@link RuleEngine#sibling} that follows the policy of the engine this
   *     gives
   * @param alertSinks local sinks of committed alerts (JSON lines); none for no reader
   * @param eventSinks local sinks of committed event updates
   * @param registry where Kafka Streams' own client metrics (lag, ...) go; null for nowhere
   */
  public Analyzer(
      AnalyzerConfig config,
      Supplier<RuleEngine> engines,
      AnalyzerMetrics metrics,
      FlowObserver observer,
      List<RecordSink<Alert>> alertSinks,
      List<RecordSink<MigrationEvent>> eventSinks,
      MeterRegistry registry) {
    this.config = config;
    this.engines = engines;
    this.metrics = metrics;
    this.observer = observer;
    this.alertSinks = List.copyOf(alertSinks);
    this.eventSinks = List.copyOf(eventSinks);
    this.registry = registry;
  }

  /**
   * Checks the deployment, starts the JSON-lines writer (if any sink) and then Kafka Streams.
   *
   * @throws DeploymentException when {@code migaudit.flows} is missing or its partition count
   *     changed
   */
  public void start() throws Exception {
    boolean publishEvents;
    try (Admin admin = Admin.create(Deployment.adminProperties(config.kafka()))) {
      publishEvents = new Deployment(admin, config).check();
    }
    if (!publishEvents) {
      LOG.warn(
          "topic {} does not exist: migration events are not published (create it to get them)",
          Topics.MIGRATIONS);
    }
    StateDirectory.prepare(config.stateDir());
    List<RecordSink<MigrationEvent>> committedEvents = publishEvents ? eventSinks : List.of();
    if (!alertSinks.isEmpty() || !committedEvents.isEmpty()) {
      outputs =
          new CommittedOutputs(
              config.kafka(), config.applicationId() + ".lines", alertSinks, committedEvents);
      outputs.start(OUTPUTS_ASSIGN_WAIT);
    }
    // several stream threads: an engine each (one engine is not thread-safe)
    Supplier<RuleEngine> perThread =
        config.streamThreads() > 1 ? AnalyzerTopology.enginePerThread(engines) : engines;
    streams =
        new KafkaStreams(
            AnalyzerTopology.build(config, perThread, metrics, observer, progress, publishEvents),
            StreamsSettings.of(config));
    streams.setUncaughtExceptionHandler(
        e -> {
          LOG.error(
              "analyzer stream thread failed ({} so far), replacing it: {}",
              threadFailures.incrementAndGet(),
              e.toString(),
              e);
          return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    if (registry != null) {
      streamsMeters = new KafkaStreamsMetrics(streams);
      streamsMeters.bindTo(registry);
    }
    streams.start();
  }

  /** The Kafka Streams state (CREATED, REBALANCING, RUNNING, ...). */
  public KafkaStreams.State state() {
    return streams == null ? KafkaStreams.State.CREATED : streams.state();
  }

  /** True while the instance is starting or running (not failed, not closing). */
  public boolean alive() {
    if (streams == null) {
      return false;
    }
    KafkaStreams.State s = streams.state();
    return s.isRunningOrRebalancing() || s == KafkaStreams.State.CREATED;
  }

  public Progress progress() {
    return progress;
  }

  /**
   * The partitions of {@code migaudit.flows} this instance judges now (its active tasks'); none
   * while it is not RUNNING (rebalancing, restoring). A waiting judgement lives in the state of its
   * partition, so only the instance judging that partition counts it: callers that wait for several
   * instances to finish check first that together they judge every partition.
   */
  public Set<TopicPartition> judging() {
    if (streams == null || streams.state() != KafkaStreams.State.RUNNING) {
      return Set.of();
    }
    Set<TopicPartition> partitions = new HashSet<>();
    for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
      for (TaskMetadata task : thread.activeTasks()) {
        for (TopicPartition tp : task.topicPartitions()) {
          if (tp.topic().equals(Topics.FLOWS)) {
            partitions.add(tp);
          }
        }
      }
    }
    return partitions;
  }

  /** Kafka Streams' own metrics of this instance (its threads, tasks, stores and clients). */
  public Map<MetricName, ? extends Metric> streamsMetrics() {
    return streams == null ? Map.of() : streams.metrics();
  }

  /**
   * Waits until every record now on {@code migaudit.flows} is committed by the application, no
   * judgement waits for its grace period, and the local sinks got every committed output (a
   * replay's end).
   *
   * @throws DrainTimeoutException when {@code timeout} passes first
   */
  public void awaitCaughtUp(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(Deployment.adminProperties(config.kafka()))) {
      Map<TopicPartition, Long> end = Deployment.endOffsets(admin);
      String behind = "";
      while (System.nanoTime() < deadline) {
        if (!alive()) {
          throw new IllegalStateException("the analyzer stopped (" + state() + ")");
        }
        behind = behind(admin, end);
        if (behind.isEmpty()) {
          awaitNextCommit(deadline);
          return;
        }
        Thread.sleep(
            CHECK_PERIOD
                .toMillis()); // Kafka tells no one when a group commits: poll until the deadline
      }
      throw new DrainTimeoutException(
          "flow records not all judged within " + timeout + ": " + behind);
    }
  }

  /**
   * Outputs forwarded last (a judgement after its grace period) commit with the next transaction:
   * waits for the stream thread's next commit, or {@link #SETTLE} when it had nothing to commit.
   */
  private void awaitNextCommit(long deadline) throws InterruptedException {
    double before = commits();
    long settle = System.nanoTime() + SETTLE.toNanos();
    while (commits() <= before && System.nanoTime() < Math.min(settle, deadline)) {
      Thread.sleep(
          CHECK_PERIOD.toMillis()
              / 4); // polling the commit counter, bounded by SETTLE and the deadline
    }
  }

  private double commits() {
    return streams.metrics().values().stream()
        .filter(
            m ->
                m.metricName().name().equals("commit-total")
                    && m.metricName().group().equals("stream-thread-metrics"))
        .mapToDouble(m -> ((Number) m.metricValue()).doubleValue())
        .sum();
  }

  private String behind(Admin admin, Map<TopicPartition, Long> end) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin
            .listConsumerGroupOffsets(config.applicationId())
            .partitionsToOffsetAndMetadata()
            .get();
    StringBuilder b = new StringBuilder();
    if (state() != KafkaStreams.State.RUNNING) {
      // a partition on its way here may bring judgements that wait in its state
      b.append("instance ").append(state()).append("; ");
    }
    end.forEach(
        (tp, offset) -> {
          OffsetAndMetadata c = committed.get(tp);
          long at = c == null ? 0 : c.offset();
          if (offset > 0 && at < offset) {
            b.append(tp).append(" at ").append(at).append(" of ").append(offset).append("; ");
          }
        });
    if (progress.judgementsWaiting() > 0) {
      b.append(progress.judgementsWaiting()).append(" judgements waiting; ");
    }
    if (outputs != null
        && (outputs.alertsWritten() < progress.alertsForwarded()
            || (!eventSinks.isEmpty() && outputs.eventsWritten() < progress.eventsForwarded()))) {
      b.append("committed outputs not all written yet");
    }
    return b.toString();
  }

  @Override
  public void close() throws Exception {
    try {
      if (streams != null) {
        streams.close(
            CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(CLOSE_TIMEOUT));
      }
    } finally {
      if (streamsMeters != null) {
        streamsMeters.close();
      }
      if (outputs != null) {
        outputs.close();
      }
    }
  }
}
