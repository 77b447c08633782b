package io.migaudit.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** What reached {@link Topics#FLOWS}, held against what the agent produced. */
public final class TopicCheck {
  private TopicCheck() {}

  /** A flow record's identity: {@code flowId/seq}. */
  public static String id(FlowRecord r) {
    return r.flowId() + "/" + r.seq();
  }

  /**
   * Every record of the topic, in partition order, read until {@code expected} distinct ids are in.
   */
  public static List<ConsumerRecord<byte[], byte[]>> read(
      String bootstrap, int expected, Duration deadline) {
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ConsumerConfig.GROUP_ID_CONFIG,
            "topic-check-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ByteArrayDeserializer.class.getName(),
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(Topics.FLOWS));
      long end = System.nanoTime() + deadline.toNanos();
      int quietPolls = 0;
      while (System.nanoTime() < end && (ids.size() < expected || quietPolls < 3)) {
        var batch = consumer.poll(Duration.ofMillis(500));
        quietPolls = batch.isEmpty() ? quietPolls + 1 : 0;
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          records.add(r);
          ids.add(new String(r.key(), StandardCharsets.UTF_8) + "/" + seqOf(r));
        }
      }
    }
    return records;
  }

  private static long seqOf(ConsumerRecord<byte[], byte[]> r) {
    try {
      return RecordJson.flowRecord(r.value()).seq();
    } catch (RecordJson.MalformedRecordException e) {
      throw new AssertionError("not a flow record on " + Topics.FLOWS + ": " + e.getMessage(), e);
    }
  }

  /**
   * The topic holds exactly the produced records: the same set of {@code (flowId, seq)}, each copy
   * byte-identical to the produced record's JSON (so a repeat is only a repeat), and per flow the
   * first copies in the agent's order. Returns the number of repeated copies.
   */
  public static int assertDeliveredExactly(
      String bootstrap, List<FlowRecord> produced, Duration deadline) throws Exception {
    Map<String, byte[]> expected = new LinkedHashMap<>();
    for (FlowRecord r : produced) {
      assertThat(expected.put(id(r), RecordJson.toBytes(r)))
          .as("the agent produced " + id(r) + " once")
          .isNull();
    }
    List<ConsumerRecord<byte[], byte[]>> got = read(bootstrap, expected.size(), deadline);
    Map<String, Long> lastSeqOfFlow = new HashMap<>();
    Map<String, Integer> copies = new HashMap<>();
    int repeats = 0;
    for (ConsumerRecord<byte[], byte[]> c : got) {
      FlowRecord r = RecordJson.flowRecord(c.value());
      String id = id(r);
      assertThat(expected).as("delivered " + id + " was produced").containsKey(id);
      assertThat(new String(c.value(), StandardCharsets.UTF_8))
          .as("copy of " + id)
          .isEqualTo(new String(expected.get(id), StandardCharsets.UTF_8));
      int n = copies.merge(id, 1, Integer::sum);
      if (n > 1) {
        repeats++;
        continue;
      }
      Long before = lastSeqOfFlow.put(r.flowId(), r.seq());
      assertThat(before == null || before < r.seq())
          .as("first copies of flow " + r.flowId() + " in order: " + before + " then " + r.seq())
          .isTrue();
    }
    assertThat(copies.keySet())
        .as("every produced (flowId, seq) delivered")
        .containsExactlyInAnyOrderElementsOf(expected.keySet());
    System.out.printf(
        "TopicCheck: %d produced, %d delivered copies, %d distinct, %d repeats%n",
        produced.size(), got.size(), copies.size(), repeats);
    return repeats;
  }
}
