package io.migaudit.analyzer.stream;

import io.migaudit.analyzer.AnalyzerConfig;
import io.migaudit.analyzer.consume.FlowIntake;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.events.MigrationGrouper;
import io.migaudit.analyzer.events.StoredEventGrouper;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.rules.ClassifiedFlow;
import io.migaudit.analyzer.rules.Evaluation;
import io.migaudit.analyzer.rules.FlowKind;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RecordJson;
import io.migaudit.record.RecordKey;
import io.migaudit.record.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Judges each flow record of one partition (one task): reads and checks it ({@link FlowIntake}),
 * runs the rules, raises each (rule, connection) alert once by the {@link RaisedAlertStore}, groups
 * migrations into events ({@link StoredEventGrouper}), and forwards alerts and event updates to
 * their topics, all inside the task's transaction. Records of one migration flow from agents with
 * different clocks get one identity ({@link FlowIdentities}). Final records of Hyper-V migrations
 * wait in the {@link PendingJudgements} for the grace period, then CREDSSP_MIGRATION is judged. A
 * record that sets off an exception is counted ({@code error}) and skipped. Records of flows to a
 * KDC are also written to {@code migaudit.kerberos}, read back by every instance as a global table
 * ({@link KerberosTable}). Copies of Kerberos evidence sent by older agents feed the rules'
 * Kerberos memory and are never judged.
 */
final class FlowProcessor implements Processor<byte[], byte[], byte[], byte[]> {
  static final String ALERTS_SINK = "alerts";
  static final String EVENTS_SINK = "events";
  static final String KERBEROS_SINK = "kerberos";
  private static final int KERBEROS_PORT = 88;

  /**
   * Judgements this instance holds back at most before it judges flows that are no migration at
   * once: each waits in a store that every due check walks.
   */
  static final int MAX_WAITING = 10_000;

  private static final Duration EXPIRY_PERIOD = Duration.ofMinutes(1);
  private static final Duration MIN_JUDGE_PERIOD = Duration.ofMillis(100);
  private static final Duration MAX_JUDGE_PERIOD = Duration.ofSeconds(1);

  private final Supplier<RuleEngine> engines;
  private final AnalyzerMetrics metrics;
  private final FlowObserver observer;
  private final AnalyzerConfig config;
  private final Progress progress;
  private final boolean publishEvents;
  private final FlowIntake intake;
  private ProcessorContext<byte[], byte[]> context;
  private RaisedAlertStore raised;
  private StoredEventGrouper grouper;
  private PendingJudgements pending;
  private FlowIdentities identities;

  /**
   * No judgement before this wall-clock time: after a start, evidence in other partitions catches
   * up.
   */
  private long judgeNotBefore;

  FlowProcessor(
      Supplier<RuleEngine> engines,
      AnalyzerMetrics metrics,
      FlowObserver observer,
      AnalyzerConfig config,
      Progress progress,
      boolean publishEvents) {
    this.engines = engines;
    this.metrics = metrics;
    this.observer = observer;
    this.config = config;
    this.progress = progress;
    this.publishEvents = publishEvents;
    this.intake = new FlowIntake(config.maxCaptureLead(), config.recordKeys());
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    raised =
        new RaisedAlertStore(
            context.getStateStore(RaisedAlertStore.NAME), config.alertRetention().toMillis());
    grouper =
        new StoredEventGrouper(
            new StoreEventStorage(context.getStateStore(StoreEventStorage.NAME)),
            MigrationGrouper.DEFAULT_GAP,
            config.maxStreamsPerEvent(),
            config.eventIdle());
    pending =
        new PendingJudgements(context.getStateStore(PendingJudgements.NAME), progress.waiting);
    identities =
        new FlowIdentities(
            context.getStateStore(FlowIdentities.NAME), config.alertRetention().toMillis());
    progress.waiting.addAndGet(pending.size());
    KeyValueStore<String, byte[]> kerberos = context.getStateStore(KerberosTable.NAME);
    engines.get().shareKerberosEvidence(client -> KerberosTable.of(kerberos, client));
    Duration judgePeriod = config.judgeGrace().dividedBy(4);
    judgePeriod =
        judgePeriod.compareTo(MIN_JUDGE_PERIOD) < 0
            ? MIN_JUDGE_PERIOD
            : judgePeriod.compareTo(MAX_JUDGE_PERIOD) > 0 ? MAX_JUDGE_PERIOD : judgePeriod;
    // judgements whose grace ran out while no instance ran them wait one more grace period: the
    // Kerberos evidence other partitions hold is read again first
    judgeNotBefore = context.currentSystemTimeMs() + config.judgeGrace().toMillis();
    context.schedule(judgePeriod, PunctuationType.WALL_CLOCK_TIME, this::judgeDue);
    context.schedule(
        EXPIRY_PERIOD,
        PunctuationType.WALL_CLOCK_TIME,
        now -> {
          raised.expire(now);
          grouper.expire(now);
          identities.expire(now);
        });
  }

  /** The task moves or stops: its waiting judgements are no longer this instance's to count. */
  @Override
  public void close() {
    if (pending != null) {
      progress.waiting.addAndGet(-pending.size());
    }
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    Supplier<String> where = this::where; // for the log only: made when one is written
    FlowIntake.Read read =
        intake.authenticated(
            intake.read(record.value(), record.timestamp(), where),
            record.value(),
            signature(record),
            where);
    if (read.clamped()) {
      metrics.recordClamped();
    }
    if (read.heartbeat() != null) { // an agent's heartbeat: counted, never judged
      metrics.recordRead(read.outcome());
      observer.onHeartbeat(read.heartbeat());
      return;
    }
    if (read.record() == null) {
      skipped(read.outcome());
      return;
    }
    RuleEngine engine = engines.get();
    try {
      if (record.headers().lastHeader(Topics.EVIDENCE_COPY_HEADER) != null) {
        engine.preview(read.record());
        metrics.recordRead(AnalyzerMetrics.OUTCOME_EVIDENCE);
        return;
      }
      judge(read.record(), engine, record.timestamp());
    } catch (KafkaException e) {
      throw e; // Kafka's (a fenced producer, a moved task): the transaction aborts, the record
      // comes again
    } catch (RuntimeException e) {
      intake.failed(where.get(), e);
      skipped(AnalyzerMetrics.OUTCOME_ERROR);
    }
  }

  /**
   * An output record, signed with this analyzer's record key when it has one, so that the report
   * can tell its alerts and events from ones forged onto their topics.
   */
  private Record<byte[], byte[]> signed(byte[] key, byte[] value, long timestamp) {
    RecordHeaders headers = new RecordHeaders();
    if (config.recordKey() != null) {
      headers.add(RecordKey.HEADER, config.recordKey().sign(value));
    }
    return new Record<>(key, value, timestamp, headers);
  }

  /** The value's record signature (its {@link RecordKey#HEADER}), or null. */
  private static byte[] signature(Record<byte[], byte[]> record) {
    Header h = record.headers().lastHeader(RecordKey.HEADER);
    return h == null ? null : h.value();
  }

  /** Where the record being processed sits: topic-partition and offset. */
  private String where() {
    return context
        .recordMetadata()
        .map(m -> m.topic() + "-" + m.partition() + " offset " + m.offset())
        .orElse("?");
  }

  private void judge(FlowRecord record, RuleEngine engine, long timestamp) {
    long now = context.currentSystemTimeMs();
    // only migrations: their streams, events and alerts are what two agents must not split, and the
    // store then writes once per migration flow, not once per flow of the network
    ClassifiedFlow flow = classify(engine, record, now);
    FlowRecord r = flow.migration() ? identities.canonical(record, now) : record;
    if (r != record) {
      flow = classify(engine, r, now); // another agent's record of a known flow, as it is known
    }
    // per connection: the flows of one that forged closes split raise its alerts once
    RaisedAlertStore.Flow memory = raised.of(r.connectionId(), now);
    // judgements held back wait in a store: past its bound, a flood of empty connections is judged
    // at once (migrations are always held back, as CREDSSP_MIGRATION needs)
    boolean defer = flow.migration() || progress.waiting.get() < MAX_WAITING;
    Evaluation e = engine.evaluate(r, flow, memory, defer);
    StoredEventGrouper.Update update = e.migration() ? grouper.add(e.record(), now) : null;
    String eventId = update == null ? null : update.event().eventId();
    if (e.judgeLater()) {
      pending.put(e.record(), eventId, now + config.judgeGrace().toMillis());
    }
    memory.save();
    if (r.dstPort() == KERBEROS_PORT
        && ("udp".equals(r.transport()) || "tcp".equals(r.transport()))) {
      context.forward(
          new Record<>(KerberosTable.key(r), RecordJson.toBytes(r), timestamp), KERBEROS_SINK);
    }
    List<Alert> alerts =
        eventId == null
            ? e.alerts()
            : e.alerts().stream().map(a -> a.withEventId(eventId)).toList();
    alerts.forEach(a -> forward(a, timestamp));
    metrics.recordRead(AnalyzerMetrics.OUTCOME_OK);
    if (e.migration()) {
      metrics.migrationRecord(e.record());
    }
    observer.onRecord(e.record(), e.migration(), e.migration() ? e.flow().protocol() : null);
    if (update != null) {
      updated(update, timestamp);
    }
  }

  /** Publishes an event a record changed, and tells the metrics and the observer. */
  private void updated(StoredEventGrouper.Update update, long timestamp) {
    MigrationEvent event = update.event();
    if (publishEvents) {
      context.forward(
          signed(bytes(event.eventId()), RecordJson.toBytes(event), timestamp), EVENTS_SINK);
      progress.events.incrementAndGet();
    }
    observer.onMigrationEvent(event);
    if (update.endedNow()) {
      metrics.migrationEventEnded(event);
    }
    if (update.streamOmitted()) {
      metrics.streamOmitted();
    }
  }

  /**
   * The rules' view of a flow; and a TCP flow they take for no migration is one when it went to the
   * listener of an open QEMU migration between the same hosts ({@link
   * StoredEventGrouper#companionFamily}): QEMU's postcopy preempt channel, which has no magic and,
   * when the migration ends in precopy, carries nothing at all.
   */
  private ClassifiedFlow classify(RuleEngine engine, FlowRecord record, long now) {
    ClassifiedFlow flow = engine.classify(record);
    ClassifiedFlow channel = channel(flow, now);
    return channel == null ? flow : channel;
  }

  /** {@code flow} as a channel of an open QEMU migration, or null when it is none. */
  private ClassifiedFlow channel(ClassifiedFlow flow, long now) {
    FlowRecord record = flow.record();
    if (flow.kind() != FlowKind.OTHER || !"tcp".equals(record.transport())) {
      return null;
    }
    String family = grouper.companionFamily(record, now);
    return family == null
        ? null
        : new ClassifiedFlow(record.withProtocol(family), FlowKind.MIGRATION);
  }

  private void judgeDue(long now) {
    if (now < judgeNotBefore) {
      return;
    }
    List<PendingJudgements.Due> due = pending.takeDue(now);
    if (due.isEmpty()) {
      return;
    }
    RuleEngine engine = engines.get();
    for (PendingJudgements.Due d : due) {
      try {
        RaisedAlertStore.Flow memory = raised.of(d.record().connectionId(), now);
        ClassifiedFlow channel = channel(engine.classify(d.record()), now);
        if (channel != null) {
          judgeChannel(channel, engine, memory, now);
        } else {
          List<Alert> alerts = engine.judgeLater(d.record(), memory);
          alerts.forEach(a -> forward(d.eventId() == null ? a : a.withEventId(d.eventId()), now));
        }
        memory.save();
      } catch (KafkaException e) {
        throw e;
      } catch (RuntimeException e) {
        intake.failed("pending judgement of flow " + d.flowId(), e);
        metrics.recordRead(AnalyzerMetrics.OUTCOME_ERROR);
      }
    }
  }

  /**
   * A flow held back that turned out to be another channel of a migration (its main channel's
   * records came after its own): judged as a migration stream and added to the event.
   */
  private void judgeChannel(
      ClassifiedFlow channel, RuleEngine engine, RaisedAlertStore.Flow memory, long now) {
    Evaluation e = engine.evaluate(channel.record(), channel, memory, false);
    StoredEventGrouper.Update update = grouper.add(e.record(), now);
    String eventId = update.event().eventId();
    e.alerts().forEach(a -> forward(a.withEventId(eventId), now));
    metrics.migrationRecord(e.record());
    observer.onLateMigration(e.record(), e.flow().protocol());
    updated(update, now);
  }

  private void forward(Alert a, long timestamp) {
    context.forward(signed(bytes(a.alertId()), RecordJson.toBytes(a), timestamp), ALERTS_SINK);
    progress.alerts.incrementAndGet();
    metrics.alertRaised(a);
    observer.onAlert(a);
  }

  private void skipped(String outcome) {
    metrics.recordRead(outcome);
    observer.onMalformed(outcome);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
