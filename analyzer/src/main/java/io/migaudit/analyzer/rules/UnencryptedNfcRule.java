package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.RuleId;
import io.migaudit.record.Severity;
import java.util.Map;
import java.util.Optional;

/**
 * {@code UNENCRYPTED_NFC}: a vSphere NFC disk copy (TCP 902: cold migration, cloning, provisioning)
 * whose payload is readable (plaintext, or compressed) while the policy expects encryption. Judged
 * like {@link UnencryptedMigrationRule}: critical under {@code required}, warning under {@code
 * opportunistic}, nothing under {@code disabled} or for an unknown verdict.
 */
public final class UnencryptedNfcRule implements Rule {

  @Override
  public RuleId id() {
    return RuleId.UNENCRYPTED_NFC;
  }

  @Override
  public Optional<Alert> evaluate(ClassifiedFlow flow, Policy policy) {
    FlowRecord r = flow.record();
    PayloadFeatures p = r.payload();
    if (flow.kind() != FlowKind.NFC || !ReadablePayload.breaks(p, policy)) {
      return Optional.empty();
    }
    Severity severity = ReadablePayload.severity(policy);
    String verdict = p.verdict().wire();
    String why = ReadablePayload.why(p);
    String message = "Unencrypted NFC disk copy " + AlertFactory.path(r) + " (" + why + ")";
    Map<String, Object> evidence =
        AlertFactory.evidence(
            "verdict", verdict,
            "signature", p.signature() == null ? null : p.signature().wire(),
            "entropy", p.entropy(),
            "chiSquare", p.chiSquare(),
            "sampledBytes", p.sampledBytes(),
            "reason", p.reason());
    return Optional.of(AlertFactory.create(id(), severity, r, policy, evidence, message));
  }
}
