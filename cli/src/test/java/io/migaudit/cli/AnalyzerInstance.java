package io.migaudit.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.agent.publish.SourceHostPartitioner;
import io.migaudit.analyzer.alert.AlertSink;
import io.migaudit.analyzer.alert.MigrationEventSink;
import io.migaudit.analyzer.consume.FlowConsumer;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * One analyzer instance for tests, as {@code migaudit analyzer} runs it: a {@link FlowConsumer} with its
 * own Kafka consumer, rule engine and memory, in a consumer group, polling on a thread of its own until
 * stopped. Records what it judged (flow ids and, from their source host, partitions) and wrote.
 */
final class AnalyzerInstance implements AutoCloseable {
  final String name;
  /** Alerts this instance wrote. */
  final List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
  /** Partitions of the records this instance judged (not those it only re-read). */
  final Set<Integer> partitionsJudged = ConcurrentHashMap.newKeySet();
  /** Flow ids of the records this instance judged. */
  final Set<String> flowsJudged = ConcurrentHashMap.newKeySet();
  final AtomicInteger recordsJudged = new AtomicInteger();

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Thread thread;
  private volatile FlowConsumer consumer;

  /**
   * Starts polling.
   *
   * @param events where event updates go, shared by the instances of a test in the order written
   * @param more further sinks (e.g. Kafka publishers)
   */
  AnalyzerInstance(String name, String bootstrapServers, String group, Policy policy, int partitions,
      List<MigrationEvent> events, List<AlertSink> more, List<MigrationEventSink> moreEvents) {
    this(name, bootstrapServers, group, policy, partitions, events, more, moreEvents, Map.of(),
        kafka -> FlowObserver.NONE);
  }

  /**
   * As above, with consumer settings over the defaults and an observer, made for this instance's
   * Kafka consumer, called after its own bookkeeping (on its polling thread, which may use the
   * consumer; blocking it holds the instance between two batches).
   */
  AnalyzerInstance(String name, String bootstrapServers, String group, Policy policy, int partitions,
      List<MigrationEvent> events, List<AlertSink> more, List<MigrationEventSink> moreEvents,
      Map<String, Object> consumerSettings, Function<Consumer<byte[], byte[]>, FlowObserver> alsoFor) {
    this.name = name;
    Map<String, Object> props = new KafkaSettings(bootstrapServers, Map.of()).consumerProperties();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10); // small batches: the instances interleave
    props.putAll(consumerSettings);
    List<AlertSink> sinks = new ArrayList<>(more);
    sinks.add(alertsInto(alerts));
    List<MigrationEventSink> eventSinks = new ArrayList<>(moreEvents);
    eventSinks.add(eventsInto(events));
    KafkaConsumer<byte[], byte[]> kafka = new KafkaConsumer<>(props);
    FlowObserver also = alsoFor.apply(kafka);
    FlowObserver observer = new FlowObserver() {
      @Override
      public void onRecord(FlowRecord record, boolean migration, String protocol) {
        recordsJudged.incrementAndGet();
        flowsJudged.add(record.flowId());
        partitionsJudged.add(SourceHostPartitioner.partitionFor(record.src(), partitions));
        also.onRecord(record, migration, protocol);
      }
    };
    thread = new Thread(() -> {
      RuleEngine engine = new RuleEngine(policy);
      try (FlowConsumer flows = new FlowConsumer(kafka, engine, sinks, eventSinks,
          new AnalyzerMetrics(new SimpleMeterRegistry(), engine.protocols()), observer)) {
        consumer = flows;
        if (running.get()) {
          flows.run(running::get);
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "analyzer-" + name);
    thread.start();
  }

  /** Stops polling, closes the consumer (leaving the group) and rethrows what failed on its thread. */
  @Override
  public void close() throws Exception {
    running.set(false);
    FlowConsumer c = consumer;
    if (c != null) {
      c.wakeup();
    }
    thread.join();
    if (failure.get() != null) {
      throw new AssertionError("analyzer " + name + " failed", failure.get());
    }
  }

  /** A sink keeping the alerts written to it in {@code kept}, in order. */
  static AlertSink alertsInto(List<Alert> kept) {
    return new AlertSink() {
      @Override
      public void write(List<Alert> written) {
        kept.addAll(written);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  /** A sink keeping the event updates written to it in {@code kept}, in order. */
  static MigrationEventSink eventsInto(List<MigrationEvent> kept) {
    return new MigrationEventSink() {
      @Override
      public void write(List<MigrationEvent> written) {
        kept.addAll(written);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  /** Alert ids by how often this instance wrote them. */
  Map<String, Integer> alertIdCounts() {
    Map<String, Integer> counts = new HashMap<>();
    synchronized (alerts) {
      alerts.forEach(a -> counts.merge(a.alertId(), 1, Integer::sum));
    }
    return counts;
  }
}
