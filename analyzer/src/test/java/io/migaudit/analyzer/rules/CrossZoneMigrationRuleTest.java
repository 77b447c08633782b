package io.migaudit.analyzer.rules;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.EncryptionMode;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.TrustZone;
import io.migaudit.analyzer.policy.ZonePath;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import io.migaudit.record.RuleId;
import io.migaudit.record.Severity;
import io.migaudit.record.Verdict;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CrossZoneMigrationRuleTest {
  private final Rule rule = new CrossZoneMigrationRule();

  /**
   * prod and dev; dev may send to prod; hv-07 accepts only from prod (a zone per destination host).
   */
  private static Policy zoned() {
    return new Policy(
        EncryptionMode.REQUIRED,
        List.of(),
        Flows.cidrs("10.0.0.0/8"),
        PortCatalog.builtIn(),
        List.of(
            new TrustZone("prod", Flows.cidrs("10.1.0.0/24")),
            new TrustZone("dev", Flows.cidrs("10.2.0.0/24")),
            new TrustZone("hv-07", Flows.cidrs("10.3.0.7"))),
        List.of(new ZonePath("dev", "prod"), new ZonePath("prod", "hv-07")));
  }

  /**
   * A QEMU migration on port 5000 that {@code initiator} opened, with the payload bytes each way.
   */
  private static FlowRecord qemuOn5000(
      String initiator, String responder, long toResponder, long toInitiator) {
    return flow(initiator, responder, 5000)
        .bytes(3 << 20)
        .payload(toResponder, toInitiator)
        .protocol("qemu")
        .build();
  }

  private Optional<Alert> judge(FlowRecord r, Policy policy) {
    return rule.evaluate(new MigrationDetector(policy).classify(r), policy);
  }

  @Test
  void migrationAgainstTheAllowedDirectionIsCritical() {
    FlowRecord r = flow("10.1.0.5", "10.2.0.6", 8000).verdict(Verdict.ENCRYPTED, "uniform").build();
    Alert a = judge(r, zoned()).orElseThrow();
    assertThat(a.rule()).isEqualTo(RuleId.CROSS_ZONE_MIGRATION);
    assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(a.message())
        .isEqualTo(
            "The vmotion migration 10.1.0.5 -> 10.2.0.6:8000 crosses from zone prod"
                + " to zone dev, which no allowed path permits");
    assertThat(a.evidence())
        .containsEntry("fromZone", "prod")
        .containsEntry("toZone", "dev")
        .containsEntry("allowedSources", List.of("dev"));
    assertThat(a.controls()).isEqualTo(ControlCatalog.controlsOf(RuleId.CROSS_ZONE_MIGRATION));
  }

  @Test
  void aDestinationThatDialsItsSourceDoesNotMakeAForbiddenPathAllowed() {
    // dev opens the connection to prod (dev -> prod is allowed), but the memory flows from prod,
    // 1 MiB against 4 KiB of acknowledgments: prod -> dev, which no path allows
    FlowRecord pulledFromProd = qemuOn5000("10.2.0.6", "10.1.0.5", 4096, 1 << 20);
    Alert a = judge(pulledFromProd, zoned()).orElseThrow();
    assertThat(a.evidence())
        .containsEntry("fromZone", "prod")
        .containsEntry("toZone", "dev")
        .containsEntry("memorySentBy", "responder");
    assertThat(a.message())
        .isEqualTo(
            "The qemu migration 10.1.0.5:5000 -> 10.2.0.6 through a connection 10.2.0.6 opened"
                + " crosses from zone prod to zone dev, which no allowed path permits");
    // the allowed direction, pulled: dev's memory to prod through a connection prod opened
    FlowRecord pulledFromDev = qemuOn5000("10.1.0.5", "10.2.0.6", 4096, 1 << 20);
    assertThat(judge(pulledFromDev, zoned())).isEmpty();
    // and pushed as usual, when the bulk flows from the initiator
    FlowRecord pushedFromDev = qemuOn5000("10.2.0.6", "10.1.0.5", 1 << 20, 4096);
    assertThat(judge(pushedFromDev, zoned())).isEmpty();
  }

  @Test
  void allowedPathAndSameZonePass() {
    assertThat(judge(flow("10.2.0.5", "10.1.0.6", 8000).build(), zoned())).isEmpty();
    assertThat(judge(flow("10.1.0.5", "10.1.0.6", 8000).build(), zoned())).isEmpty();
  }

  @Test
  void perDestinationZoneAdmitsOnlyItsListedSources() {
    assertThat(judge(flow("10.1.0.5", "10.3.0.7", 6600).build(), zoned())).isEmpty();
    Alert a = judge(flow("10.2.0.5", "10.3.0.7", 6600).build(), zoned()).orElseThrow();
    assertThat(a.evidence())
        .containsEntry("toZone", "hv-07")
        .containsEntry("allowedSources", List.of("hv-07", "prod"));
  }

  @Test
  void hostsInNoZoneAreLeftToTrustedHosts() {
    assertThat(judge(flow("10.9.0.1", "10.1.0.6", 8000).build(), zoned())).isEmpty();
    assertThat(judge(flow("10.1.0.6", "10.9.0.1", 8000).build(), zoned())).isEmpty();
  }

  @Test
  void nonMigrationTrafficAndPoliciesWithoutZonesAreNotJudged() {
    assertThat(judge(flow("10.1.0.5", "10.2.0.6", 80).build(), zoned())).isEmpty();
    assertThat(judge(flow("10.1.0.5", "10.2.0.6", 8000).build(), Flows.samplePolicy())).isEmpty();
  }

  @Test
  void theEngineRunsTheRuleOncePerFlow() {
    RuleEngine engine = new RuleEngine(zoned());
    FlowRecord first = flow("10.1.0.5", "10.2.0.6", 8000).build();
    assertThat(engine.evaluate(first).alerts())
        .extracting(Alert::rule)
        .containsExactly(RuleId.CROSS_ZONE_MIGRATION);
    assertThat(engine.evaluate(first).alerts()).isEmpty();
  }
}
