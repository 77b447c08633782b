package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import java.util.Map;
import java.util.Optional;

/**
 * {@code UNTRUSTED_DESTINATION}: the receiver of the VM is not in {@code trustedHosts}. That is the
 * host that accepted the migration connection, unless the memory flows the other way ({@link
 * MemoryDirection}): a host that dials a migration source and pulls the memory is its receiver, and
 * the one an auditor must hear about. Critical.
 */
public final class UntrustedDestinationRule implements Rule {

  @Override
  public RuleId id() {
    return RuleId.UNTRUSTED_DESTINATION;
  }

  @Override
  public Optional<Alert> evaluate(ClassifiedFlow flow, Policy policy) {
    FlowRecord r = flow.record();
    if (!flow.migration()) {
      return Optional.empty();
    }
    MemoryDirection memory = MemoryDirection.of(r);
    if (policy.isTrusted(memory.receiver())) {
      return Optional.empty();
    }
    String message =
        memory.pulled()
            ? "Untrusted host "
                + r.src()
                + " received a "
                + flow.protocol()
                + " migration from "
                + AlertFactory.endpoint(r.dst(), r.dstPort())
                + " through a connection it opened"
            : "Untrusted host "
                + AlertFactory.endpoint(r.dst(), r.dstPort())
                + " accepted a "
                + flow.protocol()
                + " migration from "
                + r.src();
    Map<String, Object> evidence =
        AlertFactory.evidence(
            "untrustedAddress", memory.receiver(),
            "role", "destination",
            "initiatorBy", r.initiator(),
            "memorySentBy", memory.sentBy());
    return Optional.of(
        AlertFactory.create(id(), RuleSeverities.only(id()), r, policy, evidence, message));
  }
}
