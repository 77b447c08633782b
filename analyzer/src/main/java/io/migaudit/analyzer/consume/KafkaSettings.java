package io.migaudit.analyzer.consume;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The one place that builds the analyzer's Kafka client settings: the flow consumer's and the alert
 * producer's. User client properties (security.protocol, sasl.*, ssl.*, group.id, ...) pass through
 * unchanged over the defaults, except the few the analyzer's guarantees rest on (manual commits,
 * byte-array (de)serializers, acks=all with idempotence), which are refused if set otherwise.
 */
public final class KafkaSettings {
  public static final String DEFAULT_GROUP_ID = "migaudit-analyzer";
  public static final String CONSUMER_CLIENT_ID = "migaudit-analyzer";
  public static final String PRODUCER_CLIENT_ID = "migaudit-analyzer-alerts";

  /** Records per poll, so per output flush and commit (Kafka's default is 500). */
  public static final int MAX_POLL_RECORDS = 10_000;

  /**
   * Bytes fetched per partition per request: about 5,000 flow records of ~800 bytes (default 1
   * MiB).
   */
  public static final int MAX_PARTITION_FETCH_BYTES = 4 << 20;

  private static final Map<String, Object> CONSUMER_FIXED =
      Map.of(
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
  private static final Map<String, Object> PRODUCER_FIXED =
      Map.of(
          ProducerConfig.ACKS_CONFIG,
          "all",
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
          "true",
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          ByteArraySerializer.class.getName(),
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
          ByteArraySerializer.class.getName());

  /** {@code acks=-1} is the numeric spelling of {@code acks=all}. */
  private static final String ALL_REPLICAS_NUMERIC = "-1";

  private final Map<String, String> clientProperties;

  /**
   * @param bootstrapServers {@code host:port,...}; when null, {@code bootstrap.servers} must be
   *     among the client properties
   * @param clientProperties user settings passed to both clients
   * @throws IllegalArgumentException when no bootstrap servers are given, or a property the
   *     analyzer relies on is set to another value (the message says which and why)
   */
  public KafkaSettings(String bootstrapServers, Map<String, String> clientProperties) {
    Map<String, String> props = new HashMap<>(clientProperties);
    if (bootstrapServers != null) {
      props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }
    if (props.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) == null) {
      throw new IllegalArgumentException("no Kafka bootstrap servers given");
    }
    refuseOverrides(
        props,
        CONSUMER_FIXED,
        "the analyzer commits offsets itself, after its outputs are written");
    refuseOverrides(
        props,
        PRODUCER_FIXED,
        "alerts must be written once and acknowledged by all in-sync replicas");
    this.clientProperties = Map.copyOf(props);
  }

  /** The user's client settings as given (bootstrap servers included), for Kafka Streams. */
  public Map<String, String> clientProperties() {
    return clientProperties;
  }

  /** Settings of the flow consumer. */
  public Map<String, Object> consumerProperties() {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.GROUP_ID_CONFIG, DEFAULT_GROUP_ID);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, CONSUMER_CLIENT_ID);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Each batch costs a flush of the outputs and a synchronous commit, two broker round trips:
    // with Kafka's default of 500 records those, not the rules, bounded the analyzer
    // (BENCHMARKS.md).
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_PARTITION_FETCH_BYTES);
    p.putAll(clientProperties);
    p.putAll(CONSUMER_FIXED);
    PRODUCER_FIXED.keySet().forEach(p::remove);
    return p;
  }

  /**
   * Settings of an admin client named {@code clientId}: the user's client settings (security,
   * bootstrap servers) without what only a consumer takes.
   */
  public Map<String, Object> adminProperties(String clientId) {
    Map<String, Object> p = consumerProperties();
    for (String k :
        List.of(
            ConsumerConfig.GROUP_ID_CONFIG,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG)) {
      p.remove(k);
    }
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    return p;
  }

  /** Settings of the alert producer. */
  public Map<String, Object> producerProperties() {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.CLIENT_ID_CONFIG, PRODUCER_CLIENT_ID);
    p.putAll(clientProperties);
    p.putAll(PRODUCER_FIXED);
    CONSUMER_FIXED.keySet().forEach(p::remove);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.remove(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
    return p;
  }

  private static void refuseOverrides(
      Map<String, String> given, Map<String, Object> fixed, String why) {
    for (Map.Entry<String, Object> f : fixed.entrySet()) {
      String value = given.get(f.getKey());
      String normalized = value == null ? null : value.strip().replace(ALL_REPLICAS_NUMERIC, "all");
      if (value != null && !normalized.equalsIgnoreCase(f.getValue().toString())) {
        throw new IllegalArgumentException(f.getKey() + "=" + value + " is not allowed: " + why);
      }
    }
  }
}
