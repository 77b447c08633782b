package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.EncryptionMode;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.RuleId;
import io.migaudit.record.Severity;
import java.util.Map;
import java.util.Optional;

/**
 * {@code UNENCRYPTED_MIGRATION}: a migration whose payload is readable (plaintext, or compressed,
 * which is not encryption) while the policy expects encryption. Critical under {@code required},
 * warning under {@code opportunistic}, nothing under {@code disabled} or for an unknown verdict. A
 * handshake that chose no encryption (a NULL TLS suite, SSH {@code none}) makes the payload
 * readable whatever its statistics say: the framing carries it as it is.
 */
public final class UnencryptedMigrationRule implements Rule {

  @Override
  public RuleId id() {
    return RuleId.UNENCRYPTED_MIGRATION;
  }

  @Override
  public Optional<Alert> evaluate(ClassifiedFlow flow, Policy policy) {
    FlowRecord r = flow.record();
    PayloadFeatures p = r.payload();
    if (!flow.migration()) {
      return Optional.empty();
    }
    String nullCipher = CryptoFindings.unencryptedBy(r.handshake());
    boolean readable = ReadablePayload.breaks(p, policy);
    if (!readable
        && (nullCipher == null || policy.encryption() == EncryptionMode.DISABLED || p == null)) {
      return Optional.empty();
    }
    Severity severity = ReadablePayload.severity(policy);
    String verdict = p.verdict() == null ? null : p.verdict().wire();
    String why = readable ? ReadablePayload.why(p) : nullCipher;
    String message =
        "Unencrypted "
            + flow.protocol()
            + " migration "
            + AlertFactory.migrationPath(r)
            + " ("
            + why
            + ")";
    Map<String, Object> evidence =
        AlertFactory.evidence(
            "verdict", verdict,
            "signature", p.signature() == null ? null : p.signature().wire(),
            "entropy", p.entropy(),
            "chiSquare", p.chiSquare(),
            "zeroFraction", p.zeroFraction(),
            "printableFraction", p.printableFraction(),
            "sampledBytes", p.sampledBytes(),
            "reason", p.reason(),
            "handshake", nullCipher);
    return Optional.of(AlertFactory.create(id(), severity, r, policy, evidence, message));
  }
}
