package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import java.util.Map;
import java.util.Optional;

/**
 * {@code UNTRUSTED_DESTINATION}: the host that accepted a migration connection (the receiver of the
 * VM) is not in {@code trustedHosts}. Critical.
 */
public final class UntrustedDestinationRule implements Rule {

  @Override
  public RuleId id() {
    return RuleId.UNTRUSTED_DESTINATION;
  }

  @Override
  public Optional<Alert> evaluate(ClassifiedFlow flow, Policy policy) {
    FlowRecord r = flow.record();
    if (!flow.migration() || policy.isTrusted(r.dst())) {
      return Optional.empty();
    }
    String message =
        "Untrusted host "
            + AlertFactory.endpoint(r.dst(), r.dstPort())
            + " accepted a "
            + flow.protocol()
            + " migration from "
            + r.src();
    Map<String, Object> evidence =
        AlertFactory.evidence(
            "untrustedAddress", r.dst(),
            "role", "destination",
            "initiatorBy", r.initiator());
    return Optional.of(
        AlertFactory.create(id(), RuleSeverities.only(id()), r, policy, evidence, message));
  }
}
