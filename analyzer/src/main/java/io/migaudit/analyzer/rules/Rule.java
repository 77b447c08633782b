package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import java.util.Optional;

/** One check of docs/DESIGN.md's rule table: a flow and the policy in, at most one alert out. */
public interface Rule {

  /** The {@code rule} value of the alerts this rule raises. */
  RuleId id();

  /**
   * The alert this flow deserves under {@code policy}, if any. Stateless: may repeat per record.
   */
  Optional<Alert> evaluate(ClassifiedFlow flow, Policy policy);

  /**
   * Shows a rule that correlates flows a record ahead of its turn (records of one Kafka batch come
   * partition by partition, not in time order); must be harmless to repeat. Stateless rules ignore
   * it.
   */
  default void preview(FlowRecord record, Policy policy) {}

  /**
   * True when this rule judges {@code flow} only after a grace period, so that evidence recorded by
   * other agents can arrive first (see {@link RuleEngine#judgeLater}); the record is then only
   * {@link #preview}ed when it is evaluated. Rules that judge at once keep the default.
   */
  default boolean judgesLater(ClassifiedFlow flow, Policy policy) {
    return false;
  }
}
