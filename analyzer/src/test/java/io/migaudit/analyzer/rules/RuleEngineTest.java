package io.migaudit.analyzer.rules;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import io.migaudit.record.Signature;
import io.migaudit.record.StreamEvidence;
import io.migaudit.record.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleEngineTest {
  private final Policy policy = Flows.samplePolicy();
  private final RuleEngine engine = new RuleEngine(policy);

  @Test
  void interimRecordsOfAFlowAlertOnce() {
    Flows.Builder f =
        flow("192.168.50.11", "192.168.50.12", 8000).verdict(Verdict.PLAINTEXT, "zeros");
    assertThat(engine.evaluate(f.seq(0).build()).alerts())
        .extracting(Alert::rule)
        .containsExactly(RuleId.UNENCRYPTED_MIGRATION);
    assertThat(engine.evaluate(f.seq(1).build()).alerts()).isEmpty();
    assertThat(engine.evaluate(f.seq(2).last().build()).alerts()).isEmpty();
  }

  @Test
  void aTunnelBetweenTrustedHostsOnTheSegmentWaitsForItsEvidence() {
    // SSH on the vMotion VLAN: nothing while it may still turn out a copy; a copy is a clean
    // migration
    Flows.Builder tunnel =
        flow("192.168.50.11", "192.168.50.12", 22)
            .vlan(50)
            .signature(Signature.SSH)
            .verdict(Verdict.ENCRYPTED, "ssh");
    assertThat(engine.evaluate(tunnel.seq(0).payload(3_000, 2_000).build()).alerts()).isEmpty();
    Evaluation copy = engine.evaluate(tunnel.seq(1).payload(4_000_000, 40_000).build());
    assertThat(copy.migration()).isTrue();
    assertThat(copy.alerts()).isEmpty();
  }

  @Test
  void aShellBetweenTrustedHostsOnTheSegmentIsSharedTrafficWhenItEnds() {
    Flows.Builder shell =
        flow("192.168.50.11", "192.168.50.12", 22)
            .vlan(50)
            .signature(Signature.SSH)
            .verdict(Verdict.ENCRYPTED, "ssh")
            .payload(3_000, 9_000);
    assertThat(engine.evaluate(shell.seq(0).build()).alerts()).isEmpty();
    assertThat(engine.evaluate(shell.seq(1).last().build()).alerts())
        .extracting(Alert::rule)
        .containsExactly(RuleId.SHARED_MIGRATION_SEGMENT);
  }

  @Test
  void aRuleThatFiresLaterStillAlerts() {
    Flows.Builder f = flow("192.168.50.11", "192.168.50.12", 8000);
    assertThat(engine.evaluate(f.seq(0).build()).alerts()).isEmpty();
    Evaluation later = engine.evaluate(f.seq(1).verdict(Verdict.PLAINTEXT, "zeros").build());
    assertThat(later.alerts())
        .extracting(Alert::rule)
        .containsExactly(RuleId.UNENCRYPTED_MIGRATION);
    assertThat(engine.evaluate(f.seq(2).build()).alerts()).isEmpty();
  }

  @Test
  void everyRuleThatFiresAlertsInOneRecord() {
    List<FlowRecord> records =
        List.of(
            flow("10.1.1.1", "10.1.1.2", 8000).vlan(7).verdict(Verdict.COMPRESSED, "lz4").build(),
            // a VM moved in clear between an unknown hypervisor pair, on QEMU's documentation port
            flow("203.0.113.8", "203.0.113.9", 4444)
                .signature(Signature.QEMU)
                .verdict(Verdict.PLAINTEXT, "qemu framing in clear")
                .payload(3_000_000, 20_000)
                .build());
    for (FlowRecord r : records) {
      Evaluation e = engine.evaluate(r);
      assertThat(e.alerts())
          .as("%s:%d", r.dst(), r.dstPort())
          .extracting(Alert::rule)
          .containsExactly(
              RuleId.UNENCRYPTED_MIGRATION,
              RuleId.UNTRUSTED_SOURCE,
              RuleId.UNTRUSTED_DESTINATION,
              RuleId.NON_DEDICATED_SEGMENT);
      assertThat(e.alerts()).extracting(Alert::alertId).doesNotHaveDuplicates();
    }
  }

  @Test
  void sameFlowFromTwoAgentsAlertsOnce() {
    Flows.Builder f =
        flow("192.168.50.11", "192.168.50.12", 8000).verdict(Verdict.PLAINTEXT, "zeros");
    assertThat(engine.evaluate(f.agent("esx-a").build()).alerts()).hasSize(1);
    assertThat(engine.evaluate(f.agent("esx-b").build()).alerts()).isEmpty();
  }

  @Test
  void differentFlowsAlertSeparately() {
    assertThat(
            engine
                .evaluate(
                    flow("192.168.50.11", "192.168.50.12", 8000)
                        .verdict(Verdict.PLAINTEXT, "z")
                        .build())
                .alerts())
        .hasSize(1);
    assertThat(
            engine
                .evaluate(
                    flow("192.168.50.12", "192.168.50.11", 8000)
                        .verdict(Verdict.PLAINTEXT, "z")
                        .build())
                .alerts())
        .hasSize(1);
  }

  @Test
  void flowsOfOneConnectionThatForgedClosesSplitAlertOnce() {
    FlowRecord first =
        flow("192.168.50.11", "192.168.50.12", 8000).verdict(Verdict.UNKNOWN, "nothing").build();
    assertThat(engine.evaluate(first).alerts()).isEmpty();
    StreamEvidence continuing = new StreamEvidence(false, 3, 0, 0, 0).continuing(first.flowId());
    for (int i = 1; i <= 3; i++) {
      FlowRecord next =
          flow("192.168.50.11", "192.168.50.12", 8000)
              .verdict(Verdict.PLAINTEXT, "zeros")
              .build()
              .withIdentity(
                  first.flowId().substring(0, 20) + "000" + i,
                  first.firstSeen().plusMillis(i),
                  first.lastSeen().plusMillis(i))
              .withStream(continuing);
      assertThat(engine.evaluate(next).alerts())
          .as("flow %d of the connection", i)
          .hasSize(i == 1 ? 1 : 0);
    }
    FlowRecord own =
        flow("192.168.50.11", "192.168.50.12", 8000)
            .verdict(Verdict.PLAINTEXT, "zeros")
            .build()
            .withIdentity("0123456789abcdef01234567", first.firstSeen(), first.lastSeen());
    assertThat(engine.evaluate(own).alerts()).as("a connection of its own").hasSize(1);
  }

  @Test
  void evaluationLabelsTheFlow() {
    Evaluation e = engine.evaluate(flow("10.66.0.21", "10.66.0.22", 6600).build());
    assertThat(e.migration()).isTrue();
    assertThat(e.record().protocol()).isEqualTo("hyperv");
    assertThat(engine.evaluate(flow("10.66.0.21", "10.66.0.22", 80).build()).migration()).isFalse();
  }

  @Test
  void boundedMemoryForgetsTheOldestAndMayReRaiseWithTheSameId() {
    RuleEngine small = new RuleEngine(policy, RuleEngine.standardRules(), 1);
    Flows.Builder a = flow("192.168.50.11", "192.168.50.12", 8000).verdict(Verdict.PLAINTEXT, "z");
    Flows.Builder b = flow("192.168.50.12", "192.168.50.11", 8000).verdict(Verdict.PLAINTEXT, "z");
    Alert first = small.evaluate(a.build()).alerts().get(0);
    assertThat(small.evaluate(a.build()).alerts()).isEmpty();
    assertThat(small.evaluate(b.build()).alerts()).hasSize(1);
    assertThat(small.evaluate(a.build()).alerts()).containsExactly(first);
  }

  @Test
  void forgottenAlertsAreRaisedAgain() {
    Flows.Builder f = flow("192.168.50.11", "192.168.50.12", 8000).verdict(Verdict.PLAINTEXT, "z");
    Evaluation e = engine.evaluate(f.build());
    engine.forget(e.alerts());
    assertThat(engine.evaluate(f.build()).alerts()).isEqualTo(e.alerts());
  }

  @Test
  void protocolsCoverCatalogAndTunnels() {
    assertThat(engine.protocols())
        .contains(
            "vmotion",
            "hyperv",
            "qemu",
            "proxmox",
            MigrationDetector.TUNNEL_ESP,
            MigrationDetector.TUNNEL_SSH,
            MigrationDetector.TUNNEL_TLS,
            MigrationDetector.BULK_TCP);
  }
}
