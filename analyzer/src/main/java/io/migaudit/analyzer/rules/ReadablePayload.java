package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.EncryptionMode;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.Severity;

/**
 * What the two "unencrypted" rules ({@link UnencryptedMigrationRule}, {@link UnencryptedNfcRule})
 * judge alike: a readable payload (plaintext, or compressed, which is not encryption) while the
 * policy expects encryption is critical under {@code required}, a warning under {@code
 * opportunistic}, and nothing under {@code disabled} or for an unknown verdict.
 */
final class ReadablePayload {
  private ReadablePayload() {}

  /** True when {@code p} is readable and {@code policy} expects encryption. */
  static boolean breaks(PayloadFeatures p, Policy policy) {
    return p != null
        && p.verdict() != null
        && p.verdict().readable()
        && policy.encryption() != EncryptionMode.DISABLED;
  }

  static Severity severity(Policy policy) {
    return policy.encryption() == EncryptionMode.REQUIRED ? Severity.CRITICAL : Severity.WARNING;
  }

  /**
   * The verdict, and the classifier's reason when it gave one: "plaintext: structured bytes (...)".
   */
  static String why(PayloadFeatures p) {
    String verdict = p.verdict().wire();
    return p.reason() == null || p.reason().isBlank() ? verdict : verdict + ": " + p.reason();
  }
}
