package io.migaudit.cli;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.migaudit.analyzer.alert.AlertPublisher;
import io.migaudit.analyzer.alert.AlertSink;
import io.migaudit.analyzer.alert.AlertWriter;
import io.migaudit.analyzer.alert.MigrationEventPublisher;
import io.migaudit.analyzer.alert.MigrationEventSink;
import io.migaudit.analyzer.consume.FlowConsumer;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyException;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code migaudit analyzer}: the long-running consumer that judges flow records and raises alerts. */
@Command(
    name = "analyzer",
    mixinStandardHelpOptions = true,
    description = {
        "Consumes flow records from " + Topics.FLOWS + " as a member of a consumer group, applies the",
        "policy, publishes alerts to " + Topics.ALERTS + " (and JSON lines with --alerts) and migration",
        "events to " + Topics.MIGRATIONS + " (when that topic exists), and serves",
        "Prometheus metrics on /metrics and a health check on /healthz. Offsets are committed only",
        "after alerts are written. Runs until SIGTERM or Ctrl-C. Start more instances with the same",
        "--group-id to share the topic's partitions."},
    footer = {"", "Example:",
        "  ./migaudit analyzer --bootstrap-servers kafka1:9092 --policy /etc/migaudit/policy.yaml"})
final class AnalyzerCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(AnalyzerCommand.class);

  @Option(names = "--policy", paramLabel = "FILE", required = true, description = "Policy YAML.")
  Path policyFile;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", required = true,
      description = "Kafka cluster to read flow records from and write alerts to.")
  String bootstrapServers;

  @Option(names = "--kafka-config", paramLabel = "FILE",
      description = "Kafka client properties (security.protocol, ssl.*, sasl.*, ...) passed through unchanged.")
  Path kafkaConfig;

  @Option(names = "--group-id", paramLabel = "ID", defaultValue = KafkaSettings.DEFAULT_GROUP_ID,
      description = "Consumer group (default: ${DEFAULT-VALUE}).")
  String groupId;

  @Option(names = "--alerts", paramLabel = "FILE", description = "Also append alerts as JSON lines to FILE.")
  Path alertsFile;

  @Option(names = "--metrics-address", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9465",
      description = "Where /metrics and /healthz listen (default: ${DEFAULT-VALUE}; loopback only).")
  String metricsAddress;

  @Option(names = "--verbose", description = "Print stack traces of errors.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Policy policy;
    try {
      policy = PolicyLoader.load(policyFile);
    } catch (PolicyException e) {
      throw new UserError(e.getMessage(), e);
    }
    Map<String, String> clientSettings = KafkaClientConfig.load(kafkaConfig);
    KafkaSettings kafka;
    try {
      kafka = new KafkaSettings(bootstrapServers, clientSettings);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage(), e);
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicBoolean running = new AtomicBoolean(true);
    CountDownLatch stopped = new CountDownLatch(1);
    List<AlertSink> sinks = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties());
        KafkaClientMetrics producerMeters = Replay.bound(new KafkaClientMetrics(producer), registry);
        MetricsServer ignored = MetricsServer.start(metricsAddress, registry, running::get)) {
      sinks.add(new AlertPublisher(producer));
      if (alertsFile != null) {
        sinks.add(AlertWriter.append(alertsFile));
      }
      Map<String, Object> consumerProps = kafka.consumerProperties();
      consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
      RuleEngine engine = new RuleEngine(policy);
      AnalyzerMetrics metrics = new AnalyzerMetrics(registry, engine.protocols());
      KafkaConsumer<byte[], byte[]> kafkaConsumer = new KafkaConsumer<>(consumerProps);
      List<MigrationEventSink> eventSinks = new ArrayList<>();
      if (Replay.topicExists(kafka, Topics.MIGRATIONS)) {
        eventSinks.add(new MigrationEventPublisher(producer));
      } else {
        LOG.warn("topic {} does not exist: migration events are not published (create it to get them)",
            Topics.MIGRATIONS);
      }
      FlowConsumer consumer = new FlowConsumer(kafkaConsumer, engine, sinks, eventSinks, metrics,
          FlowObserver.NONE);
      Thread hook = new Thread(() -> {
        running.set(false);
        consumer.wakeup();
        awaitQuietly(stopped);
      }, "migaudit-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      LOG.warn("analyzer consuming {} as group {} with policy {} (encryption {})", Topics.FLOWS, groupId,
          policyFile, policy.encryption());
      try (consumer;
          KafkaClientMetrics consumerMeters = Replay.bound(new KafkaClientMetrics(kafkaConsumer), registry)) {
        consumer.run(running::get);
      } finally {
        try {
          for (AlertSink s : sinks) {
            s.close();
          }
        } finally {
          // even when a sink fails to close: the shutdown hook waits for this, and so does JVM exit
          stopped.countDown();
        }
      }
    }
    return 0;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
