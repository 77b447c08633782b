package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.MigrationNetwork;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code NON_DEDICATED_SEGMENT}: a migration that does not have both endpoints inside one migration
 * network, or whose frames carry a VLAN tag that network does not list. Untagged frames, and
 * networks that list no VLANs, are judged by address only. Off when the policy has no networks.
 * Warning.
 */
public final class NonDedicatedSegmentRule implements Rule {
  /** Evidence {@code reason} values. */
  public static final String OUTSIDE_NETWORKS = "outside-migration-networks";

  public static final String WRONG_VLAN = "vlan-not-in-network";

  @Override
  public RuleId id() {
    return RuleId.NON_DEDICATED_SEGMENT;
  }

  @Override
  public Optional<Alert> evaluate(ClassifiedFlow flow, Policy policy) {
    FlowRecord r = flow.record();
    if (!flow.migration() || policy.migrationNetworks().isEmpty()) {
      return Optional.empty();
    }
    List<MigrationNetwork> holding = policy.networksContaining(r.src(), r.dst());
    if (holding.isEmpty()) {
      List<String> names = policy.migrationNetworks().stream().map(MigrationNetwork::name).toList();
      String message =
          "The "
              + flow.protocol()
              + " migration "
              + AlertFactory.path(r)
              + " runs outside every migration network ("
              + String.join(", ", names)
              + ")";
      Map<String, Object> evidence =
          AlertFactory.evidence(
              "reason", OUTSIDE_NETWORKS,
              "networks", names,
              "vlan", r.vlan());
      return Optional.of(
          AlertFactory.create(id(), RuleSeverities.only(id()), r, policy, evidence, message));
    }
    if (holding.stream().anyMatch(n -> n.admitsTag(r.vlan()))) {
      return Optional.empty();
    }
    MigrationNetwork network = holding.get(0);
    String message =
        "The "
            + flow.protocol()
            + " migration "
            + AlertFactory.path(r)
            + " on network "
            + network.name()
            + " carries VLAN "
            + r.vlan()
            + ", not one of its VLANs "
            + network.vlans();
    Map<String, Object> evidence =
        AlertFactory.evidence(
            "reason", WRONG_VLAN,
            "network", network.name(),
            "cidrs", network.cidrTexts(),
            "vlan", r.vlan(),
            "networkVlans", network.vlans());
    return Optional.of(
        AlertFactory.create(id(), RuleSeverities.only(id()), r, policy, evidence, message));
  }
}
