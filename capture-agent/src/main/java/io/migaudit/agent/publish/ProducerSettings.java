package io.migaudit.agent.publish;

import io.migaudit.record.RecordKey;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The one place the agent's Kafka producer settings are built. */
public final class ProducerSettings {
  private ProducerSettings() {}

  /**
   * Producer properties: idempotent, {@code acks=all}, flow records as JSON on the partition of
   * their source host, plus the user's client settings (TLS, SASL, ...) passed through unchanged;
   * user settings win except for the serializers and the partitioner, which the analyzer relies on.
   */
  public static Map<String, Object> of(
      String bootstrapServers, String clientId, Map<String, ?> userSettings) {
    return of(bootstrapServers, clientId, userSettings, null);
  }

  /**
   * As {@link #of(String, String, Map)}; with {@code recordKey}, every value (flow records and
   * heartbeats alike) goes out signed with it ({@link RecordKey}).
   */
  public static Map<String, Object> of(
      String bootstrapServers, String clientId, Map<String, ?> userSettings, RecordKey recordKey) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // zstd: flow records are JSON with many repeated names; see BENCHMARKS.md ("Record cost")
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    // A send waits this long for metadata or buffer space before failing: the capture thread must
    // not stall for the default minute when Kafka is away (the record goes to the spool instead).
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.putAll(userSettings);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, FlowRecordSerializer.class.getName());
    p.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, SourceHostPartitioner.class.getName());
    p.remove(RecordKey.PRODUCER_CONFIG); // only the agent's own key, never one from a client file
    if (recordKey != null) {
      p.put(RecordKey.PRODUCER_CONFIG, recordKey);
    }
    return p;
  }
}
