package io.migaudit.analyzer.stream;

import io.migaudit.analyzer.AnalyzerConfig;
import io.migaudit.analyzer.consume.KafkaSettings;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The one place that builds the Kafka Streams settings of the analyzer. The user's client settings
 * (security.protocol, sasl.*, ssl.*, ...) pass through to every client; the settings the analyzer's
 * guarantees rest on are set here and win: exactly_once_v2, the configured stream threads (each
 * with its own rule engine and Kerberos memory), byte-array serdes.
 */
public final class StreamsSettings {
  /** Records per poll (Kafka's default is 500): fewer, larger transactions. */
  static final int MAX_POLL_RECORDS = 10_000;

  /** Bytes fetched per partition per request: about 5,000 flow records of ~800 bytes. */
  static final int MAX_PARTITION_FETCH_BYTES = 4 << 20;

  /** Client settings that name a single client or group: Kafka Streams derives its own. */
  private static final List<String> DROPPED =
      List.of(
          ConsumerConfig.GROUP_ID_CONFIG,
          ConsumerConfig.CLIENT_ID_CONFIG,
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
          ProducerConfig.ACKS_CONFIG,
          ConsumerConfig.ISOLATION_LEVEL_CONFIG,
          ProducerConfig.TRANSACTIONAL_ID_CONFIG);

  private StreamsSettings() {}

  /** The properties of the analyzer's {@code KafkaStreams}. */
  public static Properties of(AnalyzerConfig config) {
    Properties p = new Properties();
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), MAX_POLL_RECORDS);
    p.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
        MAX_PARTITION_FETCH_BYTES);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    for (Map.Entry<String, String> e : config.kafka().clientProperties().entrySet()) {
      if (!DROPPED.contains(e.getKey())) {
        p.put(e.getKey(), e.getValue());
      }
    }
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    // client ids "migaudit-analyzer-StreamThread-1-consumer", ...: the dashboards select on the
    // prefix
    p.put(StreamsConfig.CLIENT_ID_CONFIG, KafkaSettings.CONSUMER_CLIENT_ID);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
    p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
    p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    return p;
  }
}
