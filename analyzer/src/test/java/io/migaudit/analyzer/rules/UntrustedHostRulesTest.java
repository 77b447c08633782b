package io.migaudit.analyzer.rules;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.EncryptionMode;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import io.migaudit.record.RuleId;
import io.migaudit.record.Severity;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link UntrustedSourceRule} and {@link UntrustedDestinationRule}. */
class UntrustedHostRulesTest {
  private final Policy policy = Flows.samplePolicy();
  private final Rule source = new UntrustedSourceRule();
  private final Rule destination = new UntrustedDestinationRule();

  private Optional<Alert> judge(Rule rule, Policy p, FlowRecord r) {
    return rule.evaluate(new MigrationDetector(p).classify(r), p);
  }

  @Test
  void untrustedSenderIsCritical() {
    FlowRecord r = flow("192.168.50.99", "192.168.50.12", 8000).build();
    Alert a = judge(source, policy, r).orElseThrow();
    assertThat(a.rule()).isEqualTo(RuleId.UNTRUSTED_SOURCE);
    assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(a.evidence())
        .containsEntry("untrustedAddress", "192.168.50.99")
        .containsEntry("role", "source")
        .containsEntry("initiatorBy", "syn")
        .containsEntry("memorySentBy", "initiator");
    assertThat(a.message())
        .isEqualTo("Untrusted host 192.168.50.99 opened a vmotion migration to 192.168.50.12:8000");
    assertThat(judge(destination, policy, r)).isEmpty();
  }

  @Test
  void untrustedReceiverIsCritical() {
    FlowRecord r = flow("192.168.50.11", "192.168.50.99", 8000).build();
    Alert a = judge(destination, policy, r).orElseThrow();
    assertThat(a.rule()).isEqualTo(RuleId.UNTRUSTED_DESTINATION);
    assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(a.evidence())
        .containsEntry("untrustedAddress", "192.168.50.99")
        .containsEntry("role", "destination");
    assertThat(a.message())
        .isEqualTo(
            "Untrusted host 192.168.50.99:8000 accepted a vmotion migration from 192.168.50.11");
    assertThat(judge(source, policy, r)).isEmpty();
  }

  /** A flow on the vMotion port whose bulk flows back to the host that opened it. */
  private static FlowRecord pulled(String initiator, String responder) {
    return flow(initiator, responder, 8000).bytes(3 << 20).payload(4096, 1 << 20).build();
  }

  @Test
  void anUntrustedHostThatDialsAndPullsTheMemoryIsTheDestination() {
    FlowRecord r = pulled("192.168.50.99", "192.168.50.12");
    assertPulledAlert(
        destination,
        r,
        "192.168.50.99",
        "destination",
        "Untrusted host 192.168.50.99 received a vmotion migration from 192.168.50.12:8000"
            + " through a connection it opened");
    // the trusted host that sends the memory is no untrusted source
    assertThat(judge(source, policy, r)).isEmpty();
  }

  @Test
  void anUntrustedHostThatIsDialledAndSendsTheMemoryIsTheSource() {
    FlowRecord r = pulled("192.168.50.11", "192.168.50.98");
    assertPulledAlert(
        source,
        r,
        "192.168.50.98",
        "source",
        "Untrusted host 192.168.50.98:8000 sent a vmotion migration to 192.168.50.11,"
            + " which opened the connection");
    assertThat(judge(destination, policy, r)).isEmpty();
  }

  private void assertPulledAlert(
      Rule rule, FlowRecord r, String untrusted, String role, String message) {
    Alert a = judge(rule, policy, r).orElseThrow();
    assertThat(a.evidence())
        .containsEntry("untrustedAddress", untrusted)
        .containsEntry("role", role)
        .containsEntry("memorySentBy", "responder");
    assertThat(a.message()).isEqualTo(message);
  }

  @Test
  void bothEndsUntrustedRaiseBoth() {
    FlowRecord r = flow("10.1.1.1", "10.1.1.2", 6600).build();
    assertThat(judge(source, policy, r)).isPresent();
    assertThat(judge(destination, policy, r)).isPresent();
  }

  @Test
  void trustedCidrCoversItsHosts() {
    Policy cidrPolicy =
        new Policy(
            EncryptionMode.REQUIRED,
            List.of(),
            Flows.cidrs("192.168.50.0/28"),
            PortCatalog.builtIn());
    FlowRecord inside = flow("192.168.50.1", "192.168.50.14", 8000).build();
    FlowRecord outside = flow("192.168.50.1", "192.168.50.16", 8000).build();
    assertThat(judge(source, cidrPolicy, inside)).isEmpty();
    assertThat(judge(destination, cidrPolicy, inside)).isEmpty();
    assertThat(judge(destination, cidrPolicy, outside)).isPresent();
  }

  @Test
  void ipv6Hosts() {
    FlowRecord trusted = flow("fd00:50::11", "fd00:50::12", 8000).build();
    FlowRecord untrusted = flow("fd00:50::66", "fd00:50::12", 8000).build();
    assertThat(judge(source, policy, trusted)).isEmpty();
    assertThat(judge(source, policy, untrusted).orElseThrow().evidence())
        .containsEntry("untrustedAddress", "fd00:50::66");
    FlowRecord toUntrusted = flow("fd00:50::11", "fd00:50::66", 8000).build();
    assertThat(judge(destination, policy, toUntrusted).orElseThrow().message())
        .isEqualTo(
            "Untrusted host [fd00:50::66]:8000 accepted a vmotion migration from fd00:50::11");
  }

  @Test
  void nonMigrationTrafficIsNotJudged() {
    FlowRecord r = flow("10.1.1.1", "10.1.1.2", 443).build();
    assertThat(judge(source, policy, r)).isEmpty();
    assertThat(judge(destination, policy, r)).isEmpty();
  }
}
