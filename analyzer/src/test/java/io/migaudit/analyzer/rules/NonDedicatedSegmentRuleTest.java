package io.migaudit.analyzer.rules;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import io.migaudit.record.Severity;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NonDedicatedSegmentRuleTest {
  private final Policy policy = Flows.samplePolicy();
  private final Rule rule = new NonDedicatedSegmentRule();

  private Optional<Alert> judge(Policy p, FlowRecord r) {
    return rule.evaluate(new MigrationDetector(p).classify(r), p);
  }

  @Test
  void migrationInsideItsNetworkWithItsVlanIsFine() {
    assertThat(judge(policy, flow("192.168.50.11", "192.168.50.12", 8000).vlan(50).build()))
        .isEmpty();
    assertThat(judge(policy, flow("fd00:50::11", "fd00:50::12", 8000).vlan(50).build())).isEmpty();
  }

  @Test
  void untaggedFramesAreJudgedByAddressOnly() {
    assertThat(judge(policy, flow("192.168.50.11", "192.168.50.12", 8000).build())).isEmpty();
    assertThat(judge(policy, flow("fd00:50::11", "fd00:50::12", 8000).build())).isEmpty();
  }

  @Test
  void migrationOutsideEveryNetworkWarns() {
    Alert a = judge(policy, flow("10.10.0.11", "10.10.0.12", 8000).build()).orElseThrow();
    assertThat(a.rule()).isEqualTo(RuleId.NON_DEDICATED_SEGMENT);
    assertThat(a.severity()).isEqualTo(Severity.WARNING);
    assertThat(a.evidence())
        .containsEntry("reason", NonDedicatedSegmentRule.OUTSIDE_NETWORKS)
        .containsEntry("networks", List.of("vmotion", "live-migration"))
        .doesNotContainKey("vlan");
    assertThat(a.message())
        .isEqualTo(
            "The vmotion migration 10.10.0.11 -> 10.10.0.12:8000 runs outside"
                + " every migration network (vmotion, live-migration)");
  }

  @Test
  void oneEndOutsideOrEndsInDifferentNetworksWarns() {
    assertThat(judge(policy, flow("192.168.50.11", "10.10.0.12", 8000).build())).isPresent();
    assertThat(judge(policy, flow("192.168.50.11", "10.66.0.22", 6600).build())).isPresent();
  }

  @Test
  void wrongVlanWarnsEvenInsideTheNetwork() {
    Alert a =
        judge(policy, flow("192.168.50.11", "192.168.50.12", 8000).vlan(10).build()).orElseThrow();
    assertThat(a.evidence())
        .containsEntry("reason", NonDedicatedSegmentRule.WRONG_VLAN)
        .containsEntry("network", "vmotion")
        .containsEntry("vlan", 10)
        .containsEntry("networkVlans", List.of(50))
        .containsEntry("cidrs", List.of("192.168.50.0/24", "fd00:50::/64"));
    assertThat(a.vlan()).isEqualTo(10);
    assertThat(a.message())
        .isEqualTo(
            "The vmotion migration 192.168.50.11 -> 192.168.50.12:8000 on"
                + " network vmotion carries VLAN 10, not one of its VLANs [50]");
  }

  @Test
  void anotherNetworksVlanIsWrongToo() {
    assertThat(judge(policy, flow("fd00:50::11", "fd00:50::12", 8000).vlan(66).build()))
        .map(a -> a.evidence().get("reason"))
        .contains(NonDedicatedSegmentRule.WRONG_VLAN);
  }

  @Test
  void networkWithoutVlansAcceptsAnyTag() {
    Policy noVlans = Flows.oneNetwork(List.of(), List.of());
    assertThat(judge(noVlans, flow("192.168.50.11", "192.168.50.12", 8000).vlan(123).build()))
        .isEmpty();
  }

  /**
   * A network that names its overlay segments: a migration in another VNI warns, one in its VNI or
   * in no overlay does not; a network that names none does not judge the overlay.
   */
  @Test
  void overlaySegmentsAreJudgedByTheirVni() {
    Policy overlay = Flows.oneNetwork(List.of(50), List.of(5000, 5001));
    Alert a =
        judge(overlay, flow("192.168.50.11", "192.168.50.12", 49152).vni(6000).build())
            .orElseThrow();
    assertThat(a.evidence())
        .containsEntry("reason", NonDedicatedSegmentRule.WRONG_VNI)
        .containsEntry("network", "vmotion")
        .containsEntry("vni", 6000)
        .containsEntry("networkVnis", List.of(5000, 5001));
    assertThat(a.message())
        .isEqualTo(
            "The qemu migration 192.168.50.11 -> 192.168.50.12:49152 on network vmotion travels in"
                + " overlay segment VNI 6000, not one of its VNIs [5000, 5001]");
    assertThat(judge(overlay, flow("192.168.50.11", "192.168.50.12", 49152).vni(5001).build()))
        .as("its own segment")
        .isEmpty();
    assertThat(judge(overlay, flow("192.168.50.11", "192.168.50.12", 49152).build()))
        .as("in no overlay: judged by address and VLAN")
        .isEmpty();
    assertThat(
            judge(overlay, flow("192.168.50.11", "192.168.50.12", 49152).vlan(7).vni(5000).build()))
        .map(x -> x.evidence().get("reason"))
        .as("its VNI on another VLAN")
        .contains(NonDedicatedSegmentRule.WRONG_VLAN);
    assertThat(judge(policy, flow("192.168.50.11", "192.168.50.12", 49152).vni(6000).build()))
        .as("a network that names no VNIs")
        .isEmpty();
  }

  @Test
  void offWhenThePolicyHasNoNetworks() {
    assertThat(judge(Policy.defaults(), flow("10.10.0.11", "10.10.0.12", 8000).vlan(7).build()))
        .isEmpty();
  }

  @Test
  void nonMigrationTrafficIsNotJudged() {
    assertThat(judge(policy, flow("10.10.0.11", "10.10.0.12", 443).build())).isEmpty();
  }

  @Test
  void tunnelOutsideTheNetworksWarns() {
    Alert a =
        judge(
                policy,
                flow("10.10.0.11", "10.10.0.12", 0).transport("esp").payload(2_000_000, 0).build())
            .orElseThrow();
    assertThat(a.protocol()).isEqualTo(MigrationDetector.TUNNEL_ESP);
    assertThat(a.message())
        .isEqualTo(
            "The tunnel-esp migration 10.10.0.11 -> 10.10.0.12 runs outside"
                + " every migration network (vmotion, live-migration)");
  }

  @Test
  void aTunnelOutsideEveryNetworkWarnsThoughTheMigrationInsideLooksDedicated() {
    FlowRecord r =
        flow("192.168.50.11", "192.168.50.12", 8000)
            .tunnel("ip-in-ip", null, "10.10.0.11", "10.10.0.12")
            .build();

    Alert a = judge(policy, r).orElseThrow();

    assertThat(a.evidence())
        .containsEntry("reason", NonDedicatedSegmentRule.TUNNEL_OUTSIDE_NETWORKS)
        .containsEntry("tunnel", "ip-in-ip")
        .containsEntry("tunnelEndpoints", List.of("10.10.0.11", "10.10.0.12"))
        .doesNotContainKey("tunnelVlan");
    assertThat(a.message())
        .isEqualTo(
            "The vmotion migration 192.168.50.11 -> 192.168.50.12:8000 travels in a tunnel"
                + " (ip-in-ip) between 10.10.0.11 and 10.10.0.12, outside every migration network"
                + " (vmotion, live-migration)");
  }

  @Test
  void aTunnelInsideTheNetworkIsJudgedByItsOwnVlan() {
    FlowRecord tagged =
        flow("192.168.50.11", "192.168.50.12", 8000)
            .tunnel("gre", 10, "192.168.50.21", "192.168.50.22")
            .build();
    FlowRecord onItsVlan =
        flow("192.168.50.11", "192.168.50.12", 8000)
            .tunnel("gre", 50, "192.168.50.21", "192.168.50.22")
            .build();
    FlowRecord untagged =
        flow("192.168.50.11", "192.168.50.12", 8000)
            .tunnel("gre", null, "192.168.50.21", "192.168.50.22")
            .build();

    Alert a = judge(policy, tagged).orElseThrow();

    assertThat(a.evidence())
        .containsEntry("reason", NonDedicatedSegmentRule.TUNNEL_WRONG_VLAN)
        .containsEntry("network", "vmotion")
        .containsEntry("tunnelVlan", 10);
    assertThat(a.message())
        .endsWith(
            "travels in a tunnel (gre) between 192.168.50.21 and 192.168.50.22 on network"
                + " vmotion with VLAN 10, not one of its VLANs [50]");
    assertThat(judge(policy, onItsVlan)).isEmpty();
    assertThat(judge(policy, untagged)).isEmpty();
  }

  @Test
  void theMigrationsOwnPathIsJudgedFirst() {
    FlowRecord r =
        flow("10.10.0.11", "10.10.0.12", 8000)
            .tunnel("ip-in-ip", null, "192.168.50.21", "192.168.50.22")
            .build();

    assertThat(judge(policy, r))
        .map(a -> a.evidence().get("reason"))
        .contains(NonDedicatedSegmentRule.OUTSIDE_NETWORKS);
  }
}
