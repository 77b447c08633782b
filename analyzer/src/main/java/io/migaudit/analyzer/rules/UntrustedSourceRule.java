package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import java.util.Map;
import java.util.Optional;

/**
 * {@code UNTRUSTED_SOURCE}: the sender of the VM is not in {@code trustedHosts}. That is the host
 * that opened the migration connection, unless the memory flows to it ({@link MemoryDirection}):
 * then the untrusted sender is the host that accepted the connection. Critical.
 */
public final class UntrustedSourceRule implements Rule {

  @Override
  public RuleId id() {
    return RuleId.UNTRUSTED_SOURCE;
  }

  @Override
  public Optional<Alert> evaluate(ClassifiedFlow flow, Policy policy) {
    FlowRecord r = flow.record();
    if (!flow.migration()) {
      return Optional.empty();
    }
    MemoryDirection memory = MemoryDirection.of(r);
    if (policy.isTrusted(memory.sender())) {
      return Optional.empty();
    }
    String message =
        memory.pulled()
            ? "Untrusted host "
                + AlertFactory.endpoint(r.dst(), r.dstPort())
                + " sent a "
                + flow.protocol()
                + " migration to "
                + r.src()
                + ", which opened the connection"
            : "Untrusted host "
                + r.src()
                + " opened a "
                + flow.protocol()
                + " migration to "
                + AlertFactory.endpoint(r.dst(), r.dstPort());
    Map<String, Object> evidence =
        AlertFactory.evidence(
            "untrustedAddress", memory.sender(),
            "role", "source",
            "initiatorBy", r.initiator(),
            "memorySentBy", memory.sentBy());
    return Optional.of(
        AlertFactory.create(id(), RuleSeverities.only(id()), r, policy, evidence, message));
  }
}
