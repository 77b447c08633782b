package io.migaudit.cli.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.FileAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.analyzer.Analyzer;
import io.migaudit.analyzer.AnalyzerConfig;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.cli.common.UserError;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One analyzer benchmark on a broker: publishing the records, then timing each reader over them.
 */
final class AnalyzerBenchRun {
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long DEADLINE_NANOS = Duration.ofMinutes(10).toNanos();

  private final String bootstrapServers;
  private final Policy policy;
  private final Map<String, String> streamsSettings;

  /** What was published. */
  record Published(long records, long bytes, long distinct) {}

  /** One reader's pass over the published records. */
  record Timing(long records, long nanos, long alerts, long migrationRecords, String threads) {
    double perSecond() {
      return records * 1e9 / Math.max(1, nanos);
    }
  }

  /**
   * @param streamsSettings Kafka Streams and client settings for the analyzer (as the analyzer
   *     command's client properties take them)
   */
  AnalyzerBenchRun(String bootstrapServers, Policy policy, Map<String, String> streamsSettings) {
    this.bootstrapServers = bootstrapServers;
    this.policy = policy;
    this.streamsSettings = Map.copyOf(streamsSettings);
  }

  /**
   * Runs the agent pipeline over {@code capture} and publishes its records, again and again, up to
   * {@code count}.
   */
  Published publish(Path capture, int count) throws Exception {
    List<byte[][]> distinct = new ArrayList<>();
    new FileAgent(
            AgentConfig.defaults("bench").withCatalog(policy.catalog()),
            (FlowRecord r) ->
                distinct.add(
                    new byte[][] {
                      r.flowId().getBytes(StandardCharsets.UTF_8), RecordJson.toBytes(r)
                    }),
            new PipelineCounters())
        .read(List.of(capture));
    if (distinct.isEmpty()) {
      throw new UserError(capture + ": the pipeline made no flow records");
    }
    Map<String, Object> props = new KafkaSettings(bootstrapServers, Map.of()).producerProperties();
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    long bytes = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < count; i++) {
        byte[][] r = distinct.get(i % distinct.size());
        producer.send(new ProducerRecord<>(Topics.FLOWS, r[0], r[1]));
        bytes += r[1].length;
      }
      producer.flush();
    }
    return new Published(count, bytes, distinct.size());
  }

  /** A consumer of its own group that reads {@code count} records and does nothing with them. */
  Timing bareConsumer(long count) {
    Map<String, Object> props = new KafkaSettings(bootstrapServers, Map.of()).consumerProperties();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-bare-" + UUID.randomUUID());
    long read = 0;
    long t0 = 0;
    long checksum = 0;
    long deadline = System.nanoTime() + DEADLINE_NANOS;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(Topics.FLOWS));
      while (read < count && System.nanoTime() < deadline) {
        long before = System.nanoTime();
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(POLL);
        if (!batch.isEmpty() && t0 == 0) {
          t0 = before;
        }
        for (var r : batch) {
          checksum += r.value().length;
          read++;
        }
      }
      long nanos = System.nanoTime() - t0;
      if (checksum == 0) {
        throw new IllegalStateException("empty records");
      }
      return new Timing(read, nanos, 0, 0, "");
    }
  }

  /**
   * {@code instances} analyzers as the analyzer command builds them (Kafka Streams, exactly once),
   * with {@code threads} stream threads each, in one application, from the first record judged
   * until the application committed the end of the topic (every output of the run is then readable
   * by a read_committed consumer).
   */
  Timing analyzer(long count, int instances, int threads) throws Exception {
    KafkaSettings kafka = new KafkaSettings(bootstrapServers, streamsSettings);
    String group = "bench-analyzer-" + UUID.randomUUID();
    RuleEngine engine = new RuleEngine(policy);
    AnalyzerMetrics metrics = new AnalyzerMetrics(new SimpleMeterRegistry(), engine.protocols());
    AtomicLong read = new AtomicLong();
    AtomicLong alerts = new AtomicLong();
    AtomicLong migrations = new AtomicLong();
    AtomicLong t0 = new AtomicLong();
    StreamThreadFigures figures = new StreamThreadFigures();
    FlowObserver counting =
        new FlowObserver() {
          @Override
          public void onAlert(Alert alert) {
            alerts.incrementAndGet();
          }

          @Override
          public void onRecord(FlowRecord record, boolean migration, String protocol) {
            t0.compareAndSet(0, System.nanoTime());
            figures.onRecord();
            read.incrementAndGet();
            if (migration) {
              migrations.incrementAndGet();
            }
          }
        };
    Path state = Files.createTempDirectory("bench-analyzer-state");
    List<Analyzer> running = new ArrayList<>();
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      Map<TopicPartition, Long> end = endOffsets(admin);
      for (int i = 0; i < instances; i++) {
        // one engine per instance: each instance's stream thread owns its engine
        RuleEngine own = new RuleEngine(policy);
        Analyzer a =
            new Analyzer(
                AnalyzerConfig.defaults(kafka, group, state.resolve("i" + i))
                    .withStreamThreads(threads),
                () -> own,
                metrics,
                counting,
                List.of(),
                List.of(),
                null);
        running.add(a);
        a.start();
      }
      awaitCommitted(admin, group, end);
      long nanos = System.nanoTime() - t0.get();
      return new Timing(read.get(), nanos, alerts.get(), migrations.get(), figures.line(running));
    } finally {
      for (Analyzer a : running) {
        a.close();
      }
      try (var paths = Files.walk(state)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
    int n =
        admin
            .describeTopics(List.of(Topics.FLOWS))
            .allTopicNames()
            .get()
            .get(Topics.FLOWS)
            .partitions()
            .size();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < n; p++) {
      latest.put(new TopicPartition(Topics.FLOWS, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> end = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
    return end;
  }

  private static void awaitCommitted(Admin admin, String group, Map<TopicPartition, Long> end)
      throws Exception {
    long deadline = System.nanoTime() + DEADLINE_NANOS;
    while (System.nanoTime() < deadline) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      if (end.entrySet().stream()
          .allMatch(
              e ->
                  e.getValue() == 0
                      || (committed.get(e.getKey()) != null
                          && committed.get(e.getKey()).offset() >= e.getValue()))) {
        return;
      }
      Thread.sleep(20); // polling committed offsets until the deadline
    }
    throw new IllegalStateException(
        "the analyzer did not commit the end of " + Topics.FLOWS + " in time");
  }
}
