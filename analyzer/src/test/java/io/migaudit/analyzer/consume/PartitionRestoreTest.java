package io.migaudit.analyzer.consume;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.analyzer.alert.AlertSink;
import io.migaudit.analyzer.alert.MigrationEventSink;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.rules.Flows;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Alert;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.Topics;
import io.migaudit.record.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A partition that moves to another analyzer instance mid-flow: the new owner re-reads what the group
 * judged into its memory, so it neither raises an alert again nor loses the event's earlier streams.
 */
class PartitionRestoreTest {
  private static final TopicPartition P0 = new TopicPartition(Topics.FLOWS, 0);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** One analyzer instance: its own consumer, engine and outputs. */
  private final class Instance {
    final MockConsumer<byte[], byte[]> kafka = new MockConsumer<>("earliest");
    final RuleEngine engine = new RuleEngine(Flows.samplePolicy());
    final List<Alert> alerts = new ArrayList<>();
    final List<MigrationEvent> events = new ArrayList<>();
    final FlowConsumer flows = new FlowConsumer(kafka, engine, List.of(new AlertSink() {
      @Override
      public void write(List<Alert> written) {
        alerts.addAll(written);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    }), List.of(new MigrationEventSink() {
      @Override
      public void write(List<MigrationEvent> written) {
        events.addAll(written);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    }), new AnalyzerMetrics(registry, engine.protocols()), FlowObserver.NONE);

    void assign(OffsetAndMetadata committed, byte[]... records) {
      if (committed != null) {
        kafka.commitSync(Map.of(P0, committed));
      }
      kafka.updateBeginningOffsets(Map.of(P0, 0L));
      kafka.rebalance(List.of(P0));
      for (int i = 0; i < records.length; i++) {
        kafka.addRecord(new ConsumerRecord<>(Topics.FLOWS, 0, i, key(), records[i]));
      }
    }

    OffsetAndMetadata committed() {
      return kafka.committed(Set.of(P0)).get(P0);
    }
  }

  private static byte[] key() {
    return "k".getBytes(StandardCharsets.UTF_8);
  }

  /** Two plaintext vMotion streams of one migration, each seen in an interim then a final record. */
  private static byte[][] migration() {
    Flows.Builder a = flow("192.168.50.11", "192.168.50.12", 8000).srcPort(40001).verdict(Verdict.PLAINTEXT, "zeros");
    Flows.Builder b = flow("192.168.50.11", "192.168.50.12", 8000).srcPort(40002).verdict(Verdict.PLAINTEXT, "zeros");
    return new byte[][] {json(a.seq(0)), json(b.seq(0)), json(a.seq(1).last()), json(b.seq(1).last())};
  }

  private static byte[] json(Flows.Builder f) {
    return f.json().toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theNewOwnerOfAPartitionRaisesNoAlertTwiceAndKeepsTheEventsStreams() {
    byte[][] records = migration();
    Instance first = new Instance();
    first.assign(null, Arrays.copyOf(records, 2));
    first.flows.pollOnce(Duration.ZERO);
    assertThat(first.alerts).isNotEmpty();
    assertThat(first.committed()).isEqualTo(new OffsetAndMetadata(2, PartitionRestore.JUDGED));

    Instance second = new Instance();
    second.assign(first.committed(), records);
    assertThat(second.kafka.position(P0)).as("re-reads what the group judged").isZero();
    second.flows.pollOnce(Duration.ZERO);

    assertThat(second.alerts).as("alerts already raised by the first owner").isEmpty();
    assertThat(second.events).isNotEmpty();
    MigrationEvent last = second.events.get(second.events.size() - 1);
    assertThat(last.streams()).as("the event keeps the stream seen by the first owner").isEqualTo(2);
    assertThat(last.ended()).isTrue();
    assertThat(last.eventId()).isEqualTo(first.events.get(0).eventId());
    assertThat(second.committed()).isEqualTo(new OffsetAndMetadata(4, PartitionRestore.JUDGED));

    Instance unaware = new Instance();
    unaware.assign(new OffsetAndMetadata(2), records);
    unaware.flows.pollOnce(Duration.ZERO);
    assertThat(unaware.alerts).as("offsets not committed by an analyzer mean nothing was judged")
        .extracting(Alert::alertId).containsAnyElementsOf(first.alerts.stream().map(Alert::alertId).toList());
  }

  @Test
  void aPartitionGivenBackAtTheOffsetThisInstanceCommittedIsNotReRead() {
    Instance one = new Instance();
    one.assign(null, Arrays.copyOf(migration(), 2));
    one.flows.pollOnce(Duration.ZERO);
    one.kafka.rebalance(List.of(P0)); // an eager rebalance revokes and reassigns every partition
    assertThat(one.kafka.position(P0)).isEqualTo(2);
  }

  @Test
  void aPartitionStillBeingReReadKeepsItsCommittedOffset() {
    byte[][] records = migration();
    Instance second = new Instance();
    second.assign(new OffsetAndMetadata(3, PartitionRestore.JUDGED), Arrays.copyOf(records, 2));
    second.flows.pollOnce(Duration.ZERO);
    assertThat(second.alerts).isEmpty();
    assertThat(second.committed()).isEqualTo(new OffsetAndMetadata(3, PartitionRestore.JUDGED));
  }

  @Test
  void aRecordTooLargeForAFlowRecordIsSkippedUnreadAndCounted() {
    Instance one = new Instance();
    byte[] huge = new byte[FlowIntake.MAX_RECORD_BYTES + 1];
    Arrays.fill(huge, (byte) ' ');
    byte[][] records = migration();
    one.assign(null, huge, records[0]);
    assertThat(one.flows.pollOnce(Duration.ZERO)).isEqualTo(2);
    assertThat(one.alerts).isNotEmpty();
    assertThat(registry.get(AnalyzerMetrics.RECORDS).tag(AnalyzerMetrics.TAG_OUTCOME,
        AnalyzerMetrics.OUTCOME_TOO_LARGE).counter().count()).isEqualTo(1);
    assertThat(one.committed().offset()).isEqualTo(2);
  }
}
