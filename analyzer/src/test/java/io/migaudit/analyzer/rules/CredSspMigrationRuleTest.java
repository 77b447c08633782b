package io.migaudit.analyzer.rules;

import static io.migaudit.analyzer.rules.Flows.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.auth.KerberosEvidenceTest;
import io.migaudit.analyzer.policy.HypervPolicy;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import io.migaudit.record.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

public class CredSspMigrationRuleTest {
  public static final String VSMS = "Microsoft Virtual System Migration Service";
  final Policy policy = Flows.samplePolicy().withHyperv(hyperv());
  final MigrationDetector detector = new MigrationDetector(policy);
  final CredSspMigrationRule rule = new CredSspMigrationRule();

  public static HypervPolicy hyperv() {
    return new HypervPolicy(
        true,
        Duration.ofHours(10),
        Map.of(
            "hv-01.corp.example", List.of("10.66.0.21", "10.10.0.21"),
            "hv-02.corp.example", List.of("10.66.0.22", "10.10.0.22")));
  }

  Optional<Alert> see(FlowRecord r, Policy p) {
    return rule.evaluate(detector.classify(r), p);
  }

  FlowRecord migration(boolean last) {
    FlowRecord r =
        KerberosEvidenceTest.migration(
            "10.66.0.21", "10.66.0.22", 6600, "hyperv", T0.plusSeconds(3));
    return last
        ? r
        : new FlowRecord(
            r.schemaVersion(),
            r.agent(),
            r.iface(),
            r.flowId(),
            0,
            false,
            null,
            r.firstSeen(),
            r.lastSeen(),
            r.vlan(),
            r.outerVlan(),
            r.encapsulation(),
            r.ipVersion(),
            r.transport(),
            r.src(),
            r.srcPort(),
            r.dst(),
            r.dstPort(),
            r.initiator(),
            r.srcToDst(),
            r.dstToSrc(),
            r.tcpFlags(),
            r.protocol(),
            r.payload());
  }

  @Test
  void aMigrationFromAWatchedSourceWithoutTheTicketIsAWarningAtItsFinalRecord() {
    assertThat(
            see(
                KerberosEvidenceTest.kdcFlow("10.10.0.21", T0, "HTTP/intranet.corp.example"),
                policy))
        .isEmpty();
    assertThat(see(migration(false), policy)).as("interim record: not judged yet").isEmpty();
    Alert a = see(migration(true), policy).orElseThrow();
    assertThat(a.rule()).isEqualTo(RuleId.CREDSSP_MIGRATION);
    assertThat(a.severity()).isEqualTo(Severity.WARNING);
    assertThat(a.controls()).isEqualTo(ControlCatalog.controlsOf(RuleId.CREDSSP_MIGRATION));
    assertThat(a.evidence())
        .containsEntry("authentication", "credssp")
        .containsEntry("kdcFlowsFromSource", 1)
        .containsEntry("kerberosRequestsFromSource", 1)
        .containsEntry("ticketLifetime", "PT10H")
        .doesNotContainKey("unmappedServices");
    assertThat(a.message())
        .startsWith("Hyper-V migration 10.66.0.21 -> 10.66.0.22:6600 without a Kerberos ticket")
        .contains("10h")
        .contains("CredSSP");
  }

  @Test
  void aTicketRequestLateInKafkaOrderStillCountsBeforeTheFinalRecord() {
    assertThat(see(migration(false), policy)).isEmpty();
    see(KerberosEvidenceTest.kdcFlow("10.10.0.21", T0, VSMS + "/hv-02.corp.example"), policy);
    assertThat(see(migration(true), policy)).isEmpty();
  }

  @Test
  void unmappedServiceHostsAreNamedInTheAlert() {
    see(KerberosEvidenceTest.kdcFlow("10.10.0.21", T0, VSMS + "/hv-02"), policy);
    Alert a = see(migration(true), policy).orElseThrow();
    assertThat(a.evidence().get("unmappedServices"))
        .isEqualTo(List.of(VSMS + "/hv-02@CORP.EXAMPLE"));
    assertThat(a.message()).contains("list them under hyperv.hosts");
  }

  @Test
  void nothingWithoutASignTheSourcesKerberosIsWatched() {
    assertThat(see(migration(true), policy)).isEmpty();
  }

  @Test
  void nothingWhenTheAuditIsOff() {
    Policy off = Flows.samplePolicy();
    see(KerberosEvidenceTest.kdcFlow("10.10.0.21", T0, "HTTP/intranet.corp.example"), off);
    assertThat(see(migration(true), off)).isEmpty();
  }

  @Test
  void otherMigrationProtocolsAreNotJudged() {
    see(KerberosEvidenceTest.kdcFlow("10.10.0.21", T0, "HTTP/intranet.corp.example"), policy);
    FlowRecord vmotion =
        KerberosEvidenceTest.migration(
            "10.66.0.21", "10.66.0.22", 8000, "vmotion", T0.plusSeconds(3));
    assertThat(see(vmotion, policy)).isEmpty();
  }

  @Test
  void theEngineRunsTheRuleAndRaisesItOnce() {
    RuleEngine engine = new RuleEngine(policy);
    engine.evaluate(KerberosEvidenceTest.kdcFlow("10.10.0.21", T0, "HTTP/intranet.corp.example"));
    assertThat(engine.evaluate(migration(true)).alerts())
        .extracting(Alert::rule)
        .contains(RuleId.CREDSSP_MIGRATION);
    assertThat(engine.evaluate(migration(true)).alerts())
        .extracting(Alert::rule)
        .doesNotContain(RuleId.CREDSSP_MIGRATION);
  }

  @Test
  void lifetimeIsWrittenInItsLargestWholeUnit() {
    assertThat(
            CredSspMigrationRule.lifetime(new HypervPolicy(true, Duration.ofMinutes(90), Map.of())))
        .isEqualTo("90m");
    assertThat(
            CredSspMigrationRule.lifetime(new HypervPolicy(true, Duration.ofSeconds(61), Map.of())))
        .isEqualTo("61s");
  }
}
