package io.migaudit.analyzer.rules;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.EncryptionMode;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import io.migaudit.record.Severity;
import io.migaudit.record.Verdict;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UnencryptedNfcRuleTest {
  private final Rule rule = new UnencryptedNfcRule();

  private Optional<Alert> judge(FlowRecord r, EncryptionMode mode) {
    Policy policy = Flows.samplePolicy(mode);
    return rule.evaluate(new MigrationDetector(policy).classify(r), policy);
  }

  private static FlowRecord nfc(Verdict verdict) {
    return flow("10.10.0.11", "10.10.0.12", 902).verdict(verdict, "structured bytes").build();
  }

  @Test
  void tcp902IsNfcNotMigration() {
    ClassifiedFlow f = new MigrationDetector(Flows.samplePolicy()).classify(nfc(Verdict.PLAINTEXT));
    assertThat(f.kind()).isEqualTo(FlowKind.NFC);
    assertThat(f.migration()).isFalse();
    assertThat(f.protocol()).as("NFC is not a migration protocol").isNull();
    ClassifiedFlow udp =
        new MigrationDetector(Flows.samplePolicy())
            .classify(flow("10.10.0.11", "10.10.0.12", 902).transport("udp").build());
    assertThat(udp.kind()).isEqualTo(FlowKind.OTHER);
  }

  @Test
  void plaintextNfcUnderRequiredIsCriticalAndRaisesNoMigrationAlert() {
    RuleEngine engine = new RuleEngine(Flows.samplePolicy(EncryptionMode.REQUIRED));
    List<Alert> alerts = engine.evaluate(nfc(Verdict.PLAINTEXT)).alerts();
    assertThat(alerts).extracting(Alert::rule).containsExactly(RuleId.UNENCRYPTED_NFC);
    Alert a = alerts.get(0);
    assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(a.protocol()).isNull();
    assertThat(a.message())
        .isEqualTo(
            "Unencrypted NFC disk copy 10.10.0.11 -> 10.10.0.12:902"
                + " (plaintext: structured bytes)");
    assertThat(a.controls()).containsExactly("NIST SC-8", "NIST SC-8(1)");
  }

  @Test
  void compressedIsReadableAndOpportunisticIsAWarning() {
    assertThat(judge(nfc(Verdict.COMPRESSED), EncryptionMode.REQUIRED))
        .map(Alert::severity)
        .contains(Severity.CRITICAL);
    assertThat(judge(nfc(Verdict.PLAINTEXT), EncryptionMode.OPPORTUNISTIC))
        .map(Alert::severity)
        .contains(Severity.WARNING);
  }

  @Test
  void nothingForEncryptedUnknownOrDisabled() {
    assertThat(judge(nfc(Verdict.ENCRYPTED), EncryptionMode.REQUIRED)).isEmpty();
    assertThat(judge(nfc(Verdict.UNKNOWN), EncryptionMode.REQUIRED)).isEmpty();
    assertThat(judge(nfc(Verdict.PLAINTEXT), EncryptionMode.DISABLED)).isEmpty();
  }

  @Test
  void migrationsAreNotNfc() {
    FlowRecord vmotion =
        flow("10.10.0.11", "10.10.0.12", 8000).verdict(Verdict.PLAINTEXT, "x").build();
    assertThat(judge(vmotion, EncryptionMode.REQUIRED)).isEmpty();
  }

  @Test
  void nfcOnTheMigrationVlanStillSharesTheSegment() {
    RuleEngine engine = new RuleEngine(Flows.samplePolicy());
    FlowRecord onVlan =
        flow("192.168.50.11", "192.168.50.12", 902)
            .vlan(50)
            .verdict(Verdict.ENCRYPTED, "uniform")
            .build();
    assertThat(engine.evaluate(onVlan).alerts())
        .extracting(Alert::rule)
        .containsExactly(RuleId.SHARED_MIGRATION_SEGMENT);
  }
}
