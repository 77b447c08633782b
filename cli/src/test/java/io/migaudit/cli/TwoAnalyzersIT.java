package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.publish.SourceHostPartitioner;
import io.migaudit.analyzer.alert.AlertPublisher;
import io.migaudit.analyzer.alert.MigrationEventPublisher;
import io.migaudit.analyzer.consume.FlowConsumer;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.record.Alert;
import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.ProducerSettings;
import io.migaudit.record.Counters;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Two analyzer instances in one consumer group over a six-partition flows topic, on a real broker:
 * together they produce exactly the alerts and migration events one instance alone produces from the
 * same records, each alert once, whether they start together or the second joins mid-stream (its
 * partitions then move from the first, which had judged part of them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class TwoAnalyzersIT {
  private static final int PARTITIONS = 6;
  private static final Duration DEADLINE = Duration.ofMinutes(2);

  private EmbeddedBroker broker;
  private Policy policy;
  private long published;
  /** What one instance alone wrote: alert ids, and the latest state of each event. */
  private Set<String> singleAlertIds;
  private Map<String, MigrationEvent> singleEvents;
  private Set<Integer> partitionsWithAlerts;
  /** A partition, and how many of its records the first instance judges before it moves. */
  private int movedPartition;
  private int judgedBeforeMove;
  /** The flow with records on both sides of the move, whose alert must not be raised twice. */
  private String straddlingFlow;

  @BeforeAll
  void publishSamplesAndJudgeThemWithOneInstance() throws Exception {
    broker = EmbeddedBroker.start();
    broker.createTopics(List.of(Topics.FLOWS), PARTITIONS);
    broker.createTopics(List.of(Topics.ALERTS, Topics.MIGRATIONS), 3);
    policy = PolicyLoader.load(SampleExpectation.SAMPLES.resolve("policy.yaml"));
    published = SamplePublisher.publishAll(broker.bootstrapServers(), policy);
    published += publishLongMigration();

    List<Alert> alerts = new ArrayList<>();
    List<MigrationEvent> events = new ArrayList<>();
    Map<String, Object> props = new KafkaSettings(broker.bootstrapServers(), Map.of()).consumerProperties();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "single");
    RuleEngine engine = new RuleEngine(policy);
    try (FlowConsumer single = new FlowConsumer(new KafkaConsumer<>(props), engine,
        List.of(AnalyzerInstance.alertsInto(alerts)), List.of(AnalyzerInstance.eventsInto(events)),
        new AnalyzerMetrics(new SimpleMeterRegistry(), engine.protocols()), FlowObserver.NONE)) {
      single.drainTo(single.endOffsets(DEADLINE), DEADLINE);
    }
    singleAlertIds = new HashSet<>();
    partitionsWithAlerts = new HashSet<>();
    alerts.forEach(a -> {
      singleAlertIds.add(a.alertId());
      partitionsWithAlerts.add(SourceHostPartitioner.partitionFor(a.src(), PARTITIONS));
    });
    assertThat(singleAlertIds).as("one instance raises each alert once").hasSameSizeAs(alerts);
    singleEvents = latest(events);
    Set<String> alertingFlows = new HashSet<>();
    alerts.forEach(a -> alertingFlows.add(a.flowId()));
    chooseWhereToMoveAPartition(readToEnd(Topics.FLOWS), alertingFlows);
    assertThat(singleEvents).isNotEmpty();
    // the test proves something only if the samples' source hosts spread over the partitions
    assertThat(partitionsWithAlerts).as("partitions holding alerting source hosts").hasSizeGreaterThanOrEqualTo(4);
  }

  /**
   * The samples' captures last seconds, so their flows have one record each (two at most): no flow
   * is long enough to be judged partly before and partly after a partition moves. This adds one, as
   * the agent reports a long migration: a copy of the first sample migration whose source host is
   * in partitions 0-2, a day later, with an interim record each second and a final one.
   */
  private long publishLongMigration() throws Exception {
    FlowRecord template = null;
    for (ConsumerRecord<byte[], byte[]> r : readToEnd(Topics.FLOWS)) {
      FlowRecord f = RecordJson.flowRecord(r.value());
      if (template == null && r.partition() < PARTITIONS / 2 && new RuleEngine(policy).evaluate(f).migration()
          && !new RuleEngine(policy).evaluate(f).alerts().isEmpty()) {
        template = f;
      }
    }
    assertThat(template).as("an alerting migration flow among the samples in partitions 0-2").isNotNull();
    Instant first = template.firstSeen().plus(Duration.ofDays(1));
    String flowId = FlowId.of(template.transport(), template.src(), template.srcPort(), template.dst(),
        template.dstPort(), template.vlan(), first);
    int records = 8;
    Map<String, Object> props = ProducerSettings.of(broker.bootstrapServers(), "it-long-migration", Map.of());
    try (FlowPublisher publisher = new FlowPublisher(new KafkaProducer<>(props))) {
      for (int seq = 0; seq < records; seq++) {
        boolean last = seq == records - 1;
        Counters up = new Counters(template.srcToDst().packets() * (seq + 1), template.srcToDst().bytes() * (seq + 1),
            template.srcToDst().payloadBytes() * (seq + 1));
        publisher.accept(new FlowRecord(template.schemaVersion(), template.agent(), template.iface(), flowId, seq,
            last, last ? template.endReason() : null, first, first.plusSeconds(seq + 1), template.vlan(),
            template.outerVlan(), template.encapsulation(), template.ipVersion(), template.transport(),
            template.src(), template.srcPort(), template.dst(), template.dstPort(), template.initiator(), up,
            template.dstToSrc(), template.tcpFlags(), template.protocol(), template.payload()));
      }
      publisher.flush();
    }
    return records;
  }

  /**
   * Picks the first alerting flow with more than one record in a partition that range assignment
   * moves to the second instance: the move happens right after its first record, so the second
   * instance judges its later ones and must know the alert was raised.
   */
  private void chooseWhereToMoveAPartition(List<ConsumerRecord<byte[], byte[]>> flows, Set<String> alertingFlows)
      throws Exception {
    Map<Integer, List<String>> flowIdsByPartition = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : flows) {
      flowIdsByPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>())
          .add(RecordJson.flowRecord(r.value()).flowId());
    }
    System.err.printf("TwoAnalyzersIT: %d flow records; per partition %s%n", published,
        flowIdsByPartition.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
            e -> e.getValue().size())));
    for (int p = 0; p < PARTITIONS / 2 && straddlingFlow == null; p++) {
      List<String> ids = flowIdsByPartition.getOrDefault(p, List.of());
      for (int i = 0; i < ids.size() && straddlingFlow == null; i++) {
        if (alertingFlows.contains(ids.get(i)) && ids.lastIndexOf(ids.get(i)) > i) {
          movedPartition = p;
          judgedBeforeMove = i + 1;
          straddlingFlow = ids.get(i);
        }
      }
    }
    assertThat(straddlingFlow).as("an alerting flow with several records in partitions 0-2 of the samples")
        .isNotNull();
  }

  @AfterAll
  void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void twoInstancesStartedTogetherRaiseEveryAlertAndEventExactlyOnce() throws Exception {
    List<MigrationEvent> events = Collections.synchronizedList(new ArrayList<>());
    String group = "pair";
    try (KafkaProducer<byte[], byte[]> producerA = producer("a"); KafkaProducer<byte[], byte[]> producerB = producer("b")) {
      // whichever joins first would judge the few sample records alone before the other is in the
      // group: it waits after its first record until the other asked to join
      Gate gate = new Gate(-1, 1);
      AnalyzerInstance a = new AnalyzerInstance("z-a", broker.bootstrapServers(), group, policy, PARTITIONS, events,
          List.of(new AlertPublisher(producerA)), List.of(new MigrationEventPublisher(producerA)), Map.of(), gate::on);
      gate.awaitPaused();
      AnalyzerInstance b = new AnalyzerInstance("a-b", broker.bootstrapServers(), group, policy, PARTITIONS, events,
          List.of(new AlertPublisher(producerB)), List.of(new MigrationEventPublisher(producerB)));
      try (a; b) {
        awaitRebalanceStarted(group);
        gate.release();
        awaitGroupAtEnd(group, () -> a.recordsJudged.get() > 0 && b.recordsJudged.get() > 0);
      } finally {
        gate.release();
      }
      assertBothWorkedAndTogetherRaisedExactlyTheSingleRunsAlerts(a, b);
    }
    assertThat(latest(events)).as("latest state of every migration event").isEqualTo(singleEvents);

    Map<String, Integer> onTopic = new HashMap<>();
    readToEnd(Topics.ALERTS).forEach(r -> onTopic.merge(alertId(r.value()), 1, Integer::sum));
    assertThat(onTopic.keySet()).as("alerts on " + Topics.ALERTS).isEqualTo(singleAlertIds);
    assertThat(onTopic.values()).as("each alert published once").containsOnly(1);
    Map<String, MigrationEvent> eventsOnTopic = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : readToEnd(Topics.MIGRATIONS)) {
      MigrationEvent e = RecordJson.migrationEvent(r.value());
      eventsOnTopic.put(e.eventId(), e); // keyed by eventId, so one partition holds an event in order
    }
    assertThat(eventsOnTopic).as("latest state of each event on " + Topics.MIGRATIONS).isEqualTo(singleEvents);
  }

  /**
   * The first instance judges, one record a poll, up to the first record of a flow that has more
   * records in its partition, and waits there until the second has asked to join; the rebalance
   * then moves that partition mid-flow. Range assignment (the consumer's default, pinned here) gives
   * partitions 0-2 to the member whose id sorts first, the second instance's.
   */
  @Test
  void aSecondInstanceJoiningMidStreamTakesOverPartitionsWithoutRepeatingAlerts() throws Exception {
    List<MigrationEvent> events = Collections.synchronizedList(new ArrayList<>());
    String group = "late-join";
    Map<String, Object> oneAtATime = Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1,
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
    Gate gate = new Gate(movedPartition, judgedBeforeMove);
    AnalyzerInstance first = new AnalyzerInstance("z-first", broker.bootstrapServers(), group, policy, PARTITIONS,
        events, List.of(), List.of(), oneAtATime, gate::on);
    AnalyzerInstance second;
    try (first) {
      gate.awaitPaused();
      second = new AnalyzerInstance("a-second", broker.bootstrapServers(), group, policy, PARTITIONS, events,
          List.of(), List.of(), oneAtATime, kafka -> FlowObserver.NONE);
      try (second) {
        awaitRebalanceStarted(group);
        gate.release();
        awaitGroupAtEnd(group, () -> second.recordsJudged.get() > 0);
      } finally {
        gate.release();
      }
    }
    assertThat(second.partitionsJudged).as("partitions the second instance took over").contains(movedPartition);
    assertThat(first.flowsJudged).contains(straddlingFlow);
    assertThat(second.flowsJudged).as("flows the second instance judged after the move").contains(straddlingFlow);
    Map<String, Integer> counts = new HashMap<>(first.alertIdCounts());
    second.alertIdCounts().forEach((id, n) -> counts.merge(id, n, Integer::sum));
    assertThat(counts.keySet()).as("alert ids of both instances").isEqualTo(singleAlertIds);
    assertThat(counts.values()).as("each alert id raised once across both").containsOnly(1);
    assertThat(latest(events)).as("latest state of every migration event").isEqualTo(singleEvents);
  }

  /** Waits until the group coordinator is rebalancing (a member asked to join). */
  private void awaitRebalanceStarted(String group) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    try (Admin admin = broker.admin()) {
      while (admin.describeConsumerGroups(List.of(group)).all().get().get(group).groupState()
          != GroupState.PREPARING_REBALANCE) {
        assertThat(System.nanoTime()).as("group " + group + " rebalancing").isLessThan(deadline);
        Thread.sleep(20); // polling the group state with a deadline
      }
    }
  }

  /**
   * Holds an instance between two batches once it judged its {@code count}-th record of {@code
   * partition} (any partition when negative), until {@link #release()}. On release it has the
   * instance's consumer rejoin the group at its next poll, as its next heartbeat (up to 3 s later)
   * would tell it to: otherwise it could judge the records it already fetched before rejoining.
   */
  private static final class Gate implements FlowObserver {
    final CountDownLatch paused = new CountDownLatch(1);
    private final CountDownLatch resume = new CountDownLatch(1);
    private final AtomicInteger seen = new AtomicInteger();
    private final int partition;
    private final int count;
    private Consumer<?, ?> consumer;

    Gate(int partition, int count) {
      this.partition = partition;
      this.count = count;
    }

    /** This gate for the instance whose consumer is {@code c}. */
    Gate on(Consumer<?, ?> c) {
      consumer = c;
      return this;
    }

    @Override
    public void onRecord(FlowRecord record, boolean migration, String protocol) {
      boolean counts = partition < 0 || SourceHostPartitioner.partitionFor(record.src(), PARTITIONS) == partition;
      if (counts && seen.incrementAndGet() == count) {
        paused.countDown();
        try {
          resume.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        consumer.enforceRebalance();
      }
    }

    void awaitPaused() throws InterruptedException {
      assertThat(paused.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("instance reached the gate").isTrue();
    }

    void release() {
      resume.countDown();
    }
  }

  private void assertBothWorkedAndTogetherRaisedExactlyTheSingleRunsAlerts(AnalyzerInstance a, AnalyzerInstance b) {
    assertThat(a.recordsJudged.get()).as("records judged by a").isPositive();
    assertThat(b.recordsJudged.get()).as("records judged by b").isPositive();
    assertThat(a.alerts).as("alerts by a").isNotEmpty();
    assertThat(b.alerts).as("alerts by b").isNotEmpty();
    Map<String, Integer> counts = new HashMap<>(a.alertIdCounts());
    b.alertIdCounts().forEach((id, n) -> counts.merge(id, n, Integer::sum));
    assertThat(counts.keySet()).as("alert ids of both instances").isEqualTo(singleAlertIds);
    assertThat(counts.values()).as("each alert id raised once across both").containsOnly(1);
  }

  /** Waits until the group committed the end of every flows partition and {@code worked} holds. */
  private void awaitGroupAtEnd(String group, BooleanSupplier worked) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    try (Admin admin = broker.admin()) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(Topics.FLOWS, p), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> end = new HashMap<>();
      admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        boolean atEnd = end.entrySet().stream().allMatch(e -> e.getValue() == 0
            || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue()));
        if (atEnd && worked.getAsBoolean()) {
          return;
        }
        assertThat(System.nanoTime()).as("group " + group + " committing " + end + "; now " + committed)
            .isLessThan(deadline);
        Thread.sleep(50); // polling committed offsets with a deadline
      }
    }
  }

  private KafkaProducer<byte[], byte[]> producer(String name) {
    Map<String, Object> p = new KafkaSettings(broker.bootstrapServers(), Map.of()).producerProperties();
    p.put("client.id", "analyzer-" + name);
    return new KafkaProducer<>(p);
  }

  private List<ConsumerRecord<byte[], byte[]>> readToEnd(String topic) {
    Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = c.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        assertThat(System.nanoTime()).as("reading " + topic + " to its end").isLessThan(deadline);
        c.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  private static String alertId(byte[] json) {
    try {
      return RecordJson.alert(json).alertId();
    } catch (RecordJson.MalformedRecordException e) {
      throw new AssertionError("not an alert on " + Topics.ALERTS, e);
    }
  }

  /** The latest state of each event among updates in the order they were written. */
  private static Map<String, MigrationEvent> latest(List<MigrationEvent> updates) {
    Map<String, MigrationEvent> latest = new HashMap<>();
    synchronized (updates) {
      updates.forEach(e -> latest.put(e.eventId(), e));
    }
    return latest;
  }
}
