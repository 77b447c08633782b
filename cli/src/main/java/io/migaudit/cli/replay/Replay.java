package io.migaudit.cli.replay;

import io.micrometer.core.instrument.MeterRegistry;
import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureWorkers;
import io.migaudit.agent.FileAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.metrics.AgentMetrics;
import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.MeteredProducers;
import io.migaudit.agent.publish.ProducerSettings;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.analyzer.Analyzer;
import io.migaudit.analyzer.AnalyzerConfig;
import io.migaudit.analyzer.alert.RecordSink;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.consume.RecordKeys;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Alert;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RecordKey;
import io.migaudit.record.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline over capture files: the capture agent publishes flow records to Kafka, then
 * the {@link Analyzer}, as an application (consumer group) of its own, judges exactly the records
 * this run produced and writes alerts and migration events to Kafka; the given sinks get them once
 * committed.
 */
public final class Replay {
  private static final Logger LOG = LoggerFactory.getLogger(Replay.class);

  private final String bootstrapServers;
  private final Map<String, String> clientSettings;
  private final Policy policy;
  private final MeterRegistry registry;
  private final String agentId;
  private ReplayProgress progress = ReplayProgress.NONE;
  private int workers = 1;

  Replay(
      String bootstrapServers,
      Map<String, String> clientSettings,
      Policy policy,
      MeterRegistry registry,
      String agentId) {
    this.bootstrapServers = bootstrapServers;
    this.clientSettings = clientSettings;
    this.policy = policy;
    this.registry = registry;
    this.agentId = agentId;
  }

  /** This replay, counting the capture bytes it reads into {@code p}. */
  Replay withProgress(ReplayProgress p) {
    this.progress = p;
    return this;
  }

  /** Reads the files with {@code n} capture workers ({@link CaptureWorkers}); one by default. */
  Replay workers(int n) {
    this.workers = n;
    return this;
  }

  /** A replay on the cluster at {@code bootstrapServers}. */
  @FunctionalInterface
  interface Run {
    AgentResult on(String bootstrapServers) throws Exception;
  }

  /** What the agent side of a replay read. */
  record AgentResult(PipelineCounters counters, List<String> truncations) {}

  /**
   * Runs the agent over {@code files}, then the analyzer over what the agent published.
   *
   * @param drainTimeout how long the analyzer may take to catch up with the agent
   */
  AgentResult run(
      List<Path> files,
      List<RecordSink<Alert>> extraSinks,
      List<RecordSink<MigrationEvent>> extraEventSinks,
      FlowObserver observer,
      Duration drainTimeout)
      throws Exception {
    return run(files, extraSinks, extraEventSinks, observer, drainTimeout, () -> {});
  }

  /**
   * As above; {@code ready} runs once every meter of the run exists at zero and before any packet
   * is read (the replay command waits there for a first Prometheus scrape).
   */
  AgentResult run(
      List<Path> files,
      List<RecordSink<Alert>> extraSinks,
      List<RecordSink<MigrationEvent>> extraEventSinks,
      FlowObserver observer,
      Duration drainTimeout,
      Ready ready)
      throws Exception {
    KafkaSettings kafka = new KafkaSettings(bootstrapServers, clientSettings);
    String group = "migaudit-replay-" + UUID.randomUUID();
    startGroupAtCurrentEnd(kafka, group);
    PipelineCounters counters = new PipelineCounters();
    progress.packets(counters::packets);
    AgentMetrics agentMetrics = new AgentMetrics(registry);
    agentMetrics.bind("pcap", counters);
    RuleEngine engine = new RuleEngine(policy);
    AnalyzerMetrics metrics = new AnalyzerMetrics(registry, engine.protocols());
    metrics.startMigrationSeriesAtZero();
    // a key of this run's own: the agent signs every record, the analyzer judges only what it
    // signed, so a replay runs the path a signed deployment runs
    RecordKey key = RecordKey.random();
    List<String> truncations;
    try (MeteredProducers producers =
            new MeteredProducers(
                ProducerSettings.of(
                    bootstrapServers, "migaudit-agent-" + agentId, clientSettings, key),
                registry);
        FlowPublisher publisher = new FlowPublisher(producers.get())) {
      agentMetrics.bind(publisher);
      ready.await();
      truncations = publishFlows(files, counters, publisher);
    }
    Path state = Files.createTempDirectory("migaudit-replay-state");
    // capture files may be dated by any clock: their times are the record's, never clamped
    AnalyzerConfig config =
        AnalyzerConfig.defaults(kafka, group, state)
            .withJudgeGrace(AnalyzerConfig.REPLAY_JUDGE_GRACE)
            .withoutClamping()
            .withRecordKeys(new RecordKeys(Map.of(agentId, key)));
    try (Analyzer analyzer =
        new Analyzer(
            config, () -> engine, metrics, observer, extraSinks, extraEventSinks, registry)) {
      analyzer.start();
      LOG.info("analyzer judging {} as {}", Topics.FLOWS, group);
      analyzer.awaitCaughtUp(drainTimeout);
    } finally {
      deleteTree(state);
    }
    return new AgentResult(counters, truncations);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Called once the run's meters exist, before it reads any packet. */
  @FunctionalInterface
  interface Ready {
    void await() throws InterruptedException;
  }

  /** Runs the agent over the files; returns the truncation warnings. */
  private List<String> publishFlows(
      List<Path> files, PipelineCounters counters, FlowPublisher publisher) throws Exception {
    AgentConfig config = AgentConfig.defaults(agentId).withCatalog(policy.catalog());
    List<String> truncations =
        new FileAgent(config, publisher, counters, workers)
            .opening(
                file ->
                    PcapFileSource.open(
                        progress.counting(Files.newInputStream(file)), file.toString()))
            .read(files);
    publisher.flush();
    LOG.info("agent published {} flow records", publisher.sent());
    return truncations;
  }

  /**
   * Commits the current end of {@link Topics#FLOWS} for a fresh consumer group, so that on a shared
   * cluster the analyzer judges only the records this replay is about to publish.
   */
  private static void startGroupAtCurrentEnd(KafkaSettings kafka, String group) throws Exception {
    try (Admin admin = Admin.create(kafka.adminProperties("migaudit-replay-admin"))) {
      var description =
          admin.describeTopics(List.of(Topics.FLOWS)).allTopicNames().get().get(Topics.FLOWS);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      description
          .partitions()
          .forEach(
              p ->
                  latest.put(new TopicPartition(Topics.FLOWS, p.partition()), OffsetSpec.latest()));
      Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
      admin
          .listOffsets(latest)
          .all()
          .get()
          .forEach((tp, info) -> start.put(tp, new OffsetAndMetadata(info.offset())));
      admin.alterConsumerGroupOffsets(group, start).all().get();
    }
  }
}
