package io.migaudit.analyzer.rules;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.EncryptionMode;
import io.migaudit.record.Alert;
import io.migaudit.record.RuleId;
import io.migaudit.record.Severity;
import io.migaudit.record.Signature;
import io.migaudit.record.Verdict;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ControlCatalogTest {

  @Test
  void everyRuleNamesControls() {
    for (RuleId rule : RuleId.values()) {
      assertThat(ControlCatalog.controlsOf(rule))
          .as(rule.name())
          .isNotEmpty()
          .doesNotHaveDuplicates();
    }
  }

  @Test
  void unencryptedMigrationEvidencesTransmissionConfidentiality() {
    assertThat(ControlCatalog.controlsOf(RuleId.UNENCRYPTED_MIGRATION))
        .containsExactly(
            "NIST SC-8",
            "NIST SC-8(1)",
            "DISA VMCH-80-000203",
            "DISA VMCH-70-000024",
            "VMware SCG vm-9.vmotion-encrypted");
  }

  @Test
  void untrustedHostsEvidenceInformationFlowEnforcement() {
    List<String> expected = List.of("NIST AC-4(21)", "NIST AC-3", "VMware SCG esx-9.vmk-vmotion");
    assertThat(ControlCatalog.controlsOf(RuleId.UNTRUSTED_SOURCE)).isEqualTo(expected);
    assertThat(ControlCatalog.controlsOf(RuleId.UNTRUSTED_DESTINATION)).isEqualTo(expected);
  }

  @Test
  void segmentRulesEvidenceVmotionIsolation() {
    List<String> expected =
        List.of(
            "DISA ESXI-80-000160",
            "DISA ESXI-70-000048",
            "NIST AC-4(21)",
            "NIST SC-7",
            "VMware SCG esx-9.vmk-vmotion");
    assertThat(ControlCatalog.controlsOf(RuleId.NON_DEDICATED_SEGMENT)).isEqualTo(expected);
    assertThat(ControlCatalog.controlsOf(RuleId.SHARED_MIGRATION_SEGMENT)).isEqualTo(expected);
  }

  @Test
  void weakCryptoAndRoutedMigrationsEvidenceCryptographyAndIsolation() {
    assertThat(ControlCatalog.controlsOf(RuleId.WEAK_MIGRATION_CRYPTO))
        .containsExactly(
            "NIST SC-8",
            "NIST SC-8(1)",
            "NIST SC-13",
            "NIST SC-23",
            "NIST SP 800-52r2",
            "DISA VMCH-80-000203",
            "VMware SCG vm-9.vmotion-encrypted");
    assertThat(ControlCatalog.controlsOf(RuleId.ROUTED_MIGRATION))
        .startsWith("DISA ESXI-80-000160", "DISA ESXI-70-000048")
        .contains("NIST SC-7");
  }

  @Test
  void alertsFromTheEngineCarryTheirRulesControls() {
    RuleEngine engine = new RuleEngine(Flows.samplePolicy());
    List<Alert> alerts = new ArrayList<>();
    // plaintext vMotion from an untrusted host to an untrusted one, outside every migration network
    alerts.addAll(
        engine
            .evaluate(flow("10.9.9.1", "10.9.9.2", 8000).verdict(Verdict.PLAINTEXT, "x").build())
            .alerts());
    // SSH shell on the vMotion VLAN
    alerts.addAll(
        engine
            .evaluate(flow("192.168.50.11", "192.168.50.12", 22).vlan(50).last().build())
            .alerts());
    Set<RuleId> seen = EnumSet.noneOf(RuleId.class);
    for (Alert a : alerts) {
      seen.add(a.rule());
      assertThat(a.controls()).as(a.rule().name()).isEqualTo(ControlCatalog.controlsOf(a.rule()));
    }
    assertThat(seen)
        .containsExactlyInAnyOrder(
            RuleId.UNENCRYPTED_MIGRATION,
            RuleId.UNTRUSTED_SOURCE,
            RuleId.UNTRUSTED_DESTINATION,
            RuleId.NON_DEDICATED_SEGMENT,
            RuleId.SHARED_MIGRATION_SEGMENT);
  }

  /** Opportunistic is the STIG's reading (a readable migration is a finding, not a failure). */
  @Test
  void opportunisticReadsLikeTheStigAndRequiredLikeTheScg() {
    var plaintext =
        flow("192.168.50.11", "192.168.50.12", 8000)
            .vlan(50)
            .verdict(Verdict.PLAINTEXT, "x")
            .signature(Signature.VMOTION)
            .build();
    Alert stig =
        new RuleEngine(Flows.samplePolicy(EncryptionMode.OPPORTUNISTIC))
            .evaluate(plaintext)
            .alerts()
            .get(0);
    Alert scg =
        new RuleEngine(Flows.samplePolicy(EncryptionMode.REQUIRED))
            .evaluate(plaintext)
            .alerts()
            .get(0);
    assertThat(stig.severity()).isEqualTo(Severity.WARNING);
    assertThat(scg.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(stig.controls()).contains("DISA VMCH-80-000203").isEqualTo(scg.controls());
    assertThat(
            new RuleEngine(Flows.samplePolicy(EncryptionMode.DISABLED))
                .evaluate(plaintext)
                .alerts())
        .isEmpty();
  }

  @Test
  void aReportJudgesEveryMappedControlOnce() {
    assertThat(ControlCatalog.controls())
        .extracting(ControlCatalog.Control::id)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(ControlCatalog.mappedIds());
  }

  @Test
  void vmotionControlsApplyOnlyToVmotion() {
    ControlCatalog.Control isolated =
        ControlCatalog.controls().stream()
            .filter(c -> c.id().equals(ControlCatalog.DISA_ESXI_80_000160))
            .findFirst()
            .orElseThrow();
    assertThat(isolated.appliesTo("vmotion")).isTrue();
    assertThat(isolated.appliesTo("qemu")).isFalse();
  }
}
