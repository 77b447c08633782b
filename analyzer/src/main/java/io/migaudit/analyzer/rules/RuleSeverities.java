package io.migaudit.analyzer.rules;

import io.migaudit.record.RuleId;
import io.migaudit.record.Severity;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The rule -> severity contract (docs/DESIGN.md and the README, "Rules"), in one place: the
 * severities each rule may raise. A rule with one severity raises {@link #only} it; the alert
 * counters of every pair exist from the start ({@code AnalyzerMetrics}). Every {@link RuleId} has
 * an entry: a new rule without one fails this class's initialisation.
 */
public final class RuleSeverities {
  private static final Map<RuleId, Set<Severity>> CONTRACT = contract();

  private RuleSeverities() {}

  private static Map<RuleId, Set<Severity>> contract() {
    Map<RuleId, Set<Severity>> m = new EnumMap<>(RuleId.class);
    Set<Severity> byPolicy = EnumSet.of(Severity.CRITICAL, Severity.WARNING);
    m.put(RuleId.UNENCRYPTED_MIGRATION, byPolicy); // critical when the policy requires encryption
    m.put(RuleId.UNTRUSTED_SOURCE, EnumSet.of(Severity.CRITICAL));
    m.put(RuleId.UNTRUSTED_DESTINATION, EnumSet.of(Severity.CRITICAL));
    m.put(RuleId.NON_DEDICATED_SEGMENT, EnumSet.of(Severity.WARNING));
    m.put(RuleId.SHARED_MIGRATION_SEGMENT, EnumSet.of(Severity.WARNING));
    m.put(RuleId.CROSS_ZONE_MIGRATION, EnumSet.of(Severity.CRITICAL));
    m.put(RuleId.UNENCRYPTED_NFC, byPolicy);
    m.put(RuleId.CREDSSP_MIGRATION, EnumSet.of(Severity.WARNING));
    m.put(RuleId.WEAK_MIGRATION_CRYPTO, byPolicy); // the crypto policy's severity; none: critical
    m.put(RuleId.ROUTED_MIGRATION, EnumSet.of(Severity.WARNING));
    Set<RuleId> missing = EnumSet.complementOf(EnumSet.copyOf(m.keySet()));
    if (!missing.isEmpty()) {
      throw new IllegalStateException("no severities for " + missing);
    }
    m.replaceAll((rule, severities) -> Collections.unmodifiableSet(severities));
    return Collections.unmodifiableMap(m);
  }

  /** The severities {@code rule} may raise. */
  public static Set<Severity> of(RuleId rule) {
    return CONTRACT.get(rule);
  }

  /**
   * The one severity of a rule that has one; a rule whose severity depends on the policy throws.
   */
  public static Severity only(RuleId rule) {
    Set<Severity> s = CONTRACT.get(rule);
    if (s.size() != 1) {
      throw new IllegalArgumentException(rule + " raises " + s + ", not one severity");
    }
    return s.iterator().next();
  }
}
