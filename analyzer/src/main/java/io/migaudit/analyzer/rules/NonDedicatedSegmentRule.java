package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.MigrationNetwork;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import io.migaudit.record.Tunnel;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code NON_DEDICATED_SEGMENT}: a migration that does not have both endpoints inside one migration
 * network, or whose frames carry a VLAN tag, or travel in a VXLAN / Geneve overlay segment (VNI),
 * that network does not list. Untagged frames, frames in no overlay, and networks that list no
 * VLANs or no VNIs, are judged by address only. A migration that travelled in a routed tunnel (IP
 * in IP, GRE carrying IP; the record's {@code tunnel}) crossed the network of the tunnel's outer
 * endpoints, whatever addresses it carries inside: those endpoints and the tunnel's VLAN are judged
 * the same way. Off when the policy has no networks. Warning.
 */
public final class NonDedicatedSegmentRule implements Rule {
  /** Evidence {@code reason} values. */
  public static final String OUTSIDE_NETWORKS = "outside-migration-networks";

  public static final String WRONG_VLAN = "vlan-not-in-network";

  public static final String WRONG_VNI = "vni-not-in-network";

  public static final String TUNNEL_OUTSIDE_NETWORKS = "tunnel-outside-migration-networks";

  public static final String TUNNEL_WRONG_VLAN = "tunnel-vlan-not-in-network";

  /** How a migration's frames can be off its network's segment: its VLAN tag or its overlay. */
  private record Segment(
      String reason, String field, String networkField, String travels, String listed) {}

  private static final Segment VLAN =
      new Segment(WRONG_VLAN, "vlan", "networkVlans", " carries VLAN ", "VLANs");

  private static final Segment VNI =
      new Segment(WRONG_VNI, "vni", "networkVnis", " travels in overlay segment VNI ", "VNIs");

  @Override
  public RuleId id() {
    return RuleId.NON_DEDICATED_SEGMENT;
  }

  @Override
  public Optional<Alert> evaluate(ClassifiedFlow flow, Policy policy) {
    if (!flow.migration() || policy.migrationNetworks().isEmpty()) {
      return Optional.empty();
    }
    Optional<Alert> own = ownPath(flow, policy);
    Tunnel tunnel = flow.record().tunnel();
    return own.isPresent() || tunnel == null ? own : tunnelPath(flow, policy, tunnel);
  }

  /** The migration's own endpoints and VLAN. */
  private Optional<Alert> ownPath(ClassifiedFlow flow, Policy policy) {
    FlowRecord r = flow.record();
    List<MigrationNetwork> holding = policy.networksContaining(r.src(), r.dst());
    if (holding.isEmpty()) {
      List<String> names = networkNames(policy);
      String message =
          "The "
              + flow.protocol()
              + " migration "
              + AlertFactory.migrationPath(r)
              + " runs outside every migration network ("
              + String.join(", ", names)
              + ")";
      Map<String, Object> evidence =
          AlertFactory.evidence(
              "reason", OUTSIDE_NETWORKS,
              "networks", names,
              "vlan", r.vlan());
      return Optional.of(alert(r, policy, evidence, message));
    }
    if (holding.stream().anyMatch(n -> n.admitsTag(r.vlan()) && n.admitsVni(r.vni()))) {
      return Optional.empty();
    }
    Optional<MigrationNetwork> tagAdmitted =
        holding.stream().filter(n -> n.admitsTag(r.vlan())).findFirst();
    return Optional.of(
        tagAdmitted.isPresent()
            ? wrongVni(flow, policy, tagAdmitted.get())
            : wrongVlan(flow, policy, holding.get(0)));
  }

  /** The routed tunnel's outer path, judged as the migration's own would be. */
  private Optional<Alert> tunnelPath(ClassifiedFlow flow, Policy policy, Tunnel tunnel) {
    FlowRecord r = flow.record();
    String a = tunnel.endpoints().get(0);
    String b = tunnel.endpoints().get(1);
    String path =
        "The "
            + flow.protocol()
            + " migration "
            + AlertFactory.migrationPath(r)
            + " travels in a tunnel ("
            + tunnel.kind()
            + ") between "
            + a
            + " and "
            + b;
    List<MigrationNetwork> holding = policy.networksContaining(a, b);
    if (holding.isEmpty()) {
      List<String> names = networkNames(policy);
      Map<String, Object> evidence =
          AlertFactory.evidence(
              "reason", TUNNEL_OUTSIDE_NETWORKS,
              "networks", names,
              "tunnel", tunnel.kind(),
              "tunnelEndpoints", tunnel.endpoints(),
              "tunnelVlan", tunnel.vlan());
      String message =
          path + ", outside every migration network (" + String.join(", ", names) + ")";
      return Optional.of(alert(r, policy, evidence, message));
    }
    if (holding.stream().anyMatch(n -> n.admitsTag(tunnel.vlan()))) {
      return Optional.empty();
    }
    MigrationNetwork network = holding.get(0);
    Map<String, Object> evidence =
        AlertFactory.evidence(
            "reason", TUNNEL_WRONG_VLAN,
            "network", network.name(),
            "tunnel", tunnel.kind(),
            "tunnelEndpoints", tunnel.endpoints(),
            "tunnelVlan", tunnel.vlan(),
            "networkVlans", network.vlans());
    String message =
        path
            + " on network "
            + network.name()
            + " with VLAN "
            + tunnel.vlan()
            + ", not one of its VLANs "
            + network.vlans();
    return Optional.of(alert(r, policy, evidence, message));
  }

  private Alert wrongVlan(ClassifiedFlow flow, Policy policy, MigrationNetwork network) {
    return offSegment(flow, policy, network, VLAN, flow.record().vlan(), network.vlans());
  }

  private Alert wrongVni(ClassifiedFlow flow, Policy policy, MigrationNetwork network) {
    return offSegment(flow, policy, network, VNI, flow.record().vni(), network.vnis());
  }

  /** A migration inside the network's addresses whose tag or segment the network does not list. */
  private Alert offSegment(
      ClassifiedFlow flow,
      Policy policy,
      MigrationNetwork network,
      Segment segment,
      Integer value,
      List<Integer> listed) {
    FlowRecord r = flow.record();
    String message =
        "The "
            + flow.protocol()
            + " migration "
            + AlertFactory.migrationPath(r)
            + " on network "
            + network.name()
            + segment.travels()
            + value
            + ", not one of its "
            + segment.listed()
            + " "
            + listed;
    Map<String, Object> evidence =
        AlertFactory.evidence(
            "reason",
            segment.reason(),
            "network",
            network.name(),
            "cidrs",
            network.cidrTexts(),
            segment.field(),
            value,
            segment.networkField(),
            listed);
    return alert(r, policy, evidence, message);
  }

  private static List<String> networkNames(Policy policy) {
    return policy.migrationNetworks().stream().map(MigrationNetwork::name).toList();
  }

  private Alert alert(FlowRecord r, Policy policy, Map<String, Object> evidence, String message) {
    return AlertFactory.create(id(), RuleSeverities.only(id()), r, policy, evidence, message);
  }
}
