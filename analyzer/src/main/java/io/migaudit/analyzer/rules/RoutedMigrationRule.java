package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.RoutablePolicy.RoutedPath;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.HopLimits;
import io.migaudit.record.RuleId;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ROUTED_MIGRATION}: a migration whose packets arrived with a TTL / hop limit below their
 * sender's initial value (64, 128 or 255, the nearest at or above the lowest value seen), so they
 * crossed at least one router, unless the policy's {@code routable} section allows that path. The
 * migration network is then not the isolated, non-routable segment DISA's vMotion rules ask for.
 * Warning. A record without TTLs (an older agent) is not judged.
 */
public final class RoutedMigrationRule implements Rule {

  @Override
  public RuleId id() {
    return RuleId.ROUTED_MIGRATION;
  }

  @Override
  public Optional<Alert> evaluate(ClassifiedFlow flow, Policy policy) {
    FlowRecord r = flow.record();
    HopLimits ttl = r.ttl();
    if (!flow.migration() || ttl == null) {
      return Optional.empty();
    }
    int sentHops = hops(ttl.srcToDst());
    int receivedHops = hops(ttl.dstToSrc());
    int hops = Math.max(sentHops, receivedHops);
    if (hops <= 0) {
      return Optional.empty();
    }
    RoutedPath allowed = policy.routable().admitting(r.src(), r.dst(), hops);
    if (allowed != null) {
      return Optional.empty();
    }
    HopLimits.Range range = sentHops >= receivedHops ? ttl.srcToDst() : ttl.dstToSrc();
    String message =
        "The "
            + flow.protocol()
            + " migration "
            + AlertFactory.migrationPath(r)
            + " crossed "
            + hops
            + (hops == 1 ? " router" : " routers")
            + " (TTL "
            + range.min()
            + ", sent with "
            + HopLimits.initialValue(range.min())
            + "): the migration network is routable";
    Map<String, Object> evidence =
        AlertFactory.evidence(
            "hops", hops,
            "ttlSrcToDst", ttl.srcToDst(),
            "ttlDstToSrc", ttl.dstToSrc(),
            "initialTtl", HopLimits.initialValue(range.min()),
            "vlan", r.vlan());
    return Optional.of(
        AlertFactory.create(id(), RuleSeverities.only(id()), r, policy, evidence, message));
  }

  private static int hops(HopLimits.Range range) {
    return range == null ? 0 : HopLimits.hops(range.min());
  }
}
