package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.MigrationNetwork;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.Counters;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import java.util.Map;
import java.util.Optional;

/**
 * {@code SHARED_MIGRATION_SEGMENT}: other traffic on a migration segment. A non-migration flow
 * counts when its frames carry a migration network's VLAN or travel in its overlay segment (VNI),
 * or when both addresses lie inside a migration network and the frames are untagged and in no
 * overlay (or that network lists no VLANs or no VNIs, so it is judged by address only). NFC disk
 * copies count (they are not live migration); link control (ICMP, ICMPv6, IGMP) never does, and
 * neither do later IP fragments (a TCP or UDP flow with both ports 0: no transport header), since
 * each datagram's first fragment carries its ports and is judged with its own flow. A tunnel that
 * its underlay fragments (VXLAN at the full MTU) has its first fragments read as the migration they
 * carry; the rest of each datagram is such a flow. Warning.
 */
public final class SharedMigrationSegmentRule implements Rule {
  /** Evidence {@code matchedBy} values. */
  public static final String BY_VLAN = "vlan";

  public static final String BY_VNI = "vni";

  public static final String BY_ADDRESS = "address";

  @Override
  public RuleId id() {
    return RuleId.SHARED_MIGRATION_SEGMENT;
  }

  /**
   * A TCP connection on a migration segment that carried nothing is judged after the grace period:
   * it may be a channel of a migration whose first record comes after its own (QEMU's postcopy
   * preempt channel, empty when the migration ends in precopy, which only the listener it shares
   * with the main channel names). Connections off every migration segment, which this rule never
   * judges, do not wait.
   */
  @Override
  public boolean judgesLater(ClassifiedFlow flow, Policy policy) {
    FlowRecord r = flow.record();
    return flow.kind() == FlowKind.OTHER
        && "tcp".equals(r.transport())
        && payload(r.srcToDst()) == 0
        && payload(r.dstToSrc()) == 0
        && network(r, policy).isPresent();
  }

  private static long payload(Counters c) {
    return c == null ? 0 : c.payloadBytes();
  }

  @Override
  public Optional<Alert> evaluate(ClassifiedFlow flow, Policy policy) {
    if (flow.kind() != FlowKind.OTHER && flow.kind() != FlowKind.NFC) {
      return Optional.empty();
    }
    FlowRecord r = flow.record();
    Optional<MigrationNetwork> network = network(r, policy);
    if (network.isEmpty() || laterFragments(r)) {
      return Optional.empty();
    }
    MigrationNetwork n = network.get();
    String matchedBy =
        r.vlan() != null && policy.networkWithVlan(r.vlan()).isPresent()
            ? BY_VLAN
            : r.vni() != null && policy.networkWithVni(r.vni()).isPresent() ? BY_VNI : BY_ADDRESS;
    String tag =
        (r.vlan() == null ? "untagged" : "VLAN " + r.vlan())
            + (r.vni() == null ? "" : ", VNI " + r.vni());
    String message =
        "Non-migration "
            + r.transport()
            + " traffic "
            + AlertFactory.path(r)
            + " on migration network "
            + n.name()
            + " ("
            + tag
            + ")";
    Map<String, Object> evidence =
        AlertFactory.evidence(
            "network", n.name(),
            "matchedBy", matchedBy,
            "cidrs", n.cidrTexts(),
            "vlan", r.vlan(),
            "vni", r.vni(),
            "transport", r.transport());
    return Optional.of(
        AlertFactory.create(id(), RuleSeverities.only(id()), r, policy, evidence, message));
  }

  /** The pieces after the first of fragmented TCP or UDP packets: the agent gives them ports 0. */
  private static boolean laterFragments(FlowRecord r) {
    return r.srcPort() == 0
        && r.dstPort() == 0
        && ("tcp".equals(r.transport()) || "udp".equals(r.transport()));
  }

  /**
   * The migration network whose VLAN tags the flow, else the one whose overlay segment (VNI) it
   * travels in, else the one whose CIDRs hold both ends and that neither its tag nor its overlay
   * puts elsewhere.
   */
  private static Optional<MigrationNetwork> network(FlowRecord r, Policy policy) {
    Optional<MigrationNetwork> byVlan =
        r.vlan() == null ? Optional.empty() : policy.networkWithVlan(r.vlan());
    if (byVlan.isPresent()) {
      return byVlan;
    }
    Optional<MigrationNetwork> byVni =
        r.vni() == null ? Optional.empty() : policy.networkWithVni(r.vni());
    return byVni.isPresent() ? byVni : byAddress(r, policy);
  }

  private static Optional<MigrationNetwork> byAddress(FlowRecord r, Policy policy) {
    return policy.networksContaining(r.src(), r.dst()).stream()
        .filter(n -> r.vlan() == null || !n.hasVlans())
        .filter(n -> r.vni() == null || !n.hasVnis())
        .findFirst();
  }
}
