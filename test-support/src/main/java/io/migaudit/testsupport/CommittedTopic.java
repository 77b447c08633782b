package io.migaudit.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads what an analyzer committed, as a downstream consumer would: {@code read_committed}, from
 * given offsets to the end; and waits for an application to commit the end of {@code
 * migaudit.flows}.
 */
public final class CommittedTopic {
  private static final Duration DEADLINE = Duration.ofMinutes(3);

  private CommittedTopic() {}

  /** The current end offsets of {@code topic}'s partitions. */
  public static Map<TopicPartition, Long> end(String bootstrapServers, String topic)
      throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      int n =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < n; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> end = new HashMap<>();
      admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
      return end;
    }
  }

  /**
   * The committed records of {@code topic} from {@code from} (missing partitions: from 0) to its
   * end.
   */
  public static List<ConsumerRecord<byte[], byte[]>> read(
      String bootstrapServers, String topic, Map<TopicPartition, Long> from) {
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ByteArrayDeserializer.class.getName(),
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions =
          c.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      c.assign(partitions);
      partitions.forEach(tp -> c.seek(tp, from.getOrDefault(tp, 0L)));
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        assertThat(System.nanoTime()).as("reading " + topic + " to its end").isLessThan(deadline);
        c.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** Alert ids among committed records of {@code migaudit.alerts}, by how often each appears. */
  public static Map<String, Integer> alertIdCounts(List<ConsumerRecord<byte[], byte[]>> records)
      throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      counts.merge(RecordJson.alert(r.value()).alertId(), 1, Integer::sum);
    }
    return counts;
  }

  /** The latest state of each event among committed records of {@code migaudit.migrations}. */
  public static Map<String, MigrationEvent> latestEvents(
      List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
    Map<String, MigrationEvent> latest = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      MigrationEvent e = RecordJson.migrationEvent(r.value());
      latest.put(
          e.eventId(), e); // keyed by eventId: one partition holds an event's updates in order
    }
    return latest;
  }

  /** Waits until {@code group} committed {@code end} of every partition of {@link Topics#FLOWS}. */
  public static void awaitCommitted(
      String bootstrapServers, String group, Map<TopicPartition, Long> end) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        boolean atEnd =
            end.entrySet().stream()
                .allMatch(
                    e ->
                        e.getValue() == 0
                            || (committed.get(e.getKey()) != null
                                && committed.get(e.getKey()).offset() >= e.getValue()));
        if (atEnd) {
          return;
        }
        assertThat(System.nanoTime())
            .as("group " + group + " committing " + end + "; now " + committed)
            .isLessThan(deadline);
        Thread.sleep(100); // polling committed offsets with a deadline
      }
    }
  }
}
