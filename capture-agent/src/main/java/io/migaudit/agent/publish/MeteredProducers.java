package io.migaudit.agent.publish;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.migaudit.record.FlowRecord;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Makes the agent's Kafka producers (a new one after each outage) with their client meters bound to
 * the registry; the meters of the previous producer are removed.
 */
public final class MeteredProducers
    implements Supplier<Producer<byte[], FlowRecord>>, AutoCloseable {
  private final Map<String, Object> settings;
  private final MeterRegistry registry;
  private KafkaClientMetrics meters;

  public MeteredProducers(Map<String, Object> settings, MeterRegistry registry) {
    this.settings = settings;
    this.registry = registry;
  }

  @Override
  public synchronized Producer<byte[], FlowRecord> get() {
    KafkaProducer<byte[], FlowRecord> producer = new KafkaProducer<>(settings);
    close();
    meters = new KafkaClientMetrics(producer);
    meters.bindTo(registry);
    return producer;
  }

  @Override
  public synchronized void close() {
    if (meters != null) {
      meters.close();
      meters = null;
    }
  }
}
