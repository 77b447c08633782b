package io.migaudit.analyzer.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.Verdict;
import java.util.Set;

/**
 * The analyzer's meters (DESIGN.md, "Metrics"), on an injected registry. Prometheus renders them as
 * {@code migaudit_migration_flows_total{protocol,verdict}}, {@code
 * migaudit_migration_bytes_total{protocol,verdict}}, {@code migaudit_alerts_total{rule,severity}}
 * and {@code migaudit_analyzer_records_total{outcome}}.
 *
 * <p>Counting: a migration flow is counted once, when its final record ({@code last == true})
 * arrives, under the verdict it settled on; flows whose final record never arrives (agent killed)
 * are not counted. Bytes are counted as they are reported, as the increase over the flow's previous
 * record, under the verdict known at that record: interim records give a live byte rate, and bytes
 * sent before the classifier decided are counted as {@code unknown}.
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

  public static final String TAG_PROTOCOL = "protocol";
  public static final String TAG_VERDICT = "verdict";
  public static final String TAG_RULE = "rule";
  public static final String TAG_SEVERITY = "severity";
  public static final String TAG_OUTCOME = "outcome";

  /** Outcome of a record that was read and judged. */
  public static final String OUTCOME_OK = "ok";
  /** Outcome of a Kafka record without a value (a tombstone). */
  public static final String OUTCOME_EMPTY = "empty";
  /** Protocol tag of a label that is not in the known set. */
  public static final String OTHER_PROTOCOL = "other";
  /** Live flows whose byte count is remembered between records. */
  public static final int DEFAULT_TRACKED_FLOWS = 100_000;

  private final MeterRegistry registry;
  private final Set<String> protocols;
  private final FlowByteDeltas byteDeltas;

  /**
   * @param registry where meters go (never the global registry)
   * @param protocols the protocol labels a migration may carry, e.g. {@code RuleEngine.protocols()}
   */
  public AnalyzerMetrics(MeterRegistry registry, Set<String> protocols) {
    this.registry = registry;
    this.protocols = Set.copyOf(protocols);
    this.byteDeltas = new FlowByteDeltas(DEFAULT_TRACKED_FLOWS);
    recordRead(OUTCOME_OK, 0);
  }

  /** Counts one record read from Kafka with its outcome. */
  public void recordRead(String outcome) {
    recordRead(outcome, 1);
  }

  /** Counts a record of a migration flow; {@code record} carries the protocol label. */
  public void migrationRecord(FlowRecord record) {
    String protocol = record.protocol() != null && protocols.contains(record.protocol())
        ? record.protocol() : OTHER_PROTOCOL;
    String verdict = verdictOf(record.payload());
    long bytes = byteDeltas.add(record);
    if (bytes > 0) {
      Counter.builder(MIGRATION_BYTES)
          .description("Bytes of live-migration flows, both directions")
          .baseUnit(BaseUnits.BYTES)
          .tag(TAG_PROTOCOL, protocol)
          .tag(TAG_VERDICT, verdict)
          .register(registry)
          .increment(bytes);
    }
    if (record.last()) {
      Counter.builder(MIGRATION_FLOWS)
          .description("Live-migration flows that ended, by their settled verdict")
          .tag(TAG_PROTOCOL, protocol)
          .tag(TAG_VERDICT, verdict)
          .register(registry)
          .increment();
    }
  }

  /** Counts an alert written to the outputs. */
  public void alertRaised(Alert alert) {
    Counter.builder(ALERTS)
        .description("Alerts raised, one per (rule, flow)")
        .tag(TAG_RULE, alert.rule().name())
        .tag(TAG_SEVERITY, alert.severity().wire())
        .register(registry)
        .increment();
  }

  private void recordRead(String outcome, int count) {
    Counter.builder(RECORDS)
        .description("Flow records read from Kafka, by outcome")
        .tag(TAG_OUTCOME, outcome)
        .register(registry)
        .increment(count);
  }

  private static String verdictOf(PayloadFeatures payload) {
    Verdict v = payload == null || payload.verdict() == null ? Verdict.UNKNOWN : payload.verdict();
    return v.wire();
  }
}
