package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.TrustZone;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import java.util.Map;
import java.util.Optional;

/**
 * {@code CROSS_ZONE_MIGRATION}: a migration whose sender is in one trust zone and whose receiver is
 * in another, with no allowed path from the first to the second. The sender is the host that opened
 * the connection, unless the memory flows the other way ({@link MemoryDirection}): a destination
 * that dials its source does not turn a forbidden path into an allowed one. Migrations within a
 * zone, and those with an end in no zone (left to {@code trustedHosts}), are not judged. Off when
 * the policy has no zones. Critical.
 */
public final class CrossZoneMigrationRule implements Rule {

  @Override
  public RuleId id() {
    return RuleId.CROSS_ZONE_MIGRATION;
  }

  @Override
  public Optional<Alert> evaluate(ClassifiedFlow flow, Policy policy) {
    if (!flow.migration() || policy.zones().isEmpty()) {
      return Optional.empty();
    }
    FlowRecord r = flow.record();
    MemoryDirection memory = MemoryDirection.of(r);
    Optional<TrustZone> from = policy.zoneOf(memory.sender());
    Optional<TrustZone> to = policy.zoneOf(memory.receiver());
    if (from.isEmpty() || to.isEmpty() || policy.pathAllowed(from.get().name(), to.get().name())) {
      return Optional.empty();
    }
    String fromZone = from.get().name();
    String toZone = to.get().name();
    String message =
        "The "
            + flow.protocol()
            + " migration "
            + AlertFactory.migrationPath(r)
            + " crosses from zone "
            + fromZone
            + " to zone "
            + toZone
            + ", which no allowed path permits";
    Map<String, Object> evidence =
        AlertFactory.evidence(
            "fromZone",
            fromZone,
            "toZone",
            toZone,
            "allowedSources",
            policy.sourcesAllowedInto(toZone),
            "memorySentBy",
            memory.sentBy());
    return Optional.of(
        AlertFactory.create(id(), RuleSeverities.only(id()), r, policy, evidence, message));
  }
}
