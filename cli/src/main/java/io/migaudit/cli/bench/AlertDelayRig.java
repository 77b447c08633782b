package io.migaudit.cli.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.ProducerSettings;
import io.migaudit.analyzer.Analyzer;
import io.migaudit.analyzer.AnalyzerConfig;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running parts of the time-to-alert benchmark: an analyzer (Kafka Streams, exactly once)
 * judging migaudit.flows, and a read_committed consumer of migaudit.alerts noting when each alert
 * arrives. {@link #measure} runs the agent over one migration and pairs its first payload packet
 * with the first alert on its flow.
 */
final class AlertDelayRig implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AlertDelayRig.class);
  private static final Duration POLL = Duration.ofMillis(5);

  /** How long after a migration ends its alert may still come. */
  private static final long STRAGGLER_NANOS = TimeUnit.SECONDS.toNanos(3);

  private final String bootstrapServers;
  private final Policy policy;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Map<String, Arrival> firstAlertByFlow = new ConcurrentHashMap<>();
  private final Thread watcher;
  private final Analyzer analyzer;
  private final Path state;

  /** The first alert on a flow and when a consumer of the alerts topic had it. */
  private record Arrival(long nanos, String rule) {}

  /** One migration's figures; {@code delayNanos} is -1 when no alert came. */
  record Result(long delayNanos, String rule, long records) {}

  private AlertDelayRig(String bootstrapServers, Policy policy) throws IOException {
    this.bootstrapServers = bootstrapServers;
    this.policy = policy;
    KafkaSettings kafka = new KafkaSettings(bootstrapServers, Map.of());
    RuleEngine engine = new RuleEngine(policy);
    state = Files.createTempDirectory("bench-alert-delay-state");
    analyzer =
        new Analyzer(
            AnalyzerConfig.defaults(kafka, "bench-alert-delay-" + UUID.randomUUID(), state)
                .withStreamThreads(Runtime.getRuntime().availableProcessors()), // as the command
            () -> engine,
            new AnalyzerMetrics(new SimpleMeterRegistry(), engine.protocols()),
            FlowObserver.NONE,
            List.of(),
            List.of(),
            null);
    watcher = new Thread(this::watchAlerts, "bench-alert-watcher");
  }

  static AlertDelayRig start(EmbeddedBroker broker, Policy policy) throws Exception {
    broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS, Topics.MIGRATIONS), 3);
    AlertDelayRig rig = new AlertDelayRig(broker.bootstrapServers(), policy);
    rig.watcher.start();
    rig.analyzer.start();
    return rig;
  }

  private void watchAlerts() {
    Map<String, Object> props = new KafkaSettings(bootstrapServers, Map.of()).consumerProperties();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-alert-watcher-" + UUID.randomUUID());
    props.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // what a downstream consumer sees
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(Topics.ALERTS));
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          long now = System.nanoTime();
          try {
            Alert a = RecordJson.alert(r.value());
            firstAlertByFlow.putIfAbsent(a.flowId(), new Arrival(now, a.rule().name()));
          } catch (RecordJson.MalformedRecordException e) {
            LOG.warn("unreadable alert at offset {}: {}", r.offset(), e.getMessage());
          }
        }
      }
    }
  }

  /** Runs the agent over one migration and waits for its first alert. */
  Result measure(Path capture, int rate, Duration duration) throws Exception {
    AgentConfig config = AgentConfig.defaults("alert-delay").withCatalog(policy.catalog());
    AlertDelayReplay replay =
        AlertDelayReplay.of(capture, config.catalog(), rate, duration.toNanos());
    Set<String> flowIds = ConcurrentHashMap.newKeySet();
    long records;
    try (KafkaProducer<byte[], FlowRecord> producer =
            new KafkaProducer<>(
                ProducerSettings.of(bootstrapServers, "bench-alert-delay-agent", Map.of()));
        FlowPublisher publisher = new FlowPublisher(producer)) {
      // CaptureAgent itself, not FileAgent: the replay is a paced source (the capture at its own
      // pace, then its payload at `rate`, stamped with the wall clock), not a file read flat out
      CaptureAgent agent =
          new CaptureAgent(
              config,
              (FlowRecord r) -> {
                flowIds.add(r.flowId());
                publisher.accept(r);
              },
              new PipelineCounters());
      agent.run(replay, capture.toString(), EndReason.SHUTDOWN);
      publisher.flush();
      records = publisher.sent();
    }
    long deadline = System.nanoTime() + STRAGGLER_NANOS;
    Arrival first = null;
    while (System.nanoTime() < deadline) {
      first =
          flowIds.stream()
              .map(firstAlertByFlow::get)
              .filter(a -> a != null)
              .min((a, b) -> Long.compare(a.nanos(), b.nanos()))
              .orElse(null);
      if (first != null) {
        break;
      }
      Thread.sleep(10); // polling for the alert consumer's arrivals until the straggler deadline
    }
    return first == null
        ? new Result(-1, null, records)
        : new Result(first.nanos() - replay.firstPayloadSentNanos(), first.rule(), records);
  }

  @Override
  public void close() throws Exception {
    running.set(false);
    try {
      analyzer.close();
    } finally {
      watcher.join(TimeUnit.SECONDS.toMillis(10));
      try (var paths = Files.walk(state)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
