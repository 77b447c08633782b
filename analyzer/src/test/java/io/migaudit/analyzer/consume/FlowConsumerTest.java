package io.migaudit.analyzer.consume;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.analyzer.alert.AlertSink;
import io.migaudit.analyzer.alert.MigrationEventSink;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.rules.Flows;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RuleId;
import io.migaudit.record.Topics;
import io.migaudit.record.Verdict;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class FlowConsumerTest {
  private static final TopicPartition P0 = new TopicPartition(Topics.FLOWS, 0);
  private static final TopicPartition P1 = new TopicPartition(Topics.FLOWS, 1);

  private final MockConsumer<byte[], byte[]> kafka = new MockConsumer<>("earliest");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RuleEngine engine = new RuleEngine(Flows.samplePolicy());
  private final RecordingSink sink = new RecordingSink();
  private final RecordingObserver observer = new RecordingObserver();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private FlowConsumer flows;

  /** Keeps what it was given and, at each flush, what the consumer had committed by then. */
  private final class RecordingSink implements AlertSink {
    final List<Alert> written = new ArrayList<>();
    final List<OffsetAndMetadata> committedAtFlush = new ArrayList<>();
    boolean failNextFlush;

    @Override
    public void write(List<Alert> alerts) {
      written.addAll(alerts);
    }

    @Override
    public void flush() {
      committedAtFlush.add(kafka.committed(Set.of(P0)).get(P0));
      if (failNextFlush) {
        failNextFlush = false;
        throw new UncheckedIOException(new java.io.IOException("disk full"));
      }
    }

    @Override
    public void close() {}
  }

  private static final class RecordingObserver implements FlowObserver {
    final List<String> records = new ArrayList<>();
    final List<RuleId> alerts = new ArrayList<>();
    final List<String> malformed = new ArrayList<>();

    @Override
    public void onRecord(FlowRecord record, boolean migration, String protocol) {
      records.add(record.dstPort() + ":" + migration + ":" + protocol);
    }

    @Override
    public void onAlert(Alert alert) {
      alerts.add(alert.rule());
    }

    @Override
    public void onMalformed(String kind) {
      malformed.add(kind);
    }
  }

  @BeforeEach
  void setUp() {
    flows = new FlowConsumer(kafka, engine, List.of(sink),
        new AnalyzerMetrics(registry, engine.protocols()), observer);
    log.start();
    ((Logger) LoggerFactory.getLogger(FlowIntake.class)).addAppender(log);
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger(FlowIntake.class)).detachAppender(log);
  }

  private void assign() {
    kafka.rebalance(List.of(P0));
    kafka.updateBeginningOffsets(Map.of(P0, 0L));
  }

  private void add(long offset, byte[] value) {
    kafka.addRecord(new ConsumerRecord<>(Topics.FLOWS, 0, offset, "k".getBytes(StandardCharsets.UTF_8), value));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] json(Flows.Builder f) {
    return bytes(f.json().toString());
  }

  private static Flows.Builder plaintextVmotion() {
    return flow("192.168.50.11", "192.168.50.12", 8000).verdict(Verdict.PLAINTEXT, "zeros");
  }

  private Long committed() {
    OffsetAndMetadata o = kafka.committed(Set.of(P0)).get(P0);
    return o == null ? null : o.offset();
  }

  private double records(String outcome) {
    var c = registry.find(AnalyzerMetrics.RECORDS).tag(AnalyzerMetrics.TAG_OUTCOME, outcome).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void subscribesToTheFlowsTopic() {
    assertThat(kafka.subscription()).containsExactly(Topics.FLOWS);
  }

  @Test
  void writesAndFlushesAlertsBeforeCommitting() {
    assign();
    add(0, json(plaintextVmotion().seq(0)));
    add(1, json(plaintextVmotion().seq(1)));
    add(2, json(plaintextVmotion().seq(2).last()));
    assertThat(flows.pollOnce(Duration.ZERO)).isEqualTo(3);
    assertThat(sink.written).extracting(Alert::rule).containsExactly(RuleId.UNENCRYPTED_MIGRATION);
    assertThat(sink.committedAtFlush).hasSize(1).containsOnlyNulls();
    assertThat(committed()).isEqualTo(3);
  }

  /** Keeps the event updates it was given. */
  private static final class RecordingEventSink implements MigrationEventSink {
    final List<MigrationEvent> written = new ArrayList<>();
    int flushes;

    @Override
    public void write(List<MigrationEvent> events) {
      written.addAll(events);
    }

    @Override
    public void flush() {
      flushes++;
    }

    @Override
    public void close() {}
  }

  @Test
  void parallelStreamsBecomeOneEventThatTheAlertsName() {
    RecordingEventSink events = new RecordingEventSink();
    flows = new FlowConsumer(kafka, engine, List.of(sink), List.of(events),
        new AnalyzerMetrics(registry, engine.protocols()), observer);
    assign();
    add(0, json(plaintextVmotion().srcPort(40001).seq(0)));
    add(1, json(flow("192.168.50.11", "192.168.50.12", 8000).srcPort(40002).verdict(Verdict.ENCRYPTED, "u")));
    add(2, json(flow("192.168.50.11", "192.168.50.12", 22).srcPort(40003)));
    flows.pollOnce(Duration.ZERO);
    String eventId = FlowId.eventId("vmotion", "192.168.50.11", "192.168.50.12", Flows.T0);
    assertThat(events.written).hasSize(1);
    MigrationEvent e = events.written.get(0);
    assertThat(e.eventId()).isEqualTo(eventId);
    assertThat(e.streams()).isEqualTo(2);
    assertThat(e.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(e.ended()).isFalse();
    assertThat(sink.written).filteredOn(a -> a.rule() == RuleId.UNENCRYPTED_MIGRATION)
        .extracting(Alert::eventId).containsExactly(eventId);
    assertThat(sink.written).filteredOn(a -> a.rule() == RuleId.SHARED_MIGRATION_SEGMENT)
        .extracting(Alert::eventId).containsOnlyNulls();
    assertThat(registry.find(AnalyzerMetrics.MIGRATION_EVENTS).counter()).isNull();

    add(3, json(plaintextVmotion().srcPort(40001).seq(1).last()));
    add(4, json(flow("192.168.50.11", "192.168.50.12", 8000).srcPort(40002).verdict(Verdict.ENCRYPTED, "u")
        .seq(1).last()));
    flows.pollOnce(Duration.ZERO);
    assertThat(events.written).hasSize(2);
    assertThat(events.written.get(1).ended()).isTrue();
    assertThat(events.flushes).isEqualTo(2);
    assertThat(registry.get(AnalyzerMetrics.MIGRATION_EVENTS).tag(AnalyzerMetrics.TAG_PROTOCOL, "vmotion")
        .tag(AnalyzerMetrics.TAG_VERDICT, "plaintext").counter().count()).isEqualTo(1);
  }

  @Test
  void anEvidenceCopyIsLearntFromButNeverJudged() {
    assign();
    ConsumerRecord<byte[], byte[]> copy = new ConsumerRecord<>(Topics.FLOWS, 0, 0,
        "k".getBytes(StandardCharsets.UTF_8), json(plaintextVmotion().seq(0).last()));
    copy.headers().add(Topics.EVIDENCE_COPY_HEADER, bytes(Topics.EVIDENCE_COPY_KERBEROS));
    kafka.addRecord(copy);
    assertThat(flows.pollOnce(Duration.ZERO)).isEqualTo(1);
    assertThat(sink.written).as("a copy of an unencrypted migration raises nothing").isEmpty();
    assertThat(records(AnalyzerMetrics.OUTCOME_EVIDENCE)).isEqualTo(1);
    assertThat(records(AnalyzerMetrics.OUTCOME_OK)).isZero();
    assertThat(observer.malformed).as("a copy is not a malformed record").isEmpty();
    assertThat(observer.records).as("nor a judged one").isEmpty();
    assertThat(committed()).isEqualTo(1);
    add(1, json(plaintextVmotion().seq(0).last()));
    flows.pollOnce(Duration.ZERO);
    assertThat(sink.written).as("the original is judged").extracting(Alert::rule)
        .containsExactly(RuleId.UNENCRYPTED_MIGRATION);
  }

  @Test
  void nothingPolledNothingDone() {
    assign();
    assertThat(flows.pollOnce(Duration.ZERO)).isZero();
    assertThat(sink.committedAtFlush).isEmpty();
    assertThat(committed()).isNull();
  }

  @Test
  void malformedRecordsAreCountedSkippedAndLoggedOncePerKind() {
    assign();
    ObjectNode noSrc = plaintextVmotion().json();
    noSrc.remove("src");
    add(0, bytes("not json"));
    add(1, bytes("{\"schemaVersion\": 99}"));
    add(2, bytes(noSrc.toString()));
    add(3, null);
    add(4, bytes("{broken"));
    add(5, json(plaintextVmotion()));
    assertThat(flows.pollOnce(Duration.ZERO)).isEqualTo(6);
    assertThat(records("json")).isEqualTo(2);
    assertThat(records("schema-version")).isEqualTo(1);
    assertThat(records("fields")).isEqualTo(1);
    assertThat(records("empty")).isEqualTo(1);
    assertThat(records("ok")).isEqualTo(1);
    assertThat(observer.malformed).containsExactly("json", "schema-version", "fields", "empty", "json");
    assertThat(sink.written).hasSize(1);
    assertThat(committed()).isEqualTo(6);
    assertThat(log.list).allMatch(e -> e.getLevel() == Level.WARN).hasSize(4);
    assertThat(log.list.get(2).getFormattedMessage()).contains("offset 2", "without src");
  }

  @Test
  void aFailedSinkRewindsSoTheBatchIsJudgedAgain() {
    assign();
    sink.failNextFlush = true;
    add(0, json(plaintextVmotion()));
    assertThatThrownBy(() -> flows.pollOnce(Duration.ZERO)).isInstanceOf(UncheckedIOException.class);
    assertThat(committed()).isNull();
    assertThat(kafka.position(P0)).isZero();
    assertThat(records("ok")).isZero();
    assertThat(observer.alerts).isEmpty();

    add(0, json(plaintextVmotion()));
    assertThat(flows.pollOnce(Duration.ZERO)).isEqualTo(1);
    assertThat(sink.written).hasSize(2);
    assertThat(sink.written.get(1).alertId()).isEqualTo(sink.written.get(0).alertId());
    assertThat(committed()).isEqualTo(1);
    assertThat(records("ok")).isEqualTo(1);
    assertThat(registry.get(AnalyzerMetrics.ALERTS).counter().count()).isEqualTo(1);
  }

  @Test
  void observerSeesEveryRecordAndAlert() {
    assign();
    add(0, json(plaintextVmotion()));
    add(1, json(flow("192.168.50.30", "192.168.50.12", 22)));
    add(2, json(flow("10.66.0.21", "10.66.0.22", 6600)));
    flows.pollOnce(Duration.ZERO);
    assertThat(observer.records).containsExactly("8000:true:vmotion", "22:false:null", "6600:true:hyperv");
    assertThat(observer.alerts).containsExactly(RuleId.UNENCRYPTED_MIGRATION,
        RuleId.SHARED_MIGRATION_SEGMENT);
  }

  @Test
  void migrationMetricsAreCounted() {
    assign();
    add(0, json(plaintextVmotion().bytes(4000).last()));
    flows.pollOnce(Duration.ZERO);
    assertThat(registry.get(AnalyzerMetrics.MIGRATION_FLOWS).tags("protocol", "vmotion", "verdict",
        "plaintext").counter().count()).isEqualTo(1);
    assertThat(registry.get(AnalyzerMetrics.MIGRATION_BYTES).counter().count()).isEqualTo(4000);
  }

  @Test
  void drainToPollsUntilEveryPartitionReachedItsEnd() {
    kafka.schedulePollTask(() -> {
      assign();
      add(0, json(plaintextVmotion()));
    });
    kafka.schedulePollTask(() -> add(1, json(flow("10.66.0.21", "10.66.0.22", 6600))));
    flows.drainTo(Map.of(P0, 2L, P1, 0L), Duration.ofSeconds(10));
    assertThat(kafka.position(P0)).isEqualTo(2);
    assertThat(committed()).isEqualTo(2);
    assertThat(observer.records).hasSize(2);
  }

  @Test
  void drainToGivesUpAtTheDeadlineSayingWhere() {
    assign();
    add(0, json(plaintextVmotion()));
    assertThatThrownBy(() -> flows.drainTo(Map.of(P0, 5L), Duration.ofMillis(200)))
        .isInstanceOf(DrainTimeoutException.class)
        .hasMessage("flow records not all consumed within PT0.2S: migaudit.flows-0 at offset 1 of 5");
    assertThat(committed()).isEqualTo(1);
  }

  @Test
  void drainToReportsUnassignedPartitions() {
    assertThatThrownBy(() -> flows.drainTo(Map.of(P1, 3L), Duration.ofMillis(100)))
        .isInstanceOf(DrainTimeoutException.class)
        .hasMessageContaining("migaudit.flows-1 not assigned yet (end offset 3)");
  }

  @Test
  void endOffsetsCoverEveryPartitionOfTheTopic() {
    kafka.updatePartitions(Topics.FLOWS, List.of(
        new PartitionInfo(Topics.FLOWS, 0, null, null, null),
        new PartitionInfo(Topics.FLOWS, 1, null, null, null)));
    kafka.updateEndOffsets(Map.of(P0, 7L, P1, 0L));
    assertThat(flows.endOffsets(Duration.ofSeconds(1))).isEqualTo(Map.of(P0, 7L, P1, 0L));
  }

  @Test
  void runPollsUntilToldToStop() {
    assign();
    add(0, json(plaintextVmotion()));
    AtomicInteger checks = new AtomicInteger();
    flows.run(() -> checks.incrementAndGet() <= 3);
    assertThat(checks).hasValue(4);
    assertThat(committed()).isEqualTo(1);
  }

  @Test
  void wakeupEndsRunWhenStopping() {
    assign();
    AtomicBoolean keepRunning = new AtomicBoolean(true);
    kafka.schedulePollTask(() -> {
      keepRunning.set(false);
      flows.wakeup();
    });
    flows.run(keepRunning::get);
    assertThat(keepRunning).isFalse();
  }

  @Test
  void wakeupWhileStillRunningIsRethrown() {
    assign();
    kafka.schedulePollTask(flows::wakeup);
    assertThatThrownBy(() -> flows.run(() -> true)).isInstanceOf(WakeupException.class);
  }

  @Test
  void closeClosesTheConsumer() {
    flows.close();
    assertThat(kafka.closed()).isTrue();
  }
}
