package io.migaudit.testsupport;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes raw bytes to a topic as a test's own producer: records an agent would not write (hostile,
 * malformed, hand-made JSON), each acknowledged before the next is sent, so their order on a
 * partition is the order given.
 */
public final class TopicWriter {
  private TopicWriter() {}

  /** A producer of byte keys and values to {@code bootstrapServers}; the caller closes it. */
  public static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
    return new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  /** Sends {@code records} one by one, each acknowledged before the next. */
  public static void send(String bootstrapServers, List<ProducerRecord<byte[], byte[]>> records)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrapServers)) {
      for (ProducerRecord<byte[], byte[]> r : records) {
        producer.send(r).get();
      }
    }
  }
}
