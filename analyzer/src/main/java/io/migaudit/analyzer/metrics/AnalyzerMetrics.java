package io.migaudit.analyzer.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.migaudit.analyzer.rules.RuleSeverities;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.RuleId;
import io.migaudit.record.Severity;
import io.migaudit.record.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The analyzer's meters (docs/DESIGN.md, "Metrics"), on an injected registry. Prometheus renders
 * them as {@code migaudit_migration_flows_total{protocol,verdict}}, {@code
 * migaudit_migration_bytes_total{protocol,verdict}}, {@code migaudit_alerts_total{rule,severity}},
 * {@code migaudit_alert_detection_delay_seconds{rule}} (a histogram) and {@code
 * migaudit_analyzer_records_total{outcome}}.
 *
 * <p>Counting: a migration flow is counted once, when its final record ({@code last == true})
 * arrives, under the verdict it settled on; flows whose final record never arrives (agent killed)
 * are not counted. Bytes are counted as they are reported, as the increase over the flow's previous
 * record, under the verdict known at that record: interim records give a live byte rate, and bytes
 * sent before the classifier decided are counted as {@code unknown}.
 *
 * <p>The record counters of every known outcome ({@link #KNOWN_OUTCOMES}), the alert counters of
 * every (rule, severity) pair the rules can raise ({@link RuleSeverities}) and the detection-delay
 * histogram of every rule exist from construction, at zero: Prometheus only sees an increase of a
 * series it has already scraped, so an alert rule on {@code increase(migaudit_alerts_total[5m])}
 * would miss the very first alert of a fresh analyzer if the counter were born at one.
 *
 * <p>Tags come from bounded sets only: protocols outside the set given at construction are counted
 * as {@value #OTHER_PROTOCOL}; verdicts, rules and severities are enums; outcomes are {@value
 * #OUTCOME_OK}, {@value #OUTCOME_EMPTY} or a {@code MalformedRecordException.kind()}.
 */
public final class AnalyzerMetrics {
  public static final String MIGRATION_FLOWS = "migaudit.migration.flows";
  public static final String MIGRATION_BYTES = "migaudit.migration.bytes";
  public static final String ALERTS = "migaudit.alerts";
  public static final String RECORDS = "migaudit.analyzer.records";

  /**
   * Migration events, counted once when all their streams have ended, under the protocol family and
   * the worst verdict of their streams: {@code migaudit_migration_events_total{protocol,verdict}}.
   */
  public static final String MIGRATION_EVENTS = "migaudit.migration.events";

  /**
   * Time to detect: an alert's {@code detectedAt} minus its flow's {@code firstSeen}, both in
   * capture time (the packet timestamps), so replaying a capture gives the same delays as seeing it
   * live.
   */
  public static final String DETECTION_DELAY = "migaudit.alert.detection.delay";

  /**
   * Names Micrometer's {@code KafkaClientMetrics} gives the Kafka clients' own metrics once bound
   * (the cli binds it to every consumer and producer): the largest lag of the consumer in records,
   * and the producer's records that failed to send. Rendered as {@code
   * kafka_consumer_fetch_manager_records_lag_max} and {@code kafka_producer_record_error_total},
   * with the bounded tags {@code client_id} and {@code kafka_version}.
   */
  public static final String KAFKA_CONSUMER_RECORDS_LAG_MAX =
      "kafka.consumer.fetch.manager.records.lag.max";

  public static final String KAFKA_PRODUCER_RECORD_ERRORS = "kafka.producer.record.error.total";

  /**
   * Policy reloads (SIGHUP or a change of the policy file) by outcome, {@value #RELOAD_APPLIED} or
   * {@value #RELOAD_REJECTED}: {@code migaudit_analyzer_policy_reloads_total{outcome}}.
   */
  public static final String POLICY_RELOADS = "migaudit.analyzer.policy.reloads";

  /**
   * When the policy in force was loaded, in seconds since the epoch (wall clock): {@code
   * migaudit_analyzer_policy_loaded_timestamp_seconds}. A rejected reload leaves it unchanged.
   */
  public static final String POLICY_LOADED = "migaudit.analyzer.policy.loaded.timestamp";

  /** Base unit of {@link #POLICY_LOADED}; Micrometer's {@code BaseUnits} has none for time. */
  private static final String SECONDS = "seconds";

  public static final String RELOAD_APPLIED = "applied";
  public static final String RELOAD_REJECTED = "rejected";

  public static final String TAG_PROTOCOL = "protocol";
  public static final String TAG_VERDICT = "verdict";
  public static final String TAG_RULE = "rule";
  public static final String TAG_SEVERITY = "severity";
  public static final String TAG_OUTCOME = "outcome";

  /** Outcome of a record that was read and judged. */
  public static final String OUTCOME_OK = "ok";

  /** Outcome of a Kafka record without a value (a tombstone). */
  public static final String OUTCOME_EMPTY = "empty";

  /** Outcome of a Kafka record too large to be a flow record, skipped unread. */
  public static final String OUTCOME_TOO_LARGE = "too-large";

  /** A copy of a record that belongs to another partition, kept as evidence and not judged. */
  public static final String OUTCOME_EVIDENCE = "evidence-copy";

  /** An agent's heartbeat ({@code AgentHeartbeat}): read, counted, not judged. */
  public static final String OUTCOME_HEARTBEAT = "heartbeat";

  /** A record with a field out of range, too long or missing (Kerberos requests included). */
  public static final String OUTCOME_FIELDS = "fields";

  /** A record whose judging failed with an exception: a bug, counted and skipped. */
  public static final String OUTCOME_ERROR = "error";

  /** A value without the record signature the analyzer's record keys require. */
  public static final String OUTCOME_UNSIGNED = "unsigned";

  /** A signed value whose signature is not that of the key of the agent it names. */
  public static final String OUTCOME_BAD_SIGNATURE = "bad-signature";

  /** Records whose capture times lay far ahead of their Kafka timestamp and were clamped to it. */
  public static final String CLAMPED = "migaudit.analyzer.records.clamped";

  /** Streams of migration events past the per-event cap, counted and not listed. */
  public static final String EVENT_STREAMS_OMITTED = "migaudit.migration.event.streams.omitted";

  /**
   * Every outcome a record can have: {@link #OUTCOME_OK}, {@link #OUTCOME_EMPTY}, {@link
   * #OUTCOME_TOO_LARGE}, and the kinds of {@code RecordJson.MalformedRecordException} ({@code
   * json}, {@code schema-version}, {@code fields}, the last also used by the consumer for records
   * missing a required field). Their counters exist from construction, at zero, so that an alert on
   * the first malformed record of a kind can fire.
   */
  public static final List<String> KNOWN_OUTCOMES =
      List.of(
          OUTCOME_OK,
          OUTCOME_EMPTY,
          "json",
          "schema-version",
          OUTCOME_FIELDS,
          OUTCOME_TOO_LARGE,
          OUTCOME_EVIDENCE,
          OUTCOME_ERROR,
          OUTCOME_HEARTBEAT,
          OUTCOME_UNSIGNED,
          OUTCOME_BAD_SIGNATURE);

  /** Protocol tag of a label that is not in the known set. */
  public static final String OTHER_PROTOCOL = "other";

  /**
   * Histogram buckets of {@link #DETECTION_DELAY}: interim records come every second of capture.
   */
  static final List<Duration> DETECTION_DELAY_BUCKETS =
      List.of(
          Duration.ofMillis(100),
          Duration.ofMillis(500),
          Duration.ofSeconds(1),
          Duration.ofSeconds(2),
          Duration.ofSeconds(5),
          Duration.ofSeconds(10),
          Duration.ofSeconds(30),
          Duration.ofSeconds(60),
          Duration.ofSeconds(120),
          Duration.ofSeconds(300));

  /** Live flows whose byte count is remembered between records. */
  public static final int DEFAULT_TRACKED_FLOWS = 100_000;

  private final MeterRegistry registry;
  private final Map<String, Counter> readCounters = new ConcurrentHashMap<>();
  private final Set<String> protocols;
  private final FlowByteDeltas byteDeltas;
  private final AtomicLong policyLoadedMillis = new AtomicLong();

  /**
   * @param registry where meters go (never the global registry)
   * @param protocols the protocol labels a migration may carry, e.g. {@code RuleEngine.protocols()}
   */
  public AnalyzerMetrics(MeterRegistry registry, Set<String> protocols) {
    this.registry = registry;
    this.protocols = Set.copyOf(protocols);
    this.byteDeltas = new FlowByteDeltas(DEFAULT_TRACKED_FLOWS);
    KNOWN_OUTCOMES.forEach(outcome -> recordRead(outcome, 0));
    clampedCounter();
    for (RuleId rule : RuleId.values()) {
      RuleSeverities.of(rule).forEach(severity -> alertCounter(rule, severity));
      detectionDelay(rule);
    }
  }

  /** Counts a stream left out of a migration event that listed its most streams already. */
  public void streamOmitted() {
    Counter.builder(EVENT_STREAMS_OMITTED)
        .description("Streams counted but not listed by full migration events")
        .register(registry)
        .increment();
  }

  /**
   * Counts a record whose capture times were clamped to its Kafka timestamp (it is still judged).
   */
  public void recordClamped() {
    clampedCounter().increment();
  }

  private Counter clampedCounter() {
    return Counter.builder(CLAMPED)
        .description("Flow records dated far ahead of their Kafka timestamp, clamped to it")
        .register(registry);
  }

  /** Counts one record read from Kafka with its outcome. */
  public void recordRead(String outcome) {
    recordRead(outcome, 1);
  }

  /** Counts a record of a migration flow; {@code record} carries the protocol label. */
  public void migrationRecord(FlowRecord record) {
    String protocol =
        record.protocol() != null && protocols.contains(record.protocol())
            ? record.protocol()
            : OTHER_PROTOCOL;
    String verdict = verdictOf(record.payload());
    long bytes = byteDeltas.add(record);
    if (bytes > 0) {
      bytesCounter(protocol, verdict).increment(bytes);
    }
    if (record.last()) {
      flowsCounter(protocol, verdict).increment();
    }
  }

  /**
   * Registers every migration series (protocol x verdict, a bounded set) at zero, so that a scrape
   * before any traffic gives Prometheus the baseline its increase() and rate() need: without it, a
   * series first seen at its final value (a replay faster than the scrape interval) shows no
   * increase at all.
   */
  public void startMigrationSeriesAtZero() {
    for (String protocol : protocols) {
      for (Verdict verdict : Verdict.values()) {
        bytesCounter(protocol, verdict.wire());
        flowsCounter(protocol, verdict.wire());
        eventsCounter(protocol, verdict.wire());
      }
    }
  }

  private Counter bytesCounter(String protocol, String verdict) {
    return Counter.builder(MIGRATION_BYTES)
        .description("Bytes of live-migration flows, both directions")
        .baseUnit(BaseUnits.BYTES)
        .tag(TAG_PROTOCOL, protocol)
        .tag(TAG_VERDICT, verdict)
        .register(registry);
  }

  private Counter flowsCounter(String protocol, String verdict) {
    return Counter.builder(MIGRATION_FLOWS)
        .description("Live-migration flows that ended, by their settled verdict")
        .tag(TAG_PROTOCOL, protocol)
        .tag(TAG_VERDICT, verdict)
        .register(registry);
  }

  private Counter eventsCounter(String protocol, String verdict) {
    return Counter.builder(MIGRATION_EVENTS)
        .description(
            "Migration events (parallel streams of one migration) that ended, by worst verdict")
        .tag(TAG_PROTOCOL, protocol)
        .tag(TAG_VERDICT, verdict)
        .register(registry);
  }

  /** Counts a migration event whose streams have all ended (once per event). */
  public void migrationEventEnded(MigrationEvent event) {
    String protocol =
        event.protocol() != null && protocols.contains(event.protocol())
            ? event.protocol()
            : OTHER_PROTOCOL;
    Verdict verdict = event.verdict() == null ? Verdict.UNKNOWN : event.verdict();
    eventsCounter(protocol, verdict.wire()).increment();
  }

  /**
   * Counts an alert written to the outputs and records its time to detect (none if either time is
   * missing; a negative delay, which only a clock step in the capture can give, counts as zero).
   */
  public void alertRaised(Alert alert) {
    alertCounter(alert.rule(), alert.severity()).increment();
    if (alert.firstSeen() != null && alert.detectedAt() != null) {
      Duration delay = Duration.between(alert.firstSeen(), alert.detectedAt());
      detectionDelay(alert.rule()).record(delay.isNegative() ? Duration.ZERO : delay);
    }
  }

  private Counter alertCounter(RuleId rule, Severity severity) {
    return Counter.builder(ALERTS)
        .description("Alerts raised, one per (rule, flow)")
        .tag(TAG_RULE, rule.name())
        .tag(TAG_SEVERITY, severity.wire())
        .register(registry);
  }

  private Timer detectionDelay(RuleId rule) {
    return Timer.builder(DETECTION_DELAY)
        .description(
            "Time from a flow's first packet to the record that raised its alert, in capture time")
        .tag(TAG_RULE, rule.name())
        .serviceLevelObjectives(DETECTION_DELAY_BUCKETS.toArray(Duration[]::new))
        .register(registry);
  }

  private void recordRead(String outcome, int count) {
    // looked up once per outcome (a handful): building and registering the id cost more per record
    // than the rules did (BENCHMARKS.md, "Analyzer throughput")
    readCounters
        .computeIfAbsent(
            outcome,
            o ->
                Counter.builder(RECORDS)
                    .description("Flow records read from Kafka, by outcome")
                    .tag(TAG_OUTCOME, o)
                    .register(registry))
        .increment(count);
  }

  /**
   * Counts a policy reload with its outcome ({@link #RELOAD_APPLIED} or {@link #RELOAD_REJECTED});
   * {@code 0} only registers the series, so that the first reload shows as an increase.
   */
  public void policyReload(String outcome, int count) {
    Counter.builder(POLICY_RELOADS)
        .description("Policy reloads (SIGHUP or file change), by outcome")
        .tag(TAG_OUTCOME, outcome)
        .register(registry)
        .increment(count);
  }

  /** Records when the policy now in force was loaded. */
  public void policyLoaded(Instant at) {
    policyLoadedMillis.set(at.toEpochMilli());
    Gauge.builder(POLICY_LOADED, policyLoadedMillis, millis -> millis.get() / 1000.0)
        .description("When the policy in force was loaded, seconds since the epoch")
        .baseUnit(SECONDS)
        .register(registry);
  }

  private static String verdictOf(PayloadFeatures payload) {
    Verdict v = payload == null || payload.verdict() == null ? Verdict.UNKNOWN : payload.verdict();
    return v.wire();
  }
}
