package io.migaudit.record;

/** The alert {@code rule} values of the contract (docs/DESIGN.md, "Rules"). */
public enum RuleId {
  UNENCRYPTED_MIGRATION,
  UNTRUSTED_SOURCE,
  UNTRUSTED_DESTINATION,
  NON_DEDICATED_SEGMENT,
  SHARED_MIGRATION_SEGMENT,
  /** A migration between two trust zones that no allowed path connects. */
  CROSS_ZONE_MIGRATION,
  /** A vSphere NFC disk copy (TCP 902) in plaintext or merely compressed. */
  UNENCRYPTED_NFC,
  /**
   * A Hyper-V migration (6600, or SMB 445) that no Kerberos service-ticket request for the
   * destination's migration service preceded while the agents watched Kerberos: CredSSP-style.
   */
  CREDSSP_MIGRATION,
  /**
   * An encrypted migration whose clear-text handshake shows a weak version, cipher, MAC, key
   * exchange or certificate (the policy's {@code crypto} section), or no encryption at all.
   */
  WEAK_MIGRATION_CRYPTO,
  /**
   * A migration whose packets crossed a router (TTL / hop limit below the sender's initial value).
   */
  ROUTED_MIGRATION
}
