package io.migaudit.analyzer.metrics;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.analyzer.rules.Flows;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Verdict;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AnalyzerMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RuleEngine engine = new RuleEngine(Flows.samplePolicy());
  private final AnalyzerMetrics metrics = new AnalyzerMetrics(registry, engine.protocols());

  /**
   * The name Micrometer's Prometheus registry exposes: snake case, the base unit appended unless
   * already there, and {@code _total} for counters (PrometheusNamingConvention).
   */
  private static String prometheusName(Meter.Id id) {
    String name = NamingConvention.snakeCase.name(id.getName(), id.getType(), id.getBaseUnit());
    if (id.getBaseUnit() != null && !name.endsWith("_" + id.getBaseUnit())) {
      name += "_" + id.getBaseUnit();
    }
    return id.getType() == Meter.Type.COUNTER && !name.endsWith("_total") ? name + "_total" : name;
  }

  private FlowRecord labelled(FlowRecord r) {
    return engine.evaluate(r).record();
  }

  private double flows(String protocol, String verdict) {
    var c = registry.find(AnalyzerMetrics.MIGRATION_FLOWS).tags("protocol", protocol, "verdict", verdict)
        .counter();
    return c == null ? 0 : c.count();
  }

  private double bytes(String protocol, String verdict) {
    var c = registry.find(AnalyzerMetrics.MIGRATION_BYTES).tags("protocol", protocol, "verdict", verdict)
        .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void prometheusNamesAndTagsMatchTheContract() {
    var evaluation = engine.evaluate(
        flow("10.1.1.1", "10.1.1.2", 8000).verdict(Verdict.PLAINTEXT, "z").last().build());
    metrics.migrationRecord(evaluation.record());
    evaluation.alerts().forEach(metrics::alertRaised);
    metrics.recordRead("json");
    Set<String> rendered = registry.getMeters().stream()
        .map(m -> prometheusName(m.getId()) + m.getId().getTags().stream().map(t -> t.getKey())
            .sorted().collect(Collectors.joining(",", "{", "}")))
        .collect(Collectors.toSet());
    assertThat(rendered).containsExactlyInAnyOrder(
        "migaudit_migration_flows_total{protocol,verdict}",
        "migaudit_migration_bytes_total{protocol,verdict}",
        "migaudit_alerts_total{rule,severity}",
        "migaudit_analyzer_records_total{outcome}");
  }

  @Test
  void aFlowIsCountedOnceOnItsFinalRecordWithItsSettledVerdict() {
    Flows.Builder f = flow("192.168.50.11", "192.168.50.12", 8000);
    metrics.migrationRecord(labelled(f.seq(0).build()));
    metrics.migrationRecord(labelled(f.seq(1).verdict(Verdict.PLAINTEXT, "z").build()));
    assertThat(flows("vmotion", "plaintext")).isZero();
    metrics.migrationRecord(labelled(f.seq(2).last().build()));
    assertThat(flows("vmotion", "plaintext")).isEqualTo(1);
    assertThat(flows("vmotion", "unknown")).isZero();
  }

  @Test
  void bytesAreCountedOnceAcrossInterimRecordsAndRedeliveries() {
    Flows.Builder f = flow("192.168.50.11", "192.168.50.12", 8000).verdict(Verdict.ENCRYPTED, "uniform");
    metrics.migrationRecord(labelled(f.seq(0).bytes(1_000).build()));
    metrics.migrationRecord(labelled(f.seq(1).bytes(5_000).build()));
    metrics.migrationRecord(labelled(f.seq(1).bytes(5_000).build()));
    metrics.migrationRecord(labelled(f.seq(2).bytes(12_000).last().build()));
    assertThat(bytes("vmotion", "encrypted")).isEqualTo(12_000);
  }

  @Test
  void bytesGoToTheVerdictKnownWhenReported() {
    Flows.Builder f = flow("192.168.50.11", "192.168.50.12", 8000);
    metrics.migrationRecord(labelled(f.seq(0).bytes(1_000).build()));
    metrics.migrationRecord(labelled(f.seq(1).bytes(9_000).verdict(Verdict.PLAINTEXT, "z").last().build()));
    assertThat(bytes("vmotion", "unknown")).isEqualTo(1_000);
    assertThat(bytes("vmotion", "plaintext")).isEqualTo(8_000);
  }

  @Test
  void aFlowSeenOnlyByItsFinalRecordCountsAllItsBytes() {
    metrics.migrationRecord(labelled(flow("10.66.0.21", "10.66.0.22", 6600).bytes(7_000).last().build()));
    assertThat(bytes("hyperv", "unknown")).isEqualTo(7_000);
    assertThat(flows("hyperv", "unknown")).isEqualTo(1);
  }

  @Test
  void unknownProtocolLabelsAreBoundedToOther() {
    metrics.migrationRecord(flow("10.0.0.1", "10.0.0.2", 1234).protocol("made-up-1234").last().build());
    assertThat(flows(AnalyzerMetrics.OTHER_PROTOCOL, "unknown")).isEqualTo(1);
    assertThat(registry.find(AnalyzerMetrics.MIGRATION_FLOWS).tag("protocol", "made-up-1234").counter())
        .isNull();
  }

  @Test
  void alertsAreCountedByRuleAndSeverity() {
    for (Alert a : engine.evaluate(flow("10.1.1.1", "10.1.1.2", 8000)
        .verdict(Verdict.PLAINTEXT, "z").build()).alerts()) {
      metrics.alertRaised(a);
    }
    assertThat(registry.get(AnalyzerMetrics.ALERTS).tags("rule", "UNENCRYPTED_MIGRATION", "severity",
        "critical").counter().count()).isEqualTo(1);
    assertThat(registry.get(AnalyzerMetrics.ALERTS).tags("rule", "NON_DEDICATED_SEGMENT", "severity",
        "warning").counter().count()).isEqualTo(1);
    assertThat(registry.get(AnalyzerMetrics.ALERTS).counters()).hasSize(4);
  }

  @Test
  void recordsAreCountedByOutcomeAndOkExistsFromTheStart() {
    assertThat(registry.get(AnalyzerMetrics.RECORDS).tag("outcome", "ok").counter().count()).isZero();
    metrics.recordRead("ok");
    metrics.recordRead("json");
    metrics.recordRead("json");
    assertThat(registry.get(AnalyzerMetrics.RECORDS).tag("outcome", "ok").counter().count()).isEqualTo(1);
    assertThat(registry.get(AnalyzerMetrics.RECORDS).tag("outcome", "json").counter().count()).isEqualTo(2);
  }
}
