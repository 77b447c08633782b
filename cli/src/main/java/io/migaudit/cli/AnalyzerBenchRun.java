package io.migaudit.cli;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.analyzer.alert.AlertPublisher;
import io.migaudit.analyzer.alert.MigrationEventPublisher;
import io.migaudit.analyzer.consume.FlowConsumer;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/** One analyzer benchmark on a broker: publishing the records, then timing each reader over them. */
final class AnalyzerBenchRun {
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long DEADLINE_NANOS = Duration.ofMinutes(10).toNanos();

  private final String bootstrapServers;
  private final Policy policy;

  /** What was published. */
  record Published(long records, long bytes, long distinct) {}

  /** One reader's pass over the published records. */
  record Timing(long records, long nanos, long alerts, long migrationRecords) {
    double perSecond() {
      return records * 1e9 / Math.max(1, nanos);
    }
  }

  AnalyzerBenchRun(String bootstrapServers, Policy policy) {
    this.bootstrapServers = bootstrapServers;
    this.policy = policy;
  }

  /** Runs the agent pipeline over {@code capture} and publishes its records, again and again, up to {@code count}. */
  Published publish(Path capture, int count) throws Exception {
    List<byte[][]> distinct = new ArrayList<>();
    CaptureAgent agent = new CaptureAgent(AgentConfig.defaults("bench").withCatalog(policy.catalog()),
        (FlowRecord r) -> distinct.add(new byte[][] {r.flowId().getBytes(StandardCharsets.UTF_8), RecordJson.toBytes(r)}),
        new PipelineCounters());
    try (PcapFileSource source = PcapFileSource.open(capture)) {
      agent.run(source, capture.toString(), EndReason.END_OF_CAPTURE);
    }
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
      return new Timing(read, nanos, 0, 0);
    }
  }

  /** The analyzer as the analyzer command builds it, reading {@code count} records. */
  Timing analyzer(long count) {
    KafkaSettings kafka = new KafkaSettings(bootstrapServers, Map.of());
    Map<String, Object> props = kafka.consumerProperties();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-analyzer-" + UUID.randomUUID());
    RuleEngine engine = new RuleEngine(policy);
    AnalyzerMetrics metrics = new AnalyzerMetrics(new SimpleMeterRegistry(), engine.protocols());
    long[] seen = new long[2];
    FlowObserver counting = new FlowObserver() {
      @Override
      public void onAlert(Alert alert) {
        seen[0]++;
      }

      @Override
      public void onRecord(FlowRecord record, boolean migration, String protocol) {
        if (migration) {
          seen[1]++;
        }
      }
    };
    long read = 0;
    long t0 = 0;
    long deadline = System.nanoTime() + DEADLINE_NANOS;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
        AlertPublisher alerts = new AlertPublisher(producer);
        FlowConsumer consumer = new FlowConsumer(new KafkaConsumer<>(props), engine, List.of(alerts),
            List.of(new MigrationEventPublisher(producer)), metrics, counting)) {
      while (read < count && System.nanoTime() < deadline) {
        long before = System.nanoTime();
        int n = consumer.pollOnce(POLL);
        if (n > 0 && t0 == 0) {
          t0 = before;
        }
        read += n;
      }
      long nanos = System.nanoTime() - t0;
      return new Timing(read, nanos, seen[0], seen[1]);
    }
  }
}
