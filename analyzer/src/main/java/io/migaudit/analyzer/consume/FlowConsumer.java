package io.migaudit.analyzer.consume;

import io.migaudit.analyzer.alert.AlertSink;
import io.migaudit.analyzer.alert.MigrationEventSink;
import io.migaudit.analyzer.events.MigrationGrouper;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.rules.Evaluation;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads flow records from {@link Topics#FLOWS}, judges them with the {@link RuleEngine}, writes the
 * alerts to every sink, flushes the sinks and only then commits the batch's offsets. A malformed
 * record is counted, logged once per kind and skipped; it never stops the consumer. If a sink or
 * the commit fails, the consumer rewinds to the batch's first offsets and lets the engine raise the
 * batch's alerts again, then rethrows: nothing is lost, and repeats carry the same alert ids.
 *
 * <p>Migration records are also grouped into migration events ({@link MigrationGrouper}); each
 * alert about a migration names its event, and the latest state of every event a batch touched is
 * written to the event sinks, flushed with the alerts before the commit.
 *
 * <p>State across partitions: the engine's memory of raised alerts and the open migration events
 * belong to this instance. When a partition is assigned that the group judged before (a rebalance
 * moved it here, or the analyzer restarted), {@link PartitionRestore} first re-reads its recent
 * records into that memory without writing anything, so alerts stay exactly once and events keep
 * their earlier streams. Revoking a partition needs no flush: every batch is written and committed
 * before the next poll, the only place a rebalance happens; events of a revoked partition stay in
 * memory until they expire, inert unless the partition comes back.
 *
 * <p>Every record is read and checked by {@link FlowIntake} (a record larger than {@link
 * #MAX_RECORD_BYTES} is skipped unread, as malformed), and judged inside a guard: a record that sets
 * off an exception in a rule is counted as {@code error} and skipped, and the next one is judged.
 *
 * <p>Owns the Kafka consumer ({@link #close()} closes it) but not the sinks. Like the Kafka
 * consumer, it must be used from one thread; only {@link #wakeup()} may be called from another.
 */
public final class FlowConsumer implements AutoCloseable {
  /** How long {@link #run(BooleanSupplier)} waits in one poll. */
  public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(500);
  /** The largest flow record judged ({@link FlowIntake#MAX_RECORD_BYTES}). */
  public static final int MAX_RECORD_BYTES = FlowIntake.MAX_RECORD_BYTES;

  private final Consumer<byte[], byte[]> consumer;
  private final Supplier<RuleEngine> engines;
  private final List<AlertSink> sinks;
  private final AnalyzerMetrics metrics;
  private final FlowObserver observer;
  private final MigrationGrouper grouper = new MigrationGrouper();
  private final List<MigrationEventSink> eventSinks;
  private final FlowIntake intake = new FlowIntake();
  private final PartitionRestore restore;

  /**
   * What became of one Kafka record: an evaluation (with its migration event, if any), or the
   * outcome that made it skipped.
   */
  private record Outcome(String outcome, Evaluation evaluation, MigrationGrouper.Update update) {}

  /** Subscribes {@code consumer} to {@link Topics#FLOWS}; migration events go nowhere. */
  public FlowConsumer(Consumer<byte[], byte[]> consumer, RuleEngine engine, List<AlertSink> sinks,
      AnalyzerMetrics metrics, FlowObserver observer) {
    this(consumer, engine, sinks, List.of(), metrics, observer);
  }

  /** Subscribes {@code consumer} to {@link Topics#FLOWS}. */
  public FlowConsumer(Consumer<byte[], byte[]> consumer, RuleEngine engine, List<AlertSink> sinks,
      List<MigrationEventSink> eventSinks, AnalyzerMetrics metrics, FlowObserver observer) {
    this(consumer, () -> engine, sinks, eventSinks, metrics, observer);
  }

  /**
   * Subscribes {@code consumer} to {@link Topics#FLOWS}; each batch is judged by the engine {@code
   * engines} gives once it has been read (e.g. a {@code RuleEngineHolder}, for policy reloads).
   */
  public FlowConsumer(Consumer<byte[], byte[]> consumer, Supplier<RuleEngine> engines, List<AlertSink> sinks,
      List<MigrationEventSink> eventSinks, AnalyzerMetrics metrics, FlowObserver observer) {
    this.consumer = consumer;
    this.engines = engines;
    this.sinks = List.copyOf(sinks);
    this.eventSinks = List.copyOf(eventSinks);
    this.metrics = metrics;
    this.observer = observer;
    this.restore = new PartitionRestore(consumer, PartitionRestore.DEFAULT_WINDOW);
    consumer.subscribe(List.of(Topics.FLOWS), restore);
  }

  /** Polls once, judges the batch, writes and flushes alerts, commits; returns the records read. */
  public int pollOnce(Duration timeout) {
    ConsumerRecords<byte[], byte[]> batch = consumer.poll(timeout);
    if (batch.isEmpty()) {
      return 0;
    }
    // after the poll: a policy offered while it waited judges this batch, and the whole of it
    RuleEngine engine = engines.get();
    List<Parsed> parsed = new ArrayList<>(batch.count());
    for (ConsumerRecord<byte[], byte[]> r : batch) {
      parsed.add(parse(r));
    }
    // a batch comes partition by partition: correlating rules (Kerberos) see it all first
    parsed.stream().filter(p -> p.record() != null).forEach(p -> preview(p, engine));
    List<Outcome> outcomes = new ArrayList<>(batch.count());
    List<Alert> alerts = new ArrayList<>();
    Map<String, MigrationEvent> events = new LinkedHashMap<>();
    for (Parsed p : parsed) {
      if (restore.judgedBefore(p.kafkaRecord())) {
        remember(p, engine);
        continue;
      }
      Outcome o = p.record() == null ? p.skipped()
          : evidenceCopy(p.kafkaRecord()) ? new Outcome(AnalyzerMetrics.OUTCOME_EVIDENCE, null, null)
          : judgeGuarded(p, engine);
      outcomes.add(o);
      if (o.evaluation() != null) {
        alerts.addAll(o.evaluation().alerts());
      }
      if (o.update() != null) {
        events.put(o.update().event().eventId(), o.update().event());
      }
    }
    try {
      writeAll(alerts, List.copyOf(events.values()));
      consumer.commitSync(restore.commitOffsets(batch));
    } catch (RuntimeException e) {
      rewind(batch, e);
      engine.forget(alerts);
      throw e;
    }
    outcomes.forEach(this::report);
    return batch.count();
  }

  /**
   * Polls until this consumer's position reached {@code endOffsets} on every partition (partitions
   * with an end offset of 0 are already there), e.g. the end offsets taken after an agent finished.
   *
   * @throws DrainTimeoutException when {@code timeout} passes first
   */
  public void drainTo(Map<TopicPartition, Long> endOffsets, Duration timeout) {
    Drain drain = new Drain(consumer, endOffsets, timeout);
    while (!drain.reached()) {
      pollOnce(drain.nextPollTimeout(DEFAULT_POLL_TIMEOUT));
    }
  }

  /** The current end offsets of every partition of {@link Topics#FLOWS}. */
  public Map<TopicPartition, Long> endOffsets(Duration timeout) {
    List<TopicPartition> partitions = consumer.partitionsFor(Topics.FLOWS, timeout).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition()))
        .toList();
    return consumer.endOffsets(partitions, timeout);
  }

  /**
   * Service mode: polls until {@code keepRunning} turns false (call {@link #wakeup()} to hurry it).
   */
  public void run(BooleanSupplier keepRunning) {
    while (keepRunning.getAsBoolean()) {
      try {
        pollOnce(DEFAULT_POLL_TIMEOUT);
      } catch (WakeupException e) {
        if (keepRunning.getAsBoolean()) {
          throw e;
        }
      }
    }
  }

  /** Interrupts a blocking poll; safe to call from another thread (e.g. a shutdown hook). */
  public void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    consumer.close();
  }

  /** A Kafka record read: the flow record, or the outcome that made it skipped. */
  private record Parsed(ConsumerRecord<byte[], byte[]> kafkaRecord, FlowRecord record, Outcome skipped) {}

  private Parsed parse(ConsumerRecord<byte[], byte[]> r) {
    FlowIntake.Read read = intake.read(r.value(), r.timestamp(), where(r));
    if (read.clamped()) {
      metrics.recordClamped();
    }
    return new Parsed(r, read.record(), read.record() == null ? new Outcome(read.outcome(), null, null) : null);
  }

  private static String where(ConsumerRecord<?, ?> r) {
    return r.topic() + "-" + r.partition() + " offset " + r.offset();
  }

  /** Judges one record; an exception (a bug a record set off) skips the record, counted and logged once. */
  private Outcome judgeGuarded(Parsed p, RuleEngine engine) {
    try {
      return judge(p.record(), engine);
    } catch (RuntimeException e) {
      intake.failed(where(p.kafkaRecord()), e);
      return new Outcome(AnalyzerMetrics.OUTCOME_ERROR, null, null);
    }
  }

  private Outcome judge(FlowRecord record, RuleEngine engine) {
    Evaluation evaluation = engine.evaluate(record);
    if (!evaluation.migration()) {
      return new Outcome(AnalyzerMetrics.OUTCOME_OK, evaluation, null);
    }
    MigrationGrouper.Update update = grouper.add(evaluation.record());
    String eventId = update.event().eventId();
    List<Alert> named = evaluation.alerts().stream().map(a -> a.withEventId(eventId)).toList();
    return new Outcome(AnalyzerMetrics.OUTCOME_OK, new Evaluation(evaluation.flow(), named), update);
  }

  /**
   * Feeds a record an analyzer of the group judged before to this instance's memory (raised alerts,
   * open events) and writes nothing; a malformed one was counted when it was judged.
   */
  /**
   * A copy of another partition's record, sent here so this instance learns from it (Kerberos
   * requests; see {@link Topics#EVIDENCE_COPY_HEADER}): previewed with its batch, never judged.
   */
  private static boolean evidenceCopy(ConsumerRecord<byte[], byte[]> r) {
    return r.headers().lastHeader(Topics.EVIDENCE_COPY_HEADER) != null;
  }

  private void remember(Parsed p, RuleEngine engine) {
    if (p.record() == null || evidenceCopy(p.kafkaRecord())) {
      return; // skipped and counted by whoever judged it
    }
    try {
      Evaluation evaluation = engine.evaluate(p.record());
      if (evaluation.migration()) {
        grouper.add(evaluation.record());
      }
    } catch (RuntimeException e) {
      intake.failed(where(p.kafkaRecord()), e); // counted when it was judged
    }
  }

  private void preview(Parsed p, RuleEngine engine) {
    try {
      engine.preview(p.record());
    } catch (RuntimeException e) {
      intake.failed(where(p.kafkaRecord()), e); // its evaluation fails too, and is counted then
    }
  }

  private void writeAll(List<Alert> alerts, List<MigrationEvent> events) {
    if (!alerts.isEmpty()) {
      sinks.forEach(s -> s.write(alerts));
    }
    if (!events.isEmpty()) {
      eventSinks.forEach(s -> s.write(events));
    }
    sinks.forEach(AlertSink::flush);
    eventSinks.forEach(MigrationEventSink::flush);
  }

  private void rewind(ConsumerRecords<byte[], byte[]> batch, RuntimeException cause) {
    try {
      for (TopicPartition tp : batch.partitions()) {
        if (consumer.assignment().contains(tp)) {
          consumer.seek(tp, batch.records(tp).get(0).offset());
        }
      }
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  private void report(Outcome o) {
    metrics.recordRead(o.outcome());
    Evaluation e = o.evaluation();
    if (e == null) {
      if (!AnalyzerMetrics.OUTCOME_EVIDENCE.equals(o.outcome())) { // a copy is read, not skipped
        observer.onMalformed(o.outcome());
      }
      return;
    }
    if (e.migration()) {
      metrics.migrationRecord(e.record());
    }
    observer.onRecord(e.record(), e.migration(), e.migration() ? e.flow().protocol() : null);
    for (Alert a : e.alerts()) {
      metrics.alertRaised(a);
      observer.onAlert(a);
    }
    if (o.update() != null) {
      observer.onMigrationEvent(o.update().event());
      if (o.update().endedNow()) {
        metrics.migrationEventEnded(o.update().event());
      }
    }
  }
}
