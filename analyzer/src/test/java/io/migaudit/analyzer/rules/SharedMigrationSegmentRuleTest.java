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

class SharedMigrationSegmentRuleTest {
  private final Policy policy = Flows.samplePolicy();
  private final Rule rule = new SharedMigrationSegmentRule();

  private Optional<Alert> judge(Policy p, FlowRecord r) {
    return rule.evaluate(new MigrationDetector(p).classify(r), p);
  }

  @Test
  void otherTrafficTaggedWithAMigrationVlanWarns() {
    Alert a = judge(policy, flow("172.16.0.5", "172.16.0.6", 2049).vlan(50).build()).orElseThrow();
    assertThat(a.rule()).isEqualTo(RuleId.SHARED_MIGRATION_SEGMENT);
    assertThat(a.severity()).isEqualTo(Severity.WARNING);
    assertThat(a.protocol()).isNull();
    assertThat(a.evidence())
        .containsEntry("network", "vmotion")
        .containsEntry("matchedBy", SharedMigrationSegmentRule.BY_VLAN)
        .containsEntry("vlan", 50)
        .containsEntry("transport", "tcp");
    assertThat(a.message())
        .isEqualTo(
            "Non-migration tcp traffic 172.16.0.5 -> 172.16.0.6:2049 on migration network vmotion (VLAN 50)");
  }

  @Test
  void untaggedOtherTrafficInsideANetworkWarns() {
    Alert a = judge(policy, flow("10.66.0.30", "10.66.0.22", 22).build()).orElseThrow();
    assertThat(a.evidence())
        .containsEntry("network", "live-migration")
        .containsEntry("matchedBy", SharedMigrationSegmentRule.BY_ADDRESS)
        .containsEntry("cidrs", List.of("10.66.0.0/24"))
        .doesNotContainKey("vlan");
    assertThat(a.message())
        .isEqualTo(
            "Non-migration tcp traffic 10.66.0.30 -> 10.66.0.22:22 on migration network live-migration (untagged)");
  }

  @Test
  void untaggedIpv6InsideANetworkWarns() {
    assertThat(judge(policy, flow("fd00:50::30", "fd00:50::12", 80).transport("udp").build()))
        .map(Alert::message)
        .contains(
            "Non-migration udp traffic fd00:50::30 -> [fd00:50::12]:80"
                + " on migration network vmotion (untagged)");
  }

  @Test
  void onlyAnEmptyTcpConnectionOnAMigrationSegmentWaitsForTheGracePeriod() {
    // it may be a channel of a QEMU migration whose first record comes after its own (a final
    // record: between two trusted hosts a flow that has not ended is still undecided)
    assertThat(waits(flow("192.168.50.11", "192.168.50.12", 5000).payload(0, 0).last().build()))
        .isTrue();
    assertThat(waits(flow("192.168.50.30", "192.168.50.31", 5000).payload(0, 0).build())).isTrue();
    assertThat(waits(flow("192.168.50.11", "192.168.50.12", 5000).payload(10, 0).last().build()))
        .as("it carried something: judged at once")
        .isFalse();
    assertThat(
            waits(
                flow("192.168.50.11", "192.168.50.12", 5000)
                    .transport("udp")
                    .payload(0, 0)
                    .build()))
        .isFalse();
    assertThat(waits(flow("10.10.0.5", "192.168.50.12", 5000).payload(0, 0).build()))
        .as("off every migration segment: never judged by this rule")
        .isFalse();
  }

  private boolean waits(FlowRecord r) {
    return rule.judgesLater(new MigrationDetector(policy).classify(r), policy);
  }

  /**
   * The later fragments of datagrams on a migration VLAN (ports 0: they have no transport header)
   * are no traffic of their own: each first fragment, with its ports, is judged with its flow. A
   * datagram on port 0 that is not a fragment's is still unusual traffic, but the agent keys it
   * with the fragments; other transports with no ports (GRE) stay judged.
   */
  @Test
  void laterFragmentsAreNotOtherTraffic() {
    for (String transport : List.of("udp", "tcp")) {
      assertThat(
              judge(
                  policy,
                  flow("10.20.0.1", "10.20.0.2", 0)
                      .srcPort(0)
                      .transport(transport)
                      .vlan(50)
                      .build()))
          .as(transport + " fragments")
          .isEmpty();
    }
    assertThat(judge(policy, flow("10.20.0.1", "10.20.0.2", 0).srcPort(41011).vlan(50).build()))
        .as("a port of its own")
        .isPresent();
    assertThat(
            judge(
                policy,
                flow("10.20.0.1", "10.20.0.2", 0).srcPort(0).transport("ip-47").vlan(50).build()))
        .as("GRE on the migration VLAN")
        .isPresent();
  }

  /**
   * Other traffic in a migration network's overlay segment warns, whatever its addresses; in
   * another VNI, migration addresses are another segment, as with another VLAN.
   */
  @Test
  void otherTrafficInAMigrationOverlaySegmentWarns() {
    Policy overlay = Flows.oneNetwork(List.of(), List.of(5000));
    Alert a =
        judge(overlay, flow("172.16.0.5", "172.16.0.6", 2049).vni(5000).build()).orElseThrow();
    assertThat(a.evidence())
        .containsEntry("matchedBy", SharedMigrationSegmentRule.BY_VNI)
        .containsEntry("vni", 5000);
    assertThat(a.message())
        .isEqualTo(
            "Non-migration tcp traffic 172.16.0.5 -> 172.16.0.6:2049 on migration network vmotion"
                + " (untagged, VNI 5000)");
    assertThat(judge(overlay, flow("192.168.50.30", "192.168.50.31", 80).vni(7000).build()))
        .as("another overlay segment")
        .isEmpty();
    assertThat(judge(overlay, flow("192.168.50.30", "192.168.50.31", 80).build()))
        .map(x -> x.evidence().get("matchedBy"))
        .as("in no overlay, by address")
        .contains(SharedMigrationSegmentRule.BY_ADDRESS);
  }

  @Test
  void oneEndInsideIsNotTheSegment() {
    assertThat(judge(policy, flow("10.10.0.5", "192.168.50.12", 443).build())).isEmpty();
  }

  @Test
  void otherVlanIsAnotherSegmentEvenWithMigrationAddresses() {
    assertThat(judge(policy, flow("192.168.50.30", "192.168.50.12", 443).vlan(10).build()))
        .isEmpty();
  }

  @Test
  void taggedTrafficInANetworkWithoutVlansIsJudgedByAddress() {
    Policy noVlans = Flows.oneNetwork(List.of(), List.of());
    assertThat(judge(noVlans, flow("192.168.50.30", "192.168.50.12", 443).vlan(10).build()))
        .map(a -> a.evidence().get("matchedBy"))
        .contains(SharedMigrationSegmentRule.BY_ADDRESS);
  }

  @Test
  void linkControlDoesNotCount() {
    assertThat(
            judge(
                policy,
                flow("192.168.50.11", "192.168.50.12", 0).transport("icmp").vlan(50).build()))
        .isEmpty();
    assertThat(judge(policy, flow("fd00:50::11", "fd00:50::12", 0).transport("icmpv6").build()))
        .isEmpty();
    assertThat(judge(policy, flow("192.168.50.11", "192.168.50.12", 0).transport("igmp").build()))
        .isEmpty();
  }

  @Test
  void migrationTrafficDoesNotCount() {
    assertThat(judge(policy, flow("192.168.50.11", "192.168.50.12", 8000).vlan(50).build()))
        .isEmpty();
  }

  @Test
  void offWhenThePolicyHasNoNetworks() {
    assertThat(
            judge(Policy.defaults(), flow("192.168.50.30", "192.168.50.12", 22).vlan(50).build()))
        .isEmpty();
  }
}
