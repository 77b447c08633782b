package io.migaudit.analyzer.consume;

import static io.migaudit.analyzer.rules.Flows.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.analyzer.alert.AlertSink;
import io.migaudit.analyzer.auth.KerberosEvidenceTest;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.HypervPolicy;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.rules.Flows;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.RuleId;
import io.migaudit.record.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Kafka order is not time order: the migration's final record may come before the record of the
 * TGS-REQ that preceded it (another partition, or a UDP exchange written later). The consumer
 * previews the whole batch, so the request still counts.
 */
class KerberosBatchOrderTest {
  private static final TopicPartition P0 = new TopicPartition(Topics.FLOWS, 0);
  private static final TopicPartition P1 = new TopicPartition(Topics.FLOWS, 1);
  private static final Policy POLICY = Flows.samplePolicy().withHyperv(new HypervPolicy(true, Duration.ofHours(10),
      Map.of("hv-01.corp.example", List.of("10.66.0.21", "10.10.0.21"),
          "hv-02.corp.example", List.of("10.66.0.22", "10.10.0.22"))));

  private static List<RuleId> alertsFor(String requestedService) {
    MockConsumer<byte[], byte[]> kafka = new MockConsumer<>("earliest");
    RuleEngine engine = new RuleEngine(POLICY);
    List<Alert> written = new ArrayList<>();
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
    try (FlowConsumer flows = new FlowConsumer(kafka, engine, List.of(sink),
        new AnalyzerMetrics(new SimpleMeterRegistry(), engine.protocols()), new FlowObserver() {})) {
      kafka.rebalance(List.of(P0, P1));
      kafka.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
      FlowRecord migration = KerberosEvidenceTest.migration("10.66.0.21", "10.66.0.22", 6600, "hyperv",
          T0.plusSeconds(2));
      FlowRecord request = KerberosEvidenceTest.kdcFlow("10.10.0.21", T0, requestedService);
      // an earlier batch: the source's TGT (AS-REQ), so its Kerberos traffic is watched
      FlowRecord tgt = KerberosEvidenceTest.kdcFlow("10.10.0.21", T0.minusSeconds(60));
      kafka.addRecord(new ConsumerRecord<>(Topics.FLOWS, 1, 0, new byte[] {1}, RecordJson.toBytes(tgt)));
      assertThat(flows.pollOnce(Duration.ZERO)).isEqualTo(1);
      // this batch: the migration's final record first, the request that preceded it after
      kafka.addRecord(new ConsumerRecord<>(Topics.FLOWS, 0, 0, new byte[] {0}, RecordJson.toBytes(migration)));
      kafka.addRecord(new ConsumerRecord<>(Topics.FLOWS, 0, 1, new byte[] {1}, RecordJson.toBytes(request)));
      assertThat(flows.pollOnce(Duration.ZERO)).isEqualTo(2);
    }
    return written.stream().map(Alert::rule).toList();
  }

  @Test
  void aRequestLaterInTheBatchStillAuthenticatesTheMigration() {
    assertThat(alertsFor("Microsoft Virtual System Migration Service/hv-02.corp.example"))
        .doesNotContain(RuleId.CREDSSP_MIGRATION);
  }

  @Test
  void aRequestForAnotherServiceLaterInTheBatchLeavesItCredssp() {
    assertThat(alertsFor("HTTP/intranet.corp.example")).contains(RuleId.CREDSSP_MIGRATION);
  }
}
