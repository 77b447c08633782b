package io.migaudit.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migaudit.analyzer.rules.ControlCatalog;
import io.migaudit.cli.report.ComplianceReport.ControlVerdict;
import io.migaudit.cli.report.ComplianceReport.State;
import io.migaudit.record.AgentHeartbeat;
import io.migaudit.record.Alert;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RecordJson;
import io.migaudit.record.RuleId;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Severity;
import io.migaudit.record.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Verdicts per control, de-duplication and coverage, from records built in memory. */
class ComplianceReportTest {
  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

  private static MigrationEvent event(
      String id, String protocol, String src, String dst, Verdict v, Instant start, long bytes) {
    return new MigrationEvent(
        SchemaVersion.CURRENT,
        id,
        protocol,
        src,
        dst,
        "esx-01",
        start,
        start.plusSeconds(10),
        bytes,
        2,
        bytes / 10.0,
        v,
        true,
        List.of("f-" + id));
  }

  private static Alert alert(String id, RuleId rule, String src, String dst) {
    return new Alert(
        SchemaVersion.CURRENT,
        id,
        rule,
        Severity.CRITICAL,
        "vmotion",
        src,
        40000,
        dst,
        8000,
        null,
        "esx-01",
        "vmk1",
        "f-" + id,
        T0,
        T0.plusSeconds(1),
        "required",
        Map.of("verdict", "plaintext"),
        "vMotion in plaintext",
        ControlCatalog.controlsOf(rule),
        "e1");
  }

  private static ReportInput input(Object... records) {
    ReportInput in = new ReportInput();
    int n = 0;
    for (Object r : records) {
      in.add(RecordJson.toLine(r).getBytes(StandardCharsets.UTF_8), "line " + (++n));
    }
    return in;
  }

  private static ControlVerdict verdict(ComplianceReport r, String control) {
    return r.verdicts.stream()
        .filter(v -> v.control().id().equals(control))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void everyControlIsPassFailOrNotObserved() {
    ReportInput in =
        input(
            event("e1", "vmotion", "10.0.0.1", "10.0.0.2", Verdict.PLAINTEXT, T0, 1000),
            event(
                "e2",
                "vmotion",
                "10.0.0.1",
                "10.0.0.3",
                Verdict.ENCRYPTED,
                T0.plusSeconds(86400),
                3000),
            alert("a1", RuleId.UNENCRYPTED_MIGRATION, "10.0.0.1", "10.0.0.2"));
    ComplianceReport r = ComplianceReport.of(in, null, null);
    assertThat(r.verdicts)
        .extracting(v -> v.control().id())
        .containsExactlyElementsOf(
            ControlCatalog.controls().stream().map(ControlCatalog.Control::id).toList());
    ControlVerdict sc8 = verdict(r, ControlCatalog.NIST_SC_8);
    assertThat(sc8.state()).isEqualTo(State.FAIL);
    assertThat(sc8.alerts()).isEqualTo(1);
    assertThat(sc8.migrations()).isEqualTo(2);
    assertThat(sc8.worstPairs())
        .extracting(ComplianceReport.PairCount::pair)
        .containsExactly("10.0.0.1 -> 10.0.0.2");
    assertThat(verdict(r, ControlCatalog.DISA_ESXI_80_000160).state()).isEqualTo(State.PASS);
    assertThat(verdict(r, ControlCatalog.NIST_IA_5).state())
        .as("no Hyper-V migration seen")
        .isEqualTo(State.NOT_OBSERVED);
    assertThat(r.hosts).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
    assertThat(r.perDay).hasSize(2);
    assertThat(r.bytesByVerdict)
        .containsEntry(Verdict.ENCRYPTED, 3000L)
        .containsEntry(Verdict.PLAINTEXT, 1000L);
    String text = ReportText.render(r);
    assertThat(text)
        .contains(
            "  FAIL         NIST SC-8: 1 alert(s), 2 migration(s) observed; worst: 10.0.0.1 -> 10.0.0.2 (1, 1 critical)")
        .contains("  PASS         DISA ESXI-80-000160: 2 migration(s) observed, none failed")
        .contains("  NOT OBSERVED NIST IA-5: no migration it applies to was observed")
        .contains("  vmotion        encrypted       1     2           3000")
        .contains("hosts: 3, host pairs: 2, bytes: 4000 (75.0% encrypted)");
  }

  @Test
  void migrationsWhoseEncryptionWasNotJudgedAreNoEvidenceThatItPassed() {
    ReportInput cutOnly =
        input(event("e1", "vmotion", "10.0.0.1", "10.0.0.2", Verdict.UNKNOWN, T0, 1000));
    ComplianceReport r = ComplianceReport.of(cutOnly, null, null);
    ControlVerdict sc8 = verdict(r, ControlCatalog.NIST_SC_8);
    assertThat(sc8.state()).as("a capture that showed no verdict").isEqualTo(State.NOT_OBSERVED);
    assertThat(sc8.unjudged()).isEqualTo(1);
    assertThat(verdict(r, ControlCatalog.DISA_ESXI_80_000160).state())
        .as("isolation needs no verdict")
        .isEqualTo(State.PASS);
    assertThat(ReportText.render(r))
        .contains(
            "  NOT OBSERVED NIST SC-8: 1 migration(s) observed, encryption of none judged (verdict"
                + " unknown)");

    ReportInput mixed =
        input(
            event("e1", "vmotion", "10.0.0.1", "10.0.0.2", Verdict.UNKNOWN, T0, 1000),
            event("e2", "vmotion", "10.0.0.1", "10.0.0.3", Verdict.ENCRYPTED, T0, 1000));
    ControlVerdict partly =
        verdict(ComplianceReport.of(mixed, null, null), ControlCatalog.NIST_SC_8);
    assertThat(partly.state()).isEqualTo(State.PASS);
    assertThat(ReportText.summary(partly))
        .isEqualTo(
            "2 migration(s) observed, none failed; 1 with encryption not judged (verdict unknown)");
  }

  /**
   * Found by ReportFuzzTest: a migration event on the topic without addresses stopped the report (a
   * NullPointerException), and so did a --since window reaching before the first instant.
   */
  @Test
  void eventsWithoutAddressesAreMalformedAndAnyWindowReports() {
    ReportInput in =
        input(
            event("e1", "vmotion", null, "10.0.0.2", Verdict.PLAINTEXT, T0, 1000),
            event("e2", "vmotion", "10.0.0.1", "10.0.0.2", Verdict.ENCRYPTED, T0, 1000));
    assertThat(in.malformed).isEqualTo(1);
    assertThat(in.firstMalformed).isEqualTo("line 1: a migration event without src");
    ComplianceReport r = ComplianceReport.of(in, Duration.ofSeconds(Long.MAX_VALUE), null);
    assertThat(r.migrationEvents()).isEqualTo(1);
    assertThat(ReportText.render(r)).contains("1 migration event(s)");
  }

  /** Agents may write to the flows topic: an alert or event there is not evidence. */
  @Test
  void onTheFlowsTopicOnlyHeartbeatsCount() throws Exception {
    ReportInput in = new ReportInput();
    ObjectNode alert =
        (ObjectNode)
            new ObjectMapper()
                .readTree(
                    RecordJson.toLine(
                        alert("forged", RuleId.UNENCRYPTED_MIGRATION, "10.0.0.1", "10.0.0.2")));
    alert.remove("flowId");
    in.addFlowTopicRecord(alert.toString().getBytes(StandardCharsets.UTF_8), "flows-0@0");
    in.addFlowTopicRecord(
        RecordJson.toLine(event("e9", "vmotion", "10.0.0.1", "10.0.0.2", Verdict.ENCRYPTED, T0, 1))
            .getBytes(StandardCharsets.UTF_8),
        "flows-0@1");
    in.addFlowTopicRecord(
        RecordJson.toLine(AgentHeartbeat.of("esx", T0, 30, List.of("vmk1"), 1, 1))
            .getBytes(StandardCharsets.UTF_8),
        "flows-0@2");
    assertThat(in.alerts).isEmpty();
    assertThat(in.events).isEmpty();
    assertThat(in.heartbeats).hasSize(1);
    assertThat(in.malformed).isEqualTo(2);
    assertThat(in.firstMalformed)
        .isEqualTo("flows-0@0: not a flow record or heartbeat, on migaudit.flows");
  }

  @Test
  void alertsAreCountedOncePerIdAndEventsByTheirLatestState() {
    MigrationEvent early = event("e1", "qemu", "10.0.0.1", "10.0.0.2", Verdict.ENCRYPTED, T0, 100);
    MigrationEvent late = event("e1", "qemu", "10.0.0.1", "10.0.0.2", Verdict.PLAINTEXT, T0, 900);
    Alert a = alert("a1", RuleId.UNENCRYPTED_MIGRATION, "10.0.0.1", "10.0.0.2");
    ComplianceReport r = ComplianceReport.of(input(a, early, a, late, a), null, null);
    assertThat(r.alerts).hasSize(1);
    assertThat(r.duplicateAlerts).isEqualTo(2);
    assertThat(r.events).containsExactly(late);
    assertThat(ReportText.header(r))
        .startsWith("1 alert(s) (2 repeated alertId(s) counted once), 1 migration event(s)");
  }

  @Test
  void heartbeatsShowWhenAnAgentWasSilent() {
    ReportInput in =
        input(
            AgentHeartbeat.of("esx-01", T0, 30, List.of("vmk1"), 1, 1),
            AgentHeartbeat.of("esx-01", T0.plusSeconds(30), 30, List.of("vmk1"), 2, 1),
            AgentHeartbeat.of("esx-01", T0.plusSeconds(3630), 30, List.of("vmk1"), 3, 1),
            AgentHeartbeat.of("esx-02", T0, 30, List.of("vmk1"), 1, 1),
            AgentHeartbeat.of("esx-02", T0.plusSeconds(3630), 30, List.of("vmk1"), 1, 1),
            event(
                "e1",
                "vmotion",
                "10.0.0.1",
                "10.0.0.2",
                Verdict.ENCRYPTED,
                T0.plusSeconds(100),
                10));
    ComplianceReport r = ComplianceReport.of(in, null, null);
    assertThat(r.agents).extracting(AgentCoverage::agent).containsExactly("esx-01", "esx-02");
    AgentCoverage one = r.agents.get(0);
    assertThat(one.heartbeats()).isEqualTo(3);
    assertThat(one.events()).isEqualTo(1);
    assertThat(one.gaps())
        .containsExactly(new AgentCoverage.Gap(T0.plusSeconds(30), T0.plusSeconds(3630)));
    assertThat(r.agents.get(1).gaps()).hasSize(1);
    assertThat(ReportText.render(r))
        .contains(
            "esx-01: 0 alert(s), 1 event(s); 3 heartbeat(s) "
                + "2025-03-01T10:00:00Z .. 2025-03-01T11:00:30Z, silent 2025-03-01T10:00:30Z .. 2025-03-01T11:00:30Z (1h)");
  }

  @Test
  void anAgentWithoutHeartbeatsHasUnknownCoverage() {
    ComplianceReport r =
        ComplianceReport.of(
            input(alert("a1", RuleId.UNTRUSTED_SOURCE, "1.1.1.1", "2.2.2.2")), null, null);
    assertThat(ReportText.render(r))
        .contains(
            "esx-01: 1 alert(s), 0 event(s); no heartbeat: when it was" + " watching is unknown");
  }

  @Test
  void htmlHasThePolicySummaryTableFirstAndChartsWithoutScript() {
    ReportInput in =
        input(
            event("e1", "vmotion", "10.0.0.1", "10.0.0.2", Verdict.PLAINTEXT, T0, 1000),
            alert("a1", RuleId.UNENCRYPTED_MIGRATION, "10.0.0.1", "10.0.0.2"));
    String html = ReportHtml.render(ComplianceReport.of(in, null, null));
    assertThat(html)
        .contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
                + " style-src 'unsafe-inline'\">")
        .doesNotContain("<script")
        .doesNotContain("http://")
        .doesNotContain("https://")
        .contains("<svg width=");
    assertThat(html.indexOf("id=\"controls\"")).isPositive().isLessThan(html.indexOf("<svg"));
    assertThat(html)
        .contains("<td class=\"FAIL\">FAIL</td><td class=\"id\">NIST SC-8</td>")
        .contains("<td class=\"NOT_OBSERVED\">NOT OBSERVED</td>")
        .contains("aria-label=\"Migrations per day by verdict\"")
        .contains("aria-label=\"Share of migration bytes by verdict\"")
        .contains("aria-label=\"Host pairs with most findings\"");
  }
}
