package io.migaudit.analyzer.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migaudit.record.RuleId;
import io.migaudit.record.Severity;
import org.junit.jupiter.api.Test;

class RuleSeveritiesTest {

  @Test
  void everyRuleHasItsSeverities() {
    for (RuleId rule : RuleId.values()) {
      assertThat(RuleSeverities.of(rule)).as(rule.name()).isNotEmpty();
    }
    assertThat(RuleSeverities.only(RuleId.UNTRUSTED_SOURCE)).isEqualTo(Severity.CRITICAL);
    assertThat(RuleSeverities.only(RuleId.ROUTED_MIGRATION)).isEqualTo(Severity.WARNING);
  }

  @Test
  void aRuleWhoseSeverityThePolicyDecidesHasNoOnlySeverity() {
    assertThat(RuleSeverities.of(RuleId.UNENCRYPTED_MIGRATION))
        .containsExactlyInAnyOrder(Severity.CRITICAL, Severity.WARNING);
    assertThatThrownBy(() -> RuleSeverities.only(RuleId.UNENCRYPTED_MIGRATION))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("UNENCRYPTED_MIGRATION");
  }
}
