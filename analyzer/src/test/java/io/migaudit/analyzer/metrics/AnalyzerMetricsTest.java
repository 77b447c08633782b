package io.migaudit.analyzer.metrics;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.migaudit.analyzer.policy.EncryptionMode;
import io.migaudit.analyzer.rules.Flows;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.analyzer.rules.RuleSeverities;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.RuleId;
import io.migaudit.record.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
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
    var c =
        registry
            .find(AnalyzerMetrics.MIGRATION_FLOWS)
            .tags("protocol", protocol, "verdict", verdict)
            .counter();
    return c == null ? 0 : c.count();
  }

  private double bytes(String protocol, String verdict) {
    var c =
        registry
            .find(AnalyzerMetrics.MIGRATION_BYTES)
            .tags("protocol", protocol, "verdict", verdict)
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void prometheusNamesAndTagsMatchTheContract() {
    var evaluation =
        engine.evaluate(
            flow("10.1.1.1", "10.1.1.2", 8000).verdict(Verdict.PLAINTEXT, "z").last().build());
    metrics.migrationRecord(evaluation.record());
    evaluation.alerts().forEach(metrics::alertRaised);
    metrics.recordRead("json");
    // SimpleMeterRegistry shows a histogram's buckets as a separate "<name>.histogram" gauge; the
    // Prometheus registry renders them as the timer's _bucket series (see the histogram test below)
    Set<String> rendered =
        registry.getMeters().stream()
            .filter(m -> !m.getId().getName().endsWith(".histogram"))
            .map(
                m ->
                    prometheusName(m.getId())
                        + m.getId().getTags().stream()
                            .map(t -> t.getKey())
                            .sorted()
                            .collect(Collectors.joining(",", "{", "}")))
            .collect(Collectors.toSet());
    assertThat(rendered)
        .containsExactlyInAnyOrder(
            "migaudit_migration_flows_total{protocol,verdict}",
            "migaudit_migration_bytes_total{protocol,verdict}",
            "migaudit_alerts_total{rule,severity}",
            "migaudit_alert_detection_delay_seconds{rule}",
            "migaudit_analyzer_records_total{outcome}",
            "migaudit_analyzer_records_clamped_total{}");
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
    Flows.Builder f =
        flow("192.168.50.11", "192.168.50.12", 8000).verdict(Verdict.ENCRYPTED, "uniform");
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
    metrics.migrationRecord(
        labelled(f.seq(1).bytes(9_000).verdict(Verdict.PLAINTEXT, "z").last().build()));
    assertThat(bytes("vmotion", "unknown")).isEqualTo(1_000);
    assertThat(bytes("vmotion", "plaintext")).isEqualTo(8_000);
  }

  @Test
  void aFlowSeenOnlyByItsFinalRecordCountsAllItsBytes() {
    metrics.migrationRecord(
        labelled(flow("10.66.0.21", "10.66.0.22", 6600).bytes(7_000).last().build()));
    assertThat(bytes("hyperv", "unknown")).isEqualTo(7_000);
    assertThat(flows("hyperv", "unknown")).isEqualTo(1);
  }

  @Test
  void unknownProtocolLabelsAreBoundedToOther() {
    metrics.migrationRecord(
        flow("10.0.0.1", "10.0.0.2", 1234).protocol("made-up-1234").last().build());
    assertThat(flows(AnalyzerMetrics.OTHER_PROTOCOL, "unknown")).isEqualTo(1);
    assertThat(
            registry
                .find(AnalyzerMetrics.MIGRATION_FLOWS)
                .tag("protocol", "made-up-1234")
                .counter())
        .isNull();
  }

  @Test
  void alertsAreCountedByRuleAndSeverity() {
    for (Alert a :
        engine
            .evaluate(flow("10.1.1.1", "10.1.1.2", 8000).verdict(Verdict.PLAINTEXT, "z").build())
            .alerts()) {
      metrics.alertRaised(a);
    }
    assertThat(
            registry
                .get(AnalyzerMetrics.ALERTS)
                .tags("rule", "UNENCRYPTED_MIGRATION", "severity", "critical")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get(AnalyzerMetrics.ALERTS)
                .tags("rule", "NON_DEDICATED_SEGMENT", "severity", "warning")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(registry.get(AnalyzerMetrics.ALERTS).counters().stream().filter(c -> c.count() > 0))
        .hasSize(4);
  }

  @Test
  void everyOutcomeOfAMalformedRecordIsKnownAndExistsAtZero() {
    Set<String> kinds = new TreeSet<>();
    var badFieldJson =
        Flows.flow("10.1.1.1", "10.1.1.2", 8000).json().put("firstSeen", "yesterday");
    for (String value :
        List.of("not json", "[1]", "{\"schemaVersion\": 99}", badFieldJson.toString())) {
      try {
        RecordJson.flowRecord(value.getBytes(StandardCharsets.UTF_8));
      } catch (RecordJson.MalformedRecordException e) {
        kinds.add(e.kind());
      }
    }
    assertThat(kinds).containsExactlyInAnyOrder("json", "schema-version", "fields");
    assertThat(AnalyzerMetrics.KNOWN_OUTCOMES)
        .containsAll(kinds)
        .contains(AnalyzerMetrics.OUTCOME_EMPTY);
    for (String outcome : AnalyzerMetrics.KNOWN_OUTCOMES) {
      assertThat(registry.get(AnalyzerMetrics.RECORDS).tag("outcome", outcome).counter().count())
          .isZero();
    }
  }

  @Test
  void everyContractAlertSeriesExistsAtZeroBeforeTheFirstAlert() {
    Set<String> series =
        registry.get(AnalyzerMetrics.ALERTS).counters().stream()
            .peek(c -> assertThat(c.count()).isZero())
            .map(c -> c.getId().getTag("rule") + " " + c.getId().getTag("severity"))
            .collect(Collectors.toSet());
    assertThat(series)
        .contains(
            "UNENCRYPTED_MIGRATION critical",
            "UNENCRYPTED_MIGRATION warning",
            "UNTRUSTED_SOURCE critical",
            "UNTRUSTED_DESTINATION critical",
            "NON_DEDICATED_SEGMENT warning",
            "SHARED_MIGRATION_SEGMENT warning");
    for (RuleId rule : RuleId.values()) {
      assertThat(RuleSeverities.of(rule)).as("severities of " + rule).isNotEmpty();
      for (var severity : RuleSeverities.of(rule)) {
        assertThat(series).contains(rule.name() + " " + severity.wire());
      }
    }
    assertThat(series)
        .hasSize(Arrays.stream(RuleId.values()).mapToInt(r -> RuleSeverities.of(r).size()).sum());
    assertThat(registry.get(AnalyzerMetrics.DETECTION_DELAY).timers())
        .hasSize(RuleId.values().length)
        .allSatisfy(t -> assertThat(t.count()).isZero());
  }

  /** The rules raise only the severities whose counters exist from the start. */
  @Test
  void theRulesRaiseOnlyContractSeverities() {
    for (var mode : EncryptionMode.values()) {
      RuleEngine e = new RuleEngine(Flows.samplePolicy(mode));
      for (FlowRecord r :
          List.of(
              flow("10.1.1.1", "10.1.1.2", 8000).verdict(Verdict.PLAINTEXT, "z").build(),
              flow("192.168.50.99", "192.168.50.12", 8000).verdict(Verdict.COMPRESSED, "z").build(),
              flow("192.168.50.11", "192.168.50.99", 8000).build(),
              flow("192.168.50.11", "192.168.50.12", 80).build())) {
        for (Alert a : e.evaluate(r).alerts()) {
          assertThat(RuleSeverities.of(a.rule()))
              .as(a.rule() + " under " + mode)
              .contains(a.severity());
        }
      }
    }
  }

  @Test
  void detectionDelayIsTheCaptureTimeFromFirstPacketToTheAlertingRecord() {
    // Flows' records: firstSeen T0, lastSeen T0 + (seq + 1) s; the alert is raised at seq 2
    for (Alert a :
        engine
            .evaluate(
                flow("192.168.50.11", "192.168.50.12", 8000)
                    .seq(2)
                    .verdict(Verdict.PLAINTEXT, "z")
                    .build())
            .alerts()) {
      metrics.alertRaised(a);
    }
    var timer =
        registry.get(AnalyzerMetrics.DETECTION_DELAY).tag("rule", "UNENCRYPTED_MIGRATION").timer();
    assertThat(timer.count()).isEqualTo(1);
    assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3_000);
    assertThat(
            registry
                .get(AnalyzerMetrics.DETECTION_DELAY)
                .tag("rule", "UNTRUSTED_SOURCE")
                .timer()
                .count())
        .isZero();
  }

  @Test
  void aDetectionBeforeTheFirstPacketCountsAsZeroDelay() {
    Alert a =
        engine
            .evaluate(flow("10.1.1.1", "10.1.1.2", 8000).verdict(Verdict.PLAINTEXT, "z").build())
            .alerts()
            .get(0);
    Alert skewed =
        new Alert(
            a.schemaVersion(),
            a.alertId(),
            a.rule(),
            a.severity(),
            a.protocol(),
            a.src(),
            a.srcPort(),
            a.dst(),
            a.dstPort(),
            a.vlan(),
            a.agent(),
            a.iface(),
            a.flowId(),
            a.detectedAt().plusSeconds(5),
            a.detectedAt(),
            a.policyMode(),
            a.evidence(),
            a.message());
    metrics.alertRaised(skewed);
    var timer = registry.get(AnalyzerMetrics.DETECTION_DELAY).tag("rule", a.rule().name()).timer();
    assertThat(timer.count()).isEqualTo(1);
    assertThat(timer.totalTime(TimeUnit.NANOSECONDS)).isZero();
  }

  @Test
  void detectionDelayHistogramHasFixedBucketsInSeconds() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new AnalyzerMetrics(prometheus, engine.protocols());
    String scrape = prometheus.scrape();
    assertThat(scrape)
        .contains("# TYPE migaudit_alert_detection_delay_seconds histogram")
        .contains(
            "migaudit_alert_detection_delay_seconds_bucket{rule=\"UNENCRYPTED_MIGRATION\",le=\"1.0\"} 0")
        .contains("migaudit_alerts_total{rule=\"UNTRUSTED_SOURCE\",severity=\"critical\"} 0");
    long buckets =
        scrape
            .lines()
            .filter(
                l ->
                    l.startsWith(
                        "migaudit_alert_detection_delay_seconds_bucket{rule=\"UNTRUSTED_SOURCE\""))
            .count();
    assertThat(buckets).isEqualTo(AnalyzerMetrics.DETECTION_DELAY_BUCKETS.size() + 1);
  }

  @Test
  void recordsAreCountedByOutcomeAndOkExistsFromTheStart() {
    assertThat(registry.get(AnalyzerMetrics.RECORDS).tag("outcome", "ok").counter().count())
        .isZero();
    metrics.recordRead("ok");
    metrics.recordRead("json");
    metrics.recordRead("json");
    assertThat(registry.get(AnalyzerMetrics.RECORDS).tag("outcome", "ok").counter().count())
        .isEqualTo(1);
    assertThat(registry.get(AnalyzerMetrics.RECORDS).tag("outcome", "json").counter().count())
        .isEqualTo(2);
  }
}
