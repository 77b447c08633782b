package io.migaudit.agent.live;

import io.migaudit.agent.publish.HeartbeatPublisher;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The live agent's heartbeats on Kafka: a {@link HeartbeatPublisher} on a producer of its own, made
 * from the flow producer's settings, beating every {@link HeartbeatPublisher#DEFAULT_INTERVAL}.
 */
public final class KafkaHeartbeats implements LiveAgent.Heartbeats {
  private final String agentId;
  private final Map<String, Object> producerSettings;

  /** Heartbeats of {@code agentId}, with the settings of its flow records' producer. */
  public KafkaHeartbeats(String agentId, Map<String, Object> flowProducerSettings) {
    this.agentId = agentId;
    this.producerSettings = HeartbeatPublisher.producerSettings(flowProducerSettings);
  }

  @Override
  public HeartbeatPublisher start(
      List<String> interfaces, LongSupplier packets, LongSupplier records) {
    HeartbeatPublisher beats =
        new HeartbeatPublisher(
            new KafkaProducer<byte[], byte[]>(producerSettings),
            agentId,
            interfaces,
            HeartbeatPublisher.DEFAULT_INTERVAL,
            Clock.systemUTC(),
            packets,
            records);
    beats.start();
    return beats;
  }
}
