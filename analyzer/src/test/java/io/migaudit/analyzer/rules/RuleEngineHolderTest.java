package io.migaudit.analyzer.rules;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.Cidr;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.RuleId;
import io.migaudit.record.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A new policy takes over at the next {@code get()}, and the memory of raised alerts carries over.
 */
class RuleEngineHolderTest {
  private static final String UNTRUSTED = "192.168.50.99";

  private static Policy trusting(String extra) {
    Policy p = Flows.samplePolicy();
    List<Cidr> hosts = new ArrayList<>(p.trustedHosts());
    hosts.addAll(Flows.cidrs(extra));
    return new Policy(p.encryption(), p.migrationNetworks(), hosts, p.catalog());
  }

  private static List<RuleId> rules(RuleEngine engine, Flows.Builder f) {
    return engine.evaluate(f.build()).alerts().stream().map(Alert::rule).toList();
  }

  @Test
  void offeredPolicyJudgesFromTheNextGetOn() {
    RuleEngineHolder holder = new RuleEngineHolder(new RuleEngine(Flows.samplePolicy()));
    RuleEngine before = holder.get();
    assertThat(holder.get()).isSameAs(before);
    holder.offer(trusting(UNTRUSTED));
    assertThat(
            rules(
                before,
                flow(UNTRUSTED, "192.168.50.12", 8000).srcPort(1).verdict(Verdict.ENCRYPTED, "u")))
        .containsExactly(RuleId.UNTRUSTED_SOURCE);
    RuleEngine after = holder.get();
    assertThat(after).isNotSameAs(before);
    assertThat(after.policy().isTrusted(UNTRUSTED)).isTrue();
    assertThat(
            rules(
                after,
                flow(UNTRUSTED, "192.168.50.12", 8000).srcPort(2).verdict(Verdict.ENCRYPTED, "u")))
        .isEmpty();
    assertThat(holder.get()).isSameAs(after);
  }

  @Test
  void theLatestOfSeveralOffersWins() {
    RuleEngineHolder holder = new RuleEngineHolder(new RuleEngine(Flows.samplePolicy()));
    holder.offer(trusting(UNTRUSTED));
    holder.offer(trusting("192.168.50.98"));
    assertThat(holder.get().policy().isTrusted(UNTRUSTED)).isFalse();
  }

  @Test
  void alertsRaisedBeforeTheReloadAreNotRaisedAgain() {
    RuleEngineHolder holder = new RuleEngineHolder(new RuleEngine(Flows.samplePolicy()));
    Flows.Builder plaintext =
        flow("192.168.50.11", "192.168.50.12", 8000).verdict(Verdict.PLAINTEXT, "zeros");
    assertThat(rules(holder.get(), plaintext.seq(0))).containsExactly(RuleId.UNENCRYPTED_MIGRATION);
    holder.offer(trusting(UNTRUSTED));
    assertThat(rules(holder.get(), plaintext.seq(1))).isEmpty();
  }
}
