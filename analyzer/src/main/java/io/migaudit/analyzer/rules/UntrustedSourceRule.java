package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import java.util.Map;
import java.util.Optional;

/**
 * {@code UNTRUSTED_SOURCE}: the host that opened a migration connection (the sender of the VM) is
 * not in {@code trustedHosts}. Critical.
 */
public final class UntrustedSourceRule implements Rule {

  @Override
  public RuleId id() {
    return RuleId.UNTRUSTED_SOURCE;
  }

  @Override
  public Optional<Alert> evaluate(ClassifiedFlow flow, Policy policy) {
    FlowRecord r = flow.record();
    if (!flow.migration() || policy.isTrusted(r.src())) {
      return Optional.empty();
    }
    String message =
        "Untrusted host "
            + r.src()
            + " opened a "
            + flow.protocol()
            + " migration to "
            + AlertFactory.endpoint(r.dst(), r.dstPort());
    Map<String, Object> evidence =
        AlertFactory.evidence(
            "untrustedAddress", r.src(),
            "role", "source",
            "initiatorBy", r.initiator());
    return Optional.of(
        AlertFactory.create(id(), RuleSeverities.only(id()), r, policy, evidence, message));
  }
}
