package io.migaudit.analyzer.rules;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.EncryptionMode;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Severity;
import io.migaudit.record.Signature;
import io.migaudit.record.Verdict;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UnencryptedMigrationRuleTest {
  private final Rule rule = new UnencryptedMigrationRule();

  private Optional<Alert> judge(FlowRecord r, EncryptionMode mode) {
    Policy policy = Flows.samplePolicy(mode);
    return rule.evaluate(new MigrationDetector(policy).classify(r), policy);
  }

  private static FlowRecord plaintextVmotion() {
    return flow("192.168.50.11", "192.168.50.12", 8000)
        .vlan(50)
        .seq(2)
        .verdict(Verdict.PLAINTEXT, "printable and zero bytes dominate")
        .signature(Signature.VMOTION)
        .build();
  }

  @Test
  void plaintextUnderRequiredIsCritical() {
    FlowRecord r = plaintextVmotion();
    Alert a = judge(r, EncryptionMode.REQUIRED).orElseThrow();
    assertThat(a.rule()).isEqualTo(RuleId.UNENCRYPTED_MIGRATION);
    assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(a.message())
        .isEqualTo(
            "Unencrypted vmotion migration 192.168.50.11 -> 192.168.50.12:8000"
                + " (plaintext: printable and zero bytes dominate)");
    assertThat(a.evidence())
        .containsEntry("verdict", "plaintext")
        .containsEntry("signature", "vmotion")
        .containsEntry("entropy", 3.1)
        .containsEntry("chiSquare", 90000.0)
        .containsEntry("sampledBytes", 4096L)
        .containsEntry("reason", "printable and zero bytes dominate");
  }

  @Test
  void alertCarriesTheFlowsFields() {
    FlowRecord r = plaintextVmotion();
    Alert a = judge(r, EncryptionMode.REQUIRED).orElseThrow();
    assertThat(a.schemaVersion()).isEqualTo(SchemaVersion.CURRENT);
    assertThat(a.alertId()).isEqualTo(FlowId.alertId(RuleId.UNENCRYPTED_MIGRATION, r.flowId()));
    assertThat(a.flowId()).isEqualTo(r.flowId());
    assertThat(a.protocol()).isEqualTo("vmotion");
    assertThat(a.src()).isEqualTo("192.168.50.11");
    assertThat(a.srcPort()).isEqualTo(r.srcPort());
    assertThat(a.dst()).isEqualTo("192.168.50.12");
    assertThat(a.dstPort()).isEqualTo(8000);
    assertThat(a.vlan()).isEqualTo(50);
    assertThat(a.agent()).isEqualTo("esx-a");
    assertThat(a.iface()).isEqualTo("vmk1");
    assertThat(a.firstSeen()).isEqualTo(r.firstSeen());
    assertThat(a.detectedAt()).isEqualTo(r.lastSeen()).isNotEqualTo(r.firstSeen());
    assertThat(a.policyMode()).isEqualTo("required");
  }

  @Test
  void compressedUnderOpportunisticIsWarning() {
    FlowRecord r =
        flow("10.66.0.21", "10.66.0.22", 6600)
            .verdict(Verdict.COMPRESSED, "high entropy but far from uniform")
            .build();
    Alert a = judge(r, EncryptionMode.OPPORTUNISTIC).orElseThrow();
    assertThat(a.severity()).isEqualTo(Severity.WARNING);
    assertThat(a.policyMode()).isEqualTo("opportunistic");
    assertThat(a.message())
        .isEqualTo(
            "Unencrypted hyperv migration 10.66.0.21 -> 10.66.0.22:6600"
                + " (compressed: high entropy but far from uniform)");
  }

  @Test
  void compressedUnderRequiredIsCritical() {
    FlowRecord r =
        flow("10.66.0.21", "10.66.0.22", 6600).verdict(Verdict.COMPRESSED, "zlib").build();
    assertThat(judge(r, EncryptionMode.REQUIRED)).map(Alert::severity).contains(Severity.CRITICAL);
  }

  @Test
  void nothingWhenEncryptionIsDisabled() {
    assertThat(judge(plaintextVmotion(), EncryptionMode.DISABLED)).isEmpty();
  }

  @Test
  void nothingForEncryptedOrUnknownVerdicts() {
    for (Verdict v : new Verdict[] {Verdict.ENCRYPTED, Verdict.UNKNOWN}) {
      FlowRecord r = flow("192.168.50.11", "192.168.50.12", 8000).verdict(v, "x").build();
      assertThat(judge(r, EncryptionMode.REQUIRED)).as(v.wire()).isEmpty();
    }
  }

  @Test
  void nothingForPlaintextThatIsNotMigration() {
    FlowRecord r =
        flow("192.168.50.11", "192.168.50.12", 80).verdict(Verdict.PLAINTEXT, "http").build();
    assertThat(judge(r, EncryptionMode.REQUIRED)).isEmpty();
  }

  @Test
  void ipv6ResponderIsBracketed() {
    FlowRecord r =
        flow("fd00:50::11", "fd00:50::12", 49152).verdict(Verdict.PLAINTEXT, "QEVM").build();
    assertThat(judge(r, EncryptionMode.REQUIRED).orElseThrow().message())
        .isEqualTo(
            "Unencrypted qemu migration fd00:50::11 -> [fd00:50::12]:49152 (plaintext: QEVM)");
  }
}
