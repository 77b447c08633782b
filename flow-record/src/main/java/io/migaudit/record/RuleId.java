package io.migaudit.record;

/** The alert {@code rule} values of the contract (DESIGN.md, "Rules"). */
public enum RuleId {
  UNENCRYPTED_MIGRATION,
  UNTRUSTED_SOURCE,
  UNTRUSTED_DESTINATION,
  NON_DEDICATED_SEGMENT,
  SHARED_MIGRATION_SEGMENT
}
