package io.migaudit.analyzer.suggest;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.MigrationNetwork;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.analyzer.rules.NonDedicatedSegmentRule;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import io.migaudit.record.RuleId;
import io.migaudit.record.Signature;
import io.migaudit.record.Verdict;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What policy suggest accepts, what it lists commented out, and the round trip through the rules.
 */
class PolicySuggestionTest {
  private static final String A = "192.168.50.11";
  private static final String B = "192.168.50.12";
  private static final String C = "192.168.50.99";
  private static final Set<RuleId> JUDGED =
      EnumSet.of(
          RuleId.UNTRUSTED_SOURCE, RuleId.UNTRUSTED_DESTINATION, RuleId.NON_DEDICATED_SEGMENT);

  private static List<FlowRecord> records() {
    return List.of(
        flow(A, B, 8000)
            .srcPort(41000)
            .vlan(50)
            .verdict(Verdict.ENCRYPTED, "x")
            .bytes(5000)
            .last()
            .build(),
        flow(B, A, 8000)
            .srcPort(41001)
            .vlan(50)
            .verdict(Verdict.ENCRYPTED, "x")
            .bytes(6000)
            .last()
            .build(),
        flow(A, B, 8000)
            .srcPort(41002)
            .vlan(50)
            .verdict(Verdict.PLAINTEXT, "x")
            .bytes(7000)
            .last()
            .build(),
        // a QEMU stream on a port the catalog does not name: a migration by its signature
        flow(B, A, 4444)
            .srcPort(41003)
            .vlan(50)
            .signature(Signature.QEMU)
            .verdict(Verdict.PLAINTEXT, "x")
            .last()
            .build(),
        flow(C, B, 8000).srcPort(41004).vlan(50).verdict(Verdict.ENCRYPTED, "x").last().build(),
        flow(A, "10.10.0.12", 8000).srcPort(41005).verdict(Verdict.ENCRYPTED, "x").last().build(),
        flow(A, B, 22).srcPort(41006).vlan(50).last().build());
  }

  private static PolicySuggestion suggestion() {
    PolicySuggestion s = new PolicySuggestion(PortCatalog.builtIn());
    records().forEach(s::add);
    return s;
  }

  /**
   * Migrations in a VXLAN overlay suggest their segment: the network lists the VNIs they travelled
   * in, and the suggested policy loads.
   */
  @Test
  void migrationsInAnOverlaySuggestItsSegments() throws Exception {
    PolicySuggestion s = new PolicySuggestion(PortCatalog.builtIn());
    s.add(flow(A, B, 49152).srcPort(41001).vni(5000).last().build());
    s.add(flow(B, A, 49152).srcPort(41002).vni(5001).last().build());
    s.add(flow(A, B, 49152).srcPort(41003).last().build());
    String yaml = SuggestedPolicyYaml.render(s, "test");
    assertThat(yaml).contains("    vnis: [5000, 5001]   # the overlay segments");
    assertThat(PolicyLoader.parse("suggested.yaml", yaml).migrationNetworks())
        .flatExtracting(MigrationNetwork::vnis)
        .containsExactly(5000, 5001);
  }

  @Test
  void hostsThatSentMigrationsTwiceAreTrustedOthersListedWithWhy() {
    PolicySuggestion s = suggestion();
    assertThat(s.trusted()).containsExactly(A, B);
    String yaml = SuggestedPolicyYaml.render(s, "test");
    assertThat(yaml)
        .contains("  - \"" + A + "\"")
        .contains("  - \"" + B + "\"")
        .contains("  # - \"" + C + "\"    # NOT trusted: seen in one flow only")
        .contains("  # - \"10.10.0.12\"       # NOT trusted: seen only as a destination")
        .contains("  - {protocol: qemu, transport: tcp, ports: [4444]}")
        .contains("  - name: vlan-50\n    cidrs: [\"192.168.50.0/24\"]\n    vlans: [50]")
        .contains("# zones:");
    assertThat(s.flows()).hasSize(6);
    assertThat(s.flows())
        .filteredOn(l -> l.sighting().record().dstPort() == 4444)
        .extracting(PolicySuggestion.Listed::status)
        .containsExactly("accepted on vlan-50");
    assertThat(s.flows())
        .filteredOn(l -> l.sighting().record().dst().equals("10.10.0.12"))
        .extracting(PolicySuggestion.Listed::status)
        .first()
        .asString()
        .contains("routed?");
  }

  @Test
  void aMigrationOverLoopbackIsPutOnTheLoopback() {
    PolicySuggestion s = new PolicySuggestion(PortCatalog.builtIn());
    for (String host : List.of("127.0.0.1", "::1")) {
      s.add(
          flow(host, host, 4444)
              .srcPort(41013)
              .signature(Signature.QEMU)
              .verdict(Verdict.PLAINTEXT, "x")
              .last()
              .build());
    }
    assertThat(SuggestedPolicyYaml.render(s, "test"))
        .contains("  - name: loopback\n    cidrs: [\"127.0.0.0/8\"]")
        .contains("  - name: loopback-ipv6\n    cidrs: [\"::1/128\"]")
        .doesNotContain("::/64");
  }

  @Test
  void theHostThatSendsThePulledMemoryIsItsSender() {
    // C dials A twice on port 5000 and A sends the memory back each time: A sent, C received
    PolicySuggestion s = new PolicySuggestion(PortCatalog.builtIn());
    for (int port : new int[] {41007, 41008}) {
      s.add(
          flow(C, A, 5000)
              .srcPort(port)
              .vlan(50)
              .bytes(3 << 20)
              .payload(4096, 1 << 20)
              .signature(Signature.QEMU)
              .last()
              .build());
    }
    assertThat(s.trusted()).containsExactly(A);
    assertThat(SuggestedPolicyYaml.render(s, "test"))
        .contains("  # - \"" + C + "\"    # NOT trusted: seen only as a destination");
  }

  @Test
  void replayingWithTheSuggestedPolicyRaisesNothingAboutWhatItAccepted() throws Exception {
    PolicySuggestion s = suggestion();
    Policy policy =
        PolicyLoader.parse("suggested-policy.yaml", SuggestedPolicyYaml.render(s, "test"));
    RuleEngine engine = new RuleEngine(policy);
    List<Alert> judged = new ArrayList<>();
    for (FlowRecord r : records()) {
      engine.evaluate(r).alerts().stream()
          .filter(a -> JUDGED.contains(a.rule()))
          .forEach(judged::add);
    }
    Set<String> trusted = s.trusted();
    assertThat(judged)
        .as("nothing about flows between accepted hosts")
        .allSatisfy(
            a -> assertThat(trusted.contains(a.src()) && trusted.contains(a.dst())).isFalse());
    assertThat(judged)
        .as("what it did not accept is still judged")
        .extracting(Alert::rule)
        .contains(RuleId.UNTRUSTED_SOURCE, RuleId.UNTRUSTED_DESTINATION);
  }

  @Test
  void migrationsInRoutedTunnelsAreListedAndTheirTunnelsStillJudged() throws Exception {
    List<FlowRecord> tunnelled = new ArrayList<>(records());
    for (int port : new int[] {41010, 41011}) {
      tunnelled.add(
          flow(A, B, 8000)
              .srcPort(port)
              .vlan(50)
              .verdict(Verdict.ENCRYPTED, "x")
              .tunnel("ip-in-ip", 10, "10.10.0.11", "10.10.0.12")
              .last()
              .build());
    }
    PolicySuggestion s = new PolicySuggestion(PortCatalog.builtIn());
    tunnelled.forEach(s::add);
    String yaml = SuggestedPolicyYaml.render(s, "test");
    RuleEngine engine = new RuleEngine(PolicyLoader.parse("suggested-policy.yaml", yaml));
    List<Alert> segment = new ArrayList<>();
    for (FlowRecord r : tunnelled) {
      engine.evaluate(r).alerts().stream()
          .filter(a -> a.rule() == RuleId.NON_DEDICATED_SEGMENT)
          .forEach(segment::add);
    }

    assertThat(yaml)
        .contains("# but for the routed tunnels listed under migrationNetworks.")
        .contains("  #   tunnel ip-in-ip between 10.10.0.11 and 10.10.0.12, VLAN 10: 2 flow(s)");
    assertThat(SuggestedPolicyYaml.render(suggestion(), "test"))
        .as("no tunnel, no note")
        .doesNotContain("routed tunnels");
    assertThat(segment)
        .as("the suggestion does not accept the tunnels' network")
        .filteredOn(a -> a.srcPort() == 41010 || a.srcPort() == 41011)
        .hasSize(2)
        .allSatisfy(
            a ->
                assertThat(a.evidence())
                    .containsEntry("reason", NonDedicatedSegmentRule.TUNNEL_OUTSIDE_NETWORKS));
  }

  @Test
  void aSignatureOnLaterFragmentsSuggestsNoPort() throws Exception {
    PolicySuggestion s = new PolicySuggestion(PortCatalog.builtIn());
    s.add(
        flow(A, B, 0)
            .srcPort(0)
            .signature(Signature.VMOTION)
            .verdict(Verdict.PLAINTEXT, "x")
            .last()
            .build());
    String yaml = SuggestedPolicyYaml.render(s, "test");

    assertThat(s.flows()).hasSize(1);
    assertThat(yaml).doesNotContain("ports: [0]");
    assertThat(PolicyLoader.parse("suggested-policy.yaml", yaml)).isNotNull();
  }
}
