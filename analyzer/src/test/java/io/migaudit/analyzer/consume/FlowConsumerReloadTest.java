package io.migaudit.analyzer.consume;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.analyzer.alert.AlertSink;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.rules.Flows;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.analyzer.rules.RuleEngineHolder;
import io.migaudit.record.Alert;
import io.migaudit.record.Topics;
import io.migaudit.record.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With a {@link RuleEngineHolder}, a reloaded policy judges whole batches, from the next one read on. */
class FlowConsumerReloadTest {
  private static final TopicPartition P0 = new TopicPartition(Topics.FLOWS, 0);
  private static final String NEWLY_TRUSTED = "192.168.50.99";

  private final MockConsumer<byte[], byte[]> kafka = new MockConsumer<>("earliest");
  private final List<Alert> written = new ArrayList<>();
  private final RuleEngineHolder engines = new RuleEngineHolder(new RuleEngine(Flows.samplePolicy()));
  private FlowConsumer flows;
  private long offset;

  @BeforeEach
  void setUp() {
    AlertSink sink = new AlertSink() {
      @Override
      public void write(List<Alert> alerts) {
        written.addAll(alerts);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    RuleEngine first = engines.get();
    flows = new FlowConsumer(kafka, engines, List.of(sink), List.of(),
        new AnalyzerMetrics(new SimpleMeterRegistry(), first.protocols()), FlowObserver.NONE);
    kafka.rebalance(List.of(P0));
    kafka.updateBeginningOffsets(Map.of(P0, 0L));
  }

  private static Policy trustingNewHost() {
    Policy p = Flows.samplePolicy();
    List<io.migaudit.analyzer.policy.Cidr> hosts = new ArrayList<>(p.trustedHosts());
    hosts.addAll(Flows.cidrs(NEWLY_TRUSTED));
    return new Policy(p.encryption(), p.migrationNetworks(), hosts, p.catalog());
  }

  /** A TLS migration from the host the new policy trusts, one source port per flow. */
  private void addMigrationFrom(String src, int srcPort) {
    byte[] json = flow(src, "192.168.50.12", 8000).srcPort(srcPort).verdict(Verdict.ENCRYPTED, "tls").json()
        .toString().getBytes(StandardCharsets.UTF_8);
    kafka.addRecord(new ConsumerRecord<>(Topics.FLOWS, 0, offset++, "k".getBytes(StandardCharsets.UTF_8), json));
  }

  private List<Integer> alertedSourcePorts() {
    return written.stream().map(Alert::srcPort).toList();
  }

  @Test
  void policyOfferedBetweenBatchesJudgesTheNextBatch() {
    addMigrationFrom(NEWLY_TRUSTED, 40001);
    flows.pollOnce(Duration.ZERO);
    assertThat(alertedSourcePorts()).containsExactly(40001);
    engines.offer(trustingNewHost());
    addMigrationFrom(NEWLY_TRUSTED, 40002);
    addMigrationFrom("192.168.50.98", 40003);
    flows.pollOnce(Duration.ZERO);
    assertThat(alertedSourcePorts()).containsExactly(40001, 40003);
  }

  @Test
  void policyOfferedWhilePollingJudgesTheWholeBatchItReturns() {
    addMigrationFrom(NEWLY_TRUSTED, 40001);
    addMigrationFrom(NEWLY_TRUSTED, 40002);
    // runs inside poll(), before the records are handed out, as a watcher thread could
    kafka.schedulePollTask(() -> engines.offer(trustingNewHost()));
    flows.pollOnce(Duration.ZERO);
    assertThat(written).isEmpty();
  }
}
