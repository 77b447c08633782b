package io.migaudit.analyzer.rules;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.Cidr;
import io.migaudit.analyzer.policy.CryptoPolicy;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.RoutablePolicy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.HopLimits;
import io.migaudit.record.RuleId;
import io.migaudit.record.Severity;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoutedMigrationRuleTest {
  private final RoutedMigrationRule rule = new RoutedMigrationRule();

  private static HopLimits ttl(int sentMin, int receivedMin) {
    return new HopLimits(
        new HopLimits.Range(sentMin, sentMin), new HopLimits.Range(receivedMin, receivedMin));
  }

  private Optional<Alert> judge(String src, String dst, HopLimits ttl, Policy policy) {
    FlowRecord r = flow(src, dst, 8000).build().withPath(ttl, null);
    return rule.evaluate(new MigrationDetector(policy).classify(r), policy);
  }

  @Test
  void onTheSegmentNothingIsRaised() {
    assertThat(judge("192.168.50.11", "192.168.50.12", ttl(64, 64), Flows.samplePolicy()))
        .isEmpty();
    assertThat(judge("192.168.50.11", "192.168.50.12", ttl(128, 255), Flows.samplePolicy()))
        .isEmpty();
  }

  @Test
  void oneRouterIsARoutedMigration() {
    Alert a =
        judge("192.168.50.11", "192.168.50.12", ttl(63, 64), Flows.samplePolicy()).orElseThrow();
    assertThat(a.rule()).isEqualTo(RuleId.ROUTED_MIGRATION);
    assertThat(a.severity()).isEqualTo(Severity.WARNING);
    assertThat(a.evidence()).containsEntry("hops", 1).containsEntry("initialTtl", 64);
    assertThat(a.message()).contains("crossed 1 router", "TTL 63");
    assertThat(a.controls()).startsWith("DISA ESXI-80-000160");
  }

  @Test
  void theFurtherDirectionCounts() {
    assertThat(
            judge("192.168.50.11", "192.168.50.12", ttl(64, 125), Flows.samplePolicy())
                .orElseThrow()
                .evidence())
        .containsEntry("hops", 3);
  }

  @Test
  void anAllowedPathIsNotRaisedUpToItsHops() {
    Cidr a = Cidr.parse("192.168.50.0/25").orElseThrow();
    Cidr b = Cidr.parse("192.168.50.0/24").orElseThrow();
    Policy routed =
        Flows.samplePolicy()
            .withPath(
                CryptoPolicy.defaults(),
                new RoutablePolicy(List.of(new RoutablePolicy.RoutedPath(b, a, 2))));
    assertThat(judge("192.168.50.11", "192.168.50.12", ttl(62, 62), routed)).isEmpty();
    assertThat(judge("192.168.50.11", "192.168.50.12", ttl(61, 64), routed)).isPresent();
    assertThat(judge("192.168.50.11", "192.168.50.200", ttl(63, 63), routed))
        .as("reverse direction")
        .isEmpty();
  }

  @Test
  void aRecordWithoutTtlsOrNotAMigrationIsNotJudged() {
    assertThat(judge("192.168.50.11", "192.168.50.12", null, Flows.samplePolicy())).isEmpty();
    FlowRecord web = flow("10.9.9.1", "10.9.9.2", 80).build().withPath(ttl(50, 50), null);
    Policy p = Flows.samplePolicy();
    assertThat(rule.evaluate(new MigrationDetector(p).classify(web), p)).isEmpty();
  }
}
