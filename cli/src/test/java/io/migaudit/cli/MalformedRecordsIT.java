package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.analyzer.AnalyzerInstance;
import io.migaudit.analyzer.consume.FlowIntake;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.cli.classify.SampleExpectation;
import io.migaudit.record.Alert;
import io.migaudit.record.RecordJson;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Topics;
import io.migaudit.testsupport.CommittedTopic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Malformed Kafka records on a real broker (issue 7): 5 MB records, bad JSON, another schema
 * version, missing fields and a tombstone are counted by kind, logged once per kind and skipped;
 * the consumer does not stop, and the sample migration published after them is judged as expected.
 */
class MalformedRecordsIT {
  @TempDir Path state;
  private static final int HUGE_BYTES = 5 * 1024 * 1024;
  private static final int TOPIC_LIMIT_BYTES = 8 * 1024 * 1024;
  private static final Duration DEADLINE = Duration.ofMinutes(2);
  private static final String SAMPLE = "vmotion-plaintext";

  @Test
  void badRecordsAreCountedLoggedOncePerKindAndSkippedWhileGoodOnesAreJudged() throws Exception {
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger consumerLog = (Logger) LoggerFactory.getLogger(FlowIntake.class);
    consumerLog.addAppender(log);
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      try (Admin admin = broker.admin()) {
        // the broker would refuse a 5 MB record under its default 1 MiB limit; a topic may allow
        // more
        admin
            .createTopics(
                List.of(
                    new NewTopic(Topics.ALERTS, 1, (short) 1),
                    new NewTopic(Topics.FLOWS, 1, (short) 1)
                        .configs(
                            Map.of(
                                TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                                Integer.toString(TOPIC_LIMIT_BYTES)))))
            .all()
            .get();
      }
      Policy policy = PolicyLoader.load(SampleExpectation.SAMPLES.resolve("policy.yaml"));
      sendRaw(
          broker,
          Arrays.asList(
              huge(),
              bytes("not json"),
              bytes("{\"schemaVersion\": 99}"),
              bytes("{\"schemaVersion\": " + SchemaVersion.CURRENT + "}"),
              null,
              huge()));
      long good =
          SamplePublisher.publish(
              broker.bootstrapServers(),
              policy,
              List.of(SampleExpectation.SAMPLES.resolve(SAMPLE).resolve("capture.pcap")));
      assertThat(good).isPositive();

      SimpleMeterRegistry registry;
      try (AnalyzerInstance analyzer =
          new AnalyzerInstance(
              "malformed",
              broker.bootstrapServers(),
              "malformed",
              policy,
              state,
              FlowObserver.NONE)) {
        analyzer.analyzer().awaitCaughtUp(DEADLINE);
        registry = analyzer.registry;
      }
      List<Alert> alerts = new ArrayList<>();
      for (var r : CommittedTopic.read(broker.bootstrapServers(), Topics.ALERTS, Map.of())) {
        alerts.add(RecordJson.alert(r.value()));
      }

      assertThat(count(registry, AnalyzerMetrics.OUTCOME_TOO_LARGE)).isEqualTo(2);
      assertThat(count(registry, "json")).isEqualTo(1);
      assertThat(count(registry, "schema-version")).isEqualTo(1);
      assertThat(count(registry, "fields")).isEqualTo(1);
      assertThat(count(registry, AnalyzerMetrics.OUTCOME_EMPTY)).isEqualTo(1);
      assertThat(count(registry, AnalyzerMetrics.OUTCOME_OK))
          .as("sample records judged")
          .isEqualTo(good);
      Map<String, Integer> actual = new TreeMap<>();
      alerts.forEach(a -> actual.merge(a.rule() + " " + a.severity().wire(), 1, Integer::sum));
      assertThat(actual)
          .as("alerts of " + SAMPLE + " after the bad records")
          .isEqualTo(SampleExpectation.read(SampleExpectation.SAMPLES.resolve(SAMPLE)).alerts());

      try (Admin admin = broker.admin()) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets("malformed").partitionsToOffsetAndMetadata().get();
        assertThat(committed.get(new TopicPartition(Topics.FLOWS, 0)).offset())
            .as("committed past every record")
            .isEqualTo(6 + good);
      }
    } finally {
      consumerLog.detachAppender(log);
    }
    List<String> warnings =
        log.list.stream()
            .filter(e -> e.getLevel() == Level.WARN)
            .map(ILoggingEvent::getFormattedMessage)
            .toList();
    assertThat(warnings).as("one warning per kind").hasSize(5);
    assertThat(warnings.get(0)).contains("offset 0", "(too-large)", HUGE_BYTES + 1 + " bytes");
    assertThat(warnings.get(4)).contains("offset 4", "(empty)");
  }

  private static double count(SimpleMeterRegistry registry, String outcome) {
    Counter c =
        registry.find(AnalyzerMetrics.RECORDS).tag(AnalyzerMetrics.TAG_OUTCOME, outcome).counter();
    return c == null ? 0 : c.count();
  }

  /** A 5 MB JSON object that claims the current schema version: parsing it would be wasted work. */
  private static byte[] huge() {
    byte[] value = new byte[HUGE_BYTES + 1];
    byte[] head = bytes("{\"schemaVersion\": " + SchemaVersion.CURRENT + ", \"agent\": \"");
    Arrays.fill(value, (byte) 'x');
    System.arraycopy(head, 0, value, 0, head.length);
    value[value.length - 2] = '"';
    value[value.length - 1] = '}';
    return value;
  }

  private static void sendRaw(EmbeddedBroker broker, List<byte[]> values) throws Exception {
    Map<String, Object> props =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            TOPIC_LIMIT_BYTES,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ByteArraySerializer.class.getName(),
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (byte[] v : values) {
        producer.send(new ProducerRecord<>(Topics.FLOWS, bytes("bad"), v)).get();
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
