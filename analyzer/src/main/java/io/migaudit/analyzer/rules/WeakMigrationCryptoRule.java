package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Handshake;
import io.migaudit.record.RuleId;
import io.migaudit.record.Severity;
import java.util.Map;
import java.util.Optional;

/**
 * {@code WEAK_MIGRATION_CRYPTO}: a migration whose clear-text handshake shows a weak protocol
 * version, cipher, MAC, key exchange or certificate under the policy's {@code crypto} section (see
 * {@link CryptoFindings}). Severity from the policy (warning by default); critical when a cipher
 * leaves the payload unencrypted (NULL, {@code none}, ESP-NULL).
 */
public final class WeakMigrationCryptoRule implements Rule {

  @Override
  public RuleId id() {
    return RuleId.WEAK_MIGRATION_CRYPTO;
  }

  @Override
  public Optional<Alert> evaluate(ClassifiedFlow flow, Policy policy) {
    FlowRecord r = flow.record();
    Handshake h = r.handshake();
    if (!flow.migration() || h == null) {
      return Optional.empty();
    }
    CryptoFindings found = CryptoFindings.of(h, policy.crypto(), r.lastSeen());
    if (!found.any()) {
      return Optional.empty();
    }
    Severity severity = found.noEncryption() ? Severity.CRITICAL : policy.crypto().severity();
    String message =
        "Weak crypto on the "
            + flow.protocol()
            + " migration "
            + AlertFactory.migrationPath(r)
            + ": "
            + String.join("; ", found.findings());
    Map<String, Object> evidence =
        AlertFactory.evidence(
            "findings", found.findings(),
            "noEncryption", found.noEncryption(),
            "tlsVersion", h.tls() == null ? null : h.tls().version(),
            "tlsCipherSuite", h.tls() == null ? null : h.tls().cipherSuite(),
            "tlsClientCertificate", h.tls() == null ? null : h.tls().clientCertificate(),
            "sshCipherClientToServer", h.ssh() == null ? null : h.ssh().cipherClientToServer(),
            "sshMacClientToServer", h.ssh() == null ? null : h.ssh().macClientToServer(),
            "espEncryption", h.esp() == null ? null : h.esp().encryption(),
            "minTlsVersion", policy.crypto().minTlsVersion());
    return Optional.of(AlertFactory.create(id(), severity, r, policy, evidence, message));
  }
}
